"""Crawl every crew-reachable route, enumerated from the URL resolver (not a hand list).

- Revenue: with a sentinel gross on the event, nothing a crew member can GET or OPTIONS
  contains it — pages (cookie) and API (bearer) alike — while the owner does see it.
- Isolation: every route that names an object, called with another brand's objects,
  answers 404 (or 405 for a method the route does not take), never 200/403.

It lives in guests, the top of the operational apps, because it crawls all of them.
"""

import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from crew.auth import COOKIE_NAME, token_for
from crew.models import ChecklistItem, RoleSlot
from crew.services import calendar_token_get_or_create
from crew.tests.factories import make_event
from guests.models import Guest

SENTINEL = Decimal("987654.32")
# The surfaces crew reach with their sign-in; guest links (w/, g/, u/) are crawled by the
# guests' own tests, and the back office is for owners only.
CREW_PREFIXES = ("api/", "crew/", "m/", "healthz", "ping")
# The service API takes a booking platform's key, never a crew member's sign-in.
NOT_CREW = ("api/service/",)
OBJECT_PARAMS = {"public_id", "item_id", "token"}


def crew_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted(
        route
        for route in walk(get_resolver().url_patterns)
        if route.startswith(CREW_PREFIXES) and not route.startswith(NOT_CREW)
    )


def fill(route: str, values: dict[str, str]) -> str:
    """Replace each <converter:name> of `route` with values[name]; unknown names fail loudly."""

    def value(match: re.Match) -> str:
        name = match.group(2)
        if name not in values:
            pytest.fail(f"the crawl does not know how to fill <{match.group(0)}> in {route}: teach it")
        return str(values[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def world(org, crew_member):
    """An event `crew_member` is on, with a checklist item, a guest and sentinel revenue."""
    event = make_event(org, revenue={"gross": SENTINEL, "port_fee_pct": Decimal("18")}, notes="Dock 5")
    RoleSlot.objects.filter(event=event, role="deckhand", position=1).update(holder=crew_member)
    item = ChecklistItem.objects.create(event=event, phase="pre_departure", text="Ice", responsible_role="deckhand")
    Guest.objects.create(organization=org, event=event, name="Taylor Guest")
    return {
        "public_id": event.public_id,
        "item_id": item.pk,
        "role": "deckhand",
        "action": "claim",
        "position": 1,
        "token": calendar_token_get_or_create(crew_member=crew_member),
        "code": "ABCDEFGH",
        "slug": org.slug,  # a brand's public look: its web app manifest and icons
        "size": 192,
    }


def signed_in(crew_member, route: str) -> APIClient:
    """Signed in the way the surface expects: bearer token for the API, cookie for pages."""
    client = APIClient()
    token = token_for(crew_member)
    if route.startswith("api/"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        client.cookies[COOKIE_NAME] = token
    return client


def test_the_crawl_covers_the_crew_surfaces():
    routes = crew_routes()
    assert "api/events/<uuid:public_id>/" in routes
    assert "crew/events/<uuid:public_id>/" in routes
    assert len(routes) >= 15


@pytest.mark.parametrize("route", crew_routes())
def test_no_crew_surface_shows_revenue(route, org, deckhand):
    url = fill(route, world(org, deckhand))
    client = signed_in(deckhand, route)
    for method in ("get", "options"):
        response = getattr(client, method)(url)
        assert response.status_code < 500, (method, url, response.status_code)
        body = response.content.decode(errors="replace")
        assert "987654" not in body, (method, url)
        assert "177777" not in body, (method, url)  # the derived port fees


def test_the_owner_does_see_revenue_in_the_api(org, owner, deckhand, api_login):
    values = world(org, deckhand)
    body = api_login(owner).get(f"/api/events/{values['public_id']}/").content.decode()
    assert "987654.32" in body


def names_an_object(route: str) -> bool:
    return bool(OBJECT_PARAMS & set(re.findall(r"<(?:\w+:)?(\w+)>", route)))


@pytest.mark.parametrize("route", [r for r in crew_routes() if names_an_object(r)])
def test_another_brands_objects_are_404_on_every_route(route, org, other_org, deckhand, outsider):
    theirs = world(other_org, outsider)
    world(org, deckhand)
    url = fill(route, theirs if "token" not in route else {**theirs, "token": "not-our-calendar-token"})
    client = signed_in(deckhand, route)
    for method in ("get", "post", "patch"):
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code in {404, 405}, (method, url, response.status_code)
