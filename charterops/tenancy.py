"""The one way organization-owned rows are scoped.

Every model that belongs to a brand uses `OrgQuerySet` (directly or through a parent
relation named by `org_path`). Views never filter by organization by hand: they call
`.for_org(org)` / `.for_orgs(orgs)`, or `get_for_org_or_404`, which answers 404 for
another organization's object so that its existence does not leak.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from .models import Membership, Organization

M = TypeVar("M", bound=models.Model)


class OrgQuerySet(models.QuerySet):
    # Path from the model to its Organization; children of an event override it.
    org_path = "organization"

    def for_org(self, organization: Organization | int) -> "OrgQuerySet":
        return self.filter(**{self.org_path: organization})

    def for_orgs(self, organizations: Iterable[Organization | int] | models.QuerySet) -> "OrgQuerySet":
        return self.filter(**{f"{self.org_path}__in": organizations})


def org_queryset(org_path: str) -> type[OrgQuerySet]:
    """An OrgQuerySet for a model that reaches its organization through `org_path`."""
    return type(f"OrgQuerySet_{org_path}", (OrgQuerySet,), {"org_path": org_path})


def get_for_org_or_404(queryset: models.QuerySet[M], organization: Organization | int, **lookup) -> M:
    """Fetch one row of `organization`; any other organization's row is a plain 404."""
    try:
        return queryset.for_org(organization).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def organizations_owned_by(user) -> models.QuerySet[Organization]:
    """The organizations whose back office `user` may use (all of them for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)


@dataclass(frozen=True)
class Scope:
    """Who asks, and over which brands: the one place an API request's tenancy is decided.

    A crew token acts in its one brand (as crew, or as its owner); an owner in the back
    office, using the browsable API with their session, acts in every brand they own.
    """

    organizations: tuple[Organization, ...]
    crew_member: Any | None  # crew.models.CrewMember; None for an owner without a crew profile
    membership_role: str | None
    is_owner: bool

    @property
    def org_ids(self) -> list[int]:
        return [organization.pk for organization in self.organizations]

    @property
    def crew_member_id(self) -> int | None:
        return self.crew_member.pk if self.crew_member is not None else None


def scope_of(request) -> Scope:
    """The scope of a request authenticated by a crew token (`request.auth` is its
    principal) or by an owner's back-office session."""
    principal = getattr(request, "auth", None)
    if principal is not None and hasattr(principal, "organization"):
        return Scope((principal.organization,), principal.crew_member, principal.role, principal.is_owner)
    return Scope(tuple(organizations_owned_by(request.user)), None, Membership.Role.OWNER, True)
