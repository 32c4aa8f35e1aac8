"""The service API for booking platforms."""

from django.urls import path

from . import api

app_name = "bookings"

urlpatterns = [
    path("api/service/events/", api.ServiceEventCreateApi.as_view(), name="service-event-create"),
    path("api/service/events/<uuid:public_id>/", api.ServiceEventDetailApi.as_view(), name="service-event-detail"),
]
