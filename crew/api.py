"""The crew API: the same events, roles and checklists as the crew pages, as JSON.

Crew and owners authenticate with a JWT bearer token (`crew.auth.JWTAuthentication`);
owners may also use their back-office session in a browser. Every view is explicit
(one APIView per resource), reads through `crew.selectors`, and writes through the
same services the crew pages call: no rule lives here.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied, Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charterops.errors import Conflict
from charterops.models import Organization
from charterops.tenancy import organizations_owned_by
from charterops.throttling import AnonRateThrottle
from events import services as event_services
from events.models import Event, EventStatus, EventType, Vessel
from events.serializers import EventSerializer, RevenueSerializer

from . import api_rows, services
from .magic_links import MagicLinkRefused, SignInThrottled, magic_link_exchange
from .models import (
    ChecklistItem,
    ChecklistItemState,
    ChecklistTemplate,
    CrewMember,
    CrewRole,
    RoleSlot,
)
from .signin import client_ip


def event_in_scope(*, public_id, org_ids: list[int], crew_member: CrewMember | None) -> Event | None:
    """One event of the brands in scope, with `my_role` (open slots come with the roster)."""
    my_role = (
        Subquery(RoleSlot.objects.filter(event=OuterRef("pk"), holder=crew_member).order_by().values("role")[:1])
        if crew_member
        else Value(None, output_field=CharField())
    )
    try:
        return (
            Event.objects.for_orgs(org_ids)
            .select_related("organization", "vessel")
            .annotate(my_role=my_role)
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, DjangoValidationError):
        return None


@dataclass(frozen=True)
class Scope:
    """Who is asking, and over which brands: the one place the API decides tenancy."""

    organizations: list[Organization]
    crew_member: object | None
    is_owner: bool

    @property
    def org_ids(self) -> list[int]:
        return [org.pk for org in self.organizations]

    @property
    def crew_member_id(self) -> int | None:
        return self.crew_member.pk if self.crew_member is not None else None


def scope_of(request: Request) -> Scope:
    principal = request.auth
    if principal is not None and hasattr(principal, "organization"):
        return Scope([principal.organization], principal.crew_member, principal.is_owner)
    # An owner in the back office, using the browsable API with their session.
    return Scope(list(organizations_owned_by(request.user)), None, True)


def event_for(request: Request, public_id) -> tuple[Event, Scope]:
    scope = scope_of(request)
    event = event_in_scope(public_id=public_id, org_ids=scope.org_ids, crew_member=scope.crew_member)
    if event is None:
        raise NotFound("No event matches the given query.")
    return event, scope


def require_owner(scope: Scope, action: str) -> None:
    if not scope.is_owner:
        raise PermissionDenied(f"Only an owner may {action}.")


class EventListOut(EventSerializer):
    my_role = serializers.CharField(allow_null=True, read_only=True)
    open_slots = serializers.IntegerField(read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "my_role", "open_slots"]
        read_only_fields = fields


class PrebuiltRows(serializers.Serializer):
    """Rows the selector already built in exactly the declared shape (JSON-ready values).

    The fields declare the shape for the schema; serializing each row field by field again
    would only repeat the selector's work (it is the bulk of a detail response).
    """

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


class EventFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    departure_from = serializers.DateField(required=False, help_text="Local date, inclusive.")
    departure_to = serializers.DateField(required=False, help_text="Local date, inclusive.")
    vessel = serializers.CharField(required=False, max_length=120, help_text="Vessel name.")
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page number (20 events a page).")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


def _local_day_bounds(day, org: Organization, end: bool) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=org.tz)


def _resolve_org(scope: Scope, slug: str | None) -> Organization:
    if slug:
        for org in scope.organizations:
            if org.slug == slug:
                return org
        raise serializers.ValidationError({"organization": "You do not run a brand with that slug."})
    if len(scope.organizations) != 1:
        raise serializers.ValidationError({"organization": "Say which brand: you run several."})
    return scope.organizations[0]


def _resolve_vessel(org: Organization, name: str | None) -> Vessel | None:
    if not name:
        return None
    vessel = Vessel.objects.for_org(org).filter(name__iexact=name).first()
    if vessel is None:
        raise serializers.ValidationError({"vessel": f"No vessel named “{name}” in {org}."})
    return vessel


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
        summary="Events: crew see theirs and open slots in their brand; owners see all of their brands'",
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
        total, rows = api_rows.event_list_page(
            organization_ids=scope.org_ids,
            crew_member_id=scope.crew_member_id,
            include_all=scope.is_owner,
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
        api_rows.add_revenue(rows, EventListOut(context={"request": request}))
        return paginator.respond(request, number=number, size=size, total=total, results=[row.data for row in rows])

    @extend_schema(request=EventWriteIn, responses={201: EventDetailOut}, summary="Create an event (owner)")
    def post(self, request: Request) -> Response:
        scope = scope_of(request)
        require_owner(scope, "create events")
        incoming = EventWriteIn(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        org = _resolve_org(scope, data.pop("organization", None))
        if "revenue" in data and not request.user.has_perm("events.view_revenue", org):
            raise PermissionDenied("You may not set “revenue”.")
        event = event_services.event_create(
            organization=org,
            by=request.user,
            vessel=_resolve_vessel(org, data.pop("vessel", None)),
            revenue=data.pop("revenue", None),
            **data,
        )
        return Response(detail_data(request, event.public_id), status=status.HTTP_201_CREATED)


def detail_data(request: Request, public_id) -> dict:
    scope = scope_of(request)
    row = api_rows.event_detail(
        organization_ids=scope.org_ids,
        public_id=public_id,
        crew_member_id=scope.crew_member_id,
        is_owner=scope.is_owner,
    )
    if row is None:
        raise NotFound("No event matches the given query.")
    api_rows.add_revenue([row], EventDetailOut(context={"request": request}))
    return row.data


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
            data["vessel"] = _resolve_vessel(event.organization, data["vessel"])
        with transaction.atomic():
            event_services.event_update(event=event, by=request.user, **data)
            if revenue is not None:
                event_services.revenue_set(event=event, **revenue)
        return Response(detail_data(request, public_id))


class ExchangeThrottle(AnonRateThrottle):
    """Per address, stricter than the rest of the API (codes are short)."""

    scope = "exchange"

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class ExchangeIn(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The code of a magic link (8 characters).")


class ExchangeOut(serializers.Serializer):
    token = serializers.CharField(help_text="Send as Authorization: Bearer <token>.")
    expires_at = serializers.DateTimeField()


class ExchangeApi(APIView):
    """Trade a magic-link code for a JWT: the app's way in, as /m/<code> is the pages'."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ExchangeThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        # A refused code answers 401, which names the scheme the token is then used with.
        return 'Bearer realm="crew"'

    @extend_schema(
        request=ExchangeIn,
        responses={200: ExchangeOut},
        auth=[],
        summary="Exchange a magic-link code for an access token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = ExchangeIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            _, token, expires_at = magic_link_exchange(code=incoming.validated_data["code"], ip=client_ip(request))
        except MagicLinkRefused as refused:
            # A code that cannot sign in is a refused credential, whatever the reason.
            raise AuthenticationFailed(refused.message) from refused
        except SignInThrottled as throttled:
            raise Throttled(wait=throttled.retry_after, detail=throttled.message) from throttled
        return Response(ExchangeOut({"token": token, "expires_at": expires_at}).data)


# --- Roles --------------------------------------------------------------------------------


class RoleActionIn(serializers.Serializer):
    position = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Which deckhand slot; the first that fits by default."
    )
    email = serializers.EmailField(required=False, help_text="designate: the crew member's email.")


