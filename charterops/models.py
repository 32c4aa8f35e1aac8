"""Tenancy: the brands CharterOps trades under, and who belongs to each."""

import zoneinfo
from datetime import tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #0b3d91.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/Los_Angeles).")


class Organization(models.Model):
    """A brand (tenant). Every brand-owned row points here."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    guest_page_domain = models.CharField(
        max_length=200, blank=True, help_text="Where guest pages are published, e.g. queenofsandiego.com."
    )
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles", validators=[validate_time_zone])
    latitude = models.DecimalField(
        max_digits=8, decimal_places=4, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.DecimalField(
        max_digits=8, decimal_places=4, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    sender_email = models.EmailField(help_text="From address of the brand's emails.")
    primary_colour = models.CharField(max_length=7, default="#0b3d91", validators=[hex_colour])
    accent_colour = models.CharField(max_length=7, default="#f5a623", validators=[hex_colour])
    logo = models.FileField(upload_to="brands/", blank=True)
    storage_bucket = models.CharField(
        max_length=200,
        blank=True,
        help_text="The brand's S3 bucket for its guest pages and photos (empty: the default storage).",
    )
    photo_window_before_hours = models.PositiveSmallIntegerField(
        default=2, help_text="Guests may upload photos from this many hours before departure …"
    )
    photo_window_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="… until this many days after return."
    )
    start_window_hours = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(48)],
        help_text="The captain may start a charter from this many hours before departure; earlier needs a reason.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def from_address(self) -> str:
        return f"{self.name} <{self.sender_email}>"

    @property
    def tz(self) -> tzinfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """A user's role in one organization. Owners run the back office; crew use crew pages."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        CAPTAIN = "captain", "Captain"
        CREW = "crew", "Crew"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    # Signed into every JWT of this membership; bumping it ends them all at once
    # ("sign out everywhere", deactivating a crew member).
    token_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organization}"


class OutboundEmail(models.Model):
    """Every email CharterOps sends, recorded before it is sent.

    The idempotency `key` is unique, so queuing the same message twice (a retried task,
    a double click) records and sends it once. The back office reads this as the outbox.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_emails"
    )
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60, help_text="What the email is, e.g. crew_invite.")
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    bcc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"name": "waiver.pdf", "path": "<default storage path>", "content_type": "application/pdf"}]
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class RevokedToken(models.Model):
    """A single JWT ended before its expiry (signing out of one device)."""

    jti = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(help_text="After this the token is dead anyway; the row may be pruned.")
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.jti
