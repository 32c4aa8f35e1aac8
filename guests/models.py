"""Guests of an event, the versioned waiver text they sign, their signatures, guest pages and photos."""

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Case, Exists, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from charterops.audit import audited
from charterops.models import Organization
from charterops.tenancy import OrgQuerySet
from events.models import Event, EventStatus


def new_guest_token() -> str:
    return secrets.token_urlsafe(24)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class WaiverStatus(models.TextChoices):
    SIGNED = "signed", "Signed"
    RESIGN = "resign", "On hold — new waiver version to sign"
    UNSIGNED = "unsigned", "On hold — not signed"
    NO_WAIVER = "no_waiver", "No waiver published"


# A guest is on hold while the brand has a waiver and they have not signed its current version.
ON_HOLD_STATUSES = frozenset({WaiverStatus.RESIGN, WaiverStatus.UNSIGNED})


def waiver_status_of(*, published: bool, signed_current: bool, signed_any: bool) -> WaiverStatus:
    """A guest's waiver status from three facts: a waiver is published, they signed its
    current version, they signed some version."""
    if not published:
        return WaiverStatus.NO_WAIVER
    if signed_current:
        return WaiverStatus.SIGNED
    return WaiverStatus.RESIGN if signed_any else WaiverStatus.UNSIGNED


