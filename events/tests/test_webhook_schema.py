"""The OpenAPI document lists every webhook, and the bodies actually sent match it."""

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from events import services
from events.models import EventStatus, WebhookDelivery, WebhookEventType
from events.tests.factories import make_event
from events.webhooks import float_plan_overdue_data, guest_boarded_data, webhook_emit, webhook_endpoint_create


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    return document


def body_schema(schema: dict, event_type: str) -> Draft202012Validator:
    ref = schema["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return Draft202012Validator({"$ref": ref, "components": schema["components"]})


@pytest.mark.django_db
def test_every_webhook_type_is_documented_with_its_headers(schema):
    assert schema["openapi"].startswith("3.1")
    assert sorted(schema["webhooks"]) == sorted(WebhookEventType.values)
    for item in schema["webhooks"].values():
        headers = {p["name"] for p in item["post"]["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        assert "HMAC-SHA256" in item["post"]["description"]


@pytest.mark.django_db
def test_the_service_routes_are_documented(schema):
    paths = schema["paths"]
    by_ref = "/api/service/events/{source}/{external_ref}/"
    assert {"get", "patch"} <= set(paths[by_ref])
    assert "post" in paths[by_ref + "cancel/"]
    assert "409" in paths[by_ref]["patch"]["responses"]
    create = paths["/api/service/events/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}


@pytest.mark.django_db
def test_the_bodies_sent_match_the_documented_payloads(schema, org, receiver, django_capture_on_commit_callbacks):
    webhook_endpoint_create(organization=org, url=receiver.url(), event_types=WebhookEventType.values, is_finance=True)
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(org, revenue={"gross": "840.78", "captain_rate": "50", "captain_hours": "3"})
        services.event_update(event=event, guest_count=4)
        services.event_transition(event=event, to_status=EventStatus.CANCELLED, reason="Weather")
        # The two types defined ahead of the safety work, emitted with their builders.
        webhook_emit(
            organization_id=org.pk,
            event_type=WebhookEventType.GUEST_BOARDED,
            data=guest_boarded_data(event=event, guest_name="Ana R.", boarded_at=event.departure_at, on_hold=False),
        )
        webhook_emit(
            organization_id=org.pk,
            event_type=WebhookEventType.FLOAT_PLAN_OVERDUE,
            data=float_plan_overdue_data(
                event=event,
                expected_return_at=event.return_at,
                no_later_than=event.return_at,
                persons_on_board=6,
                level=1,
            ),
        )

    seen = set()
    for delivery in WebhookDelivery.objects.all():
        payload = json.loads(delivery.body)
        errors = [error.message for error in body_schema(schema, payload["type"]).iter_errors(payload)]
        assert errors == [], (payload["type"], errors)
        seen.add(payload["type"])
    assert seen == {"event.created", "event.updated", "event.cancelled", "guest.boarded", "float_plan.overdue"}
    assert len(receiver.requests) == 5
