"""List parameters go to PostgreSQL in binary (charterops.apps): bulk inserts of emails
with their bodies, unicode, JSON and empty columns arrive exactly as written."""

import pytest
from django.db import connection
from psycopg.adapt import PyFormat
from psycopg.types.array import ListBinaryDumper

from charterops.mail import Rendered, emails_record
from charterops.models import OutboundEmail

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_postgres_connection_dumps_lists_in_binary():
    connection.ensure_connection()
    dumper = connection.connection.adapters.get_dumper(list, PyFormat.AUTO)
    assert dumper is ListBinaryDumper


def test_emails_recorded_together_arrive_exactly_as_rendered(org):
    bodies = ['Café «Shelter Island» — 6 p.m.\n\\ "quoted" {braces}', "", "plain"]
    messages = [
        Rendered(
            key=f"binary:{n}",
            kind="crew_digest",
            to=[f"crew{n}@example.com"],
            subject=f"Digest {n} — ✓",
            text=body,
            html=f"<p>{body}</p>" if body else "",
            organization=org if n else None,
            headers={"List-Unsubscribe": "<https://ops.example.com/u/x>"} if n == 1 else {},
        )
        for n, body in enumerate(bodies)
    ]
    emails_record(messages, enqueue=False)
    stored = {e.key: e for e in OutboundEmail.objects.filter(key__startswith="binary:")}
    for n, body in enumerate(bodies):
        email = stored[f"binary:{n}"]
        assert (email.body_text, email.body_html, email.to) == (
            body,
            f"<p>{body}</p>" if body else "",
            [f"crew{n}@example.com"],
        )
        assert email.subject == f"Digest {n} — ✓"
        assert email.organization_id == (org.pk if n else None)
    assert stored["binary:1"].headers == {"List-Unsubscribe": "<https://ops.example.com/u/x>"}
    assert stored["binary:0"].headers == {}
