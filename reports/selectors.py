"""Reads of what reports record (task failures, runs) and of the outbox, for the CTO report."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from charterops.models import OutboundEmail

from .models import TaskEvent


@dataclass(frozen=True, slots=True)
class WindowCount:
    key: str
    current: int
    previous: int


def _window_counts(queryset, field: str, key: str, windows: Mapping[str, tuple[datetime, datetime]]):
    (start, end), (previous_start, previous_end) = windows["current"], windows["previous"]
    current = Q(**{f"{field}__gte": start, f"{field}__lt": end})
    previous = Q(**{f"{field}__gte": previous_start, f"{field}__lt": previous_end})
    rows = (
        queryset.filter(current | previous)
        .values(key)
        .annotate(current=Count("pk", filter=current), previous=Count("pk", filter=previous))
        .order_by(key)
    )
    return [WindowCount(key=row[key], current=row["current"], previous=row["previous"]) for row in rows]


def emails_by_status(
    *, organizations: list[int] | None, windows: Mapping[str, tuple[datetime, datetime]]
) -> list[WindowCount]:
    """Outbox rows made in this period and the previous one, per status (any status the
    outbox records: sent, failed, bounced, complained …). `organizations` None: all mail,
    including mail that belongs to no brand."""
    emails = OutboundEmail.objects.all()
    if organizations is not None:
        emails = emails.filter(organization__in=organizations)
    return _window_counts(emails, "created_at", "status", windows)


def task_events(*, windows: Mapping[str, tuple[datetime, datetime]]) -> list[tuple[str, str, int, int]]:
    """(task, failure|retry, this period, previous period), the most frequent first."""
    (start, end), (previous_start, previous_end) = windows["current"], windows["previous"]
    current = Q(at__gte=start, at__lt=end)
    previous = Q(at__gte=previous_start, at__lt=previous_end)
    rows = (
        TaskEvent.objects.filter(current | previous)
        .values("task", "kind")
        .annotate(current=Count("pk", filter=current), previous=Count("pk", filter=previous))
        .order_by("-current", "task", "kind")
    )
    return [(row["task"], row["kind"], row["current"], row["previous"]) for row in rows]
