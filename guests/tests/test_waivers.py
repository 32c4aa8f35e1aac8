import base64
import html
import re
from io import BytesIO, StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError
from pypdf import PdfReader

from charterops.models import OutboundEmail, SuppressedAddress
from crew.tests.factories import make_event
from guests import selectors, services
from guests.models import Guest, WaiverSignature, WaiverTemplate, sha256_hex
from guests.tests.factories import blank_png, make_guest, make_waiver, sign, signature_png


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def sign_form(**overrides) -> dict:
    return {"consent": "on", "signed_name": "Taylor Guest", "signature": data_url(signature_png()), **overrides}


def field_errors(response, field: str) -> str:
    """The text of the error list the signing page shows under `field`."""
    found = re.search(rf'<ul class="errorlist" id="error-{field}">(.*?)</ul>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


# --- Signing through the page -------------------------------------------------------------


def test_guest_signs_the_current_waiver_through_their_link(client, charter, waiver, django_capture_on_commit_callbacks):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/w/{guest.token}", sign_form(), HTTP_USER_AGENT="Mobile Safari", REMOTE_ADDR="198.51.100.4"
        )

    assert response.status_code == 302
    assert response["Location"] == f"/w/{guest.token}/signed"
    signature = WaiverSignature.objects.get(guest=guest)
    png = signature_png()
    assert (signature.signed_name, signature.consent, signature.template) == ("Taylor Guest", True, waiver)
    assert (signature.ip_address, signature.user_agent) == ("198.51.100.4", "Mobile Safari")
    assert signature.text_sha256 == sha256_hex(f"{waiver.title}\n\n{waiver.body}")
    assert signature.image_sha256 == sha256_hex(png)
    assert bytes(signature.signature_png) == png
    assert signature.signed_at.utcoffset().total_seconds() == 0
    confirmation = client.get(response["Location"])
    assert "the waiver is signed" in confirmation.content.decode()


def test_a_guest_who_asks_for_no_offers_is_left_out_of_the_reachable_contacts(client, charter, waiver):
    quiet = make_guest(charter, "Quinn Quiet", email="Quinn@Example.com")
    keen = make_guest(charter, "Kim Keen", email="kim@example.com")
    page = client.get(f"/w/{quiet.token}").content.decode()
    assert f"No news or offers from {charter.organization.name}, please." in page

    client.post(f"/w/{quiet.token}", sign_form(signed_name="Quinn Quiet", no_offers="on"))
    client.post(f"/w/{keen.token}", sign_form(signed_name="Kim Keen"))

    quiet.refresh_from_db()
    keen.refresh_from_db()
    assert (quiet.marketing_opt_out, keen.marketing_opt_out) == (True, False)
    # The same address on another charter of the brand stays out: the person said no.
    make_guest(make_event(charter.organization), "Quinn again", email="quinn@example.com")
    assert selectors.reachable_contacts(organizations=[charter.organization_id]) == 1


def test_an_address_ses_reported_bouncing_is_not_a_reachable_contact(charter):
    make_guest(charter, "Bo Bounce", email="bo@example.com")
    make_guest(charter, "Cy Fine", email="cy@example.com")
    SuppressedAddress.objects.create(
        address="bo@example.com", reason=SuppressedAddress.Reason.BOUNCED, at=charter.departure_at
    )

    assert selectors.reachable_contacts(organizations=[charter.organization_id]) == 1


def test_guest_cannot_sign_twice(client, charter, waiver):
    guest = make_guest(charter, "Taylor Guest")

    first = client.post(f"/w/{guest.token}", sign_form())
    second = client.post(f"/w/{guest.token}", sign_form(signed_name="Someone Else"))

    assert first.status_code == second.status_code == 302
    assert WaiverSignature.objects.filter(guest=guest).count() == 1
    assert WaiverSignature.objects.get(guest=guest).signed_name == "Taylor Guest"


def test_signing_twice_through_the_service_returns_the_first_signature(charter, waiver):
    guest = make_guest(charter)
    first, created = services.waiver_sign(
        guest=guest, template=waiver, signed_name="A B", signature_png=signature_png(), consent=True
    )
    again, created_again = services.waiver_sign(
        guest=guest, template=waiver, signed_name="C D", signature_png=signature_png(), consent=True
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": ""}, "consent", "Tick the box to agree to sign electronically."),
        ({"signed_name": "   "}, "signed_name", "Type your full name."),
        ({"signature": ""}, "signature", "Draw your signature in the box."),
        ({"signature": data_url(blank_png())}, "signature", "Draw your signature in the box."),
        ({"signature": "data:image/png;base64,@@not base64@@"}, "signature", "could not be read"),
        ({"signature": "data:image/svg+xml;base64,PHN2Zz4="}, "signature", "could not be read"),
        ({"signature": data_url(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)}, "signature", "could not be read"),
        ({"signature": data_url(b"GIF89a" + b"0" * 30)}, "signature", "could not be read"),
    ],
)
def test_bad_signing_input_says_what_is_wrong_and_records_nothing(client, charter, waiver, change, field, message):
    guest = make_guest(charter)
    data = {k: v for k, v in sign_form(**change).items() if v != ""}

    response = client.post(f"/w/{guest.token}", data)

    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert not WaiverSignature.objects.exists()


