"""Crew's reactions to events.signals."""

from django.dispatch import receiver

from events.signals import event_created

from . import services


@receiver(event_created, dispatch_uid="crew.create_role_slots")
def create_role_slots(sender, event, by, options, **kwargs) -> None:
    services.role_slots_create(event=event, deckhands=options.get("deckhand_slots", services.DEFAULT_DECKHAND_SLOTS))
