"""The event page and list as the owner's cockpit: the allowed lifecycle moves as buttons,
the list opening on upcoming charters with the dashboard's filters, the list as CSV, and
the event's audit log with its roles, guests and (for those who may see it) revenue.

The event's admin is made by events (EventAdmin) and bookings (the whole-booking add page,
the platform's cancellation); the cockpit sits above every app, so it registers the last
subclass: it may call crew's start, the booking's cancellation and guests' override.
"""

import csv
from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from bookings.admin import BookingEventAdmin
from bookings.services import booking_cancel
from charterops.audit import AuditSource
from charterops.display import csv_safe, moment, money
from charterops.errors import DomainError
from crew import selectors as crew_selectors
from crew import services as crew_services
from crew.models import RoleSlot, slot_label
from crew.policy import CLOSED_STATUSES
from events.models import ALLOWED_TRANSITIONS, Event, EventStatus
from events.selectors import event_money
from events.services import event_transition
from guests import selectors as guest_selectors
from guests.models import Guest

from .dashboard import NEAR_DEPARTURE, local_day_start

# How each move is offered on the event page, in the lifecycle's order.
MOVES = {
    EventStatus.CONFIRMED: "Confirm",
    EventStatus.IN_PROGRESS: "Start the charter",
    EventStatus.COMPLETED: "Mark completed (back at the dock)",
    EventStatus.CANCELLED: "Cancel the booking",
}


class WhenFilter(admin.SimpleListFilter):
    """When the charters depart; the list opens on upcoming charters (not yet returned)."""

    title = "when"
    parameter_name = "when"
    DEFAULT = "upcoming"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("upcoming", "Upcoming (not yet returned)"),
            ("today", "Departing today"),
            ("next72h", "Departing within 72 h"),
            ("week", "Departing in the next 7 days"),
            ("past", "Returned"),
            ("all", "All"),
        ]

    def value(self) -> str:
        return super().value() or self.DEFAULT

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        day = local_day_start(now, timezone.get_current_timezone())
        value = self.value()
        if value == "upcoming":
            return queryset.filter(return_at__gte=now).exclude(status=EventStatus.CANCELLED)
        if value == "today":
            return queryset.filter(departure_at__gte=day, departure_at__lt=day + timedelta(days=1))
        if value == "next72h":
            return queryset.filter(departure_at__gte=now, departure_at__lt=now + NEAR_DEPARTURE)
        if value == "week":
            return queryset.filter(departure_at__gte=day, departure_at__lt=day + timedelta(days=7))
        if value == "past":
            return queryset.filter(return_at__lt=now)
        return queryset


class CrewFilter(admin.SimpleListFilter):
    """Charters still short of crew, or with designations nobody acknowledged (not closed)."""

    title = "crew"
    parameter_name = "crew"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("unfilled", "Unfilled slots"), ("unacknowledged", "Unacknowledged designations")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        slots = RoleSlot.objects.filter(event=OuterRef("pk"))
        if self.value() == "unfilled":
            wanted = slots.filter(holder__isnull=True)
        elif self.value() == "unacknowledged":
            wanted = slots.filter(holder__isnull=False, acknowledged_at__isnull=True)
        else:
            return queryset
        return queryset.filter(Exists(wanted)).exclude(status__in=CLOSED_STATUSES)


class AgeingFilter(admin.SimpleListFilter):
    """Bookings made long ago and still pending confirmation (the owners' nudge's delay)."""

    title = "booked"
    parameter_name = "ageing"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "More than 72 h ago")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(created_at__lt=timezone.now() - timedelta(hours=72))
        return queryset


