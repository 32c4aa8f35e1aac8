"""Boarding on one bar of signal: guests tapped aboard with the network off are kept on the
phone, shown as pending (also after a reload), and sent once, in order, when it is back."""

import pytest

from crew.models import IdempotencyKey
from crew.tests.test_offline_browser import open_online
from guests.tests.factories import make_guest
from safety.models import CheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guests_tapped_aboard_offline_reach_the_server_once_back_online(phone, live_server, charter, captain):
    taylor, jordan = make_guest(charter, "Taylor Guest"), make_guest(charter, "Jordan Guest")
    open_online(phone, live_server, captain, charter)

    phone.context.set_offline(True)
    for guest in (taylor, jordan):
        phone.locator(f"#guest-{guest.pk}").get_by_role("button", name="Board").click()
        phone.locator(f"#guest-{guest.pk}.pending").wait_for()
    assert "Saved on this phone: Aboard" in phone.locator(f"#guest-{taylor.pk}").inner_text()
    assert not CheckIn.objects.filter(boarded=True).exists()  # nothing reached the server
    phone.reload()
    phone.locator(f"#guest-{jordan.pk}.pending").wait_for()  # kept across a reload offline

    phone.context.set_offline(False)
    phone.wait_for_function("() => document.querySelectorAll('li.pending[data-guest]').length === 0", timeout=15_000)

    assert set(CheckIn.objects.filter(boarded=True).values_list("guest__name", flat=True)) == {
        "Taylor Guest",
        "Jordan Guest",
    }
    assert IdempotencyKey.objects.filter(user=captain.user, action="check_in_set").count() == 2
    phone.reload()
    assert phone.locator(f"#guest-{taylor.pk}").get_by_role("button", name="Aboard ✓").is_visible()
