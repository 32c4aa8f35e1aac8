"""The Celery app and its beat schedule: every periodic job is declared here, once."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charterops.settings")

app = Celery("charterops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The file-system broker (local default) needs its folders before the first message.
for option in ("data_folder_in", "data_folder_out", "control_folder"):
    folder = (app.conf.broker_transport_options or {}).get(option)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)

app.conf.beat_schedule = {
    # Every 5 minutes: proves beat → broker → worker end to end; /healthz reads its time.
    "heartbeat": {
        "task": "charterops.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
    },
    # Daily at 03:17 UTC (quiet hours in San Diego): sign-in rows past any use are deleted.
    "sign-in-rows-prune": {
        "task": "crew.tasks.sign_in_rows_prune",
        "schedule": crontab(hour=3, minute=17),
    },
    # Daily at 03:23 UTC: keys of taps replayed from phones, kept 30 days, are forgotten.
    "idempotency-keys-prune": {
        "task": "crew.tasks.idempotency_keys_prune",
        "schedule": crontab(hour=3, minute=23),
    },
}
