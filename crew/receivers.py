"""Crew's reactions to events.signals: seats, checklists and booked crew for new events."""

from django.dispatch import receiver

from events.signals import event_changed, event_created

from . import services


@receiver(event_created, dispatch_uid="crew.create_role_slots")
def create_role_slots(sender, event, by, options, **kwargs) -> None:
    services.role_slots_create(event=event, deckhands=options.get("deckhand_slots", services.DEFAULT_DECKHAND_SLOTS))
    services.checklist_instantiate(event=event)
    if options.get("crew"):
        services.event_crew_assign(event=event, crew=options["crew"], by=by)


@receiver(event_changed, dispatch_uid="crew.refresh_checklist_due_times")
def refresh_checklist_due_times(sender, event, **kwargs) -> None:
    services.checklist_due_refresh(event=event)
