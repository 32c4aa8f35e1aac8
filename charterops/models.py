"""Tenancy: the brands CharterOps trades under, and who belongs to each."""

import zoneinfo
from datetime import datetime, time, timedelta, tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #0b3d91.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/Los_Angeles).")


class ClockStyle(models.TextChoices):
    """How a brand writes times for its guests (pages, emails, PDFs)."""

    H12 = "12h", "12-hour (7:50 PM)"
    H24 = "24h", "24-hour (19:50)"


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
    clock_style = models.CharField(
        max_length=3,
        choices=ClockStyle.choices,
        default=ClockStyle.H12,
        help_text="How times are written for guests: guest pages, waiver pages, emails and PDFs.",
    )
    contact_phone = models.CharField(
        max_length=32, blank=True, help_text="The number guests call with questions, shown on guest pages and emails."
    )
    quiet_hours_start = models.TimeField(
        default=time(21, 0), help_text="Local time from which non-urgent nudges wait until morning …"
    )
    quiet_hours_end = models.TimeField(
        default=time(7, 0), help_text="… and when they go out, batched. The same time twice: no quiet hours."
    )
    start_window_hours = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(48)],
        help_text="The captain may start a charter from this many hours before departure; earlier needs a reason.",
    )
    overdue_grace_minutes = models.PositiveSmallIntegerField(
        "overdue grace (minutes)",
        default=60,
        validators=[MaxValueValidator(24 * 60)],
        help_text="A float plan's “no later than” is the expected return plus this; past it the overdue alerts start.",
    )
    coast_guard_phone = models.CharField(
        "Coast Guard sector phone",
        max_length=32,
        blank=True,
        help_text="The local Coast Guard sector's number, printed on every float plan (e.g. Sector San Diego).",
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

    @property
    def contact_phone_href(self) -> str:
        """`tel:` link of the contact phone as people write it: `(619) 555-0100` → `tel:6195550100`."""
        digits = "".join(c for c in self.contact_phone if c.isdigit() or c == "+")
        return f"tel:{digits}" if digits.strip("+") else ""

    def quiet_until(self, moment: datetime) -> datetime | None:
        """When the brand's quiet hours around `moment` end, or None outside them.

        Read on the local wall clock, so a DST night is as long as it really is: the hold
        ends at the local end time in whatever offset applies that morning.
        """
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start == end:
            return None
        local = moment.astimezone(self.tz)
        now = local.time()
        if start > end:  # crosses midnight, e.g. 21:00–07:00
            if now >= start:
                day = local.date() + timedelta(days=1)
            elif now < end:
                day = local.date()
            else:
                return None
        elif start <= now < end:  # within one day, e.g. 13:00–15:00
            day = local.date()
        else:
            return None
        return datetime.combine(day, end, tzinfo=self.tz)


class ShoreContact(models.Model):
    """Someone ashore who receives the brand's float plans and raises the alarm when a boat is overdue."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="shore_contacts")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="one_shore_contact_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


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
        # Claimed by a worker and committed before the message went to the backend: a
        # worker killed before recording the result leaves the row here, and it is
        # reported, never sent again (the message may well have left).
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # SES told us afterwards (charterops.ses): the address bounced or the reader complained.
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"

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
    # Extra headers, e.g. List-Unsubscribe on nudges.
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_at = models.DateTimeField(null=True, blank=True, help_text="When the last attempt was claimed.")
    sent_at = models.DateTimeField(null=True, blank=True)
    # The backend's id of the sent message (SES MessageId): how a bounce finds its email.
    provider_message_id = models.CharField(max_length=120, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class SuppressedAddress(models.Model):
    """An address SES reported as hard-bouncing or complaining: nudges stop going to it.

    Emails someone asks for (a sign-in link, their waiver copy) still go: the address may
    have been fixed, and they are waiting for it. Only scheduled nudges are held back.
    """

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"

    address = models.EmailField(max_length=254, unique=True, help_text="Lower case.")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "suppressed addresses"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_reason_display().lower()})"


class RevokedToken(models.Model):
    """A single JWT ended before its expiry (signing out of one device)."""

    jti = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(help_text="After this the token is dead anyway; the row may be pruned.")
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.jti
