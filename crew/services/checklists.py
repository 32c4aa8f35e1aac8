"""Writes of checklists: copying templates onto events, due times, and ticking items.

Who may change a checklist is crew.policy's rule (crew on the event or an owner; the
captain or an owner adds one); a tick only lands on the version the person saw, so two
phones never silently overwrite each other.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from charterops.errors import Conflict
from events import timing
from events.models import Event

from .. import selectors
from ..models import ChecklistItem, ChecklistItemState, ChecklistTemplate, ChecklistTemplateItem, person_name
from ..policy import RosterPolicy, enforce
from ..signals import checklist_item_changed
from .roster import _actor_of, _facts


@transaction.atomic
def checklist_instantiate(*, event: Event, templates: Iterable[ChecklistTemplate] | None = None) -> list[ChecklistItem]:
    """Copy the active checklist templates of the event's type (or the `templates` given)
    onto the event, once each."""
    chosen = (
        Q(template__in=list(templates))
        if templates is not None
        else Q(template__event_type=event.event_type, template__active=True)
    )
    template_items = (
        ChecklistTemplateItem.objects.filter(chosen, template__organization_id=event.organization_id)
        .select_related("template")
        .order_by("template__phase", "template__name", "position", "pk")
    )
    done = set(ChecklistItem.objects.filter(event=event).values_list("template_item_id", flat=True))
    sun = timing.event_sun_times(event)
    positions: dict[str, int] = {}
    new_items = []
    for source in template_items:
        phase = source.template.phase
        positions[phase] = positions.get(phase, 0) + 1
        if source.pk in done:
            continue
        new_items.append(
            ChecklistItem(
                event=event,
                template_item=source,
                phase=phase,
                text=source.text,
                responsible_role=source.responsible_role,
                anchor=source.anchor,
                offset_minutes=source.offset_minutes,
                due_at=timing.due_at(event, source.anchor, source.offset_minutes, sun),
                position=positions[phase],
            )
        )
    return ChecklistItem.objects.bulk_create(new_items)


def _policy(event: Event, by: AbstractBaseUser) -> RosterPolicy:
    return RosterPolicy(_actor_of(by, event.organization_id), _facts(event), selectors.event_slots(event.pk))


@transaction.atomic
def checklist_template_add(*, event: Event, template: ChecklistTemplate, by: AbstractBaseUser) -> list[ChecklistItem]:
    """Add one template's items to an event (its captain or an owner), e.g. a delivery
    checklist on a charter."""
    if template.organization_id != event.organization_id:
        raise ValidationError("That checklist template belongs to another organization.")
    enforce(_policy(event, by).checklist_add_refusal())
    return checklist_instantiate(event=event, templates=[template])


def checklist_due_refresh(*, event: Event) -> int:
    """Recompute due times after the event's departure or return moved."""
    sun = timing.event_sun_times(event)
    changed = []
    for item in ChecklistItem.objects.filter(event=event).only("pk", "anchor", "offset_minutes", "due_at"):
        due = timing.due_at(event, item.anchor, item.offset_minutes, sun)
        if due != item.due_at:
            item.due_at = due
            changed.append(item)
    if changed:
        ChecklistItem.objects.bulk_update(changed, ["due_at"])
    return len(changed)


class StaleChecklistItem(Conflict):
    """Someone changed the item since the client saw it; `item` is its current state."""

    def __init__(self, message: str, *, item: ChecklistItem):
        super().__init__(message)
        self.item = item


def _parse_version(seen_version: object) -> int:
    try:
        version = int(str(seen_version).strip())
    except (TypeError, ValueError):
        raise ValidationError("The item's version is missing or not a number; reload the page.") from None
    if not 1 <= version <= 2**31 - 1:  # the column's range; beyond it no item ever was
        raise ValidationError("The item's version is missing or not a number; reload the page.")
    return version


def who(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "someone"
    return person_name(user.first_name, user.last_name, user.email, user.get_username())


@transaction.atomic
def checklist_item_update(
    *, item: ChecklistItem, state: str, seen_version: int | str, by: AbstractBaseUser
) -> ChecklistItem:
    """Set an item's state, only if it is still at the version the client saw."""
    if state not in ChecklistItemState.values:
        raise ValidationError(f"{state!r} is not a checklist state. Choose pending, in progress or complete.")
    version = _parse_version(seen_version)
    event = Event.objects.select_related("organization").get(pk=item.event_id)
    enforce(_policy(event, by).checklist_edit_refusal())
    updated = ChecklistItem.objects.filter(pk=item.pk, version=version).update(
        state=state, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    current = ChecklistItem.objects.select_related("updated_by").get(pk=item.pk)
    if not updated:
        when = timezone.localtime(current.updated_at, event.organization.tz) if current.updated_at else None
        changed = f" by {who(current.updated_by)} at {timing.format_clock(when)}" if when else ""
        raise StaleChecklistItem(
            f"“{current.text}” was changed{changed} and is now {current.get_state_display().lower()}. "
            "Your change was not saved: check it and try again.",
            item=current,
        )
    checklist_item_changed.send(sender=ChecklistItem, item=current, by=by)
    return current
