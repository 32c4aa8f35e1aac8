from django.apps import AppConfig


class GuestsConfig(AppConfig):
    name = "guests"

    def ready(self) -> None:
        from crew.nudges import register_on_hold_reader
        from crew.panels import EventPanel, register_event_panel

        from . import nudges, receivers  # noqa: F401  (registers the on-hold rule; connects to events.signals)
        from .selectors import crew_manifest_panel, on_hold_names

        register_event_panel(
            EventPanel(name="guests", template="guests/fragments/crew_manifest.html", context=crew_manifest_panel)
        )
        register_on_hold_reader(on_hold_names)
