import itertools

import pytest

from charterops.errors import Conflict
from events.models import ALLOWED_TRANSITIONS, EventStatus, EventTransition
from events.services import event_transition
from events.tests.factories import make_event

ALL_MOVES = list(itertools.product(EventStatus.values, EventStatus.values))
ALLOWED = [(a, b) for a, b in ALL_MOVES if b in ALLOWED_TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_MOVES if b not in ALLOWED_TRANSITIONS[a]]

# The shortest path from a new event to each status.
PATH_TO = {
    EventStatus.PENDING_CONFIRMATION: [],
    EventStatus.CONFIRMED: [EventStatus.CONFIRMED],
    EventStatus.IN_PROGRESS: [EventStatus.CONFIRMED, EventStatus.IN_PROGRESS],
    EventStatus.COMPLETED: [EventStatus.CONFIRMED, EventStatus.IN_PROGRESS, EventStatus.COMPLETED],
    EventStatus.CANCELLED: [EventStatus.CANCELLED],
}


def event_in(org, status, by=None):
    event = make_event(org)
    for step in PATH_TO[status]:
        event_transition(event=event, to_status=step, by=by)
    return event


def test_the_lifecycle_table_is_the_design():
    assert ALLOWED_TRANSITIONS == {
        "pending_confirmation": {"confirmed", "cancelled"},
        "confirmed": {"in_progress", "cancelled"},
        "in_progress": {"completed", "cancelled"},
        "completed": set(),
        "cancelled": set(),
    }


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition_moves_and_records_who_and_when(org, owner, from_status, to_status):
    event = event_in(org, from_status, by=owner)

    event_transition(event=event, to_status=to_status, by=owner)

    event.refresh_from_db()
    assert event.status == to_status
    last = EventTransition.objects.filter(event=event).last()
    assert (last.from_status, last.to_status, last.by) == (from_status, to_status, owner)
    assert last.at is not None


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_refused_transition_says_why_and_changes_nothing(org, owner, from_status, to_status):
    event = event_in(org, from_status, by=owner)
    recorded = EventTransition.objects.filter(event=event).count()

    with pytest.raises(Conflict, match=r"Cannot move .* from .* to .*Allowed next"):
        event_transition(event=event, to_status=to_status, by=owner)

    event.refresh_from_db()
    assert event.status == from_status
    assert EventTransition.objects.filter(event=event).count() == recorded


def test_unknown_status_is_a_validation_error(org):
    from django.core.exceptions import ValidationError

    event = make_event(org)
    with pytest.raises(ValidationError, match="is not a status"):
        event_transition(event=event, to_status="sunk")


def test_completed_event_cannot_be_cancelled(org):
    event = event_in(org, EventStatus.COMPLETED)
    with pytest.raises(Conflict, match=r"final state"):
        event_transition(event=event, to_status=EventStatus.CANCELLED)
