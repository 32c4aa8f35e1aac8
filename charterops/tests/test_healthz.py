import pytest
from django.test import override_settings

from charterops.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_is_200_when_database_cache_and_broker_are_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


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
