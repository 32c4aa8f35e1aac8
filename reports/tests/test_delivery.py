"""Reports reach SES (moto's HTTP endpoint) To + BCC, 50 addresses a message at most,
once per report and period, with their charts inline by Content-ID — and never crew."""

import email
import io
import time
from email import policy

import boto3
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from charterops.models import OutboundEmail
from reports.models import RecipientList, ReportKind, ReportRun
from reports.periods import parse_period
from reports.services import batches, recipients_check, report_resend, report_run

from .conftest import NOW

SENDER = "JADA reports <admin@sailjada.com>"
AUDIT = "admin@sailjada.com"
ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture
def ses(moto_endpoint, settings, monkeypatch):
    """Mail goes out through django-ses to moto's SES; returns moto's record of what it received."""
    import django_ses
    from moto.ses.models import ses_backends

    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    settings.EMAIL_BACKEND = "django_ses.SESBackend"
    settings.AWS_SES_REGION_NAME = "us-west-2"
    settings.AWS_SES_REGION_ENDPOINT_URL = moto_endpoint
    client = boto3.client("sesv2", endpoint_url=moto_endpoint, region_name="us-west-2")
    client.create_email_identity(EmailIdentity="admin@sailjada.com")
    # django-ses paces sends by the account's rate, which it asks SES v2's GetAccount for;
    # moto does not answer that call, so the rate (14 a second, SES's usual) is given here.
    monkeypatch.setitem(django_ses.cached_rate_limits, None, 14.0)
    backend = ses_backends[ACCOUNT]["us-west-2"]
    backend.sent_messages.clear()
    return backend


@pytest.fixture
def moto_counts_unique_recipients(monkeypatch):
    """moto adds the To header's addresses to the envelope's (SES's Destination, which
    already holds them) before applying SES's 50-recipient limit, so a message to 49 + 1
    BCC counts as 99 there. SES counts each recipient once; so do the assertions below,
    on the unique addresses moto received."""
    monkeypatch.setattr("moto.ses.models.RECIPIENT_LIMIT", 2 * 50)


def recipients(report: str, to: list[str], bcc: list[str] = (AUDIT,), brand=None) -> RecipientList:
    return RecipientList.objects.create(
        report=report, organization=brand, from_email=SENDER, to="\n".join(to), bcc="\n".join(bcc)
    )


def parsed(raw) -> email.message.EmailMessage:
    return email.message_from_string(raw.raw_data, policy=policy.default)


def run_all(django_capture_on_commit_callbacks, period="2026-11"):
    results = []
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ReportKind.values:
            results.append(report_run(report=kind, period=parse_period(period), now=NOW))
    return results


def test_ses_receives_the_five_reports_to_and_bcc(book, ses, django_capture_on_commit_callbacks):
    for kind in ReportKind.values:
        recipients(kind, [f"{kind}@sailjada.com"])

    results = run_all(django_capture_on_commit_callbacks)

    assert [r.created for r in results] == [True] * 5
    assert len(ses.sent_messages) == 5
    for kind in ReportKind.values:
        [raw] = [m for m in ses.sent_messages if f"{kind}@sailjada.com" in parsed(m).get("To", "")]
        message = parsed(raw)
        assert message["From"] == SENDER
        assert "Bcc" not in message  # BCC travels in the envelope only
        assert set(raw.destinations) >= {f"{kind}@sailjada.com", AUDIT}
        assert message.get_body(preferencelist=("plain",)) is not None
        assert message.get_body(preferencelist=("html",)) is not None
    outbox = OutboundEmail.objects.filter(kind__startswith="exec_report_")
    assert outbox.count() == 5
    assert {e.status for e in outbox} == {OutboundEmail.Status.SENT}
    assert all(e.bcc == [AUDIT] for e in outbox)  # the outbox records the audit copy


def test_charts_are_valid_pngs_referenced_by_their_content_ids(book, ses, django_capture_on_commit_callbacks):
    for kind in ReportKind.values:
        recipients(kind, [f"{kind}@sailjada.com"])
    run_all(django_capture_on_commit_callbacks)

    for raw in ses.sent_messages:
        message = parsed(raw)
        assert message.get_content_type() == "multipart/related"
        html = message.get_body(preferencelist=("html",)).get_content()
        images = [part for part in message.walk() if part.get_content_type() == "image/png"]
        assert images, message["Subject"]
        for part in images:
            content_id = part["Content-ID"].strip("<>")
            assert f'src="cid:{content_id}"' in html
            assert part.get_content_disposition() == "inline"
            png = part.get_content()
            assert png.startswith(b"\x89PNG\r\n\x1a\n")
            Image.open(io.BytesIO(png)).verify()  # raises on a broken image
        referenced = html.count('src="cid:')
        assert referenced == len(images)


