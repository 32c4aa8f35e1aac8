"""The send path of every email: claimed and committed before the backend, marked after."""

import threading
from datetime import timedelta
from typing import ClassVar

import pytest
from botocore.exceptions import ReadTimeoutError
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from charterops.mail import message_for
from charterops.models import OutboundEmail
from charterops.tasks import (
    EMAIL_MAX_ATTEMPTS,
    SendFailed,
    outbound_email_claim,
    outbound_email_send,
    outbox_sweep,
    retry_countdown,
    send_outbound_email,
    send_outbound_emails,
)
from charterops.tests.test_mail import locmem_templates, queue


def _status_seen_by_another_connection(subject: str) -> str:
    seen = []

    def read() -> None:
        try:
            seen.append(OutboundEmail.objects.get(subject=subject).status)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen[0]


class CommittedClaimWatcher:
    """A backend that records what any other process could read while it holds the message."""

    seen: ClassVar[list[str]] = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            self.seen.append(_status_seen_by_another_connection(message.subject))
        return len(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@locmem_templates
def test_the_row_is_in_flight_and_committed_before_the_backend_sees_it(org, settings):
    settings.EMAIL_BACKEND = "charterops.tests.test_outbox.CommittedClaimWatcher"
    CommittedClaimWatcher.seen.clear()
    email = queue(org)  # outside a transaction: sent at once, through the task
    assert CommittedClaimWatcher.seen == [OutboundEmail.Status.SENDING]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    assert email.sending_at is not None
    assert email.sent_at >= email.sending_at


@locmem_templates
def test_a_worker_killed_after_the_claim_leaves_it_in_flight_and_a_redelivery_sends_nothing(org):
    email = queue(org)
    # The worker claimed it, committed, and died before recording the result.
    assert isinstance(outbound_email_claim(email.pk), OutboundEmail)
    assert send_outbound_email.apply(args=[email.pk]).get() == "in flight"
    assert send_outbound_email.apply(args=[email.pk]).get() == "in flight"
    assert len(mail.outbox) == 0
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENDING, 1)


@pytest.mark.allow_error_logs  # the sweeper reports a stuck email at ERROR, once
@locmem_templates
def test_the_sweeper_reports_an_email_stuck_in_flight_once_and_never_sends_it(org, caplog):
    email = queue(org)
    outbound_email_claim(email.pk)
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 60)
    assert outbox_sweep(now=timezone.now()) == {"requeued": 0, "stuck": 0}
    assert outbox_sweep(now=later)["stuck"] == 1
    assert outbox_sweep(now=later)["stuck"] == 0  # reported once
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING
    assert email.error.startswith("Stuck in flight since")
    assert len(mail.outbox) == 0
    assert next(r.getMessage() for r in caplog.records if r.levelname == "ERROR").startswith("email probe:1")


@locmem_templates
def test_a_queued_email_whose_task_was_lost_is_enqueued_again_and_sent_once(org):
    # Recorded, but the task never reached the broker (no commit callbacks ran here).
    email = queue(org)
    assert len(mail.outbox) == 0
    assert outbox_sweep(now=timezone.now())["requeued"] == 0  # too young: its task may be on its way
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + 1)
    assert outbox_sweep(now=later)["requeued"] == 1
    assert outbox_sweep(now=later)["requeued"] == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


@locmem_templates
def test_a_failed_email_whose_retry_was_lost_is_enqueued_again(org, settings):
    settings.EMAIL_BACKEND = "charterops.tests.test_mail.BrokenBackend"
    email = queue(org)
    with pytest.raises(SendFailed):  # fails, and its retry task is lost
        outbound_email_send(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(
        seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + settings.EMAIL_RETRY_MAX_SECONDS + 1
    )
    assert outbox_sweep(now=later)["requeued"] >= 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


class SlowBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ReadTimeoutError(endpoint_url="https://email.us-west-2.amazonaws.com")


@locmem_templates
def test_no_answer_from_the_backend_leaves_it_in_flight_rather_than_risk_a_second_send(org, settings):
    settings.EMAIL_BACKEND = "charterops.tests.test_outbox.SlowBackend"
    email = queue(org)
    assert send_outbound_email.apply(args=[email.pk]).get() == "in flight"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING
    assert "may have been sent" in email.error


def test_retry_countdowns_stay_below_the_brokers_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)  # Redis's default
    countdowns = [retry_countdown(attempt) for attempt in range(1, EMAIL_MAX_ATTEMPTS)]
    assert countdowns == sorted(countdowns)
    assert countdowns[0] == settings.EMAIL_RETRY_BASE_SECONDS
    assert max(countdowns) < visibility
    # The lost-retry sweeper waits longer than any countdown before it steps in.
    assert settings.OUTBOX_REQUEUE_AFTER_SECONDS + settings.EMAIL_RETRY_MAX_SECONDS > max(countdowns)
    assert send_outbound_email.max_retries == EMAIL_MAX_ATTEMPTS - 1


def test_on_redis_the_visibility_timeout_is_set_explicitly(settings):
    if not settings.REDIS_URL:
        pytest.skip("the file-system broker has no visibility timeout")
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 3600


@locmem_templates
def test_headers_recorded_on_the_email_reach_the_message(org):
    email = queue(org)
    email.headers = {"List-Unsubscribe": "<https://x.example/u>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = message_for(email)
    assert message.extra_headers["List-Unsubscribe"] == "<https://x.example/u>"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()


@locmem_templates
def test_a_group_of_emails_redelivered_sends_each_once(org):
    emails = [queue(org, key=f"probe:{n}") for n in range(3)]
    ids = [email.pk for email in emails]
    outbound_email_claim(ids[1])  # in flight when its worker died
    assert send_outbound_emails.apply(args=[ids]).get() == {"sent": 2, "in flight": 1}
    assert send_outbound_emails.apply(args=[ids]).get() == {"skipped": 2, "in flight": 1}
    assert len(mail.outbox) == 2


@locmem_templates
def test_a_failure_in_a_group_is_retried_on_its_own(org, settings, monkeypatch):
    settings.EMAIL_BACKEND = "charterops.tests.test_mail.BrokenBackend"
    retried = []
    monkeypatch.setattr(send_outbound_email, "apply_async", lambda **kwargs: retried.append(kwargs))
    email = queue(org)
    assert send_outbound_emails.apply(args=[[email.pk]]).get() == {"retrying": 1}
    assert retried == [{"args": [email.pk], "countdown": settings.EMAIL_RETRY_BASE_SECONDS}]
