"""Posting one signed webhook: Standard Webhooks signatures, and only to the public internet.

The signature is the spec's: `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")),
the key being the base64 part of the `whsec_` secret; several signatures (a rotation's
overlap) are space-separated in one `webhook-signature` header.

Server-side request forgery: an endpoint's host is resolved when the connection is made,
every address it resolves to must be public (not private, loopback, link-local, shared,
reserved or multicast), and the socket connects to exactly those checked addresses — a
DNS answer cannot change between the check and the connect. Redirects are never
followed (http.client does not follow them; a 3xx counts as a failed attempt).
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105 — the prefix, not a secret
SECRET_BYTES = 32
EXCERPT_CHARS = 500
# Enough of a response to log its start; the rest is not read.
READ_LIMIT_BYTES = 64 * 1024
USER_AGENT = "CharterOps-Webhooks/1.0"


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """One `v1,<base64>` signature of a message (the Standard Webhooks scheme)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(*, secrets: list[str], msg_id: str, timestamp: int, body: str) -> str:
    return " ".join(sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets)


# --- Where we may connect -----------------------------------------------------------------


class UnsafeAddress(OSError):
    """The endpoint resolves to an address a webhook must never reach."""


@cache
def _test_networks(configured: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network) for network in configured)


def address_allowed(address: str) -> bool:
    """Whether a webhook may connect to this IP address: public ones only (and, in tests,
    the networks WEBHOOK_TEST_ALLOWED_NETWORKS names)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _test_networks(tuple(settings.WEBHOOK_TEST_ALLOWED_NETWORKS))):
        return True
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[tuple]:
    """Every address `host` resolves to, all checked: one private answer refuses them all."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise UnsafeAddress(f"{host!r} is not a valid host name.") from exc
    refused = sorted({info[4][0] for info in infos if not address_allowed(info[4][0])})
    if refused:
        raise UnsafeAddress(
            f"{host} resolves to {', '.join(refused)}: a private, loopback or link-local address. "
            "Webhooks go only to public addresses."
        )
    return infos


def _guarded_connection(address: tuple[str, int], timeout: float | None = None, source_address=None) -> socket.socket:
    """socket.create_connection, but only to the checked addresses of the host."""
    host, port = address
    last_error: OSError = UnsafeAddress(f"{host} has no address.")
    for family, kind, proto, _, sockaddr in _resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
    raise last_error


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    # TLS is wrapped around the guarded socket with the host name as SNI and for the
    # certificate check, as for any HTTPS request.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


def url_refusal(url: str) -> str | None:
    """Why an endpoint URL is refused when an owner enters it, or None. The host is
    resolved now if it can be; every delivery checks it again."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "That is not a valid URL."
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "Give an http:// or https:// URL."
    if parts.username or parts.password:
        return "Leave credentials out of the URL: deliveries are signed instead."
    try:
        _resolve(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except UnsafeAddress as exc:
        return str(exc)
    except OSError:
        return None  # not resolvable yet (a new domain): checked again at every delivery
    return None


# --- Posting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostResult:
    """What one POST came to. `status` is None when no HTTP answer came back."""

    started_at: datetime
    duration_ms: int
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    retry_after: float | None = None
    unsafe: bool = False

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) as seconds from now; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def post(*, url: str, msg_id: str, body: str, secrets: list[str], now: datetime, timeout: float) -> PostResult:
    """POST `body` to `url`, signed for `now`; never raises for what the network does."""
    parts = urlsplit(url)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets=secrets, msg_id=msg_id, timestamp=timestamp, body=body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _GuardedHTTPSConnection if parts.scheme == "https" else _GuardedHTTPConnection
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    connection = None
    try:
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        text = response.read(READ_LIMIT_BYTES).decode("utf-8", errors="replace")
        return PostResult(
            started_at=now,
            duration_ms=elapsed(),
            status=response.status,
            excerpt=text[:EXCERPT_CHARS],
            retry_after=retry_after_seconds(response.getheader("Retry-After"), now),
        )
    except UnsafeAddress as exc:
        return PostResult(started_at=now, duration_ms=elapsed(), error=str(exc)[:500], unsafe=True)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return PostResult(started_at=now, duration_ms=elapsed(), error=f"{type(exc).__name__}: {exc}"[:500])
    finally:
        if connection is not None:
            connection.close()
