"""Guests on hold get their own signing link again 48 h and 24 h before departure (time frozen)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charterops.models import OutboundEmail, SuppressedAddress
from events.models import Event, Nudge, NudgeOptOut, NudgeStatus
from events.nudges import nudges_sweep
from events.tests.factories import make_event
from events.tests.nudging import la, nudge_of, sent_to, sweep
from guests.brand import public_title
from guests.models import GuestPage
from guests.tests.factories import make_guest, make_waiver, sign

KIND = "guest_on_hold"
# Saturday 5 June 2027, 10:00 in San Diego (17:00 UTC); 48 h before is Thursday 10:00.
DEPARTURE = la(2027, 6, 5, 10, 0)


@pytest.fixture
def charter(org):
    make_waiver(org)
    event = make_event(
        org, name="Harbor charter", departure_at=DEPARTURE, location="Shelter Island", revenue={"gross": "8417.93"}
    )
    return event


def on_hold(event, name: str, *, added=DEPARTURE - timedelta(days=7), **fields):
    guest = make_guest(event, name, **fields)
    type(guest).objects.filter(pk=guest.pk).update(created_at=added)
    guest.refresh_from_db()
    return guest


@pytest.fixture
def ann(charter):
    return on_hold(charter, "Ann Lee", email="ann@example.com")


def test_nothing_is_due_before_the_48_hour_mark(django_capture_on_commit_callbacks, ann):
    mail.outbox.clear()
    report = sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=48, minutes=1))
    assert report.outcomes == []
    assert not Nudge.objects.exists()


def test_at_48_and_24_hours_the_guest_gets_their_own_link_once_each(django_capture_on_commit_callbacks, charter, ann):
    bob = on_hold(charter, "Bob Ray", email="bob@example.com")
    mail.outbox.clear()
    at_48 = DEPARTURE - timedelta(hours=48)  # Thursday 10:00: outside quiet hours
    sweep(django_capture_on_commit_callbacks, at_48)
    sweep(django_capture_on_commit_callbacks, at_48 + timedelta(minutes=1))  # the next beat
    [to_ann] = sent_to("ann@example.com")
    # The guests' name for the charter, never its internal one.
    assert to_ann.subject == f"Reminder: please sign your waiver for {public_title(charter)}"
    assert charter.name not in to_ann.subject + to_ann.body
    assert ann.signing_url in to_ann.body
    assert bob.signing_url not in to_ann.body  # their own link only
    assert "8417.93" not in to_ann.body + to_ann.alternatives[0][0]  # never revenue
    assert len(sent_to("bob@example.com")) == 1

    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24))
    assert len(sent_to("ann@example.com")) == 2
    nudges = Nudge.objects.filter(kind=KIND, recipient=f"guest:{ann.pk}").order_by("due_at")
    assert [n.due_at for n in nudges] == [DEPARTURE - timedelta(hours=48), DEPARTURE - timedelta(hours=24)]
    assert all(n.outcome == OutboundEmail.Status.SENT for n in nudges)


def test_a_guest_who_signed_gets_nothing(django_capture_on_commit_callbacks, ann):
    sign(ann)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24))
    assert mail.outbox == []


def test_a_guest_with_no_address_or_an_event_already_started_gets_nothing(django_capture_on_commit_callbacks, charter):
    on_hold(charter, "No Mail", email="")
    charter.status = "in_progress"
    charter.save(update_fields=["status"])
    assert sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=3)).outcomes == []


def test_a_guest_added_after_a_reminders_moment_does_not_get_it(django_capture_on_commit_callbacks, charter):
    # The late booking: added 10 hours before departure, the waiver request was their ask.
    late = on_hold(charter, "Late Lou", email="lou@example.com", added=DEPARTURE - timedelta(hours=10))
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=9))
    assert sent_to(late.email) == []
    # Added between the two moments: only the 24 h reminder.
    mid = on_hold(charter, "Mid Mo", email="mo@example.com", added=DEPARTURE - timedelta(hours=30))
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24))
    assert [n.due_at for n in Nudge.objects.filter(recipient=f"guest:{mid.pk}")] == [DEPARTURE - timedelta(hours=24)]


def test_a_missed_beat_sends_what_is_still_useful_once_and_records_the_rest_skipped(
    django_capture_on_commit_callbacks, ann
):
    mail.outbox.clear()
    # Beat was down from before the 48 h mark until 20 hours before departure.
    report = sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=20))
    assert report.summary() == "1 emailed (1 emails), 0 held for quiet hours, 1 skipped"
    missed = nudge_of(KIND, due_at=DEPARTURE - timedelta(hours=48))
    assert missed.status == NudgeStatus.SKIPPED
    assert missed.reason == "Missed: found after the moment it was useful."
    assert nudge_of(KIND, due_at=DEPARTURE - timedelta(hours=24)).outcome == "sent"
    assert len(sent_to("ann@example.com")) == 1


def test_the_last_reminder_is_not_sent_in_the_last_two_hours(django_capture_on_commit_callbacks, ann):
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=1, minutes=59))
    assert mail.outbox == []
    assert set(Nudge.objects.values_list("status", flat=True)) == {NudgeStatus.SKIPPED}


def test_quiet_hours_hold_a_reminder_until_7_and_it_goes_if_still_on_hold(django_capture_on_commit_callbacks, org):
    make_waiver(org)
    late_evening = la(2027, 6, 5, 22, 30)  # departs 22:30: its 24 h mark falls in quiet hours
    event = make_event(org, name="Moonlight sail", departure_at=late_evening)
    ann = on_hold(event, "Ann Lee", email="ann@example.com", added=late_evening - timedelta(days=7))
    mail.outbox.clear()
    report = sweep(django_capture_on_commit_callbacks, late_evening - timedelta(hours=24))
    assert report.count(NudgeStatus.HELD) == 1
    held = nudge_of(KIND, recipient=f"guest:{ann.pk}", due_at=late_evening - timedelta(hours=24))
    assert held.release_at == la(2027, 6, 5, 7, 0)
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, la(2027, 6, 5, 6, 59))
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, la(2027, 6, 5, 7, 0))
    assert len(sent_to("ann@example.com")) == 1
    held.refresh_from_db()
    assert held.outcome == "sent"


def test_a_held_reminder_for_a_guest_who_signed_overnight_is_skipped(django_capture_on_commit_callbacks, org):
    make_waiver(org)
    departure = la(2027, 6, 5, 22, 30)
    event = make_event(org, name="Moonlight sail", departure_at=departure)
    ann = on_hold(event, "Ann Lee", email="ann@example.com", added=departure - timedelta(days=7))
    sweep(django_capture_on_commit_callbacks, departure - timedelta(hours=24))
    sign(ann)  # during the night: nobody is nudged about what they just did
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, la(2027, 6, 5, 7, 1))
    assert mail.outbox == []
    skipped = nudge_of(KIND, recipient=f"guest:{ann.pk}", due_at=departure - timedelta(hours=24))
    assert (skipped.status, skipped.reason) == (NudgeStatus.SKIPPED, "No longer due when quiet hours ended.")


def test_a_reminder_that_quiet_hours_would_delay_past_its_use_is_skipped(django_capture_on_commit_callbacks, org):
    make_waiver(org)
    early = la(2027, 6, 6, 5, 0)  # departs 05:00: 24 h before is 05:00, quiet until 07:00
    event = make_event(org, name="Dawn patrol", departure_at=early)
    on_hold(event, "Ann Lee", email="ann@example.com", added=early - timedelta(days=7))
    mail.outbox.clear()
    # Found at 23:00 the night before (beat had been down): by 07:00 it would be too late.
    sweep(django_capture_on_commit_callbacks, la(2027, 6, 5, 23, 0))
    assert mail.outbox == []
    reasons = set(Nudge.objects.values_list("reason", flat=True))
    assert "Quiet hours last past the moment it is useful." in reasons


def test_on_the_day_clocks_spring_forward_48_hours_are_48_real_hours_and_quiet_hours_end_at_7_local(
    django_capture_on_commit_callbacks, org
):
    make_waiver(org)
    # Clocks go forward at 02:00 on Sunday 14 March 2027 in San Diego (PST → PDT).
    departure = la(2027, 3, 15, 21, 0)  # Monday 21:00 PDT = Tuesday 04:00 UTC
    event = make_event(org, name="Spring sail", departure_at=departure)
    ann = on_hold(event, "Ann Lee", email="ann@example.com", added=departure - timedelta(days=7))
    at_48 = departure - timedelta(hours=48)
    assert at_48 == la(2027, 3, 13, 20, 0)  # Saturday 20:00 PST: not 21:00, the night is an hour short
    sweep(django_capture_on_commit_callbacks, at_48)
    assert nudge_of(KIND, recipient=f"guest:{ann.pk}").outcome == "sent"
    # The 24 h mark is Sunday 21:00 PDT: held until Monday 07:00 PDT, which is 14:00 UTC.
    sweep(django_capture_on_commit_callbacks, departure - timedelta(hours=24))
    held = nudge_of(KIND, recipient=f"guest:{ann.pk}", due_at=departure - timedelta(hours=24))
    assert held.status == NudgeStatus.HELD
    assert held.release_at == la(2027, 3, 15, 7, 0)
    assert held.release_at.hour == 14


def test_quiet_hours_on_the_night_clocks_fall_back_end_at_7_local(org):
    # Sunday 7 November 2027, 01:00–02:00 happens twice; 07:00 PST is 15:00 UTC.
    night = la(2027, 11, 6, 23, 0)
    assert org.quiet_until(night) == la(2027, 11, 7, 7, 0)
    assert org.quiet_until(la(2027, 11, 7, 7, 0)) is None
    assert org.quiet_until(la(2027, 11, 7, 6, 59)) == la(2027, 11, 7, 7, 0)
    assert org.quiet_until(la(2027, 11, 7, 20, 59)) is None


def test_a_brand_without_quiet_hours_sends_at_night(django_capture_on_commit_callbacks, org):
    org.quiet_hours_start = org.quiet_hours_end
    org.save()
    make_waiver(org)
    departure = la(2027, 6, 5, 23, 0)
    event = make_event(org, name="Night sail", departure_at=departure)
    on_hold(event, "Ann Lee", email="ann@example.com", added=departure - timedelta(days=7))
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, departure - timedelta(hours=24))
    assert len(sent_to("ann@example.com")) == 1


def test_an_unsubscribed_guest_and_an_event_with_nudges_off_are_skipped_and_it_shows(
    django_capture_on_commit_callbacks, org, charter, ann
):
    NudgeOptOut.objects.create(organization=org, address="ann@example.com", kind=KIND)
    other = make_event(org, name="Quiet one", departure_at=DEPARTURE, nudges_enabled=False)
    cy = on_hold(other, "Cy Dee", email="cy@example.com")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24))
    assert mail.outbox == []
    at_24 = DEPARTURE - timedelta(hours=24)
    assert nudge_of(KIND, recipient=f"guest:{ann.pk}", due_at=at_24).reason == "Unsubscribed from these."
    assert nudge_of(KIND, recipient=f"guest:{cy.pk}", due_at=at_24).reason == "Nudges are switched off for this event."


def test_an_address_that_bounced_is_not_nudged(django_capture_on_commit_callbacks, ann):
    SuppressedAddress.objects.create(address="ann@example.com", reason="bounced", at=timezone.now())
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24))
    assert mail.outbox == []
    at_24 = DEPARTURE - timedelta(hours=24)
    assert nudge_of(KIND, recipient=f"guest:{ann.pk}", due_at=at_24).reason == "The address bounced (SES)."


def test_every_reminder_carries_a_one_click_unsubscribe_for_that_kind(django_capture_on_commit_callbacks, ann):
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24))
    [message] = sent_to("ann@example.com")
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http")
    assert "/n/unsubscribe/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") in message.body


def test_a_dry_run_writes_and_sends_nothing(django_capture_on_commit_callbacks, ann):
    mail.outbox.clear()
    report = sweep(django_capture_on_commit_callbacks, DEPARTURE - timedelta(hours=24), dry_run=True)
    assert report.count(NudgeStatus.QUEUED) == 1
    assert not Nudge.objects.exists()
    assert mail.outbox == []


def test_the_sweep_twice_at_the_same_moment_records_each_occurrence_once(ann):
    at = DEPARTURE - timedelta(hours=24)
    first, second = nudges_sweep(now=at), nudges_sweep(now=at)
    assert (len(first.outcomes), len(second.outcomes)) == (2, 0)
    assert Nudge.objects.count() == 2
    assert OutboundEmail.objects.filter(kind=KIND).count() == 1


def test_the_reminders_queries_are_the_same_for_one_charter_as_for_five(org):
    """Each charter's guest-page title is read with the events, not one query per charter."""
    make_waiver(org)
    at_24 = DEPARTURE - timedelta(hours=24)
    counted = []
    for count in (1, 5):
        for n in range(count):
            event = make_event(org, name=f"Charter {count}-{n}", departure_at=DEPARTURE + timedelta(minutes=n))
            GuestPage.objects.create(organization=org, event=event, public_title=f"Sunset sail {count}-{n}")
            on_hold(event, f"Guest {count}-{n}", email=f"guest{count}-{n}@example.com")
        with CaptureQueriesContext(connection) as queries:
            nudges_sweep(now=at_24, kinds=[KIND])
        counted.append(len(queries.captured_queries))
        assert {e.subject for e in OutboundEmail.objects.filter(kind=KIND)} == {
            f"Reminder: please sign your waiver for Sunset sail {count}-{n}" for n in range(count)
        }
        Event.objects.filter(organization=org).delete()
        OutboundEmail.objects.filter(kind=KIND).delete()
    assert counted[0] == counted[1]
