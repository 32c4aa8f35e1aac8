"""The CharterOps back office: the Django admin, scoped to the owner's brands."""

import csv

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from . import outbox
from .audit import AuditSource, audit_entries
from .display import csv_safe, moment
from .models import Membership, Organization, OutboundEmail, ShoreContact
from .selectors import UNDELIVERED_STATUSES
from .tenancy import OrgQuerySet, organizations_owned_by

# The request attribute that tells choice fields whose brand the form's object is.
_BRAND_ATTR = "_charterops_form_brand"


def brand_of(obj: models.Model | None) -> int | None:
    """The organization id of a row of any brand-owned model (through its OrgQuerySet's
    path: a role slot's is its event's), or None for a row not yet made."""
    if obj is None:
        return None
    if isinstance(obj, Organization):
        return obj.pk
    direct = getattr(obj, "organization_id", None)
    if direct is not None:
        return direct
    queryset = type(obj)._default_manager.all()
    if isinstance(queryset, OrgQuerySet) and obj.pk is not None:
        return queryset.filter(pk=obj.pk).values_list(queryset.org_path, flat=True).first()
    return None


def scoped_choices(request: HttpRequest, queryset: models.QuerySet, brand: int | None = None) -> models.QuerySet:
    """Limit a choice field's rows to the form's object's brand (a new object: the brands
    the user owns). Rows of no brand (users …) are left to the field's own admin."""
    brand = brand if brand is not None else getattr(request, _BRAND_ATTR, None)
    owned = organizations_owned_by(request.user)
    if queryset.model is Organization:
        return queryset.filter(pk=brand) if brand is not None else queryset.filter(pk__in=owned)
    if isinstance(queryset, OrgQuerySet):
        return queryset.for_org(brand) if brand is not None else queryset.for_orgs(owned)
    return queryset


