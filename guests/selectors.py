"""Reads of guest data that other surfaces share (the back office, nudges and reports).

A guest's waiver status is decided once, by `GuestQuerySet.with_waiver_status` (the
brand's current waiver is its highest version; signed means signed that version) and
`waiver_status_of`: every read of it — here, and the crew page's boarding list in
safety.selectors — goes through them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Lower

from charterops.models import Organization, SuppressedAddress
from crew.policy import CLOSED_STATUSES
from events.models import EventStatus

from .models import Guest

# --- Portfolio figures (executive reports) ---
#
# Counts over guests, one query each whatever their number. Who is on hold is decided by
# GuestQuerySet.on_hold(); a charter that is over or called off is crew.policy's
# CLOSED_STATUSES.

Organizations = Iterable[Organization | int]


@dataclass(frozen=True, slots=True)
class OnHoldRow:
    """An event about to sail with guests who have not signed the current waiver."""

    event_id: int
    organization_id: int
    on_hold: int


def on_hold_departing(*, organizations: Organizations, start: datetime, within: timedelta) -> list[OnHoldRow]:
    """Per event departing in [start, start + within) and not closed, its guests on hold."""
    rows = (
        Guest.objects.for_orgs(list(organizations))
        .on_hold()
        .filter(event__departure_at__gte=start, event__departure_at__lt=start + within)
        .exclude(event__status__in=CLOSED_STATUSES)
        .values("event", "organization")
        .annotate(n=Count("pk"))
        .order_by("event")
    )
    return [OnHoldRow(event_id=row["event"], organization_id=row["organization"], on_hold=row["n"]) for row in rows]


@dataclass(frozen=True, slots=True)
class RepeatGuests:
    sailed: int  # distinct guests (by email) aboard a charter departing in the period
    repeat: int  # of them, those aboard more than one charter of these brands up to the period's end


def repeat_guests(*, organizations: Organizations, start: datetime, end: datetime) -> RepeatGuests:
    """Guests are told apart by email address (case-insensitive); guests without one,
    and cancelled charters, are not counted."""
    guests = Guest.objects.for_orgs(list(organizations)).exclude(email="").exclude(event__status=EventStatus.CANCELLED)
    aboard = (
        guests.filter(event__departure_at__gte=start, event__departure_at__lt=end)
        .annotate(address=Lower("email"))
        .values("address")
    )
    # Only the addresses aboard in the period are grouped, not every guest ever.
    per_guest = (
        guests.filter(event__departure_at__lt=end)
        .annotate(address=Lower("email"))
        .filter(address__in=aboard)
        .values("address")
        .annotate(charters=Count("event", distinct=True))
    )
    totals = per_guest.aggregate(sailed=Count("address"), repeat=Count("address", filter=Q(charters__gt=1)))
    return RepeatGuests(sailed=totals["sailed"] or 0, repeat=totals["repeat"] or 0)


def reachable_contacts(*, organizations: Organizations) -> int:
    """Distinct guest email addresses (case-insensitive) of these brands that may be written
    to: not an address whose guest asked for no offers (on any of their charters with these
    brands), nor one SES reported as bouncing or complaining."""
    guests = Guest.objects.for_orgs(list(organizations)).exclude(email="").annotate(address=Lower("email"))
    opted_out = guests.filter(marketing_opt_out=True).values("address")
    suppressed = SuppressedAddress.objects.values("address")  # stored lower case
    # SELECT COUNT(*) FROM (SELECT DISTINCT …): hashed, where COUNT(DISTINCT …) sorts.
    return guests.exclude(address__in=opted_out).exclude(address__in=suppressed).values("address").distinct().count()


# --- The owner's dashboard (back office) ---


@dataclass(frozen=True, slots=True)
class WaiverCounts:
    """An event's guests and how many of them are on hold (GuestQuerySet.on_hold's rule)."""

    guests: int
    on_hold: int

    @property
    def cleared(self) -> int:
        return self.guests - self.on_hold


def waiver_counts(*, organizations: Organizations, event_ids: Iterable[int]) -> dict[int, WaiverCounts]:
    """Guests and guests on hold per event (of these brands only), in one query."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = (
        Guest.objects.for_orgs(list(organizations))
        .filter(event_id__in=ids)
        .with_waiver_status()
        .values("event")
        .annotate(guests=Count("pk"), held=Count("pk", filter=Q(on_hold=True)))
        .order_by()
    )
    return {row["event"]: WaiverCounts(guests=row["guests"], on_hold=row["held"]) for row in rows}


def manifest_rows(*, organizations: Organizations, start: datetime, end: datetime) -> list[Guest]:
    """Every guest of the brands' charters departing in [start, end) and not cancelled, with
    their event (and its brand and vessel) and waiver status, by departure then name: the
    day's manifest for the dock (contact details included: the owner's eyes only)."""
    return list(
        Guest.objects.for_orgs(list(organizations))
        .filter(event__departure_at__gte=start, event__departure_at__lt=end)
        .exclude(event__status=EventStatus.CANCELLED)
        .with_waiver_status()
        .select_related("event__organization", "event__vessel")
        .order_by("event__departure_at", "event_id", "name", "pk")
    )


def on_hold_names(event_ids: Iterable[int]) -> dict[int, list[str]]:
    """{event id: names of its guests still on hold}, in one query (the crew digest's list:
    names only, never contact details or links)."""
    names: dict[int, list[str]] = {}
    rows = Guest.objects.on_hold().filter(event_id__in=list(event_ids)).order_by("event_id", "name", "pk")
    for event_id, name in rows.values_list("event_id", "name"):
        names.setdefault(event_id, []).append(name)
    return names
