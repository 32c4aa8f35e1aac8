"""Crew access tokens: issue and verify the JWT a magic link is exchanged for.

HS256 with its own secret (JWT_SECRET) by default; RS256 as an option, where the header's
`kid` picks the verifying key from JWT_PUBLIC_KEYS so keys can rotate. Verification pins
the one configured algorithm (so `alg: none` or an HS256 token signed with a public key
never verifies), takes keys only from settings (never from `jwk`/`jku`/`x5u` headers),
and requires every claim CharterOps relies on. Whether the membership behind a valid
token still may sign in (token version, revocation, active flags) is crew.auth's check.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.conf import settings

from .models import Membership

TOKEN_TYPE = "crew-access"  # noqa: S105 — the typ claim, not a secret
REQUIRED_CLAIMS = ["sub", "org", "oid", "role", "email", "iat", "exp", "jti", "iss", "aud", "typ", "ver"]


class InvalidToken(Exception):
    """The token is not one CharterOps issued, or no longer valid. `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _signing_key() -> tuple[str, dict[str, str]]:
    if settings.JWT_ALGORITHM == "RS256":
        kid = settings.JWT_SIGNING_KID
        return settings.JWT_PRIVATE_KEYS[kid], {"kid": kid}
    return settings.JWT_SECRET, {}


def _verifying_key(token: str) -> str:
    if settings.JWT_ALGORITHM != "RS256":
        return settings.JWT_SECRET
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise InvalidToken("The token is malformed.") from exc
    if not isinstance(kid, str) or kid not in settings.JWT_PUBLIC_KEYS:
        raise InvalidToken("The token was signed with an unknown key.")
    return settings.JWT_PUBLIC_KEYS[kid]


def issue_token(*, membership: Membership) -> tuple[str, datetime]:
    """Sign a crew access token for `membership`; return it and when it expires."""
    now = datetime.now(tz=UTC).replace(microsecond=0)
    expires_at = now + timedelta(seconds=settings.JWT_TTL_SECONDS)
    user = membership.user
    claims = {
        "sub": str(user.pk),
        "org": membership.organization.slug,
        # The brand's id: the principal is read within it (charterops.sql scopes every
        # hand-written read by organization ids).
        "oid": membership.organization_id,
        "role": membership.role,
        "email": user.email,
        "iat": now,
        "exp": expires_at,
        "jti": uuid.uuid4().hex,
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "typ": TOKEN_TYPE,
        "ver": membership.token_version,
    }
    key, headers = _signing_key()
    return jwt.encode(claims, key, algorithm=settings.JWT_ALGORITHM, headers=headers), expires_at


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode_token(token: str) -> dict[str, Any]:
    """Verify `token` and return its claims, or raise InvalidToken saying why."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidToken("No usable token was given.")
    key = _verifying_key(token)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[settings.JWT_ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options={"require": REQUIRED_CLAIMS, "verify_signature": True},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidToken("The token is meant for another audience.") from exc
    except jwt.InvalidIssuerError as exc:
        raise InvalidToken("The token was issued by someone else.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"The token lacks the {exc.claim!r} claim.") from exc
    except jwt.PyJWTError as exc:
        # Bad signature, disallowed algorithm, malformed token, iat in the future …
        raise InvalidToken("The token is not valid.") from exc
    if claims["typ"] != TOKEN_TYPE:
        raise InvalidToken("The token is not a crew access token.")
    sub = claims["sub"]
    # A user id the database can look up: ASCII digits of a 64-bit integer.
    if not isinstance(sub, str) or not (sub.isascii() and sub.isdigit() and len(sub) <= 18):
        raise InvalidToken("The token is not valid.")
    if not all(isinstance(claims[c], str) for c in ("org", "role", "jti")):
        raise InvalidToken("The token is not valid.")
    if not _is_int(claims["ver"]) or not (_is_int(claims["oid"]) and 0 < claims["oid"] < 2**63):
        raise InvalidToken("The token is not valid.")
    return claims
