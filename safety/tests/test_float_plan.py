"""The float plan: filed to the shore contacts when the captain starts the charter, with
every part of the USCG form; amended when the return moves; closed when the boat is back."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from charterops.errors import Conflict, Forbidden
from events.models import EventStatus, WebhookEndpoint, WebhookMessage
from events.services import event_update
from guests.tests.factories import make_guest, sign
from safety import services
from safety.models import FloatPlan, FloatPlanFiling
from safety.tests.helpers import board, start

SHORE = ["office@qsd.example", "pat@qsd.example"]


@pytest.fixture
def boarded_charter(charter, captain):
    for name, phone in (("Taylor Guest", "+16195550777"), ("Kid Guest", "")):
        fields = {"email": f"{name.split()[0].lower()}@guests.example", "phone": phone}
        if name == "Kid Guest":
            fields.update(is_minor=True, guardian_name="Parent Guest")
        guest = make_guest(charter, name, **fields)
        sign(guest)
        board(charter, guest, captain.user)
    services.headcount_record(event=charter, headcount=4, by=captain.user)
    services.route_set(event=charter, area="San Diego Bay to Point Loma and back", by=captain.user)
    return charter


def plan_emails():
    return [m for m in mail.outbox if m.to == SHORE]


def test_starting_files_the_float_plan_to_the_shore_contacts_with_every_part(
    boarded_charter, captain, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        start(boarded_charter, captain)

    [email] = plan_emails()
    body = email.body
    assert email.subject == "Float plan — Queen departed, 4 aboard"
    for expected in (
        # The vessel
        "Name: Queen",
        "Registration / documentation no.: CF 1234 AB",
        "Hailing port: San Diego, CA",
        "Type: Sailing sloop",
        "Length: 42.0 ft",
        "Hull colour: White with a blue stripe",
        "Distinguishing features: Tan mainsail, sail number 5150",
        "Radio call sign: WDE1234",
        "MMSI: 367123450",
        "Radios and channels monitored: VHF-DSC, monitoring 16 and 9",
        "EPIRB Cat I 406 MHz; flares 3 handheld, 3 aerial; life jackets 14",
        # The operator, and everyone aboard by name
        "Dana (captain), phone +16195550111",
        "PERSONS ON BOARD: 4",
        "- Dana (Captain), phone +16195550111",
        "- Riley (First mate), phone +16195550222",
        "- Kid Guest (minor)",
        "- Taylor Guest",
        # The trip
        "Departed from: Shelter Island guest dock",
        "Planned area or route: San Diego Bay to Point Loma and back",
        "Expected return:",
        "(the expected return + 60 min)",
        # What to do
        "IF THE BOAT IS OVERDUE",
        "then the first mate on +16195550222",
        "call the Coast Guard sector on (619) 278-7033",
        "Shore contacts: Harbor Office (+16195550100); Pat Ashore",
    ):
        assert expected in body, expected
    # Guests by name only: no guest contact details, and never any money.
    for secret in ("@guests.example", "+16195550777", "1234.56", "1,234", "$"):
        assert secret not in body
    plan = FloatPlan.objects.get(event=boarded_charter)
    assert plan.persons_on_board == 4
    assert plan.no_later_than == boarded_charter.return_at + timedelta(minutes=60)
    [filing] = plan.filings.all()
    assert (filing.kind, filing.number, filing.body_text) == (FloatPlanFiling.Kind.FILED, 1, body)


def test_the_grace_is_the_brands_setting(boarded_charter, captain, org):
    org.overdue_grace_minutes = 30
    org.save(update_fields=["overdue_grace_minutes"])
    start(boarded_charter, captain)
    plan = FloatPlan.objects.get(event=boarded_charter)
    assert plan.no_later_than == boarded_charter.return_at + timedelta(minutes=30)


def test_extending_the_trip_files_an_amended_plan(boarded_charter, captain, django_capture_on_commit_callbacks):
    start(boarded_charter, captain)
    mail.outbox.clear()
    new_return = boarded_charter.return_at + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.trip_extend(event=boarded_charter, return_at=new_return, by=captain.user)

    [email] = plan_emails()
    assert email.subject.startswith("Float plan AMENDED (#2) — Queen, now back by")
    assert "AMENDED FLOAT PLAN (#2)" in email.body
    plan = FloatPlan.objects.get(event=boarded_charter)
    assert plan.expected_return_at == new_return
    assert plan.no_later_than == new_return + timedelta(minutes=60)
    amended = plan.filings.get(number=2)
    assert (amended.kind, amended.by) == (FloatPlanFiling.Kind.AMENDED, captain.user)


def test_a_return_moved_in_the_back_office_amends_the_plan_too(boarded_charter, captain, owner):
    start(boarded_charter, captain)
    event_update(event=boarded_charter, by=owner, return_at=boarded_charter.return_at + timedelta(minutes=30))
    assert FloatPlan.objects.get(event=boarded_charter).filings.filter(kind="amended").count() == 1


def test_only_the_captain_or_an_owner_extends_and_only_at_sea(boarded_charter, captain, first_mate, deckhand):
    later = boarded_charter.return_at + timedelta(hours=1)
    with pytest.raises(Conflict, match="not at sea"):
        services.trip_extend(event=boarded_charter, return_at=later, by=captain.user)
    start(boarded_charter, captain)
    with pytest.raises(Forbidden):
        services.trip_extend(event=boarded_charter, return_at=later, by=first_mate.user)


def test_back_at_the_dock_closes_the_plan_and_tells_the_shore(
    boarded_charter, captain, django_capture_on_commit_callbacks
):
    start(boarded_charter, captain)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        plan = services.float_plan_return(event=boarded_charter, by=captain.user)

    assert plan.returned_at is not None
    assert plan.closed_at is not None
    assert plan.returned_by == captain.user
    [email] = plan_emails()
    assert email.subject == "Float plan closed — Queen is back at the dock"
    assert "No action is needed: this float plan is closed." in email.body
    assert plan.filings.last().kind == FloatPlanFiling.Kind.CLOSED
    with pytest.raises(Conflict):
        services.float_plan_return(event=boarded_charter, by=captain.user)


def test_boarding_and_overdue_reach_webhook_endpoints(
    boarded_charter, captain, org, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        organization=org,
        url="https://hooks.example.com/x",
        event_types=["guest.boarded", "float_plan.overdue"],
        secret="whsec_test",
    )
    guest = make_guest(boarded_charter, "Late Guest")
    board(boarded_charter, guest, captain.user)
    boarded = WebhookMessage.objects.get(event_type="guest.boarded")
    body = json.loads(boarded.deliveries.get().body)
    assert body["data"]["guest"] == {"name": "Late Guest"}
    assert body["data"]["on_hold"] is True

    services.headcount_record(event=boarded_charter, headcount=5, by=captain.user)
    start(boarded_charter, captain, reason="Late guest signs on paper")
    plan = FloatPlan.objects.get(event=boarded_charter)
    now = plan.no_later_than + timedelta(minutes=16)
    assert services.float_plans_overdue_emit(now=now) == 1
    assert services.float_plans_overdue_emit(now=now) == 0  # once per step
    overdue = json.loads(WebhookMessage.objects.get(event_type="float_plan.overdue").deliveries.get().body)
    assert overdue["data"]["escalation_level"] == 1
    assert overdue["data"]["persons_on_board"] == 5
    assert "revenue" not in json.dumps(overdue)


def test_a_plan_is_closed_if_the_office_completes_the_charter_at_sea(boarded_charter, captain, owner):
    from events.services import event_transition

    start(boarded_charter, captain)
    event_transition(event=boarded_charter, to_status=EventStatus.COMPLETED, by=owner)
    assert FloatPlan.objects.get(event=boarded_charter).closed_at is not None
    assert timezone.now() >= FloatPlan.objects.get(event=boarded_charter).closed_at
