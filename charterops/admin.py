"""The CharterOps back office: the Django admin, scoped to the owner's brands."""

from django.contrib import admin
from django.db import models
from django.http import Http404, HttpRequest

from .models import Membership, Organization, OutboundEmail
from .tenancy import OrgQuerySet, organizations_owned_by

admin.site.site_header = "CharterOps back office"
admin.site.site_title = "CharterOps back office"
admin.site.index_title = "Operations"


class OrgScopedAdmin(admin.ModelAdmin):
    """An admin that shows an owner only their own brands' rows.

    Rows come through the model's OrgQuerySet; choices of related rows (organization,
    vessel, event …) are limited the same way; another brand's change page is a 404.
    Superusers see every brand.
    """

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

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        related_qs = db_field.related_model._default_manager.all()
        if db_field.related_model is Organization:
            kwargs["queryset"] = self.owned_orgs(request)
            owned = list(kwargs["queryset"][:2])
            if len(owned) == 1:
                kwargs.setdefault("initial", owned[0].pk)
        elif isinstance(related_qs, OrgQuerySet) and not request.user.is_superuser:
            kwargs["queryset"] = related_qs.for_orgs(self.owned_orgs(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdminMixin:
    """A record the back office shows but never adds, changes or deletes (an audit trail)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OrgScopedInline:
    """Inline counterpart of OrgScopedAdmin: related-row choices limited to the owner's brands."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        related_qs = db_field.related_model._default_manager.all()
        if isinstance(related_qs, OrgQuerySet) and not request.user.is_superuser:
            kwargs["queryset"] = related_qs.for_orgs(organizations_owned_by(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "guest_page_domain", "time_zone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

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
        # Memberships grant back-office access; only a superuser hands them out.
        return self.inlines if request.user.is_superuser else []


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, OrgScopedAdmin):
    """The outbox: every email sent or queued, read-only."""

    list_display = ["created_at", "subject", "recipients", "kind", "status", "organization"]
    list_filter = ["status", "kind", "organization"]
    search_fields = ["subject", "to", "key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    @admin.display(description="To")
    def recipients(self, email: OutboundEmail) -> str:
        return ", ".join(email.to)

    def get_queryset(self, request: HttpRequest):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(organization__in=self.owned_orgs(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser or self.owned_orgs(request).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)
