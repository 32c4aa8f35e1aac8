"""`manage.py magic_link` prints links at the configured site address, and warns when that
is the default while the server runs elsewhere."""

import socket

from django.core.management import call_command

from charterops.site import SERVING_FILE


def test_the_link_uses_the_configured_site_address_quietly(deckhand, settings, capsys):
    settings.SITE_URL = "https://ops.queenofsandiego.example.com"
    call_command("magic_link", deckhand.user.email)
    out, err = capsys.readouterr()
    assert out.startswith("https://ops.queenofsandiego.example.com/m/")
    assert "Warning" not in err


def test_the_default_address_while_the_server_runs_on_another_port_is_flagged(deckhand, settings, tmp_path, capsys):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        default_port = unused.getsockname()[1]
    settings.SITE_URL_DEFAULT = settings.SITE_URL = f"http://127.0.0.1:{default_port}"
    settings.VAR_DIR = tmp_path
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        serving = f"http://127.0.0.1:{server.getsockname()[1]}"
        (tmp_path / SERVING_FILE).write_text(serving)

        call_command("magic_link", deckhand.user.email)

    out, err = capsys.readouterr()
    assert out.startswith(f"http://127.0.0.1:{default_port}/m/")  # printed all the same …
    assert f"the server runs at {serving}" in err  # … with what to do about it
