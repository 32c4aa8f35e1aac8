import pytest
from django.test import RequestFactory

from charterops.http import client_ip


@pytest.mark.parametrize(
    ("trust", "remote", "forwarded", "expected"),
    [
        (False, "203.0.113.7", "1.2.3.4", "203.0.113.7"),  # the header is the client's word: ignored
        (True, "10.0.0.1", "1.2.3.4, 198.51.100.66", "198.51.100.66"),  # the balancer's hop
        (True, "10.0.0.1", "", "10.0.0.1"),
        (False, "not-an-ip", "", None),
        (True, "10.0.0.1", "1.2.3.4, <script>", None),
        (False, "2001:db8::1", "", "2001:db8::1"),
    ],
)
def test_client_ip(settings, trust, remote, forwarded, expected):
    settings.TRUST_X_FORWARDED_FOR = trust
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
