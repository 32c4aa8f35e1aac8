"""Task failures and retries, recorded from Celery's signals for the CTO report.

Reports listen; nothing imports reports. Recording never gets in the task's way: if the
database cannot take the row, the failure is logged and the task goes on as it would.
"""

import logging

from celery import signals

logger = logging.getLogger(__name__)


def _record(kind: str, sender, task_id: str | None, error: object) -> None:
    from .models import TaskEvent

    try:
        TaskEvent.objects.create(
            task=getattr(sender, "name", None) or str(sender),
            task_id=task_id or "",
            kind=kind,
            error=f"{type(error).__name__}: {error}"[:500] if error is not None else "",
        )
    except Exception as exc:  # the task's own outcome matters more than this record
        logger.warning("could not record task %s (%s): %s", kind, sender, exc)


@signals.task_failure.connect(weak=False)
def task_failed(sender=None, task_id=None, exception=None, **kwargs) -> None:
    _record("failure", sender, task_id, exception)


@signals.task_retry.connect(weak=False)
def task_retried(sender=None, request=None, reason=None, **kwargs) -> None:
    _record("retry", sender, getattr(request, "id", None), reason)
