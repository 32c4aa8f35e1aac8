"""Each report email as a reader sees it: Chromium at phone and desktop width."""

import pytest

from reports.models import ReportKind
from reports.periods import default_period
from reports.render import as_page, assign_content_ids, render

from .conftest import NOW, report_for

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.browser
@pytest.mark.parametrize("kind", ReportKind.values)
def test_report_email_reads_at_phone_and_desktop_width(book, chromium_browser, artifact, kind):
    report = report_for(kind, period=default_period(kind, NOW.date()))
    assign_content_ids(report, period_slug="test", scope_slug="portfolio")
    rendered = render(report)
    # What a mail client shows: the inlined HTML with each cid: image resolved.
    page_html = as_page(rendered.html, {chart.content_id: chart.png for chart in report.charts})

    for name, width in WIDTHS.items():
        context = chromium_browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
        page = context.new_page()
        page.set_content(page_html, wait_until="load")
        page.screenshot(path=artifact(f"report-{kind}-{name}.png"), full_page=True)

        assert page.locator("h1").inner_text() == report.title
        images = page.locator("img.chart")
        assert images.count() == len(report.charts)
        for i in range(images.count()):
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), f"chart {i} did not load"
            box = images.nth(i).bounding_box()
            assert box["width"] <= width  # a chart never pushes the page sideways
        # Nothing wider than the screen but the wide tables, which scroll inside their box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{kind} is {overflow}px wider than a {width}px screen"
        context.close()
