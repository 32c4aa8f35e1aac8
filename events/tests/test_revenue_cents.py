"""Revenue's database expressions (for aggregation) agree with its properties to the cent."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from events.models import Event, Revenue, revenue_cents
from events.tests.factories import make_event

CASES = [
    # the reference case: $150.00 captain, $250.00 crew, $151.34 port fees
    {
        "gross": "840.78",
        "captain_rate": "50",
        "captain_hours": "3",
        "crew_rate": "25",
        "crew_count": 2,
        "crew_hours": "5",
        "port_fee_pct": "18",
    },
    # half cents everywhere: 0.045 port fee, 0.005 captain fee, 0.125 wages
    {
        "gross": "0.25",
        "captain_rate": "0.01",
        "captain_hours": "0.50",
        "crew_rate": "0.05",
        "crew_count": 1,
        "crew_hours": "2.50",
        "port_fee_pct": "18",
    },
    # 2.675 — the amount binary floating point rounds down
    {
        "gross": "26.75",
        "captain_rate": "1.07",
        "captain_hours": "2.50",
        "crew_rate": "0.35",
        "crew_count": 3,
        "crew_hours": "1.50",
        "port_fee_pct": "10",
    },
    # just under half a cent rounds down
    {
        "gross": "0.49",
        "captain_rate": "0.03",
        "captain_hours": "0.15",
        "crew_rate": "0.01",
        "crew_count": 1,
        "crew_hours": "0.49",
        "port_fee_pct": "1",
    },
    # large amounts and percentages with two decimals
    {
        "gross": "99999999.99",
        "captain_rate": "999.99",
        "captain_hours": "240",
        "crew_rate": "123.45",
        "crew_count": 20,
        "crew_hours": "239.99",
        "port_fee_pct": "17.35",
    },
    # nothing but gross
    {"gross": "1234.56"},
]


def _revenue(org, case: dict) -> Revenue:
    figures = {k: (v if isinstance(v, int) else Decimal(v)) for k, v in case.items()}
    return make_event(org, revenue=figures).revenue


@pytest.mark.parametrize("case", CASES)
def test_expressions_match_the_properties_to_the_cent(org, case):
    revenue = _revenue(org, case)
    row = Revenue.objects.with_cents().get(pk=revenue.pk)

    for name in ("gross", "captain_fee", "crew_wages", "port_fees", "net"):
        cents = getattr(row, f"{name}_cents")
        assert Decimal(int(cents)) / 100 == getattr(revenue, name), name


def test_half_cent_port_fee_rounds_up_in_the_database(org):
    row = Revenue.objects.with_cents().get(pk=_revenue(org, {"gross": "0.25", "port_fee_pct": "18"}).pk)
    assert row.port_fees_cents == 5  # 0.045 → 0.05, as the property says


def test_sums_through_an_event_equal_the_sum_of_the_properties(org):
    revenues = [_revenue(org, case) for case in CASES]
    make_event(org)  # an event without revenue adds nothing
    totals = Event.objects.for_org(org).aggregate(
        **{name: Sum(expression) for name, expression in revenue_cents("revenue__").items()}
    )
    for name, total in totals.items():
        assert Decimal(int(total)) / 100 == sum(getattr(r, name) for r in revenues), name
