"""Test data builders for vessels, events and revenue (always through the services)."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from charterops.models import Organization
from events import services
from events.models import Event, Vessel

_seq = itertools.count(1)


def make_vessel(org: Organization, **fields) -> Vessel:
    return Vessel.objects.create(organization=org, name=fields.pop("name", f"Vessel {next(_seq)}"), **fields)


def make_event(
    org: Organization,
    *,
    departure_at: datetime | None = None,
    hours: float = 3,
    revenue: dict | None = None,
    **fields,
) -> Event:
    departure_at = departure_at or timezone.now() + timedelta(days=1)
    fields.setdefault("name", f"Charter {next(_seq)}")
    return services.event_create(
        organization=org,
        departure_at=departure_at,
        return_at=departure_at + timedelta(hours=hours),
        revenue=revenue,
        **fields,
    )
