"""How the back office writes the things it shows: moments with their zone, money with
its currency, labels instead of codes. One function per kind of value, used by every
admin, so a time or an amount reads the same on every page."""

from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat, formats, timezone

# Every brand trades in US dollars today; the amount says so wherever it is shown.
CURRENCY = "USD"
_CURRENCY_SIGNS = {"USD": "$"}


def moment(value: datetime | None, tz: tzinfo | None = None) -> str:
    """A moment in `tz` (default: the zone the request activated), in the back office's one
    format with the zone's name: "Sat 30 May 2024, 5:00 PM PDT"."""
    if value is None:
        return "—"
    local = timezone.localtime(value, tz) if timezone.is_aware(value) else value
    return dateformat.format(local, formats.get_format("DATETIME_FORMAT"))


def money(amount: Decimal | int | None, currency: str = CURRENCY) -> str:
    """ "$1,234.50 USD": cents always shown, thousands grouped, the currency named."""
    if amount is None:
        return "—"
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    return f"{sign}{_CURRENCY_SIGNS.get(currency, '')}{abs(value):,.2f} {currency}"


def humanize_code(code: str) -> str:
    """A label for an internal code nobody gave one: "crew_sign_in" → "Crew sign in"."""
    words = code.replace(":", " ").replace("_", " ").replace(".", " ").split()
    return " ".join(words).capitalize() if words else "—"


def csv_safe(cells: list) -> list[str]:
    """Cells of an exported CSV that a spreadsheet will not run as formulas (a guest named
    "=HYPERLINK(…)" stays text)."""
    texts = ["" if cell is None else str(cell) for cell in cells]
    return [f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text for text in texts]
