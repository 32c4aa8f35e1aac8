"""The crew API: the same events, roles and checklists as the crew pages, as JSON.

Crew and owners authenticate with a JWT bearer token (`crew.auth.JWTAuthentication`);
owners may also use their back-office session in a browser. Each operation is its own
explicit view with explicit input and output serializers; reads come from
`crew.selectors`, decisions from `crew.policy`, writes from the same services the crew
pages call: no rule lives here.

- `events`: the event list and one event (GET; owners change an event with PUT/PATCH);
- `roles`: claim, release, designate, acknowledge; start and confirm the event;
- `checklists`: the checklist, adding a template, setting an item's state;
- `exchange`: a magic-link code for an access token.
"""

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from charterops.tenancy import Scope, scope_of

from .. import selectors
from ..policy import RosterPolicy


def roster_for(request: Request, public_id: Any) -> tuple[selectors.EventRoster, RosterPolicy, Scope]:
    """The event in the request's scope with its roster, and the rules for whoever asks (one query)."""
    scope = scope_of(request)
    roster = selectors.event_roster(organization_ids=scope.org_ids, public_id=public_id)
    if roster is None:
        raise NotFound("No event matches the given query.")
    return roster, roster.policy(selectors.actor_of_scope(scope)), scope


def event_for(request: Request, public_id: Any) -> tuple[Any, Scope]:
    """The event in the request's scope as a model, for the writes a service makes."""
    scope = scope_of(request)
    event = selectors.event_in_scope(organization_ids=scope.org_ids, public_id=public_id)
    if event is None:
        raise NotFound("No event matches the given query.")
    return event, scope
