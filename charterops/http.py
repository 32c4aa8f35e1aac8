"""Facts about an HTTP request that several apps need, decided once."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, or None when it is not a valid IP address.

    Behind a load balancer (TRUST_X_FORWARDED_FOR), it is the last hop the balancer
    appended to X-Forwarded-For; earlier hops are the client's own word and ignored.
    """
    candidate = request.META.get("REMOTE_ADDR") or ""
    if settings.TRUST_X_FORWARDED_FOR:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        candidate = hops[-1] if hops else candidate
    try:
        validate_ipv46_address(candidate)
    except ValidationError:
        return None
    return candidate


def request_host(request: HttpRequest) -> str:
    """The host the client asked for, lower-case, without port or a leading `www.` (a
    brand's guest pages answer on `queenofsandiego.com` and `www.queenofsandiego.com`)."""
    return request.get_host().split(":")[0].lower().removeprefix("www.")
