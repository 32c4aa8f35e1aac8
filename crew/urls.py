"""Crew pages: phone-first, server-rendered, signed in by magic link."""

from django.urls import path

from . import pwa, signin, views

app_name = "crew"

urlpatterns = [
    # Sign-in (crew/signin.py)
    path("m/", signin.code_entry, name="code-entry"),
    path("m/<str:code>", signin.magic_link, name="magic-link"),
    path("crew/login", signin.login, name="login"),
    path("crew/logout", signin.logout, name="logout"),
    path("crew/logout/everywhere", signin.logout_everywhere, name="logout-everywhere"),
    # Pages
    path("crew/", views.home, name="home"),
    path("crew/events/<uuid:public_id>/", views.event_detail, name="event"),
    path("crew/events/<uuid:public_id>/roles/<slug:role>/<int:position>/claim", views.role_claim, name="role-claim"),
    path(
        "crew/events/<uuid:public_id>/roles/<slug:role>/<int:position>/release", views.role_release, name="role-release"
    ),
    path(
        "crew/events/<uuid:public_id>/roles/<slug:role>/<int:position>/acknowledge",
        views.role_acknowledge,
        name="role-acknowledge",
    ),
    path("crew/events/<uuid:public_id>/roles/designate", views.role_designate, name="role-designate"),
    path("crew/events/<uuid:public_id>/confirm", views.event_confirm, name="event-confirm"),
    path("crew/events/<uuid:public_id>/start", views.event_start, name="event-start"),
    path("crew/events/<uuid:public_id>/checklist", views.checklist_update, name="checklist-update"),
    path("crew/calendar/reset", views.calendar_reset, name="calendar-reset"),
    path("crew/calendar/<slug:token>.ics", views.calendar_feed, name="calendar"),
    # The installable app: each brand's manifest and icons (public, like its guest pages).
    path("crew/brands/<slug:slug>/manifest.webmanifest", pwa.brand_manifest, name="brand-manifest"),
    path("crew/brands/<slug:slug>/icon.svg", pwa.brand_icon_svg, name="brand-icon"),
    path("crew/brands/<slug:slug>/icon-<int:size>.png", pwa.brand_icon_png, name="brand-icon-png"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("sw.js", pwa.service_worker, name="service-worker"),
]
