from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        from . import owner_alerts  # noqa: F401  (registers the owner alerts with the nudge sweep)
