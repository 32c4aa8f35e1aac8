"""Who is signed in on crew pages and the crew API: a verified JWT → a Principal.

Pages carry the token in an HttpOnly, SameSite=Lax cookie; the API takes it as
`Authorization: Bearer`. Both end in `principal_from_token`, which checks what a
signature cannot: the user and crew member are still active, the token's version is
the membership's current one ("sign out everywhere", deactivation) and its jti was not
revoked (signing out of one device).
"""

import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from charterops.jwt import InvalidToken, decode_token, issue_token
from charterops.models import Membership, Organization, RevokedToken
from charterops.permissions import act_as_owner_of

from . import selectors
from .models import CrewMember

COOKIE_NAME = "charterops_crew"
LOGIN_PATH = "/crew/login"
# Every signed-in crew response names its person to the service worker (Principal.offline_key).
OFFLINE_KEY_HEADER = "X-Crew-Person"


@dataclass(frozen=True)
class Principal:
    """The signed-in person, in the one organization their token is for."""

    user: Any
    organization: Organization
    membership: Membership
    crew_member: CrewMember | None  # None for an owner without a crew profile
    claims: dict[str, Any]

    @property
    def role(self) -> str:
        # The membership's current role, not the one signed into the token.
        return self.membership.role

    @property
    def is_owner(self) -> bool:
        return self.membership.role == Membership.Role.OWNER

    @property
    def jti(self) -> str:
        return self.claims["jti"]

    @property
    def offline_key(self) -> str:
        """Names this person in this brand to the phone's offline copy (its cache and its
        queue of taps), so that one person's pages are never shown to another. A keyed
        hash: it identifies, it does not sign anyone in."""
        message = f"crew-offline:{self.user.pk}:{self.organization.pk}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.claims["exp"], tz=timezone.get_current_timezone())


def principal_from_token(token: str) -> Principal:
    """Verify `token` and load who it stands for (1 query), or raise InvalidToken."""
    claims = decode_token(token)
    loaded = selectors.principal_parts(
        user_id=int(claims["sub"]), organization_id=claims["oid"], organization_slug=claims["org"], jti=claims["jti"]
    )
    if loaded is None:
        raise InvalidToken("The token's membership no longer exists.")
    membership, crew_member, revoked = loaded
    if revoked:
        raise InvalidToken("The token was signed out.")
    if claims["ver"] != membership.token_version:
        raise InvalidToken("The token was ended by signing out everywhere.")
    if not membership.user.is_active:
        raise InvalidToken("The account is deactivated.")
    if crew_member is not None:
        if not crew_member.active:
            raise InvalidToken("The crew member is deactivated.")
    elif membership.role != Membership.Role.OWNER:
        raise InvalidToken("The account has no crew profile in this organization.")
    return Principal(
        user=membership.user,
        organization=membership.organization,
        membership=membership,
        crew_member=crew_member,
        claims=claims,
    )


def token_for(crew_member_or_membership: CrewMember | Membership) -> str:
    """A fresh token for a crew member (or a membership, e.g. an owner's)."""
    return issue_for(crew_member_or_membership)[0]


def issue_for(crew_member_or_membership: CrewMember | Membership) -> tuple[str, datetime]:
    if isinstance(crew_member_or_membership, Membership):
        membership = crew_member_or_membership
    else:
        membership = Membership.objects.select_related("user", "organization").get(
            user_id=crew_member_or_membership.user_id, organization_id=crew_member_or_membership.organization_id
        )
    return issue_token(membership=membership)


# --- Cookies ------------------------------------------------------------------------------


def set_auth_cookie(response: HttpResponse, token: str, expires_at: datetime) -> HttpResponse:
    response.set_cookie(
        COOKIE_NAME,
        token,
        expires=expires_at,
        secure=settings.CREW_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


def clear_auth_cookie(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE_NAME, path="/", samesite="Lax")
    return response


# --- Pages --------------------------------------------------------------------------------


def login_redirect(request: HttpRequest) -> HttpResponse:
    """Send an unauthenticated visitor to sign in, and back here afterwards."""
    url = f"{LOGIN_PATH}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        # htmx would swap a login page into a fragment; ask it to navigate instead.
        response = HttpResponse("Sign in again to continue.", status=401, content_type="text/plain")
        response["HX-Redirect"] = url
    else:
        response = HttpResponseRedirect(url)
    if COOKIE_NAME in request.COOKIES:
        clear_auth_cookie(response)
    return response


def crew_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let only a signed-in crew member (or owner) in; `request.principal` says who.

    Times render in the organization's zone, and responses are never cached by a shared
    cache (they are one person's view).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            principal = principal_from_token(request.COOKIES.get(COOKIE_NAME, ""))
        except InvalidToken:
            return login_redirect(request)
        request.principal = principal
        act_as_owner_of(principal.user, {principal.organization.pk} if principal.is_owner else set())
        with timezone.override(principal.organization.tz):
            response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response[OFFLINE_KEY_HEADER] = principal.offline_key
        return response

    return wrapper


# --- API ----------------------------------------------------------------------------------


class JWTAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` → (user, Principal)."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Principal] | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = token.strip()
        if not token or " " in token:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            principal = principal_from_token(token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(exc.message) from exc
        act_as_owner_of(principal.user, {principal.organization.pk} if principal.is_owner else set())
        return principal.user, principal

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="crew"'


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe the bearer token in the published OpenAPI schema."""

    target_class = JWTAuthentication
    name = "crewJWT"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The crew access token a magic link is exchanged for.",
        }


# --- Services -----------------------------------------------------------------------------


def token_revoke(*, principal: Principal) -> None:
    """End the token of this one device (signing out here)."""
    RevokedToken.objects.get_or_create(jti=principal.jti, defaults={"expires_at": principal.expires_at})


@transaction.atomic
def sign_out_everywhere(*, membership: Membership) -> None:
    """End every token of `membership` at once: tokens carry the version they were made at."""
    Membership.objects.filter(pk=membership.pk).update(token_version=F("token_version") + 1)
    membership.refresh_from_db(fields=["token_version"])


@transaction.atomic
def crew_member_deactivate(*, crew_member: CrewMember) -> CrewMember:
    """Stop a crew member from signing in, ending every token they hold."""
    CrewMember.objects.filter(pk=crew_member.pk).update(active=False)
    crew_member.active = False
    membership = Membership.objects.get(user_id=crew_member.user_id, organization_id=crew_member.organization_id)
    sign_out_everywhere(membership=membership)
    return crew_member
