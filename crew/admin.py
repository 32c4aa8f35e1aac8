"""Back office for crew members, role slots (on the event page) and checklist templates."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from charterops.admin import OrgScopedAdmin, OrgScopedInline, ReadOnlyAdminMixin
from charterops.display import moment
from charterops.errors import DomainError
from charterops.mail import suppressed_addresses
from charterops.models import Membership
from events.admin import register_event_inline
from events.models import EventStatus

from . import selectors, services
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
from .policy import sails_as_captain


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


class CrewMemberChangeForm(forms.ModelForm):
    """A crew member in full: the person (name, email), phone, whether they may sail as
    captain; saved through crew.services.crew_member_update."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField()
    captain_qualified = forms.BooleanField(
        label="May sail as captain", required=False, help_text="An owner of the brand always may."
    )

    class Meta:
        model = CrewMember
        fields = ["phone", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        member = self.instance
        if member.pk:
            user = member.user
            self.initial.update(first_name=user.first_name, last_name=user.last_name, email=user.email)
            role = Membership.objects.filter(user=user, organization_id=member.organization_id).values("role")[:1]
            self.initial["captain_qualified"] = sails_as_captain(role[0]["role"] if role else None)

    by = None  # who edits: set by CrewMemberAdmin.get_form

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and self.instance.pk:
            refusal = services.crew_member_update_refusal(
                crew_member=self.instance,
                by=self.by,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            if refusal is not None:
                raise refusal
        return cleaned


class CrewExternalIdInline(OrgScopedInline, admin.TabularInline):
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
    fields = [
        "organization",
        ("first_name", "last_name"),
        "email",
        "phone",
        "captain_qualified",
        "active",
        "email_status",
        "assignments",
    ]
    readonly_fields = ["organization", "email_status", "assignments"]
    actions = ["make_sign_in_link"]

    @admin.display(description="Assignments and hours")
    def assignments(self, member: CrewMember) -> str:
        """Every seat they hold on the brand's charters, with the hours of each and in all."""
        rows = selectors.assignments_of(crew_member_id=member.pk, organization_id=member.organization_id)
        if not rows:
            return "No assignments yet."
        tz = member.organization.tz
        sailed = sum(row.hours for row in rows if row.status == "completed")
        body = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{} h</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:events_event_change", args=[row.event_id]),
                    row.event_name,
                    moment(row.departure_at, tz),
                    row.slot,
                    EventStatus(row.status).label,
                    f"{row.hours:.1f}",
                    "yes" if row.acknowledged else "not yet",
                )
                for row in rows
            ),
        )
        return format_html(
            '<div class="table-scroll"><table class="cockpit-table"><thead><tr><th>Charter</th><th>Departure</th>'
            "<th>Role</th><th>Status</th><th>Hours</th><th>Acknowledged</th></tr></thead><tbody>{}</tbody></table>"
            "</div><p>{} assignment(s); {} h sailed on completed charters, {} h in all.</p>",
            body,
            len(rows),
            f"{sailed:.1f}",
            f"{sum(row.hours for row in rows):.1f}",
        )

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
        kwargs["form"] = CrewMemberAddForm if obj is None else CrewMemberChangeForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

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
            data = form.cleaned_data
            services.crew_member_update(
                crew_member=obj,
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                captain_qualified=data["captain_qualified"],
            )
            if "active" in form.changed_data:
                if obj.active:
                    CrewMember.objects.filter(pk=obj.pk).update(active=True)
                else:
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
        self._refuse_before_saving()

    def _refuse_before_saving(self) -> None:
        """Ask crew.policy (through the services' own question) about every change of holder
        now, so that a refusal shows on the form and nothing is saved — never an error beside
        "changed successfully"."""
        by = self.request.user if self.request else None
        for form in self.forms:
            if not form.instance.pk or "holder" not in form.changed_data or form.errors:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            holder = form.cleaned_data.get("holder")
            slot = form.instance
            if holder is None:
                refusal = services.role_release_refusal(slot=slot, by=by)
            else:
                refusal = services.role_designate_refusal(slot=slot, crew_member=holder, by=by, replace=True)
            if refusal is not None:
                text = refusal.message if isinstance(refusal, DomainError) else " ".join(refusal.messages)
                form.add_error("holder", text)

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
    ordering = [selectors.ROLE_RANK, "position"]  # captain, first mate, deckhands by number

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The formset needs to know who is designating (the services check it).
        return type(formset.__name__, (formset,), {"request": request})


class ChecklistTemplateItemInline(OrgScopedInline, admin.TabularInline):
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
