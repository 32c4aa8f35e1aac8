"""Every URL CharterOps serves, from the URL resolver, and why the public ones are public.

PUBLIC_URLS is the table of reasons: a URL that answers without signing in must be
listed here with why (a test asks every URL anonymously and fails on one that is not).
The CTO report prints the table against what the resolver serves today.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# URL name (namespace:name) → why it answers without a signed-in user.
PUBLIC_URLS: dict[str, str] = {
    "healthz": "Load balancers probe it; it says only whether the database, cache and broker answer.",
    "ping": "Liveness for load balancers: a constant answer, no database.",
    "api-schema": "The OpenAPI document of the API: its shape, no data.",
    "api-docs": "Swagger UI over the same schema; every call it makes still needs a token.",
    "ses-events": "Amazon SNS posts SES bounces and complaints here; each message's signature is checked.",
    "events:nudge-unsubscribe": (
        "One-click unsubscribe from a kind of nudge (RFC 8058): the signed token names the one address and kind."
    ),
    "safety:acknowledge": (
        "An overdue-boat alert's acknowledgement: the signed token names one float plan and one recipient; "
        "a GET only shows the boat, the POST records who took charge."
    ),
    "admin:login": "The back office's sign-in form.",
    "crew:login": "Crew ask for a sign-in link here; it answers the same whether or not the address is known.",
    "crew:magic-link": "The code in the address is the credential: single use, short-lived, throttled.",
    "api-auth-exchange": "Exchanges a sign-in code for a token: the code is the credential, throttled.",
    "crew:service-worker": "The crew pages' service worker script: the same code for everyone, no data.",
    "crew:brand-manifest": "A brand's web app manifest (name, colours, icons): phones fetch it without cookies.",
    "crew:brand-icon": "A brand's app icon, drawn from its name and colours: no data.",
    "crew:brand-icon-png": "The same icon as PNG, in the sizes phones ask for.",
    "crew:favicon": "The site's favicon.",
    "crew:calendar": "iCal feeds cannot sign in: the secret token in the address is the credential, and resettable.",
    "guests:waiver_sign": "A guest's own signing link: the unguessable token in the address is the credential.",
    "guests:waiver_signed": "The confirmation after signing, behind the same guest token.",
    "guests:waiver_signed_pdf": "The signer's PDF copy, behind the same guest token.",
    "guests:guest_page": "The published guest page: meant for the guests of one charter, shows no names or contacts.",
    "guests:guest_calendar": "The add-to-calendar file beside the guest page: times and meeting point, no names.",
    "guests:signing_link_request": (
        "A guest who lost their link asks for it here: it is mailed to the address on file, the answer is "
        "the same whether or not anything matched, and it is throttled."
    ),
    "guests:guest_photo": "A guest photo, addressed by an unguessable key.",
    "guests:photo_upload": "The photo upload page, behind the event's unguessable upload token.",
    "guests:photo_authorize": "Presigns an upload for the holder of the upload token, inside the photo window only.",
    "guests:photo_upload_local": "Receives an upload (local storage) for the holder of the upload and photo tokens.",
    "guests:photo_complete": "Marks an upload done for the holder of the upload and photo tokens.",
}


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "crew/events/<uuid:public_id>/"
    name: str  # namespace:name, or "" when the pattern has none
    view: str  # dotted path of the view

    @property
    def reason(self) -> str | None:
        return PUBLIC_URLS.get(self.name)


def _view_path(callback) -> str:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return f"{view.__module__}.{getattr(view, '__qualname__', getattr(view, '__name__', repr(view)))}"


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern, depth first, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(route=route, name=name, view=_view_path(pattern.callback))


def public_routes() -> list[Route]:
    """The routes listed as public, as the resolver serves them now."""
    return [route for route in walk() if route.name in PUBLIC_URLS]


def stale_reasons() -> list[str]:
    """Names in the table that no URL carries any more (the table should lose them)."""
    names = {route.name for route in walk()}
    return sorted(name for name in PUBLIC_URLS if name not in names)
