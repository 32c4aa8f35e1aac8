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
from functools import partial
from itertools import islice

from django.conf import settings

from charterops.models import Organization
from events.models import Event, EventStatus
from events.nudges import Due, Kind, Scope, nudge_rule

from . import pages
from .brand import Clock, public_title
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


# Events read per query; their on-hold guests are read in one query per such batch.
EVENTS_PER_QUERY = 2000


def _reminder_context(event: Event, guest_fields: dict, hours_before: int) -> dict:
    """What the reminder says (built only for a reminder that goes out)."""
    guest = Guest(event_id=event.pk, **guest_fields)
    clock = Clock.of(event.organization)
    return {
        "guest_name": guest.name,
        "is_minor": guest.is_minor,
        "title": public_title(event),
        "departure_local": f"{clock.moment(event.departure_at)} {clock.zone(event.departure_at)}",
        "hours_before": hours_before,
        "location": event.location,
        "signing_url": guest.signing_url,
        "guest_page_url": pages.public_url(event),
    }


@nudge_rule(ON_HOLD)
def guests_on_hold(scope: Scope) -> Iterator[Due]:
    stages = _stages()
    if not stages:
        return
    now, first = scope.now, stages[0][0]
    events = scope.narrow(
        Event.objects.filter(
            departure_at__gt=now,
            departure_at__lte=now + first,
            status__in=[EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED],
        )
    ).select_related("organization", "guest_page")  # the page's title names the charter
    organizations: dict[int, Organization] = {}
    rows = events.order_by("pk").iterator(chunk_size=EVENTS_PER_QUERY)
    while batch := list(islice(rows, EVENTS_PER_QUERY)):
        by_id = {}
        for event in batch:
            # One brand object per brand, not one per event.
            event.organization = organizations.setdefault(event.organization_id, event.organization)
            by_id[event.pk] = event
        guests = (
            Guest.objects.on_hold()
            .filter(event_id__in=by_id)
            .exclude(email="")
            .order_by("event_id", "pk")
            .values_list("pk", "event_id", "name", "email", "is_minor", "token", "created_at")
        )
        for pk, event_id, name, email, is_minor, token, created_at in guests:
            event = by_id[event_id]
            for before, until in stages:
                due_at = event.departure_at - before
                if due_at > now or created_at >= due_at:
                    continue
                guest = {"pk": pk, "name": name, "email": email, "is_minor": is_minor, "token": token}
                yield Due(
                    event=event,
                    recipient=f"guest:{pk}",
                    address=email,
                    name=name,
                    due_at=due_at,
                    expires_at=event.departure_at - until,
                    template="guests/emails/nudges/on_hold",
                    context=partial(_reminder_context, event, guest, int(before.total_seconds() // 3600)),
                )
