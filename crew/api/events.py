"""GET /api/events/ and /api/events/<uuid>/: the events the crew app polls, and an owner's changes.

The serializers below are the schema and the revenue gate. The rows themselves are built
here from `crew.selectors` rows, in exactly the shape the serializers declare, rather
than serialized field by field a second time (it was the bulk of a detail response).
Revenue is never read with those rows: `add_revenue` adds it, from its own query, to the
rows whose brand `FieldPermissionsMixin.field_permitted` lets the request see it in.
"""

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import Any
from uuid import UUID

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charterops.api import FieldPermissionsMixin
from charterops.models import Organization
from charterops.sql import aware
from charterops.tenancy import Scope, scope_of
from events import services as event_services
from events.models import EventStatus, EventType, Revenue, Vessel
from events.serializers import EventSerializer, RevenueSerializer

from .. import selectors
from . import event_for, roster_for


class EventListOut(EventSerializer):
    my_role = serializers.CharField(allow_null=True, read_only=True)
    open_slots = serializers.IntegerField(read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "my_role", "open_slots"]
        read_only_fields = fields


class PrebuiltRows(serializers.Serializer):
    """Rows already built in exactly the declared shape (JSON-ready values): the fields
    declare the shape for the schema."""

    def to_representation(self, row: dict) -> dict:
        return row


class SlotOut(PrebuiltRows):
    role = serializers.CharField()
    position = serializers.IntegerField()
    holder = serializers.CharField(allow_null=True, help_text="The crew member's name; null when open.")
    acknowledged = serializers.BooleanField()


class ChecklistItemOut(PrebuiltRows):
    id = serializers.IntegerField()
    phase = serializers.CharField()
    text = serializers.CharField()
    responsible_role = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    version = serializers.IntegerField()
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class EventDetailOut(EventListOut):
    roster = SlotOut(many=True, read_only=True)
    checklist = ChecklistItemOut(many=True, read_only=True)

    class Meta(EventListOut.Meta):
        fields = [*EventListOut.Meta.fields, "nudges_enabled", "roster", "checklist"]
        read_only_fields = fields


# --- Rows in the declared shape --------------------------------------------------------------


def iso(moment: datetime | str | None, tz: tzinfo) -> str | None:
    """A time as DRF's DateTimeField writes it (ISO 8601 in the zone of the request, UTC as
    `Z`), for the hundred times a response holds: the field itself takes 5 µs each."""
    if moment is None:
        return None
    text = aware(moment).astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _uuid_text(value: UUID | str) -> str:
    # PostgreSQL returns a UUID, SQLite its 32 hex digits.
    return str(value if isinstance(value, UUID) else UUID(value))


def event_fields(event: Any, tz: tzinfo) -> dict[str, Any]:
    """The fields every event representation starts with (EventSerializer's, minus revenue),
    from an `EventSummary` or an `EventListRow`."""
    return {
        "id": _uuid_text(event.public_id),
        "slug": event.slug,
        "name": event.name,
        "event_type": event.event_type,
        "status": event.status,
        "vessel": event.vessel_name,
        "departure_at": iso(event.departure_at, tz),
        "return_at": iso(event.return_at, tz),
        "location": event.location,
        "notes": event.notes,
        "source": event.source,
        "guest_count": event.guest_count,
    }


def slot_data(slot: selectors.Slot) -> dict[str, Any]:
    """A slot as SlotOut declares it."""
    return {
        "role": slot.role,
        "position": slot.position,
        "holder": slot.holder_name if slot.holder_id is not None else None,
        "acknowledged": slot.acknowledged_at is not None,
    }


def checklist_item_data(item: selectors.ChecklistItemRow, tz: tzinfo) -> dict[str, Any]:
    """A checklist item as ChecklistItemOut declares it."""
    return {
        "id": item.id,
        "phase": item.phase,
        "text": item.text,
        "responsible_role": item.responsible_role,
        "due_at": iso(item.due_at, tz),
        "state": item.state,
        "version": item.version,
        "updated_by": item.updated_by_name or None,
        "updated_at": iso(item.updated_at, tz),
    }


