"""Safety at sea: who boarded, the float plan filed on departure, and the return that closes it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from charterops.models import Organization, OutboundEmail
from charterops.tenancy import OrgQuerySet, org_queryset
from events.models import Event
from guests.models import Guest


class CheckIn(models.Model):
    """One guest's boarding on the dock, tapped by the captain or first mate.

    `version` grows with every change: a tap carries the version the person saw, so two
    phones (or one replaying taps queued offline) never silently undo each other.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="check_ins")
    guest = models.OneToOneField(Guest, on_delete=models.CASCADE, related_name="check_in")
    boarded = models.BooleanField(default=False)
    walk_up = models.BooleanField(default=False, help_text="Added on the dock, not booked.")
    version = models.PositiveIntegerField(default=0, help_text="0: never tapped.")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["event", "guest__name"]

    def __str__(self) -> str:
        return f"{self.guest} {'aboard' if self.boarded else 'not aboard'}"


class FloatPlanQuerySet(OrgQuerySet):
    def at_sea(self) -> "FloatPlanQuerySet":
        """Filed and not yet closed: the boat is out."""
        return self.filter(filed_at__isnull=False, closed_at__isnull=True)


class FloatPlan(models.Model):
    """An event's float plan: drafted on the dock (route, headcount), filed when the captain
    starts the charter, amended when the return moves, closed when the boat is back."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="float_plan")
    area = models.TextField("planned area or route", blank=True, max_length=1000)
    headcount = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Heads the captain counted aboard.")
    headcount_at = models.DateTimeField(null=True, blank=True)
    start_override = models.CharField(max_length=300, blank=True, help_text="Why it left with the check-in incomplete.")
    start_missing = models.TextField(blank=True, help_text="What the check-in lacked when it was overridden.")
    filed_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    expected_return_at = models.DateTimeField(null=True, blank=True)
    no_later_than = models.DateTimeField(null=True, blank=True)
    persons_on_board = models.PositiveSmallIntegerField(default=0)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=300, blank=True)
    # The overdue steps already told to webhook endpoints (float_plan.overdue, once each).
    overdue_level = models.SmallIntegerField(default=-1)

    objects = FloatPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "pk"]

    def __str__(self) -> str:
        return f"Float plan of {self.event}"

    @property
    def is_filed(self) -> bool:
        return self.filed_at is not None

    @property
    def at_sea(self) -> bool:
        return self.filed_at is not None and self.closed_at is None

    def is_overdue(self, now) -> bool:
        return self.at_sea and self.no_later_than is not None and now >= self.no_later_than


class FloatPlanFiling(models.Model):
    """The float plan exactly as it was sent: filed, each amendment, and its closing."""

    class Kind(models.TextChoices):
        FILED = "filed", "Filed"
        AMENDED = "amended", "Amended"
        CLOSED = "closed", "Closed"

    float_plan = models.ForeignKey(FloatPlan, on_delete=models.CASCADE, related_name="filings")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    email = models.ForeignKey(OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = org_queryset("float_plan__organization").as_manager()

    class Meta:
        ordering = ["float_plan", "number"]
        constraints = [models.UniqueConstraint(fields=["float_plan", "number"], name="one_filing_per_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.number} of {self.float_plan}"
