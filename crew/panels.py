"""Panels that later apps add to the crew event page, so that crew never imports them.

guests registers the manifest (names and waiver status) here from its AppConfig.ready.
A panel's `context` must run a constant number of queries, whatever the event's size:
the crew event page pins its query count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from events.models import Event


@dataclass(frozen=True)
class EventPanel:
    name: str
    template: str  # rendered with the panel's context plus `event`
    context: Callable[[HttpRequest, Event], dict[str, Any]]


EVENT_PANELS: list[EventPanel] = []


def register_event_panel(panel: EventPanel) -> EventPanel:
    if all(p.name != panel.name for p in EVENT_PANELS):
        EVENT_PANELS.append(panel)
    return panel
