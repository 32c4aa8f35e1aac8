"""Safety's reactions: the start gate (events.signals.event_transitioning), the float plan
filed on departure, amended when the return moves and closed when the charter ends, and
the completion that follows the post-return checklist (crew.signals)."""

from django.dispatch import receiver

from charterops.errors import Conflict
from crew.models import ChecklistPhase
from crew.signals import checklist_item_changed
from events.models import EventStatus
from events.signals import event_changed, event_transitioned, event_transitioning

from . import services
from .selectors import start_check


@receiver(event_transitioning, dispatch_uid="safety.start_gate")
def start_gate(sender, event, to_status, by, reason, override, **kwargs) -> None:
    """The one start gate: every boarded guest signed the current waiver (a minor through a
    guardian), nobody on the manifest left on the dock, the headcount matches the persons
    on board — or the captain or an owner overrides with a reason, recorded."""
    if to_status != EventStatus.IN_PROGRESS:
        return
    check = start_check(organization_id=event.organization_id, event_id=event.pk)
    if check.ready:
        return
    if override:
        if not (reason or "").strip():
            raise Conflict("Starting with the check-in incomplete needs a reason; it is recorded with the start.")
        event._start_override = (reason.strip(), check.missing)
        return
    raise Conflict(
        f"“{event.name}” cannot start: {'; '.join(check.missing)}. "
        "The captain or an owner may start anyway with a reason, which is recorded."
    )


@receiver(event_transitioned, dispatch_uid="safety.float_plan")
def float_plan_on_move(sender, event, from_status, to_status, by, reason, **kwargs) -> None:
    if to_status == EventStatus.IN_PROGRESS:
        override, missing = getattr(event, "_start_override", ("", []))
        services.float_plan_file(event=event, by=by, override=override, missing=missing)
    elif to_status in (EventStatus.COMPLETED, EventStatus.CANCELLED):
        services.float_plan_close_on_end(event=event, to_status=to_status, by=by)


@receiver(event_changed, dispatch_uid="safety.float_plan_amend")
def float_plan_amend(sender, event, **kwargs) -> None:
    """A return time changed from anywhere (the captain's extension, the back office): amend."""
    if event.status == EventStatus.IN_PROGRESS:
        services.float_plan_amend_if_moved(event=event, by=getattr(event, "_changed_by", None))


@receiver(checklist_item_changed, dispatch_uid="safety.complete_after_return")
def complete_after_return(sender, item, by, **kwargs) -> None:
    if item.phase == ChecklistPhase.POST_RETURN:
        services.complete_if_checklist_done(event_id=item.event_id, by=by)
