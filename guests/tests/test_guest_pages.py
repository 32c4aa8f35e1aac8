from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from charterops.tests.factories import make_org
from crew.tests.factories import make_event
from events.services import event_update
from events.timing import format_clock
from guests import services
from guests.models import GuestPage
from guests.storage import storage_for
from guests.tests.factories import make_guest, sign


def published_html(event) -> str:
    page = GuestPage.objects.get(event=event)
    with storage_for(event.organization).open(page.published_key, "rb") as f:
        return f.read().decode()


def test_publishing_writes_the_page_to_the_brands_storage(charter, waiver):
    make_guest(charter, "Taylor Guest")
    sign(make_guest(charter, "Jordan Guest"))

    page = services.guest_page_publish(event=charter)

    assert page.published_key == f"g/{charter.slug}.html"
    html = published_html(charter)
    local = charter.local(charter.departure_at)
    assert "<h1>Charter with Queen of San Diego</h1>" in html  # the public title …
    assert "Harbor charter" not in html  # … not the internal event name
    assert format_clock(local) in html  # the brand's 12-hour style
    assert "Shelter Island guest dock" in html
    assert "Queen" in html  # the vessel
    assert "What to bring" in html
    assert "1 of 2 guests have signed." in html  # Jordan has; the page names nobody
    assert "Taylor" not in html
    assert "Jordan" not in html
    assert "<style>" in html  # self-contained
    assert "Aboard the Queen of San Diego" in html  # the brand's own template


def test_the_published_page_stands_on_its_own(charter, waiver):
    make_guest(charter)
    services.guest_page_publish(event=charter)
    html = published_html(charter)
    assert "--ink:" in html  # the layout's styles, inlined
    assert ".gallery" in html  # the guest pages' own
    for needs_the_server in ("/static/", "csrf", "hx-headers", '<link rel="stylesheet"', "<script src"):
        assert needs_the_server not in html


def test_a_brand_without_its_own_template_gets_the_default_one(other_org):
    event = make_event(other_org, name="Their charter")
    services.guest_page_publish(event=event)
    html = published_html(event)
    assert "Charter with JADA" in html
    assert "Aboard the Queen of San Diego" not in html


def test_guest_page_never_shows_crew_contacts(charter, waiver, captain):
    from crew.models import RoleSlot

    slot = RoleSlot.objects.filter(event=charter, role="captain").first()
    from crew import services as crew_services

    crew_services.role_designate(slot=slot, crew_member=captain, by=None)
    services.guest_page_publish(event=charter)
    html = published_html(charter)
    assert captain.user.email not in html
    assert "Dana" not in html


def test_guest_page_is_served_at_its_clean_url(client: Client, charter, waiver):
    assert client.get(f"/g/{charter.slug}").status_code == 404  # not published yet
    services.guest_page_publish(event=charter)

    response = client.get(f"/g/{charter.slug}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "max-age" in response["Cache-Control"]
    assert "Charter with Queen of San Diego" in b"".join(response.streaming_content).decode()


def test_same_slug_in_two_brands_is_resolved_by_the_brands_domain(client: Client, org, other_org, waiver):
    mine = make_event(org, name="Our charter", slug="sunset-may-1")
    theirs = make_event(other_org, name="Their charter", slug="sunset-may-1")
    services.guest_page_publish(event=mine)
    services.guest_page_publish(event=theirs)

    ours = client.get("/g/sunset-may-1", HTTP_HOST=org.guest_page_domain)
    other = client.get("/g/sunset-may-1", HTTP_HOST=f"www.{other_org.guest_page_domain}")
    ambiguous = client.get("/g/sunset-may-1")

    assert "Charter with Queen of San Diego" in b"".join(ours.streaming_content).decode()
    assert "Charter with JADA" in b"".join(other.streaming_content).decode()
    assert ambiguous.status_code == 404


def test_a_brand_domain_never_serves_another_brands_page(client: Client, org, other_org):
    theirs = make_event(other_org, name="Their charter", slug="only-theirs")
    services.guest_page_publish(event=theirs)
    response = client.get("/g/only-theirs", HTTP_HOST=org.guest_page_domain)
    # Unique slug: served (it is public), but only ever with its own brand's content.
    assert "Charter with JADA" in b"".join(response.streaming_content).decode()
    assert org.name not in b"".join(client.get("/g/only-theirs").streaming_content).decode()


@pytest.mark.parametrize("slug", ["nope", "a" * 200, "..", "x.html"])
def test_unknown_guest_pages_are_404(client: Client, charter, slug):
    services.guest_page_publish(event=charter)
    assert client.get(f"/g/{slug}").status_code == 404


def test_changing_the_event_republishes_its_page(charter, waiver, django_capture_on_commit_callbacks):
    services.guest_page_publish(event=charter)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=charter, location="Harbor Island West Marina")
    assert "Harbor Island West Marina" in published_html(charter)


