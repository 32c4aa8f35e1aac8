"""Guests of an event and the versioned waiver text they sign."""

import secrets

from django.db import models
from django.db.models import Max

from charterops.models import Organization
from charterops.tenancy import OrgQuerySet
from events.models import Event


def new_guest_token() -> str:
    return secrets.token_urlsafe(24)


class Guest(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="guests")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    is_minor = models.BooleanField(default=False)
    guardian_name = models.CharField(max_length=200, blank=True, help_text="Signs the waiver for a minor.")
    # The unguessable part of the guest's own links (waiver signing).
    token = models.CharField(max_length=64, unique=True, default=new_guest_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # A guest always belongs to the brand of their event.
        self.organization_id = self.event.organization_id
        super().save(*args, **kwargs)


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

    class Meta:
        ordering = ["organization", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="waiver_version_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        if self.version is None:
            latest = WaiverTemplate.objects.filter(organization=self.organization).aggregate(v=Max("version"))["v"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)
