"""Back office of the executive reports: owner inputs, recipients, runs (view, download,
re-send). An owner works on their brands' rows; the portfolio's rows (no brand), which
hold every brand's figures, are a superuser's."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from charterops.admin import OrgScopedAdmin

from .archive import archived_page, read_archived
from .models import Milestone, MonthlyTarget, OwnerInputs, RecipientList, ReportRun, TaskEvent, split_addresses
from .services import recipients_check, report_resend


class PortfolioRowsForSuperusers:
    """A row with no brand covers every brand: only a superuser may make or change one."""

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        if obj.organization_id is None and not request.user.is_superuser:
            raise PermissionDenied("Only a superuser manages portfolio-wide rows.")
        super().save_model(request, obj, form, change)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.is_superuser and "organization" in form.base_fields:
            form.base_fields["organization"].required = True
            form.base_fields["organization"].empty_label = None
        return form


class MonthlyTargetInline(admin.TabularInline):
    model = MonthlyTarget
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["kind", "title", "metric", "target", "starts_on", "due_on"]


@admin.register(OwnerInputs)
class OwnerInputsAdmin(PortfolioRowsForSuperusers, OrgScopedAdmin):
    list_display = ["__str__", "fixed_costs_monthly", "infrastructure_cost_monthly", "planned_platform_order"]
    inlines = [MonthlyTargetInline, MilestoneInline]
    fieldsets = [
        (None, {"fields": ["organization", "time_zone"]}),
        ("Costs", {"fields": ["fixed_costs_monthly", "infrastructure_cost_monthly"]}),
        ("Plans", {"fields": ["planned_platform_order", "jwt_key_rotated_on"]}),
    ]


class RecipientListForm(forms.ModelForm):
    class Meta:
        model = RecipientList
        fields = ["report", "organization", "from_email", "to", "bcc", "active"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                recipients_check(
                    from_email=cleaned.get("from_email", ""),
                    to=split_addresses(cleaned.get("to", "")),
                    bcc=split_addresses(cleaned.get("bcc", "")),
                )
            except ValidationError as refusal:
                for field, problems in refusal.message_dict.items():
                    for problem in problems:
                        self.add_error(field, problem)
        return cleaned


@admin.register(RecipientList)
class RecipientListAdmin(PortfolioRowsForSuperusers, OrgScopedAdmin):
    form = RecipientListForm
    list_display = ["report", "scope", "from_email", "to_count", "bcc_count", "active"]
    list_filter = ["report", "active"]

    @admin.display(description="Scope")
    def scope(self, obj: RecipientList) -> str:
        return obj.organization.name if obj.organization else "Portfolio"

    @admin.display(description="To")
    def to_count(self, obj: RecipientList) -> int:
        return len(obj.to_addresses)

    @admin.display(description="BCC")
    def bcc_count(self, obj: RecipientList) -> int:
        return len(obj.bcc_addresses)


@admin.register(ReportRun)
class ReportRunAdmin(OrgScopedAdmin):
    list_display = ["title", "report", "period_label", "status", "messages", "resends", "created_at", "links"]
    list_filter = ["report", "status"]
    readonly_fields = [
        "report",
        "organization",
        "period_label",
        "period_start",
        "period_end",
        "title",
        "summary",
        "status",
        "detail",
        "messages",
        "resends",
        "created_at",
        "links",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Report")
    def links(self, run: ReportRun) -> str:
        return format_html(
            '<a href="{}">View</a> · <a href="{}">HTML</a> · <a href="{}">CSV</a>',
            reverse("admin:reports_reportrun_view", args=[run.pk]),
            reverse("admin:reports_reportrun_html", args=[run.pk]),
            reverse("admin:reports_reportrun_csv", args=[run.pk]),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/view/", wrap(self.view_report), name="reports_reportrun_view"),
            path("<int:pk>/report.html", wrap(self.download_html), name="reports_reportrun_html"),
            path("<int:pk>/report.csv", wrap(self.download_csv), name="reports_reportrun_csv"),
            path("<int:pk>/resend/", wrap(require_POST(self.resend)), name="reports_reportrun_resend"),
            *super().get_urls(),
        ]

    def _run(self, request: HttpRequest, pk: int) -> ReportRun:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self.get_object(request, str(pk))  # another brand's run, or the portfolio's: 404

    def view_report(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "run": run,
            "opts": self.opts,
            "title": run.title,
            "page": archived_page(run),
            "can_resend": self.has_view_permission(request, run),
        }
        return TemplateResponse(request, "admin/reports/reportrun/view.html", context)

    def download_html(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(request, pk)
        response = HttpResponse(archived_page(run), content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_file_stem(run)}.html"'
        return response

    def download_csv(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(request, pk)
        response = HttpResponse(read_archived(run.csv_path), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_file_stem(run)}.csv"'
        return response

    def resend(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(request, pk)
        try:
            run = report_resend(run=run)
        except ValidationError as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
        else:
            self.message_user(request, f"Queued again: {run.title} (send #{run.resends + 1}).", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reports_reportrun_view", args=[run.pk]))


def _file_stem(run: ReportRun) -> str:
    scope = run.organization.slug if run.organization else "portfolio"
    return f"{run.report}-{scope}-{run.period_start:%Y-%m-%d}"


@admin.register(TaskEvent)
class TaskEventAdmin(admin.ModelAdmin):
    """Task failures and retries are system-wide, not a brand's: superusers only."""

    list_display = ["at", "task", "kind", "error"]
    list_filter = ["kind", "task"]
    readonly_fields = ["at", "task", "task_id", "kind", "error"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
