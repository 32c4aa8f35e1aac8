"""On a phone: a guardian signs for a minor and keeps the PDF; an adult chooses who signs;
a cancelled charter offers nothing to sign or upload. Screenshots under test-artifacts/."""

import re

import pytest

from charterops.models import OutboundEmail
from events.models import EventStatus
from events.services import event_transition
from guests.models import WaiverSignature, sha256_hex
from guests.tests.factories import make_guest, make_waiver


def draw(phone) -> None:
    pad = phone.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + 120)
    phone.mouse.down()
    for x, y in ((80, 40), (140, 130), (200, 50), (260, 110)):
        phone.mouse.move(box["x"] + x, box["y"] + y, steps=5)
    phone.mouse.up()


def link_in(email: OutboundEmail) -> str:
    return re.search(r"http\S+/w/\S+", email.body_text).group(0)


@pytest.fixture
def brand_with_charter(live_server, settings):
    from charterops.tests.factories import make_org
    from events.tests.factories import make_event

    settings.SITE_URL = live_server.url  # links in emails and on the published page
    org = make_org("queenofsandiego", name="Queen of San Diego", contact_phone="(619) 555-0100")
    make_waiver(org, body="I understand that sailing involves risks.")
    event = make_event(org, name="Boatsetter BS-991", slug="boatsetter-may-30-2030", location="Shelter Island")
    return org, event


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guardian_signs_for_a_minor_on_a_phone_and_downloads_the_copy(phone, artifact, brand_with_charter):
    _, event = brand_with_charter
    kid = make_guest(event, "Kid Guest", is_minor=True, guardian_name="Pat Parent", email="pat@example.com")
    request = OutboundEmail.objects.get(kind="waiver_request", to=["pat@example.com"])
    assert "Kid Guest" in request.subject

    phone.goto(link_in(request))
    assert "Kid Guest is under 18" in phone.locator("#minor-note").inner_text()
    assert phone.locator("#signer").count() == 0  # no "for myself" choice for a minor
    assert phone.locator("#id_relationship").is_visible()

    # The guardian types the child's name: refused, with the reason where they look.
    phone.check("#id_consent")
    phone.select_option("#id_relationship", "parent")
    phone.fill("#id_signed_name", "Kid Guest")
    draw(phone)
    phone.click("#sign-submit")
    assert "Type your own full name" in phone.locator("#error-signed_name").inner_text()
    phone.screenshot(path=artifact("guest-waiver-guardian-refused-phone.png"), full_page=True)

    phone.check("#id_consent")
    phone.fill("#id_signed_name", "Pat Parent")
    draw(phone)
    phone.click("#sign-submit")
    phone.wait_for_selector("#signed-confirmation")
    text = phone.locator("main").inner_text()
    assert "signed by Pat Parent on their behalf, as their parent" in text
    signed_at = r"Signed at \w{3} \d+ \w{3} \d{4}, \d+:\d\d:\d\d [AP]M P[DS]T \(\d{4}-\d\d-\d\d [\d:]+ UTC\)"
    assert re.search(signed_at, text)  # the real zone, then UTC
    phone.screenshot(path=artifact("guest-waiver-guardian-signed-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with phone.expect_download() as download:
        phone.click("#download-pdf")
    pdf = download.value.path().read_bytes()
    signature = WaiverSignature.objects.get(guest=kid)
    assert (signature.signer, signature.relationship, signature.signed_name) == ("guardian", "parent", "Pat Parent")
    assert sha256_hex(pdf) == signature.pdf_sha256


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_adult_chooses_who_signs_and_the_relationship_shows_only_on_their_behalf(
    phone, artifact, brand_with_charter
):
    _, event = brand_with_charter
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com")

    phone.goto(f"/w/{guest.token}")
    assert phone.is_checked("#id_signer_guest")
    assert not phone.locator("#id_relationship").is_visible()
    phone.check("#id_signer_guardian")
    assert phone.locator("#id_relationship").is_visible()
    phone.screenshot(path=artifact("guest-waiver-on-behalf-phone.png"), full_page=True)

    phone.check("#id_signer_guest")
    phone.check("#id_consent")
    phone.fill("#id_signed_name", "Taylor Guest")
    draw(phone)
    phone.click("#sign-submit")
    phone.wait_for_selector("#signed-confirmation")
    assert WaiverSignature.objects.get(guest=guest).signer == "guest"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cancelled_charter_offers_nothing_to_sign_or_upload(phone, artifact, brand_with_charter):
    _, event = brand_with_charter
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com")
    event_transition(event=event, to_status=EventStatus.CANCELLED)  # republishes the page on commit

    phone.goto(f"/g/{event.slug}")
    assert "This charter was cancelled" in phone.locator("#cancelled").inner_text()
    assert "(619) 555-0100" in phone.locator("#cancelled").inner_text()
    for offered in ("#waivers", "#photos", "#add-to-calendar", "#link-request"):
        assert phone.locator(offered).count() == 0, offered
    phone.screenshot(path=artifact("guest-page-cancelled-phone.png"), full_page=True)

    response = phone.goto(f"/w/{guest.token}")
    assert response.status == 410
    assert "This charter was cancelled: there is nothing to sign." in phone.locator("#signing-closed").inner_text()
    assert phone.locator("#sign-form").count() == 0
    phone.screenshot(path=artifact("guest-waiver-cancelled-phone.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guest_who_lost_their_link_asks_for_it_again_from_the_charter_page(phone, artifact, brand_with_charter):
    _, event = brand_with_charter
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com", phone="+1 619 555 0142")

    phone.goto(f"/g/{event.slug}")
    phone.click("#link-request")
    phone.fill("#id_contact", "(619) 555-0142")
    phone.screenshot(path=artifact("guest-link-request-phone.png"), full_page=True)
    phone.click("text=Send me my link")

    assert "Check your email" in phone.locator("h1").inner_text()
    assert "/w/" not in phone.content()
    assert "Taylor" not in phone.content()
    phone.screenshot(path=artifact("guest-link-request-sent-phone.png"), full_page=True)
    again = OutboundEmail.objects.get(kind="waiver_link_again")
    assert again.to == ["taylor@example.com"]
    assert link_in(again).endswith(f"/w/{guest.token}")
