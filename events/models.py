"""Vessels, events (the calendar), their lifecycle history, and revenue."""

import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Cast, Round
from django.utils import timezone

from charterops.audit import audited
from charterops.models import Organization
from charterops.tenancy import OrgQuerySet, org_queryset

from .money import to_cents, validate_no_money


class Vessel(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="vessels")
    name = models.CharField(max_length=120)
    capacity = models.PositiveSmallIntegerField(default=6, help_text="Guests allowed aboard.")
    home_port = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # What a float plan (the USCG form) says of the boat, so that searchers know what to look for.
    registration = models.CharField(
        "registration or documentation number",
        max_length=40,
        blank=True,
        help_text="State registration or USCG number.",
    )
    hailing_port = models.CharField(max_length=120, blank=True)
    vessel_type = models.CharField("type", max_length=80, blank=True, help_text="e.g. sailing sloop, motor yacht.")
    length_ft = models.DecimalField(
        "length (ft)", max_digits=5, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    hull_colour = models.CharField(max_length=60, blank=True)
    distinguishing_features = models.CharField(
        max_length=300,
        blank=True,
        help_text="What makes her recognisable: sail numbers, a dodger colour, a name board.",
    )
    call_sign = models.CharField("radio call sign", max_length=20, blank=True)
    mmsi = models.CharField(
        "MMSI",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", "An MMSI is nine digits.")],
    )
    radios = models.CharField(
        "radios and channels monitored", max_length=200, blank=True, help_text="e.g. VHF-DSC, monitoring 16 and 9."
    )
    epirb = models.CharField("EPIRB", max_length=120, blank=True, help_text="Type and UIN, or empty if none aboard.")
    flares = models.CharField(max_length=120, blank=True, help_text="What is aboard, e.g. 3 handheld, 3 aerial.")
    life_jackets = models.PositiveSmallIntegerField(default=0, help_text="Life jackets aboard.")

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="vessel_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class EventType(models.TextChoices):
    CHARTER = "charter", "Charter"
    SUNSET_SAIL = "sunset_sail", "Sunset sail"
    DELIVERY = "delivery", "Delivery"
    MAINTENANCE = "maintenance", "Maintenance"


class Source(models.TextChoices):
    DIRECT = "direct", "Direct"
    BOATSETTER = "boatsetter", "Boatsetter"
    SAILO = "sailo", "Sailo"
    GETMYBOAT = "getmyboat", "GetMyBoat"
    VIATOR = "viator", "Viator"
    GETYOURGUIDE = "getyourguide", "GetYourGuide"
    OTHER = "other", "Other"


class EventStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", "Pending confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# The lifecycle: the only moves events.services.event_transition accepts.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    EventStatus.PENDING_CONFIRMATION: {EventStatus.CONFIRMED, EventStatus.CANCELLED},
    EventStatus.CONFIRMED: {EventStatus.IN_PROGRESS, EventStatus.CANCELLED},
    EventStatus.IN_PROGRESS: {EventStatus.COMPLETED, EventStatus.CANCELLED},
    EventStatus.COMPLETED: set(),
    EventStatus.CANCELLED: set(),
}


# The years an event's times may fall in.
SAILING_YEARS = (2000, 2199)


class EventQuerySet(OrgQuerySet):
    def upcoming(self, now: datetime | None = None) -> "EventQuerySet":
        now = now or timezone.now()
        return self.filter(return_at__gte=now).exclude(status=EventStatus.CANCELLED).order_by("departure_at")


