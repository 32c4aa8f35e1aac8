"""Vessels, events (the calendar), their lifecycle history, and revenue."""

import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from charterops.models import Organization
from charterops.tenancy import OrgQuerySet, org_queryset

from .money import to_cents, validate_no_money


class Vessel(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="vessels")
    name = models.CharField(max_length=120)
    capacity = models.PositiveSmallIntegerField(default=6, help_text="Guests allowed aboard.")
    home_port = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

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


class Revenue(models.Model):
    """What a booking earns and costs. Owners only: crew never see any of it.

    Django's default `events.view_revenue` permission is the gate; owners hold it
    (charterops.permissions), crew never do.
    """

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

    class Meta:
        verbose_name_plural = "revenue"

    def __str__(self) -> str:
        return f"Revenue of {self.event}"

    @property
    def organization_id(self) -> int:
        # Lets object-level permission checks see the brand of a revenue row.
        return self.event.organization_id

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
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ServiceKeyQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


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
