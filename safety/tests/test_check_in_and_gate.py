"""Boarding check-in and the one start gate: every boarded guest signed (a minor through a
guardian), nobody left on the dock, the heads counted match the persons on board — or the
captain overrides with a reason, recorded."""

import pytest
from django.core import mail

from charterops.errors import Conflict, Forbidden
from crew.models import RoleSlot
from events.models import EventStatus, EventTransition
from guests.models import Guest
from guests.tests.factories import make_guest, sign
from safety import services
from safety.models import CheckIn, FloatPlan
from safety.selectors import start_check
from safety.tests.helpers import board, start


def test_pob_is_boarded_guests_plus_crew_on_the_roster(charter, captain):
    taylor, jordan = make_guest(charter, "Taylor Guest"), make_guest(charter, "Jordan Guest")
    make_guest(charter, "Sam Late")
    board(charter, taylor, captain.user)
    board(charter, jordan, captain.user)

    check = start_check(organization_id=charter.organization_id, event_id=charter.pk)

    assert (len(check.boarded), len(check.crew), check.pob) == (2, 2, 4)
    assert check.pob_text == "4 aboard (2 guests + 2 crew)"
    assert [line.name for line in check.not_boarded] == ["Sam Late"]


def test_a_tap_off_again_takes_the_guest_out_of_the_count(charter, captain):
    guest = make_guest(charter)
    done = board(charter, guest, captain.user)
    services.check_in_set(event=charter, guest=guest, boarded=False, seen_version=done.version, by=captain.user)
    assert start_check(organization_id=charter.organization_id, event_id=charter.pk).pob == 2


def test_a_tap_on_a_version_someone_else_changed_is_a_conflict_naming_them(charter, captain, first_mate):
    guest = make_guest(charter, "Taylor Guest")
    board(charter, guest, first_mate.user)  # the mate tapped first; the captain's page still says 0
    with pytest.raises(services.StaleCheckIn, match="Taylor Guest was marked aboard by Riley"):
        services.check_in_set(event=charter, guest=guest, boarded=False, seen_version=0, by=captain.user)
    assert CheckIn.objects.get(guest=guest).boarded