class Event(models.Model):
    """A charter (or sail, delivery …) on the calendar. Times are UTC in the database."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    slug = models.SlugField(
        max_length=80,
        blank=True,
        help_text="Guest page address, e.g. boatsetter-may-30-2024. Left blank, it is made from the source and date.",
    )
    name = models.CharField(max_length=200)
    event_type = models.CharField(max_length=20, choices=EventType.choices, default=EventType.CHARTER)
    vessel = models.ForeignKey(Vessel, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    departure_at = models.DateTimeField()
    return_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True, help_text="Meeting point / dock.")
    notes = models.TextField(blank=True, validators=[validate_no_money], help_text="Visible to crew. No money.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DIRECT)
    external_ref = models.CharField(max_length=120, blank=True, help_text="The booking platform's reference.")
    guest_count = models.PositiveSmallIntegerField(default=0)
    nudges_enabled = models.BooleanField(default=True)
    status = models.CharField(
        max_length=24, choices=EventStatus.choices, default=EventStatus.PENDING_CONFIRMATION, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()
    # The audit log: every change, from the back office or through the services.
    audit_log = audited(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["departure_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="event_slug_unique_per_org"),
            models.UniqueConstraint(
                fields=["organization", "source", "external_ref"],
                condition=~Q(external_ref=""),
                name="event_external_ref_unique_per_source",
                violation_error_message="An event with this source and external reference already exists.",
            ),
            models.CheckConstraint(
                condition=Q(return_at__gt=F("departure_at")),
                name="event_returns_after_departure",
                violation_error_message="The return must be after the departure.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "departure_at"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.vessel_id and self.organization_id and self.vessel.organization_id != self.organization_id:
            raise ValidationError({"vessel": "That vessel belongs to another organization."})
        self.clean_times()

    def clean_times(self) -> None:
        """Refuse times a charter cannot have: naive ones, and ones at the edge of what a
        datetime holds (sunsets, zones and calendars are computed for them)."""
        for field in ("departure_at", "return_at"):
            moment = getattr(self, field)
            if moment is None or timezone.is_naive(moment):
                raise ValidationError({field: "Give a date and time with its time zone."})
            if not SAILING_YEARS[0] <= moment.year <= SAILING_YEARS[1]:
                raise ValidationError({field: f"Give a date between {SAILING_YEARS[0]} and {SAILING_YEARS[1]}."})

    @property
    def duration_hours(self) -> Decimal:
        return Decimal((self.return_at - self.departure_at).total_seconds()) / 3600

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.organization.tz)


class EventTransition(models.Model):
    """One recorded lifecycle move: who moved the event, from what, to what, when."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, choices=EventStatus.choices)
    to_status = models.CharField(max_length=24, choices=EventStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    objects = org_queryset("event__organization").as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event}: {self.from_status} → {self.to_status}"


money_field = {"max_digits": 10, "decimal_places": 2, "default": Decimal("0.00"), "validators": [MinValueValidator(0)]}
hours_field = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal("0.00"),
    "validators": [MinValueValidator(0), MaxValueValidator(240)],
}


def _cents(field: str) -> Cast:
    """A two-decimal column as whole cents (an exact integer on every database)."""
    return Cast(Round(F(field) * 100), BigIntegerField())


