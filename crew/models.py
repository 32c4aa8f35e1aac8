"""Crew members, the role slots of each event with their claim history, and checklists."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from charterops.audit import audited
from charterops.models import Organization
from charterops.tenancy import OrgQuerySet, org_queryset
from events.models import Event, EventType, Source


def person_name(first_name: str, last_name: str, email: str, username: str) -> str:
    """How crew pages, emails and the API name a person: full name, else email, else username."""
    return f"{first_name} {last_name}".strip() or email or username


class CrewRole(models.TextChoices):
    CAPTAIN = "captain", "Captain"
    FIRST_MATE = "first_mate", "First mate"
    DECKHAND = "deckhand", "Deckhand"


# How a roster lists its slots: the captain, the first mate, then deckhands by number.
ROLE_ORDER = (CrewRole.CAPTAIN, CrewRole.FIRST_MATE, CrewRole.DECKHAND)


def slot_label(role: str, position: int) -> str:
    """How a role slot is named: `Captain`, `First mate`, `Deckhand 3`."""
    label = CrewRole(role).label
    return f"{label} {position}" if role == CrewRole.DECKHAND else label


class CrewMember(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crew_profiles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="crew_members")
    phone = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)
    # The secret part of the crew member's iCal feed URL; made on first use, rotatable.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_crew_profile_per_org"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        user = self.user
        return person_name(user.first_name, user.last_name, user.email, user.get_username())


class CrewExternalId(models.Model):
    """The id a booking platform knows a crew member by (Boatsetter's crew id, say), so a
    booking that names crew by those ids finds them. One id per platform and person."""

    crew_member = models.ForeignKey(CrewMember, on_delete=models.CASCADE, related_name="external_ids")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", editable=False)
    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField(max_length=120, help_text="Exactly as the platform sends it.")

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["source", "external_id"]
        verbose_name = "platform crew id"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "external_id"],
                name="crew_external_id_unique_per_platform",
                violation_error_message="Another crew member of this brand already has this id on this platform.",
            ),
            models.UniqueConstraint(
                fields=["crew_member", "source"],
                name="one_external_id_per_platform_per_crew_member",
                violation_error_message="This crew member already has an id on this platform.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.external_id}"

    def save(self, *args, **kwargs) -> None:
        # The brand is the crew member's: the uniqueness above is per brand.
        self.organization_id = self.crew_member.organization_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The back office's form leaves `organization` out, so its uniqueness is checked here.
        self.external_id = self.external_id.strip()
        if self.crew_member_id is None:
            return
        self.organization_id = self.crew_member.organization_id
        taken = CrewExternalId.objects.filter(
            organization_id=self.organization_id, source=self.source, external_id=self.external_id
        ).exclude(pk=self.pk)
        if taken.exists():
            raise ValidationError({"external_id": self._meta.constraints[0].violation_error_message})


class RoleSlot(models.Model):
    """One seat of an event's crew: one captain, one first mate, N deckhands.

    The database keeps one holder per slot (a column) and one slot per person per event
    (a partial unique constraint), so two simultaneous claims cannot both succeed.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="role_slots")
    role = models.CharField(max_length=16, choices=CrewRole.choices)
    position = models.PositiveSmallIntegerField(default=1)
    holder = models.ForeignKey(CrewMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="role_slots")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = org_queryset("event__organization").as_manager()
    # Who held the seat when, beside RoleClaim's story of claims and releases.
    audit_log = audited()

    class Meta:
        ordering = ["event", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "role", "position"], name="role_slot_unique_position"),
            models.UniqueConstraint(
                fields=["event", "holder"], condition=Q(holder__isnull=False), name="one_role_per_person_per_event"
            ),
            models.CheckConstraint(
                condition=Q(role=CrewRole.DECKHAND) | Q(position=1), name="single_captain_and_first_mate"
            ),
        ]

    def __str__(self) -> str:
        return slot_label(self.role, self.position)


class RoleClaim(models.Model):
    """The audit trail of a slot: every claim, designation, release and acknowledgement."""

    class Action(models.TextChoices):
        CLAIM = "claim", "Claimed"
        DESIGNATE = "designate", "Designated"
        RELEASE = "release", "Released"
        ACKNOWLEDGE = "acknowledge", "Acknowledged"

    slot = models.ForeignKey(RoleSlot, on_delete=models.CASCADE, related_name="history")
    crew_member = models.ForeignKey(CrewMember, on_delete=models.CASCADE, related_name="role_history")
    action = models.CharField(max_length=16, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    objects = org_queryset("slot__event__organization").as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.slot} by {self.crew_member}"


