"""Owner alerts, found by the nudge sweep (events.nudges): bookings that need the owner.

- an event still pending confirmation NUDGE_PENDING_CONFIRMATION_HOURS after it was booked
  (until its departure: after that the second alert speaks);
- an event whose departure passed NUDGE_NOT_STARTED_AFTER_MINUTES ago without being
  started — no float plan was filed, so it is safety-critical: never held by quiet hours,
  never switched off.

The owners are each brand's members with the owner role who have an email address.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from charterops.models import Membership

from .models import Event, EventStatus
from .nudges import Due, Kind, Scope, nudge_rule

# Events this far past departure are still looked at, so that an alert missed while the
# scheduler was down is recorded as skipped rather than forgotten.
LOOKBACK = timedelta(days=1)

PENDING_CONFIRMATION = Kind(
    "owner_pending_confirmation",
    "Booking still pending confirmation",
    description="alerts about bookings still pending confirmation",
)
NOT_STARTED = Kind(
    "owner_not_started",
    "Departure passed, charter not started",
    safety_critical=True,
    description="alerts about charters not started after their departure",
)


def owners_by_org(org_ids: Collection[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Each brand's owners who can be emailed: (user id, address, name), by brand."""
    owners: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    rows = (
        Membership.objects.filter(organization_id__in=org_ids, role=Membership.Role.OWNER, user__is_active=True)
        .exclude(user__email="")
        .values_list("organization_id", "user_id", "user__email", "user__first_name", "user__last_name")
        .order_by("user_id")
    )
    for org_id, user_id, email, first, last in rows:
        owners[org_id].append((user_id, email, f"{first} {last}".strip() or email))
    return owners


def owner_dues(
    event: Event,
    owners: dict[int, list[tuple[int, str, str]]],
    *,
    due_at: datetime,
    expires_at: datetime,
    template: str,
    context_for: Callable[[str], Any],
) -> Iterator[Due]:
    """One occurrence for each owner of the event's brand (`owners`: `owners_by_org`'s
    answer); `context_for(name)` gives the email's context for the owner of that name."""
    for user_id, email, name in owners.get(event.organization_id, []):
        yield Due(
            event=event,
            recipient=f"user:{user_id}",
            address=email,
            name=name,
            due_at=due_at,
            expires_at=expires_at,
            template=template,
            context=context_for(name),
        )


def _alerts(events, kind_template: str, due_of, expires_of) -> Iterator[Due]:
    events = list(events.select_related("organization", "vessel"))
    owners = owners_by_org({event.organization_id for event in events})
    for event in events:
        tz = event.organization.tz
        context = {
            "departure_local": f"{timezone.localtime(event.departure_at, tz):%a %d %b %Y, %H:%M}",
            "booked_local": f"{timezone.localtime(event.created_at, tz):%a %d %b %Y, %H:%M}",
            "vessel": event.vessel.name if event.vessel else "",
            "status_label": event.get_status_display(),
            "admin_url": f"{settings.SITE_URL}{reverse('admin:events_event_change', args=[event.pk])}",
        }
        yield from owner_dues(
            event,
            owners,
            due_at=due_of(event),
            expires_at=expires_of(event),
            template=kind_template,
            context_for=lambda name, context=context: context,
        )


@nudge_rule(PENDING_CONFIRMATION)
def pending_confirmation(scope: Scope) -> Iterator[Due]:
    after = timedelta(hours=settings.NUDGE_PENDING_CONFIRMATION_HOURS)
    events = scope.narrow(
        Event.objects.filter(
            status=EventStatus.PENDING_CONFIRMATION,
            created_at__lte=scope.now - after,
            departure_at__gt=scope.now - LOOKBACK,
        )
    )
    return _alerts(
        events,
        "events/emails/nudges/pending_confirmation",
        due_of=lambda event: event.created_at + after,
        expires_of=lambda event: event.departure_at,
    )


@nudge_rule(NOT_STARTED)
def not_started(scope: Scope) -> Iterator[Due]:
    grace = timedelta(minutes=settings.NUDGE_NOT_STARTED_AFTER_MINUTES)
    events = scope.narrow(
        Event.objects.filter(
            status__in=[EventStatus.PENDING_CONFIRMATION, EventStatus.CONFIRMED],
            departure_at__lte=scope.now - grace,
            departure_at__gt=scope.now - LOOKBACK,
        )
    )
    # Worth sending until the planned return (at least an hour): after that it is history.
    return _alerts(
        events,
        "events/emails/nudges/not_started",
        due_of=lambda event: event.departure_at + grace,
        expires_of=lambda event: max(event.return_at, event.departure_at + grace + timedelta(hours=1)),
    )
