"""Back office for vessels, events and revenue, service keys, and webhook endpoints with
their deliveries."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from charterops.admin import OrgScopedAdmin, OrgScopedInline, ReadOnlyAdminMixin
from charterops.audit import AuditSource
from charterops.display import moment, money
from charterops.errors import DomainError
from charterops.models import OutboundEmail

from . import services, webhook_http, webhooks
from .models import (
    Event,
    EventStatus,
    EventTransition,
    Nudge,
    NudgeOptOut,
    NudgeStatus,
    Revenue,
    ServiceKey,
    Vessel,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from .nudges import kind_named
from .service_keys import service_key_create, service_key_revoke

# Inlines that later apps (crew: role slots; guests: the manifest) add to the event page,
# so that events never imports them.
EXTRA_EVENT_INLINES: list[type] = []


def register_event_inline(inline: type) -> type:
    EXTRA_EVENT_INLINES.append(inline)
    return inline


@admin.register(Vessel)
class VesselAdmin(OrgScopedAdmin):
    list_display = ["name", "organization", "capacity", "home_port", "active"]
    list_filter = ["organization", "active"]
    search_fields = ["name", "home_port"]


class RevenueForm(forms.ModelForm):
    class Meta:
        model = Revenue
        fields = [*services.REVENUE_FIELDS]
        labels = {
            "gross": "Gross (USD)",
            "captain_rate": "Captain rate (USD per hour)",
            "crew_rate": "Crew rate (USD per person per hour)",
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        # A crew count typed by hand is the owner's figure: the roster no longer moves it.
        if "crew_count" in self.changed_data and "crew_count_override" not in self.changed_data:
            cleaned["crew_count_override"] = True
            self.instance.crew_count_override = True
        return cleaned


class RevenueInline(OrgScopedInline, admin.StackedInline):
    """The event's money, with its currency. Shown only to those holding events.view_revenue
    (Django's inline permissions): crew never do."""

    model = Revenue
    form = RevenueForm
    can_delete = False
    max_num = 1
    readonly_fields = ["captain_fee_shown", "crew_wages_shown", "port_fees_shown", "net_shown"]
    fields = [
        "gross",
        ("captain_rate", "captain_hours"),
        ("crew_rate", "crew_hours"),
        ("crew_count", "crew_count_override"),
        "port_fee_pct",
        ("captain_fee_shown", "crew_wages_shown", "port_fees_shown", "net_shown"),
    ]

    @admin.display(description="Captain fee")
    def captain_fee_shown(self, revenue: Revenue) -> str:
        return money(revenue.captain_fee) if revenue.pk else "—"

    @admin.display(description="Crew wages")
    def crew_wages_shown(self, revenue: Revenue) -> str:
        return money(revenue.crew_wages) if revenue.pk else "—"

    @admin.display(description="Port fees")
    def port_fees_shown(self, revenue: Revenue) -> str:
        return money(revenue.port_fees) if revenue.pk else "—"

    @admin.display(description="Net")
    def net_shown(self, revenue: Revenue) -> str:
        return money(revenue.net) if revenue.pk else "—"


class TransitionInline(ReadOnlyAdminMixin, OrgScopedInline, admin.TabularInline):
    model = EventTransition
    extra = 0
    readonly_fields = ["move", "by", "at", "reason"]
    fields = readonly_fields
    verbose_name_plural = "Status history"

    @admin.display(description="Move")
    def move(self, transition: EventTransition) -> str:
        return f"{transition.get_from_status_display()} → {transition.get_to_status_display()}"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("by")


def _transition_action(to_status: EventStatus, verb: str):
    def action(modeladmin: "EventAdmin", request: HttpRequest, queryset: QuerySet) -> None:
        moved = 0
        for event in queryset.select_related("organization"):
            try:
                services.event_transition(event=event, to_status=to_status, by=request.user)
                moved += 1
            except (DomainError, ValidationError) as exc:
                modeladmin.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
        if moved:
            modeladmin.message_user(request, f"{verb} {moved} event(s).", messages.SUCCESS)

    action.__name__ = f"mark_{to_status}"
    action.short_description = f"Mark selected events {EventStatus(to_status).label.lower()}"
    action.allowed_permissions = ("change",)
    return action


class EventAdmin(OrgScopedAdmin):
    """The event page of the back office. Registered by the bookings app, whose add page
    makes a whole booking (slots and checklists too); events alone has no crew to give."""

    list_display = ["name", "organization", "local_departure", "vessel", "status", "source", "slug"]
    list_filter = ["organization", "status", ("departure_at", admin.DateFieldListFilter), "vessel", "source"]
    list_select_related = ["organization", "vessel"]
    search_fields = ["name", "slug", "external_ref", "location"]
    date_hierarchy = "departure_at"
    readonly_fields = ["status", "public_id", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "slug", "event_type", "vessel", "status"]}),
        ("When and where", {"fields": ["departure_at", "return_at", "location"]}),
        ("Booking", {"fields": ["source", "external_ref", "guest_count"]}),
        ("Crew", {"fields": ["notes", "nudges_enabled"]}),
        ("Record", {"fields": ["public_id", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = [
        _transition_action(EventStatus.CONFIRMED, "Confirmed"),
        _transition_action(EventStatus.IN_PROGRESS, "Started"),
        _transition_action(EventStatus.COMPLETED, "Completed"),
        _transition_action(EventStatus.CANCELLED, "Cancelled"),
    ]

    def get_inlines(self, request: HttpRequest, obj=None):
        return [RevenueInline, *EXTRA_EVENT_INLINES, TransitionInline, NudgeInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # An event never moves to another brand once created.
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    def get_prepopulated_fields(self, request: HttpRequest, obj=None):
        return {}

    @admin.display(description="Departure", ordering="departure_at")
    def local_departure(self, event: Event) -> str:
        return moment(event.departure_at, event.organization.tz)

    def audit_sources(self, request: HttpRequest, obj: Event) -> list[AuditSource]:
        """The event's own changes and its revenue's (only for those who may see revenue)."""
        sources = [AuditSource(history=obj.audit_log.all(), describe=lambda record: "Event")]
        if request.user.has_perm("events.view_revenue", obj):
            sources.append(
                AuditSource(
                    history=Revenue.audit_log.filter(event_id=obj.pk),
                    describe=lambda record: "Revenue",
                    money=("gross", "captain_rate", "crew_rate"),
                )
            )
        return sources

    def save_model(self, request: HttpRequest, obj: Event, form, change: bool) -> None:
        if change:
            changes = {f: getattr(obj, f) for f in form.changed_data if f in services.EVENT_EDITABLE_FIELDS}
            services.event_update(event=obj, by=request.user, **changes)
        else:
            services.event_create_from_instance(event=obj, by=request.user)


@admin.register(ServiceKey)
class ServiceKeyAdmin(OrgScopedAdmin):
    """Keys for booking platforms. The key itself is shown once, right after it is made."""

    list_display = ["name", "organization", "source", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["organization", "name", "source"]
        return ["organization", "name", "source", *self.readonly_fields]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ServiceKey, form, change: bool) -> None:
        created, plain = service_key_create(organization=obj.organization, name=obj.name, source=obj.source)
        obj.pk = created.pk
        self.message_user(
            request,
            f"Service key for {created.name}: {plain} — copy it now; it is not shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected keys", permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for key in queryset:
            service_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)


# --- Webhooks ---------------------------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500, assume_scheme="https", help_text=WebhookEndpoint._meta.get_field("url").help_text
    )
    event_types = forms.MultipleChoiceField(
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="guest.boarded: a guest tapped aboard; float_plan.overdue: each step of an overdue boat's alert.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organization", "url", "description", "event_types", "is_finance"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = webhook_http.url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrgScopedAdmin):
    """Where the brand's other systems hear what happens. The secret is shown once, when
    the endpoint is made or its secret rotated."""

    form = WebhookEndpointForm
    list_display = ["url", "description", "organization", "is_finance", "active", "disabled_reason", "created_at"]
    list_filter = ["organization", "active", "is_finance"]
    search_fields = ["url", "description"]
    readonly_fields = ["active", "disabled_at", "disabled_reason", "previous_secret_expires_at", "created_at"]
    actions = ["rotate_secret", "enable", "disable"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*self.readonly_fields, "organization"] if obj else []

    def get_fields(self, request: HttpRequest, obj=None):
        fields = ["organization", "url", "description", "event_types", "is_finance"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("url", "description", "event_types", "is_finance")}
        if change:
            webhooks.webhook_endpoint_update(endpoint=obj, **data)
            return
        made = webhooks.webhook_endpoint_create(organization=form.cleaned_data["organization"], **data)
        obj.pk = made.endpoint.pk
        self.message_user(
            request,
            f"Signing secret of {made.endpoint.url}: {made.secret} — copy it into the receiver now; "
            "it is not shown again.",
            messages.WARNING,
        )

    @admin.action(description="Rotate the signing secret (the old one keeps signing for a day)", permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            rotated = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(
                request,
                f"New signing secret of {endpoint.url}: {rotated.secret} — shown once. The previous secret "
                f"also signs until {moment(rotated.endpoint.previous_secret_expires_at)}.",
                messages.WARNING,
            )

    @admin.action(description="Enable again", permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            webhooks.webhook_endpoint_enable(endpoint=endpoint)
        self.message_user(request, f"Enabled {queryset.count()} endpoint(s).", messages.SUCCESS)

    @admin.action(description="Disable", permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            webhooks.webhook_endpoint_disable(
                endpoint=endpoint, reason=f"Disabled in the back office by {request.user}."
            )
        self.message_user(request, f"Disabled {queryset.count()} endpoint(s).", messages.SUCCESS)


class WebhookAttemptInline(ReadOnlyAdminMixin, OrgScopedInline, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ["number", "started_at", "duration_ms", "status_code", "response_excerpt", "error"]
    readonly_fields = fields
    verbose_name_plural = "Attempts"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, OrgScopedAdmin):
    """Every message for every endpoint, with each attempt; a delivery can be replayed."""

    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "message__event_type", "endpoint"]
    list_select_related = ["message", "endpoint"]
    search_fields = ["message__msg_id", "endpoint__url"]
    date_hierarchy = "created_at"
    fields = [
        "msg_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    @admin.display(description="Type", ordering="message__event_type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.message.event_type

    @admin.display(description="webhook-id")
    def msg_id(self, delivery: WebhookDelivery) -> str:
        return delivery.message.msg_id

    @admin.action(description="Replay (send again now, same webhook-id)")
    def replay(self, request: HttpRequest, queryset: QuerySet) -> None:
        replayed = 0
        for delivery in queryset:
            try:
                webhooks.webhook_delivery_replay(delivery=delivery)
                replayed += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        if replayed:
            self.message_user(request, f"Replaying {replayed} delivery(ies).", messages.SUCCESS)


# --- Nudges: every scheduled message, who, what, when and what became of it ---------------


class NudgeDisplay:
    """Columns shared by the event page's nudges and the list across events."""

    @admin.display(description="What", ordering="kind")
    def what(self, nudge: Nudge) -> str:
        kind = kind_named(nudge.kind)
        return kind.label if kind else nudge.kind

    @admin.display(description="Who", ordering="name")
    def who(self, nudge: Nudge) -> str:
        return f"{nudge.name} <{nudge.address}>" if nudge.name and nudge.name != nudge.address else nudge.address

    @admin.display(description="Due", ordering="due_at")
    def due_local(self, nudge: Nudge) -> str:
        return moment(nudge.due_at, nudge.organization.tz)

    @admin.display(description="Outcome")
    def outcome_display(self, nudge: Nudge) -> str:
        """Sent (when) / queued / failed / bounced, from its email; held (until when) / skipped (why)."""
        outcome, tz = nudge.outcome, nudge.organization.tz
        if outcome == NudgeStatus.HELD and nudge.release_at:
            return f"Held for quiet hours until {moment(nudge.release_at, tz)}"
        if outcome == OutboundEmail.Status.SENT and nudge.email.sent_at:
            return f"Sent {moment(nudge.email.sent_at, tz)}"
        if outcome in OutboundEmail.Status.values and nudge.email_id:
            label = OutboundEmail.Status(outcome).label
            return f"{label}: {nudge.email.error}" if nudge.email.error else label
        label = NudgeStatus(outcome).label
        return f"{label}: {nudge.reason}" if nudge.reason else label


class NudgeInline(NudgeDisplay, ReadOnlyAdminMixin, OrgScopedInline, admin.TabularInline):
    model = Nudge
    extra = 0
    fields = ["due_local", "what", "who", "outcome_display"]
    readonly_fields = fields
    ordering = ["due_at", "id"]
    verbose_name_plural = "Nudges (reminders and alerts)"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("email", "organization")


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"
    QUERIES = {
        "sent": Q(status=NudgeStatus.QUEUED, email__status=OutboundEmail.Status.SENT),
        "queued": Q(
            status=NudgeStatus.QUEUED, email__status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]
        ),
        "failed": Q(status=NudgeStatus.QUEUED, email__status=OutboundEmail.Status.FAILED),
        "bounced": Q(
            status=NudgeStatus.QUEUED,
            email__status__in=[OutboundEmail.Status.BOUNCED, OutboundEmail.Status.COMPLAINED],
        ),
        "held": Q(status=NudgeStatus.HELD),
        "skipped": Q(status=NudgeStatus.SKIPPED),
    }

    def lookups(self, request: HttpRequest, model_admin):
        return [
            ("sent", "Sent"),
            ("queued", "Queued or sending"),
            ("failed", "Failed"),
            ("bounced", "Bounced or complained"),
            ("held", "Held for quiet hours"),
            ("skipped", "Skipped"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        query = self.QUERIES.get(self.value() or "")
        return queryset.filter(query) if query is not None else queryset


@admin.register(Nudge)
class NudgeAdmin(NudgeDisplay, ReadOnlyAdminMixin, OrgScopedAdmin):
    """Every nudge across events: filter by outcome, kind, brand, due date."""

    list_display = ["due_local", "what", "who", "event", "outcome_display"]
    list_filter = [OutcomeFilter, "kind", "organization", ("due_at", admin.DateFieldListFilter)]
    list_select_related = ["organization", "event", "email"]
    search_fields = ["name", "address", "event__name"]
    date_hierarchy = "due_at"
    fields = ["event", "kind", "name", "address", "due_at", "expires_at", "status", "reason", "release_at", "email"]
    readonly_fields = fields


@admin.register(NudgeOptOut)
class NudgeOptOutAdmin(ReadOnlyAdminMixin, OrgScopedAdmin):
    """Who unsubscribed from which kind (by the link in a nudge); read-only, it is their choice."""

    list_display = ["address", "kind", "organization", "created_at"]
    list_filter = ["kind", "organization"]
    search_fields = ["address"]
    fields = list_display
    readonly_fields = list_display
