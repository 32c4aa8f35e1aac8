"""The service API for booking platforms."""

from django.urls import path, re_path

from . import api

app_name = "bookings"

# A booking by the platform's reference: /api/service/events/<source>/<externalRef>[/][cancel].
BY_REFERENCE = r"^api/service/events/(?P<source>[a-z]+)/(?P<external_ref>[^/]+)"

urlpatterns = [
    path("api/service/events/", api.ServiceEventCreateApi.as_view(), name="service-event-create"),
    path("api/service/events/<uuid:public_id>/", api.ServiceEventDetailApi.as_view(), name="service-event-detail"),
    re_path(
        r"^api/service/events/(?P<public_id>[0-9a-fA-F-]{36})/cancel/?$",
        api.ServiceEventCancelApi.as_view(),
        name="service-event-cancel",
    ),
    re_path(BY_REFERENCE + r"/?$", api.ServiceBookingApi.as_view(), name="service-booking"),
    re_path(BY_REFERENCE + r"/cancel/?$", api.ServiceBookingCancelApi.as_view(), name="service-booking-cancel"),
]
