"""The back office's admin site: the dashboard is its first page; the day's manifest is
exported from it (CSV, and a page printed for the dock)."""

import csv
from datetime import date, datetime, timedelta

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from charterops.display import csv_safe, moment
from charterops.tenancy import organizations_owned_by
from guests import selectors as guest_selectors
from guests.models import WaiverStatus

from .dashboard import dashboard, local_day_start


class BackOfficeSite(admin.AdminSite):
    site_header = "CharterOps back office"
    site_title = "CharterOps back office"
    index_title = "Today"
    index_template = "admin/backoffice/dashboard.html"
    # "View site": the crew pages an owner also uses (their events on a phone).
    site_url = "/crew/"

    def get_urls(self):
        return [
            path("manifest/", self.admin_view(self.manifest_page), name="backoffice_manifest"),
            path("manifest.csv", self.admin_view(self.manifest_csv), name="backoffice_manifest_csv"),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        organizations = list(organizations_owned_by(request.user))
        context = {"board": None, **(extra_context or {})}
        if organizations:
            now = timezone.now()
            context["board"] = dashboard(
                organizations=organizations,
                now=now,
                tz=timezone.get_current_timezone(),
                with_revenue=request.user.has_perm("events.view_revenue"),
            )
            context["today"] = timezone.localdate(now)
        return super().index(request, context)

    # --- The day's manifest ---------------------------------------------------------------

    def _manifest(self, request: HttpRequest) -> tuple[date, list]:
        """The guests of the brands' charters departing on `?day=YYYY-MM-DD` (local; today by default)."""
        today = timezone.localdate()
        try:
            day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
        except ValueError:
            day = today
        tz = timezone.get_current_timezone()
        start = local_day_start(datetime(day.year, day.month, day.day, 12, tzinfo=tz), tz)
        guests = guest_selectors.manifest_rows(
            organizations=organizations_owned_by(request.user), start=start, end=start + timedelta(days=1)
        )
        return day, guests

    def manifest_page(self, request: HttpRequest) -> TemplateResponse:
        day, guests = self._manifest(request)
        charters: dict[int, dict] = {}
        for guest in guests:
            entry = charters.setdefault(guest.event_id, {"event": guest.event, "guests": []})
            entry["guests"].append(guest)
        context = {
            **self.each_context(request),
            "title": f"Manifest — {day:%a %-d %b %Y}",
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "charters": list(charters.values()),
            "csv_url": f"{reverse('admin:backoffice_manifest_csv')}?day={day.isoformat()}",
        }
        return TemplateResponse(request, "admin/backoffice/manifest.html", context)

    def manifest_csv(self, request: HttpRequest) -> HttpResponse:
        day, guests = self._manifest(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="manifest-{day.isoformat()}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Charter",
                "Brand",
                "Departure",
                "Vessel",
                "Meeting point",
                "Guest",
                "Minor",
                "Guardian",
                "Phone",
                "Email",
                "Waiver",
            ]
        )
        for guest in guests:
            event = guest.event
            writer.writerow(
                csv_safe(
                    [
                        event.name,
                        event.organization.name,
                        moment(event.departure_at, event.organization.tz),
                        event.vessel.name if event.vessel_id else "",
                        event.location,
                        guest.name,
                        "yes" if guest.is_minor else "",
                        guest.guardian_name,
                        guest.phone,
                        guest.email,
                        WaiverStatus(guest.waiver_status()).label,
                    ]
                )
            )
        return response
