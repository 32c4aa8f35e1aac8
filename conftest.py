"""Suite-wide fixtures: personas, strictness, and the real services CI insists on.

Personas: `org` (Queen of San Diego-like brand) with its `owner`, `captain` and
`deckhand`; `other_org` with its `other_owner` and `outsider` (crew of another brand).
"""

import logging
import os
import socket
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from charterops.tests.factories import make_org, make_owner
from crew.tests.factories import make_crew_member

IN_CI = os.environ.get("CI", "").lower() == "true"


def using_postgres() -> bool:
    return django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    # Under CI the real services are part of the contract: missing ones fail the run.
    if IN_CI:
        problems = []
        if not using_postgres():
            problems.append("DATABASE_URL does not point at PostgreSQL")
        if not redis_reachable():
            problems.append("Redis is not reachable at REDIS_URL")
        if problems:
            pytest.exit("CI=true but " + "; ".join(problems), returncode=3)


def pytest_runtest_setup(item: pytest.Item) -> None:
    needs = {
        "postgres": (using_postgres, "needs PostgreSQL (set DATABASE_URL, as CI=true does)"),
        "redis": (redis_reachable, "needs Redis (set REDIS_URL, as CI=true does)"),
    }
    for marker, (available, reason) in needs.items():
        if item.get_closest_marker(marker) and not available():
            if IN_CI:
                pytest.fail(f"{reason} — a failure under CI=true")
            pytest.skip(reason)


# --- Strictness -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fail_on_error_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """An ERROR log the test did not expect (e.g. a swallowed 500) fails the test."""
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("unexpected ERROR log: " + "; ".join(f"{r.name}: {r.getMessage()}" for r in errors))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    from charterops.celery import app as celery_app

    # Unit tests run tasks in-process; the worker pipeline has its own test on Redis.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    cache.clear()


# --- Personas ---------------------------------------------------------------------------


@pytest.fixture
def org(db):
    return make_org("queenofsandiego", name="Queen of San Diego")


@pytest.fixture
def other_org(db):
    return make_org("jada", name="JADA")


@pytest.fixture
def owner(org):
    return make_owner(org, "olivia-owner")


@pytest.fixture
def other_owner(other_org):
    return make_owner(other_org, "oscar-other-owner")


@pytest.fixture
def captain(org):
    return make_crew_member(org, "Dana", captain=True)


@pytest.fixture
def deckhand(org):
    return make_crew_member(org, "Casey")


@pytest.fixture
def outsider(other_org):
    """Crew of another brand: must never reach `org`'s data."""
    return make_crew_member(other_org, "Otto")


# --- Browser (Debian's Chromium driven by Playwright; never a browser download) -----------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself (not by the server under test) are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def phone(chromium_browser, live_server):
    """A phone-sized page (390 × 844) whose relative URLs go to the live test server."""
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def artifact():
    """Path for a test artifact (screenshots) kept under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda name: ARTIFACTS / name


# --- Crew sign-in -------------------------------------------------------------------------


@pytest.fixture
def crew_login(db):
    """A test client signed in as a crew member (or a Membership, or an owner's user).

    crew_login(deckhand).get("/crew/")
    crew_login(owner).get("/crew/")  # an owner: their one owner membership
    """
    from django.test import Client

    from charterops.models import Membership
    from crew.auth import COOKIE_NAME, token_for
    from crew.models import CrewMember

    def login(who, client: Client | None = None) -> Client:
        if not isinstance(who, CrewMember | Membership):
            who = Membership.objects.select_related("user", "organization").get(user=who, role=Membership.Role.OWNER)
        client = client or Client()
        client.cookies[COOKIE_NAME] = token_for(who)
        return client

    return login


# --- Files written by tests (guest pages, photos, PDFs) go to a temporary MEDIA_ROOT -----


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = media
    if settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(media), "base_url": "/media/"}}
        settings.STORAGES = {**settings.STORAGES, "default": default}
    return media


@pytest.fixture
def api_login(db):
    """An API client with the bearer JWT of a crew member, a Membership, or an owner's user.

    api_login(deckhand).get("/api/events/")
    """
    from rest_framework.test import APIClient

    from charterops.models import Membership
    from crew.auth import token_for
    from crew.models import CrewMember

    def login(who) -> APIClient:
        if not isinstance(who, CrewMember | Membership):
            who = Membership.objects.get(user=who, role=Membership.Role.OWNER)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(who)}")
        return client

    return login


# --- AWS at moto's HTTP endpoint (S3, SES) --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """One moto server per test session: an S3 and SES compatible HTTP endpoint.

    (guests/tests/conftest.py still starts its own, with its buckets; its fixture can
    shrink to making the buckets on this one.)
    """
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


# --- Webhooks: a real receiver on 127.0.0.1 ------------------------------------------------


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1 (events/tests/receiver.py). The SSRF guard lets
    127.0.0.1 through for this test only; by default it refuses every private address."""
    from events.tests.receiver import Receiver

    settings.WEBHOOK_TEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    running = Receiver().start()
    yield running
    running.stop()
