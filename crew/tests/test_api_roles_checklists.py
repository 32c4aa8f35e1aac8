"""Roles and checklists through the crew API: the same services as the crew pages."""

import threading

import pytest
from django.db import connection

from crew.models import ChecklistItem, RoleClaim, RoleSlot
from crew.tests.factories import make_crew_member, make_event
from events.models import EventStatus


def roles_url(event, role, action):
    return f"/api/events/{event.public_id}/roles/{role}/{action}"


@pytest.fixture
def event(org):
    return make_event(org)


def test_deckhand_claims_an_open_deckhand_slot(api_login, event, deckhand):
    response = api_login(deckhand).post(roles_url(event, "deckhand", "claim"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert {"role": "deckhand", "position": 1, "holder": "Casey", "acknowledged": True} in response.json()["roster"]
    assert RoleClaim.objects.filter(crew_member=deckhand, action="claim").count() == 1


def test_second_claim_of_a_taken_slot_gets_409(api_login, event, captain, org):
    other_captain = make_crew_member(org, "Morgan", captain=True)
    assert api_login(captain).post(roles_url(event, "captain", "claim")).status_code == 200
    response = api_login(other_captain).post(roles_url(event, "captain", "claim"))
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert "taken" in response.json()["detail"]


def test_deckhand_cannot_claim_the_captains_slot(api_login, event, deckhand):
    response = api_login(deckhand).post(roles_url(event, "captain", "claim"))
    assert response.status_code in {403, 400}
    assert not RoleSlot.objects.filter(event=event, holder=deckhand).exists()


def test_release_and_acknowledge_own_role(api_login, event, deckhand, captain, owner):
    owner_api = api_login(owner)
    assert (
        owner_api.post(
            roles_url(event, "deckhand", "designate"), {"email": deckhand.user.email}, format="json"
        ).status_code
        == 200
    )
    client = api_login(deckhand)
    acknowledged = client.post(roles_url(event, "deckhand", "acknowledge"))
    assert acknowledged.status_code == 200
    released = client.post(roles_url(event, "deckhand", "release"))
    assert released.status_code == 200
    assert not RoleSlot.objects.filter(event=event, holder=deckhand).exists()


def test_deckhand_cannot_designate_or_release_others(api_login, event, deckhand, captain, org):
    api_login(captain).post(roles_url(event, "captain", "claim"))
    other = make_crew_member(org, "Riley")
    client = api_login(deckhand)
    assert client.post(roles_url(event, "deckhand", "designate"), {"email": other.user.email}).status_code == 403
    assert client.post(roles_url(event, "captain", "release"), {"position": 1}).status_code == 403
    assert RoleSlot.objects.get(event=event, role="captain").holder == captain


def test_captain_designates_by_email_and_unknown_emails_are_400(api_login, event, captain, deckhand):
    client = api_login(captain)
    client.post(roles_url(event, "captain", "claim"))
    assert client.post(roles_url(event, "deckhand", "designate"), {"email": deckhand.user.email}).status_code == 200
    response = client.post(roles_url(event, "deckhand", "designate"), {"email": "nobody@example.com"})
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


@pytest.mark.parametrize(("role", "action"), [("bosun", "claim"), ("deckhand", "steal"), ("captain", "")])
def test_unknown_roles_and_actions_are_404(api_login, event, deckhand, role, action):
    assert api_login(deckhand).post(roles_url(event, role, action)).status_code == 404


def test_outsider_cannot_touch_our_roles(api_login, event, outsider):
    assert api_login(outsider).post(roles_url(event, "deckhand", "claim")).status_code == 404
    assert not RoleSlot.objects.filter(holder=outsider).exists()


def test_event_is_confirmed_when_every_slot_is_filled_and_acknowledged(api_login, org, captain, deckhand):
    event = make_event(org, deckhand_slots=1)
    mate = make_crew_member(org, "Sam")
    for who, role in ((captain, "captain"), (mate, "first_mate"), (deckhand, "deckhand")):
        response = api_login(who).post(roles_url(event, role, "claim"))
    assert response.json()["status"] == EventStatus.CONFIRMED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_claims_of_one_slot_give_one_200_and_nineteen_409(api_login, org, live_server):
    import requests

    from crew.auth import token_for

    event = make_event(org)
    captains = [make_crew_member(org, f"Skipper{i}", captain=True) for i in range(20)]
    tokens = [token_for(c) for c in captains]
    url = live_server.url + roles_url(event, "captain", "claim")
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def claim(token: str) -> None:
        barrier.wait()
        statuses.append(requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code)

    threads = [threading.Thread(target=claim, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    connection.close()

    assert sorted(statuses) == [200] + [409] * 19
    assert RoleSlot.objects.filter(event=event, role="captain", holder__isnull=False).count() == 1
    assert RoleClaim.objects.filter(slot__event=event, action="claim").count() == 1


# --- Checklists --------------------------------------------------------------------------


@pytest.fixture
def item(event):
    return ChecklistItem.objects.create(
        event=event, phase="pre_departure", text="Fuel checked", responsible_role="deckhand"
    )


def checklist_url(event, item=None):
    return f"/api/events/{event.public_id}/checklists/" + (f"{item.pk}/" if item else "")


def test_crew_on_the_event_ticks_an_item_with_the_version_they_saw(api_login, event, deckhand, item):
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    client = api_login(deckhand)
    assert [row["text"] for row in client.get(checklist_url(event)).json()] == ["Fuel checked"]

    response = client.patch(checklist_url(event, item), {"state": "complete", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "complete"
    assert response.json()["version"] == 2
    assert response.json()["updated_by"] == "Casey"


def test_a_stale_version_is_409_with_the_current_state(api_login, event, deckhand, item):
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    client = api_login(deckhand)
    client.patch(checklist_url(event, item), {"state": "in_progress", "version": 1}, format="json")

    response = client.patch(checklist_url(event, item), {"state": "complete", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict"
    assert body["current"]["state"] == "in_progress"
    assert body["current"]["version"] == 2
    item.refresh_from_db()
    assert item.state == "in_progress"


@pytest.mark.parametrize(
    "payload", [{"state": "done", "version": 1}, {"state": "complete"}, {"state": "complete", "version": "x"}, {}]
)
def test_bad_checklist_updates_are_400(api_login, event, deckhand, item, payload):
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    response = api_login(deckhand).patch(checklist_url(event, item), payload, format="json")
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.version == 1


def test_crew_not_on_the_event_cannot_see_or_tick_its_checklist(api_login, event, deckhand, item):
    client = api_login(deckhand)
    assert client.get(checklist_url(event)).status_code == 403
    assert client.patch(checklist_url(event, item), {"state": "complete", "version": 1}).status_code == 403
    item.refresh_from_db()
    assert item.state == "pending"


def test_items_of_another_event_are_404(api_login, event, org, deckhand, item):
    other_event = make_event(org)
    RoleSlot.objects.filter(event=other_event, role="deckhand", position=1).update(holder=deckhand)
    response = api_login(deckhand).patch(checklist_url(other_event, item), {"state": "complete", "version": 1})
    assert response.status_code == 404


def test_captain_adds_a_template_and_deckhand_may_not(api_login, event, captain, deckhand, org, other_org):
    from crew.models import ChecklistTemplate, ChecklistTemplateItem

    template = ChecklistTemplate.objects.create(
        organization=org, name="Delivery", event_type="delivery", phase="pre_departure"
    )
    ChecklistTemplateItem.objects.create(template=template, text="Charts aboard", responsible_role="captain")
    theirs = ChecklistTemplate.objects.create(
        organization=other_org, name="X", event_type="charter", phase="pre_departure"
    )
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=deckhand)
    api_login(captain).post(roles_url(event, "captain", "claim"))

    assert api_login(deckhand).post(checklist_url(event), {"template": template.pk}).status_code == 403
    assert api_login(captain).post(checklist_url(event), {"template": theirs.pk}).status_code == 400
    response = api_login(captain).post(checklist_url(event), {"template": template.pk})
    assert response.status_code == 201
    assert "Charts aboard" in [row["text"] for row in response.json()]
    # Twice is once.
    api_login(captain).post(checklist_url(event), {"template": template.pk})
    assert ChecklistItem.objects.filter(event=event, text="Charts aboard").count() == 1
