from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"

    def ready(self) -> None:
        from crew.panels import EventPanel, register_event_panel

        from . import nudges, receivers  # noqa: F401  (registers the overdue rule; the start gate and float plans)
        from .selectors import check_in_panel

        register_event_panel(
            EventPanel(name="safety", template="safety/fragments/check_in.html", context=check_in_panel)
        )
