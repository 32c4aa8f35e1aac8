"""Commands that print or publish links warn when SITE_URL is the default while the server
runs elsewhere, and are quiet when it is configured or right."""

import socket

import pytest

from charterops.site import SERVING_FILE, site_url_warning


@pytest.fixture
def listening():
    """A port something answers on, as a running server would."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def default_at(settings, tmp_path):
    """SITE_URL left at its default, here a chosen local port; var/ in a temporary folder."""
    settings.VAR_DIR = tmp_path

    def at(port: int) -> str:
        settings.SITE_URL_DEFAULT = settings.SITE_URL = f"http://127.0.0.1:{port}"
        return settings.SITE_URL

    return at


def test_a_configured_site_url_is_trusted(settings, free_port):
    settings.SITE_URL = f"https://ops.example.com:{free_port}"
    assert site_url_warning() is None


def test_the_default_with_the_server_answering_there_is_fine(default_at, listening):
    default_at(listening)
    assert site_url_warning() is None


def test_the_default_where_nothing_answers_says_to_set_site_url(default_at, free_port):
    url = default_at(free_port)
    warning = site_url_warning()
    assert f"links point at the default {url}, where nothing answers" in warning
    assert "SITE_URL=http://127.0.0.1:<port>" in warning


def test_the_default_while_make_run_serves_another_port_names_that_port(default_at, free_port, listening, tmp_path):
    default_at(free_port)
    (tmp_path / SERVING_FILE).write_text(f"http://127.0.0.1:{listening}\n")
    warning = site_url_warning()
    assert f"the server runs at http://127.0.0.1:{listening}" in warning
    assert f"SITE_URL=http://127.0.0.1:{listening} in the environment" in warning


def test_a_stale_record_of_a_stopped_server_is_ignored(default_at, listening, free_port, tmp_path):
    default_at(listening)
    (tmp_path / SERVING_FILE).write_text(f"http://127.0.0.1:{free_port}\n")  # nothing there any more
    assert site_url_warning() is None
