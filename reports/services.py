"""Business writes of the executive reports: run a report for a period (compute, archive,
mail at most once), re-send a run, and the rule on who may receive one.

Reports carry revenue. They go only to the addresses an owner listed for that report,
never to crew: a crew member's address is refused when the list is saved and again
when a report is about to go out (an address may have joined the crew since).
"""

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from charterops.models import Organization, OutboundEmail
from charterops.tasks import send_outbound_email
from crew.selectors import crew_only_addresses

from .builders import build_report
from .document import Report
from .models import RecipientList, ReportRun
from .periods import Period
from .render import Rendered, assign_content_ids, render
from .scope import scope_for

# SES takes at most 50 recipients (To, Cc and Bcc together) in one message.
MAX_ADDRESSES = 50


def recipients_check(*, from_email: str, to: list[str], bcc: list[str]) -> None:
    """Refuse a recipient list that cannot or must not be used, with a message per field."""
    errors: dict[str, list[str]] = {}
    sender = parseaddr(from_email)[1]
    try:
        validate_email(sender)
    except ValidationError:
        errors.setdefault("from_email", []).append(f"{from_email!r} is not an email address.")
    for field, addresses in (("to", to), ("bcc", bcc)):
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                errors.setdefault(field, []).append(f"{address!r} is not an email address.")
        crew = sorted(crew_only_addresses(addresses))
        if crew:
            errors.setdefault(field, []).append(
                f"Reports carry revenue and never go to crew: {', '.join(crew)} "
                f"{'belongs' if len(crew) == 1 else 'belong'} to a crew member."
            )
    if not to:
        errors.setdefault("to", []).append("Give at least one address to send the report to.")
    if len(bcc) >= MAX_ADDRESSES:
        errors.setdefault("bcc", []).append(
            f"At most {MAX_ADDRESSES - 1} BCC addresses: every message carries them all beside at least one To address."
        )
    if errors:
        raise ValidationError(errors)


def batches(to: list[str], bcc: list[str]) -> list[list[str]]:
    """The To addresses split so that each message, with the whole BCC list, stays within
    SES's 50 recipients. Every message carries the BCC: the audit copy sees all of them."""
    size = MAX_ADDRESSES - len(bcc)
    return [to[i : i + size] for i in range(0, len(to), size)]


@dataclass
class RunResult:
    run: ReportRun | None  # None for a dry run
    created: bool  # False: this report and period had already run; nothing was sent
    report: Report | None
    rendered: Rendered | None


def report_preview(*, report: str, period: Period, brand: Organization | None = None, now: datetime | None = None):
    """Compute and render a report without recording or sending anything."""
    scope = scope_for(brand)
    built = build_report(report, scope=scope, period=period, now=now)
    assign_content_ids(built, period_slug=period.slug, scope_slug=scope.slug)
    return built, render(built, generated_at=now)


def _existing(report: str, period: Period, brand: Organization | None) -> ReportRun | None:
    return ReportRun.objects.filter(
        report=report, organization=brand, period_start=period.start, period_end=period.end
    ).first()


def report_run(
    *, report: str, period: Period, brand: Organization | None = None, now: datetime | None = None
) -> RunResult:
    """Run `report` for `period` (the portfolio, or one brand) once: compute it, archive it
    to storage, and queue it to its recipients. A second call for the same report, scope
    and period sends nothing and returns the first run."""
    existing = _existing(report, period, brand)
    if existing is not None:
        return RunResult(existing, False, None, None)
    built, rendered = report_preview(report=report, period=period, brand=brand, now=now)
    recipients = RecipientList.objects.filter(report=report, organization=brand, active=True).first()
    try:
        with transaction.atomic():
            # The unique constraint claims (report, scope, period) first: of two runs at
            # once, the second stops here, before archiving or queueing anything.
            run = ReportRun.objects.create(
                report=report,
                organization=brand,
                period_start=period.start,
                period_end=period.end,
                period_label=period.label,
                title=built.title,
                summary=built.summary,
                status=ReportRun.Status.NO_RECIPIENTS,
            )
            _archive(run, built, rendered, scope_slug=brand.slug if brand else "portfolio", period_slug=period.slug)
            if recipients is not None:
                _deliver(
                    run, recipients, key=f"exec_report:{report}:{brand.slug if brand else 'portfolio'}:{period.slug}"
                )
            run.save()
    except IntegrityError:
        return RunResult(_existing(report, period, brand), False, built, rendered)
    return RunResult(run, True, built, rendered)


@transaction.atomic
def report_resend(*, run: ReportRun) -> ReportRun:
    """Send an archived run again to its report's current recipients (new outbox rows)."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    recipients = RecipientList.objects.filter(report=run.report, organization=run.organization, active=True).first()
    if recipients is None:
        raise ValidationError("This report has no recipients: add them under Report recipients first.")
    recipients_check(from_email=recipients.from_email, to=recipients.to_addresses, bcc=recipients.bcc_addresses)
    run.resends += 1
    scope = run.organization.slug if run.organization else "portfolio"
    _deliver(run, recipients, key=f"exec_report:{run.report}:{scope}:{run.period_start:%Y-%m-%d}:resend-{run.resends}")
    run.save()
    return run


def _archive(run: ReportRun, report: Report, rendered: Rendered, *, scope_slug: str, period_slug: str) -> None:
    folder = f"reports/{scope_slug}/{run.report}/{period_slug}/run-{run.pk}"
    run.html_path = default_storage.save(f"{folder}/report.html", ContentFile(rendered.html.encode()))
    run.text_path = default_storage.save(f"{folder}/report.txt", ContentFile(rendered.text.encode()))
    run.csv_path = default_storage.save(f"{folder}/report.csv", ContentFile(rendered.csv.encode()))
    run.charts = [
        {
            "name": chart.name,
            "path": default_storage.save(f"{folder}/{chart.name}", ContentFile(chart.png)),
            "content_type": "image/png",
            "content_id": chart.content_id,
        }
        for chart in report.charts
    ]


def _read(path: str) -> str:
    with default_storage.open(path, "rb") as f:
        return f.read().decode()


def _deliver(run: ReportRun, recipients: RecipientList, *, key: str) -> None:
    """Queue the run's email to `recipients`, 50 addresses a message at most, each
    recorded in the outbox (with its BCC) under a key that makes it go out once."""
    to, bcc = recipients.to_addresses, recipients.bcc_addresses
    try:
        recipients_check(from_email=recipients.from_email, to=to, bcc=bcc)
    except ValidationError as refusal:
        run.status = ReportRun.Status.REFUSED
        run.detail = " ".join(message for messages in refusal.message_dict.values() for message in messages)
        return
    html, text = _read(run.html_path), _read(run.text_path)
    for number, addresses in enumerate(batches(to, bcc), start=1):
        email, created = OutboundEmail.objects.get_or_create(
            key=f"{key}:{number}",
            defaults={
                "organization": run.organization,
                "kind": f"exec_report_{run.report}",
                "from_email": recipients.from_email,
                "to": addresses,
                "bcc": bcc,
                "subject": run.title,
                "body_text": text,
                "body_html": html,
                "attachments": run.charts,
            },
        )
        if created:
            # Sent by the outbox's own task once the run is committed; SES pacing is
            # django-ses's throttle (AWS_SES_AUTO_THROTTLE) in the worker.
            transaction.on_commit(partial(send_outbound_email.delay, email.pk))
            run.messages += 1
    run.status = ReportRun.Status.QUEUED
    run.detail = ""
