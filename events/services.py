"""Business writes for events. Admin, pages, API, tasks and commands all call these."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from charterops.errors import Conflict
from charterops.models import Organization
from charterops.services import model_update

from . import webhooks
from .models import ALLOWED_TRANSITIONS, Event, EventStatus, EventTransition, Revenue, Source, WebhookEventType
from .signals import event_changed, event_created, event_transitioned, event_transitioning

REVENUE_FIELDS = (*Revenue.FIGURES, "crew_count_override")
EVENT_EDITABLE_FIELDS = (
    "name",
    "event_type",
    "vessel",
    "departure_at",
    "return_at",
    "location",
    "notes",
    "guest_count",
    "nudges_enabled",
    "slug",
)


def _unique_slug(organization: Organization, base: str, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:70] or "event"
    taken = set(
        Event.objects.for_org(organization)
        .filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def default_slug(*, source: str, name: str, departure_at: datetime, organization: Organization) -> str:
    """`boatsetter-may-30-2024` for platform bookings, `sunset-sail-jun-02-2024` otherwise."""
    local_day = timezone.localtime(departure_at, organization.tz)
    prefix = source if source != Source.DIRECT else name
    return f"{prefix}-{local_day:%b}-{local_day.day}-{local_day:%Y}"


@transaction.atomic
def event_create(
    *,
    organization: Organization,
    name: str,
    departure_at: datetime,
    return_at: datetime,
    by: AbstractBaseUser | None = None,
    revenue: dict[str, Any] | None = None,
    **fields: Any,
) -> Event:
    """Create an event (and its revenue). Its crew side (slots, checklists, booked crew) is
    the booking intake's to add (bookings.services)."""
    unknown = set(fields) - set(EVENT_EDITABLE_FIELDS) - {"source", "external_ref"}
    if unknown:
        raise TypeError(f"event_create got unexpected fields: {sorted(unknown)}")
    event = Event(organization=organization, name=name, departure_at=departure_at, return_at=return_at, **fields)
    return event_create_from_instance(event=event, by=by, revenue=revenue)


@transaction.atomic
def event_create_from_instance(
    *,
    event: Event,
    by: AbstractBaseUser | None = None,
    revenue: dict[str, Any] | None = None,
) -> Event:
    """Save a new, unsaved Event built by a form (the admin) the way event_create does."""
    event.clean_times()  # before the slug is made from the departure's local day
    if not event.slug:
        # One brand's events choose their addresses one at a time: two bookings of the same
        # day made at the same instant would otherwise both take the first free slug.
        Organization.objects.select_for_update().filter(pk=event.organization_id).first()
        event.slug = _unique_slug(
            event.organization,
            default_slug(
                source=event.source, name=event.name, departure_at=event.departure_at, organization=event.organization
            ),
        )
    event.full_clean()
    event.save()
    if revenue is not None:
        revenue_set(event=event, **revenue)
    event_created.send(sender=Event, event=event, by=by)
    webhooks.event_emit(event=event, event_type=WebhookEventType.EVENT_CREATED)
    return event


@transaction.atomic
def event_update(*, event: Event, by: AbstractBaseUser | None = None, **changes: Any) -> Event:
    """Change an event's details (not its status: that is event_transition)."""
    before = {name: getattr(event, name) for name in changes if name in EVENT_EDITABLE_FIELDS}
    model_update(instance=event, fields=EVENT_EDITABLE_FIELDS, data=changes)
    event_changed.send(sender=Event, event=event)
    changed = [name for name, value in before.items() if getattr(event, name) != value]
    if changed:
        webhooks.event_emit(event=event, event_type=WebhookEventType.EVENT_UPDATED, changes=changed)
    return event


@transaction.atomic
def revenue_set(*, event: Event, **figures: Any) -> Revenue:
    """Create or update the event's revenue; unspecified figures keep their values."""
    revenue, _ = Revenue.objects.select_for_update().get_or_create(event=event)
    # Amounts arrive as str, float or Decimal; the row keeps them exact.
    exact = ("crew_count", "crew_count_override")
    data = {field: _decimal(value) if field not in exact else value for field, value in figures.items()}
    return model_update(instance=revenue, fields=REVENUE_FIELDS, data=data)


@transaction.atomic
def revenue_crew_count_follow(*, event: Event, crew_count: int) -> None:
    """The roster changed (crew.services counts who is aboard): a revenue whose crew count
    is not set by hand takes the new count."""
    revenue = Revenue.objects.select_for_update().filter(event=event, crew_count_override=False).first()
    if revenue is not None and revenue.crew_count != crew_count:
        revenue.crew_count = crew_count
        revenue.save(update_fields=["crew_count"])


def _decimal(value: Any) -> Any:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return value  # full_clean names the field that is not a number


def allowed_next_statuses(status: str) -> list[str]:
    return sorted(ALLOWED_TRANSITIONS.get(status, set()))


@transaction.atomic
def event_transition(
    *,
    event: Event,
    to_status: str,
    by: AbstractBaseUser | None = None,
    reason: str = "",
    override: bool = False,
) -> Event:
    """Move an event along its lifecycle, or refuse with a Conflict that says why.

    The row is locked so that two simultaneous moves cannot both read the old status.
    """
    if to_status not in EventStatus.values:
        raise ValidationError(f"{to_status!r} is not a status. Choose one of: {', '.join(EventStatus.values)}.")
    locked = Event.objects.select_for_update().get(pk=event.pk)
    current = locked.status
    if to_status not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(EventStatus(s).label for s in allowed_next_statuses(current)) or "none (final state)"
        raise Conflict(
            f"Cannot move “{locked.name}” from {EventStatus(current).label} to "
            f"{EventStatus(to_status).label}. Allowed next: {allowed}."
        )
    event_transitioning.send(sender=Event, event=locked, to_status=to_status, by=by, reason=reason, override=override)
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    EventTransition.objects.create(event=locked, from_status=current, to_status=to_status, by=by, reason=reason)
    event.status = locked.status
    event_changed.send(sender=Event, event=locked)
    event_transitioned.send(sender=Event, event=locked, from_status=current, to_status=to_status, by=by, reason=reason)
    webhooks.event_emit(
        event=locked, event_type=webhooks.STATUS_EVENT_TYPES[to_status], from_status=current, reason=reason
    )
    return locked
