"""Every URL that answers without signing in has a stated reason (reports/public_urls.py)."""

import re
import uuid

import pytest
from django.test import Client

from reports.public_urls import PUBLIC_URLS, Route, public_routes, stale_reasons, walk

# A value each path converter accepts, so that the anonymous request reaches the view.
SAMPLES = {
    "int": "1",
    "uuid": str(uuid.uuid4()),
    "photokey": f"brand/{uuid.uuid4()}/{'a' * 32}.jpg",
}
LOGIN_PAGES = ("/admin/login/", "/crew/login")


def sample_path(route: Route) -> str:
    # Regular-expression routes first: a public id gets a UUID; anything else (the admin's
    # app index names an app label) "auth"; an optional trailing slash is left out.
    path = re.sub(
        r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES["uuid"] if m.group(1) == "public_id" else "auth", route.route
    ).replace("/?", "")
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "sample"), path)


def answers_anonymously(client: Client, path: str) -> bool:
    """True when the URL does its work (or says what is wrong with the input) without a
    signed-in user: not 401/403, not a trip to a sign-in page."""
    response = client.get(path, follow=True)
    if response.status_code == 405:
        response = client.post(path, follow=True)
    if response.status_code in (401, 403):
        return False
    landed = response.redirect_chain[-1][0] if response.redirect_chain else path
    return not (response.redirect_chain and landed.split("?")[0].endswith(LOGIN_PAGES))


@pytest.mark.django_db
def test_every_public_url_has_a_stated_reason():
    client = Client()
    public = {route.name or route.route for route in walk() if answers_anonymously(client, sample_path(route))}
    unexplained = sorted(public - set(PUBLIC_URLS))
    assert not unexplained, f"public URLs with no reason in reports/public_urls.py: {unexplained}"


@pytest.mark.django_db
def test_every_url_listed_as_public_is_public():
    client = Client()
    routes = {route.name: route for route in walk()}
    private = sorted(name for name in PUBLIC_URLS if not answers_anonymously(client, sample_path(routes[name])))
    assert not private, f"listed as public but they ask for a sign-in: {private}"


def test_the_table_names_only_urls_that_exist():
    assert stale_reasons() == []
    assert {route.name for route in public_routes()} == set(PUBLIC_URLS)


def test_the_walk_sees_nested_and_namespaced_urls():
    names = {route.name: route for route in walk()}
    assert names["crew:event"].route == "crew/events/<uuid:public_id>/"
    assert names["api-events"].route == "api/events/"
    # The back office's site (backoffice.site) is Django's admin with the dashboard as its index.
    assert names["admin:index"].view.startswith(("django.contrib.admin", "backoffice.site"))
