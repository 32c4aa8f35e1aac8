from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Executive reports"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 — connects the Celery signal receivers
