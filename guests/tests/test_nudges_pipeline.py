"""Nudges for real: Celery beat and workers as processes, on Redis and PostgreSQL, SES at moto.

A test schedule fires the sweep every 2 seconds. Whatever happens — two beats at once, a
worker killed with SIGKILL in the middle of a batch and started again, tasks delivered a
second time — each guest receives their reminder once: counted at moto, which is what
SES would have delivered.
"""

import email
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import requests
from django.db import connection
from django.test import Client
from django.utils import timezone

from charterops.celery import app as celery_app
from charterops.models import OutboundEmail
from charterops.tasks import outbox_sweep
from events.models import Nudge
from events.tests.factories import make_event
from guests.tests.factories import make_guest, make_waiver, sign

ROOT = Path(__file__).resolve().parents[2]
KIND = "guest_on_hold"
SENTINEL_GROSS = "8417.93"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def moto_messages(endpoint: str, domain: str) -> list[dict]:
    """The reminders moto accepted for addresses at `domain` (the server is shared by the session).

    Guests also got their waiver request when they were added: those are not counted.
    """
    data = requests.get(f"{endpoint}/moto-api/data.json", timeout=10).json()
    raw = data.get("ses", {}).get("RawMessage", [])
    return [
        m
        for m in raw
        if any(d.endswith(f"@{domain}") for d in m["destinations"])
        and email.message_from_string(m["raw_data"])["Subject"].startswith("Reminder: please sign")
    ]


def recipients_of(messages: list[dict]) -> Counter:
    # moto lists each To address twice (from the call and from the header): one message, one count.
    return Counter(next(d for d in m["destinations"] if "@" in d) for m in messages)


def purge_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


