"""A waiver that would stand up: who signed and in what capacity, only while it can still
matter, times labelled with their real zone, the PDF copy's own hash kept in the record."""

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from charterops.errors import Conflict
from charterops.models import OutboundEmail
from events.models import EventStatus
from events.services import event_transition
from events.tests.factories import make_event
from guests import services
from guests.models import WaiverSignature, sha256_hex
from guests.tests.factories import make_guest, sign, signature_png
from guests.tests.test_waivers import field_errors, sign_form


def pdf_text(signature: WaiverSignature) -> str:
    with default_storage.open(signature.pdf_path, "rb") as f:
        return "".join(page.extract_text() for page in PdfReader(BytesIO(f.read())).pages)


# --- Who signs, and in what capacity -------------------------------------------------------


def test_an_adult_says_they_sign_for_themselves(client: Client, charter, waiver):
    guest = make_guest(charter, "Taylor Guest")
    page = client.get(f"/w/{guest.token}").content.decode()
    assert "I am Taylor Guest, signing for myself" in page
    assert "I sign on behalf of Taylor Guest" in page

    client.post(f"/w/{guest.token}", sign_form(signer="guest"))

    signature = WaiverSignature.objects.get(guest=guest)
    assert (signature.signer, signature.relationship) == ("guest", "")
    assert "Signed by: Taylor Guest, the guest, for themselves" in pdf_text(signature)


def test_a_representative_signs_on_an_adults_behalf_with_their_own_name(client: Client, charter, waiver):
    guest = make_guest(charter, "Taylor Guest")

    client.post(
        f"/w/{guest.token}", sign_form(signer="guardian", relationship="representative", signed_name="Robin Agent")
    )

    signature = WaiverSignature.objects.get(guest=guest)
    assert (signature.signer, signature.relationship, signature.signed_name) == (
        "guardian",
        "representative",
        "Robin Agent",
    )
    assert "Robin Agent, on behalf of Taylor Guest, as their legal representative" in pdf_text(signature)


def test_signing_on_someones_behalf_needs_the_relationship(client: Client, charter, waiver):
    guest = make_guest(charter, "Taylor Guest")
    response = client.post(f"/w/{guest.token}", sign_form(signer="guardian", signed_name="Robin Agent"))
    assert response.status_code == 400
    assert "Say how you are related to Taylor Guest." in field_errors(response, "relationship")
    assert not WaiverSignature.objects.exists()


@pytest.mark.parametrize("typed", ["Kid Guest", "  kid   GUEST "])
def test_a_guardian_who_types_the_minors_name_is_refused(client: Client, charter, waiver, typed):
    guest = make_guest(charter, "Kid Guest", is_minor=True, guardian_name="Pat Parent")
    response = client.post(f"/w/{guest.token}", sign_form(signed_name=typed, relationship="parent"))
    assert response.status_code == 400
    assert "Type your own full name" in field_errors(response, "signed_name")
    assert not WaiverSignature.objects.exists()


def test_a_minor_cannot_be_signed_for_as_themselves(client: Client, charter, waiver):
    guest = make_guest(charter, "Kid Guest", is_minor=True)
    response = client.post(f"/w/{guest.token}", sign_form(signer="guest", signed_name="Kid Guest"))
    assert response.status_code == 400
    assert "under 18" in field_errors(response, "signer")
    assert not WaiverSignature.objects.exists()


def test_only_a_parent_or_legal_guardian_signs_for_a_minor(charter, waiver):
    guest = make_guest(charter, "Kid Guest", is_minor=True)
    with pytest.raises(Exception, match="a parent or legal guardian signs"):
        sign(guest, signed_name="Robin Agent", relationship="representative")


# --- Only while it can still matter --------------------------------------------------------


