"""Checklists: made from templates when an event is created, due times from anchors,
tri-state updates that carry the version the client saw — and who may not change them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from charterops.errors import Conflict, Forbidden
from crew import services
from crew.models import ChecklistItem, ChecklistItemState, ChecklistTemplate, CrewRole
from crew.tests.factories import make_event
from crew.tests.scenarios import BOATSETTER_DEPARTURE, PACIFIC, boatsetter_charter, charter_checklists, seat
from events.models import EventStatus, EventType
from events.services import event_transition, event_update


@pytest.fixture
def event(org):
    charter_checklists(org)
    return boatsetter_charter(org)


@pytest.fixture
def item(event):
    return ChecklistItem.objects.get(event=event, text="Lines and fenders ready")


def test_checklists_are_instantiated_from_the_templates_of_the_event_type(event):
    items = ChecklistItem.objects.filter(event=event).order_by("phase", "position")
    assert [(i.phase, i.position, i.text, i.responsible_role) for i in items] == [
        ("post_return", 1, "Deck washed down", CrewRole.DECKHAND),
        ("pre_departure", 1, "Fuel, water and engine checks logged", CrewRole.FIRST_MATE),
        ("pre_departure", 2, "Safety briefing and life jackets ready", CrewRole.CAPTAIN),
        ("pre_departure", 3, "Lines and fenders ready", CrewRole.DECKHAND),
    ]
    assert {i.state for i in items} == {ChecklistItemState.PENDING}


def test_due_times_come_from_each_items_anchor(event, item):
    assert item.due_at == BOATSETTER_DEPARTURE - timedelta(minutes=15)
    washed = ChecklistItem.objects.get(event=event, text="Deck washed down")
    assert washed.due_at == BOATSETTER_DEPARTURE + timedelta(hours=3, minutes=30)


def test_a_sunset_anchored_item_is_due_relative_to_that_days_sunset(org):
    template = ChecklistTemplate.objects.create(
        organization=org, name="Sunset prep", event_type=EventType.SUNSET_SAIL, phase="pre_departure"
    )
    template.items.create(
        text="Back before dusk planned", responsible_role=CrewRole.CAPTAIN, anchor="sunset", offset_minutes=-60
    )
    event = make_event(org, departure_at=BOATSETTER_DEPARTURE.replace(hour=17), event_type=EventType.SUNSET_SAIL)
    due = ChecklistItem.objects.get(event=event).due_at.astimezone(PACIFIC)
    assert (due.hour, due.minute) == (18, 50)  # sunset 19:50 PDT on 30 May 2024


def test_other_event_types_and_inactive_templates_are_not_copied(org):
    charter_checklists(org)
    ChecklistTemplate.objects.filter(organization=org, phase="post_return").update(active=False)
    assert not ChecklistItem.objects.filter(event=make_event(org, event_type=EventType.DELIVERY)).exists()
    charter = make_event(org, event_type=EventType.CHARTER)
    assert set(ChecklistItem.objects.filter(event=charter).values_list("phase", flat=True)) == {"pre_departure"}


def test_instantiating_twice_adds_nothing(event):
    assert services.checklist_instantiate(event=event) == []
    assert ChecklistItem.objects.filter(event=event).count() == 4


def test_moving_the_departure_moves_the_due_times(event, item):
    event_update(event=event, departure_at=BOATSETTER_DEPARTURE + timedelta(hours=1))
    item.refresh_from_db()
    assert item.due_at == BOATSETTER_DEPARTURE + timedelta(minutes=45)


def test_crew_on_the_event_ticks_an_item_and_it_records_who_and_when(event, item, deckhand):
    seat(event, deckhand)
    updated = services.checklist_item_update(item=item, state="complete", seen_version=1, by=deckhand.user)
    assert (updated.state, updated.version, updated.updated_by) == ("complete", 2, deckhand.user)
    assert updated.updated_at is not None


def test_the_owner_may_change_items(event, item, owner):
    updated = services.checklist_item_update(item=item, state="in_progress", seen_version="1", by=owner)
    assert updated.state == "in_progress"


def test_a_stale_version_is_a_conflict_carrying_the_current_state(event, item, deckhand, captain):
    seat(event, deckhand)
    seat(event, captain, CrewRole.CAPTAIN)
    services.checklist_item_update(item=item, state="complete", seen_version=1, by=captain.user)

    with pytest.raises(services.StaleChecklistItem) as refused:
        services.checklist_item_update(item=item, state="in_progress", seen_version=1, by=deckhand.user)

    assert isinstance(refused.value, Conflict)
    assert refused.value.status == 409
    assert (refused.value.item.state, refused.value.item.version) == ("complete", 2)
    assert "changed by Dana" in refused.value.message
    item.refresh_from_db()
    assert item.state == "complete"


def test_crew_not_on_the_event_cannot_change_its_checklist(event, item, deckhand):
    with pytest.raises(Forbidden, match="Only crew on this event"):
        services.checklist_item_update(item=item, state="complete", seen_version=1, by=deckhand.user)


def test_another_brands_owner_cannot_change_the_checklist(event, item, other_owner):
    with pytest.raises(Forbidden):
        services.checklist_item_update(item=item, state="complete", seen_version=1, by=other_owner)


def test_a_cancelled_events_checklist_is_closed(event, item, deckhand):
    seat(event, deckhand)
    event_transition(event=event, to_status=EventStatus.CANCELLED)
    with pytest.raises(Conflict, match="cancelled"):
        services.checklist_item_update(item=item, state="complete", seen_version=1, by=deckhand.user)


@pytest.mark.parametrize("state", ["done", "", "COMPLETE", None, "complete'; --"])
def test_unknown_states_are_refused(event, item, deckhand, state):
    seat(event, deckhand)
    with pytest.raises(ValidationError, match="not a checklist state"):
        services.checklist_item_update(item=item, state=state, seen_version=1, by=deckhand.user)


@pytest.mark.parametrize("version", ["", "abc", "-1", "0", None, "1.5", "9" * 40])
def test_malformed_versions_are_refused_or_stale(event, item, deckhand, version):
    seat(event, deckhand)
    with pytest.raises((ValidationError, Conflict)):
        services.checklist_item_update(item=item, state="complete", seen_version=version, by=deckhand.user)
    item.refresh_from_db()
    assert item.version == 1
