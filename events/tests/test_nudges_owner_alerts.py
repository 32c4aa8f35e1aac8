"""Owner alerts (time frozen): a booking still pending after 72 h; a departure not started."""

from datetime import timedelta

from django.core import mail

from events.models import Event, EventStatus, Nudge, NudgeOptOut, NudgeStatus
from events.tests.factories import make_event
from events.tests.nudging import la, nudge_of, sent_to, sweep

BOOKED = la(2027, 6, 1, 9, 0)  # Tuesday 09:00 in San Diego
DEPARTURE = la(2027, 6, 12, 10, 0)


def booked(org, name: str, *, at=BOOKED, departure=DEPARTURE, **fields) -> Event:
    event = make_event(org, name=name, departure_at=departure, revenue={"gross": "8417.93"}, **fields)
    Event.objects.filter(pk=event.pk).update(created_at=at)
    event.refresh_from_db()
    return event


def confirm(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CONFIRMED)


def test_a_booking_still_pending_72_hours_later_alerts_the_brands_owners_only(
    django_capture_on_commit_callbacks, org, owner, other_owner, captain
):
    event = booked(org, "Harbor charter")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, BOOKED + timedelta(hours=71, minutes=59))
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, BOOKED + timedelta(hours=72))
    [alert] = mail.outbox
    assert alert.to == [owner.email]
    assert alert.subject.startswith("Still pending confirmation: Harbor charter")
    assert f"/admin/events/event/{event.pk}/change/" in alert.body
    assert "8417.93" not in alert.body + alert.alternatives[0][0]
    sweep(django_capture_on_commit_callbacks, BOOKED + timedelta(hours=80))
    assert len(mail.outbox) == 1


def test_the_72_hours_are_a_setting(django_capture_on_commit_callbacks, settings, org, owner):
    settings.NUDGE_PENDING_CONFIRMATION_HOURS = 24
    booked(org, "Harbor charter")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, BOOKED + timedelta(hours=24))
    assert len(sent_to(owner.email)) == 1


def test_a_confirmed_booking_raises_no_alert(django_capture_on_commit_callbacks, org, owner):
    confirm(booked(org, "Harbor charter"))
    assert sweep(django_capture_on_commit_callbacks, BOOKED + timedelta(hours=73)).outcomes == []


def test_a_late_booking_departing_before_its_72_hours_gets_no_pending_alert(
    django_capture_on_commit_callbacks, org, owner
):
    booked(org, "Tomorrow's charter", departure=BOOKED + timedelta(hours=30))
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, BOOKED + timedelta(hours=72))
    assert not Nudge.objects.filter(kind="owner_pending_confirmation").exists()


def test_pending_alerts_found_at_night_wait_for_7_and_go_out_as_one_email(
    django_capture_on_commit_callbacks, org, owner
):
    night = la(2027, 6, 1, 22, 0)
    booked(org, "First charter", at=night - timedelta(hours=72))
    booked(org, "Second charter", at=night - timedelta(hours=72, minutes=30))
    mail.outbox.clear()
    report = sweep(django_capture_on_commit_callbacks, night)
    assert report.count(NudgeStatus.HELD) == 2
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, la(2027, 6, 2, 7, 0))
    [batch] = mail.outbox
    assert batch.subject == "2 × Booking still pending confirmation — Queen of San Diego"
    assert "First charter" in batch.body
    assert "Second charter" in batch.body
    assert {n.email_id for n in Nudge.objects.all()} == {Nudge.objects.first().email_id}


def test_a_departure_not_started_alerts_even_at_night_and_with_nudges_off(
    django_capture_on_commit_callbacks, org, owner
):
    departure = la(2027, 6, 12, 5, 30)  # 05:30: inside quiet hours
    event = booked(org, "Dawn charter", departure=departure, nudges_enabled=False)
    confirm(event)
    NudgeOptOut.objects.create(organization=org, address=owner.email, kind="owner_not_started")
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, departure + timedelta(minutes=14))
    assert mail.outbox == []
    sweep(django_capture_on_commit_callbacks, departure + timedelta(minutes=15))
    [alert] = mail.outbox
    assert alert.subject.startswith("Not started: Dawn charter")
    assert "no float plan" in alert.body
    # Safety-critical: nothing to unsubscribe from.
    assert "List-Unsubscribe" not in alert.extra_headers
    assert "/n/unsubscribe/" not in alert.body


def test_a_started_event_raises_no_alert(django_capture_on_commit_callbacks, org, owner):
    event = booked(org, "Harbor charter")
    Event.objects.filter(pk=event.pk).update(status=EventStatus.IN_PROGRESS)
    assert sweep(django_capture_on_commit_callbacks, DEPARTURE + timedelta(minutes=20)).outcomes == []


def test_an_alert_missed_until_after_the_return_is_recorded_skipped(django_capture_on_commit_callbacks, org, owner):
    event = booked(org, "Harbor charter")
    confirm(event)
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, event.return_at + timedelta(minutes=1), kinds=["owner_not_started"])
    assert mail.outbox == []
    assert nudge_of("owner_not_started").status == NudgeStatus.SKIPPED
