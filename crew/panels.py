"""Panels that later apps add to the crew event page, so that crew never imports them.

guests registers the manifest (names and waiver status) here from its AppConfig.ready.
A panel's `context` must run a constant number of queries, whatever the event's size:
the crew event page pins its query count. Its template is a Jinja2 template (under
`<app>/jinja2/`), as the page's are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.http import HttpRequest
from django.template.loader import get_template
from markupsafe import Markup


class PanelEvent(Protocol):
    """What a panel is told about the event: enough to look up its own rows."""

    id: int
    organization_id: int


@dataclass(frozen=True)
class EventPanel:
    name: str
    template: str  # rendered with the panel's context plus `event`
    context: Callable[[HttpRequest, PanelEvent], dict[str, Any]]


EVENT_PANELS: list[EventPanel] = []


def register_event_panel(panel: EventPanel) -> EventPanel:
    if all(p.name != panel.name for p in EVENT_PANELS):
        EVENT_PANELS.append(panel)
    return panel


def render_event_panels(request: HttpRequest, event: PanelEvent) -> list[Markup]:
    """Every registered panel as HTML, in order (escaped by its own template)."""
    return [
        Markup(get_template(panel.template).render({**panel.context(request, event), "event": event}, request))  # noqa: S704
        for panel in EVENT_PANELS
    ]
