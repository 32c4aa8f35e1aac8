"""What the booking intake keeps of its own: the Idempotency-Keys platforms sent."""

from django.db import models

from charterops.models import Organization
from charterops.tenancy import OrgQuerySet
from events.models import Event


class IdempotencyKey(models.Model):
    """A platform's `Idempotency-Key` and the booking the first request with it made.

    A retry with the same key answers with that booking instead of making a second; the
    same key with a different request is refused. Unique per brand, so two requests with
    one key racing each other make one booking (the database decides).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the request body, to spot a reused key.")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="idempotency_key_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.key