class Processes:
    """Celery processes started by a test; whatever is left is killed at the end."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path, self.env, self.running = tmp_path, env, {}

    def start(self, name: str, *args: str, **extra_env: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "celery", "-A", "charterops", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = (process, log)
        return process

    def worker(self, name: str, **extra_env: str) -> subprocess.Popen:
        return self.start(name, "worker", "--pool=solo", "--without-gossip", "--without-mingle", **extra_env)

    def beat(self, name: str) -> subprocess.Popen:
        return self.start(name, "beat", "--schedule", str(self.tmp_path / f"{name}-schedule"))

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process, log = self.running.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
        log.close()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.read_text()[-3000:]}" for p in self.tmp_path.glob("*.log"))

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


@pytest.fixture
def processes(tmp_path, moto_endpoint, monkeypatch):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "VAR_DIR": str(tmp_path),
        "SITE_URL": "http://testserver",
        "EMAIL_BACKEND": "django_ses.SESBackend",
        "AWS_SES_REGION_NAME": "us-west-2",
        "AWS_SES_REGION_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SES_AUTO_THROTTLE": "0",  # moto does not answer SES's account-quota call
        # The test schedule: the sweep every 2 seconds.
        "NUDGE_SWEEP_EVERY_SECONDS": "2",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ses = boto3.client(
        "ses",
        endpoint_url=moto_endpoint,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ses.verify_domain_identity(Domain="queenofsandiego.example.com")
    # moto builds its SES v2 routes on the first call; two workers making that first call
    # at once trip a thread-safety bug of Python 3.11's ast module inside moto's router.
    boto3.client(
        "sesv2",
        endpoint_url=moto_endpoint,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).list_email_identities()
    purge_broker()
    celery_app.conf.task_always_eager = False
    running = Processes(tmp_path, env)
    try:
        yield running
    finally:
        running.stop_all()
        celery_app.conf.task_always_eager = True
        purge_broker()


def wait_until(check: Callable[[], bool], processes: Processes, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting until {what}\n{processes.logs()}")


@pytest.fixture
def reminders_due(org):
    """Guests on hold whose 24 h reminder is due now (in real time: the processes run now)."""
    org.quiet_hours_start = org.quiet_hours_end  # whatever the hour in San Diego
    org.save()
    make_waiver(org)
    domain = f"{uuid.uuid4().hex[:10]}.example.com"
    departure = timezone.now() + timedelta(hours=24) - timedelta(seconds=30)
    event = make_event(org, name="Harbor charter", departure_at=departure, revenue={"gross": SENTINEL_GROSS})

    def add(count: int) -> list:
        guests = [make_guest(event, f"Guest{i} Sample", email=f"guest{i}@{domain}") for i in range(count)]
        type(guests[0]).objects.filter(pk__in=[g.pk for g in guests]).update(created_at=departure - timedelta(days=3))
        return guests

    return domain, event, add


def test_two_beats_and_two_workers_send_each_guest_their_own_link_once(processes, reminders_due, moto_endpoint):
    domain, _, add = reminders_due
    guests = add(6)
    sign(guests[5])  # not on hold: no reminder
    on_hold = guests[:5]
    processes.worker("worker-a")
    processes.worker("worker-b")
    processes.beat("beat-a")
    processes.beat("beat-b")  # a second beat by mistake: its sweeps find nothing new

    wait_until(
        lambda: OutboundEmail.objects.filter(kind=KIND, status=OutboundEmail.Status.SENT).count() == 5,
        processes,
        "the 5 reminders are sent",
    )
    time.sleep(6)  # several more sweeps from both beats
    messages = moto_messages(moto_endpoint, domain)
    assert recipients_of(messages) == Counter({g.email: 1 for g in on_hold})
    assert Nudge.objects.filter(kind=KIND, status="queued").count() == 5

    client = Client()
    for message in messages:
        parsed = email.message_from_string(message["raw_data"])
        text = next(p for p in parsed.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
        assert SENTINEL_GROSS not in message["raw_data"]
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        guest = next(g for g in on_hold if g.email in message["destinations"])
        links = set(re.findall(r"http://testserver(/w/[A-Za-z0-9_-]+)", text))
        assert links == {guest.signing_path}  # their own link, and only theirs
        page = client.get(guest.signing_path)
        assert page.status_code == 200
        assert guest.name in page.text

    # A redelivery of every send task (a broker handing them out again) sends nothing more.
    for email_id in OutboundEmail.objects.filter(kind=KIND).values_list("pk", flat=True):
        celery_app.send_task("charterops.tasks.send_outbound_email", args=[email_id])
    time.sleep(4)
    assert recipients_of(moto_messages(moto_endpoint, domain)) == Counter({g.email: 1 for g in on_hold})


@pytest.mark.allow_error_logs  # the sweeper reports an email left in flight at ERROR
def test_a_worker_killed_mid_batch_and_started_again_duplicates_nothing(processes, reminders_due, moto_endpoint):
    domain, _, add = reminders_due
    guests = add(16)
    slow = {"EMAIL_BACKEND": "charterops.tests.slow_ses.SlowSESBackend", "SLOW_SES_SECONDS": "0.4"}
    # A short visibility timeout so the killed worker's unacknowledged tasks come back soon.
    redeliver_fast = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    processes.worker("worker-1", **slow, **redeliver_fast)
    processes.beat("beat")

    sent = lambda: OutboundEmail.objects.filter(kind=KIND, status=OutboundEmail.Status.SENT).count()  # noqa: E731
    wait_until(lambda: sent() >= 3, processes, "a few reminders are sent")
    processes.kill("worker-1")  # SIGKILL, in the middle of the batch
    assert sent() < 16
    time.sleep(3)  # past the visibility timeout: what worker-1 held is handed out again
    processes.worker("worker-2", **slow, **redeliver_fast)

    def settled() -> bool:
        statuses = Counter(OutboundEmail.objects.filter(kind=KIND).values_list("status", flat=True))
        return sum(statuses.values()) == 16 and set(statuses) <= {"sent", "sending"}

    wait_until(settled, processes, "every reminder is sent or left in flight")
    time.sleep(3)
    processes.stop_all()

    received = recipients_of(moto_messages(moto_endpoint, domain))
    assert max(received.values()) == 1, received  # nobody twice
    statuses = Counter(OutboundEmail.objects.filter(kind=KIND).values_list("status", flat=True))
    assert statuses["sending"] <= 1  # at most the one killed between the claim and the result
    assert len(received) >= statuses["sent"]
    assert len(received) <= statuses["sent"] + statuses["sending"]
    # The in-flight one (if any) is reported, never sent again.
    later = timezone.now() + timedelta(hours=1)
    assert outbox_sweep(now=later) == {"requeued": 0, "stuck": statuses["sending"]}
    assert recipients_of(moto_messages(moto_endpoint, domain)) == received
    assert {g.email for g in guests} >= set(received)


def crew_messages(endpoint: str, domain: str) -> list[dict]:
    """Every message moto accepted for addresses at `domain`, parsed."""
    data = requests.get(f"{endpoint}/moto-api/data.json", timeout=10).json()
    raw = data.get("ses", {}).get("RawMessage", [])
    return [m for m in raw if any(d.endswith(f"@{domain}") for d in m["destinations"])]


def text_of(message: dict) -> str:
    parsed = email.message_from_string(message["raw_data"])
    return next(p for p in parsed.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()


def test_crew_digest_and_t30_arrive_once_with_links_that_sign_in(processes, org, moto_endpoint):
    """A charter leaving in 30 minutes: its crew get the day's digest and the T-30 nudge
    (the captain's own, safety-critical) from beat and a worker — once each, even after
    the worker is killed and another started; each link signs its reader in on the event."""
    from crew.models import CrewRole
    from crew.tests.factories import make_crew_member
    from crew.tests.factories import make_event as make_crew_event
    from crew.tests.scenarios import seat

    org.quiet_hours_start = org.quiet_hours_end  # whatever the hour in San Diego
    org.save()
    domain = f"{uuid.uuid4().hex[:10]}.example.com"
    captain = make_crew_member(org, "Dana", captain=True)
    deckhand = make_crew_member(org, "Casey")
    for member in (captain, deckhand):
        member.user.email = f"{member.user.first_name.lower()}@{domain}"
        member.user.save(update_fields=["email"])
    departure = timezone.now() + timedelta(minutes=30) - timedelta(seconds=30)
    event = make_crew_event(
        org, name="Harbor charter", departure_at=departure, revenue={"gross": SENTINEL_GROSS}, deckhand_slots=1
    )
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    # The digest hour is this hour: its moment has passed, the charter is in its 24 hours.
    digest_hour = {"NUDGE_DIGEST_HOUR_UTC": str(timezone.now().hour)}
    processes.worker("worker-1", **digest_hour)
    processes.beat("beat")

    expected = {
        ("crew_digest", captain.user.email),
        ("crew_digest", deckhand.user.email),
        ("crew_pre_departure_captain", captain.user.email),
        ("crew_pre_departure", deckhand.user.email),
    }
    sent = lambda: {  # noqa: E731
        (kind, to[0])
        for kind, to in OutboundEmail.objects.filter(
            kind__startswith="crew_", status=OutboundEmail.Status.SENT
        ).values_list("kind", "to")
    }
    wait_until(lambda: len(sent()) == 4, processes, "the crew's digest and T-30 nudges are sent")
    processes.kill("worker-1")  # SIGKILL
    processes.worker("worker-2", **digest_hour)
    time.sleep(6)  # several more sweeps, on the new worker
    processes.stop_all()

    messages = crew_messages(moto_endpoint, domain)
    assert recipients_of(messages) == Counter({captain.user.email: 2, deckhand.user.email: 2})
    kinds = {(row.kind, row.to[0]) for row in OutboundEmail.objects.filter(kind__startswith="crew_")}
    assert kinds == expected
    for message in messages:
        assert SENTINEL_GROSS not in message["raw_data"]
        parsed = email.message_from_string(message["raw_data"])
        to_captain = captain.user.email in message["destinations"]
        safety = parsed["Subject"].startswith("Harbor charter leaves") and to_captain
        assert (parsed["List-Unsubscribe"] is None) == safety  # the captain's T-30 cannot be unsubscribed
        [code_path] = re.findall(r"http://testserver(/m/[A-Z0-9]+)", text_of(message))
        client = Client()
        assert client.get(code_path).status_code == 200  # the confirm page: opening uses nothing
        landed = client.post(code_path, follow=True)
        assert landed.redirect_chain[-1][0] == f"/crew/events/{event.public_id}/"
        assert landed.status_code == 200
        page = landed.content.decode()
        assert "Harbor charter" in page
        assert SENTINEL_GROSS not in page
        again = client.get(f"/crew/events/{event.public_id}/")
        assert again.status_code == 200  # signed in: the cookie opens the page
