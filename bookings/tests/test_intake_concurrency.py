"""Platforms retrying at the same instant (real PostgreSQL, one connection per request)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bookings.tests.test_platform_intake import SEED
from events.models import Event, Source
from events.service_keys import service_key_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
URL = "/api/service/events/"


def post_at_once(plain: str, bodies_and_keys: list[tuple[dict, str]]) -> list:
    barrier = threading.Barrier(len(bodies_and_keys))
    responses: list = [None] * len(bodies_and_keys)

    def post(n: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
        body, key = bodies_and_keys[n]
        try:
            barrier.wait(timeout=10)
            responses[n] = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(bodies_and_keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_eight_simultaneous_retries_with_one_idempotency_key_make_one_booking(org):
    _, plain = service_key_create(organization=org, name="Boatsetter", source=Source.BOATSETTER)
    responses = post_at_once(plain, [(SEED, "bs-same")] * 8)

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Event.objects.count() == 1


def test_six_different_bookings_of_one_day_at_once_all_get_their_own_page(org):
    _, plain = service_key_create(organization=org, name="Boatsetter", source=Source.BOATSETTER)
    responses = post_at_once(plain, [({**SEED, "eventName": f"Charter {n}"}, f"bs-{n}") for n in range(6)])

    assert sorted(r.status_code for r in responses) == [201] * 6, [r.content for r in responses]
    slugs = set(Event.objects.values_list("slug", flat=True))
    assert len(slugs) == 6
    assert "boatsetter-may-30-2024" in slugs
