"""POST /api/auth/exchange: a magic-link code for a JWT, once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from crew.api.exchange import ExchangeThrottle
from crew.magic_links import magic_link_create
from crew.models import MagicLink

URL = "/api/auth/exchange"


@pytest.fixture
def code(deckhand):
    _, plain = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=MagicLink.Purpose.SIGN_IN)
    return plain


def exchange(code_value, client=None):
    return (client or APIClient()).post(URL, {"code": code_value}, format="json")


def test_a_code_becomes_a_token_that_opens_the_api(code, deckhand):
    response = exchange(code)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert client.get("/api/events/").status_code == 200


def test_a_code_works_once(code):
    assert exchange(code).status_code == 200
    second = exchange(code)
    assert second.status_code == 401
    assert second.json() == {"error": "not_authenticated", "detail": second.json()["detail"]}
    assert "already been used" in second.json()["detail"]


def test_an_expired_code_is_refused(code):
    MagicLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = exchange(code)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("bad", ["ZZZZZZZZ", "short", "", "💥" * 5, "x" * 65, None, 12345678, ["A"], {"a": 1}])
def test_unknown_or_malformed_codes_are_refused_cleanly(db, bad):
    response = exchange(bad)
    assert response.status_code in {400, 401}
    assert response.json()["error"] in {"invalid", "not_authenticated"}


def test_exchange_is_throttled_per_address(code, monkeypatch):
    monkeypatch.setattr(ExchangeThrottle, "THROTTLE_RATES", {"exchange": "3/min"})
    for _ in range(3):
        exchange("WRONGCDE")
    response = exchange(code)
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"
    assert "Retry-After" in response


def test_repeated_failures_lock_out_codes_with_429(code, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 3
    for _ in range(3):
        exchange("WRONGCDE")
    response = exchange(code)
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"