def test_signing_republishes_the_page_with_the_waiver_signed(
    client: Client, charter, waiver, django_capture_on_commit_callbacks
):
    guest = make_guest(charter, "Taylor Guest")
    services.guest_page_publish(event=charter)
    assert "0 of 1 guest has signed." in published_html(charter)
    with django_capture_on_commit_callbacks(execute=True):
        sign(guest)
    assert "1 of 1 guest has signed." in published_html(charter)
    assert "Everyone is set." in published_html(charter)


def test_renaming_the_slug_moves_the_page(charter, waiver, django_capture_on_commit_callbacks):
    services.guest_page_publish(event=charter)
    old = f"g/{charter.slug}.html"
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=charter, slug="renamed-charter")
    storage = storage_for(charter.organization)
    assert storage.exists("g/renamed-charter.html")
    assert not storage.exists(old)


def test_publishing_twice_writes_once(charter, waiver):
    first = services.guest_page_publish(event=charter)
    second = services.guest_page_publish(event=charter)
    assert first.published_at == second.published_at


def test_publish_guest_pages_command_republishes_one_brand(org, other_org, settings):
    make_event(org)
    make_event(org)
    make_event(other_org)
    out = StringIO()
    call_command("publish_guest_pages", "--org", org.slug, stdout=out)
    assert (
        out.getvalue().strip() == f"Published 2 guest page(s) of {org.slug}; their links point at {settings.SITE_URL}."
    )
    assert GuestPage.objects.filter(published_at__isnull=False).count() == 2


@pytest.mark.parametrize("guests", [1, 50])
def test_publishing_runs_the_same_queries_for_1_or_50_guests(charter, waiver, guests, django_assert_num_queries):
    for _ in range(guests):
        make_guest(charter)
    services.guest_page_publish(event=charter)
    make_guest(charter)  # something changed: the page is rewritten
    # A savepoint pair around: event (+brand, vessel); the page row; guests with waiver
    # status; photos; saving the page.
    with django_assert_num_queries(7):
        services.guest_page_publish(event=charter)


@pytest.mark.parametrize("guests", [1, 50])
def test_serving_a_guest_page_is_one_query(client: Client, charter, guests, django_assert_num_queries):
    for _ in range(guests):
        make_guest(charter)
    services.guest_page_publish(event=charter)
    with django_assert_num_queries(1):
        assert client.get(f"/g/{charter.slug}", HTTP_HOST=charter.organization.guest_page_domain).status_code == 200


def test_photo_window_is_shown_as_when_uploads_open(org, waiver):
    event = make_event(org, departure_at=timezone.now() + timedelta(days=5))
    services.guest_page_publish(event=event)
    html = published_html(event)
    assert "Photo uploads open" in html
    assert 'data-when="open" hidden' in html


def test_a_new_brand_gets_its_own_namespace_on_local_storage(db):
    brand = make_org("sailo-brand")
    assert str(storage_for(brand).location).endswith("brands/sailo-brand")


def test_publish_guest_pages_warns_when_links_would_point_where_nothing_answers(org, settings, tmp_path):
    import socket

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        settings.SITE_URL_DEFAULT = settings.SITE_URL = f"http://127.0.0.1:{unused.getsockname()[1]}"
    settings.VAR_DIR = tmp_path
    make_event(org)
    out, err = StringIO(), StringIO()
    call_command("publish_guest_pages", stdout=out, stderr=err)
    assert f"their links point at {settings.SITE_URL}" in out.getvalue()
    assert "where nothing answers" in err.getvalue()
