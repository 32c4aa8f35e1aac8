"""The owner hides, shows again or deletes guest photos in the back office — before or after
they appear on the guest page — and every act is recorded with who and when."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from charterops.errors import Conflict
from events.tests.factories import make_event
from guests import services
from guests.models import GuestPage, Photo, PhotoModeration
from guests.storage import storage_for
from guests.tests.test_photos import JPEG, authorize, upload_local

CHANGELIST = "/admin/guests/photo/"


def uploaded(page: GuestPage) -> Photo:
    upload = services.photo_upload_authorize(page=page, content_type="image/jpeg", size=len(JPEG))
    file = SimpleUploadedFile("photo.jpg", JPEG, "image/jpeg")
    return services.photo_upload_receive(photo=upload.photo, file=file, content_type="image/jpeg")


def gallery(page: GuestPage) -> str:
    services.guest_page_publish(event=page.event)
    with storage_for(page.event.organization).open(f"g/{page.event.slug}.html", "rb") as f:
        return f.read().decode()


def act(client: Client, action: str, *photos: Photo):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [p.pk for p in photos]}, follow=True)


@pytest.fixture
def owner_client(client: Client, owner):
    client.force_login(owner)
    return client


def test_the_owner_hides_a_photo_and_it_leaves_the_page(owner_client, owner, sailing_now):
    photo, kept = uploaded(sailing_now), uploaded(sailing_now)
    assert photo.path in gallery(sailing_now)

    response = act(owner_client, "hide_photos", photo)

    assert "1 photo(s) hidden; the guest page is updated." in response.content.decode()
    photo.refresh_from_db()
    assert photo.status == Photo.Status.HIDDEN
    html = gallery(sailing_now)
    assert photo.path not in html
    assert kept.path in html
    assert Client().get(photo.path).status_code == 404  # not served to guests any more
    [record] = PhotoModeration.objects.filter(photo=photo)
    assert (record.action, record.by, record.organization_id) == ("hide", owner, photo.organization_id)
    assert abs((timezone.now() - record.at).total_seconds()) < 60
    listing = owner_client.get(CHANGELIST).content.decode()
    assert "Hidden by olivia-owner" in listing


def test_a_hidden_photo_can_be_shown_again(owner_client, sailing_now):
    photo = uploaded(sailing_now)
    act(owner_client, "hide_photos", photo)
    act(owner_client, "show_photos", photo)
    assert photo.path in gallery(sailing_now)
    assert list(PhotoModeration.objects.filter(photo=photo).values_list("action", flat=True)) == ["hide", "show"]


def test_deleting_removes_the_file_and_keeps_the_record(owner_client, owner, sailing_now):
    photo = uploaded(sailing_now)
    storage = storage_for(sailing_now.event.organization)
    assert storage.exists(photo.key)

    act(owner_client, "delete_photos", photo)

    photo.refresh_from_db()
    assert photo.status == Photo.Status.DELETED
    assert not storage.exists(photo.key)
    assert photo.path not in gallery(sailing_now)
    assert PhotoModeration.objects.get(photo=photo).by == owner
    page = owner_client.get(f"{CHANGELIST}{photo.pk}/change/").content.decode()
    assert "Deleted by the owner" in page
    assert "Moderation (who and when)" in page


def test_a_photo_deleted_before_it_arrives_is_refused_when_it_does(owner_client, client, sailing_now):
    slot = authorize(client, sailing_now).json()
    photo = Photo.objects.get(key=slot["key"])
    act(owner_client, "delete_photos", photo)

    response = upload_local(Client(), slot)

    assert response.status_code == 409
    assert "removed by the organizer" in response.json()["detail"]
    assert not storage_for(sailing_now.event.organization).exists(photo.key)


def test_a_refused_moderation_says_why(owner_client, sailing_now):
    photo = uploaded(sailing_now)
    response = act(owner_client, "show_photos", photo)  # it is not hidden
    assert "This photo is uploaded: it cannot be shown again." in response.content.decode()
    assert not PhotoModeration.objects.exists()
    with pytest.raises(Conflict):
        services.photo_moderate(photo=photo, action="show", by=None)


def test_the_owner_sees_a_hidden_photo_in_the_back_office(owner_client, sailing_now):
    photo = uploaded(sailing_now)
    act(owner_client, "hide_photos", photo)
    response = owner_client.get(f"{CHANGELIST}{photo.pk}/image/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG


def test_another_brands_owner_can_neither_see_nor_moderate_the_photos(client: Client, other_owner, sailing_now):
    photo = uploaded(sailing_now)
    client.force_login(other_owner)

    assert photo.key not in client.get(CHANGELIST).content.decode()
    assert client.get(f"{CHANGELIST}{photo.pk}/image/").status_code == 404
    assert client.get(f"{CHANGELIST}{photo.pk}/change/").status_code == 404
    act(client, "hide_photos", photo)

    photo.refresh_from_db()
    assert photo.status == Photo.Status.UPLOADED
    assert not PhotoModeration.objects.exists()


def test_crew_have_no_back_office(client: Client, captain, sailing_now):
    photo = uploaded(sailing_now)
    client.force_login(captain.user)
    assert client.get(CHANGELIST).status_code == 302  # to the back-office login
    act(client, "hide_photos", photo)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.UPLOADED


@pytest.mark.parametrize("photos", [1, 20])
def test_the_photo_list_runs_the_same_queries_for_1_or_20_photos(
    owner_client, org, sailing_now, photos, django_assert_num_queries
):
    for _ in range(photos):
        act(owner_client, "hide_photos", uploaded(sailing_now))
    make_event(org)
    owner_client.get(CHANGELIST)  # sessions and caches warm
    # session, user, the owner's brands, the brand filter's choices, count ×2, two checks that
    # the owner has brands (actions), the page of photos with their event and last moderation.
    with django_assert_num_queries(9):
        assert owner_client.get(CHANGELIST).status_code == 200
