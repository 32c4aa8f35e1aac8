"""Guest pages and photos against a real S3-compatible HTTP endpoint (moto's server)."""

import base64
import json
from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.utils import timezone

from crew.tests.factories import make_event
from guests import services
from guests.models import Photo
from guests.tests.conftest import BRAND_BUCKET, DEFAULT_BUCKET

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 1024


def post_to_bucket(slot: dict, content: bytes, name: str = "photo.jpg") -> requests.Response:
    return requests.post(slot["url"], data=slot["fields"], files={"file": (name, content)}, timeout=10)


@pytest.fixture
def sailing_now(s3_org):
    event = make_event(s3_org, departure_at=timezone.now() - timedelta(hours=1), name="Sunset sail")
    return services.guest_page_publish(event=event)


def test_published_page_is_an_html_object_with_cache_control_in_the_brands_bucket(s3, s3_org, waiver, settings):
    event = make_event(s3_org, name="Harbor charter")

    services.guest_page_publish(event=event)

    head = s3.head_object(Bucket=BRAND_BUCKET, Key=f"g/{event.slug}.html")
    assert head["ContentType"].startswith("text/html")
    assert head["CacheControl"] == settings.GUEST_PAGE_CACHE_CONTROL
    body = s3.get_object(Bucket=BRAND_BUCKET, Key=f"g/{event.slug}.html")["Body"].read().decode()
    assert "Charter with" in body


def test_the_page_in_the_bucket_is_served_at_its_clean_url(client: Client, s3_org):
    event = make_event(s3_org, name="Harbor charter")
    services.guest_page_publish(event=event)
    response = client.get(f"/g/{event.slug}")
    assert response.status_code == 200
    assert "Charter with" in b"".join(response.streaming_content).decode()


def test_brand_without_a_bucket_uses_the_default_bucket_under_its_own_prefix(s3, org, settings):
    settings.AWS_STORAGE_BUCKET_NAME = DEFAULT_BUCKET
    event = make_event(org, name="Harbor charter")
    services.guest_page_publish(event=event)
    head = s3.head_object(Bucket=DEFAULT_BUCKET, Key=f"brands/{org.slug}/g/{event.slug}.html")
    assert head["ContentType"].startswith("text/html")


def test_presigned_post_policy_fixes_key_size_and_type(client: Client, sailing_now, settings):
    response = client.post(
        f"/u/{sailing_now.upload_token}/authorize",
        json.dumps({"content_type": "image/jpeg", "size": len(JPEG)}),
        content_type="application/json",
    )
    assert response.status_code == 201
    slot = response.json()
    policy = json.loads(base64.b64decode(slot["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": BRAND_BUCKET} in conditions
    assert {"key": slot["key"]} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, settings.GUEST_PHOTO_MAX_BYTES] in conditions
    assert slot["fields"]["key"] == slot["key"]
    event = sailing_now.event
    assert slot["key"].startswith(f"g/photos/{event.organization.slug}/{event.public_id}/")
    assert slot["key"].endswith(".jpg")


def test_guest_uploads_a_jpeg_straight_to_the_bucket(
    client: Client, s3, sailing_now, django_capture_on_commit_callbacks
):
    slot = client.post(
        f"/u/{sailing_now.upload_token}/authorize",
        json.dumps({"content_type": "image/jpeg", "size": len(JPEG)}),
        content_type="application/json",
    ).json()

    assert post_to_bucket(slot, JPEG).status_code in {200, 201, 204}
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(slot["complete_url"])

    assert done.status_code == 200
    head = s3.head_object(Bucket=BRAND_BUCKET, Key=slot["key"])
    assert (head["ContentType"], head["ContentLength"]) == ("image/jpeg", len(JPEG))
    photo = Photo.objects.get(key=slot["key"])
    assert photo.status == Photo.Status.UPLOADED
    page = s3.get_object(Bucket=BRAND_BUCKET, Key=f"g/{sailing_now.event.slug}.html")["Body"].read().decode()
    assert f'src="/{slot["key"]}"' in page


@pytest.mark.parametrize(
    ("content_type", "size", "message"),
    [
        ("text/html", 100, "Only photos"),
        ("image/svg+xml", 100, "Only photos"),
        ("image/jpeg", 16 * 1024 * 1024, "too large"),
    ],
)
def test_html_svg_or_oversized_uploads_are_refused(client: Client, sailing_now, content_type, size, message):
    response = client.post(
        f"/u/{sailing_now.upload_token}/authorize",
        json.dumps({"content_type": content_type, "size": size}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Photo.objects.exists()


def test_a_file_that_breaks_the_rules_on_arrival_is_deleted_and_refused(client: Client, s3, sailing_now, settings):
    slot = client.post(
        f"/u/{sailing_now.upload_token}/authorize",
        json.dumps({"content_type": "image/jpeg", "size": 100}),
        content_type="application/json",
    ).json()
    # S3 itself enforces the policy; the server checks again what actually arrived.
    post_to_bucket(slot, b"<html><script>alert(1)</script></html>")

    response = client.post(slot["complete_url"])

    assert response.status_code == 400
    assert "not a photo" in response.json()["detail"]
    assert s3.list_objects_v2(Bucket=BRAND_BUCKET, Prefix=slot["key"]).get("KeyCount", 0) == 0
    assert Photo.objects.get(key=slot["key"]).status == Photo.Status.PENDING


def test_completing_before_the_upload_arrived_is_refused(client: Client, sailing_now):
    slot = client.post(
        f"/u/{sailing_now.upload_token}/authorize",
        json.dumps({"content_type": "image/jpeg", "size": 100}),
        content_type="application/json",
    ).json()
    response = client.post(slot["complete_url"])
    assert response.status_code == 400
    assert "not arrived" in response.json()["detail"]


def test_outside_the_window_the_upload_is_403(client: Client, s3_org):
    page = services.guest_page_publish(event=make_event(s3_org, departure_at=timezone.now() + timedelta(days=2)))
    response = client.post(
        f"/u/{page.upload_token}/authorize",
        json.dumps({"content_type": "image/jpeg", "size": 100}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "Photo uploads open" in response.json()["detail"]
