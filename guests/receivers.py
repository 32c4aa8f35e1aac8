"""Guests' reactions to events.signals: the on-hold guard, guest-page republishing, and
telling guests their charter is cancelled."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from charterops.errors import Conflict
from charterops.models import Organization
from events.models import Event, EventStatus
from events.signals import event_changed, event_created, event_transitioned, event_transitioning

from .models import Guest
from .services import guest_page_publish_on_commit, guests_cancellation_send


@receiver(event_transitioning, dispatch_uid="guests.hold_guard")
def refuse_start_with_guests_on_hold(sender, event, to_status, by, reason, override, **kwargs) -> None:
    """A charter does not start while a guest has not signed the current waiver — unless overridden with a reason."""
    if to_status != EventStatus.IN_PROGRESS:
        return
    on_hold = list(Guest.objects.filter(event=event).on_hold().order_by("name").values_list("name", flat=True))
    if not on_hold:
        return
    if override:
        if not (reason or "").strip():
            raise Conflict("Starting with guests on hold needs a reason; it is recorded with the start.")
        return
    names = ", ".join(on_hold[:10]) + (f" and {len(on_hold) - 10} more" if len(on_hold) > 10 else "")
    raise Conflict(
        f"“{event.name}” cannot start: {len(on_hold)} guest(s) on hold without a signed waiver ({names}). "
        "The captain or owner may override with a reason."
    )


@receiver(event_created, dispatch_uid="guests.publish_new_event")
def publish_new_event_page(sender, event, **kwargs) -> None:
    guest_page_publish_on_commit(event_id=event.pk)


@receiver(event_changed, dispatch_uid="guests.republish_changed_event")
def republish_changed_event_page(sender, event, **kwargs) -> None:
    guest_page_publish_on_commit(event_id=event.pk)


@receiver(event_transitioned, dispatch_uid="guests.tell_guests_of_cancellation")
def tell_guests_of_cancellation(sender, event, to_status, **kwargs) -> None:
    if to_status == EventStatus.CANCELLED:
        guests_cancellation_send(event=event)


@receiver(post_save, sender=Organization, dispatch_uid="guests.republish_brand_pages")
def republish_brand_pages(sender, instance: Organization, created: bool, **kwargs) -> None:
    """The brand's name, colours, phone or clock style changed: its upcoming charters' pages show them."""
    if created:
        return
    for event_id in Event.objects.for_org(instance).upcoming().values_list("pk", flat=True):
        guest_page_publish_on_commit(event_id=event_id)
