"""The five report builders: each turns a scope and a period into a Report."""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from ..document import Report
from ..models import ReportKind
from ..periods import Period
from ..scope import Scope
from . import accounting, ceo, cfo, cmo, cto
from .base import Context

BUILDERS: dict[str, Callable[[Context], Report]] = {
    ReportKind.CEO: ceo.build,
    ReportKind.CTO: cto.build,
    ReportKind.CMO: cmo.build,
    ReportKind.CFO: cfo.build,
    ReportKind.ACCOUNTING: accounting.build,
}


def build_report(kind: str, *, scope: Scope, period: Period, now: datetime | None = None) -> Report:
    return BUILDERS[kind](Context(scope=scope, period=period, now=now or timezone.now()))
