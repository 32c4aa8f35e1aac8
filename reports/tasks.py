"""Celery tasks of the executive reports: thin, safe to run twice (a run is once per period)."""

import logging

from celery import shared_task
from django.utils import timezone

from charterops.models import Organization

from .periods import default_period
from .scope import scope_for
from .services import report_run

logger = logging.getLogger(__name__)


@shared_task
def exec_report_send(report: str) -> str:
    """Run `report` for its last full period: for the portfolio, and for each brand that
    has recipients of its own for it. A period already run sends nothing."""
    brands = Organization.objects.filter(report_recipients__report=report, report_recipients__active=True).order_by(
        "name"
    )
    done = []
    for brand in [None, *brands]:
        today = timezone.localtime(timezone.now(), scope_for(brand).tz).date()
        result = report_run(report=report, period=default_period(report, today), brand=brand)
        done.append(f"{brand.slug if brand else 'portfolio'}: {'ran' if result.created else 'already run'}")
    logger.info("exec report %s — %s", report, "; ".join(done))
    return "; ".join(done)