class CockpitEventAdmin(BookingEventAdmin):
    change_form_template = "admin/backoffice/event_change_form.html"
    change_list_template = "admin/backoffice/event_change_list.html"
    list_filter = [WhenFilter, "status", CrewFilter, AgeingFilter, "organization", "vessel", "source"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export.csv", wrap(self.export_csv), name="events_event_export"),
            path("<int:object_id>/move/<slug:to_status>/", wrap(require_POST(self.move)), name="events_event_move"),
            *super().get_urls(),
        ]

    # --- The lifecycle as buttons ----------------------------------------------------------

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        event = self.get_object(request, object_id)
        moves = []
        if self.has_change_permission(request, event):
            allowed = ALLOWED_TRANSITIONS.get(event.status, set())
            moves = [
                {"status": status, "label": label, "url": reverse("admin:events_event_move", args=[event.pk, status])}
                for status, label in MOVES.items()
                if status in allowed
            ]
        local_day = timezone.localtime(event.departure_at, event.organization.tz).date()
        context = {
            **(extra_context or {}),
            "moves": moves,
            "status_label": event.get_status_display(),
            "manifest_url": f"{reverse('admin:backoffice_manifest')}?day={local_day.isoformat()}",
        }
        return super().change_view(request, object_id, form_url, context)

    def move(self, request: HttpRequest, object_id: int, to_status: str) -> HttpResponse:
        event = self.get_object(request, str(object_id))  # another brand's: 404
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        page = reverse("admin:events_event_change", args=[event.pk])
        before = event.get_status_display()
        try:
            if to_status == EventStatus.CANCELLED:
                reason = " ".join(request.POST.get("reason", "").split()) or "Cancelled in the back office."
                booking_cancel(event=event, reason=reason, by=request.user)
            elif to_status == EventStatus.IN_PROGRESS:
                # The captain's start: the start window and the guests-on-hold guard apply.
                crew_services.event_start(event=event, by=request.user)
            else:
                event_transition(event=event, to_status=to_status, by=request.user)
        except (DomainError, ValidationError) as refusal:
            self._refused(request, event, to_status, refusal)
            return HttpResponseRedirect(page)
        event.refresh_from_db(fields=["status"])
        told = " Its crew and guests are told by email." if to_status == EventStatus.CANCELLED else ""
        self.message_user(request, f"{event.name}: {before} → {event.get_status_display()}.{told}", messages.SUCCESS)
        return HttpResponseRedirect(page)

    def _refused(self, request: HttpRequest, event: Event, to_status: str, refusal: Exception) -> None:
        text = refusal.message if isinstance(refusal, DomainError) else " ".join(refusal.messages)
        if to_status == EventStatus.IN_PROGRESS and event.status == EventStatus.CONFIRMED:
            # Too early, or the check-in incomplete: the owner may start anyway, with a reason.
            override = reverse("admin:guests_guest_override_start", args=[event.public_id])
            self.message_user(
                request,
                format_html('{} <a href="{}">Start with an override (give a reason)</a>', text, override),
                messages.ERROR,
            )
        else:
            self.message_user(request, text, messages.ERROR)

    # --- Revenue's crew count follows the roster -------------------------------------------

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        crew_services.revenue_crew_count_refresh(event=form.instance)

    # --- The audit log: the event, its revenue, roles and guests -----------------------------

    def audit_sources(self, request: HttpRequest, obj: Event) -> list[AuditSource]:
        return [
            *super().audit_sources(request, obj),
            AuditSource(
                history=RoleSlot.audit_log.filter(event_id=obj.pk),
                describe=lambda record: f"Crew role {slot_label(record.role, record.position)}",
            ),
            AuditSource(
                history=Guest.audit_log.filter(event_id=obj.pk), describe=lambda record: f"Guest {record.name}"
            ),
        ]

    # --- The list as CSV -----------------------------------------------------------------

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The events of the list as filtered and searched, crew fill and waivers included,
        with revenue only for those who may see it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        events = list(changelist.get_queryset(request).select_related("organization", "vessel"))
        ids = [event.pk for event in events]
        orgs = sorted({event.organization_id for event in events})
        fill = crew_selectors.roster_fill(organizations=orgs, event_ids=ids)
        waivers = guest_selectors.waiver_counts(organizations=orgs, event_ids=ids)
        revenue = (
            event_money(organizations=orgs, event_ids=ids) if request.user.has_perm("events.view_revenue") else None
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="events.csv"'
        writer = csv.writer(response)
        header = [
            "Charter",
            "Brand",
            "Departure",
            "Return",
            "Status",
            "Type",
            "Vessel",
            "Source",
            "Reference",
            "Guests booked",
            "Guests listed",
            "On hold",
            "Crew slots",
            "Crew filled",
            "Guest page",
        ]
        writer.writerow(header + (["Gross"] if revenue is not None else []))
        for event in events:
            tz = event.organization.tz
            roster = fill.get(event.pk, crew_selectors.RosterFill(0, 0, 0))
            guests = waivers.get(event.pk, guest_selectors.WaiverCounts(0, 0))
            row = [
                event.name,
                event.organization.name,
                moment(event.departure_at, tz),
                moment(event.return_at, tz),
                event.get_status_display(),
                event.get_event_type_display(),
                event.vessel.name if event.vessel_id else "",
                event.get_source_display(),
                event.external_ref,
                event.guest_count,
                guests.guests,
                guests.on_hold,
                roster.slots,
                roster.filled,
                event.slug,
            ]
            if revenue is not None:
                row.append(money(revenue[event.pk].gross) if event.pk in revenue else "")
            writer.writerow(csv_safe(row))
        return response


admin.site.unregister(Event)
admin.site.register(Event, CockpitEventAdmin)
