"""Back office for guests (also inline on the event page) and waiver texts."""

from django.contrib import admin
from django.http import HttpRequest

from charterops.admin import OrgScopedAdmin
from events.admin import register_event_inline

from .models import Guest, WaiverTemplate


@register_event_inline
class GuestInline(admin.TabularInline):
    model = Guest
    extra = 0
    fields = ["name", "email", "phone", "date_of_birth", "is_minor", "guardian_name"]
    verbose_name_plural = "Guests (manifest)"


@admin.register(Guest)
class GuestAdmin(OrgScopedAdmin):
    list_display = ["name", "event", "organization", "email", "is_minor"]
    list_filter = ["organization", "is_minor"]
    list_select_related = ["event", "organization"]
    search_fields = ["name", "email", "event__name", "event__slug"]
    autocomplete_fields = ["event"]
    exclude = ["organization"]


@admin.register(WaiverTemplate)
class WaiverTemplateAdmin(OrgScopedAdmin):
    """Waiver versions are append-only: an edit is published as a new version."""

    list_display = ["title", "organization", "version", "created_at"]
    list_filter = ["organization"]
    readonly_fields = ["version", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Signatures point at the exact text signed; the text itself never changes.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
