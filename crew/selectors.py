"""Reads of crew data that other surfaces share (pages, API, emails, tasks, reports)."""

# --- Portfolio figures (executive reports) ---
#
# Counts over crew, role slots and sign-in rows, one query each whatever their number.
# Nothing here reads money: reports join it from events' selectors by event id.

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower

from charterops.models import Membership, Organization

from .models import CrewMember, MagicLink, RoleSlot, SignInThrottleEvent
from .services import CLOSED_STATUSES

Organizations = Iterable[Organization | int]


def active_crew_counts(*, organizations: Organizations) -> dict[int, int]:
    """Active crew members per brand (their user account active too)."""
    rows = (
        CrewMember.objects.for_orgs(list(organizations))
        .filter(active=True, user__is_active=True)
        .values("organization")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["organization"]: row["n"] for row in rows}


@dataclass(frozen=True, slots=True)
class OpenSlotsRow:
    """An event still sailing short-handed: its empty role slots."""

    event_id: int
    organization_id: int
    departure_at: datetime
    open_slots: int


def open_slots_departing(*, organizations: Organizations, start: datetime, within: timedelta) -> list[OpenSlotsRow]:
    """Events departing in [start, start + within), not closed, with slots nobody holds."""
    rows = (
        RoleSlot.objects.for_orgs(list(organizations))
        .filter(holder__isnull=True, event__departure_at__gte=start, event__departure_at__lt=start + within)
        .exclude(event__status__in=CLOSED_STATUSES)
        .values("event", "event__organization", "event__departure_at")
        .annotate(n=Count("pk"))
        .order_by("event__departure_at", "event")
    )
    return [
        OpenSlotsRow(
            event_id=row["event"],
            organization_id=row["event__organization"],
            departure_at=row["event__departure_at"],
            open_slots=row["n"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class MagicLinkCounts:
    issued: int  # made in the period
    used: int  # used in the period
    expired_unused: int  # expired in the period without being used


def magic_link_counts(*, organizations: Organizations, start: datetime, end: datetime) -> MagicLinkCounts:
    created = Q(created_at__gte=start, created_at__lt=end)
    used = Q(used_at__gte=start, used_at__lt=end)
    expired = Q(expires_at__gte=start, expires_at__lt=end, used_at__isnull=True)
    totals = (
        MagicLink.objects.for_orgs(list(organizations))
        .filter(created | used | expired)
        .aggregate(
            issued=Count("pk", filter=created),
            used=Count("pk", filter=used),
            expired_unused=Count("pk", filter=expired),
        )
    )
    return MagicLinkCounts(**totals)


@dataclass(frozen=True, slots=True)
class ThrottleCounts:
    windows: int  # (address, window) pairs refused
    addresses: int  # distinct client addresses refused


def sign_in_throttle_counts(*, start: datetime, end: datetime) -> ThrottleCounts:
    """Sign-in throttling in [start, end). Throttling is per client address, not per brand."""
    totals = SignInThrottleEvent.objects.filter(at__gte=start, at__lt=end).aggregate(
        windows=Count("pk"), addresses=Count("ip", distinct=True)
    )
    return ThrottleCounts(**totals)


def crew_only_addresses(addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` that belong to crew of some brand who are not its owner.

    Crew never receive revenue; an owner who also sails keeps their owner's mail.
    """
    wanted = {address.strip().lower() for address in addresses if address and address.strip()}
    if not wanted:
        return set()
    owner_of_brand = Membership.objects.filter(
        user=OuterRef("user"), organization=OuterRef("organization"), role=Membership.Role.OWNER
    )
    rows = (
        CrewMember.objects.annotate(address=Lower("user__email"))
        .filter(address__in=wanted)
        .exclude(Exists(owner_of_brand))
        .values_list("address", flat=True)
    )
    return set(rows)
