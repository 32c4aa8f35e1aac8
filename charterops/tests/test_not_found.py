"""The site's 404: a page in the one layout (in a brand's colours on its own domain) that
says what is likely wrong, not Django's stock page; JSON under /api/."""

import pytest
from django.test import Client

from charterops.tests.factories import make_org

STOCK = "The requested resource was not found on this server."


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/g/no-such-charter", "No charter page here"),
        ("/w/no-such-link", "This signing link does not work"),
        ("/u/no-such-link", "This upload link does not work"),
        ("/no/such/page", "Page not found"),
    ],
)
def test_each_kind_of_address_gets_a_404_that_says_what_is_wrong(client: Client, db, path, heading):
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert f'<h1 id="not-found">{heading}</h1>' in body
    assert STOCK not in body
    assert '<a class="brand" href="/">CharterOps</a>' in body  # the layout, CharterOps' own look


def test_on_a_brands_domain_the_404_is_in_its_colours_with_its_phone(client: Client, db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".example.com"]
    brand = make_org("queenofsandiego", name="Queen of San Diego", primary_colour="#5b2c83")
    brand.contact_phone = "(619) 555-0100"
    brand.save()

    body = client.get("/g/old-slug", HTTP_HOST=f"www.{brand.guest_page_domain}").content.decode()

    assert "Queen of San Diego" in body
    assert "--brand: #5b2c83" in body
    assert '<a href="tel:6195550100">(619) 555-0100</a>' in body


def test_a_404_sets_no_cookie_and_leaks_no_referrer(client: Client, db):
    response = client.get("/w/no-such-link")
    assert not response.cookies
    assert '<meta name="referrer" content="no-referrer">' in response.content.decode()


def test_under_the_api_a_404_is_the_json_error_shape(client: Client, db):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "No such path or object."}
