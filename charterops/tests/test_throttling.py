"""API rate limits: fixed-window counters, one round trip per check."""

import os

import pytest
from django.core.cache import caches

from charterops import throttling
from charterops.throttling import UserRateThrottle, window_hit


def test_hits_are_counted_per_key_within_a_window(db):
    assert [window_hit("test:alice", 60) for _ in range(3)] == [1, 2, 3]
    assert window_hit("test:bob", 60) == 1


def test_a_new_window_starts_from_one(db, monkeypatch):
    monkeypatch.setattr(throttling.time, "time", lambda: 1_000_020.0)
    assert [window_hit("test:carol", 60) for _ in range(2)] == [1, 2]
    monkeypatch.setattr(throttling.time, "time", lambda: 1_000_020.0 + 60)
    assert window_hit("test:carol", 60) == 1


@pytest.mark.redis
def test_on_redis_the_counter_is_one_round_trip_and_a_plain_cache_integer(settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
    cache = caches["default"]
    monkeypatch.setattr(throttling.time, "time", lambda: 2_000_040.0)
    sent = []
    client = cache._cache.get_client(cache.make_and_validate_key("x"), write=True)
    original = type(client).pipeline

    def counting_pipeline(self, *args, **kwargs):
        pipe = original(self, *args, **kwargs)
        execute = pipe.execute
        pipe.execute = lambda *a, **k: sent.append(1) or execute(*a, **k)
        return pipe

    monkeypatch.setattr(type(client), "pipeline", counting_pipeline)
    assert [window_hit("test:dave", 60) for _ in range(3)] == [1, 2, 3]
    assert len(sent) == 3
    assert cache.get(f"test:dave:{2_000_040 // 60}") == 3  # Django reads what INCR wrote
    assert 0 < client.ttl(cache.make_and_validate_key(f"test:dave:{2_000_040 // 60}")) <= 61
    cache.delete(f"test:dave:{2_000_040 // 60}")


def test_crew_api_refuses_a_user_past_the_rate_with_retry_after(api_login, deckhand, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    client = api_login(deckhand)
    assert [client.get("/api/events/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/events/")
    assert refused.status_code == 429
    assert refused.json()["error"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_rate_is_per_user_not_shared(api_login, deckhand, captain, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "1/min", "anon": "1/min"})
    assert api_login(deckhand).get("/api/events/").status_code == 200
    assert api_login(captain).get("/api/events/").status_code == 200