class GuestQuerySet(OrgQuerySet):
    def with_waiver_status(self) -> "GuestQuerySet":
        """Annotate the current waiver version, whether it is signed, and `on_hold` — in the same query."""
        current = WaiverTemplate.objects.filter(organization=OuterRef("organization")).order_by("-version")
        signatures = WaiverSignature.objects.filter(guest=OuterRef("pk"))
        return self.annotate(
            current_waiver_id=Subquery(current.values("pk")[:1]),
            signed_current_at=Subquery(
                signatures.filter(template=OuterRef("current_waiver_id")).values("signed_at")[:1]
            ),
            signed_any=Exists(signatures),
        ).annotate(
            on_hold=Case(
                When(Q(current_waiver_id__isnull=False, signed_current_at__isnull=True), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def on_hold(self) -> "GuestQuerySet":
        return self.with_waiver_status().filter(on_hold=True)


class Guest(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="guests")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    is_minor = models.BooleanField(default=False)
    guardian_name = models.CharField(max_length=200, blank=True, help_text="Signs the waiver for a minor.")
    marketing_opt_out = models.BooleanField(
        default=False,
        help_text="Asked for no news or offers from the brand (ticked when signing the waiver): "
        "left out of the contacts the marketing report counts as reachable.",
    )
    # The unguessable part of the guest's own links (waiver signing). Revoking a link
    # replaces it, so the old link answers 404.
    token = models.CharField(max_length=64, unique=True, default=new_guest_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GuestQuerySet.as_manager()
    # The signing token is a secret: the log says a link was revoked, never what it was.
    audit_log = audited(excluded_fields=["token"])

    class Meta:
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A guest always belongs to the brand of their event.
        self.organization_id = self.event.organization_id
        super().save(*args, **kwargs)

    @property
    def signing_path(self) -> str:
        return f"/w/{self.token}"

    @property
    def signing_url(self) -> str:
        return f"{settings.SITE_URL}{self.signing_path}"

    @property
    def short_name(self) -> str:
        """First name and last initial: what a public guest page shows."""
        parts = self.name.split()
        if len(parts) < 2:
            return self.name
        return f"{parts[0]} {parts[-1][0]}."

    def waiver_status(self) -> str:
        """Needs `with_waiver_status()` annotations."""
        return waiver_status_of(
            published=self.current_waiver_id is not None,
            signed_current=self.signed_current_at is not None,
            signed_any=self.signed_any,
        )


class WaiverTemplateQuerySet(OrgQuerySet):
    def current_for(self, organization: Organization) -> "WaiverTemplate | None":
        return self.for_org(organization).order_by("-version").first()


class WaiverTemplate(models.Model):
    """One version of a brand's waiver text. Versions are never edited, only added."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="waiver_templates")
    version = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WaiverTemplateQuerySet.as_manager()
    audit_log = audited()

    class Meta:
        ordering = ["organization", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="waiver_version_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A published waiver text never changes; publish a new version instead.")
        if self.version is None:
            latest = WaiverTemplate.objects.filter(organization=self.organization).aggregate(v=Max("version"))["v"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)

    @property
    def text(self) -> str:
        """The exact text a guest signs (and whose SHA-256 the signature keeps)."""
        return f"{self.title}\n\n{self.body}"

    @property
    def text_sha256(self) -> str:
        return sha256_hex(self.text)


class WaiverSignatureQuerySet(OrgQuerySet):
    pass


class WaiverSignature(models.Model):
    """A signed waiver: the audit trail. Written once, never changed."""

    class Signer(models.TextChoices):
        GUEST = "guest", "The guest, for themselves"
        GUARDIAN = "guardian", "Someone else, on the guest's behalf"

    class Relationship(models.TextChoices):
        """Who signs on a guest's behalf (a minor's parent or guardian, an adult's representative)."""

        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Legal guardian"
        REPRESENTATIVE = "representative", "Legal representative (e.g. power of attorney)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="waiver_signatures")
    # PROTECT: a signed waiver outlives neither its guest nor its text silently.
    guest = models.ForeignKey(Guest, on_delete=models.PROTECT, related_name="signatures")
    template = models.ForeignKey(WaiverTemplate, on_delete=models.PROTECT, related_name="signatures")
    signer = models.CharField(max_length=10, choices=Signer.choices, default=Signer.GUEST)
    signed_name = models.CharField(max_length=200, help_text="The full name typed by the signer.")
    relationship = models.CharField(
        max_length=20,
        choices=Relationship.choices,
        blank=True,
        help_text="How someone signing on the guest's behalf is related to them (empty when the guest signs).",
    )
    signature_png = models.BinaryField(help_text="The drawn signature, exactly as received (PNG).")
    consent = models.BooleanField(help_text="Agreed to sign electronically.")
    signed_at = models.DateTimeField(help_text="The moment of signing (stored in UTC, shown with its zone).")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    text_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the exact waiver text signed.")
    image_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the signature image.")
    pdf_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the PDF copy stored and mailed (empty for older signatures)."
    )

    objects = WaiverSignatureQuerySet.as_manager()
    # The drawn image stays in the signature itself (its SHA-256 is in the copy).
    audit_log = audited(excluded_fields=["signature_png"])

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            # Submitting twice (a double tap, a retry) can only ever give one signature.
            models.UniqueConstraint(fields=["guest", "template"], name="one_signature_per_guest_and_version"),
            models.CheckConstraint(condition=Q(consent=True), name="signature_needs_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.signed_name} signed {self.template}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A waiver signature is never changed once made.")
        super().save(*args, **kwargs)

    @property
    def pdf_path(self) -> str:
        """Where the PDF copy lives in the default storage."""
        return f"waivers/{self.organization_id}/{self.public_id}.pdf"

    def mismatches(self) -> list[str]:
        """Recompute the hashes; name whatever no longer matches what was recorded."""
        problems = []
        if sha256_hex(self.template.text) != self.text_sha256:
            problems.append("text")
        if sha256_hex(bytes(self.signature_png)) != self.image_sha256:
            problems.append("image")
        if self.pdf_sha256:
            try:
                with default_storage.open(self.pdf_path, "rb") as f:
                    stored = f.read()
            except (FileNotFoundError, OSError):
                problems.append("PDF (missing)")
            else:
                if sha256_hex(stored) != self.pdf_sha256:
                    problems.append("PDF")
        return problems


class SigningState(models.TextChoices):
    OPEN = "open", "Open"
    CANCELLED = "cancelled", "This charter was cancelled: there is nothing to sign."
    RETURNED = "returned", "This charter has already returned: the waiver can no longer be signed."


def signing_state(event: Event, now: datetime) -> SigningState:
    """Whether a waiver may still be signed for this charter: never once it is cancelled
    or back at the dock (a signature after the fact would protect no one)."""
    if event.status == EventStatus.CANCELLED:
        return SigningState.CANCELLED
    if event.status == EventStatus.COMPLETED or now >= event.return_at:
        return SigningState.RETURNED
    return SigningState.OPEN


class GuestPage(models.Model):
    """An event's published guest page: where it is, what it last contained, its upload link."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="guest_pages")
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="guest_page")
    public_title = models.CharField(
        max_length=120,
        blank=True,
        help_text="The charter's name as guests see it (page, emails, PDF, calendar); the event's own name "
        "stays internal. Left blank: the kind of trip and the brand, e.g. “Sunset sail with JADA”.",
    )
    what_to_bring = models.TextField(
        blank=True, help_text="Shown on the guest page. Left blank, the brand's usual list is shown."
    )
    # The unguessable part of the page's own links: photo uploads, and asking for a lost
    # signing link again. Both are printed on the public page; neither is personal.
    upload_token = models.CharField(max_length=64, unique=True, default=new_guest_token, editable=False)
    published_key = models.CharField(max_length=200, blank=True, editable=False)
    published_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "guest page"

    def __str__(self) -> str:
        return f"Guest page of {self.event}"

    def save(self, *args, **kwargs) -> None:
        self.organization_id = self.event.organization_id
        super().save(*args, **kwargs)

    @property
    def upload_url(self) -> str:
        return f"{settings.SITE_URL}/u/{self.upload_token}"

    @property
    def link_request_url(self) -> str:
        """Where a guest who lost their signing link asks for it again."""
        return f"{settings.SITE_URL}/signing-link/{self.upload_token}"


def photo_window(event: Event) -> tuple[datetime, datetime]:
    """When guests may upload photos: from N hours before departure to M days after return."""
    org = event.organization
    return (
        event.departure_at - timedelta(hours=org.photo_window_before_hours),
        event.return_at + timedelta(days=org.photo_window_after_days),
    )


def photo_window_state(event: Event, now: datetime) -> str:
    """`open`, `not_yet` or `closed` (a cancelled charter never opens)."""
    if event.status == EventStatus.CANCELLED:
        return "closed"
    opens_at, closes_at = photo_window(event)
    if now < opens_at:
        return "not_yet"
    return "open" if now <= closes_at else "closed"


class Photo(models.Model):
    """A guest photo. The key is chosen by the server; the row is `uploaded` once the file is verified."""

    class Status(models.TextChoices):
        PENDING = "pending", "Upload authorized"
        UPLOADED = "uploaded", "Uploaded"
        HIDDEN = "hidden", "Hidden by the owner"
        DELETED = "deleted", "Deleted by the owner"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="guest_photos")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guest_photos")
    token = models.CharField(max_length=64, unique=True, default=new_guest_token, editable=False)
    key = models.CharField(max_length=300, unique=True, editable=False)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-created_at"]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return self.key

    def save(self, *args, **kwargs) -> None:
        self.organization_id = self.event.organization_id
        super().save(*args, **kwargs)

    @property
    def path(self) -> str:
        """Root-relative address of the photo, the same on the brand's domain and locally."""
        return f"/{self.key}"


class PhotoModeration(models.Model):
    """One thing the owner did to a photo in the back office: who, what, when."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hidden"
        SHOW = "show", "Shown again"
        DELETE = "delete", "Deleted"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="photo_moderations")
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="moderations")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.by or 'someone'} at {self.at:%Y-%m-%d %H:%M}"