@dataclass(slots=True)
class EventRow:
    """One event of a response: its key (for revenue), its brand (for the permission
    check) and its data, in the declared shape."""

    pk: int
    organization_id: int
    data: dict[str, Any]


def add_revenue(rows: list[EventRow], gate: FieldPermissionsMixin) -> None:
    """Give each row its `revenue` (null when none was recorded) where `gate` permits it,
    in one query; other rows get no `revenue` key at all."""
    # The permission follows the row's brand alone: asked once per brand, not per row.
    by_brand: dict[int, bool] = {}
    for row in rows:
        if row.organization_id not in by_brand:
            by_brand[row.organization_id] = gate.field_permitted("revenue", row)
    permitted = [row for row in rows if by_brand[row.organization_id]]
    if not permitted:
        return
    revenues = {revenue.event_id: revenue for revenue in Revenue.objects.filter(event_id__in=[r.pk for r in permitted])}
    for row in permitted:
        revenue = revenues.get(row.pk)
        shown = RevenueSerializer(revenue).data if revenue is not None else None
        row.data = _with_revenue(row.data, shown)


def _with_revenue(data: dict[str, Any], revenue: dict | None) -> dict[str, Any]:
    """`data` with `revenue` where EventSerializer declares it (after guest_count)."""
    shown: dict[str, Any] = {}
    for key, value in data.items():
        shown[key] = value
        if key == "guest_count":
            shown["revenue"] = revenue
    return shown


def detail_data(request: Request, public_id: Any) -> dict:
    """One event as EventDetailOut declares it: the full roster and the checklist for its
    crew and owners; for other crew of the brand, its open slots and no checklist."""
    roster, policy, scope = roster_for(request, public_id)
    event = roster.event
    tz = timezone.get_current_timezone()
    full = policy.sees_everything
    slots = [slot_data(slot) for slot in policy.visible_slots()]
    items = selectors.checklist(organization_ids=scope.org_ids, event_id=event.id, tz=tz) if full else []
    data = {
        **event_fields(event, tz),
        "my_role": policy.my_slot.role if policy.my_slot else None,
        "open_slots": sum(1 for slot in roster.slots if slot.holder_id is None),
        "nudges_enabled": event.nudges_enabled,
        "roster": slots,
        "checklist": [checklist_item_data(item, tz) for item in items],
    }
    row = EventRow(pk=event.id, organization_id=event.organization_id, data=data)
    add_revenue([row], EventDetailOut(context={"request": request}))
    return row.data


# --- The list --------------------------------------------------------------------------------


class EventFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    departure_from = serializers.DateField(required=False, help_text="Local date, inclusive.")
    departure_to = serializers.DateField(required=False, help_text="Local date, inclusive.")
    vessel = serializers.CharField(required=False, max_length=120, help_text="Vessel name.")
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page number (20 events a page).")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


def _local_day_bounds(day, org: Organization, end: bool) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=org.tz)


class EventPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def respond(self, request: Request, *, number: int, size: int, total: int, results: list) -> Response:
        """The page's response (count, next and previous links) when one query already
        counted the events and read the page."""
        counted = DjangoPaginator((), size)
        counted.count = total  # what the query counted, instead of counting again
        self.request, self.page = request, Page(results, number, counted)
        return self.get_paginated_response(results)


class EventPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EventListOut(many=True)


