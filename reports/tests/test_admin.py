"""The back office of the reports: owner inputs per brand, recipients, runs to view,
download and send again — an owner on their own brands only, the portfolio a superuser's."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from charterops.models import OutboundEmail
from charterops.tests.factories import make_user
from reports.models import OwnerInputs, RecipientList, ReportRun
from reports.periods import parse_period
from reports.services import report_run

from .conftest import NOW


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def brand_run(org, kind="accounting", period="2026-11") -> ReportRun:
    return report_run(report=kind, period=parse_period(period), brand=org, now=NOW).run


def test_owner_enters_their_brands_inputs(owner_client, org):
    response = owner_client.post(
        reverse("admin:reports_ownerinputs_add"),
        {
            "organization": org.pk,
            "time_zone": "America/Los_Angeles",
            "fixed_costs_monthly": "2100.00",
            "infrastructure_cost_monthly": "",
            "planned_platform_order": "sailo, getmyboat, viator, getyourguide",
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-month": "2026-12-01",
            "targets-0-gross": "3000",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inputs = OwnerInputs.objects.get(organization=org)
    assert inputs.fixed_costs_monthly == Decimal("2100.00")
    assert inputs.infrastructure_cost_monthly is None  # left empty: "not set" in the reports
    assert [t.gross for t in inputs.targets.all()] == [Decimal("3000.00")]


def test_owner_cannot_enter_inputs_for_another_brand_or_the_portfolio(owner_client, org, other_org):
    form = {
        "time_zone": "America/Los_Angeles",
        "planned_platform_order": "sailo",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
    }
    for organization in (other_org.pk, ""):
        response = owner_client.post(reverse("admin:reports_ownerinputs_add"), {**form, "organization": organization})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["organization"]
    assert not OwnerInputs.objects.exists()


def test_an_unknown_platform_is_refused_with_a_message(owner_client, org):
    response = owner_client.post(
        reverse("admin:reports_ownerinputs_add"),
        {
            "organization": org.pk,
            "time_zone": "America/Los_Angeles",
            "planned_platform_order": "sailo, airbnb",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )
    assert "Unknown platform airbnb" in response.content.decode()


def test_a_crew_address_in_a_recipient_list_is_refused_with_a_message(owner_client, org, deckhand):
    response = owner_client.post(
        reverse("admin:reports_recipientlist_add"),
        {
            "report": "cfo",
            "organization": org.pk,
            "from_email": "Reports <admin@queenofsandiego.com>",
            "to": f"cfo@queenofsandiego.com\n{deckhand.user.email}",
            "bcc": "admin@queenofsandiego.com",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "Reports carry revenue and never go to crew" in response.content.decode()
    assert deckhand.user.email in response.content.decode()
    assert not RecipientList.objects.exists()


def test_owner_sets_recipients_with_a_sender_of_their_own(owner_client, org):
    response = owner_client.post(
        reverse("admin:reports_recipientlist_add"),
        {
            "report": "cfo",
            "organization": org.pk,
            "from_email": "Queen reports <admin@queenofsandiego.com>",
            "to": "cfo@queenofsandiego.com, owner@queenofsandiego.com",
            "bcc": "admin@queenofsandiego.com",
            "active": "on",
        },
    )
    assert response.status_code == 302
    saved = RecipientList.objects.get()
    assert saved.to_addresses == ["cfo@queenofsandiego.com", "owner@queenofsandiego.com"]
    assert saved.from_email == "Queen reports <admin@queenofsandiego.com>"


def test_owner_views_and_downloads_their_brands_run(owner_client, book, org):
    run = brand_run(org)

    page = owner_client.get(reverse("admin:reports_reportrun_view", args=[run.pk]))
    assert page.status_code == 200
    assert "$1,841.03" in page.content.decode()  # recognised revenue, in the embedded report
    html = owner_client.get(reverse("admin:reports_reportrun_html", args=[run.pk]))
    assert html["Content-Disposition"].endswith('.html"')
    assert b"data:image/png;base64," in html.content  # charts travel inside the file
    assert b"cid:" not in html.content
    download = owner_client.get(reverse("admin:reports_reportrun_csv", args=[run.pk]))
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows)


def test_another_brands_run_and_the_portfolios_are_404_for_an_owner(owner_client, book, other_org):
    theirs = brand_run(other_org)
    portfolio = report_run(report="cfo", period=parse_period("2026-11"), now=NOW).run
    for run in (theirs, portfolio):
        for name in ("view", "html", "csv"):
            assert owner_client.get(reverse(f"admin:reports_reportrun_{name}", args=[run.pk])).status_code == 404
        assert owner_client.post(reverse("admin:reports_reportrun_resend", args=[run.pk])).status_code == 404
    listing = owner_client.get(reverse("admin:reports_reportrun_changelist"))
    assert theirs.title not in listing.content.decode()
    assert portfolio.title not in listing.content.decode()


def test_crew_cannot_open_the_back_office_reports(client, book, org, captain):
    run = brand_run(org)
    client.force_login(captain.user)
    response = client.get(reverse("admin:reports_reportrun_view", args=[run.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superuser_sees_the_portfolio_run(superuser_client, book):
    run = report_run(report="ceo", period=parse_period("2026-W48"), now=NOW).run
    page = superuser_client.get(reverse("admin:reports_reportrun_view", args=[run.pk]))
    assert page.status_code == 200
    assert "JADA" in page.content.decode()


def test_resend_from_the_back_office_queues_the_report_again(
    owner_client, book, org, django_capture_on_commit_callbacks
):
    RecipientList.objects.create(
        report="accounting", organization=org, from_email="admin@queenofsandiego.com", to="books@queenofsandiego.com"
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = brand_run(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("admin:reports_reportrun_resend", args=[run.pk]))
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(kind="exec_report_accounting").count() == 2
    run.refresh_from_db()
    assert run.resends == 1


def test_resend_is_post_only(owner_client, book, org):
    run = brand_run(org)
    assert owner_client.get(reverse("admin:reports_reportrun_resend", args=[run.pk])).status_code == 405


def test_run_list_queries_do_not_grow_with_runs(owner_client, org, django_assert_num_queries):
    def make_runs(count: int, offset: int) -> None:
        for n in range(count):
            path = default_storage.save(f"reports/test/{offset + n}.html", ContentFile(b"<p>x</p>"))
            ReportRun.objects.create(
                report="ceo",
                organization=org,
                period_start=parse_period(f"2025-W{offset + n + 1:02d}").start,
                period_end=parse_period(f"2025-W{offset + n + 1:02d}").end,
                period_label="week",
                title=f"CEO report {offset + n}",
                summary="…",
                status=ReportRun.Status.NO_RECIPIENTS,
                html_path=path,
                text_path=path,
                csv_path=path,
            )

    url = reverse("admin:reports_reportrun_changelist")
    make_runs(2, 0)
    owner_client.get(url)  # warm the session and content types
    with django_assert_num_queries(8) as small:
        owner_client.get(url)
    make_runs(10, 2)
    with django_assert_num_queries(len(small.captured_queries)):
        response = owner_client.get(url)
    assert "CEO report 11" in response.content.decode()
