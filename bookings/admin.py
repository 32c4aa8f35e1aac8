"""The event page of the back office, whose add form makes a whole booking and whose
cancel action cancels one as a platform would (crew and guests told)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from charterops.errors import DomainError
from events.admin import EventAdmin
from events.models import Event

from . import services


@admin.register(Event)
class BookingEventAdmin(EventAdmin):
    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if "mark_cancelled" in actions:
            # The same cancellation as a platform's: the crew and the guests are told.
            actions["mark_cancelled"] = (
                BookingEventAdmin.cancel_bookings,
                "mark_cancelled",
                actions["mark_cancelled"][2],
            )
        return actions

    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet) -> None:
        cancelled = 0
        for event in queryset.select_related("organization"):
            try:
                result = services.booking_cancel(event=event, reason="Cancelled in the back office.", by=request.user)
                cancelled += result.cancelled
            except (DomainError, ValidationError) as exc:
                self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} event(s); their crew and guests are told.")

    def save_model(self, request: HttpRequest, obj: Event, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.booking_create_from_instance(event=obj, by=request.user)
