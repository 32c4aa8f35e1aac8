"""One-click unsubscribe per kind: works without signing in, only for that person and kind."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from events.models import Event, NudgeOptOut
from events.nudges import unsubscribe_token, unsubscribe_url
from events.tests.factories import make_event
from events.tests.nudging import la, sent_to, sweep
from guests.tests.factories import make_guest, make_waiver

DEPARTURE = la(2027, 6, 5, 10, 0)
AT_24 = DEPARTURE - timedelta(hours=24)


@pytest.fixture
def reminded(org, owner, django_capture_on_commit_callbacks):
    """Ann (a guest on hold) and the owner (a pending booking) each got a nudge of their kind."""
    make_waiver(org)
    event = make_event(org, name="Harbor charter", departure_at=DEPARTURE)
    Event.objects.filter(pk=event.pk).update(created_at=AT_24 - timedelta(hours=72))
    ann = make_guest(event, "Ann Lee", email="ann@example.com")
    bob = make_guest(event, "Bob Ray", email="bob@example.com")
    type(ann).objects.filter(pk__in=[ann.pk, bob.pk]).update(created_at=DEPARTURE - timedelta(days=7))
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, AT_24)
    [to_ann] = sent_to("ann@example.com")
    return to_ann.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")


def test_the_link_opens_without_signing_in_and_unsubscribes_nobody_until_confirmed(client, reminded):
    response = client.get(reminded)
    assert response.status_code == 200
    assert "Stop reminders to sign the waiver before your charter from Queen of San Diego" in response.text
    assert "a•••@example.com" in response.text
    assert not NudgeOptOut.objects.exists()


def test_one_click_from_a_mail_app_unsubscribes_that_person_from_that_kind_only(
    org, owner, reminded, django_capture_on_commit_callbacks
):
    # A mail app POSTs the RFC 8058 body, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        reminded, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Unsubscribed" in response.text
    assert list(NudgeOptOut.objects.values_list("address", "kind")) == [("ann@example.com", "guest_on_hold")]
    # Later sweeps: Ann's reminders stop; Bob's and the owner's alerts still go.
    event = Event.objects.get()
    later_guest = make_guest(event, "Ann Again", email="ann@example.com")
    other = make_guest(event, "Cy Dee", email="cy@example.com")
    type(other).objects.filter(pk__in=[later_guest.pk, other.pk]).update(created_at=AT_24 - timedelta(days=1))
    mail.outbox.clear()
    sweep(django_capture_on_commit_callbacks, AT_24 + timedelta(minutes=1))
    assert sent_to("ann@example.com") == []
    assert len(sent_to("cy@example.com")) == 1


def test_the_same_link_twice_is_fine(client, reminded):
    client.post(reminded)
    assert client.post(reminded).status_code == 200
    assert NudgeOptOut.objects.count() == 1
    assert "Unsubscribed" in client.get(reminded).text


def test_a_tampered_link_is_a_404(client, reminded):
    assert client.get(reminded[:-3] + "xyz").status_code == 404
    assert client.post(reminded.replace("unsubscribe/", "unsubscribe/A")).status_code == 404
    assert not NudgeOptOut.objects.exists()


def test_safety_critical_kinds_cannot_be_unsubscribed_from(client, org):
    token = unsubscribe_token(organization_id=org.pk, address="olivia@example.com", kind="owner_not_started")
    assert client.post(f"/n/unsubscribe/{token}").status_code == 404
    assert not NudgeOptOut.objects.exists()


def test_a_link_names_only_its_brand(client, org, other_org):
    url = unsubscribe_url(organization_id=other_org.pk, address="ann@example.com", kind="guest_on_hold")
    client.post(url.removeprefix("http://127.0.0.1:8000"))
    assert list(NudgeOptOut.objects.values_list("organization", flat=True)) == [other_org.pk]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guest_unsubscribes_on_a_phone(phone, live_server, org):
    url = unsubscribe_url(organization_id=org.pk, address="ann@example.com", kind="guest_on_hold")
    phone.goto(url.replace("http://127.0.0.1:8000", live_server.url))
    phone.get_by_role("button", name="Unsubscribe").click()
    phone.get_by_role("heading", name="Unsubscribed").wait_for()
    assert NudgeOptOut.objects.filter(address="ann@example.com", kind="guest_on_hold").exists()
