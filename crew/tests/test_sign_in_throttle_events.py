"""Sign-in throttling leaves one record per client address and window (the CTO report reads it)."""

import pytest

from crew.magic_links import MagicLinkRefused, SignInThrottled, magic_link_check
from crew.models import SignInThrottleEvent

IP = "198.51.100.23"


def guess(ip: str = IP) -> None:
    magic_link_check(code="ABCDEFGH", ip=ip)


def test_a_throttled_address_is_recorded_once_per_window(db, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 2
    for _ in range(2):
        with pytest.raises(MagicLinkRefused):
            guess()
    for _ in range(3):  # refused again and again: one record, not three
        with pytest.raises(SignInThrottled):
            guess()

    [event] = SignInThrottleEvent.objects.all()
    assert event.ip == IP
    assert event.window_start <= event.at


def test_wrong_codes_under_the_limit_record_nothing(db, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 5
    with pytest.raises(MagicLinkRefused):
        guess()
    assert not SignInThrottleEvent.objects.exists()