def test_120_recipients_arrive_as_three_messages(
    book, ses, moto_counts_unique_recipients, django_capture_on_commit_callbacks
):
    recipients("ceo", [f"reader{n}@sailjada.com" for n in range(119)])  # + the audit BCC: 120

    with django_capture_on_commit_callbacks(execute=True):
        result = report_run(report="ceo", period=parse_period("2026-W48"), now=NOW)

    assert result.run.messages == 3
    assert len(ses.sent_messages) == 3
    envelopes = [set(m.destinations) for m in ses.sent_messages]
    assert [len(e) for e in envelopes] == [50, 50, 22]
    delivered = [address for envelope in envelopes for address in envelope]
    assert sorted(a for a in delivered if a != AUDIT) == sorted(f"reader{n}@sailjada.com" for n in range(119))
    assert delivered.count(AUDIT) == 3  # the audit copy of each message


def test_a_second_run_for_the_same_period_sends_nothing(book, ses, django_capture_on_commit_callbacks):
    for kind in ReportKind.values:
        recipients(kind, [f"{kind}@sailjada.com"])
    run_all(django_capture_on_commit_callbacks)

    again = run_all(django_capture_on_commit_callbacks)

    assert [r.created for r in again] == [False] * 5
    assert len(ses.sent_messages) == 5
    assert ReportRun.objects.count() == 5
    assert OutboundEmail.objects.count() == 5


def test_sends_are_paced_by_django_ses_throttle(
    book, ses, moto_counts_unique_recipients, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import django_ses

    # One message a second, a quarter of it used: django-ses lets one message through in
    # its two-second window and holds the next until the window has passed.
    monkeypatch.setitem(django_ses.cached_rate_limits, None, 1.0)
    monkeypatch.setattr(django_ses, "recent_send_times", [])
    settings.AWS_SES_AUTO_THROTTLE = 0.25
    recipients("ceo", [f"reader{n}@sailjada.com" for n in range(60)])  # two messages

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        report_run(report="ceo", period=parse_period("2026-W48"), now=NOW)

    assert len(ses.sent_messages) == 2
    assert time.monotonic() - started >= 1.5


def test_a_crew_address_is_refused_with_a_message(book, captain):
    with pytest.raises(ValidationError) as refusal:
        recipients_check(from_email=SENDER, to=["cfo@sailjada.com", captain.user.email.upper()], bcc=[])
    assert "never go to crew" in refusal.value.message_dict["to"][0]
    assert captain.user.email in refusal.value.message_dict["to"][0]


def test_a_crew_address_added_later_stops_the_send(book, captain, ses, django_capture_on_commit_callbacks):
    recipients("cfo", ["cfo@sailjada.com"], bcc=[captain.user.email])

    with django_capture_on_commit_callbacks(execute=True):
        result = report_run(report="cfo", period=parse_period("2026-11"), now=NOW)

    assert result.run.status == ReportRun.Status.REFUSED
    assert "never go to crew" in result.run.detail
    assert ses.sent_messages == []
    assert not OutboundEmail.objects.exists()


def test_an_owner_who_also_sails_keeps_their_reports(org, owner):
    from crew.services import crew_member_create

    crew_member_create(organization=org, email=owner.email, first_name="Olivia", membership_role="owner")
    recipients_check(from_email=SENDER, to=[owner.email], bcc=[])  # no refusal


def test_bad_addresses_and_too_large_bcc_lists_are_refused(db):
    with pytest.raises(ValidationError) as refusal:
        recipients_check(from_email="nobody", to=[], bcc=[f"a{n}@x.com" for n in range(50)])
    errors = refusal.value.message_dict
    assert "not an email address" in errors["from_email"][0]
    assert "at least one address" in errors["to"][0]
    assert "At most 49 BCC addresses" in errors["bcc"][0]


def test_batches_keep_every_message_within_fifty_addresses():
    to = [f"r{n}@x.com" for n in range(100)]
    parts = batches(to, ["audit@x.com", "board@x.com"])
    assert [len(p) for p in parts] == [48, 48, 4]
    assert [address for part in parts for address in part] == to


def test_a_run_without_recipients_is_archived_not_sent(book, ses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = report_run(report="ceo", period=parse_period("2026-W48"), now=NOW)
    assert result.run.status == ReportRun.Status.NO_RECIPIENTS
    assert result.run.html_path.endswith("report.html")
    assert ses.sent_messages == []


def test_resend_queues_the_archived_report_again(book, ses, django_capture_on_commit_callbacks):
    recipients("accounting", ["books@sailjada.com"])
    with django_capture_on_commit_callbacks(execute=True):
        run = report_run(report="accounting", period=parse_period("2026-11"), now=NOW).run
    with django_capture_on_commit_callbacks(execute=True):
        report_resend(run=run)

    assert len(ses.sent_messages) == 2
    first, second = (parsed(m) for m in ses.sent_messages)
    assert first["Subject"] == second["Subject"]
    run.refresh_from_db()
    assert run.resends == 1
