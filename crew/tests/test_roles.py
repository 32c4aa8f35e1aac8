"""Role slots: claim, release, designate, acknowledge — and who may not."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from charterops.errors import Conflict, Forbidden
from crew import services
from crew.models import CrewRole, RoleClaim, RoleSlot
from crew.policy import ReplacementUnconfirmed
from crew.services import CrewAssignment
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import seat, slot
from events.models import EventStatus
from events.services import event_transition


@pytest.fixture
def event(org):
    return make_event(org, deckhand_slots=1)


def actions(event) -> list[tuple[str, str]]:
    return list(
        RoleClaim.objects.filter(slot__event=event)
        .order_by("at", "pk")
        .values_list("action", "crew_member__user__first_name")
    )


def test_deckhand_claims_an_open_slot_and_it_is_recorded(event, deckhand):
    claimed = services.role_claim(slot=slot(event), crew_member=deckhand)

    assert claimed.holder == deckhand
    assert claimed.acknowledged_at is not None  # claiming is choosing: no separate acknowledgement
    assert actions(event) == [("claim", "Casey")]


def test_second_claim_of_a_taken_slot_is_a_conflict(event, org, deckhand):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    latecomer = make_crew_member(org, "Riley")

    with pytest.raises(Conflict, match="just taken"):
        services.role_claim(slot=slot(event), crew_member=latecomer)
    assert slot(event).holder == deckhand


def test_claiming_a_stale_slot_object_is_still_refused(event, org, deckhand):
    """The check is the conditional UPDATE in the database, not the caller's copy of the row."""
    stale = slot(event)
    services.role_claim(slot=slot(event), crew_member=deckhand)
    with pytest.raises(Conflict):
        services.role_claim(slot=stale, crew_member=make_crew_member(org, "Riley"))


def test_one_role_per_person_per_event(event, captain):
    services.role_claim(slot=slot(event, CrewRole.FIRST_MATE), crew_member=captain)
    with pytest.raises(Conflict, match="already hold the First mate"):
        services.role_claim(slot=slot(event), crew_member=captain)


def test_the_database_refuses_a_second_role_for_the_same_person(event, deckhand):
    seat(event, deckhand, CrewRole.DECKHAND, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleSlot.objects.filter(event=event, role=CrewRole.FIRST_MATE).update(holder=deckhand)


def test_claiming_your_own_slot_again_changes_nothing(event, deckhand):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    services.role_claim(slot=slot(event), crew_member=deckhand)
    assert actions(event) == [("claim", "Casey")]


def test_deckhand_cannot_claim_the_captains_slot(event, deckhand):
    with pytest.raises(Forbidden, match="does not sail as captain"):
        services.role_claim(slot=slot(event, CrewRole.CAPTAIN), crew_member=deckhand)


def test_outsider_cannot_claim_another_brands_slot(event, outsider):
    with pytest.raises(ValidationError, match="another organization"):
        services.role_claim(slot=slot(event), crew_member=outsider)


def test_inactive_crew_cannot_claim(event, deckhand):
    deckhand.active = False
    deckhand.save()
    with pytest.raises(ValidationError, match="no longer active"):
        services.role_claim(slot=slot(event), crew_member=deckhand)


@pytest.mark.parametrize(
    "path",
    [[EventStatus.CANCELLED], [EventStatus.CONFIRMED, EventStatus.IN_PROGRESS, EventStatus.COMPLETED]],
    ids=["cancelled", "completed"],
)
def test_nobody_joins_or_leaves_a_cancelled_or_completed_event(event, deckhand, captain, path):
    seat(event, captain, CrewRole.CAPTAIN)
    for status in path:
        event_transition(event=event, to_status=status)
    with pytest.raises(Conflict, match="can no longer change"):
        services.role_claim(slot=slot(event), crew_member=deckhand)
    with pytest.raises(Conflict, match="can no longer change"):
        services.role_release(slot=slot(event, CrewRole.CAPTAIN), by=captain.user)


def test_deckhand_releases_their_own_slot(event, deckhand):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    released = services.role_release(slot=slot(event), by=deckhand.user)
    assert released.holder is None
    assert actions(event) == [("claim", "Casey"), ("release", "Casey")]


def test_deckhand_cannot_release_someone_else(event, org, deckhand):
    other = make_crew_member(org, "Riley")
    services.role_claim(slot=slot(event), crew_member=other)
    with pytest.raises(Forbidden, match="only your own"):
        services.role_release(slot=slot(event), by=deckhand.user)
    assert slot(event).holder == other


def test_the_events_captain_and_an_owner_may_release_others(event, org, captain, deckhand, owner):
    seat(event, captain, CrewRole.CAPTAIN)
    services.role_claim(slot=slot(event), crew_member=deckhand)
    services.role_release(slot=slot(event), by=captain.user)
    services.role_claim(slot=slot(event), crew_member=deckhand)
    services.role_release(slot=slot(event), by=owner)
    assert slot(event).holder is None


def test_releasing_an_open_slot_is_a_conflict(event, deckhand):
    with pytest.raises(Conflict, match="already open"):
        services.role_release(slot=slot(event), by=deckhand.user)


def test_owner_designates_and_the_designee_must_acknowledge(event, deckhand, owner):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)

    designated = slot(event)
    assert designated.holder == deckhand
    assert designated.acknowledged_at is None
    services.role_acknowledge(slot=designated, crew_member=deckhand)
    assert slot(event).acknowledged_at is not None
    assert actions(event) == [("designate", "Casey"), ("acknowledge", "Casey")]
    assert RoleClaim.objects.get(action="designate").by == owner


