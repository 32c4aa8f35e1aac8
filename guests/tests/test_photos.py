import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from crew.tests.factories import make_event
from events.models import EventStatus
from events.services import event_transition
from guests import services
from guests.models import GuestPage, Photo, photo_window_state
from guests.storage import storage_for

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
JPEG_SIZE = len(JPEG)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def authorize(client, page, content_type="image/jpeg", size=JPEG_SIZE):
    return client.post(
        f"/u/{page.upload_token}/authorize",
        json.dumps({"content_type": content_type, "size": size}),
        content_type="application/json",
    )


def upload_local(client, slot, content=JPEG, content_type="image/jpeg", name="photo.jpg"):
    return client.post(
        slot["url"], {"Content-Type": content_type, "file": SimpleUploadedFile(name, content, content_type)}
    )


@pytest.mark.parametrize(
    ("departure_from_now", "hours", "state"),
    [
        (timedelta(hours=3), 3, "not_yet"),
        (timedelta(hours=1, minutes=59), 3, "open"),
        (-timedelta(days=7, hours=2), 3, "open"),
        (-timedelta(days=7, hours=4), 3, "closed"),
    ],
)
def test_photo_window_is_two_hours_before_to_seven_days_after(org, departure_from_now, hours, state):
    event = make_event(org, departure_at=timezone.now() + departure_from_now, hours=hours)
    assert photo_window_state(event, timezone.now()) == state


def test_photo_window_follows_the_brand_setting(org):
    org.photo_window_before_hours, org.photo_window_after_days = 24, 1
    org.save()
    event = make_event(org, departure_at=timezone.now() + timedelta(hours=20))
    assert photo_window_state(event, timezone.now()) == "open"


def test_cancelled_charter_never_opens_uploads(org):
    event = make_event(org, departure_at=timezone.now())
    event_transition(event=event, to_status=EventStatus.CANCELLED)
    assert photo_window_state(event, timezone.now()) == "closed"


def test_guest_uploads_a_photo_locally_and_it_appears_in_the_gallery(
    client: Client, sailing_now, django_capture_on_commit_callbacks
):
    page = client.get(f"/u/{sailing_now.upload_token}")
    assert page.status_code == 200
    slot = authorize(client, sailing_now).json()
    event = sailing_now.event
    assert slot["key"].startswith(f"g/photos/{event.organization.slug}/{event.public_id}/")

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_local(client, slot)

    assert response.status_code == 201
    photo = Photo.objects.get(key=slot["key"])
    assert (photo.status, photo.size) == (Photo.Status.UPLOADED, len(JPEG))
    assert storage_for(event.organization).exists(photo.key)
    html = b"".join(client.get(f"/g/{event.slug}").streaming_content).decode()
    assert f'src="/{photo.key}"' in html
    served = client.get(f"/{photo.key}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/pdf", "", "image/gif"])
def test_only_photo_types_may_be_uploaded(client: Client, sailing_now, content_type):
    response = authorize(client, sailing_now, content_type=content_type)
    assert response.status_code == 400
    assert "Only photos" in response.json()["detail"] or "content_type" in response.json()["detail"]
    assert not Photo.objects.exists()


def test_oversized_photo_is_refused_before_upload(client: Client, sailing_now, settings):
    response = authorize(client, sailing_now, size=settings.GUEST_PHOTO_MAX_BYTES + 1)
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]


def test_oversized_file_is_refused_at_the_local_upload(client: Client, sailing_now, settings):
    settings.GUEST_PHOTO_MAX_BYTES = 1000
    slot = authorize(client, sailing_now, size=500).json()
    response = upload_local(client, slot, content=JPEG + b"\x00" * 2000)
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert Photo.objects.get().status == Photo.Status.PENDING


def test_html_disguised_as_a_jpeg_is_refused(client: Client, sailing_now):
    slot = authorize(client, sailing_now).json()
    response = upload_local(client, slot, content=b"<html><script>alert(1)</script></html>" + b" " * 100)
    assert response.status_code == 400
    assert "not a photo" in response.json()["detail"]


