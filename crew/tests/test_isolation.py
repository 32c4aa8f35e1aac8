"""Crew of another brand get a 404 on every crew URL that names an object of ours.

The routes come from the URL resolver (the whole `crew` namespace, sign-in included), not
from a hand list: a new route whose parameters this test does not know fails it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from crew import services
from crew.models import ChecklistItem, CrewRole
from crew.tests.factories import make_event
from crew.tests.scenarios import charter_checklists, seat

# Parameters that name a brand's object: filled with ours, requested by the outsider.
OBJECT_PARAMS = {"public_id", "role", "position"}
# Parameters that are themselves a bearer secret (a magic-link code, a calendar feed
# token): whoever holds one is its owner, so there is no "other brand's id" to try; an
# unknown or malformed one must be a 404 (the sign-in tests cover codes in depth).
SECRET_PARAMS = {"code", "token"}
# Parameters that name a brand's public look (its web app manifest and icons, the same
# name and colours its guest pages show): anyone may fetch them; an unknown brand is a 404.
PUBLIC_PARAMS = {"slug", "size"}


def crew_routes() -> list[tuple[str, str, set[str]]]:
    """(name, route, parameter names) of every route in the crew namespace."""
    found = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "crew":
                route = prefix + str(pattern.pattern)
                found.append((pattern.name, route, set(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, "", None)
    return found


ROUTES = crew_routes()


def test_the_crew_namespace_is_found_and_every_parameter_is_known():
    names = {name for name, _, _ in ROUTES}
    assert {"home", "event", "role-claim", "checklist-update", "calendar", "login", "magic-link"} <= names
    for name, _, params in ROUTES:
        assert params <= OBJECT_PARAMS | SECRET_PARAMS | PUBLIC_PARAMS, (
            f"crew:{name} has parameters this test does not cover"
        )


@pytest.fixture
def ours(org, captain, deckhand):
    charter_checklists(org)
    event = make_event(org, notes="Gate code 4471", revenue={"gross": "987654.32"})
    seat(event, captain, CrewRole.CAPTAIN)
    seat(event, deckhand)
    return event


def fill(route: str, event) -> str:
    url = "/" + route.replace("<uuid:public_id>", str(event.public_id))
    return url.replace("<slug:role>", "deckhand").replace("<int:position>", "1")


@pytest.mark.parametrize(("name", "route"), [(n, r) for n, r, p in ROUTES if p & OBJECT_PARAMS])
def test_outsider_gets_404_for_our_objects_on_every_crew_url(crew_login, ours, outsider, name, route):
    client = crew_login(outsider)
    url = fill(route, ours)
    item = ChecklistItem.objects.filter(event=ours).first()
    form = {"item": item.pk, "state": "complete", "version": 1, "slot": "deckhand:1", "crew_member": outsider.pk}
    for method in (client.get, client.post):
        response = method(url, form) if method == client.post else method(url)
        assert response.status_code in {404, 405}, f"{method.__name__.upper()} crew:{name}"
        if response.status_code == 405:  # the method is not served; the other one must be a 404
            continue
        assert b"Gate code" not in response.content
    # And nothing changed.
    item.refresh_from_db()
    assert item.state == "pending"
    assert ours.role_slots.get(role=CrewRole.DECKHAND, position=1).holder.display_name == "Casey"


def test_outsiders_home_shows_nothing_of_ours(crew_login, ours, outsider):
    body = crew_login(outsider).get("/crew/").content.decode()
    assert str(ours.public_id) not in body
    assert ours.name not in body


@pytest.mark.parametrize("token", ["nope", "x" * 65, "%00", "' OR 1=1 --", "a" * 20])
def test_unknown_or_malformed_calendar_tokens_are_404(client, ours, token):
    assert client.get(f"/crew/calendar/{token}.ics").status_code == 404


def test_a_rotated_calendar_token_is_404(client, ours, deckhand):
    old = services.calendar_token_get_or_create(crew_member=deckhand)
    services.calendar_token_rotate(crew_member=deckhand)
    assert client.get(f"/crew/calendar/{old}.ics").status_code == 404


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1", "%27"])
def test_malformed_or_unknown_event_ids_are_404_not_500(crew_login, deckhand, bad):
    assert crew_login(deckhand).get(f"/crew/events/{bad}/").status_code == 404


def test_a_deactivated_crew_members_feed_is_404(client, ours, deckhand):
    token = services.calendar_token_get_or_create(crew_member=deckhand)
    deckhand.active = False
    deckhand.save(update_fields=["active"])
    assert client.get(f"/crew/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize(("name", "route"), [(n, r) for n, r, p in ROUTES if p & PUBLIC_PARAMS])
def test_a_brands_public_look_is_404_for_an_unknown_brand(client, org, name, route):
    url = "/" + route.replace("<slug:slug>", "no-such-brand").replace("<int:size>", "192")
    assert client.get(url).status_code == 404
    assert client.get(url.replace("no-such-brand", org.slug)).status_code == 200
