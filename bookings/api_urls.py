"""The event list under /api/: crew read it (crew.api.events), owners add to it (a booking)."""

from django.urls import path

from . import api

urlpatterns = [
    path("events/", api.EventsApi.as_view(), name="api-events"),
]
