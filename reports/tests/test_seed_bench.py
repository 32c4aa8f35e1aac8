from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from crew.models import ChecklistItem, RoleSlot
from events.models import Event
from guests.models import Guest


@pytest.mark.django_db
def test_seed_bench_loads_the_scaled_shape():
    out = StringIO()
    call_command("seed_bench", events_per_org=3, crew=4, items=5, guests=2, stdout=out)
    assert Event.objects.count() == 12
    event = Event.objects.first()
    assert RoleSlot.objects.filter(event=event, holder__isnull=False).count() == 4
    assert ChecklistItem.objects.filter(event=event).count() == 5
    assert Guest.objects.filter(event=event).count() == 2
    assert "12 events" in out.getvalue()


@pytest.mark.django_db
def test_seed_bench_refuses_a_database_with_events(org):
    from events.tests.factories import make_event

    make_event(org)
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_bench", stdout=StringIO())
