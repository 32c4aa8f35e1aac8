"""Guest-facing addresses: signing links, the published guest pages, photo uploads."""

from django.urls import path, register_converter

from . import views


class TokenConverter:
    """The alphabet of our tokens (URL-safe base64); anything else never reaches a query."""

    regex = r"[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class PhotoKeyConverter(TokenConverter):
    regex = r"[a-z0-9-]{1,50}/[0-9a-f-]{36}/[0-9a-f]{32}\.[a-z]{3,4}"


register_converter(TokenConverter, "token")
register_converter(PhotoKeyConverter, "photokey")

app_name = "guests"

urlpatterns = [
    path("w/<token:token>", views.waiver_sign, name="waiver_sign"),
    path("w/<token:token>/signed", views.waiver_signed, name="waiver_signed"),
    path("w/<token:token>/signed/waiver.pdf", views.waiver_signed_pdf, name="waiver_signed_pdf"),
    path("g/photos/<photokey:key>", views.guest_photo, name="guest_photo"),
    path("g/<slug:slug>", views.guest_page, name="guest_page"),
    path("g/<slug:slug>.ics", views.guest_calendar, name="guest_calendar"),
    path("signing-link/<token:token>", views.signing_link_request, name="signing_link_request"),
    path("u/<token:token>", views.photo_upload_page, name="photo_upload"),
    path("u/<token:token>/authorize", views.photo_authorize, name="photo_authorize"),
    path("u/<token:token>/photos/<token:photo_token>", views.photo_upload_local, name="photo_upload_local"),
    path("u/<token:token>/photos/<token:photo_token>/complete", views.photo_upload_complete, name="photo_complete"),
]
