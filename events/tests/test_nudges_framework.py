"""What every rule gets from the sweep: one record per occurrence, under parallel sweeps too."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from charterops.models import OutboundEmail
from events.models import Event, Nudge, NudgeStatus
from events.nudges import RULES, Due, Kind, Scope, nudge_rule, nudges_sweep
from events.tests.factories import make_event
from events.tests.nudging import la, sweep

NOW = la(2027, 6, 3, 12, 0)


@pytest.fixture
def acted_rule(org):
    """A rule of the kind crew rules will be: one nudge to one person who may just have acted."""
    event = make_event(org, name="Harbor charter", departure_at=NOW + timedelta(days=1))
    state = {"acted_at": None}

    @nudge_rule(Kind("test_acted", "Test nudge"))
    def rule(scope: Scope):
        yield Due(
            event=event,
            recipient="user:1",
            address="dana@example.com",
            name="Dana",
            due_at=NOW - timedelta(minutes=5),
            expires_at=NOW + timedelta(hours=5),
            template="events/emails/nudges/pending_confirmation",
            context={"departure_local": "", "booked_local": "", "vessel": "", "status_label": "", "admin_url": ""},
            acted_at=state["acted_at"],
        )

    yield state
    RULES.pop("test_acted")


@pytest.fixture
def crowd_rule(org):
    """A rule that finds `count` occurrences at once, one per guest of one charter."""
    event = make_event(org, name="Harbor charter", departure_at=NOW + timedelta(days=1))
    state = {"count": 300}

    @nudge_rule(Kind("test_crowd", "Test crowd nudge"))
    def rule(scope: Scope):
        for n in range(state["count"]):
            yield Due(
                event=event,
                recipient=f"guest:{n}",
                address=f"guest{n}@example.com",
                name=f"Guest {n}",
                due_at=NOW - timedelta(minutes=5),
                expires_at=NOW + timedelta(hours=5),
                template="events/emails/nudges/pending_confirmation",
                context={"departure_local": "", "booked_local": "", "vessel": "", "status_label": "", "admin_url": ""},
            )

    yield state
    RULES.pop("test_crowd")


def test_hundreds_found_at_once_are_each_recorded_and_emailed_once(django_capture_on_commit_callbacks, crowd_rule):
    # 300 occurrences: more rows than one SQLite statement can carry, one chunk of the sweep.
    mail.outbox.clear()
    report = sweep(django_capture_on_commit_callbacks, NOW, kinds=["test_crowd"])
    assert report.count(NudgeStatus.QUEUED) == 300
    nudges = Nudge.objects.filter(kind="test_crowd")
    assert nudges.filter(status=NudgeStatus.QUEUED, email__isnull=False).count() == 300
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"guest{n}@example.com" for n in range(300))
    again = sweep(django_capture_on_commit_callbacks, NOW + timedelta(minutes=1), kinds=["test_crowd"])
    assert sum(again.counts.values()) == 0
    assert len(mail.outbox) == 300


@pytest.mark.postgres
def test_a_chunks_statements_are_the_same_for_ten_occurrences_as_for_three_hundred(
    django_assert_num_queries, crowd_rule
):
    # What is recorded; the savepoint, the insert returning what it made, opt-outs and
    # suppressions, the emails, the UPDATE joining nudges to them, its release; the held
    # nudges to release (none).
    for count in (10, 300):
        crowd_rule["count"] = count
        with django_assert_num_queries(8):  # the sending, after commit, is the outbox's
            nudges_sweep(now=NOW, kinds=["test_crowd"])
        assert Nudge.objects.filter(kind="test_crowd", status=NudgeStatus.QUEUED).count() == count
        Nudge.objects.filter(kind="test_crowd").delete()
        OutboundEmail.objects.filter(kind="test_crowd").delete()


def test_nobody_is_nudged_about_what_they_just_did(django_capture_on_commit_callbacks, acted_rule):
    acted_rule["acted_at"] = NOW - timedelta(minutes=3)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, NOW, kinds=["test_acted"])
    assert mail.outbox == []
    assert Nudge.objects.get(kind="test_acted").reason == "They had just acted on it."


def test_someone_who_acted_long_ago_is_nudged(django_capture_on_commit_callbacks, acted_rule):
    acted_rule["acted_at"] = NOW - timedelta(hours=3)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, NOW, kinds=["test_acted"])
    assert len(mail.outbox) == 1


def test_an_unknown_kind_is_refused_with_the_known_ones_named():
    with pytest.raises(ValueError, match=r"unknown nudge kind.*guest_on_hold"):
        nudges_sweep(now=NOW, kinds=["digest"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_run_in_parallel_records_and_emails_each_occurrence_once(org, owner):
    events = [make_event(org, name=f"Charter {i}", departure_at=NOW + timedelta(days=3)) for i in range(40)]
    Event.objects.filter(pk__in=[e.pk for e in events]).update(created_at=NOW - timedelta(hours=80))
    barrier, errors = threading.Barrier(4), []

    def run() -> None:
        try:
            barrier.wait()
            nudges_sweep(now=NOW)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Nudge.objects.filter(kind="owner_pending_confirmation").count() == 40
    assert set(Nudge.objects.values_list("status", flat=True)) == {NudgeStatus.QUEUED}
    emails = OutboundEmail.objects.filter(kind="owner_pending_confirmation")
    assert emails.count() == 40
    # Eager here: every email was sent by whichever sweep committed it, once.
    assert len([m for m in mail.outbox if m.to == [owner.email]]) == 40


def test_send_nudges_prints_what_it_would_send_and_then_sends_it(org, owner, capsys):
    event = make_event(org, name="Harbor charter", departure_at=NOW + timedelta(days=3))
    Event.objects.filter(pk=event.pk).update(created_at=NOW - timedelta(hours=73))
    call_command("send_nudges", "--dry-run", "--now", NOW.isoformat(), "--kind", "owner_pending_confirmation")
    out = capsys.readouterr().out
    first, last = out.strip().splitlines()
    assert first.startswith("email    owner_pending_confirmation")
    assert f"Harbor charter → {owner.email} <{owner.email}>" in first
    assert last == "Dry run, nothing written: would be 1 emailed, 0 held for quiet hours, 0 skipped."
    assert not Nudge.objects.exists()

    call_command("send_nudges", "--now", NOW.isoformat())
    out = capsys.readouterr().out
    assert "emailed  owner_pending_confirmation" in out
    assert out.strip().endswith("1 emailed (1 emails), 0 held for quiet hours, 0 skipped.")
    assert Nudge.objects.get().status == NudgeStatus.QUEUED


def test_send_nudges_refuses_a_time_without_offset_and_an_unknown_kind():
    with pytest.raises(CommandError, match="needs a UTC offset"):
        call_command("send_nudges", "--now", "2027-06-03T12:00:00")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("send_nudges", "--kind", "digest")


@pytest.mark.parametrize("unsubscribable", [True, False])
def test_a_wrapper_rendered_once_per_brand_and_kind_makes_the_same_email(org, owner, unsubscribable):
    from events.nudges import nudge_email

    event = make_event(org, name="Harbor <charter> & co", departure_at=la(2027, 6, 5, 10, 0))
    kind = Kind("test_wrapped", "Wrapped", safety_critical=not unsubscribable, description="tests")
    dues = [
        Due(
            event=event,
            recipient=f"user:{n}",
            address=f"o{n}@example.com",
            name="Olivia",
            due_at=event.departure_at,
            expires_at=event.departure_at,
            template="events/emails/nudges/pending_confirmation",
            context={
                "departure_local": "Sat 5 Jun 2027, 10:00",
                "booked_local": "Thu 3 Jun 2027, 09:00",
                "vessel": "Queen",
                "status_label": "Pending confirmation",
                "admin_url": "https://ops.example.com/admin/",
            },
        )
        for n in range(2)
    ]
    wrappers: dict = {}
    for due in dues:
        direct = nudge_email(kind, [due], key="k")
        once = nudge_email(kind, [due], key="k", wrappers=wrappers)
        assert (once.text, once.html, once.headers) == (direct.text, direct.html, direct.headers)
    assert len(wrappers) == 1
