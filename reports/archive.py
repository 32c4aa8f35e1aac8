"""Reading archived runs back from storage: the email's HTML, its charts, the CSV."""

from django.core.files.storage import default_storage

from .models import ReportRun
from .render import as_page


def read_archived(path: str) -> str:
    with default_storage.open(path, "rb") as f:
        return f.read().decode()


def archived_charts(run: ReportRun) -> dict[str, bytes]:
    """Content-ID → PNG of each chart of the run."""
    charts = {}
    for chart in run.charts:
        with default_storage.open(chart["path"], "rb") as f:
            charts[chart["content_id"]] = f.read()
    return charts


def archived_page(run: ReportRun) -> str:
    """The report as one self-contained page (charts as data URIs), as it was mailed."""
    return as_page(read_archived(run.html_path), archived_charts(run))
