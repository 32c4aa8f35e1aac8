from django.apps import AppConfig


class GuestsConfig(AppConfig):
    name = "guests"

    def ready(self) -> None:
        # The crew event page lists the guests in safety's check-in panel (names, waiver
        # status, aboard or not), read with guests' waiver rule. The crew's digest names the
        # guests still on hold through the reader guests gives it here.
        from crew.nudges import register_on_hold_reader

        from . import nudges, receivers  # noqa: F401  (registers the on-hold rule; connects to events.signals)
        from .selectors import on_hold_names

        register_on_hold_reader(on_hold_names)
