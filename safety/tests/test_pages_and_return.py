"""The check-in on the crew event page, "Back at the dock" (page and API), and the
completion that follows: the post-return checklist, or an owner."""

import re
from datetime import timedelta

import pytest

from crew.models import ChecklistItem, ChecklistPhase, RoleSlot
from events.models import EventStatus
from guests.tests.factories import make_guest, sign
from safety.models import CheckIn, FloatPlan
from safety.tests.helpers import board, start


def page(client, event) -> str:
    return client.get(f"/crew/events/{event.public_id}/").content.decode()


def url(event, action: str) -> str:
    return f"/crew/events/{event.public_id}/{action}"


def test_the_captain_taps_a_guest_aboard_from_the_page(crew_login, charter, captain):
    guest = make_guest(charter, "Taylor Guest", email="taylor@guests.example", phone="+16195550777")
    client = crew_login(captain)
    html = page(client, charter)
    assert 'id="panel-checkin"' in html
    assert "Taylor Guest" in html
    assert "taylor@guests.example" not in html
    assert "+16195550777" not in html
    assert "1234.56" not in html

    response = client.post(url(charter, "check-in"), {"guest": guest.pk, "version": 0, "boarded": "yes"})

    assert response.status_code == 303
    assert CheckIn.objects.get(guest=guest).boarded
    assert "POB 3" in page(client, charter)


def test_a_stale_tap_answers_409_with_who_changed_it(crew_login, charter, captain, first_mate):
    guest = make_guest(charter, "Taylor Guest")
    board(charter, guest, first_mate.user)
    response = crew_login(captain).post(url(charter, "check-in"), {"guest": guest.pk, "version": 0, "boarded": "no"})
    assert response.status_code == 409
    assert "was marked aboard by Riley" in response.content.decode()


def test_a_deckhand_sees_the_check_in_but_has_no_buttons_and_is_refused(crew_login, charter, deckhand):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    guest = make_guest(charter, "Taylor Guest")
    client = crew_login(deckhand)
    html = page(client, charter)
    assert "Taylor Guest" in html
    assert "data-check-in-form" not in html
    assert "Back at the dock" not in html
    response = client.post(url(charter, "check-in"), {"guest": guest.pk, "version": 0, "boarded": "yes"})
    assert response.status_code == 403
    assert not CheckIn.objects.filter(guest=guest, boarded=True).exists()


@pytest.mark.parametrize("action", ["check-in", "walk-up", "headcount", "route", "extend", "returned", "complete"])
def test_another_brands_crew_get_404(crew_login, charter, outsider, action):
    guest = make_guest(charter)
    response = crew_login(outsider).post(url(charter, action), {"guest": guest.pk, "version": 0, "boarded": "yes"})
    assert response.status_code == 404


def test_malformed_input_is_a_clear_refusal_not_a_500(crew_login, charter, captain):
    client = crew_login(captain)
    assert client.post(url(charter, "check-in"), {"guest": "9×40", "version": 0}).status_code == 404
    guest = make_guest(charter)
    bad_version = client.post(url(charter, "check-in"), {"guest": guest.pk, "version": "x", "boarded": "yes"})
    assert bad_version.status_code == 400
    assert client.post(url(charter, "headcount"), {"headcount": "lots"}).status_code == 400
    start(charter, captain, reason="Guest stays ashore")
    assert client.post(url(charter, "extend"), {"minutes": "9999"}).status_code == 400


def test_walk_up_headcount_and_start_from_the_page(crew_login, charter, captain):
    client = crew_login(captain)
    added = client.post(
        url(charter, "walk-up"), {"name": "Walk Up", "email": "walk@example.com", "phone": "+16195550999"}
    )
    assert added.status_code == 303
    walk_up = CheckIn.objects.select_related("guest").get(walk_up=True).guest
    sign(walk_up)
    assert client.post(url(charter, "headcount"), {"headcount": "3"}).status_code == 303
    assert 'data-testid="ready"' in page(client, charter)

    assert client.post(f"/crew/events/{charter.public_id}/start").status_code == 303

    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    html = page(client, charter)
    assert 'data-testid="float-plan"' in html
    assert "Back at the dock" in html


def test_the_start_card_shows_exactly_who_is_missing(crew_login, charter, captain):
    make_guest(charter, "Sam Late")
    response = crew_login(captain).post(f"/crew/events/{charter.public_id}/start")
    assert response.status_code == 409
    assert "not checked in: Sam Late" in response.content.decode()


def test_the_captain_extends_from_the_page_and_an_amended_plan_is_filed(crew_login, charter, captain):
    start(charter, captain)
    before = FloatPlan.objects.get(event=charter).no_later_than
    assert crew_login(captain).post(url(charter, "extend"), {"minutes": "60"}).status_code == 303
    plan = FloatPlan.objects.get(event=charter)
    assert plan.no_later_than == before + timedelta(minutes=60)
    assert plan.filings.filter(kind="amended").count() == 1


