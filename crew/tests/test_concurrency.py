"""Twenty captains claim one captain's slot at the same instant (real PostgreSQL).

Each claim is a real POST of the crew page in its own thread and database connection.
Exactly one wins; every other one is told the slot was just taken (409), nobody sees a
server error, and the slot has one holder and one claim row.
"""

import threading

import pytest
from django.db import connection

from crew.models import CrewRole, RoleClaim, RoleSlot
from crew.tests.factories import make_crew_member, make_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLAIMANTS = 20


def post_at_once(clients, url: str) -> list:
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def claim(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[n] = clients[n].post(url, HTTP_HX_REQUEST="true")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_twenty_simultaneous_claims_of_the_captains_slot_have_exactly_one_winner(org, crew_login):
    event = make_event(org)
    captains = [make_crew_member(org, f"Skipper{n}", captain=True) for n in range(CLAIMANTS)]
    clients = [crew_login(member) for member in captains]

    responses = post_at_once(clients, f"/crew/events/{event.public_id}/roles/captain/1/claim")

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * (CLAIMANTS - 1)
    assert all("just taken" in r.content.decode() for r in responses if r.status_code == 409)
    slot = RoleSlot.objects.get(event=event, role=CrewRole.CAPTAIN)
    assert slot.holder in captains
    assert RoleSlot.objects.filter(event=event, holder__isnull=False).count() == 1
    claims = RoleClaim.objects.filter(slot=slot, action=RoleClaim.Action.CLAIM)
    assert [claim.crew_member for claim in claims] == [slot.holder]


def test_one_person_claiming_two_slots_at_once_gets_one(org, crew_login, deckhand):
    event = make_event(org, deckhand_slots=2)
    client = crew_login(deckhand)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def claim(position: int) -> None:
        try:
            barrier.wait(timeout=10)
            url = f"/crew/events/{event.public_id}/roles/deckhand/{position}/claim"
            statuses.append(client.post(url, HTTP_HX_REQUEST="true").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200, 409]
    assert RoleSlot.objects.filter(event=event, holder=deckhand).count() == 1
