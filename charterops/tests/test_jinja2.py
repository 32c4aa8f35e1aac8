"""The Jinja2 environment of the crew and guest pages behaves as Django's templates do."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.templatetags.static import static as django_static
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import dateformat, timezone
from jinja2 import UndefinedError

from charterops import jinja2


def render(source: str, context: dict | None = None, request=None) -> str:
    return engines["jinja2"].from_string(source).render(context or {}, request)


def test_a_misspelt_variable_is_an_error_not_a_blank():
    with pytest.raises(UndefinedError):
        render("Hello {{ nmae }}", {"name": "Casey"})


def test_url_static_and_date_answer_as_djangos_tags_and_filters():
    assert jinja2.url("crew:home") == reverse("crew:home")
    assert jinja2.url("crew:calendar", token="abc") == reverse("crew:calendar", kwargs={"token": "abc"})
    assert jinja2.static("css/crew.css") == django_static("css/crew.css")
    moment = datetime(2024, 5, 30, 17, 50, tzinfo=UTC)
    with timezone.override(ZoneInfo("America/Los_Angeles")):
        assert jinja2.date(moment, "D j M Y g:i A") == dateformat.format(timezone.localtime(moment), "D j M Y g:i A")
        assert jinja2.date(moment, "g:i A") == "10:50 AM"
    assert jinja2.date(None, "g:i A") == ""


def test_what_is_remembered_is_forgotten_when_settings_change():
    assert jinja2.static("css/crew.css").startswith("/static/")
    with override_settings(STATIC_URL="/assets/"):
        assert jinja2.static("css/crew.css") == "/assets/css/crew.css"
    assert jinja2.static("css/crew.css").startswith("/static/")


def test_one_csrf_token_per_render_and_none_unless_printed():
    request = RequestFactory().get("/")
    body = render("{% for form in range(3) %}{{ csrf_input }}{% endfor %}{{ csrf_token }}", {}, request)
    assert body.count('name="csrfmiddlewaretoken"') == 3
    tokens = set(re.findall(r'value="([^"]+)"', body))
    assert len(tokens) == 1
    assert body.endswith(tokens.pop())

    quiet = RequestFactory().get("/")
    render("No form here", {}, quiet)
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in quiet.META  # no token made, so no cookie set
