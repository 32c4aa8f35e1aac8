"""What guests expect of a charter page: sunset, times in the brand's clock style
everywhere, a map link, the brand's phone, an add-to-calendar file, and a public title
that is not the internal event name."""

from datetime import UTC, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from pypdf import PdfReader

from charterops.models import OutboundEmail
from events.models import EventStatus, EventType
from events.services import event_transition
from events.tests.factories import make_event
from guests import services
from guests.models import GuestPage, WaiverSignature
from guests.storage import storage_for
from guests.tests.factories import make_guest, sign

PACIFIC = ZoneInfo("America/Los_Angeles")
# 30 May 2030 in San Diego: sunset 7:50 PM.
SUNSET_SAIL = datetime(2030, 5, 30, 17, 30, tzinfo=PACIFIC)
SIGNED_AT = datetime(2030, 5, 2, 16, 5, tzinfo=UTC)


@pytest.fixture
def sunset_sail(org, waiver):
    return make_event(
        org,
        name="Boatsetter BS-991 (paid, VIP)",
        event_type=EventType.SUNSET_SAIL,
        departure_at=SUNSET_SAIL,
        hours=2.5,
        location="Shelter Island guest dock, slip 12",
    )


def published(event, suffix: str = ".html") -> str:
    with storage_for(event.organization).open(f"g/{event.slug}{suffix}", "rb") as f:
        return f.read().decode()


def guest_surfaces(client: Client, event, django_capture_on_commit_callbacks) -> dict[str, str]:
    """Every page, email and PDF a guest of `event` gets, by name."""
    guest = make_guest(event, "Taylor Guest", email="taylor@example.com")
    signing_page = client.get(f"/w/{guest.token}").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sign(guest, now=SIGNED_AT)  # a fixed moment, so no clock reading of today's can match by chance
    services.guest_page_publish(event=event)
    signature = WaiverSignature.objects.get(guest=guest)
    with default_storage.open(signature.pdf_path, "rb") as f:
        pdf = "".join(p.extract_text() for p in PdfReader(BytesIO(f.read())).pages)
    emails = {e.kind: e.subject + e.body_text + e.body_html for e in OutboundEmail.objects.all()}
    return {
        "guest page": published(event),
        "signing page": signing_page,
        "signed page": client.get(f"/w/{guest.token}/signed").content.decode(),
        "upload page": client.get(f"/u/{GuestPage.objects.get(event=event).upload_token}").content.decode(),
        "PDF": pdf,
        **{f"email {kind}": text for kind, text in emails.items()},
    }


def test_the_page_shows_sunset_in_the_brands_12_hour_style(sunset_sail):
    services.guest_page_publish(event=sunset_sail)
    html = published(sunset_sail)
    assert 'id="sunset">Sunset 7:50 PM<' in html
    assert "Departs 5:30 PM · returns 8:00 PM" in html
    assert "(PDT)" in html


def test_a_24_hour_brand_reads_19_50(org, sunset_sail):
    org.clock_style = "24h"
    org.save()
    services.guest_page_publish(event=sunset_sail)
    html = published(sunset_sail)
    assert 'id="sunset">Sunset 19:50<' in html
    assert "Departs 17:30 · returns 20:00" in html


@pytest.mark.parametrize(("style", "written", "never"), [("12h", "5:30 PM", "17:30"), ("24h", "17:30", "5:30 PM")])
def test_every_guest_surface_writes_times_in_the_brands_style(
    client: Client, org, sunset_sail, style, written, never, django_capture_on_commit_callbacks
):
    org.clock_style = style
    org.save()

    surfaces = guest_surfaces(client, sunset_sail, django_capture_on_commit_callbacks)

    assert {"email waiver_request", "email waiver_copy", "PDF", "guest page", "signing page"} <= set(surfaces)
    for where in ("guest page", "signing page", "signed page", "email waiver_request", "PDF"):
        assert written in surfaces[where], f"no {written} on the {where}"
    for where, text in surfaces.items():
        assert never not in text, f"{never} on the {where}"


def test_the_internal_event_name_never_reaches_a_guest(client: Client, sunset_sail, django_capture_on_commit_callbacks):
    surfaces = guest_surfaces(client, sunset_sail, django_capture_on_commit_callbacks)
    surfaces["calendar"] = published(sunset_sail, ".ics")
    for where, text in surfaces.items():
        assert "BS-991" not in text, f"the internal name on the {where}"
    for where in ("guest page", "signing page", "email waiver_request", "email waiver_copy", "PDF", "calendar"):
        assert "Sunset sail with Queen of San Diego" in surfaces[where], where


