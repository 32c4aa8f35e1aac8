"""The plan for `make bench` on a database loaded by seed_bench: which URLs to load,
with which credentials, and how many queries each request runs (measured here, in
process, with the same settings the benchmark server uses). Prints JSON.
"""

import json
import secrets
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crew.auth import COOKIE_NAME, token_for
from crew.magic_links import ALPHABET, CODE_LENGTH, code_hash
from crew.models import ChecklistItem, MagicLink, RoleSlot
from events.models import Event
from guests.models import Guest

HOST = "127.0.0.1"


def sign_in_link(crew_member, code: str, expires_at) -> MagicLink:
    """An unsaved sign-in link for `code` (rows are made in bulk: the service makes one at a time)."""
    return MagicLink(
        code_hash=code_hash(code),
        crew_member=crew_member,
        organization_id=crew_member.organization_id,
        deep_link="/crew/",
        purpose=MagicLink.Purpose.SIGN_IN,
        expires_at=expires_at,
    )


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class Command(BaseCommand):
    help = "Pick the benchmark's event and crew member, make sign-in codes, measure query counts; print JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--codes-file", required=True, help="Where to write one-time sign-in codes.")
        parser.add_argument("--codes", type=int, default=40000, help="How many codes to make.")

    def handle(self, *args, codes_file: str, codes: int, **options) -> None:
        event = Event.objects.filter(organization__slug="queenofsandiego").order_by("departure_at").first()
        if event is None:
            raise CommandError("Run seed_bench first.")
        slot = RoleSlot.objects.filter(event=event, role="deckhand").select_related("holder").first()
        crew_member = slot.holder
        token = token_for(crew_member)
        self.make_codes(crew_member, Path(codes_file), codes)
        detail = f"/api/events/{event.public_id}/"
        page = f"/crew/events/{event.public_id}/"
        endpoints = [
            {"name": "trivial view (floor): GET /ping", "path": "/ping"},
            {
                "name": "GET /api/events/ (crew, page of 20)",
                "path": "/api/events/",
                "env": {"BENCH_AUTH": f"Bearer {token}"},
                "target": 8,
            },
            {
                "name": "GET /api/events/<uuid>/ (crew)",
                "path": detail,
                "env": {"BENCH_AUTH": f"Bearer {token}"},
                "target": 8,
            },
            {
                "name": "GET /crew/events/<uuid>/ (crew page)",
                "path": page,
                "env": {"BENCH_COOKIE": f"{COOKIE_NAME}={token}"},
                "target": 8,
            },
            # A durable single-use code needs its round trips (two counters, the link, the
            # conditional UPDATE and its commit): 7× the floor, not less by weakening single use.
            {"name": "POST /api/auth/exchange", "path": "/api/auth/exchange", "codes": True, "target": 7},
        ]
        for endpoint in endpoints:
            endpoint["queries"] = self.count_queries(endpoint, crew_member)
        size = (
            f"{RoleSlot.objects.filter(event=event, holder__isnull=False).count()} crew, "
            f"{ChecklistItem.objects.filter(event=event).count()} checklist items, "
            f"{Guest.objects.filter(event=event).count()} guests"
        )
        self.stdout.write(json.dumps({"event_size": size, "endpoints": endpoints}))

    def make_codes(self, crew_member, path: Path, count: int) -> None:
        expires = timezone.now() + timedelta(hours=2)
        plain = list({new_code() for _ in range(count)})
        MagicLink.objects.bulk_create([sign_in_link(crew_member, code, expires) for code in plain], batch_size=5000)
        path.write_text("\n".join(plain) + "\n")

    def count_queries(self, endpoint: dict, crew_member) -> int:
        client = Client(HTTP_HOST=HOST)
        env = endpoint.get("env", {})
        headers = {}
        if "BENCH_AUTH" in env:
            headers["HTTP_AUTHORIZATION"] = env["BENCH_AUTH"]
        if "BENCH_COOKIE" in env:
            name, _, value = env["BENCH_COOKIE"].partition("=")
            client.cookies[name] = value

        def call():
            if endpoint.get("codes"):
                code = new_code()
                sign_in_link(crew_member, code, timezone.now() + timedelta(hours=1)).save()
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(endpoint["path"], {"code": code}, content_type="application/json", **headers)
            else:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(endpoint["path"], **headers)
            if response.status_code != 200:
                raise CommandError(f"{endpoint['path']} answered {response.status_code}: {response.content[:300]!r}")
            return len(queries.captured_queries)

        call()  # warm-up: first-request work (connections, caches) is not the steady state
        return call()
