from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from charterops.celery import app as celery_app
from charterops.models import OutboundEmail
from charterops.tasks import HEARTBEAT_KEY, heartbeat


@pytest.mark.django_db
def test_healthz_is_200_when_database_cache_broker_and_scheduler_are_up(client):
    heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok", "scheduler": "ok"}
    assert "no-cache" in response["Cache-Control"]


def _beat_silent_for(minutes: int) -> None:
    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(minutes=minutes)).isoformat(), timeout=None)


@pytest.mark.django_db
def test_a_heartbeat_14_minutes_old_is_still_ok(client, owner):
    _beat_silent_for(14)
    assert client.get("/healthz").json()["scheduler"] == "ok"
    assert OutboundEmail.objects.count() == 0


@pytest.mark.allow_error_logs  # a silent beat is logged at ERROR, for the operators' alerting
@pytest.mark.django_db
def test_a_beat_silent_past_15_minutes_is_reported_down_and_owners_are_emailed_once(
    client, owner, other_owner, captain
):
    _beat_silent_for(16)
    first = client.get("/healthz")
    # The web servers still serve: a load balancer must not take them out for it.
    assert first.status_code == 200
    body = first.json()
    assert body["status"] == "degraded"
    assert body["scheduler"].startswith("down: no heartbeat since")
    assert "(16 min)" in body["scheduler"]
    # Sent from the web process itself (the workers may be down too), once per owner.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, other_owner.email])
    assert "silent since" in mail.outbox[0].subject

    for _ in range(3):
        assert client.get("/healthz").json()["scheduler"].startswith("down")
    # Without the cache's guard (flushed), the emails' keys alone still keep it to once.
    last_beat = cache.get(HEARTBEAT_KEY)
    cache.clear()
    cache.set(HEARTBEAT_KEY, last_beat, timeout=None)
    client.get("/healthz")
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.filter(kind="beat_silent", status=OutboundEmail.Status.SENT).count() == 2


@pytest.mark.allow_error_logs
@pytest.mark.django_db
def test_a_new_outage_after_beat_came_back_emails_again(client, owner):
    _beat_silent_for(20)
    client.get("/healthz")
    heartbeat()
    assert client.get("/healthz").json()["scheduler"] == "ok"
    _beat_silent_for(30)
    client.get("/healthz")
    assert len(mail.outbox) == 2


@pytest.mark.allow_error_logs
@pytest.mark.django_db
def test_no_heartbeat_at_all_counts_from_when_healthz_first_noticed(client, owner, monkeypatch):
    assert client.get("/healthz").json()["scheduler"] == "ok: waiting for the first heartbeat"
    later = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr("charterops.health.timezone.now", lambda: later)
    assert client.get("/healthz").json()["scheduler"].startswith("down")
    assert len(mail.outbox) == 1


@pytest.mark.allow_error_logs  # Django logs every 5xx answer at ERROR
@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch):
    # Nothing listens on port 1: the broker is unreachable, as when Redis has stopped.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["broker"].startswith("down")
    assert body["database"] == "ok"


@pytest.mark.allow_error_logs
@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(client):
    broken = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("down")


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


def test_ping_is_the_cheapest_answer(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ping")
    assert (response.status_code, response.content) == (200, b"pong")
