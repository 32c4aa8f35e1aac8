"""The public guest page has a guessable address: it names no guest and carries no personal link.

A guest who lost their signing link asks for it again with the email or phone the booking
has; the link goes to the guest's own email on file, and the answer never says whether
anything matched.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from charterops.models import OutboundEmail
from charterops.tests.factories import make_org
from events.models import EventStatus
from events.services import event_transition
from events.tests.factories import make_event
from guests import pages, services
from guests.models import Guest, GuestPage
from guests.storage import storage_for
from guests.tests.factories import make_guest, make_waiver, sign

BRANDS = ("jada", "queenofsandiego", "quickdumpnow", "dangerouscentaur")


def _brand_with_charters(slug: str) -> list:
    """A brand with a waiver and charters in every state a page can show, with all kinds of guests."""
    org = make_org(slug)
    make_waiver(org)
    now = timezone.now()
    upcoming = make_event(org, name=f"{slug} internal booking BS-1", location="Shelter Island guest dock")
    sailing = make_event(org, name=f"{slug} sailing now", departure_at=now - timedelta(hours=1))
    past = make_event(org, name=f"{slug} last month", departure_at=now - timedelta(days=30))
    cancelled = make_event(org, name=f"{slug} called off")
    empty = make_event(org, name=f"{slug} nobody yet")
    for event in (upcoming, sailing, past, cancelled):
        marguerite = make_guest(
            event, "Marguerite Okonkwo-Baptiste", email="marguerite@example.net", phone="+1 619 555 0142"
        )
        sign(marguerite, now=event.departure_at - timedelta(days=1))  # signed before the day
        make_guest(event, "Thaddeus Villanueva", email="thaddeus@example.net")
        make_guest(
            event, "Ottoline Villanueva", is_minor=True, guardian_name="Rosalind Villanueva", email="rv@example.net"
        )
        make_guest(event, "Philippa Barrington", email="", phone="(619) 555-0199")
    event_transition(event=cancelled, to_status=EventStatus.CANCELLED)
    return [upcoming, sailing, past, cancelled, empty]


def _secrets_of(guest: Guest) -> list[str]:
    """Everything that would identify a guest or let someone sign as them."""
    words = [w for w in re.split(r"[\s-]+", f"{guest.name} {guest.guardian_name}") if len(w) > 2]
    digits = re.sub(r"\D", "", guest.phone)
    secrets = [guest.name, guest.short_name, *words, guest.email, guest.token, guest.signing_url, digits[-7:]]
    return [s for s in secrets if s]


def _published(org) -> dict[str, str]:
    """Every file published under g/ in the brand's storage (photos aside), by name."""
    storage = storage_for(org)
    _, files = storage.listdir("g")
    found = {}
    for name in files:
        with storage.open(f"g/{name}", "rb") as f:
            found[name] = f.read().decode()
    return found


def test_no_published_page_of_any_brand_names_a_guest_or_carries_a_personal_link(client: Client, db):
    events = [event for slug in BRANDS for event in _brand_with_charters(slug)]
    for event in events:
        services.guest_page_publish(event=event)
    guests = list(Guest.objects.all())
    assert len(guests) == 4 * 4 * 4

    crawled = 0
    for event in events:
        org = event.organization
        page = GuestPage.objects.get(event=event)
        served = b"".join(client.get(f"/g/{event.slug}", HTTP_HOST=org.guest_page_domain).streaming_content).decode()
        rendered = pages.render_guest_page(event=event, page=page, now=timezone.now())
        surfaces = {f"{org.slug}/{name}": text for name, text in _published(org).items()}
        surfaces |= {f"served /g/{event.slug}": served, f"rendered {event.slug}": rendered}
        for where, text in surfaces.items():
            crawled += 1
            assert "/w/" not in text, f"a signing link on {where}"
            for guest in guests:
                for secret in _secrets_of(guest):
                    assert secret not in text, f"{secret!r} of {guest.name} on {where}"
    assert crawled >= len(events) * 3


def test_the_page_shows_how_many_guests_have_signed_and_how_to_sign(charter, waiver):
    sign(make_guest(charter))
    for _ in range(5):
        make_guest(charter)
    sign(make_guest(charter))
    # 8 guests, 2 signed… then two more sign.
    for guest in Guest.objects.filter(event=charter).with_waiver_status().filter(on_hold=True)[:2]:
        sign(guest)
    page = services.guest_page_publish(event=charter)

    html = pages.render_guest_page(event=charter, page=page, now=timezone.now())

    assert "4 of 7 guests have signed." in html
    assert "personal link in the email we sent them" in html
    assert f'href="{page.link_request_url}"' in html


def test_a_page_with_no_guests_yet_says_links_come_by_email(charter, waiver):
    page = services.guest_page_publish(event=charter)
    html = pages.render_guest_page(event=charter, page=page, now=timezone.now())
    assert "from a personal link we email them once the booking lists them" in html
    assert "of 0" not in html


# --- Asking for a lost link again ----------------------------------------------------------


@pytest.fixture
def page(charter, waiver):
    return services.guest_page_publish(event=charter)


def ask(client: Client, page: GuestPage, contact: str, ip: str = "198.51.100.20"):
    return client.post(f"/signing-link/{page.upload_token}", {"contact": contact}, REMOTE_ADDR=ip)


def links_sent() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind="waiver_link_again"))


