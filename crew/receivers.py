"""Crew's reactions to events.signals: checklist due times follow the event's times, and
a cancelled charter's crew are told."""

from django.dispatch import receiver

from events.models import EventStatus
from events.signals import event_changed, event_transitioning

from . import services


@receiver(event_changed, dispatch_uid="crew.refresh_checklist_due_times")
def refresh_checklist_due_times(sender, event, **kwargs) -> None:
    services.checklist_due_refresh(event=event)


@receiver(event_transitioning, dispatch_uid="crew.tell_crew_of_cancellation")
def tell_crew_of_cancellation(sender, event, to_status, **kwargs) -> None:
    # Queued on commit: a move another receiver vetoes rolls back and tells nobody.
    if to_status == EventStatus.CANCELLED:
        services.notify_on_commit("event_cancelled_send", event.pk)