def test_the_owner_names_the_charter_for_guests(sunset_sail, django_capture_on_commit_callbacks):
    page = services.guest_page_publish(event=sunset_sail)
    with django_capture_on_commit_callbacks(execute=True):
        services.guest_page_update(page=page, what_to_bring="Sunscreen", public_title="  Golden hour  on the bay ")
    html = published(sunset_sail)
    assert "<h1>Golden hour on the bay</h1>" in html
    assert "<title>Golden hour on the bay — Queen of San Diego</title>" in html
    guest = make_guest(sunset_sail, email="ann@example.com")
    assert "Golden hour on the bay" in OutboundEmail.objects.get(kind="waiver_request", to=[guest.email]).subject


def test_a_map_link_opens_the_meeting_point(sunset_sail):
    services.guest_page_publish(event=sunset_sail)
    html = published(sunset_sail)
    assert 'href="https://www.google.com/maps/search/?api=1&amp;query=Shelter+Island+guest+dock%2C+slip+12"' in html


def test_no_meeting_point_no_map_link(org, waiver):
    event = make_event(org, location="")
    services.guest_page_publish(event=event)
    assert 'id="map-link"' not in published(event)


def test_the_brands_phone_is_a_tap_to_call_link(org, sunset_sail):
    services.guest_page_publish(event=sunset_sail)
    assert 'id="contact"' not in published(sunset_sail)  # none set: nothing shown
    org.contact_phone = "(619) 555-0100"
    org.save()
    services.guest_page_publish(event=sunset_sail)
    assert '<a href="tel:6195550100">(619) 555-0100</a>' in published(sunset_sail)


def test_the_guest_adds_the_charter_to_their_calendar(client: Client, org, sunset_sail):
    org.contact_phone = "+1 619 555 0100"
    org.save()
    make_guest(sunset_sail, "Taylor Guest")
    services.guest_page_publish(event=sunset_sail)
    html = published(sunset_sail)
    assert f'href="/g/{sunset_sail.slug}.ics" download' in html

    response = client.get(f"/g/{sunset_sail.slug}.ics", HTTP_HOST=org.guest_page_domain)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    [entry] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(entry["summary"]) == "Sunset sail with Queen of San Diego"
    assert entry.decoded("dtstart") == SUNSET_SAIL
    assert entry["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert str(entry["location"]) == "Shelter Island guest dock, slip 12"
    assert "+1 619 555 0100" in str(entry["description"])
    assert "Sunset: 5:30 PM" not in str(entry["description"])
    assert "Sunset: 7:50 PM" in str(entry["description"])
    assert str(entry["status"]) == "TENTATIVE"
    assert "BEGIN:VTIMEZONE" in body
    assert "Taylor" not in body


def test_a_cancelled_charter_is_cancelled_in_the_calendar_file_and_offers_no_add(sunset_sail):
    event_transition(event=sunset_sail, to_status=EventStatus.CANCELLED)
    services.guest_page_publish(event=sunset_sail)
    assert 'id="add-to-calendar"' not in published(sunset_sail)
    [entry] = icalendar.Calendar.from_ical(published(sunset_sail, ".ics")).walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED"


def test_the_calendar_file_moves_with_the_slug_and_unknown_ones_are_404(client: Client, sunset_sail):
    from events.services import event_update

    services.guest_page_publish(event=sunset_sail)
    old = f"g/{sunset_sail.slug}.ics"
    event_update(event=sunset_sail, slug="golden-hour")
    services.guest_page_publish(event=sunset_sail)
    storage = storage_for(sunset_sail.organization)
    assert storage.exists("g/golden-hour.ics")
    assert not storage.exists(old)
    assert client.get("/g/nope.ics").status_code == 404


def test_republishing_an_unchanged_charter_writes_nothing(sunset_sail):
    first = services.guest_page_publish(event=sunset_sail)
    again = services.guest_page_publish(event=sunset_sail)
    assert first.published_at == again.published_at


def test_changing_the_brands_phone_or_clock_republishes_its_upcoming_pages(
    org, sunset_sail, django_capture_on_commit_callbacks
):
    services.guest_page_publish(event=sunset_sail)
    with django_capture_on_commit_callbacks(execute=True):
        org.contact_phone, org.clock_style = "(619) 555-0100", "24h"
        org.save()
    html = published(sunset_sail)
    assert "(619) 555-0100" in html
    assert "Departs 17:30" in html
