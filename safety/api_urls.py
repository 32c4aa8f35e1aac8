"""Safety's API routes, mounted under /api/ by the root URLconf."""

from django.urls import path

from . import api

urlpatterns = [
    path("events/<uuid:public_id>/returned", api.EventReturnedApi.as_view(), name="api-event-returned"),
]
