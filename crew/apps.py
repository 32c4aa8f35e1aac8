from django.apps import AppConfig


class CrewConfig(AppConfig):
    name = "crew"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to events.signals)
