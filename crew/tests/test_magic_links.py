"""Magic-link codes: how they are made, stored, bound and used up."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crew.magic_links import (
    ALPHABET,
    MagicLinkRefused,
    code_hash,
    magic_link_check,
    magic_link_consume,
    magic_link_create,
    magic_link_exchange,
    magic_link_url,
    normalize_code,
)
from crew.models import MagicLink

INVITE = MagicLink.Purpose.EVENT_INVITE
SIGN_IN = MagicLink.Purpose.SIGN_IN
IP = "203.0.113.7"


def test_code_is_eight_unambiguous_characters_and_only_its_hmac_is_stored(deckhand):
    link, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)
    assert len(code) == 8
    assert set(code) <= set(ALPHABET)
    assert not set("0O1IL") & set(ALPHABET)
    link.refresh_from_db()
    assert link.code_hash == code_hash(code) != code
    assert code not in link.code_hash
    assert len(link.code_hash) == 64


def test_hash_is_keyed_with_the_server_secret(settings):
    before = code_hash("K7QH3MXP")
    settings.MAGIC_LINK_SECRET = "another-secret"
    assert code_hash("K7QH3MXP") != before


def test_codes_differ_every_time(deckhand):
    codes = {magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)[1] for _ in range(20)}
    assert len(codes) == 20


def test_link_is_bound_to_crew_member_organization_and_deep_link(deckhand, org):
    link, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/events/abc/", purpose=INVITE)
    assert (link.crew_member, link.organization, link.deep_link) == (deckhand, org, "/crew/events/abc/")


def test_event_links_live_24_hours_and_sign_in_links_10_minutes(deckhand):
    invite, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=INVITE)
    sign_in, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)
    now = timezone.now()
    assert abs(invite.expires_at - (now + timedelta(hours=24))) < timedelta(seconds=5)
    assert abs(sign_in.expires_at - (now + timedelta(minutes=10))) < timedelta(seconds=5)


def test_lifetimes_are_configurable(deckhand, settings):
    settings.MAGIC_LINK_EVENT_TTL_SECONDS = 3600
    settings.MAGIC_LINK_SIGN_IN_TTL_SECONDS = 120
    invite, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=INVITE)
    sign_in, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)
    assert invite.expires_at - sign_in.expires_at == pytest.approx(timedelta(seconds=3480), abs=timedelta(seconds=2))


def test_url_is_the_site_url_and_the_code(settings):
    settings.SITE_URL = "https://ops.example.com"
    assert magic_link_url("K7QH3MXP") == "https://ops.example.com/m/K7QH3MXP"


@pytest.mark.parametrize(
    "deep_link",
    [
        "https://evil.example/",
        "//evil.example/crew/",
        "/\\evil.example",
        "crew/",
        "javascript:alert(1)",
        "/crew/login",
        "/crew/logout",
        "/crew/\nSet-Cookie:x",
        "/" + "x" * 300,
    ],
)
def test_deep_link_must_be_a_path_on_this_site(deckhand, deep_link):
    with pytest.raises(ValidationError):
        magic_link_create(crew_member=deckhand, deep_link=deep_link, purpose=SIGN_IN)


def test_deactivated_crew_member_gets_no_link(deckhand):
    deckhand.active = False
    deckhand.save()
    with pytest.raises(ValidationError, match="deactivated"):
        magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7qh3mxp", "K7QH3MXP"),
        (" K7QH-3MXP ", "K7QH3MXP"),
        ("K7QH 3MXP", "K7QH3MXP"),
        ("K7QH3MX", None),
        ("K7QH3MXP9", None),
        ("K7QH3MX0", None),  # zero is not in the alphabet
        ("K7QH3MXI", None),
        ("K7QH3MX%", None),
        ("", None),
        ("Ｋ7QH3MXP", None),
        ("A" * 1000, None),
    ],
)
def test_typed_codes_are_normalized_or_refused(typed, expected):
    assert normalize_code(typed) == expected


def test_checking_a_code_uses_nothing_up(deckhand):
    link, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)
    assert magic_link_check(code=code, ip=IP) == link
    assert magic_link_check(code=code.lower(), ip=IP) == link
    link.refresh_from_db()
    assert link.used_at is None


def test_consuming_a_code_marks_it_used_once(deckhand):
    link, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)
    assert magic_link_consume(code=code, ip=IP).pk == link.pk
    link.refresh_from_db()
    assert link.used_at is not None
    with pytest.raises(MagicLinkRefused) as refused:
        magic_link_consume(code=code, ip=IP)
    assert (refused.value.reason, refused.value.status) == ("used", 410)


def test_expired_code_is_refused(deckhand):
    link, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=SIGN_IN)
    MagicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(MagicLinkRefused) as refused:
        magic_link_consume(code=code, ip=IP)
    assert (refused.value.reason, refused.value.status) == ("expired", 410)


def test_unknown_code_is_refused(db):
    with pytest.raises(MagicLinkRefused) as refused:
        magic_link_consume(code="K7QH3MXP", ip=IP)
    assert (refused.value.reason, refused.value.status) == ("unknown", 404)


def test_code_of_a_crew_member_deactivated_since_is_refused(deckhand):
    _, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=INVITE)
    deckhand.active = False
    deckhand.save()
    with pytest.raises(MagicLinkRefused, match="can no longer be used"):
        magic_link_consume(code=code, ip=IP)


def test_code_whose_row_names_another_organization_is_refused(deckhand, other_org):
    # A link's organization must be its crew member's: a tampered row signs nobody in.
    link, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=INVITE)
    MagicLink.objects.filter(pk=link.pk).update(organization=other_org)
    with pytest.raises(MagicLinkRefused, match="can no longer be used"):
        magic_link_exchange(code=code, ip=IP)


def test_code_of_a_removed_membership_is_refused(deckhand):
    from charterops.models import Membership

    _, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=INVITE)
    Membership.objects.filter(user=deckhand.user).delete()
    with pytest.raises(MagicLinkRefused):
        magic_link_exchange(code=code, ip=IP)


def test_exchange_issues_a_token_for_the_links_crew_member(deckhand):
    from crew.auth import principal_from_token

    _, code = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=INVITE)
    link, token, expires_at = magic_link_exchange(code=code, ip=IP)
    principal = principal_from_token(token)
    assert principal.crew_member == deckhand
    assert expires_at > timezone.now() + timedelta(days=29)
    assert link.used_at is not None


def test_the_only_read_that_names_no_brand_is_the_sign_in_link():
    # A sign-in code's hash is unique across brands and says which brand it is for: the one
    # statement allowed to skip the brand filter (charterops.sql, `found_by`). Any other
    # statement that skips it fails here.
    from charterops.sql import STATEMENTS

    application = [statement for statement in STATEMENTS if statement.row.__module__.split(".")[0] != "charterops"]
    assert {statement.row.__name__ for statement in application if statement.found_by} == {"_SignInRow"}
