"""What the server gives the crew pages' service worker: /sw.js from the site root, the
files a page needs offline, who each page belongs to, and which pages to keep."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from crew.auth import OFFLINE_KEY_HEADER
from crew.pwa import SCOPE, SHELL_FILES
from crew.tests.factories import make_crew_member, make_event
from crew.tests.scenarios import charter_checklists, seat


@pytest.fixture
def event(org, deckhand):
    charter_checklists(org)
    event = make_event(org, name="Harbor charter", departure_at=timezone.now() + timedelta(days=1))
    seat(event, deckhand)
    return event


def test_the_service_worker_is_served_from_the_site_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    shell = json.loads(re.search(r"^var SHELL = (\{.*\});$", source, re.M).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", shell["version"])
    assert shell["assets"] == [f"/static/{name}" for name in SHELL_FILES]
    assert 'self.addEventListener("fetch"' in source  # the worker's own code
    assert "function replay(" in source  # and the rules it shares with the pages
    assert SCOPE == "/crew/"


def test_the_worker_changes_when_a_file_it_keeps_changes(client, settings, tmp_path):
    """Read once per process (a deploy brings new files); a new file, a new worker version."""
    from django.contrib.staticfiles import finders

    from crew import pwa

    before = client.get("/sw.js").content.decode()
    copy = tmp_path / "css"
    copy.mkdir()
    (copy / "crew.css").write_text("/* a new look */")
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    finders.get_finder.cache_clear()
    try:
        assert client.get("/sw.js").content.decode() == before  # the process's copy
        pwa._cached_worker_source.cache_clear()  # a new process
        after = client.get("/sw.js").content.decode()
    finally:
        finders.get_finder.cache_clear()
        pwa._cached_worker_source.cache_clear()
    version = re.compile(r'"version": "(\w+)"')
    assert version.search(before).group(1) != version.search(after).group(1)


def test_a_crew_page_needs_nothing_the_worker_does_not_keep(crew_login, event, deckhand):
    for path in ("/crew/", f"/crew/events/{event.public_id}/"):
        body = crew_login(deckhand).get(path).content.decode()
        needed = set(re.findall(r'<link rel="stylesheet" href="([^"]+)"', body))
        needed |= set(re.findall(r'<script src="([^"]+)"', body))
        assert needed == {f"/static/{name}" for name in SHELL_FILES}, path


def test_every_crew_page_names_its_person_the_same_way_and_only_them(crew_login, event, org, deckhand, owner):
    first = crew_login(deckhand).get("/crew/")
    again = crew_login(deckhand).get(f"/crew/events/{event.public_id}/")  # another sign-in, same person
    riley = crew_login(make_crew_member(org, "Riley")).get("/crew/")
    key = first[OFFLINE_KEY_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert again[OFFLINE_KEY_HEADER] == key
    assert riley[OFFLINE_KEY_HEADER] != key
    assert crew_login(owner).get("/crew/")[OFFLINE_KEY_HEADER] not in (key, riley[OFFLINE_KEY_HEADER])
    assert f'<meta name="crew-person" content="{key}">' in first.content.decode()


def test_the_same_person_in_another_brand_is_another_person_offline(crew_login, org, other_org):
    from crew import services

    here = make_crew_member(org, "Casey")
    there = services.crew_member_create(organization=other_org, email=here.user.email, first_name="Casey")
    assert crew_login(here).get("/crew/")[OFFLINE_KEY_HEADER] != crew_login(there).get("/crew/")[OFFLINE_KEY_HEADER]


def test_pages_nobody_is_signed_in_to_name_nobody(client):
    for path in ("/crew/login", "/crew/"):
        assert OFFLINE_KEY_HEADER not in client.get(path)


def test_the_offline_banner_is_ready_for_the_worker(crew_login, event, deckhand, org):
    body = crew_login(deckhand).get(f"/crew/events/{event.public_id}/").content.decode()
    # Exactly what offline-core.js's withBanner() fills in.
    assert f'<div class="offline-banner" id="offline-banner" data-tz="{org.time_zone}" hidden></div>' in body


def test_the_crew_home_names_the_next_events_to_keep(crew_login, org, deckhand):
    held = []
    for days in range(1, 8):
        event = make_event(org, departure_at=timezone.now() + timedelta(days=days))
        seat(event, deckhand)
        held.append(event)
    make_event(org, name="Not mine", departure_at=timezone.now() + timedelta(hours=5))
    body = crew_login(deckhand).get("/crew/").content.decode()
    found = re.search(r'data-offline-pages="([^"]*)"', body).group(1)
    import html

    assert json.loads(html.unescape(found)) == [f"/crew/events/{e.public_id}/" for e in held[:5]]


def test_a_signed_out_visitor_gets_the_worker_but_no_page(client: Client):
    assert client.get("/sw.js").status_code == 200
    assert client.get("/crew/").status_code == 302