class RosterOut(serializers.Serializer):
    status = serializers.CharField()
    roster = SlotOut(many=True)


ROLE_ACTIONS = ("claim", "release", "designate", "acknowledge")


def _roster_response(event: Event, scope: Scope) -> Response:
    status_now, roster = api_rows.roster_of(
        event.organization_id,
        event.public_id,
        crew_member_id=scope.crew_member_id,
        is_owner=scope.is_owner,
    )
    return Response(RosterOut({"status": status_now, "roster": roster}).data)


def _pick_slot(
    event: Event, role: str, *, position: int | None, holder: CrewMember | None, open_only: bool
) -> RoleSlot:
    slots = RoleSlot.objects.filter(event=event, role=role).order_by("position")
    if position is not None:
        slots = slots.filter(position=position)
    if holder is not None:
        slots = slots.filter(holder=holder)
    elif open_only:
        open_slot = slots.filter(holder__isnull=True).first()
        if open_slot is not None:
            return open_slot
        if slots.exists():
            raise Conflict(f"Every {CrewRole(role).label.lower()} slot is taken.")
    slot = slots.first()
    if slot is None:
        raise NotFound(f"No matching {CrewRole(role).label.lower()} slot on this event.")
    return slot


def _own_crew_member(scope: Scope) -> CrewMember:
    if scope.crew_member is None:
        raise PermissionDenied("You have no crew profile in this brand.")
    return scope.crew_member


class RoleActionApi(APIView):
    @extend_schema(
        request=RoleActionIn,
        responses={200: RosterOut},
        summary="Claim, release, designate or acknowledge a role (409 when the slot was just taken)",
    )
    def post(self, request: Request, public_id, role: str, action: str) -> Response:
        event, scope = event_for(request, public_id)
        if role not in CrewRole.values or action not in ROLE_ACTIONS:
            raise NotFound("Roles are captain, first_mate and deckhand; actions are " + ", ".join(ROLE_ACTIONS) + ".")
        incoming = RoleActionIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        position = incoming.validated_data.get("position")
        if action == "claim":
            slot = _pick_slot(event, role, position=position, holder=None, open_only=True)
            services.role_claim(slot=slot, crew_member=_own_crew_member(scope))
        elif action == "acknowledge":
            member = _own_crew_member(scope)
            services.role_acknowledge(
                slot=_pick_slot(event, role, position=position, holder=member, open_only=False), crew_member=member
            )
        elif action == "release":
            mine = None if position is not None else _own_crew_member(scope)
            slot = _pick_slot(event, role, position=position, holder=mine, open_only=False)
            services.role_release(slot=slot, by=request.user)
        else:
            email = incoming.validated_data.get("email")
            if not email:
                raise serializers.ValidationError({"email": "Say whom to designate (their email)."})
            member = CrewMember.objects.for_org(event.organization).filter(user__email__iexact=email).first()
            if member is None:
                raise serializers.ValidationError({"email": "No crew member of this brand has that email."})
            slot = _pick_slot(event, role, position=position, holder=None, open_only=position is None)
            services.role_designate(slot=slot, crew_member=member, by=request.user)
        return _roster_response(event, scope)


