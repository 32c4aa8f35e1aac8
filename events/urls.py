"""Addresses of events that people open from an email: unsubscribing from a kind of nudge."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("n/unsubscribe/<str:token>", views.nudge_unsubscribe, name="nudge-unsubscribe"),
]
