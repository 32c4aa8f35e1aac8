"""Run the executive reports by hand: the same service beat calls, once per report and period."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from charterops.models import Organization

from ...archive import archived_charts, read_archived
from ...models import ReportKind
from ...periods import PeriodError, default_period, parse_period
from ...render import Rendered
from ...scope import scope_for
from ...services import report_preview, report_run


class Command(BaseCommand):
    help = (
        "Compute, archive and mail the executive reports (CEO, CTO, CMO, CFO, Accounting) for their last full "
        "period, or the one given. A report already run for a period sends nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--report", action="append", choices=ReportKind.values, help="One report (repeatable); default: all five."
        )
        parser.add_argument("--period", help="A month (2026-11) or an ISO week (2026-W47); default: the last full one.")
        parser.add_argument(
            "--brand",
            action="append",
            help="A brand's slug (repeatable): that brand's own report instead of the portfolio's.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Compute and print; record and send nothing.")
        parser.add_argument("--out", type=Path, help="Also write each report's HTML, charts and CSV to this folder.")

    def handle(self, *args, report=None, period=None, brand=None, dry_run=False, out=None, **options) -> None:
        try:
            fixed_period = parse_period(period) if period else None
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        brands: list[Organization | None] = [None]
        if brand:
            found = {org.slug: org for org in Organization.objects.filter(slug__in=brand)}
            missing = [slug for slug in brand if slug not in found]
            if missing:
                raise CommandError(f"No brand with the slug {', '.join(missing)}.")
            brands = [found[slug] for slug in brand]
        counts = {"ran": 0, "already": 0, "messages": 0}
        for scope_brand in brands:
            today = timezone.localtime(timezone.now(), scope_for(scope_brand).tz).date()
            for kind in report or ReportKind.values:
                chosen = fixed_period or default_period(kind, today)
                label = f"{kind} {chosen.slug} {scope_brand.slug if scope_brand else 'portfolio'}"
                result = None
                if dry_run:
                    built, rendered = report_preview(report=kind, period=chosen, brand=scope_brand)
                    self.stdout.write(f"{label}: {built.summary}")
                else:
                    result = report_run(report=kind, period=chosen, brand=scope_brand)
                    built, rendered = result.report, result.rendered
                    if result.created:
                        counts["ran"] += 1
                        counts["messages"] += result.run.messages
                        self.stdout.write(
                            f"{label}: {result.run.get_status_display()}, {result.run.messages} message(s)"
                        )
                    else:
                        counts["already"] += 1
                        self.stdout.write(
                            f"{label}: already run on {result.run.created_at:%Y-%m-%d %H:%M}; nothing sent"
                        )
                if out:
                    self._write(out / label.replace(" ", "-"), *self._files(built, rendered, result))
        if dry_run:
            self.stdout.write("Dry run: nothing recorded, nothing sent.")
        else:
            self.stdout.write(
                f"{counts['ran']} report(s) run, {counts['already']} already run, "
                f"{counts['messages']} message(s) queued."
            )

    def _files(self, built, rendered: Rendered | None, result) -> tuple[str, str, str, list[tuple[str, str, bytes]]]:
        """(html, text, csv, [(file name, content id, png)]): just computed, or the archived run's."""
        if rendered is not None:
            charts = [(chart.name, chart.content_id, chart.png) for chart in built.charts]
            return rendered.html, rendered.text, rendered.csv, charts
        run = result.run
        pngs = archived_charts(run)
        charts = [(chart["name"], chart["content_id"], pngs[chart["content_id"]]) for chart in run.charts]
        return read_archived(run.html_path), read_archived(run.text_path), read_archived(run.csv_path), charts

    def _write(self, folder: Path, html: str, text: str, csv: str, charts: list[tuple[str, str, bytes]]) -> None:
        """HTML with its charts as files beside it, to open in a browser; text and CSV."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, content_id, png in charts:
            (folder / name).write_bytes(png)
            html = html.replace(f"cid:{content_id}", name)
        (folder / "report.html").write_text(html)
        (folder / "report.txt").write_text(text)
        (folder / "report.csv").write_text(csv)
        self.stdout.write(f"  written to {folder}/")
