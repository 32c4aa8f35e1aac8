"""A tick replayed from a phone is applied once: the Idempotency-Key of a POST is recorded
in the database with the write, and the same key again is answered "already done"."""

import threading

import pytest
from django.db import connection

from crew import services, tasks
from crew.models import ChecklistItem, CrewRole, IdempotencyKey
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import charter_checklists, seat

HTMX = {"HTTP_HX_REQUEST": "true"}
KEY = "5f0c2a9e-0d6b-4b1e-9a57-6f3c1d2e4b80"


@pytest.fixture
def event(org, captain, deckhand):
    charter_checklists(org)
    event = make_event(org, name="Harbor charter")
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    return event


@pytest.fixture
def lines(event):
    return ChecklistItem.objects.get(event=event, text="Lines and fenders ready")


def tick(client, event, item, *, state="complete", version=1, key=KEY, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/crew/events/{event.public_id}/checklist",
        {"item": item.pk, "state": state, "version": version},
        **HTMX,
        **headers,
        **extra,
    )


def state_of(item) -> tuple[str, int]:
    item.refresh_from_db()
    return item.state, item.version


def test_a_tick_with_a_key_is_applied_and_its_key_recorded(crew_login, event, lines, deckhand, org):
    response = tick(crew_login(deckhand), event, lines)
    assert response.status_code == 200
    assert response["X-Item-Version"] == "2"
    assert "X-Idempotent-Replay" not in response
    assert state_of(lines) == ("complete", 2)
    record = IdempotencyKey.objects.get()
    assert (record.user, record.organization, record.key) == (deckhand.user, org, KEY)
    assert (record.action, record.target, record.result) == (
        "checklist_item_update",
        f"checklist_item:{lines.pk}",
        {"state": "complete", "version": 2},
    )


def test_the_same_tap_again_is_already_done_and_not_applied_twice(crew_login, event, lines, deckhand):
    client = crew_login(deckhand)
    tick(client, event, lines)
    again = tick(client, event, lines)  # its first answer was lost on the way back
    assert again.status_code == 200
    assert again["X-Idempotent-Replay"] == "already"
    assert again["X-Item-Version"] == "2"  # the version this tap made
    assert 'class="check-item state-complete"' in again.content.decode()
    assert state_of(lines) == ("complete", 2)
    assert IdempotencyKey.objects.count() == 1


def test_already_done_says_the_version_the_tap_made_even_after_others_moved_on(
    crew_login, event, lines, deckhand, captain
):
    client = crew_login(deckhand)
    tick(client, event, lines)
    services.checklist_item_update(item=lines, state="in_progress", seen_version=2, by=captain.user)
    again = tick(client, event, lines)
    assert (again.status_code, again["X-Item-Version"]) == (200, "2")
    assert 'name="version" value="3"' in again.content.decode()  # the item as it is now
    assert state_of(lines) == ("in_progress", 3)  # the captain's later change stands


def test_without_a_key_nothing_is_recorded_as_before(crew_login, event, lines, deckhand):
    response = tick(crew_login(deckhand), event, lines, key=None)
    assert response.status_code == 200
    assert state_of(lines) == ("complete", 2)
    assert not IdempotencyKey.objects.exists()


def test_a_stale_tick_is_a_conflict_and_leaves_no_key(crew_login, event, lines, deckhand, captain):
    services.checklist_item_update(item=lines, state="in_progress", seen_version=1, by=captain.user)
    response = tick(crew_login(deckhand), event, lines)
    assert response.status_code == 409
    assert "was changed by Dana" in response.content.decode()
    assert state_of(lines) == ("in_progress", 2)
    assert not IdempotencyKey.objects.exists()
    # Decided afresh next time: the same key on the current version applies.
    assert tick(crew_login(deckhand), event, lines, version=2).status_code == 200
    assert state_of(lines) == ("complete", 3)


def test_a_key_used_for_another_item_is_refused(crew_login, event, lines, deckhand):
    client = crew_login(deckhand)
    tick(client, event, lines)
    other = ChecklistItem.objects.get(event=event, text="Deck washed down")
    response = tick(client, event, other)
    assert response.status_code == 409
    assert "already used for another action" in response.content.decode()
    assert state_of(other) == ("pending", 1)


def test_keys_belong_to_their_person(crew_login, event, lines, deckhand, captain):
    tick(crew_login(deckhand), event, lines)
    deck = ChecklistItem.objects.get(event=event, text="Deck washed down")
    assert tick(crew_login(captain), event, deck).status_code == 200  # the same key, another person
    assert state_of(deck) == ("complete", 2)
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space in it", "ünïcödé-key", "a/b/c/d/e/f"])
def test_a_malformed_key_is_a_400(crew_login, event, lines, deckhand, key):
    response = tick(crew_login(deckhand), event, lines, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.content.decode()
    assert state_of(lines) == ("pending", 1)


def test_crew_not_on_the_event_are_refused_and_leave_no_key(crew_login, event, lines, org):
    response = tick(crew_login(make_crew_member(org, "Nemo")), event, lines)
    assert response.status_code == 403
    assert not IdempotencyKey.objects.exists()


def test_another_brand_gets_404_and_leaves_no_key(crew_login, event, lines, outsider):
    assert tick(crew_login(outsider), event, lines).status_code == 404
    assert not IdempotencyKey.objects.exists()


def test_old_keys_are_pruned_daily(crew_login, event, lines, deckhand):
    from datetime import timedelta

    from django.utils import timezone

    from charterops.celery import app as celery_app

    tick(crew_login(deckhand), event, lines)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=31))
    tick(crew_login(deckhand), event, ChecklistItem.objects.get(event=event, text="Deck washed down"), key="k" * 20)
    assert tasks.idempotency_keys_prune() == "deleted 1 idempotency keys"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k" * 20]
    assert celery_app.conf.beat_schedule["idempotency-keys-prune"]["task"] == "crew.tasks.idempotency_keys_prune"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_tap_arriving_twice_at_once_is_applied_once(org, crew_login):
    """Two connections, one key, the same instant (a replay racing a slow first attempt):
    the unique key makes the second wait for the first, then answer already done."""
    charter_checklists(org)
    event = make_event(org)
    member = make_crew_member(org, "Casey")
    seat(event, member)
    lines = ChecklistItem.objects.get(event=event, text="Lines and fenders ready")
    clients = [crew_login(member) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def send(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[n] = tick(clients[n], event, lines)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [200] * len(clients)
    assert sorted(r.get("X-Idempotent-Replay", "applied") for r in responses) == ["already"] * 7 + ["applied"]
    assert state_of(lines) == ("complete", 2)
    assert IdempotencyKey.objects.count() == 1