# --- Lifecycle (the same moves as the crew pages) ---------------------------------------


class StartIn(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="Only to start with guests on hold (an override)."
    )


class StatusOut(serializers.Serializer):
    status = serializers.CharField()


class EventStartApi(APIView):
    @extend_schema(
        request=StartIn,
        responses={200: StatusOut},
        summary="Start the charter (its captain or an owner); 409 while guests are on hold, unless a reason is given",
    )
    def post(self, request: Request, public_id) -> Response:
        event, _ = event_for(request, public_id)
        incoming = StartIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        started = services.event_start(event=event, by=request.user, reason=incoming.validated_data.get("reason", ""))
        return Response(StatusOut({"status": started.status}).data)


class EventConfirmApi(APIView):
    @extend_schema(
        request=None, responses={200: StatusOut}, summary="Confirm the event before its crew is complete (owner)"
    )
    def post(self, request: Request, public_id) -> Response:
        event, _ = event_for(request, public_id)
        confirmed = services.event_confirm(event=event, by=request.user)
        return Response(StatusOut({"status": confirmed.status}).data)


# --- Checklists ---------------------------------------------------------------------------


class ChecklistAddIn(serializers.Serializer):
    template = serializers.IntegerField(help_text="Id of a checklist template of this brand.")


class ChecklistItemIn(serializers.Serializer):
    state = serializers.ChoiceField(choices=ChecklistItemState.choices)
    version = serializers.IntegerField(min_value=1, help_text="The version you saw; a newer one answers 409.")


class StaleOut(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()
    current = ChecklistItemOut()


def on_event(event: Event, scope: Scope) -> bool:
    """An owner, or crew holding a role on the event (`event` comes from event_for)."""
    return scope.is_owner or event.my_role is not None


def _require_on_event(request: Request, event: Event, scope: Scope) -> None:
    if not on_event(event, scope):
        raise PermissionDenied("Only crew on this event (or an owner) see and change its checklist.")


def _checklist(event: Event) -> list[dict]:
    return api_rows.checklist_data(event.pk)


def _checklist_item(event: Event, item_id: int) -> dict:
    return next(row for row in _checklist(event) if row["id"] == item_id)


class ChecklistApi(APIView):
    @extend_schema(responses=ChecklistItemOut(many=True), summary="The event's checklist (crew on it, owners)")
    def get(self, request: Request, public_id) -> Response:
        event, scope = event_for(request, public_id)
        _require_on_event(request, event, scope)
        return Response(_checklist(event))

    @extend_schema(
        request=ChecklistAddIn,
        responses={201: ChecklistItemOut(many=True)},
        summary="Add a checklist template's items to the event (owner or the event's captain)",
    )
    def post(self, request: Request, public_id) -> Response:
        event, _scope = event_for(request, public_id)
        incoming = ChecklistAddIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        template = (
            ChecklistTemplate.objects.for_org(event.organization).filter(pk=incoming.validated_data["template"]).first()
        )
        if template is None:
            raise serializers.ValidationError({"template": "No checklist template of this brand has that id."})
        services.checklist_template_add(event=event, template=template, by=request.user)
        return Response(_checklist(event), status=status.HTTP_201_CREATED)


class ChecklistItemApi(APIView):
    @extend_schema(
        request=ChecklistItemIn,
        responses={200: ChecklistItemOut, 409: StaleOut},
        summary="Set an item's state; send the version you saw",
    )
    def put(self, request: Request, public_id, item_id: int) -> Response:
        return self._update(request, public_id, item_id)

    @extend_schema(request=ChecklistItemIn, responses={200: ChecklistItemOut, 409: StaleOut})
    def patch(self, request: Request, public_id, item_id: int) -> Response:
        return self._update(request, public_id, item_id)

    def _update(self, request: Request, public_id, item_id: int) -> Response:
        event, _scope = event_for(request, public_id)
        item = ChecklistItem.objects.filter(event=event, pk=item_id).first()
        if item is None:
            raise NotFound("No checklist item matches the given query.")
        incoming = ChecklistItemIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.checklist_item_update(
                item=item,
                state=incoming.validated_data["state"],
                seen_version=incoming.validated_data["version"],
                by=request.user,
            )
        except services.StaleChecklistItem as stale:
            current = _checklist_item(event, item.pk)
            return Response({"error": "conflict", "detail": stale.message, "current": current}, status=409)
        return Response(_checklist_item(event, item.pk))
