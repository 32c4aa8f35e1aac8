"""Run the nudge sweep by hand: what beat runs every minute (events.nudges)."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from events.nudges import RULES, Outcome, nudges_sweep


def _when(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now {value!r} is not an ISO time, e.g. 2026-06-01T12:00:00+00:00") from exc
    if timezone.is_naive(moment):
        raise CommandError("--now needs a UTC offset, e.g. 2026-06-01T12:00:00+00:00 (or Z).")
    return moment


class Command(BaseCommand):
    help = (
        "Find the nudges due now (or missed while still useful), record each once and email it once. "
        "Safe to run while beat runs: an occurrence already recorded is never sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print what would happen; write and send nothing.")
        parser.add_argument("--now", type=_when, help="Sweep as if it were this moment (ISO 8601 with offset).")
        parser.add_argument(
            "--kind", action="append", choices=sorted(RULES), help="Only this kind (repeatable). Default: all."
        )

    def handle(self, *args, dry_run: bool, now: datetime | None, kind: list[str] | None, **options) -> None:
        report = nudges_sweep(now=now, kinds=kind, dry_run=dry_run)
        for outcome in report.outcomes:
            self.stdout.write(self._line(outcome, dry_run))
        prefix = "Dry run, nothing written: would be " if dry_run else ""
        self.stdout.write(f"{prefix}{report.summary()}.")

    def _line(self, outcome: Outcome, dry_run: bool) -> str:
        decision, due, nudge = outcome.decision, outcome.due, outcome.nudge
        verb = {"queued": "email", "held": "hold", "skipped": "skip"}[decision.status]
        if not dry_run:
            verb = {"queued": "emailed", "held": "held", "skipped": "skipped"}[decision.status]
        event = due.event.name if due else nudge.event.name
        who = f"{due.name} <{due.address}>" if due else f"{nudge.name} <{nudge.address}>"
        due_at = due.due_at if due else nudge.due_at
        detail = decision.reason
        if decision.release_at:
            # Quiet hours end on the brand's wall clock: said here in UTC, as the due moment is.
            detail = f"{detail} until {decision.release_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        line = f"{verb:8} {outcome.kind:28} {event} → {who} (due {due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
        return f"{line} — {detail}" if detail else line
