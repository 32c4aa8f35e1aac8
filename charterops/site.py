"""The site's own address (SITE_URL), as management commands that print or publish links use it.

A link printed by `magic_link`, or written into a guest page by `publish_guest_pages`,
points at SITE_URL. Left unset it is the default local address; when the server actually
runs elsewhere (`PORT=9000 make run`, whose address `make run` records in
var/serving-site-url), every such link would lead nowhere. `site_url_warning()` says so.
"""

import socket
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

SERVING_FILE = "serving-site-url"


def _answers(url: str, timeout: float = 0.3) -> bool:
    """Whether something accepts connections at the URL's host and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _served_by_make_run() -> str | None:
    """The address `make run` serves at, if it is running (it records it on start)."""
    path = Path(settings.VAR_DIR) / SERVING_FILE
    try:
        served = path.read_text().strip().rstrip("/")
    except OSError:
        return None
    return served if served and _answers(served) else None


def site_url_warning() -> str | None:
    """A warning when links would point at the default address while the server is elsewhere."""
    if settings.SITE_URL != settings.SITE_URL_DEFAULT.rstrip("/"):
        return None  # configured: trust it
    served = _served_by_make_run()
    if served and served != settings.SITE_URL:
        return (
            f"Warning: SITE_URL is not set, so links point at the default {settings.SITE_URL}, but the server "
            f"runs at {served}. Run this again with SITE_URL={served} in the environment."
        )
    if served is None and not _answers(settings.SITE_URL):
        return (
            f"Warning: SITE_URL is not set, so links point at the default {settings.SITE_URL}, where nothing "
            "answers. If the server runs on another port, run this again with SITE_URL=http://127.0.0.1:<port>."
        )
    return None