def test_upload_must_match_the_authorized_type(client: Client, sailing_now):
    slot = authorize(client, sailing_now).json()
    response = upload_local(client, slot, content=PNG, content_type="image/png")
    assert response.status_code == 400


def test_a_photo_slot_is_used_once(client: Client, sailing_now):
    slot = authorize(client, sailing_now).json()
    assert upload_local(client, slot).status_code == 201
    assert upload_local(client, slot).status_code == 409


@pytest.mark.parametrize(
    ("departure", "message"),
    [(timedelta(days=3), "Photo uploads open"), (-timedelta(days=30), "closed")],
)
def test_outside_the_window_the_page_says_so_and_uploads_are_403(client: Client, org, departure, message):
    page = services.guest_page_publish(event=make_event(org, departure_at=timezone.now() + departure))
    upload_page = client.get(f"/u/{page.upload_token}")
    assert upload_page.status_code == 403
    assert message in upload_page.content.decode()
    response = authorize(client, page)
    assert response.status_code == 403
    assert message in response.json()["detail"]


def test_local_upload_after_the_window_closed_is_403(client: Client, org, sailing_now):
    slot = authorize(client, sailing_now).json()
    event = sailing_now.event
    from events.services import event_update

    event_update(
        event=event,
        departure_at=timezone.now() - timedelta(days=20),
        return_at=timezone.now() - timedelta(days=20) + timedelta(hours=2),
    )
    assert upload_local(client, slot).status_code == 403


@pytest.mark.parametrize("token", ["nope", "x" * 65, "%00"])
def test_unknown_upload_links_are_404(client: Client, sailing_now, token):
    assert client.get(f"/u/{token}").status_code == 404
    assert client.post(f"/u/{token}/authorize", "{}", content_type="application/json").status_code == 404


def test_one_events_upload_link_never_reaches_another_events_photo(client: Client, org, other_org, sailing_now):
    slot = authorize(client, sailing_now).json()
    other = services.guest_page_publish(event=make_event(other_org, departure_at=timezone.now()))
    photo_token = slot["url"].rsplit("/", 1)[1]
    response = client.post(
        f"/u/{other.upload_token}/photos/{photo_token}",
        {"Content-Type": "image/jpeg", "file": SimpleUploadedFile("a.jpg", JPEG, "image/jpeg")},
    )
    assert response.status_code == 404
    assert Photo.objects.get().status == Photo.Status.PENDING


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"size": "big"}', b'{"content_type": "image/jpeg"}', b"\xff"])
def test_malformed_authorize_requests_are_400(client: Client, sailing_now, body):
    response = client.post(f"/u/{sailing_now.upload_token}/authorize", body, content_type="application/json")
    assert response.status_code == 400


def test_unknown_photo_addresses_are_404(client: Client, sailing_now):
    assert client.get("/g/photos/queenofsandiego/x/y.jpg").status_code == 404
    assert client.get(f"/g/photos/a/{'0' * 36}/{'0' * 32}.jpg").status_code == 404


@pytest.mark.parametrize("guests", [1, 50])
def test_upload_page_is_one_query(client: Client, sailing_now, guests, django_assert_num_queries):
    from guests.tests.factories import make_guest

    for _ in range(guests):
        make_guest(sailing_now.event)
    with django_assert_num_queries(1):
        assert client.get(f"/u/{sailing_now.upload_token}").status_code == 200


def test_gallery_shows_uploaded_photos_only(sailing_now):
    event = sailing_now.event
    Photo.objects.create(event=event, key="g/photos/x/pending.jpg", content_type="image/jpeg")
    html = GuestPage.objects.get(pk=sailing_now.pk)
    services.guest_page_publish(event=event)
    with storage_for(event.organization).open(html.published_key) as f:
        assert "pending.jpg" not in f.read().decode()


def test_a_cancelled_charters_upload_page_says_it_was_cancelled(client: Client, sailing_now):
    event_transition(event=sailing_now.event, to_status=EventStatus.CANCELLED)
    response = client.get(f"/u/{sailing_now.upload_token}")
    assert response.status_code == 403
    assert "This charter was cancelled: there are no photos to upload." in response.content.decode()
    assert 'id="photo-form"' not in response.content.decode()
    assert authorize(client, sailing_now).status_code == 403
