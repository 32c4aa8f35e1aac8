"""Crew API routes, mounted under /api/ by the root URLconf."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/exchange", api.ExchangeApi.as_view(), name="api-auth-exchange"),
    path("events/", api.EventListApi.as_view(), name="api-events"),
    path("events/<uuid:public_id>/", api.EventDetailApi.as_view(), name="api-event-detail"),
    path("events/<uuid:public_id>/roles/<str:role>/<str:action>", api.RoleActionApi.as_view(), name="api-role"),
    path("events/<uuid:public_id>/start", api.EventStartApi.as_view(), name="api-event-start"),
    path("events/<uuid:public_id>/confirm", api.EventConfirmApi.as_view(), name="api-event-confirm"),
    path("events/<uuid:public_id>/checklists/", api.ChecklistApi.as_view(), name="api-checklist"),
    path(
        "events/<uuid:public_id>/checklists/<int:item_id>/", api.ChecklistItemApi.as_view(), name="api-checklist-item"
    ),
]
