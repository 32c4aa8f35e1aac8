"""Safety's pages: the check-in and float-plan actions of the crew event page, and the
overdue alert's acknowledgement link."""

from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("crew/events/<uuid:public_id>/check-in", views.check_in, name="check-in"),
    path("crew/events/<uuid:public_id>/walk-up", views.walk_up, name="walk-up"),
    path("crew/events/<uuid:public_id>/headcount", views.headcount, name="headcount"),
    path("crew/events/<uuid:public_id>/route", views.route, name="route"),
    path("crew/events/<uuid:public_id>/extend", views.extend, name="extend"),
    path("crew/events/<uuid:public_id>/returned", views.returned, name="returned"),
    path("crew/events/<uuid:public_id>/complete", views.complete, name="complete"),
    path("safety/overdue/<str:token>", views.acknowledge, name="acknowledge"),
]