class ChecklistPhase(models.TextChoices):
    PRE_DEPARTURE = "pre_departure", "Pre-departure"
    POST_RETURN = "post_return", "Post-return"


class Anchor(models.TextChoices):
    DEPARTURE = "departure", "Departure"
    RETURN = "return", "Return"
    SUNSET = "sunset", "Sunset"


class ChecklistTemplate(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="checklist_templates")
    name = models.CharField(max_length=120)
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    phase = models.CharField(max_length=16, choices=ChecklistPhase.choices)
    active = models.BooleanField(default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["event_type", "phase", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="checklist_template_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(max_length=200)
    responsible_role = models.CharField(max_length=16, choices=CrewRole.choices)
    anchor = models.CharField(max_length=16, choices=Anchor.choices, default=Anchor.DEPARTURE)
    offset_minutes = models.IntegerField(default=0, help_text="Minutes from the anchor; negative is before it.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = org_queryset("template__organization").as_manager()

    class Meta:
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ChecklistItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class ChecklistItem(models.Model):
    """One checklist item of one event, copied from a template item when the event is made.

    `version` grows with every change, so a client that saw an older version gets a
    conflict instead of silently overwriting someone else's tick.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checklist_items")
    template_item = models.ForeignKey(ChecklistTemplateItem, null=True, blank=True, on_delete=models.SET_NULL)
    phase = models.CharField(max_length=16, choices=ChecklistPhase.choices)
    text = models.CharField(max_length=200)
    responsible_role = models.CharField(max_length=16, choices=CrewRole.choices)
    anchor = models.CharField(max_length=16, choices=Anchor.choices, default=Anchor.DEPARTURE)
    offset_minutes = models.IntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=ChecklistItemState.choices, default=ChecklistItemState.PENDING)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = org_queryset("event__organization").as_manager()

    class Meta:
        ordering = ["event", "phase", "position", "id"]
        indexes = [models.Index(fields=["event", "phase", "position"])]

    def __str__(self) -> str:
        return self.text


class MagicLink(models.Model):
    """A single-use sign-in code. Only a keyed hash of the code is stored."""

    class Purpose(models.TextChoices):
        EVENT_INVITE = "event_invite", "Event invitation"
        SIGN_IN = "sign_in", "Sign-in request"

    code_hash = models.CharField(max_length=64, unique=True)
    crew_member = models.ForeignKey(CrewMember, on_delete=models.CASCADE, related_name="magic_links")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="magic_links")
    deep_link = models.CharField(max_length=300, help_text="Path the link opens after sign-in.")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.crew_member}"


class SignInThrottleEvent(models.Model):
    """A client address refused sign-in codes for one throttle window (read by the CTO report).

    Recorded once per address and window, not per refused attempt, so an attack cannot
    turn the refusals into a stream of writes.
    """

    ip = models.GenericIPAddressField(null=True, blank=True)
    window_start = models.DateTimeField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["ip", "window_start"], name="one_throttle_event_per_window")]

    def __str__(self) -> str:
        return f"{self.ip} throttled at {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, *, ip: str | None) -> None:
        """Note that `ip` is being refused in the current window (once per window)."""
        window = settings.SIGN_IN_THROTTLE_WINDOW_SECONDS
        now = timezone.now()
        start = datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=UTC)
        if cache.add(f"signin:throttle-event:{ip}:{start.timestamp():.0f}", 1, timeout=window):
            cls.objects.get_or_create(ip=ip or None, window_start=start, defaults={"at": now})


class IdempotencyKey(models.Model):
    """A write that a phone may send more than once, recorded under the key the phone gave
    it: a tap made offline and replayed when the network came back, whose first attempt may
    already have reached us (one bar of signal: the answer was lost, not the request).

    The key is unique per person; the row is written in the same transaction as the write
    it stands for, so it exists exactly when the write happened. Seen again, the key is
    answered "already done" with what the write did (`result`), and nothing is applied
    twice. Generic on purpose: any tap a phone may queue (checklist ticks today, boarding
    check-ins next) records its key here with its own `action`.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="idempotency_keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=64)
    action = models.CharField(max_length=60, help_text="What the write was, e.g. checklist_item_update.")
    target = models.CharField(max_length=80, help_text="What it was about, e.g. checklist_item:412.")
    result = models.JSONField(default=dict, blank=True, help_text="What it did, as the replay's answer tells it.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target} ({self.key})"