class EventListApi(APIView):
    @extend_schema(
        operation_id="events_list",
        parameters=[EventFilters],
        responses=EventPageOut,
        summary="Events: crew see theirs and those they could join in their brand; owners see all of their brands'",
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: "?status=" is then an invalid status, as the
        # schema says, rather than silently no filter.
        filters = EventFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        scope = scope_of(request)
        # Days are the brand's local days (an owner of brands in several zones: the first's).
        org = scope.organizations[0] if scope.organizations else None
        paginator = EventPagination()
        number, size = wanted.get("page", 1), paginator.get_page_size(request)
        total, rows = selectors.event_list_page(
            organization_ids=scope.org_ids,
            actor=selectors.actor_of_scope(scope),
            now=timezone.now(),
            offset=(number - 1) * size,
            limit=size,
            status=wanted.get("status"),
            departure_from=_local_day_bounds(wanted["departure_from"], org, end=False)
            if org and "departure_from" in wanted
            else None,
            departure_to=_local_day_bounds(wanted["departure_to"], org, end=True)
            if org and "departure_to" in wanted
            else None,
            vessel=wanted.get("vessel"),
        )
        if not rows and number > 1:
            raise NotFound(paginator.invalid_page_message)
        tz = timezone.get_current_timezone()
        events = [
            EventRow(
                pk=row.id,
                organization_id=row.organization_id,
                data={**event_fields(row, tz), "my_role": row.my_role, "open_slots": row.open_slots},
            )
            for row in rows
        ]
        add_revenue(events, EventListOut(context={"request": request}))
        return paginator.respond(request, number=number, size=size, total=total, results=[e.data for e in events])


# --- An owner's changes ------------------------------------------------------------------------


class EventWriteIn(serializers.Serializer):
    """What an owner may set on an event. Status moves go through the lifecycle, not here."""

    organization = serializers.SlugField(
        required=False, help_text="Brand slug; needed only when the owner runs several brands."
    )
    name = serializers.CharField(max_length=200)
    event_type = serializers.ChoiceField(choices=EventType.choices, default=EventType.CHARTER)
    vessel = serializers.CharField(required=False, max_length=120, help_text="Vessel name.")
    departure_at = serializers.DateTimeField()
    return_at = serializers.DateTimeField()
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    guest_count = serializers.IntegerField(required=False, min_value=0, max_value=500)
    nudges_enabled = serializers.BooleanField(required=False)
    revenue = RevenueSerializer(required=False)


def require_owner(scope: Scope, action: str) -> None:
    if not scope.is_owner:
        raise PermissionDenied(f"Only an owner may {action}.")


def resolve_vessel(org: Organization, name: str | None) -> Vessel | None:
    if not name:
        return None
    vessel = Vessel.objects.for_org(org).filter(name__iexact=name).first()
    if vessel is None:
        raise serializers.ValidationError({"vessel": f"No vessel named “{name}” in {org}."})
    return vessel


class EventDetailApi(APIView):
    @extend_schema(
        operation_id="events_retrieve",
        responses=EventDetailOut,
        summary="One event: roster and checklist for its crew and owners",
    )
    def get(self, request: Request, public_id) -> Response:
        return Response(detail_data(request, public_id))

    @extend_schema(request=EventWriteIn, responses=EventDetailOut, summary="Replace an event's details (owner)")
    def put(self, request: Request, public_id) -> Response:
        return self._write(request, public_id, partial=False)

    @extend_schema(request=EventWriteIn, responses=EventDetailOut, summary="Change an event's details (owner)")
    def patch(self, request: Request, public_id) -> Response:
        return self._write(request, public_id, partial=True)

    def _write(self, request: Request, public_id, *, partial: bool) -> Response:
        event, scope = event_for(request, public_id)
        require_owner(scope, "change events")
        incoming = EventWriteIn(data=request.data, partial=partial, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data.pop("organization", None)  # an event never moves to another brand
        revenue = data.pop("revenue", None)
        if revenue is not None and not request.user.has_perm("events.view_revenue", event):
            raise PermissionDenied("You may not set “revenue”.")
        if "vessel" in data:
            data["vessel"] = resolve_vessel(event.organization, data["vessel"])
        with transaction.atomic():
            event_services.event_update(event=event, by=request.user, **data)
            if revenue is not None:
                event_services.revenue_set(event=event, **revenue)
        return Response(detail_data(request, public_id))
