"""Crew API routes, mounted under /api/ by the root URLconf (the event list is bookings')."""

from django.urls import path

from .api import checklists, events, exchange, roles

urlpatterns = [
    path("auth/exchange", exchange.ExchangeApi.as_view(), name="api-auth-exchange"),
    path("events/<uuid:public_id>/", events.EventDetailApi.as_view(), name="api-event-detail"),
    path("events/<uuid:public_id>/roles/<str:role>/claim", roles.RoleClaimApi.as_view(), name="api-role-claim"),
    path("events/<uuid:public_id>/roles/<str:role>/release", roles.RoleReleaseApi.as_view(), name="api-role-release"),
    path(
        "events/<uuid:public_id>/roles/<str:role>/acknowledge",
        roles.RoleAcknowledgeApi.as_view(),
        name="api-role-acknowledge",
    ),
    path(
        "events/<uuid:public_id>/roles/<str:role>/designate",
        roles.RoleDesignateApi.as_view(),
        name="api-role-designate",
    ),
    path("events/<uuid:public_id>/start", roles.EventStartApi.as_view(), name="api-event-start"),
    path("events/<uuid:public_id>/confirm", roles.EventConfirmApi.as_view(), name="api-event-confirm"),
    path("events/<uuid:public_id>/checklists/", checklists.ChecklistApi.as_view(), name="api-checklist"),
    path(
        "events/<uuid:public_id>/checklists/<int:item_id>/",
        checklists.ChecklistItemApi.as_view(),
        name="api-checklist-item",
    ),
]
