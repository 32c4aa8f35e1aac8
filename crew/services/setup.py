"""A new event's crew side: its seats and its checklists (what a booking calls once)."""

from django.db import transaction

from events.models import Event

from .checklists import checklist_instantiate
from .roster import DEFAULT_DECKHAND_SLOTS, role_slots_create


@transaction.atomic
def event_crew_setup(*, event: Event, deckhands: int = DEFAULT_DECKHAND_SLOTS) -> None:
    """Give a new event its role slots (a captain, a first mate, `deckhands` deckhands) and
    the active checklists of its type."""
    role_slots_create(event=event, deckhands=deckhands)
    checklist_instantiate(event=event)
