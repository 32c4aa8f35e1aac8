"""The Jinja2 environment of the crew and guest pages (see TEMPLATES in settings).

Templates get what Django's tags and context processors gave them: `static()`, `url()`,
`get_messages(request)`, and Django's own `date`, `linebreaks`, `linebreaksbr` and
`pluralize` filters; `csrf_input`/`csrf_token` and `request` come from the backend itself.
An undefined variable is an error, as a missing variable is in the Django templates' tests.

`url()`, `static()` and `date` remember their answers per process: they are pure functions
of their arguments and the settings (forgotten when a test changes settings), and a crew
page asks for the same few dozen of them on every load, at 10–30 µs each otherwise.
"""

from collections.abc import Callable, MutableMapping
from datetime import date as date_type
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

import jinja2
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone, translation
from django.utils.functional import Promise
from django.utils.html import format_html
from jinja2 import Environment, StrictUndefined, Undefined


@lru_cache(maxsize=8192)
def _reverse(name: str, args: tuple, kwargs: tuple, script_prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """Django's `{% url %}`: the path of a named URL."""
    return _reverse(name, args, tuple(sorted(kwargs.items())), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=512)
def static(path: str) -> str:
    """Django's `{% static %}`: the URL of a static file."""
    return django_static(path)


@lru_cache(maxsize=4096)
def _format_date(value: date_type, format_string: str, tz: Any, language: str | None) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, tz)
    return dateformat.format(value, format_string)


def date(value: date_type | None, format_string: str) -> str:
    """Django's `date` filter: aware times shown in the current time zone, "" for nothing."""
    if value is None or value == "" or isinstance(value, Undefined):
        return ""
    return _format_date(value, format_string, timezone.get_current_timezone(), translation.get_language())


def linebreaksbr(value: Any) -> str:
    return defaultfilters.linebreaksbr(value, autoescape=True)


def linebreaks(value: Any) -> str:
    return defaultfilters.linebreaks_filter(value, autoescape=True)


class _OnFirstUse:
    """A value worked out the first time a template prints it, then reused."""

    def __init__(self, make: Callable[[], str]):
        self._make = make
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value


class _HTMLOnFirstUse(_OnFirstUse):
    """The same, for markup that is already safe to print as it is."""

    def __html__(self) -> str:
        return str(self)


class Template(jinja2.Template):
    """A template that prints one CSRF token per render, as Django templates do.

    Django's Jinja2 backend passes `csrf_input` and `csrf_token` as lazy() proxies that
    mask the secret afresh every time they are printed (about 25 µs of random numbers
    each): the crew event page, with a form per checklist item, paid that 40 times. Here
    both are worked out once, on first use, for the whole render (includes too). Pages
    that print neither still set no CSRF cookie.
    """

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.runtime.Context:
        if vars is not None and isinstance(vars.get("csrf_token"), Promise) and "request" in vars:
            token = _OnFirstUse(partial(get_token, vars["request"]))
            field = _HTMLOnFirstUse(
                lambda: format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', str(token))
            )
            vars = {**vars, "csrf_token": token, "csrf_input": field}
        return super().new_context(vars, shared, locals)


def _forget(**kwargs: Any) -> None:
    for remembered in (_reverse, static, _format_date):
        remembered.cache_clear()


setting_changed.connect(_forget, dispatch_uid="charterops.jinja2.forget")


def environment(**options: Any) -> Environment:
    # Django's backend passes its own default (DebugUndefined, or Undefined without DEBUG,
    # which print a misspelt name as nothing): replaced, so that it is an error everywhere.
    options["undefined"] = StrictUndefined
    options.setdefault("extensions", ["jinja2.ext.do"])
    env = Environment(**options)  # noqa: S701 — Django's backend turns autoescape on
    env.template_class = Template
    env.globals.update(static=static, url=url, get_messages=get_messages)
    env.filters.update(date=date, linebreaks=linebreaks, linebreaksbr=linebreaksbr, pluralize=defaultfilters.pluralize)
    return env