def _half_up(scaled: ExpressionWrapper | F, divisor: int) -> ExpressionWrapper:
    """Integer division rounding half up: exact, where SQLite's ROUND works in floating point."""
    return ExpressionWrapper((scaled + Value(divisor // 2)) / Value(divisor), output_field=BigIntegerField())


def revenue_cents(prefix: str = "") -> dict[str, ExpressionWrapper]:
    """The database twins of Revenue's properties, in whole cents: gross, captain_fee,
    crew_wages, port_fees and net, each rounded half up per event exactly as the properties
    round (so a sum of them is the sum of the properties).

    `prefix` reaches Revenue from another model, e.g. "revenue__" from Event (an event
    without revenue gives NULL, which Sum skips).
    """
    gross = _cents(f"{prefix}gross")
    captain_fee = _half_up(_cents(f"{prefix}captain_rate") * _cents(f"{prefix}captain_hours"), 100)
    crew_wages = _half_up(_cents(f"{prefix}crew_rate") * F(f"{prefix}crew_count") * _cents(f"{prefix}crew_hours"), 100)
    # cents × hundredths of a percent: 10,000 of those make a cent.
    port_fees = _half_up(gross * _cents(f"{prefix}port_fee_pct"), 10_000)
    net = ExpressionWrapper(gross - captain_fee - crew_wages - port_fees, output_field=BigIntegerField())
    return {"gross": gross, "captain_fee": captain_fee, "crew_wages": crew_wages, "port_fees": port_fees, "net": net}


class RevenueQuerySet(models.QuerySet):
    def with_cents(self) -> "RevenueQuerySet":
        """Annotate `<figure>_cents` for gross, captain_fee, crew_wages, port_fees and net."""
        return self.annotate(**{f"{name}_cents": expression for name, expression in revenue_cents().items()})


class Revenue(models.Model):
    """What a booking earns and costs. Owners only: crew never see any of it.

    Django's default `events.view_revenue` permission is the gate; owners hold it
    (charterops.permissions), crew never do.
    """

    # What a booking's money is made of (the fees, wages and net follow from them).
    FIGURES = ("gross", "captain_rate", "captain_hours", "crew_rate", "crew_count", "crew_hours", "port_fee_pct")

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="revenue")
    gross = models.DecimalField(**money_field)
    captain_rate = models.DecimalField(**money_field, help_text="Per hour.")
    captain_hours = models.DecimalField(**hours_field)
    crew_rate = models.DecimalField(**money_field, help_text="Per crew member per hour.")
    crew_count = models.PositiveSmallIntegerField(default=0)
    crew_hours = models.DecimalField(**hours_field)
    port_fee_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Port / dock fee as a percentage of gross.",
    )
    crew_count_override = models.BooleanField(
        "crew count set by hand",
        default=False,
        help_text="Unticked, the crew count follows the roster (first mate and deckhands aboard).",
    )

    objects = RevenueQuerySet.as_manager()
    # Revenue's audit log; shown only to those holding events.view_revenue.
    audit_log = audited()

    class Meta:
        verbose_name_plural = "revenue"

    def __str__(self) -> str:
        return f"Revenue of {self.event}"

    @property
    def organization_id(self) -> int:
        # Lets object-level permission checks see the brand of a revenue row.
        return self.event.organization_id

    # Each figure below has a database twin in revenue_cents(), for aggregation; a test
    # holds the two to the same cent.

    @property
    def captain_fee(self) -> Decimal:
        return to_cents(self.captain_rate * self.captain_hours)

    @property
    def crew_wages(self) -> Decimal:
        return to_cents(self.crew_rate * self.crew_count * self.crew_hours)

    @property
    def port_fees(self) -> Decimal:
        return to_cents(self.gross * self.port_fee_pct / 100)

    @property
    def net(self) -> Decimal:
        return to_cents(self.gross - self.captain_fee - self.crew_wages - self.port_fees)


class ServiceKeyQuerySet(OrgQuerySet):
    def active(self) -> "ServiceKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class ServiceKey(models.Model):
    """A booking platform's key to create events for one organization.

    The key is shown once when made; only its SHA-256 is stored. `prefix` (public, in the
    key itself) finds the row; the hash is then compared in constant time.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="service_keys")
    name = models.CharField(max_length=120, help_text="Who uses it, e.g. Boatsetter.")
    source = models.CharField(
        max_length=20,
        choices=Source.choices,
        default=Source.OTHER,
        help_text="The platform this key is for: bookings that name no source are from it, "
        "and crew ids they send are this platform's.",
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ServiceKeyQuerySet.as_manager()
    # Made and revoked, by whom. The hash is no one's business, and each use is not a change.
    audit_log = audited(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Outbound webhooks (events.webhooks) -------------------------------------------------------


class WebhookEventType(models.TextChoices):
    """What CharterOps tells a subscribed endpoint (the `type` of a Standard Webhooks payload)."""

    EVENT_CREATED = "event.created", "Event created"
    EVENT_UPDATED = "event.updated", "Event updated"
    EVENT_CONFIRMED = "event.confirmed", "Event confirmed"
    EVENT_CANCELLED = "event.cancelled", "Event cancelled"
    EVENT_STARTED = "event.started", "Event started"
    EVENT_COMPLETED = "event.completed", "Event completed"
    ROLE_CLAIMED = "role.claimed", "Role claimed"
    ROLE_RELEASED = "role.released", "Role released"
    WAIVER_SIGNED = "waiver.signed", "Waiver signed"
    # Sent by safety: a guest tapped aboard, and each step of an overdue float plan.
    GUEST_BOARDED = "guest.boarded", "Guest boarded"
    FLOAT_PLAN_OVERDUE = "float_plan.overdue", "Float plan overdue"


class WebhookEndpoint(models.Model):
    """Where an owner wants to hear about what happens: a URL, the types it takes, its secret.

    The secret (`whsec_…`) is shown once when made or rotated; it is kept in the row
    because every delivery is signed with it. After a rotation the previous secret also
    signs, until `previous_secret_expires_at`, so the receiver can switch without a gap.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500, help_text="Where the events are POSTed. Redirects are not followed.")
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    is_finance = models.BooleanField(
        "finance endpoint", default=False, help_text="Payloads about events include their revenue."
    )
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(default=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "url"]

    def __str__(self) -> str:
        return self.description or self.url

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous one
        while the rotation's overlap lasts."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and now < self.previous_secret_expires_at:
            secrets.append(self.previous_secret)
        return secrets


