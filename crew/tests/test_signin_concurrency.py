"""One code, many simultaneous exchanges: exactly one gets a token (real PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from crew.auth import COOKIE_NAME, principal_from_token
from crew.magic_links import magic_link_create
from crew.models import MagicLink

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def exchange_at_once(code: str, attempts: int) -> list:
    barrier = threading.Barrier(attempts)
    responses: list = [None] * attempts

    def attempt(n: int) -> None:
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")
        try:
            barrier.wait(timeout=10)
            responses[n] = client.post(f"/m/{code}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


@pytest.mark.parametrize("attempts", [2, 12])
def test_simultaneous_exchanges_of_one_code_yield_one_token(deckhand, attempts):
    _, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=MagicLink.Purpose.EVENT_INVITE)

    responses = exchange_at_once(code, attempts)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302] + [410] * (attempts - 1)
    tokens = [r.cookies[COOKIE_NAME].value for r in responses if COOKIE_NAME in r.cookies]
    assert len(tokens) == 1
    assert principal_from_token(tokens[0]).crew_member == deckhand
    assert all("already been used" in r.content.decode() for r in responses if r.status_code == 410)
    assert MagicLink.objects.get().used_at is not None
