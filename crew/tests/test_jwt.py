"""Crew access tokens: what verifies, what is refused, and who a token stands for."""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.test import APIRequestFactory

from charterops.jwt import InvalidToken, decode_token, issue_token
from charterops.models import Membership, RevokedToken
from crew.auth import (
    COOKIE_NAME,
    JWTAuthentication,
    crew_member_deactivate,
    crew_required,
    principal_from_token,
    sign_out_everywhere,
    token_for,
)


@crew_required
def probe(request: HttpRequest) -> HttpResponse:
    p = request.principal
    return HttpResponse(f"{p.user.email}|{p.organization.slug}|{p.role}|{p.crew_member is not None}")


urlpatterns = [path("crew/probe/", probe)]
probe_urls = pytest.mark.urls(__name__)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict, claims: dict, key: bytes | None = None) -> str:
    """Build a token by hand, as an attacker would (no library checks in the way)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest()) if key else ""
    return f"{signing_input}.{signature}"


def claims_of(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def membership_of(crew_member) -> Membership:
    return Membership.objects.get(user=crew_member.user, organization=crew_member.organization)


def rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def rsa_keys():
    return {"2026-01": rsa_pem_pair(), "2026-07": rsa_pem_pair()}


@pytest.fixture
def rs256(settings, rsa_keys):
    settings.JWT_ALGORITHM = "RS256"
    settings.JWT_PRIVATE_KEYS = {kid: pair[0] for kid, pair in rsa_keys.items()}
    settings.JWT_PUBLIC_KEYS = {kid: pair[1] for kid, pair in rsa_keys.items()}
    settings.JWT_SIGNING_KID = "2026-07"
    return settings


# --- Issuing ------------------------------------------------------------------------------


def test_token_carries_who_where_and_until_when(deckhand, settings):
    token, expires_at = issue_token(membership=membership_of(deckhand))
    claims = decode_token(token)
    assert claims["sub"] == str(deckhand.user_id)
    assert claims["org"] == "queenofsandiego"
    assert claims["role"] == "crew"
    assert claims["email"] == "casey.queenofsandiego@example.com"
    assert (claims["iss"], claims["aud"], claims["typ"], claims["ver"]) == (
        "charterops",
        "charterops-crew",
        "crew-access",
        1,
    )
    assert claims["exp"] - claims["iat"] == settings.JWT_TTL_SECONDS == 30 * 24 * 3600
    assert expires_at == datetime.fromtimestamp(claims["exp"], tz=UTC)
    assert pyjwt.get_unverified_header(token)["alg"] == "HS256"


def test_every_token_has_its_own_jti(deckhand):
    assert claims_of(token_for(deckhand))["jti"] != claims_of(token_for(deckhand))["jti"]


def test_token_lifetime_is_configurable(deckhand, settings):
    settings.JWT_TTL_SECONDS = 600
    claims = decode_token(token_for(deckhand))
    assert claims["exp"] - claims["iat"] == 600


def test_rs256_tokens_name_their_key_and_verify_after_rotation(deckhand, rs256):
    old = token_for(deckhand)
    assert pyjwt.get_unverified_header(old) == {"alg": "RS256", "kid": "2026-07", "typ": "JWT"}
    rs256.JWT_SIGNING_KID = "2026-01"
    new = token_for(deckhand)
    assert pyjwt.get_unverified_header(new)["kid"] == "2026-01"
    # Both keys are still published, so tokens of either verify.
    assert decode_token(old)["sub"] == decode_token(new)["sub"] == str(deckhand.user_id)


# --- Refused tokens -----------------------------------------------------------------------


def test_alg_none_is_refused(deckhand):
    claims = claims_of(token_for(deckhand))
    with pytest.raises(InvalidToken):
        decode_token(forge({"alg": "none", "typ": "JWT"}, claims))


def test_token_signed_with_another_secret_is_refused(deckhand):
    claims = claims_of(token_for(deckhand))
    with pytest.raises(InvalidToken, match="not valid"):
        decode_token(forge({"alg": "HS256", "typ": "JWT"}, claims, key=b"someone-else's-secret"))


def test_token_signed_with_another_rsa_key_is_refused(deckhand, rs256):
    claims = claims_of(token_for(deckhand))
    stranger_private, _ = rsa_pem_pair()
    token = pyjwt.encode(claims, stranger_private, algorithm="RS256", headers={"kid": "2026-07"})
    with pytest.raises(InvalidToken, match="not valid"):
        decode_token(token)


def test_hs256_token_signed_with_the_rs256_public_key_is_refused(deckhand, rs256, rsa_keys):
    # The classic algorithm confusion: the public key is public, so an attacker can HMAC
    # with it; a verifier that let the header choose the algorithm would accept this.
    claims = claims_of(token_for(deckhand))
    public_pem = rsa_keys["2026-07"][1].encode()
    token = forge({"alg": "HS256", "typ": "JWT", "kid": "2026-07"}, claims, key=public_pem)
    with pytest.raises(InvalidToken, match="not valid"):
        decode_token(token)


def test_rs256_token_with_unknown_kid_is_refused(deckhand, rs256, rsa_keys):
    claims = claims_of(token_for(deckhand))
    token = pyjwt.encode(claims, rsa_keys["2026-07"][0], algorithm="RS256", headers={"kid": "../../etc/passwd"})
    with pytest.raises(InvalidToken, match="unknown key"):
        decode_token(token)


def test_rs256_token_is_refused_when_the_server_expects_hs256(deckhand, rsa_keys):
    claims = claims_of(token_for(deckhand))
    token = pyjwt.encode(claims, rsa_keys["2026-07"][0], algorithm="RS256", headers={"kid": "2026-07"})
    with pytest.raises(InvalidToken):
        decode_token(token)


@pytest.mark.parametrize("header", ["jwk", "jku", "x5u"])
def test_keys_offered_in_the_header_are_ignored(deckhand, rs256, header):
    attacker_private, attacker_public = rsa_pem_pair()
    claims = claims_of(token_for(deckhand))
    offered = {
        "jwk": json.loads(
            pyjwt.algorithms.RSAAlgorithm.to_jwk(serialization.load_pem_public_key(attacker_public.encode()))
        ),
        "jku": "https://attacker.example/keys.json",
        "x5u": "https://attacker.example/cert.pem",
    }[header]
    token = pyjwt.encode(claims, attacker_private, algorithm="RS256", headers={"kid": "2026-07", header: offered})
    with pytest.raises(InvalidToken, match="not valid"):
        decode_token(token)


def test_expired_token_is_refused(deckhand, settings):
    settings.JWT_TTL_SECONDS = -10
    with pytest.raises(InvalidToken, match="expired"):
        decode_token(token_for(deckhand))


def test_token_for_another_audience_is_refused(deckhand, settings):
    claims = claims_of(token_for(deckhand)) | {"aud": "charterops-guests"}
    token = pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="audience"):
        decode_token(token)


def test_token_from_another_issuer_is_refused(deckhand, settings):
    claims = claims_of(token_for(deckhand)) | {"iss": "someone-else"}
    with pytest.raises(InvalidToken, match="issued by someone else"):
        decode_token(pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256"))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "org", "jti", "typ", "ver"])
def test_token_missing_a_claim_is_refused(deckhand, settings, claim):
    claims = claims_of(token_for(deckhand))
    del claims[claim]
    with pytest.raises(InvalidToken):
        decode_token(pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256"))


def test_token_of_another_type_is_refused(deckhand, settings):
    claims = claims_of(token_for(deckhand)) | {"typ": "guest-access"}
    with pytest.raises(InvalidToken, match="not a crew access token"):
        decode_token(pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256"))


def test_token_issued_in_the_future_is_refused(deckhand, settings):
    claims = claims_of(token_for(deckhand)) | {"iat": int(time.time()) + 3600}
    with pytest.raises(InvalidToken):
        decode_token(pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256"))


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.%%%.sig", "x" * 5000, "é.é.é", "\x00"]
)
def test_garbage_is_refused_cleanly(garbage, db):
    with pytest.raises(InvalidToken):
        principal_from_token(garbage)


@pytest.mark.parametrize(
    "claim", [{"sub": "1 OR 1=1"}, {"sub": "²"}, {"sub": "9" * 30}, {"sub": 7}, {"ver": "1"}, {"org": ["jada"]}]
)
def test_well_signed_token_with_odd_claims_is_refused_cleanly(deckhand, settings, claim):
    # Only a holder of the signing key could make these; still no server error.
    claims = claims_of(token_for(deckhand)) | claim
    with pytest.raises(InvalidToken):
        principal_from_token(pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256"))


# --- Who a token stands for ---------------------------------------------------------------


def test_principal_is_the_crew_member_in_their_organization(deckhand, django_assert_num_queries):
    token = token_for(deckhand)
    with django_assert_num_queries(1):
        principal = principal_from_token(token)
    assert principal.crew_member == deckhand
    assert principal.organization == deckhand.organization
    assert (principal.role, principal.is_owner) == ("crew", False)
    with django_assert_num_queries(0):
        assert principal.crew_member.user.email == principal.user.email
        assert principal.crew_member.organization.slug == "queenofsandiego"


def test_principal_rows_are_loaded_as_the_orm_loads_them(deckhand):
    """One hand-written query builds the principal: every value must be what the ORM
    gives (Decimal coordinates, booleans, aware datetimes), on SQLite as on PostgreSQL."""
    principal = principal_from_token(token_for(deckhand))
    for loaded in (principal.organization, principal.crew_member, principal.membership):
        fresh = type(loaded).objects.get(pk=loaded.pk)
        for field in type(loaded)._meta.concrete_fields:
            value = getattr(loaded, field.attname)
            assert value == getattr(fresh, field.attname), field.name
            assert type(value) is type(getattr(fresh, field.attname)), field.name
    user = type(principal.user).objects.get(pk=principal.user.pk)
    assert principal.user.get_deferred_fields() == {"password"}  # never read to act on a token
    assert (principal.user.email, principal.user.is_active, principal.user.date_joined) == (
        user.email,
        user.is_active,
        user.date_joined,
    )


def test_owner_without_crew_profile_is_a_principal(owner, org):
    principal = principal_from_token(token_for(Membership.objects.get(user=owner, organization=org)))
    assert (principal.crew_member, principal.is_owner, principal.organization) == (None, True, org)


def test_revoked_token_is_refused(deckhand):
    token = token_for(deckhand)
    claims = decode_token(token)
    RevokedToken.objects.create(jti=claims["jti"], expires_at=datetime.now(tz=UTC) + timedelta(days=1))
    with pytest.raises(InvalidToken, match="signed out"):
        principal_from_token(token)


def test_signing_out_everywhere_ends_every_token_of_that_membership(deckhand, captain):
    phone, laptop, captains = token_for(deckhand), token_for(deckhand), token_for(captain)
    sign_out_everywhere(membership=membership_of(deckhand))
    for token in (phone, laptop):
        with pytest.raises(InvalidToken, match="signing out everywhere"):
            principal_from_token(token)
    assert principal_from_token(captains).crew_member == captain
    assert principal_from_token(token_for(deckhand)).crew_member == deckhand


def test_deactivated_crew_member_is_refused_even_with_a_fresh_token(deckhand):
    old = token_for(deckhand)
    crew_member_deactivate(crew_member=deckhand)
    with pytest.raises(InvalidToken):
        principal_from_token(old)
    with pytest.raises(InvalidToken, match="deactivated"):
        principal_from_token(token_for(deckhand))


def test_deactivated_user_is_refused(deckhand):
    token = token_for(deckhand)
    deckhand.user.is_active = False
    deckhand.user.save()
    with pytest.raises(InvalidToken, match="deactivated"):
        principal_from_token(token)


def test_token_of_a_removed_membership_is_refused(deckhand):
    token = token_for(deckhand)
    membership_of(deckhand).delete()
    with pytest.raises(InvalidToken, match="no longer exists"):
        principal_from_token(token)


@pytest.mark.parametrize("moved", [("org",), ("oid",), ("org", "oid")])
def test_token_cannot_be_moved_to_another_organization(deckhand, other_org, settings, moved):
    claims = claims_of(token_for(deckhand)) | {"org": other_org.slug, "oid": other_org.pk}
    claims = claims_of(token_for(deckhand)) | {claim: claims[claim] for claim in moved}
    with pytest.raises(InvalidToken, match="no longer exists"):
        principal_from_token(pyjwt.encode(claims, settings.JWT_SECRET, algorithm="HS256"))


# --- Pages: crew_required -----------------------------------------------------------------


@probe_urls
def test_crew_page_knows_the_signed_in_crew_member(crew_login, deckhand):
    response = crew_login(deckhand).get("/crew/probe/")
    assert response.status_code == 200
    assert response.content.decode() == "casey.queenofsandiego@example.com|queenofsandiego|crew|True"
    assert "no-store" in response["Cache-Control"]


@probe_urls
def test_owner_can_use_crew_pages(crew_login, owner):
    assert crew_login(owner).get("/crew/probe/").content.decode().endswith("|owner|False")


@probe_urls
def test_visitor_without_token_is_sent_to_sign_in_and_back(client):
    response = client.get("/crew/probe/?tab=roster")
    assert response.status_code == 302
    assert response["Location"] == "/crew/login?next=%2Fcrew%2Fprobe%2F%3Ftab%3Droster"


@probe_urls
def test_htmx_request_without_token_gets_401_with_hx_redirect(client):
    response = client.get("/crew/probe/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/crew/login?next=%2Fcrew%2Fprobe%2F"


@probe_urls
def test_invalid_cookie_is_cleared_on_the_way_to_sign_in(deckhand):
    client = Client()
    client.cookies[COOKIE_NAME] = token_for(deckhand)
    sign_out_everywhere(membership=membership_of(deckhand))
    response = client.get("/crew/probe/")
    assert response.status_code == 302
    assert response.cookies[COOKIE_NAME].value == ""


# --- API: JWTAuthentication ---------------------------------------------------------------


def test_api_bearer_token_authenticates_as_the_principal(deckhand):
    request = APIRequestFactory().get("/api/events/", HTTP_AUTHORIZATION=f"Bearer {token_for(deckhand)}")
    user, principal = JWTAuthentication().authenticate(request)
    assert user == deckhand.user
    assert principal.crew_member == deckhand


def test_api_without_bearer_is_not_this_authenticators_business(db):
    assert JWTAuthentication().authenticate(APIRequestFactory().get("/api/events/")) is None
    basic = APIRequestFactory().get("/api/events/", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")
    assert JWTAuthentication().authenticate(basic) is None


@pytest.mark.parametrize("header", ["Bearer", "Bearer  ", "Bearer a b", "Bearer not-a-jwt"])
def test_api_bad_bearer_is_refused_with_a_reason(header, db):
    from rest_framework.exceptions import AuthenticationFailed

    with pytest.raises(AuthenticationFailed):
        JWTAuthentication().authenticate(APIRequestFactory().get("/api/events/", HTTP_AUTHORIZATION=header))


def manage_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def test_rs256_without_its_keys_stops_start_up_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWT_")} | {"JWT_ALGORITHM": "RS256"}
    result = manage_check(env)
    assert result.returncode != 0
    assert "JWT_SIGNING_KID" in result.stderr


def test_rs256_keys_can_come_from_files(tmp_path, rsa_keys):
    (tmp_path / "private.json").write_text(json.dumps({"k1": rsa_keys["2026-01"][0]}))
    (tmp_path / "public.json").write_text(json.dumps({"k1": rsa_keys["2026-01"][1]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWT_")} | {
        "JWT_ALGORITHM": "RS256",
        "JWT_SIGNING_KID": "k1",
        "JWT_PRIVATE_KEYS_FILE": str(tmp_path / "private.json"),
        "JWT_PUBLIC_KEYS_FILE": str(tmp_path / "public.json"),
    }
    result = manage_check(env)
    assert result.returncode == 0, result.stderr
