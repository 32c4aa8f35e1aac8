"""Whose data a report reads (the whole portfolio, or one brand) and the owner's inputs for it."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal

from django.db.models import Q

from charterops.models import Organization

from .models import DEFAULT_PLATFORM_ORDER, Milestone, MonthlyTarget, OwnerInputs, parse_platform_order

PORTFOLIO_TIME_ZONE = "America/Los_Angeles"


@dataclass
class Scope:
    organizations: list[Organization]
    brand: Organization | None  # None: the whole portfolio
    own_inputs: OwnerInputs | None  # this scope's row (portfolio or brand)
    portfolio_inputs: OwnerInputs | None
    brand_inputs: dict[int, OwnerInputs] = field(default_factory=dict)
    targets: list[MonthlyTarget] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [org.pk for org in self.organizations]

    @property
    def slug(self) -> str:
        return self.brand.slug if self.brand else "portfolio"

    @property
    def label(self) -> str:
        if self.brand:
            return self.brand.name
        return f"the portfolio ({len(self.organizations)} brands)"

    @property
    def tz(self) -> tzinfo:
        if self.brand:
            return self.brand.tz
        return zoneinfo.ZoneInfo(self.portfolio_inputs.time_zone if self.portfolio_inputs else PORTFOLIO_TIME_ZONE)

    def name_of(self, organization_id: int | None) -> str:
        for org in self.organizations:
            if org.pk == organization_id:
                return org.name
        return "—"

    # --- The owner's figures, resolved for this scope (None: not set) ---

    @property
    def fixed_costs(self) -> Decimal | None:
        """A brand's own; for the portfolio, the shared overhead plus every brand's."""
        if self.brand:
            return self.own_inputs.fixed_costs_monthly if self.own_inputs else None
        parts = [inputs.fixed_costs_monthly for inputs in self.brand_inputs.values()]
        if self.portfolio_inputs:
            parts.append(self.portfolio_inputs.fixed_costs_monthly)
        given = [part for part in parts if part is not None]
        return sum(given, Decimal("0.00")) if given else None

    @property
    def infrastructure_cost(self) -> Decimal | None:
        return self.own_inputs.infrastructure_cost_monthly if self.own_inputs else None

    @property
    def platform_order(self) -> list[str]:
        for inputs in (self.own_inputs, self.portfolio_inputs):
            if inputs is not None and inputs.planned_platform_order:
                return inputs.platform_order
        return parse_platform_order(DEFAULT_PLATFORM_ORDER)

    @property
    def jwt_key_rotated_on(self):
        # One signing key serves every brand: the portfolio's inputs say when it changed.
        return self.portfolio_inputs.jwt_key_rotated_on if self.portfolio_inputs else None


def scope_for(brand: Organization | None = None) -> Scope:
    """The scope of a report: every brand (brand=None) or one; four queries whatever the brand."""
    organizations = [brand] if brand else list(Organization.objects.order_by("name"))
    ids = [org.pk for org in organizations]
    rows = list(OwnerInputs.objects.filter(Q(organization__isnull=True) | Q(organization__in=ids)))
    portfolio = next((row for row in rows if row.organization_id is None), None)
    brand_rows = {row.organization_id: row for row in rows if row.organization_id is not None}
    own = brand_rows.get(brand.pk) if brand else portfolio
    targets = list(MonthlyTarget.objects.filter(inputs=own).order_by("month"))
    milestones = list(Milestone.objects.filter(inputs=own).order_by("due_on", "title"))
    return Scope(
        organizations=organizations,
        brand=brand,
        own_inputs=own,
        portfolio_inputs=portfolio,
        brand_inputs=brand_rows,
        targets=targets,
        milestones=milestones,
    )
