"""The event page of the back office, whose add form makes a whole booking."""

from django.contrib import admin
from django.http import HttpRequest

from events.admin import EventAdmin
from events.models import Event

from . import services


@admin.register(Event)
class BookingEventAdmin(EventAdmin):
    def save_model(self, request: HttpRequest, obj: Event, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.booking_create_from_instance(event=obj, by=request.user)
