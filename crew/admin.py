"""Back office for crew members, role slots (on the event page) and checklist templates."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from charterops.admin import OrgScopedAdmin, OrgScopedInline, ReadOnlyAdminMixin
from charterops.errors import DomainError
from charterops.mail import suppressed_addresses
from charterops.models import Membership
from events.admin import register_event_inline

from . import services
from .auth import crew_member_deactivate
from .magic_links import CREW_HOME, magic_link_create, magic_link_url
from .models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    CrewExternalId,
    CrewMember,
    MagicLink,
    RoleClaim,
    RoleSlot,
)


class CrewMemberAddForm(forms.ModelForm):
    """Adding crew asks for a person, not a user account: the account is made for them."""

    email = forms.EmailField()
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    membership_role = forms.ChoiceField(
        choices=[(Membership.Role.CREW, "Crew"), (Membership.Role.CAPTAIN, "Captain")], initial=Membership.Role.CREW
    )

    class Meta:
        model = CrewMember
        fields = ["organization", "phone"]


class CrewExternalIdInline(admin.TabularInline):
    """The ids booking platforms know this person by: a booking naming them finds them."""

    model = CrewExternalId
    extra = 1
    fields = ["source", "external_id"]
    verbose_name_plural = "Platform crew ids"


@admin.register(CrewMember)
class CrewMemberAdmin(OrgScopedAdmin):
    list_display = ["display_name", "email", "organization", "phone", "active"]
    list_filter = ["organization", "active"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "phone"]
    fields = ["user", "organization", "phone", "active", "email_status"]
    readonly_fields = ["user", "organization", "email_status"]
    actions = ["make_sign_in_link"]

    @admin.display(description="Email status")
    def email_status(self, member: CrewMember) -> str:
        """A hard bounce or complaint reported by SES: nudges no longer go to this address."""
        suppressed = suppressed_addresses([member.user.email]).get(member.user.email.lower())
        if suppressed is None:
            return "OK"
        return f"{suppressed.get_reason_display()} on {suppressed.at:%Y-%m-%d} — nudges stopped ({suppressed.detail})"

    @admin.action(description="Make a sign-in link (shown here, valid 10 minutes, single use)")
    def make_sign_in_link(self, request: HttpRequest, queryset: QuerySet[CrewMember]) -> None:
        for member in queryset.select_related("user", "organization"):
            try:
                _, code = magic_link_create(crew_member=member, deep_link=CREW_HOME, purpose=MagicLink.Purpose.SIGN_IN)
            except ValidationError as exc:
                self.message_user(request, f"{member}: {' '.join(exc.messages)}", messages.WARNING)
                continue
            self.message_user(request, f"Sign-in link for {member}: {magic_link_url(code)}", messages.SUCCESS)

    @admin.display(ordering="user__email")
    def email(self, member: CrewMember) -> str:
        return member.user.email

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CrewMemberAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["organization", "email", "first_name", "last_name", "phone", "membership_role"]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.readonly_fields if obj else []

    def get_inlines(self, request: HttpRequest, obj=None):
        return [CrewExternalIdInline] if obj else []

    def save_model(self, request: HttpRequest, obj: CrewMember, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            if "active" in form.changed_data and not obj.active:
                # Unticking "active" also ends every token the crew member holds.
                crew_member_deactivate(crew_member=obj)
            return
        data = form.cleaned_data
        created = services.crew_member_create(
            organization=data["organization"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            membership_role=data["membership_role"],
        )
        # The admin goes on to show and log the row the service made.
        obj.pk, obj.user = created.pk, created.user


class RoleSlotFormSet(forms.BaseInlineFormSet):
    """Who holds a slot changes only through crew services, as on the crew pages.

    Putting someone in a slot is a designation (recorded, the designee emailed, the
    captain's slot only for captains); emptying it is a release. A refusal is shown as a
    message and the rest of the page is still saved. A held slot cannot be deleted: its
    history would go with it.
    """

    request: HttpRequest | None = None

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form) and form.instance.holder_id:
                raise ValidationError(f"Release {form.instance.holder} from {form.instance} before deleting the slot.")

    def save_new(self, form, commit: bool = True) -> RoleSlot:
        holder = form.cleaned_data.get("holder")
        form.instance.holder = None
        slot = super().save_new(form, commit=commit)
        if holder is not None:
            self._change_holder(slot, holder)
        return slot

    def save_existing(self, form, obj: RoleSlot, commit: bool = True) -> RoleSlot:
        holder_changed = "holder" in form.changed_data
        new_holder = form.cleaned_data.get("holder")
        current = RoleSlot.objects.get(pk=obj.pk)
        obj.holder_id, obj.acknowledged_at = current.holder_id, current.acknowledged_at
        slot = super().save_existing(form, obj, commit=commit)
        if holder_changed:
            self._change_holder(slot, new_holder)
        return slot

    def _change_holder(self, slot: RoleSlot, holder: CrewMember | None) -> None:
        by = self.request.user if self.request else None
        try:
            if holder is None:
                services.role_release(slot=slot, by=by)
            else:
                # Choosing another holder in the form is the owner's confirmation of the
                # replacement; the person replaced is emailed, as from the crew page.
                services.role_designate(slot=slot, crew_member=holder, by=by, replace=True)
        except (DomainError, ValidationError) as exc:
            if self.request is not None:
                text = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
                messages.error(self.request, f"{slot}: {text}")
        slot.refresh_from_db(fields=["holder", "acknowledged_at"])


@register_event_inline
class RoleSlotInline(OrgScopedInline, admin.TabularInline):
    model = RoleSlot
    formset = RoleSlotFormSet
    extra = 0
    fields = ["role", "position", "holder", "acknowledged_at"]
    readonly_fields = ["acknowledged_at"]
    verbose_name_plural = "Crew roles"

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The formset needs to know who is designating (the services check it).
        return type(formset.__name__, (formset,), {"request": request})


class ChecklistTemplateItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    extra = 1
    fields = ["position", "text", "responsible_role", "anchor", "offset_minutes"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(OrgScopedAdmin):
    list_display = ["name", "organization", "event_type", "phase", "active"]
    list_filter = ["organization", "event_type", "phase", "active"]
    search_fields = ["name", "items__text"]
    inlines = [ChecklistTemplateItemInline]


@admin.register(RoleClaim)
class RoleClaimAdmin(ReadOnlyAdminMixin, OrgScopedAdmin):
    """Read-only audit trail of who claimed, released, designated and acknowledged what."""

    list_display = ["at", "slot", "event", "crew_member", "action", "by"]
    list_filter = ["action"]
    list_select_related = ["slot__event", "crew_member__user", "by"]
    date_hierarchy = "at"

    @admin.display(ordering="slot__event__departure_at")
    def event(self, claim: RoleClaim):
        return claim.slot.event
