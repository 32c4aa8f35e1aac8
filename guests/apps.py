from django.apps import AppConfig


class GuestsConfig(AppConfig):
    name = "guests"

    def ready(self) -> None:
        # The crew event page lists the guests in safety's check-in panel (names, waiver
        # status, aboard or not), read with guests' waiver rule.
        from . import nudges, receivers  # noqa: F401  (registers the on-hold rule; connects to events.signals)
