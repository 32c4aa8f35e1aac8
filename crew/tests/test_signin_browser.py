"""Signing in on a phone, in a real browser: ask for a link, open it, confirm."""

import re

import pytest

from charterops.models import OutboundEmail
from crew.auth import COOKIE_NAME, principal_from_token
from crew.models import MagicLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fits_a_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for button in page.locator("button:visible").all():
        box = button.bounding_box()
        assert box["height"] >= 44, f"{button.inner_text()!r} is too small to tap"


def test_crew_member_signs_in_on_a_phone_with_an_emailed_link(phone, deckhand, artifact):
    phone.goto("/crew/login?next=/crew/")
    assert_fits_a_phone(phone)
    phone.screenshot(path=artifact("signin-login.png"), full_page=True)

    phone.get_by_label("Email", exact=True).fill("casey.queenofsandiego@example.com")
    phone.get_by_role("button", name="Email me a sign-in link").click()
    phone.get_by_role("heading", name="Check your email").wait_for()

    email = OutboundEmail.objects.get(kind="crew_sign_in")
    code = re.search(r"/m/([A-Z0-9]{8})", email.body_text).group(1)

    # Typing the code on the sign-in page (as from another device) reaches the same link.
    phone.goto("/crew/login")
    phone.get_by_label("Have a code from an email?").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    phone.get_by_role("button", name="Continue with the code").click()
    phone.get_by_role("heading", name="Hi Casey").wait_for()
    assert phone.url.endswith(f"/m/{code}")
    assert MagicLink.objects.get().used_at is None  # opening the link uses nothing up
    assert_fits_a_phone(phone)
    phone.screenshot(path=artifact("signin-confirm.png"), full_page=True)

    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url("**/crew/")
    [cookie] = [c for c in phone.context.cookies() if c["name"] == COOKIE_NAME]
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Lax")
    assert principal_from_token(cookie["value"]).crew_member == deckhand

    # The same link again, signed in: on to where it leads, nothing asked.
    phone.goto(f"/m/{code}")
    phone.wait_for_url("**/crew/")
    phone.get_by_role("heading", name="Hi Casey").wait_for()

    # Signed out, the same link again: refused, with a way to get a new one.
    phone.context.clear_cookies()
    phone.goto(f"/m/{code}")
    phone.get_by_role("heading", name="Link already used").wait_for()
    assert_fits_a_phone(phone)
    phone.screenshot(path=artifact("signin-link-used.png"), full_page=True)