def test_the_events_captain_designates(event, org, captain):
    seat(event, captain, CrewRole.CAPTAIN)
    mate = make_crew_member(org, "Riley")
    services.role_designate(slot=slot(event, CrewRole.FIRST_MATE), crew_member=mate, by=captain.user)
    assert slot(event, CrewRole.FIRST_MATE).holder == mate


def test_a_captain_not_on_the_event_cannot_designate(event, captain, deckhand):
    with pytest.raises(Forbidden, match="captain or an owner"):
        services.role_designate(slot=slot(event), crew_member=deckhand, by=captain.user)


def test_deckhand_cannot_designate(event, deckhand, org):
    seat(event, deckhand)
    with pytest.raises(Forbidden):
        services.role_designate(
            slot=slot(event, CrewRole.FIRST_MATE), crew_member=make_crew_member(org, "Riley"), by=deckhand.user
        )


def test_another_brands_owner_cannot_designate(event, deckhand, other_owner):
    with pytest.raises(Forbidden):
        services.role_designate(slot=slot(event), crew_member=deckhand, by=other_owner)


def test_designating_over_a_holder_records_their_release(event, org, deckhand, owner):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    riley = make_crew_member(org, "Riley")
    services.role_designate(slot=slot(event), crew_member=riley, by=owner, replace=True)
    assert actions(event) == [("claim", "Casey"), ("release", "Casey"), ("designate", "Riley")]


def test_designating_over_a_holder_without_confirming_replaces_nobody(event, org, deckhand, owner):
    services.role_claim(slot=slot(event), crew_member=deckhand)
    with pytest.raises(ReplacementUnconfirmed, match=r"Casey holds the Deckhand 1 slot\. Confirm to replace them"):
        services.role_designate(slot=slot(event), crew_member=make_crew_member(org, "Riley"), by=owner)
    assert slot(event).holder == deckhand
    assert actions(event) == [("claim", "Casey")]


def test_only_the_holder_acknowledges(event, org, deckhand, owner):
    services.role_designate(slot=slot(event), crew_member=deckhand, by=owner)
    with pytest.raises(Forbidden, match="Only the person in this role"):
        services.role_acknowledge(slot=slot(event), crew_member=make_crew_member(org, "Riley"))


def test_event_is_confirmed_when_every_slot_is_filled_and_acknowledged(event, org, captain, deckhand, owner):
    mate = make_crew_member(org, "Riley")
    services.role_designate(slot=slot(event, CrewRole.CAPTAIN), crew_member=captain, by=owner)
    services.role_designate(slot=slot(event, CrewRole.FIRST_MATE), crew_member=mate, by=owner)
    services.role_claim(slot=slot(event), crew_member=deckhand)
    services.role_acknowledge(slot=slot(event, CrewRole.CAPTAIN), crew_member=captain)
    event.refresh_from_db()
    assert event.status == EventStatus.PENDING_CONFIRMATION  # the mate has not acknowledged yet

    services.role_acknowledge(slot=slot(event, CrewRole.FIRST_MATE), crew_member=mate)

    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED
    assert event.transitions.get().by == mate.user


def test_owner_confirms_before_the_crew_is_complete(event, owner):
    services.event_confirm(event=event, by=owner)
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED


def test_crew_cannot_confirm_an_event(event, captain):
    with pytest.raises(Forbidden):
        services.event_confirm(event=event, by=captain.user)


def test_event_created_with_crew_designates_them(org, captain, deckhand, owner):
    event = make_event(
        org,
        by=owner,
        deckhand_slots=3,
        crew=[CrewAssignment("captain", captain), CrewAssignment("deckhand", deckhand)],
    )
    holders = dict(RoleSlot.objects.filter(event=event, holder__isnull=False).values_list("role", "holder"))
    assert holders == {CrewRole.CAPTAIN: captain.pk, CrewRole.DECKHAND: deckhand.pk}
    assert RoleSlot.objects.filter(event=event, role=CrewRole.DECKHAND).count() == 3


def test_event_created_with_an_unknown_role_is_refused(org, deckhand):
    with pytest.raises(ValidationError, match="not a crew role"):
        make_event(org, crew=[CrewAssignment("purser", deckhand)])


def test_two_captains_for_one_slot_are_refused(org, captain):
    second = make_crew_member(org, "Morgan", captain=True)
    crew = [CrewAssignment("captain", captain), CrewAssignment("captain", second)]
    with pytest.raises(ValidationError, match="no open captain slot"):
        make_event(org, crew=crew)


@pytest.mark.parametrize("deckhands", [-1, 21, "3", True])
def test_deckhand_slots_out_of_range_are_refused(org, deckhands):
    with pytest.raises(ValidationError, match="between 0 and 20"):
        make_event(org, deckhand_slots=deckhands)
