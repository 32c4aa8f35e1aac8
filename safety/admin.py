"""Float plans in the back office: each as filed, amended and closed, read-only (the crew
page and the overdue link are where they change)."""

from django.contrib import admin

from charterops.admin import OrgScopedAdmin, ReadOnlyAdminMixin

from .models import FloatPlan, FloatPlanFiling


class FloatPlanFilingInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = FloatPlanFiling
    extra = 0
    fields = ["number", "kind", "at", "by", "subject", "body_text", "email"]
    readonly_fields = fields


@admin.register(FloatPlan)
class FloatPlanAdmin(ReadOnlyAdminMixin, OrgScopedAdmin):
    list_display = [
        "event",
        "filed_at",
        "persons_on_board",
        "expected_return_at",
        "no_later_than",
        "acknowledged_by",
        "returned_at",
        "closed_at",
    ]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["event"]
    search_fields = ["event__name"]
    fields = [
        "event",
        "area",
        "headcount",
        "persons_on_board",
        "start_override",
        "start_missing",
        "filed_at",
        "expected_return_at",
        "no_later_than",
        "acknowledged_at",
        "acknowledged_by",
        "returned_at",
        "returned_by",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [FloatPlanFilingInline]
