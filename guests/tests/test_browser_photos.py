"""On a phone: a guest picks several photos, sees each one's preview and progress, and
the ones that arrive show on the charter page. Screenshots under test-artifacts/."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from guests import services
from guests.models import Photo


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


# The uploader sends two photos at once: SQLite's in-memory test database refuses concurrent
# writes ("table is locked"), PostgreSQL takes them as production does.
@pytest.mark.postgres
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guest_uploads_several_photos_with_previews_and_progress(phone, artifact, live_server, settings):
    from charterops.tests.factories import make_org
    from events.tests.factories import make_event

    settings.SITE_URL = live_server.url
    org = make_org("queenofsandiego", name="Queen of San Diego")
    event = make_event(org, name="Sunset sail", departure_at=timezone.now() - timedelta(hours=1))
    page = services.guest_page_publish(event=event)

    phone.goto(f"/u/{page.upload_token}")
    assert phone.locator("#photo-submit").is_disabled()
    phone.set_input_files(
        "#photo-files",
        [
            {"name": "sunset.jpg", "mimeType": "image/jpeg", "buffer": jpeg("orange")},
            {"name": "crew.jpg", "mimeType": "image/jpeg", "buffer": jpeg("navy")},
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"},
        ],
    )
    items = phone.locator("#photo-status li")
    assert items.count() == 3
    # A preview of each photo; what the browser cannot draw (a HEIC, here a text file) gets a stand-in.
    phone.wait_for_selector("#photo-status .upload-thumb-none")
    phone.wait_for_function("[...document.querySelectorAll('#photo-status img')].every(i => i.naturalWidth > 0)")
    assert phone.locator("#photo-status img").count() == 2
    assert "Upload 3 photos" in phone.locator("#photo-submit").inner_text()
    phone.screenshot(path=artifact("guest-photos-chosen-phone.png"), full_page=True)

    phone.click("#photo-submit")
    phone.wait_for_function("document.getElementById('photo-summary').textContent.length > 0")

    statuses = [items.nth(i).locator(".upload-status").inner_text() for i in range(3)]
    assert statuses[:2] == ["Uploaded", "Uploaded"]
    assert "Not a photo we can take" in statuses[2]
    assert [items.nth(i).locator("progress").evaluate("p => p.value") for i in range(2)] == [100, 100]
    assert phone.locator("#photo-summary").inner_text().startswith("2 of 3 photos uploaded.")
    phone.screenshot(path=artifact("guest-photos-uploaded-phone.png"), full_page=True)
    assert Photo.objects.filter(event=event, status=Photo.Status.UPLOADED).count() == 2

    phone.goto(f"/g/{event.slug}")
    assert phone.locator("#gallery img").count() == 2
