"""A Report as an email (HTML with its CSS inlined and charts by Content-ID, plus a plain
text part), as a page (charts as data URIs, for the back office and downloads), and as CSV."""

import base64
import csv
import io
import textwrap
from dataclasses import dataclass
from datetime import datetime

import css_inline
from django.template.loader import render_to_string
from django.utils import timezone

from .document import Report, Table

# @media rules stay in a <style> tag (phones read them); everything else is inlined,
# since many mail clients drop <style>.
_INLINER = css_inline.CSSInliner(keep_at_rules=True)
WIDTH = 78


@dataclass
class Rendered:
    subject: str
    html: str  # charts referenced as cid:<content id>
    text: str
    csv: str


def assign_content_ids(report: Report, *, period_slug: str, scope_slug: str) -> None:
    """Content-IDs unique to this report, period and scope: <chart.ceo.2026-W47.portfolio@charterops>."""
    for chart in report.charts:
        stem = chart.name.rsplit(".", 1)[0]
        chart.content_id = f"{stem}.{report.kind}.{period_slug}.{scope_slug}@charterops"


def render(report: Report, *, generated_at: datetime | None = None) -> Rendered:
    generated = timezone.localtime(generated_at or timezone.now())
    html = render_to_string(
        "reports/emails/report.html", {"report": report, "generated_at": f"{generated:%-d %b %Y %H:%M %Z}"}
    )
    return Rendered(subject=report.title, html=_INLINER.inline(html), text=render_text(report), csv=render_csv(report))


def as_page(html: str, charts: dict[str, bytes]) -> str:
    """The email's HTML with each cid: reference replaced by the PNG itself (a data URI),
    so one file opens anywhere: a browser, the back office, an archive."""
    for content_id, png in charts.items():
        html = html.replace(f"cid:{content_id}", "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
    return html


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(report.csv_headers)
    writer.writerows(report.csv_rows)
    return buffer.getvalue()


def render_text(report: Report) -> str:
    out = [report.title, "=" * min(len(report.title), WIDTH), ""]
    out.append(f"{report.period[:1].upper()}{report.period[1:]}, compared with {report.previous_period}.")
    out += ["", *textwrap.wrap(report.summary, WIDTH), ""]
    for section in report.sections:
        out += [section.title.upper(), "-" * min(len(section.title), WIDTH)]
        for paragraph in section.paragraphs:
            out += [*textwrap.wrap(paragraph, WIDTH), ""]
        for figure in section.figures:
            line = f"  {figure.label}: {figure.value}"
            if figure.previous is not None:
                line += f" (before: {figure.previous}{', ' + figure.change if figure.change else ''})"
            out.append(line)
            if figure.note:
                out.append(f"    {figure.note}")
        if section.figures:
            out.append("")
        for chart in section.charts:
            out.append(f"  [chart: {chart.title} — in the HTML version]")
        for table in section.tables:
            out += _text_table(table)
        out.append("")
    out.append("Reports carry revenue: do not forward them to crew.")
    return "\n".join(out) + "\n"


def _text_table(table: Table) -> list[str]:
    lines = [f"  {table.title}"]
    if not table.rows:
        return [*lines, f"    {table.empty}", ""]
    widths = [len(h) for h in table.headers]
    for row in table.rows:
        widths = [max(w, len(str(cell))) for w, cell in zip(widths, row, strict=False)]
    widths = [min(w, 40) for w in widths]

    def fmt(cells: list[str]) -> str:
        return "    " + "  ".join(str(c)[:w].ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    lines += [fmt(table.headers), "    " + "  ".join("-" * w for w in widths)]
    lines += [fmt(row) for row in table.rows]
    if table.note:
        lines.append(f"    {table.note}")
    return [*lines, ""]
