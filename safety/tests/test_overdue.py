"""The overdue chain: at "no later than" the captain and first mate; 15 minutes later the
shore contacts and the owner too, and everyone every 15 minutes until someone acknowledges.
Each step once, never held by quiet hours, no unsubscribing."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from charterops.models import OutboundEmail
from charterops.tests.factories import make_owner
from events.models import Event, Nudge, NudgeStatus
from events.nudges import nudge_opt_out, nudges_sweep
from safety.models import FloatPlan
from safety.nudges import OVERDUE
from safety.services import ack_token
from safety.tests.helpers import start

KIND = OVERDUE.name
CREW = {"dana.queenofsandiego@example.com", "riley.queenofsandiego@example.com"}
ASHORE = {"office@qsd.example", "pat@qsd.example"}
OWNER = "olivia-owner@example.com"


@pytest.fixture
def at_sea(charter, captain, owner):
    start(charter, captain)
    return FloatPlan.objects.select_related("event").get(event=charter)


def sweep_at(capture, moment):
    mail.outbox.clear()
    with capture(execute=True):
        nudges_sweep(now=moment, kinds=[KIND])
    return {address for message in mail.outbox for address in message.to}


def test_who_gets_what_at_0_15_and_30_minutes(at_sea, owner, django_capture_on_commit_callbacks):
    assert owner.email == OWNER
    nlt = at_sea.no_later_than

    assert sweep_at(django_capture_on_commit_callbacks, nlt - timedelta(minutes=1)) == set()
    assert sweep_at(django_capture_on_commit_callbacks, nlt) == CREW
    assert sweep_at(django_capture_on_commit_callbacks, nlt + timedelta(minutes=7)) == set()  # step 0 sent already
    assert sweep_at(django_capture_on_commit_callbacks, nlt + timedelta(minutes=15)) == CREW | ASHORE | {OWNER}
    assert sweep_at(django_capture_on_commit_callbacks, nlt + timedelta(minutes=30)) == CREW | ASHORE | {OWNER}

    assert Nudge.objects.filter(kind=KIND, due_at=nlt).count() == 2
    assert Nudge.objects.filter(kind=KIND, due_at=nlt + timedelta(minutes=30)).count() == 5


def test_the_alert_says_what_to_do_and_carries_an_acknowledge_link(at_sea, django_capture_on_commit_callbacks):
    sweep_at(django_capture_on_commit_callbacks, at_sea.no_later_than + timedelta(minutes=15))
    message = next(m for m in mail.outbox if m.to == ["office@qsd.example"])
    assert message.subject.startswith("OVERDUE: Queen not back — 2 aboard")
    assert "Coast Guard sector: (619) 278-7033" in message.body
    assert "/safety/overdue/" in message.body
    assert "The float plan as last filed" in message.body
    assert "MMSI: 367123450" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Unsubscribe" not in message.body
    assert "1234.56" not in message.body


def test_acknowledging_records_who_and_when_and_stops_the_repeats(at_sea, django_capture_on_commit_callbacks):
    nlt = at_sea.no_later_than
    sweep_at(django_capture_on_commit_callbacks, nlt + timedelta(minutes=15))
    link = f"/safety/overdue/{ack_token(plan=at_sea, recipient='shore:1', name='Harbor Office')}"
    client = Client()

    page = client.get(link)
    assert page.status_code == 200
    assert "acknowledge" in page.content.decode()
    FloatPlan.objects.filter(pk=at_sea.pk, acknowledged_at__isnull=True).get()  # a GET acknowledges nothing
    assert client.post(link).status_code == 200

    plan = FloatPlan.objects.get(pk=at_sea.pk)
    assert plan.acknowledged_at is not None
    assert plan.acknowledged_by == "Harbor Office (shore:1)"
    assert plan.closed_at is None  # the record stays open until the boat is back
    assert sweep_at(django_capture_on_commit_callbacks, nlt + timedelta(minutes=30)) == set()
    assert sweep_at(django_capture_on_commit_callbacks, nlt + timedelta(minutes=45)) == set()


def test_a_forged_or_other_link_is_a_404(db):
    assert Client().get("/safety/overdue/not-a-token").status_code == 404


def test_back_at_the_dock_stops_the_chain(at_sea, captain, django_capture_on_commit_callbacks):
    from safety.services import float_plan_return

    float_plan_return(event=at_sea.event, by=captain.user)
    assert sweep_at(django_capture_on_commit_callbacks, at_sea.no_later_than + timedelta(minutes=15)) == set()


def test_an_extension_moves_the_chain_to_the_new_time(at_sea, captain, django_capture_on_commit_callbacks):
    from safety.services import trip_extend

    old_nlt = at_sea.no_later_than
    trip_extend(event=at_sea.event, return_at=at_sea.event.return_at + timedelta(hours=1), by=captain.user)
    assert sweep_at(django_capture_on_commit_callbacks, old_nlt + timedelta(minutes=15)) == set()
    assert sweep_at(django_capture_on_commit_callbacks, old_nlt + timedelta(hours=1)) == CREW


def test_never_held_by_quiet_hours_nor_switched_off(at_sea, org, django_capture_on_commit_callbacks):
    moment = at_sea.no_later_than + timedelta(minutes=15)
    local = timezone.localtime(moment, org.tz)
    org.quiet_hours_start = (local - timedelta(hours=1)).time().replace(microsecond=0)
    org.quiet_hours_end = (local + timedelta(hours=1)).time().replace(microsecond=0)
    org.save(update_fields=["quiet_hours_start", "quiet_hours_end"])
    assert org.quiet_until(moment) is not None
    Event.objects.filter(pk=at_sea.event_id).update(nudges_enabled=False)

    assert sweep_at(django_capture_on_commit_callbacks, moment) == CREW | ASHORE | {OWNER}
    assert not Nudge.objects.filter(kind=KIND, status=NudgeStatus.HELD).exists()


def test_nobody_can_unsubscribe_from_it(org):
    with pytest.raises(ValueError, match="cannot be unsubscribed"):
        nudge_opt_out(organization_id=org.pk, address="office@qsd.example", kind=KIND)


def test_another_brands_owner_hears_nothing(at_sea, other_owner, django_capture_on_commit_callbacks):
    got = sweep_at(django_capture_on_commit_callbacks, at_sea.no_later_than + timedelta(minutes=15))
    assert other_owner.email not in got


def test_a_deactivated_owner_is_not_alerted(at_sea, org, django_capture_on_commit_callbacks):
    # Who the brand's owners are is owner alerts' one read (events.owner_alerts.owners_by_org).
    former = make_owner(org, "former-owner")
    former.is_active = False
    former.save(update_fields=["is_active"])

    got = sweep_at(django_capture_on_commit_callbacks, at_sea.no_later_than + timedelta(minutes=15))
    assert OWNER in got
    assert former.email not in got


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_sweeps_send_each_step_exactly_once(charter, captain, owner):
    event = charter
    start(event, captain)
    plan = FloatPlan.objects.get(event=event)
    moments = [plan.no_later_than, plan.no_later_than + timedelta(minutes=15)]
    for moment in moments:
        barrier, errors = threading.Barrier(2), []

        def run(moment=moment, barrier=barrier, errors=errors) -> None:
            try:
                barrier.wait()
                nudges_sweep(now=moment, kinds=[KIND])
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
    emails = OutboundEmail.objects.filter(kind=KIND)
    assert emails.count() == 2 + 5
    assert Nudge.objects.filter(kind=KIND).count() == 7
    assert set(Nudge.objects.filter(kind=KIND).values_list("status", flat=True)) == {NudgeStatus.QUEUED}
    assert len([m for m in mail.outbox if m.to == ["office@qsd.example"]]) == 1
