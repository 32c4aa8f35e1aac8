"""The crew event page with the check-in panel runs the same number of queries for 1 guest
as for 30, on the dock, at sea and back at the dock."""

import pytest

from crew.tests.test_queries import EVENT_PAGE_AS_CAPTAIN
from guests.tests.factories import make_guest, sign
from safety import services
from safety.tests.helpers import board, start


def _guests(event, captain, n):
    for i in range(n):
        guest = make_guest(event, f"Guest {i:02d}")
        sign(guest)
        board(event, guest, captain.user)


@pytest.mark.parametrize("guests", [1, 30])
def test_the_page_is_constant_on_the_dock_at_sea_and_back(
    crew_login, charter, captain, guests, django_assert_num_queries
):
    _guests(charter, captain, guests)
    client = crew_login(captain)
    path = f"/crew/events/{charter.public_id}/"
    with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN):
        assert client.get(path).status_code == 200
    start(charter, captain, reason="No headcount in this test")
    with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN):
        assert client.get(path).status_code == 200
    services.float_plan_return(event=charter, by=captain.user)
    # Back at the dock: the post-return checklist's items left, one query more.
    with django_assert_num_queries(EVENT_PAGE_AS_CAPTAIN + 1):
        assert client.get(path).status_code == 200
