"""Each report's figures against the hand-computed book in conftest.py."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

from events.models import EventStatus, Source
from guests.tests.factories import make_guest, make_waiver
from reports.builders.accounting import POLICY
from reports.models import Milestone, MonthlyTarget, OwnerInputs
from reports.periods import parse_period
from reports.render import render

from .conftest import LA, NOW, charter, everything, figure, previous, report_for, table

# --- CFO --------------------------------------------------------------------------------


def test_cfo_sums_november_to_the_cent_in_local_months(book):
    report = report_for("cfo", brand=book.a.organization)

    assert figure(report, "Charters sailed") == "3"  # A, B, E — not C (October locally), not D (cancelled)
    assert figure(report, "Revenue (gross)") == "$1,841.03"
    assert figure(report, "Captain fees") == "$263.75"
    assert figure(report, "Crew wages") == "$250.00"
    assert figure(report, "Port and dock fees") == "$276.37"
    assert figure(report, "Net") == "$1,050.91"
    assert previous(report, "Revenue (gross)") == "$500.00"  # October: C only


def test_cfo_portfolio_adds_the_other_brand(book):
    report = report_for("cfo")
    assert figure(report, "Revenue (gross)") == "$9,618.80"  # 1841.03 + 7777.77
    assert figure(report, "Net") == "$8,828.68"  # 1050.91 + 7777.77


def test_cfo_by_brand_and_month_puts_the_late_evening_charters_in_their_local_month(book):
    rows = table(report_for("cfo", brand=book.a.organization), "By brand and month")
    by_month = {row[0]: row for row in rows}
    assert by_month["Oct 2026"][3] == "$500.00"  # C: 31 Oct 23:30 in San Diego, 1 Nov in UTC
    assert by_month["Nov 2026"][3] == "$1,841.03"  # B: 30 Nov 23:30 in San Diego, 1 Dec in UTC


def test_break_even_is_fixed_costs_over_average_net_per_charter(book, inputs):
    report = report_for("cfo", brand=book.a.organization)
    # 2100.00 ÷ (1050.91 / 3 = 350.30) = 5.995 → 6 charters a month
    assert figure(report, "Break-even volume") == "6 a month"
    assert figure(report, "Monthly burn") == "$2,890.12"  # 2100.00 + 263.75 + 250.00 + 276.37


def test_break_even_without_fixed_costs_says_not_set(book):
    report = report_for("cfo", brand=book.a.organization)
    assert figure(report, "Break-even volume") == "not set"
    assert figure(report, "Fixed costs a month (owner's figure)") == "not set"


def test_portfolio_fixed_costs_are_the_overhead_plus_every_brands(book, org, other_org):
    OwnerInputs.objects.create(organization=None, fixed_costs_monthly=Decimal("1000.00"))
    OwnerInputs.objects.create(organization=org, fixed_costs_monthly=Decimal("2100.00"))
    OwnerInputs.objects.create(organization=other_org)  # not set: adds nothing
    assert figure(report_for("cfo"), "Fixed costs a month (owner's figure)") == "$3,100.00"


def test_run_rate_is_read_against_the_owners_targets(book):
    inputs = OwnerInputs.objects.create(organization=book.a.organization)
    MonthlyTarget.objects.create(inputs=inputs, month=datetime(2026, 11, 1).date(), gross=Decimal("2000"))
    MonthlyTarget.objects.create(inputs=inputs, month=datetime(2026, 12, 15).date(), gross=Decimal("3000"))
    rows = table(report_for("cfo", brand=book.a.organization), "Monthly revenue targets")
    assert rows[0][:3] == ["Nov 2026", "$2,000.00", "$1,841.03 (sailed)"]
    assert rows[0][5] == "−$158.97"
    # December: what is booked so far (F confirmed, G pending) against the target.
    assert rows[1][:3] == ["Dec 2026", "$3,000.00", "$1,900.00 (booked so far)"]
    # Run rate: (Sep 0 + Oct 500.00 + Nov 1841.03) / 3
    assert rows[0][3] == "$780.34"


# --- Accounting -------------------------------------------------------------------------


def test_accounting_recognises_sailed_charters_and_defers_confirmed_ones(book):
    report = report_for("accounting", brand=book.a.organization)
    assert figure(report, "Recognised") == "$1,841.03"
    assert figure(report, "Deferred at period end") == "$1,200.00"  # F; not G (pending), not D (cancelled)
    assert POLICY in report.sections[0].paragraphs


def test_accounting_csv_loads_back_with_debits_equal_to_credits(book):
    report = report_for("accounting", brand=book.a.organization)
    rows = list(csv.DictReader(io.StringIO(render(report).csv)))

    debits = sum(Decimal(row["debit"]) for row in rows)
    credits = sum(Decimal(row["credit"]) for row in rows)
    assert debits == credits == Decimal("2631.15")  # 1841.03 revenue + 263.75 + 250.00 + 276.37 costs
    entries = {row["entry"] for row in rows}
    assert entries == {f"CH-{book.a.pk}", f"CH-{book.b.pk}"}  # E has nothing to journal
    for entry in entries:
        lines = [row for row in rows if row["entry"] == entry]
        assert sum(Decimal(r["debit"]) for r in lines) == sum(Decimal(r["credit"]) for r in lines)
    a_income = [r for r in rows if r["entry"] == f"CH-{book.a.pk}" and r["account"] == "4010"]
    assert [(r["credit"], r["date"]) for r in a_income] == [("840.78", "2026-11-03")]
    b_income = [r for r in rows if r["entry"] == f"CH-{book.b.pk}" and r["account"] == "4020"]
    assert [(r["credit"], r["date"]) for r in b_income] == [("1000.25", "2026-11-30")]


def test_accounting_audit_finds_the_charter_without_revenue(book):
    report = report_for("accounting", brand=book.a.organization)
    assert figure(report, "No revenue recorded") == "1"
    assert figure(report, "Port fee not mapped") == "0"
    assert [row[0] for row in table(report, "Charters whose books are incomplete")] == [book.e.slug]


def test_profitability_milestone_progress_comes_from_the_data(book):
    inputs = OwnerInputs.objects.create(organization=book.a.organization)
    Milestone.objects.create(
        inputs=inputs,
        kind=Milestone.Kind.PROFITABILITY,
        title="Net of 2,000 in November",
        metric=Milestone.Metric.NET,
        target=Decimal("2000"),
        starts_on=datetime(2026, 11, 1).date(),
        due_on=datetime(2026, 11, 30).date(),
    )
    [row] = table(report_for("accounting", brand=book.a.organization), "Profitability milestones")
    assert row[3:] == ["$2,000.00", "$1,050.91", "53 %", "missed"]


# --- CMO --------------------------------------------------------------------------------


def test_cmo_lead_time_is_booking_to_departure_per_channel(book):
    report = report_for("cmo", brand=book.a.organization)
    rows = {row[0]: row for row in table(report, "Lead time")}
    # direct: A 48 h, E 2 h, G 14 days → 386 h / 3 = 5.36 days; D is cancelled.
    assert rows["Direct"][1:5] == ["3", "5.4 days", "2", "1"]
    assert rows["Boatsetter"][1:3] == ["1", "20.0 days"]
    assert rows["Sailo"][1:3] == ["1", "35.0 days"]


def test_cmo_channels_count_bookings_made_in_the_period(book):
    report = report_for("cmo", brand=book.a.organization)
    rows = {row[0]: row for row in table(report, "Channels against the previous period")}
    assert rows["Direct"][1] == "3"  # A, E, G booked in November (D cancelled)
    assert rows["Direct"][3] == "$1,540.78"  # 840.78 + 0 + 700.00
    assert rows["Boatsetter"][3] == "$1,000.25"
    assert rows["Sailo"][3] == "$1,200.00"
    assert figure(report, "Bookings") == "5"
    assert previous(report, "Bookings") == "1"  # C, booked in October


def test_cmo_counts_repeat_guests_and_reachable_contacts(book):
    report = report_for("cmo", brand=book.a.organization)
    # aboard in November: ann (A and B), bob (A), cy (B; C in October) → 3, of whom 2 repeat
    assert figure(report, "Guests aboard (distinct emails)") == "3"
    assert figure(report, "Repeat guests") == "2 (67 %)"
    assert figure(report, "Reachable contacts") == "4"  # ann, bob, cy, dee — not xavi (JADA)


def test_cmo_platforms_follow_the_owners_planned_order(book):
    OwnerInputs.objects.create(organization=book.a.organization, planned_platform_order="viator, sailo")
    rows = table(report_for("cmo", brand=book.a.organization), "In the order the owner plans them")
    assert [row[1] for row in rows] == ["Viator", "Sailo"]
    assert {row[2] for row in rows} == {"not connected"}


# --- CEO --------------------------------------------------------------------------------


def test_ceo_counts_charters_run_cancelled_and_money_for_the_period(book):
    report = report_for("ceo", brand=book.a.organization)
    assert figure(report, "Charters run") == "3"
    assert figure(report, "Cancelled") == "1"
    assert figure(report, "Gross") == "$1,841.03"
    assert figure(report, "Net (after captain, crew, port fees)") == "$1,050.91"


def test_ceo_finds_leaks_near_departure_ranked_by_money(org, captain, book):
    make_waiver(org)
    soon = charter(org, NOW + timedelta(hours=30), EventStatus.CONFIRMED, revenue={"gross": "2500"}, name="Whale watch")
    make_guest(soon, "Hal On-Hold", email="hal@example.com")
    stale = charter(org, NOW + timedelta(days=20), EventStatus.PENDING_CONFIRMATION, revenue={"gross": "640"})
    stale.__class__.objects.filter(pk=stale.pk).update(created_at=NOW - timedelta(days=6))

    report = report_for("ceo", brand=org, period=parse_period("2026-W48"))
    leaks = table(report, "Revenue leaks found in the data")
    kinds = [row[1] for row in leaks]
    assert "Unfilled roles near departure" in kinds
    assert "Guests on hold near departure" in kinds
    assert "Pending confirmations ageing" in kinds
    unfilled = next(row for row in leaks if row[1] == "Unfilled roles near departure")
    assert "Whale watch" in unfilled[2]
    assert unfilled[3] == "$2,500.00"
    on_hold = next(row for row in leaks if row[1] == "Guests on hold near departure")
    assert "1 guest without a signed waiver" in on_hold[2]
    ageing = next(row for row in leaks if row[1] == "Pending confirmations ageing")
    # The new one (640, booked 6 days ago); G was booked 71 hours ago, under the 72 h mark.
    assert ageing[3] == "$640.00"
    assert ageing[2].startswith("1 charter pending since")
    actions = table(report, "Next 30 days")
    assert actions[0][2] == "$2,500.00"  # the most money at stake first
    assert "Whale watch" in report.summary


def test_ceo_flags_a_brand_with_an_empty_pipeline(book, other_org):
    report = report_for("ceo", period=parse_period("2026-W48"))
    leaks = table(report, "Revenue leaks found in the data")
    assert ["JADA", "Empty pipeline"] in [row[:2] for row in leaks]


# --- Scope ------------------------------------------------------------------------------


def test_a_brand_scoped_report_holds_no_other_brands_rows(book, other_org):
    for kind in ("ceo", "cto", "cmo", "cfo", "accounting"):
        text = everything(report_for(kind, brand=book.a.organization))
        assert "JADA" not in text, kind
        assert "7,777.77" not in text, kind
        assert "7777.77" not in text, kind
        assert "xavi" not in text.lower(), kind


def test_figures_say_not_set_rather_than_invent_a_number(book):
    cto = report_for("cto", brand=book.a.organization)
    assert figure(cto, "Infrastructure a month (owner's figure)") == "not set"
    assert figure(cto, "Key last rotated") == "not set"
    cmo = report_for("cmo", brand=book.a.organization)
    assert table(cmo, "Campaign milestones") == []
    assert "not set" in render(cmo).text


def test_source_choices_include_getyourguide():
    assert Source.GETYOURGUIDE.label == "GetYourGuide"


def test_a_week_is_read_in_local_days(org):
    sunday_night = charter(
        org, datetime(2026, 11, 29, 23, 30, tzinfo=LA), EventStatus.COMPLETED, revenue={"gross": "10"}
    )
    report = report_for("ceo", brand=org, period=parse_period("2026-W48"))  # Mon 23 – Sun 29 Nov
    assert sunday_night.departure_at.astimezone(LA).date().isoformat() == "2026-11-29"
    assert figure(report, "Gross") == "$10.00"
