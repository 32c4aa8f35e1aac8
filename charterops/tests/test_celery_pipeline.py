"""The job pipeline for real: a queued email goes through Redis to a Celery worker process."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from charterops.celery import app as celery_app
from charterops.mail import email_queue
from charterops.models import OutboundEmail
from charterops.tests.test_mail import locmem_templates

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    """A real `celery worker` process on the suite's Redis and test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "charterops", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield tmp_path / "outbox"
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@locmem_templates
def test_a_queued_email_is_sent_by_a_worker_once(org, worker):
    # The worker renders nothing: the email was rendered and recorded when queued.
    with transaction.atomic():
        email = email_queue(
            key="pipeline:1",
            kind="probe",
            to=["dana@example.com"],
            template="probe/hello",
            context={"name": "Dana"},
            organization=org,
        )
        email_queue(
            key="pipeline:1",
            kind="probe",
            to=["dana@example.com"],
            template="probe/hello",
            context={"name": "Dana"},
            organization=org,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status == OutboundEmail.Status.SENT:
            break
        time.sleep(0.3)
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    sent_files = list(worker.glob("*.log"))
    assert len(sent_files) == 1
    assert "Subject: Hello Dana" in sent_files[0].read_text()