class WebhookMessage(models.Model):
    """One thing that happened, as told to every endpoint that takes its type. `msg_id` is
    the `webhook-id` header: the same for every attempt, so receivers can drop repeats."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_messages")
    msg_id = models.CharField(max_length=40, unique=True, editable=False)
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.msg_id}"


class WebhookDelivery(models.Model):
    """The outbox: one message for one endpoint, with the exact body it is sent with.

    The row is the truth and the broker only a nudge: a delivery is due when it is pending
    and `next_attempt_at` has come, or when a worker took it (`sending`) and its lease ran
    out — the worker died mid-delivery — so a lost task never loses the event.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_deliveries")
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    body = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts since it was queued or replayed.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "endpoint"], name="one_delivery_per_message_and_endpoint"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.message} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """Every POST made for a delivery: when, how long, what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Empty while the attempt is under way.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = org_queryset("delivery__organization").as_manager()

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery}"


class NudgeStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # recorded, being decided (never left so after a sweep commits)
    HELD = "held", "Held for quiet hours"
    QUEUED = "queued", "Emailed"  # its email (OutboundEmail) tells sent, failed, bounced
    SKIPPED = "skipped", "Skipped"


class NudgeQuerySet(OrgQuerySet):
    pass


class Nudge(models.Model):
    """One occurrence of a scheduled message: kind, event, recipient and due moment.

    The four are unique together, so however many sweeps run (two beats, a late one, a
    hand-run `send_nudges`), an occurrence is recorded once and emailed at most once.
    Written by events.nudges only; the back office reads it (who, what, when, outcome).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="nudges")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="nudges")
    kind = models.CharField(max_length=60)
    # Who, as a stable reference ("guest:12", "user:3"): two guests sharing a mailbox
    # still each get their own link.
    recipient = models.CharField(max_length=60)
    address = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="After this moment it is no longer worth sending.")
    status = models.CharField(max_length=10, choices=NudgeStatus.choices, default=NudgeStatus.PENDING)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was skipped or held.")
    release_at = models.DateTimeField(null=True, blank=True, help_text="Held until then (quiet hours).")
    email = models.ForeignKey(
        "charterops.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="nudges"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = NudgeQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "event", "recipient", "due_at"], name="nudge_occurrence_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "release_at"]),
            models.Index(fields=["organization", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.name or self.address} ({self.due_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def outcome(self) -> str:
        """sent / failed / bounced … once emailed (the email's own state), else held / skipped."""
        if self.status == NudgeStatus.QUEUED and self.email_id:
            return self.email.status
        return self.status


class NudgeOptOut(models.Model):
    """Someone unsubscribed from one kind of nudge of one brand (a one-click link in the email)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="nudge_opt_outs")
    address = models.EmailField(max_length=254, help_text="Lower case.")
    kind = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "nudge unsubscription"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "address", "kind"], name="one_opt_out_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.address}: no {self.kind}"
