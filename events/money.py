"""Money: Decimal everywhere, rounded half-up to cents, and kept out of free text."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

CENT = Decimal("0.01")

MONEY_IN_NOTES_MESSAGE = "Money belongs in Revenue, not in notes: crew read notes."

# "$151.34", "€ 20", "150 USD", "usd 150", "40 dollars" — amounts anywhere in free text.
_MONEY_PATTERN = re.compile(
    r"[$€£]\s*\d"
    r"|\d[\d,]*(?:\.\d+)?\s*(?:usd|eur|gbp|dollars?|bucks|euros?)\b"
    r"|\b(?:usd|eur|gbp)\s*\d",
    re.IGNORECASE,
)


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def contains_money(text: str) -> bool:
    return bool(_MONEY_PATTERN.search(text or ""))


def validate_no_money(text: str) -> None:
    if contains_money(text):
        raise ValidationError(MONEY_IN_NOTES_MESSAGE, code="money_in_notes")
