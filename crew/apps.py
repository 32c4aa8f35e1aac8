from django.apps import AppConfig


class CrewConfig(AppConfig):
    name = "crew"

    def ready(self) -> None:
        from . import nudges, receivers  # noqa: F401  (registers the crew's nudge rules; connects to events.signals)
