"""Fixtures of the guests tests: a charter with a waiver, and a real S3 endpoint over HTTP."""

import socket

import boto3
import pytest

from crew.tests.factories import make_event
from events.tests.factories import make_vessel
from guests.tests.factories import make_waiver

BRAND_BUCKET = "queenofsandiego.com"
DEFAULT_BUCKET = "charterops-default"


@pytest.fixture
def waiver(org):
    return make_waiver(org)


@pytest.fixture
def charter(org):
    """The brand's upcoming charter, with a vessel and a meeting point."""
    return make_event(
        org, name="Harbor charter", vessel=make_vessel(org, name="Queen"), location="Shelter Island guest dock"
    )


@pytest.fixture
def sailing_now(org):
    """The guest page of a charter that left an hour ago: photo uploads are open."""
    from datetime import timedelta

    from django.utils import timezone

    from guests import services

    event = make_event(org, departure_at=timezone.now() - timedelta(hours=1), name="Sunset sail")
    return services.guest_page_publish(event=event)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """One moto server per test session: an S3 (and SES) compatible HTTP endpoint."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for bucket in (BRAND_BUCKET, DEFAULT_BUCKET):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    yield endpoint
    server.stop()


@pytest.fixture
def s3(moto_endpoint, settings, monkeypatch):
    """Point boto3 and django-storages at the moto endpoint; returns a plain S3 client for assertions."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    settings.AWS_S3_ENDPOINT_URL = moto_endpoint
    settings.AWS_S3_REGION_NAME = "us-west-2"
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-west-2")


@pytest.fixture
def s3_org(org, s3):
    """The brand publishes to its own bucket."""
    org.storage_bucket = BRAND_BUCKET
    org.save(update_fields=["storage_bucket"])
    return org


@pytest.fixture(autouse=True)
def _brand_domains_allowed(settings):
    # Guest pages may be asked for on a brand's own domain (the test brands use example.com).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".example.com"]