def test_a_cancelled_charter_has_nothing_to_sign(client: Client, charter, waiver):
    guest = make_guest(charter, "Taylor Guest")
    event_transition(event=charter, to_status=EventStatus.CANCELLED)

    page = client.get(f"/w/{guest.token}")
    posted = client.post(f"/w/{guest.token}", sign_form())

    assert page.status_code == posted.status_code == 410
    assert "This charter was cancelled: there is nothing to sign." in page.content.decode()
    assert 'id="sign-form"' not in page.content.decode()
    assert not WaiverSignature.objects.exists()
    with pytest.raises(Conflict, match="cancelled"):
        sign(guest)


@pytest.mark.parametrize("completed", [False, True])
def test_a_charter_back_at_the_dock_can_no_longer_be_signed(client: Client, org, waiver, completed):
    event = make_event(org, departure_at=timezone.now() - timedelta(hours=5), hours=3)
    guest = make_guest(event, "Taylor Guest")
    if completed:
        event_transition(event=event, to_status=EventStatus.CONFIRMED)
        event_transition(event=event, to_status=EventStatus.IN_PROGRESS, reason="late paperwork", override=True)
        event_transition(event=event, to_status=EventStatus.COMPLETED)

    response = client.get(f"/w/{guest.token}")

    assert response.status_code == 410
    assert "already returned" in response.content.decode()
    assert client.post(f"/w/{guest.token}", sign_form()).status_code == 410
    assert not WaiverSignature.objects.exists()


def test_a_charter_under_way_can_still_be_signed_on_the_dock(client: Client, org, waiver):
    event = make_event(org, departure_at=timezone.now() - timedelta(minutes=10), hours=3)
    guest = make_guest(event, "Taylor Guest")
    assert client.post(f"/w/{guest.token}", sign_form()).status_code == 302
    assert WaiverSignature.objects.filter(guest=guest).exists()


def test_after_the_return_a_guest_who_signed_still_gets_their_confirmation_and_copy(client: Client, org, waiver):
    event = make_event(org, departure_at=timezone.now() - timedelta(hours=5), hours=3)
    guest = make_guest(event, "Taylor Guest")
    sign(guest, now=event.departure_at - timedelta(days=1))
    assert client.get(f"/w/{guest.token}")["Location"] == f"/w/{guest.token}/signed"
    assert client.get(f"/w/{guest.token}/signed").status_code == 200
    assert client.get(f"/w/{guest.token}/signed/waiver.pdf").status_code == 200


# --- Times labelled with their real zone ----------------------------------------------------

SUMMER = datetime(2030, 5, 2, 0, 31, 2, tzinfo=UTC)  # 1 May, 5:31 PM in San Diego (PDT)
WINTER = datetime(2030, 1, 15, 18, 5, 9, tzinfo=UTC)  # 15 January, 10:05 AM (PST)


@pytest.mark.parametrize(
    ("signed_at", "label"),
    [
        (SUMMER, "Wed 1 May 2030, 5:31:02 PM PDT (2030-05-02 00:31:02 UTC)"),
        (WINTER, "Tue 15 Jan 2030, 10:05:09 AM PST (2030-01-15 18:05:09 UTC)"),
    ],
)
def test_the_record_labels_the_signing_time_with_its_real_zone(
    client: Client, org, waiver, owner, signed_at, label, django_capture_on_commit_callbacks
):
    event = make_event(org, departure_at=datetime(2030, 6, 1, 17, tzinfo=UTC))
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(guest, now=signed_at)

    signed_page = client.get(f"/w/{guest.token}/signed").content.decode()
    copy = OutboundEmail.objects.get(kind="waiver_copy")
    client.force_login(owner)  # the back office shows the owner's zone: the label must say which
    admin_page = client.get(f"/admin/guests/waiversignature/{signature.pk}/change/").content.decode()

    assert label in signed_page
    assert f"Signed at: {label}" in pdf_text(signature)
    assert label in copy.body_text
    assert label in copy.body_html
    assert label in admin_page
    assert "Signed at (UTC)" not in pdf_text(signature)


# --- The PDF copy: its hash in the record, offered on the signed page ------------------------


