"""Crew's reactions to events.signals: checklist due times follow the event's times."""

from django.dispatch import receiver

from events.signals import event_changed

from . import services


@receiver(event_changed, dispatch_uid="crew.refresh_checklist_due_times")
def refresh_checklist_due_times(sender, event, **kwargs) -> None:
    services.checklist_due_refresh(event=event)
