"""Guests' reactions to events.signals: guest-page republishing, and telling guests their
charter is cancelled. (Whether a charter may start with guests on hold is the start gate's
rule, in safety: it checks the guests who boarded.)"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from charterops.models import Organization
from events.models import Event, EventStatus
from events.signals import event_changed, event_created, event_transitioned

from .services import guest_page_publish_on_commit, guests_cancellation_send


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
