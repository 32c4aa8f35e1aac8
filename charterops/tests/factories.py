"""Test data builders for tenancy: organizations, users, owners."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from charterops.models import Membership, Organization

_seq = itertools.count(1)


def make_org(slug: str | None = None, **fields) -> Organization:
    n = next(_seq)
    slug = slug or f"brand-{n}"
    defaults = {
        "name": slug.replace("-", " ").title(),
        "guest_page_domain": f"{slug}.example.com",
        "time_zone": "America/Los_Angeles",
        "latitude": Decimal("32.7157"),
        "longitude": Decimal("-117.1611"),
        "sender_email": f"crew@{slug}.example.com",
    }
    return Organization.objects.create(slug=slug, **{**defaults, **fields})


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_seq)}"
    fields.setdefault("email", f"{username}@example.com")
    return get_user_model().objects.create_user(username=username, password="pw-for-tests", **fields)


def make_owner(org: Organization, username: str | None = None):
    user = make_user(username or f"owner-of-{org.slug}", is_staff=True)
    Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    return user
