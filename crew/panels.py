"""Panels that later apps add to the crew event page, so that crew never imports them.

safety registers the check-in (the manifest with waiver status and who is aboard, the
float plan, the return) here from its AppConfig.ready. A panel is handed what the page
has already read — the event, its roster, and what the person may do — so it never reads
them again; its `context` must run a constant number of queries whatever the event's
size (the crew event page pins its query count). Its template is a Jinja2 template
(under `<app>/jinja2/`), as the page's are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.loader import get_template
from markupsafe import Markup

if TYPE_CHECKING:
    from events.selectors import EventSummary

    from .policy import RosterPolicy
    from .selectors import EventRoster


@dataclass(frozen=True, slots=True)
class PanelPage:
    """What the crew event page read and decided, handed to every panel."""

    roster: "EventRoster"
    policy: "RosterPolicy"  # what the person looking may do
    now: datetime

    @property
    def event(self) -> "EventSummary":
        return self.roster.event


@dataclass(frozen=True)
class EventPanel:
    name: str
    template: str  # rendered with the panel's context plus `event`
    context: Callable[[HttpRequest, PanelPage], dict[str, Any]]


EVENT_PANELS: list[EventPanel] = []


def register_event_panel(panel: EventPanel) -> EventPanel:
    if all(p.name != panel.name for p in EVENT_PANELS):
        EVENT_PANELS.append(panel)
    return panel


def render_event_panels(request: HttpRequest, page: PanelPage) -> list[Markup]:
    """Every registered panel as HTML, in order (escaped by its own template)."""
    return [
        Markup(get_template(panel.template).render({**panel.context(request, page), "event": page.event}, request))  # noqa: S704
        for panel in EVENT_PANELS
    ]