def test_the_first_mate_checks_in_but_a_deckhand_cannot(charter, first_mate, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    guest = make_guest(charter)
    board(charter, guest, first_mate.user)
    with pytest.raises(Forbidden, match="captain, the first mate or an owner"):
        services.check_in_set(event=charter, guest=guest, boarded=False, seen_version=1, by=deckhand.user)


def test_outsider_cannot_check_in_a_guest_of_another_brand(charter, outsider):
    guest = make_guest(charter)
    with pytest.raises(Forbidden):
        services.check_in_set(event=charter, guest=guest, boarded=True, seen_version=0, by=outsider.user)


def test_a_walk_up_guest_is_added_aboard_and_emailed_the_waiver_link(
    charter, captain, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guest = services.walk_up_add(
            event=charter, name="Walk Up", email="walk@example.com", phone="+16195550999", by=captain.user
        )

    assert CheckIn.objects.get(guest=guest).boarded
    assert CheckIn.objects.get(guest=guest).walk_up
    sent = [m for m in mail.outbox if m.to == ["walk@example.com"]]
    assert len(sent) == 1
    assert guest.signing_url in sent[0].body
    check = start_check(organization_id=charter.organization_id, event_id=charter.pk)
    assert [line.name for line in check.unsigned] == ["Walk Up"]


def test_a_walk_up_needs_a_name_and_a_way_to_reach_them(charter, captain):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="name"):
        services.walk_up_add(event=charter, name=" ", email="a@example.com", by=captain.user)
    with pytest.raises(ValidationError, match="email or a phone"):
        services.walk_up_add(event=charter, name="No Contact", by=captain.user)
    with pytest.raises(ValidationError, match="guardian"):
        services.walk_up_add(event=charter, name="Kid", phone="+1619", is_minor=True, by=captain.user)
    assert not Guest.objects.filter(event=charter).exists()


def test_start_refused_naming_who_is_missing(charter, captain):
    signed, unsigned = make_guest(charter, "Taylor Guest"), make_guest(charter, "Jordan Guest")
    sign(signed)
    make_guest(charter, "Sam Late")
    board(charter, signed, captain.user)
    board(charter, unsigned, captain.user)

    with pytest.raises(Conflict) as refused:
        start(charter, captain)

    message = refused.value.message
    assert "waiver not signed: Jordan Guest" in message
    assert "not checked in: Sam Late" in message
    assert "no headcount recorded (the check-in says 4 aboard (2 guests + 2 crew))" in message
    charter.refresh_from_db()
    assert charter.status == EventStatus.CONFIRMED


def test_start_refused_when_the_headcount_does_not_match(charter, captain):
    guest = make_guest(charter)
    sign(guest)
    board(charter, guest, captain.user)
    services.headcount_record(event=charter, headcount=4, by=captain.user)
    with pytest.raises(Conflict, match="the headcount is 4 but the check-in says 3 aboard"):
        start(charter, captain)


def test_start_goes_ahead_when_everyone_aboard_signed_and_the_count_matches(charter, captain):
    guest = make_guest(charter)
    sign(guest)
    board(charter, guest, captain.user)
    services.headcount_record(event=charter, headcount=3, by=captain.user)

    start(charter, captain)

    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    assert FloatPlan.objects.get(event=charter).start_override == ""


def test_a_minor_is_cleared_by_a_guardians_signature(charter, captain):
    minor = make_guest(charter, "Kid Guest", is_minor=True, guardian_name="Parent Guest")
    board(charter, minor, captain.user)
    services.headcount_record(event=charter, headcount=3, by=captain.user)
    with pytest.raises(Conflict, match=r"waiver not signed: Kid Guest \(minor: a guardian signs\)"):
        start(charter, captain)

    signature = sign(minor)

    assert signature.signer == "guardian"
    start(charter, captain)
    assert charter.status == EventStatus.IN_PROGRESS


def test_the_captain_overrides_only_with_a_reason_and_it_is_recorded(charter, captain):
    guest = make_guest(charter, "Jordan Guest")
    board(charter, guest, captain.user)

    start(charter, captain, reason="Guardian signed on paper at the dock")

    last = EventTransition.objects.filter(event=charter).last()
    assert (last.to_status, last.by, last.reason) == (
        EventStatus.IN_PROGRESS,
        captain.user,
        "Guardian signed on paper at the dock",
    )
    plan = FloatPlan.objects.get(event=charter)
    assert plan.start_override == "Guardian signed on paper at the dock"
    assert "waiver not signed: Jordan Guest" in plan.start_missing


def test_an_override_flag_without_a_reason_is_refused(charter, owner):
    from events.services import event_transition

    make_guest(charter)
    with pytest.raises(Conflict, match="needs a reason"):
        event_transition(event=charter, to_status=EventStatus.IN_PROGRESS, by=owner, override=True, reason="  ")


def test_a_deckhand_cannot_override(charter, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    make_guest(charter)
    with pytest.raises(Forbidden):
        start(charter, deckhand, reason="I say so")


def test_a_charter_without_guests_starts_on_its_crew_alone(charter, captain):
    start(charter, captain)
    assert FloatPlan.objects.get(event=charter).persons_on_board == 2


def test_cancelling_is_never_gated(charter, owner):
    from events.services import event_transition

    make_guest(charter)
    event_transition(event=charter, to_status=EventStatus.CANCELLED, by=owner)


def test_the_check_in_closes_once_the_boat_has_left(charter, captain):
    start(charter, captain)
    guest = make_guest(charter)
    with pytest.raises(Conflict, match="has left the dock"):
        board(charter, guest, captain.user)