def test_oversized_signature_image_is_refused(client, charter, waiver, settings):
    settings.GUEST_SIGNATURE_MAX_BYTES = 50_000
    guest = make_guest(charter)
    huge = signature_png() + b"\0" * 60_000

    response = client.post(f"/w/{guest.token}", sign_form(signature=data_url(huge)))

    assert response.status_code == 400
    assert "too large" in field_errors(response, "signature")
    assert not WaiverSignature.objects.exists()
    with pytest.raises(Exception, match="too large"):
        services.waiver_sign(guest=guest, template=waiver, signed_name="A", signature_png=huge, consent=True)


def test_huge_signature_dimensions_are_refused(charter, waiver):
    guest = make_guest(charter)
    with pytest.raises(Exception, match="too large"):
        services.waiver_sign(
            guest=guest, template=waiver, signed_name="A", signature_png=signature_png(5000, 2000), consent=True
        )


def test_minor_is_signed_for_by_a_guardian(client, charter, waiver):
    guest = make_guest(charter, "Kid Guest", is_minor=True, guardian_name="Pat Parent")

    page = client.get(f"/w/{guest.token}")
    assert "Parent or guardian's full name" in html.unescape(page.content.decode())
    client.post(f"/w/{guest.token}", sign_form(signed_name="Pat Parent", relationship="parent"))

    signature = WaiverSignature.objects.get(guest=guest)
    assert (signature.signer, signature.relationship, signature.signed_name) == ("guardian", "parent", "Pat Parent")


def test_a_guest_whose_birthday_makes_them_a_minor_is_marked_minor(charter):
    departure = charter.local(charter.departure_at).date()
    guest = make_guest(charter, date_of_birth=departure.replace(year=departure.year - 10))
    assert guest.is_minor


def test_minor_cannot_sign_for_themselves(charter, waiver):
    guest = make_guest(charter, is_minor=True)
    with pytest.raises(Exception, match="parent or guardian"):
        services.waiver_sign(
            guest=guest, template=waiver, signed_name="Kid", signature_png=signature_png(), consent=True
        )


@pytest.mark.parametrize("token", ["nope", "x" * 65, "x" * 500, "%00", "../../etc/passwd", "' OR 1=1 --"])
def test_unknown_or_malformed_signing_links_are_404(client, charter, waiver, token):
    make_guest(charter)
    assert client.get(f"/w/{token}").status_code == 404
    assert client.post(f"/w/{token}", sign_form()).status_code == 404


def test_revoked_signing_link_is_404_and_the_new_one_works(client, charter, waiver):
    guest = make_guest(charter)
    old = guest.token

    services.guest_link_revoke(guest=guest)

    assert client.get(f"/w/{old}").status_code == 404
    assert client.get(f"/w/{guest.token}").status_code == 200


def test_signed_guest_opening_their_link_sees_the_confirmation(client, charter, waiver):
    guest = make_guest(charter)
    sign(guest)
    response = client.get(f"/w/{guest.token}")
    assert response.status_code == 302
    assert response["Location"].endswith("/signed")


def test_unsigned_guest_cannot_open_the_confirmation(client, charter, waiver):
    guest = make_guest(charter)
    assert client.get(f"/w/{guest.token}/signed")["Location"] == f"/w/{guest.token}"


def test_no_waiver_published_tells_the_guest_there_is_nothing_to_sign(client, charter):
    guest = make_guest(charter)
    response = client.get(f"/w/{guest.token}")
    assert response.status_code == 200
    assert "Nothing to sign yet" in response.content.decode()


@pytest.mark.parametrize("guests", [1, 50])
def test_signing_page_runs_the_same_queries_for_1_or_50_guests(
    client, org, charter, waiver, guests, django_assert_num_queries
):
    first = make_guest(charter)
    for _ in range(guests - 1):
        make_guest(charter)
    # guest + event + brand + vessel (one join), the current waiver, its signature.
    with django_assert_num_queries(3):
        assert client.get(f"/w/{first.token}").status_code == 200


# --- Integrity ----------------------------------------------------------------------------


def test_signature_cannot_be_edited(charter, waiver):
    signature = sign(make_guest(charter))
    signature.signed_name = "Forged"
    with pytest.raises(ValueError, match="never changed"):
        signature.save()


def test_signed_guest_cannot_be_deleted(charter, waiver):
    guest = make_guest(charter)
    sign(guest)
    with pytest.raises(Exception, match="signed a waiver"):
        services.guest_remove(guest=guest)
    with pytest.raises(ProtectedError):
        Guest.objects.filter(pk=guest.pk).delete()


def test_published_waiver_text_cannot_be_edited(waiver):
    waiver.body = "Something else"
    with pytest.raises(ValueError, match="new version"):
        waiver.save()