def test_back_at_the_dock_brings_the_post_return_checklist_and_ticking_it_completes(crew_login, charter, captain):
    start(charter, captain)
    client = crew_login(captain)

    assert client.post(url(charter, "returned")).status_code == 303

    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS
    html = page(client, charter)
    assert re.search(r"Post-return checklist:</strong> 1 item left", html)
    item = ChecklistItem.objects.get(event=charter, phase=ChecklistPhase.POST_RETURN)
    ticked = client.post(
        f"/crew/events/{charter.public_id}/checklist", {"item": item.pk, "state": "complete", "version": item.version}
    )
    assert ticked.status_code == 303
    charter.refresh_from_db()
    assert charter.status == EventStatus.COMPLETED


def test_ticking_the_post_return_checklist_before_the_return_completes_nothing(crew_login, charter, captain):
    start(charter, captain)
    item = ChecklistItem.objects.get(event=charter, phase=ChecklistPhase.POST_RETURN)
    crew_login(captain).post(
        f"/crew/events/{charter.public_id}/checklist", {"item": item.pk, "state": "complete", "version": item.version}
    )
    charter.refresh_from_db()
    assert charter.status == EventStatus.IN_PROGRESS


def test_an_owner_completes_a_returned_charter_a_captain_cannot(crew_login, charter, captain, owner):
    start(charter, captain)
    crew_login(captain).post(url(charter, "returned"))
    assert crew_login(captain).post(url(charter, "complete")).status_code == 403
    assert crew_login(owner).post(url(charter, "complete")).status_code == 303
    charter.refresh_from_db()
    assert charter.status == EventStatus.COMPLETED


def test_back_at_the_dock_through_the_api(api_login, charter, captain, deckhand, outsider):
    start(charter, captain)
    endpoint = f"/api/events/{charter.public_id}/returned"
    assert api_login(outsider).post(endpoint).status_code == 404
    assert api_login(deckhand).post(endpoint).status_code == 403

    response = api_login(captain).post(endpoint)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == EventStatus.IN_PROGRESS  # the post-return checklist is left
    assert body["returned_at"]
    assert body["float_plan_closed_at"]
    assert api_login(captain).post(endpoint).status_code == 409


def test_without_a_post_return_checklist_the_return_completes_the_charter(api_login, charter, captain):
    ChecklistItem.objects.filter(event=charter, phase=ChecklistPhase.POST_RETURN).delete()
    start(charter, captain)
    assert api_login(captain).post(f"/api/events/{charter.public_id}/returned").json()["status"] == "completed"


def test_a_guest_boarded_after_signing_counts_as_ready(charter, captain):
    guest = make_guest(charter)
    sign(guest)
    board(charter, guest, captain.user)
    assert CheckIn.objects.get(guest=guest).version == 1


def test_a_check_in_replayed_from_the_phones_queue_is_applied_once(crew_login, charter, captain):
    guest = make_guest(charter, "Taylor Guest")
    client = crew_login(captain)
    tap = {"guest": guest.pk, "version": 0, "boarded": "yes"}
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_IDEMPOTENCY_KEY": "0b5e7f9e2f4c4f7a9c1e3d2b1a0f9e8d"}

    first = client.post(url(charter, "check-in"), tap, **headers)
    again = client.post(url(charter, "check-in"), tap, **headers)

    assert (first.status_code, first["X-Item-Version"]) == (200, "1")
    assert (again.status_code, again["X-Item-Version"], again["X-Idempotent-Replay"]) == (200, "1", "already")
    assert CheckIn.objects.get(guest=guest).version == 1
    off = client.post(
        url(charter, "check-in"),
        {"guest": guest.pk, "version": 1, "boarded": "no"},
        HTTP_HX_REQUEST="true",
        HTTP_IDEMPOTENCY_KEY="1b5e7f9e2f4c4f7a9c1e3d2b1a0f9e8d",
    )
    assert off["X-Item-Version"] == "2"
    assert not CheckIn.objects.get(guest=guest).boarded


def test_a_walk_up_with_only_a_phone_gets_the_link_by_text_from_the_captains_phone(
    crew_login, charter, captain, deckhand
):
    RoleSlot.objects.filter(event=charter, role="deckhand", position=1).update(holder=deckhand)
    crew_login(captain).post(url(charter, "walk-up"), {"name": "Phone Only", "phone": "+16195550999"})
    guest = CheckIn.objects.select_related("guest").get(walk_up=True).guest

    html = page(crew_login(captain), charter)

    assert 'href="sms:+16195550999?&amp;body=' in html
    assert guest.token in html
    assert guest.token not in page(crew_login(deckhand), charter)  # deckhands see names only
    sign(guest)
    assert "sms:" not in page(crew_login(captain), charter)