def _without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_a_guest_gets_their_link_again_by_email(client: Client, page, charter):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")
    make_guest(charter, "Jordan Guest", email="jordan@example.com")

    response = ask(client, page, " Taylor@Example.com ")

    assert response.status_code == 200
    [email] = links_sent()
    assert email.to == ["taylor@example.com"]
    assert guest.signing_url in email.body_text
    assert guest.signing_url in email.body_html
    assert "/w/" not in response.content.decode()
    assert "Taylor" not in response.content.decode()


def test_the_answer_is_the_same_whether_or_not_anything_matched(client: Client, page, charter):
    make_guest(charter, "Taylor Guest", email="taylor@example.com")

    matched = ask(client, page, "taylor@example.com")
    unmatched = ask(client, page, "nobody@example.com")
    by_phone = ask(client, page, "+1 (858) 555 0100")

    assert matched.status_code == unmatched.status_code == by_phone.status_code == 200
    assert _without_csrf(matched.content.decode()) == _without_csrf(unmatched.content.decode())
    assert _without_csrf(matched.content.decode()) == _without_csrf(by_phone.content.decode())
    assert len(links_sent()) == 1


def test_a_phone_number_finds_the_guest_and_the_link_goes_to_their_email_on_file(client: Client, page, charter):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com", phone="+1 619-555-0142")

    ask(client, page, "(619) 555 0142")

    [email] = links_sent()
    assert email.to == ["taylor@example.com"]
    assert guest.signing_url in email.body_text


def test_a_guest_with_only_a_phone_on_file_gets_nothing_sent_anywhere(client: Client, page, charter):
    make_guest(charter, "Phone Only", email="", phone="619 555 0199")
    response = ask(client, page, "619-555-0199")
    assert response.status_code == 200
    assert links_sent() == []


def test_a_family_sharing_one_address_each_get_their_own_link(client: Client, page, charter):
    parent = make_guest(charter, "Pat Parent", email="family@example.com")
    kid = make_guest(charter, "Kid Parent", email="family@example.com", is_minor=True, guardian_name="Pat Parent")

    ask(client, page, "family@example.com")

    bodies = sorted(e.body_text for e in links_sent())
    assert len(bodies) == 2
    assert sum(parent.signing_url in body for body in bodies) == 1
    assert sum(kid.signing_url in body for body in bodies) == 1


def test_guests_of_another_charter_or_brand_are_never_matched(client: Client, page, org, other_org):
    make_guest(make_event(org, name="Another charter"), "Other Guest", email="other@example.com")
    make_waiver(other_org)
    make_guest(make_event(other_org), "Their Guest", email="theirs@example.com")

    ask(client, page, "other@example.com")
    ask(client, page, "theirs@example.com")

    assert links_sent() == []


def test_asking_twice_sends_the_link_once(client: Client, page, charter):
    make_guest(charter, "Taylor Guest", email="taylor@example.com")
    ask(client, page, "taylor@example.com")
    ask(client, page, "taylor@example.com")
    assert len(links_sent()) == 1


def test_too_many_requests_from_one_connection_are_refused_with_429(client: Client, page, settings):
    settings.GUEST_LINK_REQUESTS_PER_IP = 3
    for n in range(3):
        assert ask(client, page, f"guest{n}@example.com").status_code == 200
    refused = ask(client, page, "guest9@example.com")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.GUEST_LINK_REQUEST_WINDOW_SECONDS
    assert "Too many requests" in refused.content.decode()
    assert ask(client, page, "guest9@example.com", ip="198.51.100.99").status_code == 200


def test_one_address_asked_about_too_often_gets_no_more_mail(client: Client, page, charter, settings):
    settings.GUEST_LINK_REQUESTS_PER_CONTACT = 1
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")
    ask(client, page, "taylor@example.com", ip="198.51.100.1")
    services.guest_link_revoke(guest=guest)  # a new link, so only the limit can hold it back
    response = ask(client, page, "taylor@example.com", ip="198.51.100.2")
    assert response.status_code == 200
    assert len(links_sent()) == 1


@pytest.mark.parametrize("contact", ["", "   ", "not an address", "12345", "taylor@", "<script>@x"])
def test_input_that_is_neither_an_email_nor_a_phone_says_so(client: Client, page, contact):
    response = ask(client, page, contact)
    assert response.status_code == 400
    assert 'id="error-contact"' in response.content.decode()
    assert links_sent() == []


def test_a_cancelled_charter_sends_no_links(client: Client, page, charter):
    make_guest(charter, "Taylor Guest", email="taylor@example.com")
    event_transition(event=charter, to_status=EventStatus.CANCELLED)
    response = ask(client, page, "taylor@example.com")
    assert "This charter was cancelled" in response.content.decode()
    assert links_sent() == []


@pytest.mark.parametrize("token", ["nope", "x" * 65, "%00"])
def test_unknown_request_addresses_are_404(client: Client, page, token):
    assert client.get(f"/signing-link/{token}").status_code == 404
    assert client.post(f"/signing-link/{token}", {"contact": "a@example.com"}).status_code == 404


@pytest.mark.parametrize("guests", [1, 50])
def test_asking_runs_the_same_queries_for_1_or_50_guests(
    client: Client, page, charter, guests, django_assert_num_queries
):
    for n in range(guests):
        make_guest(charter, f"Guest Number{n}", email=f"g{n}@example.com", phone=f"619555{n:04d}")
    # the page with its event and brand; the guests matching the phone.
    with django_assert_num_queries(2):
        assert ask(client, page, "858 555 0100").status_code == 200
