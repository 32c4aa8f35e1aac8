from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from events.models import Revenue
from events.money import to_cents
from events.services import revenue_set
from events.tests.factories import make_event

REFERENCE = {
    "gross": Decimal("840.78"),
    "captain_rate": Decimal("50"),
    "captain_hours": Decimal("3"),
    "crew_rate": Decimal("25"),
    "crew_count": 2,
    "crew_hours": Decimal("5"),
    "port_fee_pct": Decimal("18"),
}


def test_reference_case_comes_out_to_the_cent(org):
    revenue = make_event(org, revenue=REFERENCE).revenue

    assert revenue.captain_fee == Decimal("150.00")
    assert revenue.crew_wages == Decimal("250.00")
    assert revenue.port_fees == Decimal("151.34")
    assert revenue.net == Decimal("289.44")
    assert all(isinstance(v, Decimal) for v in (revenue.captain_fee, revenue.port_fees, revenue.net))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.0049"), Decimal("0.00")),
        (Decimal("1.125"), Decimal("1.13")),
        (Decimal("1.135"), Decimal("1.14")),
        (Decimal("2.675"), Decimal("2.68")),
        (Decimal("-1.125"), Decimal("-1.13")),
    ],
)
def test_money_rounds_half_up_to_cents(amount, expected):
    assert to_cents(amount) == expected


def test_port_fee_half_cent_rounds_up(org):
    # 18 % of 0.25 is 0.045 → 0.05 (half-up), where banker's rounding would give 0.04.
    revenue = make_event(org, revenue={"gross": Decimal("0.25"), "port_fee_pct": Decimal("18")}).revenue
    assert revenue.port_fees == Decimal("0.05")


def test_revenue_set_updates_only_the_figures_given(org):
    event = make_event(org, revenue=REFERENCE)
    revenue_set(event=event, gross=Decimal("1000.00"))
    revenue = Revenue.objects.get(event=event)
    assert revenue.gross == Decimal("1000.00")
    assert revenue.captain_hours == Decimal("3.00")
    assert revenue.port_fees == Decimal("180.00")


@pytest.mark.parametrize(
    "bad",
    [{"gross": Decimal("-1")}, {"port_fee_pct": Decimal("101")}, {"tip": Decimal("5")}],
)
def test_bad_revenue_is_refused_and_nothing_half_written(org, bad):
    event = make_event(org, revenue=REFERENCE)
    with pytest.raises(ValidationError):
        revenue_set(event=event, **bad)
    assert Revenue.objects.get(event=event).gross == Decimal("840.78")


def test_only_owners_hold_view_revenue(owner, captain, deckhand, other_owner, org):
    event = make_event(org, revenue=REFERENCE)
    assert owner.has_perm("events.view_revenue")
    assert owner.has_perm("events.view_revenue", event.revenue)
    assert not other_owner.has_perm("events.view_revenue", event.revenue)
    assert not captain.user.has_perm("events.view_revenue")
    assert not deckhand.user.has_perm("events.view_revenue")
