"""Guests' nudge: a guest still on hold gets their own signing link again before departure.

At each of NUDGE_GUEST_ON_HOLD_HOURS before departure (48 h and 24 h by default), by
email, to the guest's own address, with the guest's own link only. Who is on hold is
GuestQuerySet.on_hold() — the one waiver rule. A guest added after a reminder's moment
does not get it: they were just sent their waiver request. Each reminder is worth sending
until the next one is due, and the last until two hours before departure; the sweep
(events.nudges) does the rest.
"""

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from events.models import EventStatus
from events.nudges import Due, Kind, Scope, nudge_rule

from . import pages
from .models import Guest

ON_HOLD = Kind(
    "guest_on_hold",
    "Waiver reminder",
    description="reminders to sign the waiver before your charter",
)
# The last reminder is pointless this close to departure: the crew sort it out on the dock.
LAST_USEFUL_BEFORE_DEPARTURE = timedelta(hours=2)


def _stages() -> list[tuple[timedelta, timedelta]]:
    """(how long before departure, until how long before departure it is worth sending)."""
    hours = sorted(set(settings.NUDGE_GUEST_ON_HOLD_HOURS), reverse=True)
    ends = [timedelta(hours=h) for h in hours[1:]] + [LAST_USEFUL_BEFORE_DEPARTURE]
    return [(timedelta(hours=h), end) for h, end in zip(hours, ends, strict=True)]


@nudge_rule(ON_HOLD)
def guests_on_hold(scope: Scope) -> Iterator[Due]:
    stages = _stages()
    if not stages:
        return
    now, first = scope.now, stages[0][0]
    guests = (
        scope.narrow(Guest.objects.on_hold(), field="event_id")
        .filter(
            event__departure_at__gt=now,
            event__departure_at__lte=now + first,
            event__status__in=[EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED],
        )
        .exclude(email="")
        .select_related("event__organization")
        .order_by("event_id", "pk")
    )
    for guest in guests.iterator(chunk_size=2000):
        event = guest.event
        departure = event.departure_at
        context = None
        for before, until in stages:
            due_at = departure - before
            if due_at > now or guest.created_at >= due_at:
                continue
            if context is None:
                context = {
                    "guest_name": guest.name,
                    "is_minor": guest.is_minor,
                    "departure_local": pages.local_moment(timezone.localtime(departure, event.organization.tz)),
                    "location": event.location,
                    "signing_url": guest.signing_url,
                    "guest_page_url": pages.public_url(event),
                }
            yield Due(
                event=event,
                recipient=f"guest:{guest.pk}",
                address=guest.email,
                name=guest.name,
                due_at=due_at,
                expires_at=departure - until,
                template="guests/emails/nudges/on_hold",
                context={**context, "hours_before": int(before.total_seconds() // 3600)},
            )
