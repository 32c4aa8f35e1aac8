"""Test data builders for crew members."""

import itertools

from charterops.models import Membership, Organization
from crew import services
from crew.models import CrewMember

_seq = itertools.count(1)


def make_crew_member(org: Organization, name: str | None = None, *, captain: bool = False) -> CrewMember:
    first = name or f"Crew{next(_seq)}"
    return services.crew_member_create(
        organization=org,
        email=f"{first.lower()}.{org.slug}@example.com",
        first_name=first,
        membership_role=Membership.Role.CAPTAIN if captain else Membership.Role.CREW,
    )
