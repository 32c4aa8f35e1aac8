"""Sign-in pages and the attacks on them: codes, throttling, link requests, signing out."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from charterops.jwt import InvalidToken, decode_token
from charterops.models import OutboundEmail
from crew.auth import COOKIE_NAME, principal_from_token, token_for
from crew.magic_links import magic_link_create
from crew.models import MagicLink
from crew.tests.factories import make_crew_member

pytestmark = pytest.mark.django_db

INVITE = MagicLink.Purpose.EVENT_INVITE
SIGN_IN = MagicLink.Purpose.SIGN_IN


def new_code(crew_member, deep_link: str = "/crew/", purpose=INVITE) -> str:
    return magic_link_create(crew_member=crew_member, deep_link=deep_link, purpose=purpose)[1]


def from_ip(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def text(response) -> str:
    return response.content.decode()


# --- Opening a link ---------------------------------------------------------------------


def test_opening_a_link_shows_a_confirm_page_and_uses_nothing_up(client, deckhand):
    code = new_code(deckhand)
    for _ in range(3):  # mail scanners and link previews open links too
        response = client.get(f"/m/{code}")
        assert response.status_code == 200
        assert "Sign in to <strong>Queen of San Diego</strong>" in text(response)
        assert "Hi Casey" in text(response)
    assert MagicLink.objects.get().used_at is None
    assert COOKIE_NAME not in response.cookies


def test_link_pages_send_no_referrer_and_are_not_cached(client, deckhand):
    code = new_code(deckhand)
    for response in (client.get(f"/m/{code}"), client.post(f"/m/{code}"), client.get("/m/K7QH3MXP")):
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]
    # (A fresh browser: this one is signed in now, and its own links go straight to their page.)
    assert '<meta name="referrer" content="no-referrer">' in text(Client().get(f"/m/{new_code(deckhand)}"))


def test_confirming_signs_in_and_opens_the_deep_link(client, deckhand):
    code = new_code(deckhand, "/crew/events/5b0e5a4e-7d11-4b8e-9d6e-0c2a9a3f1b2c/")
    response = client.post(f"/m/{code}")
    assert response.status_code == 302
    assert response["Location"] == "/crew/events/5b0e5a4e-7d11-4b8e-9d6e-0c2a9a3f1b2c/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert principal_from_token(cookie.value).crew_member == deckhand


def test_cookie_is_secure_outside_local_debug(client, deckhand, settings):
    settings.CREW_COOKIE_SECURE = True
    response = client.post(f"/m/{new_code(deckhand)}")
    assert response.cookies[COOKIE_NAME]["secure"] is True


def test_typed_code_in_lowercase_with_a_dash_works(client, deckhand):
    code = new_code(deckhand)
    response = client.post(f"/m/{code[:4].lower()}-{code[4:].lower()}")
    assert response.status_code == 302


def test_confirming_needs_the_csrf_token_of_the_confirm_page(deckhand):
    browser = Client(enforce_csrf_checks=True)
    code = new_code(deckhand)
    assert browser.post(f"/m/{code}").status_code == 403
    assert MagicLink.objects.get().used_at is None
    browser.get(f"/m/{code}")
    response = browser.post(f"/m/{code}", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/m/{code}", "/crew/login"])
def test_posts_from_no_referrer_pages_pass_csrf_with_a_null_origin_and_the_token(deckhand, path):
    # Browsers send `Origin: null` from a no-referrer page; the token still decides.
    browser = Client(enforce_csrf_checks=True)
    url = path.format(code=new_code(deckhand))
    browser.get(url)
    token = browser.cookies["csrftoken"].value
    data = {"csrfmiddlewaretoken": token, "email": deckhand.user.email}
    assert browser.post(url, {"email": deckhand.user.email}, headers={"Origin": "null"}).status_code == 403
    assert browser.post(url, data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert browser.post(url, data, headers={"Origin": "null"}).status_code in {200, 302}


def test_code_box_on_the_sign_in_page_leads_to_the_confirm_page(client):
    response = client.get("/m/", {"code": " k7qh-3mxp "})
    assert (response.status_code, response["Location"]) == (302, "/m/K7QH3MXP")


def test_code_box_refuses_what_cannot_be_a_code(client):
    response = client.get("/m/", {"code": "hello"}, follow=True)
    assert response.redirect_chain == [("/crew/login", 302)]
    assert "8 letters and digits" in text(response)


# --- Refused codes ----------------------------------------------------------------------


def test_reused_code_is_refused_and_offers_a_new_link(client, deckhand):
    code = new_code(deckhand)
    assert client.post(f"/m/{code}").status_code == 302
    second = Client().post(f"/m/{code}")
    assert second.status_code == 410
    assert COOKIE_NAME not in second.cookies
    assert "already been used" in text(second)
    assert 'action="/crew/login"' in text(second)
    assert Client().get(f"/m/{code}").status_code == 410


def test_expired_code_is_refused_and_offers_a_new_link(client, deckhand):
    code = new_code(deckhand, purpose=SIGN_IN)
    MagicLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (client.get(f"/m/{code}"), client.post(f"/m/{code}")):
        assert response.status_code == 410
        assert "expired" in text(response)
        assert "Email me a new link" in text(response)
        assert COOKIE_NAME not in response.cookies


def test_unknown_code_is_refused(client, deckhand):
    new_code(deckhand)
    for response in (client.get("/m/K7QH3MXP"), client.post("/m/K7QH3MXP")):
        assert response.status_code == 404
        assert "does not exist" in text(response)
        assert COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "path",
    ["/m/x", "/m/%00%00", "/m/" + "A" * 500, "/m/K7QH3MX0", "/m/%F0%9F%98%80%F0%9F%98%80", "/m/..%2F..%2Fetc"],
)
def test_malformed_codes_are_refused_without_a_server_error(client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404


def test_code_of_another_organizations_crew_signs_in_only_to_that_organization(client, outsider, org, deckhand):
    # A JADA deckhand's code, even one whose deep link names a Queen of San Diego page,
    # yields a JADA token: Queen of San Diego data stays out of reach.
    code = new_code(outsider, "/crew/")
    response = client.post(f"/m/{code}")
    claims = decode_token(response.cookies[COOKIE_NAME].value)
    assert claims["org"] == "jada"
    principal = principal_from_token(response.cookies[COOKIE_NAME].value)
    assert principal.organization != org
    assert principal.crew_member == outsider


def test_code_rebound_to_another_organization_is_refused(client, deckhand, other_org):
    code = new_code(deckhand)
    MagicLink.objects.update(organization=other_org)
    response = client.post(f"/m/{code}")
    assert response.status_code == 410
    assert COOKIE_NAME not in response.cookies


def test_code_of_a_deactivated_crew_member_is_refused(client, deckhand):
    code = new_code(deckhand)
    deckhand.active = False
    deckhand.save()
    assert client.post(f"/m/{code}").status_code == 410


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_link_answers_only_get_and_post(client, deckhand, method):
    assert getattr(client, method)(f"/m/{new_code(deckhand)}").status_code == 405


# --- Brute force --------------------------------------------------------------------------


def test_brute_force_from_one_address_is_throttled_past_the_limit(deckhand, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 5
    attacker = from_ip("198.51.100.66")
    for n in range(5):
        assert attacker.post(f"/m/K7QH3MX{'ABCDE'[n]}").status_code == 404
    response = attacker.post("/m/K7QH3MXF")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in text(response)
    # Once throttled, even a valid code from that address waits: guesses gain nothing.
    code = new_code(deckhand)
    assert attacker.get(f"/m/{code}").status_code == 429
    assert attacker.post(f"/m/{code}").status_code == 429
    assert MagicLink.objects.get().used_at is None
    # Someone else, elsewhere, is not affected.
    assert from_ip("203.0.113.9").post(f"/m/{code}").status_code == 302


def test_opening_links_counts_towards_the_limit_too(settings):
    settings.SIGN_IN_FAILURES_PER_IP = 3
    attacker = from_ip("198.51.100.66")
    for _ in range(3):
        assert attacker.get("/m/K7QH3MXP").status_code == 404
    assert attacker.get("/m/K7QH3MXP").status_code == 429


def test_brute_force_spread_over_many_addresses_is_throttled_globally(deckhand, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 100
    settings.SIGN_IN_FAILURES_GLOBAL = 8
    for n in range(8):
        assert from_ip(f"198.51.100.{n}").post("/m/K7QH3MXP").status_code == 404
    code = new_code(deckhand)
    assert from_ip("203.0.113.200").post(f"/m/{code}").status_code == 429
    assert MagicLink.objects.get().used_at is None


def test_throttle_ends_with_its_window(deckhand, settings, monkeypatch):
    settings.SIGN_IN_FAILURES_PER_IP = 2
    attacker = from_ip("198.51.100.66")
    for _ in range(2):
        attacker.post("/m/K7QH3MXP")
    assert attacker.post("/m/K7QH3MXP").status_code == 429
    later = timezone.now() + timedelta(seconds=settings.SIGN_IN_THROTTLE_WINDOW_SECONDS + 1)
    monkeypatch.setattr("crew.magic_links.timezone.now", lambda: later)
    assert attacker.post("/m/K7QH3MXP").status_code == 404


def test_forwarded_for_header_is_ignored_unless_the_proxy_is_trusted(settings):
    settings.SIGN_IN_FAILURES_PER_IP = 2
    attacker = from_ip("198.51.100.66")
    for n in range(2):
        attacker.post("/m/K7QH3MXP", headers={"X-Forwarded-For": f"10.0.0.{n}"})
    # Changing the header does not buy a fresh allowance.
    assert attacker.post("/m/K7QH3MXP", headers={"X-Forwarded-For": "10.0.0.99"}).status_code == 429


def test_behind_a_trusted_proxy_the_last_forwarded_hop_is_the_client(settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.SIGN_IN_FAILURES_PER_IP = 2
    proxy = from_ip("10.0.0.1")
    for _ in range(2):
        proxy.post("/m/K7QH3MXP", headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.66"})
    assert proxy.post("/m/K7QH3MXP", headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.66"}).status_code == 429
    assert proxy.post("/m/K7QH3MXP", headers={"X-Forwarded-For": "198.51.100.67"}).status_code == 404


# --- Asking for a link at /crew/login -----------------------------------------------------


def test_sign_in_page_asks_for_an_email_address(client):
    response = client.get("/crew/login?next=/crew/events/x/")
    assert response.status_code == 200
    assert 'type="email"' in text(response)
    assert 'value="/crew/events/x/"' in text(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_crew_email_gets_a_link_that_signs_in(client, deckhand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/crew/login", {"email": "Casey.QueenOfSanDiego@example.com", "next": "/crew/x/"})
    assert response.status_code == 200
    assert "Check your email" in text(response)
    [sent] = mail.outbox
    assert sent.to == ["casey.queenofsandiego@example.com"]
    assert sent.from_email == "Queen of San Diego <crew@queenofsandiego.example.com>"
    assert "sign-in link" in sent.subject
    assert "expires in 10 minutes" in sent.body
    url = re.search(r"http://127\.0\.0\.1:8000(/m/[A-Z0-9]{8})", sent.body).group(1)
    assert url in sent.alternatives[0][0]
    assert OutboundEmail.objects.get().kind == "crew_sign_in"
    signed_in = Client().post(url)
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/crew/x/")
    assert MagicLink.objects.get().purpose == SIGN_IN


def test_answer_is_the_same_whether_or_not_the_address_is_crew(client, deckhand, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        crew = client.post("/crew/login", {"email": "casey.queenofsandiego@example.com"})
        stranger = client.post("/crew/login", {"email": "nobody@example.com"})
    assert crew.status_code == stranger.status_code == 200

    # Only the echoed address (and the per-response masked CSRF token) differ.
    def page(response) -> str:
        return re.sub(r'"X-CSRFToken": "\w+"', "", text(response))

    assert page(crew).replace("casey.queenofsandiego", "nobody") == page(stranger)
    assert len(mail.outbox) == 1


def test_deactivated_crew_get_no_link(client, deckhand, django_capture_on_commit_callbacks):
    deckhand.active = False
    deckhand.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/crew/login", {"email": deckhand.user.email}).status_code == 200
    assert mail.outbox == []


def test_someone_crewing_for_two_brands_gets_a_link_for_each(client, deckhand, other_org):
    from crew.services import crew_member_create

    crew_member_create(organization=other_org, email=deckhand.user.email, first_name="Casey")
    client.post("/crew/login", {"email": deckhand.user.email})
    assert sorted(MagicLink.objects.values_list("organization__slug", flat=True)) == ["jada", "queenofsandiego"]


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example", "/admin/", "/crew/logout", ""])
def test_link_requested_with_a_foreign_next_opens_crew_home(client, deckhand, next_path):
    client.post("/crew/login", {"email": deckhand.user.email, "next": next_path})
    assert MagicLink.objects.get().deep_link == "/crew/"


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x" * 300 + "@example.com"])
def test_malformed_email_is_refused_clearly(client, email):
    response = client.post("/crew/login", {"email": email})
    assert response.status_code == 400
    assert 'class="errorlist"' in text(response)


def test_one_address_gets_at_most_a_few_links_per_window(client, deckhand, settings):
    settings.SIGN_IN_EMAILS_PER_ADDRESS = 3
    for n in range(5):
        response = from_ip(f"198.51.100.{n}").post("/crew/login", {"email": deckhand.user.email})
        assert response.status_code == 200  # the same answer, so the cap reveals nothing
    assert MagicLink.objects.count() == 3


def test_asking_for_links_too_often_from_one_address_is_throttled(client, settings):
    settings.SIGN_IN_REQUESTS_PER_IP = 3
    for n in range(3):
        assert client.post("/crew/login", {"email": f"someone{n}@example.com"}).status_code == 200
    response = client.post("/crew/login", {"email": "someone9@example.com"})
    assert response.status_code == 429
    assert "Too many attempts" in text(response)


# --- Signing out ------------------------------------------------------------------------


def test_signing_out_ends_this_devices_token(crew_login, deckhand):
    phone = crew_login(deckhand)
    token = phone.cookies[COOKIE_NAME].value
    response = phone.post("/crew/logout", follow=True)
    assert response.redirect_chain == [("/crew/login", 302)]
    assert "signed out on this device" in text(response)
    assert phone.cookies[COOKIE_NAME].value == ""
    with pytest.raises(InvalidToken, match="signed out"):
        principal_from_token(token)


def test_signing_out_everywhere_ends_every_device(crew_login, deckhand, captain):
    phone, laptop, captains_phone = crew_login(deckhand), crew_login(deckhand), crew_login(captain)
    laptop_token = laptop.cookies[COOKIE_NAME].value
    response = phone.post("/crew/logout/everywhere", follow=True)
    assert "signed out on every device" in text(response)
    with pytest.raises(InvalidToken):
        principal_from_token(laptop_token)
    assert principal_from_token(captains_phone.cookies[COOKIE_NAME].value).crew_member == captain


@pytest.mark.parametrize("path", ["/crew/logout", "/crew/logout/everywhere"])
def test_signing_out_is_a_csrf_protected_post(deckhand, path):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[COOKIE_NAME] = token_for(deckhand)
    assert browser.get(path).status_code == 405
    assert browser.post(path).status_code == 403
    principal_from_token(browser.cookies[COOKIE_NAME].value)  # still signed in


def test_signing_out_without_being_signed_in_goes_to_sign_in(client):
    response = client.post("/crew/logout")
    assert (response.status_code, response["Location"]) == (302, "/crew/login?next=%2Fcrew%2Flogout")


# --- Management command and back office -------------------------------------------------


def test_command_prints_a_working_sign_in_link(deckhand, capsys):
    call_command("magic_link", "casey.queenofsandiego@example.com")
    out, err = capsys.readouterr()
    url = out.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/m/[A-Z0-9]{8}", url)
    assert "Single-use link for Casey (Queen of San Diego) to /crew/" in err
    assert Client().post(url.removeprefix("http://127.0.0.1:8000")).status_code == 302


def test_command_with_an_event_links_to_that_event(deckhand, org, capsys):
    from crew.tests.factories import make_event

    event = make_event(org, slug="boatsetter-may-30-2024")
    call_command("magic_link", deckhand.user.email, "--event", "boatsetter-may-30-2024")
    url = capsys.readouterr().out.strip()
    response = Client().post(url.removeprefix("http://127.0.0.1:8000"))
    assert response["Location"] == f"/crew/events/{event.public_id}/"
    assert MagicLink.objects.get().purpose == INVITE


def test_command_refuses_unknown_people_and_other_brands_events(deckhand, other_org):
    from crew.tests.factories import make_event

    make_event(other_org, slug="jada-sunset")
    with pytest.raises(CommandError, match="No crew member"):
        call_command("magic_link", "nobody@example.com")
    with pytest.raises(CommandError, match="no event"):
        call_command("magic_link", deckhand.user.email, "--event", "jada-sunset")


def test_command_asks_which_brand_for_someone_crewing_for_two(deckhand, other_org, capsys):
    from crew.services import crew_member_create

    crew_member_create(organization=other_org, email=deckhand.user.email, first_name="Casey")
    with pytest.raises(CommandError, match="--org"):
        call_command("magic_link", deckhand.user.email)
    call_command("magic_link", deckhand.user.email, "--org", "jada")
    assert MagicLink.objects.get().organization == other_org


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


def test_owner_makes_a_sign_in_link_from_the_back_office(owner_client, deckhand):
    response = owner_client.post(
        "/admin/crew/crewmember/", {"action": "make_sign_in_link", "_selected_action": [deckhand.pk]}, follow=True
    )
    url = re.search(r"Sign-in link for Casey: http://127\.0\.0\.1:8000(/m/[A-Z0-9]{8})", text(response)).group(1)
    assert Client().post(url).status_code == 302


def test_owner_cannot_make_a_link_for_another_brands_crew(owner_client, outsider):
    owner_client.post("/admin/crew/crewmember/", {"action": "make_sign_in_link", "_selected_action": [outsider.pk]})
    assert not MagicLink.objects.exists()


# The crew member page's inline of platform crew ids, left empty.
NO_PLATFORM_IDS = {"external_ids-TOTAL_FORMS": "0", "external_ids-INITIAL_FORMS": "0"}


def test_unticking_active_in_the_back_office_ends_the_crew_members_tokens(owner_client, deckhand):
    token = token_for(deckhand)
    response = owner_client.post(
        f"/admin/crew/crewmember/{deckhand.pk}/change/",
        {
            "first_name": deckhand.user.first_name,
            "last_name": deckhand.user.last_name,
            "email": deckhand.user.email,
            "phone": "",
            "_save": "Save",
            **NO_PLATFORM_IDS,
        },
        follow=True,
    )
    assert response.status_code == 200
    deckhand.refresh_from_db()
    assert deckhand.active is False
    deckhand.active = True  # reactivated later: the old token stays dead
    deckhand.save()
    with pytest.raises(InvalidToken, match="signing out everywhere"):
        principal_from_token(token)


def test_crew_login_fixture_signs_in_a_crew_member(crew_login, deckhand):
    token = crew_login(make_crew_member(deckhand.organization, "Robin")).cookies[COOKIE_NAME].value
    assert principal_from_token(token).crew_member.display_name == "Robin"