def test_editing_the_text_makes_a_new_version_and_old_signatures_still_verify(org, charter, waiver):
    guest = make_guest(charter)
    old_signature = sign(guest)

    new = services.waiver_publish(organization=org, title=waiver.title, body=waiver.body + " Also: no diving.")

    assert (waiver.version, new.version) == (1, 2)
    assert WaiverTemplate.objects.current_for(org) == new
    old_signature.refresh_from_db()
    assert old_signature.template == waiver
    assert old_signature.mismatches() == []
    assert old_signature.text_sha256 == sha256_hex(waiver.text) != new.text_sha256
    assert Guest.objects.filter(pk=guest.pk).on_hold().exists()  # the new version is not signed yet


def test_recomputed_hashes_match(charter, waiver):
    signatures = [sign(make_guest(charter)) for _ in range(3)]
    for signature in WaiverSignature.objects.filter(pk__in=[s.pk for s in signatures]).select_related("template"):
        assert signature.text_sha256 == sha256_hex(signature.template.text)
        assert signature.image_sha256 == sha256_hex(bytes(signature.signature_png))


def test_verify_command_reports_all_good(charter, waiver):
    sign(make_guest(charter))
    out = StringIO()
    call_command("verify_waiver_signatures", stdout=out)
    assert "Checked 1 signature(s): all hashes match." in out.getvalue()


def test_verify_command_reports_tampered_text_and_image(charter, waiver):
    sign(make_guest(charter, "Ann Tampered"))
    tampered_image = sign(make_guest(charter, "Bob Tampered"))
    sign(make_guest(charter, "Cy Fine"))
    WaiverTemplate.objects.filter(pk=waiver.pk).update(body="Edited behind everyone's back.")
    WaiverSignature.objects.filter(pk=tampered_image.pk).update(signature_png=b"other")

    out = StringIO()
    with pytest.raises(CommandError, match="3 of 3 signature"):
        call_command("verify_waiver_signatures", stdout=out)
    report = out.getvalue()
    assert "Ann Tampered" in report
    assert "text" in report
    assert "Bob Tampered" in report
    assert "image" in report


# --- The copy -----------------------------------------------------------------------------


def test_guest_gets_a_pdf_copy_with_the_hashes(charter, waiver, django_capture_on_commit_callbacks, mailoutbox):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(guest)

    assert default_storage.exists(signature.pdf_path)
    with default_storage.open(signature.pdf_path, "rb") as f:
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(f.read())).pages)
    assert signature.text_sha256 in text
    assert signature.image_sha256 in text
    assert "Taylor Guest" in text
    assert waiver.title in text
    copy = OutboundEmail.objects.get(kind="waiver_copy")
    assert copy.to == ["taylor@example.com"]
    assert copy.status == OutboundEmail.Status.SENT
    sent = [m for m in mailoutbox if "signed waiver" in m.subject]
    assert len(sent) == 1
    assert sent[0].attachments[0][0].endswith(".pdf")
    assert sent[0].attachments[0][2] == "application/pdf"


def test_the_copy_is_stored_and_mailed_once_when_the_task_runs_twice(
    charter, waiver, django_capture_on_commit_callbacks
):
    from guests.tasks import send_waiver_copy

    guest = make_guest(charter, email="taylor@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(guest)
        send_waiver_copy(signature.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_waiver_copy(signature.pk)
    assert OutboundEmail.objects.filter(kind="waiver_copy").count() == 1


def test_guest_added_with_email_gets_their_signing_link(charter, waiver):
    guest = make_guest(charter, "Taylor Guest", email="taylor@example.com")
    email = OutboundEmail.objects.get(kind="waiver_request")
    assert email.to == ["taylor@example.com"]
    assert f"/w/{guest.token}" in email.body_text
    assert f"/w/{guest.token}" in email.body_html


def test_a_new_waiver_version_asks_upcoming_guests_to_sign_again(org, charter, waiver):
    make_guest(charter, email="taylor@example.com")
    past = make_event(org, departure_at=charter.departure_at.replace(year=2020))
    make_guest(past, email="old@example.com")

    make_waiver(org, body="Version two.")

    requests = OutboundEmail.objects.filter(kind="waiver_request")
    assert requests.filter(key__endswith=":v2").count() == 1
    assert requests.get(key__endswith=":v2").to == ["taylor@example.com"]


# --- Tenancy ------------------------------------------------------------------------------


def test_a_guest_link_never_signs_another_brands_waiver(other_org, charter, waiver):
    other_waiver = make_waiver(other_org)
    guest = make_guest(charter)
    with pytest.raises(Exception, match="another brand"):
        services.waiver_sign(
            guest=guest, template=other_waiver, signed_name="A", signature_png=signature_png(), consent=True
        )


def test_a_revoked_link_answers_the_branded_404_that_says_what_to_do(client, charter, waiver):
    guest = make_guest(charter)
    old = guest.token
    services.guest_link_revoke(guest=guest)
    response = client.get(f"/w/{old}")
    assert response.status_code == 404
    assert "This signing link does not work" in response.content.decode()
    assert "ask for your link again from the charter page" in response.content.decode()
