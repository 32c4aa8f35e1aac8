"""Revenue never reaches a guest: not the guest page, the waiver pages, the emails, or the PDF."""

from datetime import timedelta
from io import BytesIO

from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from charterops.models import OutboundEmail
from crew.tests.factories import make_event
from events.services import revenue_set
from guests import services
from guests.models import WaiverSignature
from guests.storage import storage_for
from guests.tests.factories import make_guest
from guests.tests.test_waivers import sign_form

SENTINEL = "987654"


def test_revenue_appears_on_no_guest_surface(client: Client, org, waiver, django_capture_on_commit_callbacks):
    event = make_event(org, departure_at=timezone.now() + timedelta(hours=1), name="Harbor charter")
    revenue_set(event=event, gross="987654.32", captain_rate="98765.43", crew_rate="9876.54")
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com")

    sign_page = client.get(f"/w/{guest.token}").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{guest.token}", sign_form())
    confirmation = client.get(f"/w/{guest.token}/signed").content.decode()
    page = services.guest_page_publish(event=event)
    with storage_for(org).open(page.published_key) as f:
        published = f.read().decode()
    served = b"".join(client.get(f"/g/{event.slug}").streaming_content).decode()
    upload_page = client.get(f"/u/{page.upload_token}").content.decode()
    signature = WaiverSignature.objects.get(guest=guest)
    with default_storage.open(signature.pdf_path, "rb") as f:
        pdf_text = "".join(p.extract_text() for p in PdfReader(BytesIO(f.read())).pages)
    emails = OutboundEmail.objects.filter(kind__in=["waiver_request", "waiver_copy"])

    assert emails.count() == 2  # the signing link and the signed copy
    surfaces = {
        "waiver page": sign_page,
        "confirmation": confirmation,
        "published guest page": published,
        "served guest page": served,
        "upload page": upload_page,
        "PDF": pdf_text,
        **{f"email {e.kind} text": e.body_text + e.subject for e in emails},
        **{f"email {e.kind} html": e.body_html for e in emails},
    }
    assert "Charter with" in published  # the page rendered (under its public title)
    for name, text in surfaces.items():
        for amount in (SENTINEL, "98765", "9876"):
            assert amount not in text.replace(",", ""), f"revenue in the {name}"
