"""What a report is made of, whichever reader it is for: sections of key figures, tables
and charts, findings ranked worst first, and the rows of its CSV. The five builders fill
these; reports/render.py turns them into HTML, text and CSV."""

from dataclasses import dataclass, field
from decimal import Decimal

NOT_SET = "not set"


def money(amount: Decimal | None) -> str:
    """$1,234.56 — or "not set" when the owner has not given the figure."""
    if amount is None:
        return NOT_SET
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def whole_money(amount: Decimal | None) -> str:
    if amount is None:
        return NOT_SET
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.0f}"


def change(current: Decimal | int, previous: Decimal | int) -> str:
    """ "+12 %", "−3 %", "new" or "—" (no change to speak of)."""
    if previous == current:
        return "—"
    if not previous:
        return "new"
    percent = (Decimal(current) - Decimal(previous)) / abs(Decimal(previous)) * 100
    sign = "+" if percent > 0 else "−"
    return f"{sign}{abs(percent):.0f} %"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


@dataclass
class Figure:
    """A key figure, with the previous period's for comparison when there is one."""

    label: str
    value: str
    previous: str | None = None
    change: str | None = None
    note: str = ""


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""
    empty: str = "Nothing to show."


@dataclass
class Chart:
    """A PNG chart, inlined in the email by Content-ID."""

    name: str  # file name, e.g. "gross-by-brand.png"
    title: str
    png: bytes
    content_id: str = ""  # set when the run is archived: <name.report.period@charterops>


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(order=True)
class Finding:
    """Something the reader should know; `weight` ranks it (money at stake, or severity)."""

    weight: Decimal
    text: str


@dataclass
class Report:
    kind: str
    title: str
    reader: str  # "the CEO", "the CFO" …
    scope: str  # "the portfolio (4 brands)" or a brand's name
    period: str
    previous_period: str
    summary: str
    sections: list[Section]
    csv_headers: list[str]
    csv_rows: list[list[str]]

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]


def summarise(opening: str, findings: list[Finding], quiet: str) -> str:
    """The opening paragraph: the reader's voice, then the three weightiest findings."""
    top = sorted(findings, reverse=True)[:3]
    if not top:
        return f"{opening} {quiet}"
    numbered = " ".join(f"({n}) {finding.text.rstrip('.')}." for n, finding in enumerate(top, start=1))
    return f"{opening} {numbered}"


def tables_as_csv(sections: list[Section]) -> tuple[list[str], list[list[str]]]:
    """Every table of a report, stacked: section, table, then the table's own columns."""
    width = max((len(t.headers) for s in sections for t in s.tables), default=0)
    headers = ["section", "table", *[f"column {n}" for n in range(1, width + 1)]]
    rows = []
    for section in sections:
        for table in section.tables:
            rows.append([section.title, table.title, *table.headers])
            rows.extend([section.title, table.title, *row] for row in table.rows)
    return headers, rows
