"""The secret address of a crew member's iCal feed: made on first use, rotatable."""

import re
import secrets

from ..models import CrewMember

CALENDAR_TOKEN_BYTES = 24
CALENDAR_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def calendar_token_get_or_create(*, crew_member: CrewMember) -> str:
    """The secret of the crew member's iCal feed address, made on first use."""
    if crew_member.calendar_token:
        return crew_member.calendar_token
    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    # Conditional: two first visits at once keep one token, not two different links.
    CrewMember.objects.filter(pk=crew_member.pk, calendar_token__isnull=True).update(calendar_token=token)
    crew_member.calendar_token = CrewMember.objects.values_list("calendar_token", flat=True).get(pk=crew_member.pk)
    return crew_member.calendar_token


def calendar_token_rotate(*, crew_member: CrewMember) -> str:
    """A new feed address; the old one stops working at once."""
    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    CrewMember.objects.filter(pk=crew_member.pk).update(calendar_token=token)
    crew_member.calendar_token = token
    return token


def crew_member_for_calendar_token(token: str) -> CrewMember | None:
    """The active crew member whose feed this is, or None (unknown, rotated or malformed)."""
    # Tokens are URL-safe base64; anything else (NUL bytes, quotes …) never reaches the database.
    if not CALENDAR_TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return (
        CrewMember.objects.select_related("organization", "user")
        .filter(calendar_token=token, active=True, user__is_active=True)
        .first()
    )