class BrandScopedChoices:
    """Every choice field of the form (foreign keys, many-to-many), on the page and in its
    inlines, offers only the rows of the object's brand; the form refuses any other row as
    an invalid choice, before anything is saved."""

    def _remember_brand(self, request: HttpRequest, obj) -> None:
        setattr(request, _BRAND_ATTR, brand_of(obj))

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        queryset = kwargs.get("queryset", db_field.related_model._default_manager.all())
        kwargs["queryset"] = scoped_choices(request, queryset)
        if db_field.related_model is Organization and getattr(request, _BRAND_ATTR, None) is None:
            owned = list(kwargs["queryset"][:2])
            if len(owned) == 1:
                kwargs.setdefault("initial", owned[0].pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        queryset = kwargs.get("queryset", db_field.related_model._default_manager.all())
        kwargs["queryset"] = scoped_choices(request, queryset)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OrgScopedAdmin(BrandScopedChoices, admin.ModelAdmin):
    """An admin that shows an owner only their own brands' rows.

    Rows come through the model's OrgQuerySet; choices of related rows (organization,
    vessel, crew …) are the object's brand's; list filters offer only values present in
    the owner's rows; another brand's change page is a 404. Superusers see every brand.
    A model with an audit log shows it as the object's history.
    """

    object_history_template = "admin/charterops/audit_history.html"

    def owned_orgs(self, request: HttpRequest):
        return organizations_owned_by(request.user)

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.for_orgs(self.owned_orgs(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        # Django would redirect with "doesn't exist"; another brand's row must be a plain 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} matches the given query.")
        return obj

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        self._remember_brand(request, obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_list_filter(self, request: HttpRequest):
        # A related filter would list every brand's vessels, endpoints …: only the values
        # present in the owner's own rows are offered.
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.opts.get_field(entry)
                if field.is_relation and field.many_to_one:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    # --- The audit log as the object's history ---------------------------------------------

    def audit_sources(self, request: HttpRequest, obj) -> list[AuditSource]:
        """The logs shown on the object's history page: its own; the event page adds its
        revenue (for those who may see it), crew roles and guests."""
        if not hasattr(type(obj), "audit_log"):
            return []
        return [AuditSource(history=obj.audit_log.all(), describe=lambda record: f"{self.opts.verbose_name}")]

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        sources = self.audit_sources(request, obj)
        if not sources:
            return super().history_view(request, object_id, extra_context)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to {obj}",
            "subtitle": None,
            "entries": audit_entries(sources),
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


class ReadOnlyAdminMixin:
    """A record the back office shows but never adds, changes or deletes (an audit trail)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OrgScopedInline(BrandScopedChoices):
    """Inline counterpart of OrgScopedAdmin: related-row choices are the parent's brand's,
    the rows' own (hidden) ids included."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        self._remember_brand(request, obj)
        formset = super().get_formset(request, obj, **kwargs)
        brand = brand_of(obj)

        def add_fields(formset_self, form, index) -> None:
            formset.add_fields(formset_self, form, index)
            own_id = form.fields.get(formset_self.model._meta.pk.name)
            if own_id is not None and getattr(own_id, "queryset", None) is not None:
                own_id.queryset = scoped_choices(request, own_id.queryset, brand)

        return type(formset.__name__, (formset,), {"add_fields": add_fields})


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ShoreContactInline(admin.TabularInline):
    model = ShoreContact
    extra = 1
    verbose_name = "shore contact (receives float plans and overdue alerts)"


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "guest_page_domain", "time_zone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, ShoreContactInline]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).filter(pk__in=organizations_owned_by(request.user))

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No organization matches the given query.")
        return obj

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def get_inlines(self, request: HttpRequest, obj=None):
        # Memberships grant back-office access; only a superuser hands them out. The shore
        # contacts who receive the float plans are the owner's to keep.
        return self.inlines if request.user.is_superuser else [ShoreContactInline]


class UndeliveredFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "undelivered"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Not delivered (failed, bounced, complained)")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(status__in=UNDELIVERED_STATUSES) if self.value() == "yes" else queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, OrgScopedAdmin):
    """The outbox: every email sent or queued, read-only. Live secrets (sign-in codes,
    signing and unsubscribe links) are masked wherever the outbox shows or exports them."""

    list_display = ["sent_or_made", "shown_subject", "recipients", "kind_label", "status", "organization"]
    list_filter = [UndeliveredFilter, "status", "kind", "organization"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    fields = [
        "organization",
        "kind_label",
        "status",
        "recipients",
        "from_email",
        "shown_subject",
        "created_at",
        "sent_at",
        "attempts",
        "error",
        "preview",
        "text_body",
        "shown_headers",
        "attachment_names",
    ]
    readonly_fields = fields
    actions = ["export_csv"]

    def get_queryset(self, request: HttpRequest):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(organization__in=self.owned_orgs(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        owned = self.owned_orgs(request)
        if obj is not None:
            return owned.filter(pk=obj.organization_id).exists()
        return owned.exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @staticmethod
    def _secrets(email: OutboundEmail) -> set[str]:
        return outbox.secrets_in(email.subject, email.body_text, email.body_html, str(email.headers))

    @admin.display(description="When", ordering="created_at")
    def sent_or_made(self, email: OutboundEmail) -> str:
        return moment(email.sent_at or email.created_at)

    @admin.display(description="Subject", ordering="subject")
    def shown_subject(self, email: OutboundEmail) -> str:
        return outbox.masked(email.subject, self._secrets(email))

    @admin.display(description="To")
    def recipients(self, email: OutboundEmail) -> str:
        return ", ".join(email.to)

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, email: OutboundEmail) -> str:
        return outbox.kind_label(email.kind)

    @admin.display(description="Text")
    def text_body(self, email: OutboundEmail) -> str:
        return format_html("<pre>{}</pre>", outbox.masked(email.body_text, self._secrets(email)))

    @admin.display(description="As the reader sees it")
    def preview(self, email: OutboundEmail) -> str:
        if not email.body_html:
            return "—"
        html = outbox.masked(email.body_html, self._secrets(email))
        # Rendered in a sandbox: no script runs, no form submits, nothing reaches this page.
        return format_html(
            '<iframe class="email-preview" sandbox="" referrerpolicy="no-referrer" title="Email preview" '
            'srcdoc="{}"></iframe>',
            html,
        )

    @admin.display(description="Headers")
    def shown_headers(self, email: OutboundEmail) -> str:
        if not email.headers:
            return "—"
        secrets = self._secrets(email)
        lines = [f"{name}: {outbox.masked(str(value), secrets)}" for name, value in email.headers.items()]
        return format_html("<pre>{}</pre>", "\n".join(lines))

    @admin.display(description="Attachments")
    def attachment_names(self, email: OutboundEmail) -> str:
        return ", ".join(a.get("name", "") for a in email.attachments) or "—"

    @admin.action(description="Export the selected emails as CSV (secrets masked)", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: models.QuerySet) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="outbox.csv"'
        writer = csv.writer(response)
        writer.writerow(["Recorded", "Sent", "Brand", "Kind", "Status", "To", "Subject", "Text", "Error"])
        for email in queryset.select_related("organization"):
            secrets = self._secrets(email)
            writer.writerow(
                csv_safe(
                    [
                        moment(email.created_at),
                        moment(email.sent_at) if email.sent_at else "",
                        email.organization.name if email.organization else "",
                        outbox.kind_label(email.kind),
                        email.get_status_display(),
                        ", ".join(email.to),
                        outbox.masked(email.subject, secrets),
                        outbox.masked(email.body_text, secrets),
                        email.error,
                    ]
                )
            )
        return response