def test_the_record_keeps_the_sha256_of_the_pdf_stored_and_mailed(
    charter, waiver, mailoutbox, django_capture_on_commit_callbacks
):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(guest)

    with default_storage.open(signature.pdf_path, "rb") as f:
        stored = f.read()
    [copy] = [m for m in mailoutbox if "signed waiver" in m.subject]
    assert len(signature.pdf_sha256) == 64
    assert sha256_hex(stored) == signature.pdf_sha256
    assert sha256_hex(copy.attachments[0][1]) == signature.pdf_sha256
    assert WaiverSignature.objects.get(pk=signature.pk).mismatches() == []


def test_the_verify_command_notices_a_replaced_or_missing_pdf(charter, waiver):
    replaced = sign(make_guest(charter, "Ann Replaced"))
    missing = sign(make_guest(charter, "Bob Missing"))
    default_storage.delete(replaced.pdf_path)
    default_storage.save(replaced.pdf_path, BytesIO(b"%PDF-1.4 something else"))
    default_storage.delete(missing.pdf_path)

    out = StringIO()
    with pytest.raises(CommandError, match="2 of 2 signature"):
        call_command("verify_waiver_signatures", stdout=out)
    assert re.search(r"Ann Replaced.*the PDF no longer", out.getvalue())
    assert re.search(r"Bob Missing.*the PDF \(missing\)", out.getvalue())


def test_the_signed_page_offers_the_pdf_copy(client: Client, charter, waiver):
    guest = make_guest(charter, "Taylor Guest")
    client.post(f"/w/{guest.token}", sign_form())
    signature = WaiverSignature.objects.get(guest=guest)

    page = client.get(f"/w/{guest.token}/signed").content.decode()
    response = client.get(f"/w/{guest.token}/signed/waiver.pdf")

    assert f'href="/w/{guest.token}/signed/waiver.pdf"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="waiver-{charter.slug}.pdf"'
    assert sha256_hex(b"".join(response.streaming_content)) == signature.pdf_sha256


def test_no_pdf_for_a_guest_who_has_not_signed_or_an_unknown_link(client: Client, charter, waiver):
    signed = make_guest(charter)
    sign(signed)
    unsigned = make_guest(charter)
    assert client.get(f"/w/{unsigned.token}/signed/waiver.pdf").status_code == 404
    assert client.get("/w/nope/signed/waiver.pdf").status_code == 404


# --- Emails ---------------------------------------------------------------------------------


def test_the_guardians_request_names_the_minor(charter, waiver):
    guest = make_guest(charter, "Kid Guest", is_minor=True, guardian_name="Pat Parent", email="pat@example.com")
    email = OutboundEmail.objects.get(kind="waiver_request", to=["pat@example.com"])
    assert "Kid Guest" in email.subject
    assert "under 18" in email.subject
    for body in (email.body_text, email.body_html):
        assert "Hello Pat Parent" in body
        assert "Kid Guest is on the guest list" in body.replace("<strong>", "").replace("</strong>", "")
        assert "on their behalf, with their own name" in body
        assert guest.signing_url in body
    assert "Sign for Kid Guest" in email.body_html


def test_the_guest_copy_explains_the_hashes_in_plain_words(charter, waiver, django_capture_on_commit_callbacks):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(guest)
    copy = OutboundEmail.objects.get(kind="waiver_copy")
    for body in (copy.body_text, copy.body_html):
        assert "fingerprint" in body
        assert "Change a single character" in body
        for digest in (signature.text_sha256, signature.image_sha256, signature.pdf_sha256):
            assert digest in body


def test_the_service_refuses_what_the_page_refuses(charter, waiver):
    guest = make_guest(charter, "Kid Guest", is_minor=True)
    with pytest.raises(Exception, match="Type your own full name"):
        services.waiver_sign(
            guest=guest,
            template=waiver,
            signed_name="KID GUEST",
            signature_png=signature_png(),
            consent=True,
            signer="guardian",
            relationship="parent",
        )
