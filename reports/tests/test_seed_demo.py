from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from events.models import Event


@pytest.fixture(autouse=True)
def _local_debug(settings):
    settings.DEBUG = True  # seed_demo is a local-debug tool; the test runner turns DEBUG off


def model_counts() -> dict[str, int]:
    # The audit log (Historical* models) records every save, a second run's too.
    return {m._meta.label: m.objects.count() for m in apps.get_models() if not m.__name__.startswith("Historical")}


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_rows():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = model_counts()
    call_command("seed_demo", stdout=StringIO())
    assert model_counts() == first
    assert "login: owner / charterops-demo" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_has_the_boatsetter_reference_charter():
    call_command("seed_demo", stdout=StringIO())
    event = Event.objects.get(organization__slug="queenofsandiego", slug="boatsetter-may-30-2024")
    local_departure = event.local(event.departure_at)
    assert (local_departure.date().isoformat(), local_departure.hour) == ("2024-05-30", 10)
    assert event.local(event.return_at).hour == 13
    assert event.source == "boatsetter"
    assert (event.revenue.captain_fee, event.revenue.crew_wages, event.revenue.port_fees) == (
        Decimal("150.00"),
        Decimal("250.00"),
        Decimal("151.34"),
    )


@pytest.mark.django_db
def test_seed_demo_gives_every_brand_current_events_and_crew():
    call_command("seed_demo", stdout=StringIO())
    from charterops.models import Organization

    slugs = set(Organization.objects.values_list("slug", flat=True))
    assert slugs == {"jada", "queenofsandiego", "quickdumpnow", "dangerouscentaur"}
    for org in Organization.objects.all():
        assert Event.objects.for_org(org).upcoming().count() >= 3
        assert org.crew_members.count() >= 4
        assert str(org.latitude) == "32.7157"
        assert org.time_zone == "America/Los_Angeles"


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(SystemExit):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_seed_demo_publishes_the_boatsetter_guest_page(client):
    call_command("seed_demo", stdout=StringIO())
    response = client.get("/g/boatsetter-may-30-2024")
    assert response.status_code == 200
    html = b"".join(response.streaming_content).decode()
    assert "Charter with Queen of San Diego" in html  # its public title ("Boatsetter charter" is internal)
    assert "Taylor Guest" not in html  # a public page names no guest
    assert "840.78" not in html  # the reference gross never reaches a guest


@pytest.mark.django_db
def test_seed_demo_has_a_charter_at_sea_whose_overdue_alert_and_return_work(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from charterops.models import OutboundEmail
    from crew.models import CrewRole, RoleSlot
    from events.models import EventStatus
    from events.nudges import nudges_sweep
    from safety.models import FloatPlan
    from safety.services import float_plan_return

    call_command("seed_demo", stdout=StringIO())
    event = Event.objects.get(organization__slug="queenofsandiego", slug="at-sea-demo")
    assert event.status == EventStatus.IN_PROGRESS
    plan = FloatPlan.objects.get(event=event)
    assert plan.persons_on_board == 5
    assert plan.start_override == ""  # everyone signed and the count matched
    filed = OutboundEmail.objects.get(kind="float_plan_filed", organization__slug="queenofsandiego")
    assert filed.to == ["harbor@queenofsandiego.com", "shore@queenofsandiego.com"]
    # The history's sailed charters filed no float plan email.
    assert OutboundEmail.objects.filter(kind="float_plan_filed").count() == 1

    FloatPlan.objects.filter(pk=plan.pk).update(no_later_than=timezone.now() - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        nudges_sweep(kinds=["float_plan_overdue"])
    assert OutboundEmail.objects.filter(kind="float_plan_overdue").count() == 5  # captain, mate, 2 ashore, owner

    captain = RoleSlot.objects.get(event=event, role=CrewRole.CAPTAIN).holder
    float_plan_return(event=event, by=captain.user)
    assert FloatPlan.objects.get(pk=plan.pk).closed_at is not None
