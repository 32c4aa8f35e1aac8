"""Webhook delivery for real: Redis, a `celery worker` process, a receiver on 127.0.0.1.

The outbox row is the truth and the broker only a nudge: a receiver that fails is retried
by the worker on its own schedule, and a worker killed in the middle of a POST loses
nothing — once its lease runs out, beat's sweep hands the delivery to another worker.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection, transaction
from standardwebhooks.webhooks import Webhook

from charterops.celery import app as celery_app
from events.models import WebhookAttempt, WebhookDelivery, WebhookEventType
from events.tasks import webhook_deliveries_sweep
from events.tests.factories import make_event
from events.tests.receiver import Answer
from events.webhooks import webhook_endpoint_create

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 3  # seconds per attempt in the worker: its lease is 2 × 3 + 5 = 11 s


@pytest.fixture
def workers(tmp_path):
    """Start `celery worker` processes on the suite's Redis and test database; all stopped at the end."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "VAR_DIR": str(tmp_path),
        # The receiver listens on 127.0.0.1: let the worker's guard through to it, explicitly.
        "WEBHOOK_TEST_ALLOWED_NETWORKS": "127.0.0.1/32",
        "WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT),
        "WEBHOOK_RETRY_BASE_SECONDS": "0.5",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "charterops", "worker", "--pool=solo", "--loglevel=WARNING"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = True
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def delivery_status() -> str | None:
    return WebhookDelivery.objects.values_list("status", flat=True).first()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_a_receiver_that_fails_twice_until_it_is_delivered(org, receiver, workers):
    made = webhook_endpoint_create(organization=org, url=receiver.url(), event_types=[WebhookEventType.EVENT_CREATED])
    receiver.answer(500, Answer(status=503, body="busy"), 200)
    workers()
    with transaction.atomic():
        make_event(org, name="Sunset sail")

    wait_for(lambda: delivery_status() == WebhookDelivery.Status.DELIVERED, 90, "the delivery")
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    for request in receiver.requests:
        assert Webhook(made.secret).verify(request.body, request.headers)["data"]["event"]["name"] == "Sunset sail"
    attempts = list(WebhookAttempt.objects.order_by("number").values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 503), (3, 200)]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_does_not_lose_the_event(org, receiver, workers):
    made = webhook_endpoint_create(organization=org, url=receiver.url(), event_types=[WebhookEventType.EVENT_CREATED])
    receiver.answer(Answer(hold=True))  # the first POST hangs: the worker is in the middle of it
    first = workers()
    with transaction.atomic():
        make_event(org)
    assert receiver.arrived.wait(60), "the first worker never posted"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=20)
    receiver.release()
    assert delivery_status() == WebhookDelivery.Status.SENDING  # taken, never finished

    workers()

    # Beat runs the sweep every minute; here, until the dead worker's lease has run out.
    def swept_and_delivered() -> bool:
        if delivery_status() != WebhookDelivery.Status.DELIVERED:
            webhook_deliveries_sweep.delay()
            time.sleep(1)
        return delivery_status() == WebhookDelivery.Status.DELIVERED

    wait_for(swept_and_delivered, 90, "the delivery after the worker was killed")
    assert len(receiver.requests) == 2
    first_try, second_try = receiver.requests
    assert first_try.headers["webhook-id"] == second_try.headers["webhook-id"]
    assert first_try.body == second_try.body
    Webhook(made.secret).verify(second_try.body, second_try.headers)
    log = list(WebhookAttempt.objects.order_by("number").values_list("number", "status_code", "error"))
    assert log[0][:2] == (1, None)
    assert "worker stopped during this attempt" in log[0][2]
    assert log[1] == (2, 200, "")
