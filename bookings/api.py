"""Booking intake over HTTP: the service API for booking platforms, and owners creating
events through the crew API's event list.

Platforms (Boatsetter, Sailo, GetMyBoat, Viator …) create a charter with one call: the
event, its revenue and its crew (whom the crew app emails). Authenticated by the
organization's service key; idempotent on (organization, source, externalRef), so a
platform may safely retry.
"""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charterops.models import Organization
from charterops.tenancy import Scope, get_for_org_or_404, scope_of
from charterops.throttling import WindowRateThrottle
from crew.api.events import EventDetailOut, EventListApi, EventWriteIn, detail_data, require_owner, resolve_vessel
from events.models import Event, EventType, ServiceKey, Source
from events.service_keys import service_key_check

from . import services


class ServiceKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <service key>`; request.auth becomes the ServiceKey."""

    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the service key as: Authorization: Bearer <key>.")
        key = service_key_check(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked service key.")
        return (ServiceUser(key), key)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="service"'


class ServiceUser:
    """The acting identity of a service key: authenticated, but no person and no permissions."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, key: ServiceKey):
        self.key = key

    def __str__(self) -> str:
        return f"service key {self.key}"

    def has_perm(self, perm: str, obj=None) -> bool:
        return False


class HasServiceKey(permissions.BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return isinstance(request.auth, ServiceKey)


class ServiceKeyThrottle(WindowRateThrottle):
    scope = "service"

    def get_cache_key(self, request: Request, view) -> str | None:
        key = request.auth
        return self.cache_format % {"scope": self.scope, "ident": key.prefix} if isinstance(key, ServiceKey) else None


MONEY_FIELDS = {
    "gross": "gross",
    "captainRate": "captain_rate",
    "captainHours": "captain_hours",
    "crewRate": "crew_rate",
    "crewHours": "crew_hours",
    "portFeePct": "port_fee_pct",
}


class MoneyIn(serializers.Serializer):
    """What a booking earns and costs: it goes into Revenue, never into notes."""

    gross = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0), required=False)
    captainRate = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0), required=False)
    captainHours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), required=False)
    crewRate = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0), required=False)
    crewHours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), required=False)
    portFeePct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )

    def revenue(self) -> dict[str, Decimal] | None:
        data = self.validated_data
        return {field: data[name] for name, field in MONEY_FIELDS.items() if name in data} or None


CREW_REF_HELP = (
    "An email address, or the platform's own id for the crew member (set on the crew member in the back office)."
)


class BookingIn(MoneyIn):
    """A booking as the platforms send it; times are the organization's local time."""

    eventName = serializers.CharField(max_length=200)
    eventDate = serializers.DateField()
    startTime = serializers.TimeField()
    endTime = serializers.TimeField(help_text="Earlier than startTime means the charter ends the next day.")
    eventType = serializers.ChoiceField(choices=EventType.choices, default=EventType.CHARTER)
    source = serializers.ChoiceField(
        choices=Source.choices,
        required=False,
        help_text="The booking platform (not “direct”). Left out: the platform the service key is for.",
    )
    externalRef = serializers.CharField(
        max_length=120,
        required=False,
        help_text="The platform's reference. Without it, send an Idempotency-Key header to make retries safe.",
    )
    captain = serializers.CharField(required=False, allow_blank=True, max_length=254, help_text=CREW_REF_HELP)
    crew = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        default=list,
        max_length=21,
        help_text="The crew, each " + CREW_REF_HELP[0].lower() + CREW_REF_HELP[1:-1] + ": the first is first mate, "
        "the rest deckhands. Names matching nobody are reported in `unknown_crew`; their seats stay open.",
    )
    vessel = serializers.CharField(required=False, allow_blank=True, max_length=120, help_text="Vessel name.")
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    guestCount = serializers.IntegerField(required=False, min_value=0, max_value=500, default=0)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_source(self, value: str) -> str:
        if value == Source.DIRECT:
            raise serializers.ValidationError("Direct bookings are made in the back office, not by a platform.")
        return value

    def validate(self, data: dict) -> dict:
        if data["endTime"] == data["startTime"]:
            raise serializers.ValidationError({"endTime": "The charter must end after it starts."})
        return data

    def booking(self) -> services.PlatformBooking:
        data = self.validated_data
        return services.PlatformBooking(
            name=data["eventName"],
            day=data["eventDate"],
            start=data["startTime"],
            end=data["endTime"],
            source=data.get("source", ""),
            external_ref=data.get("externalRef", "").strip(),
            event_type=data["eventType"],
            captain=data.get("captain", "").strip(),
            crew=[ref.strip() for ref in data["crew"]],
            vessel_name=data.get("vessel", ""),
            location=data.get("location", ""),
            guest_count=data["guestCount"],
            notes=data.get("notes", ""),
            revenue=self.revenue(),
        )


class BookingOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Event
        fields = ["id", "slug", "name", "status", "departure_at", "return_at", "source", "external_ref"]


class BookingCreatedOut(BookingOut):
    unknown_crew = serializers.ListField(
        child=serializers.CharField(), help_text="Crew emails or ids that match no active crew member."
    )
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="What the platform should know: unsafe retries, seats left open."
    )

    class Meta(BookingOut.Meta):
        fields = [*BookingOut.Meta.fields, "unknown_crew", "warnings"]


class BookingChangeIn(MoneyIn):
    """What a platform may change of a booking; every field is optional. Times are local."""

    eventName = serializers.CharField(max_length=200, required=False)
    eventDate = serializers.DateField(required=False, help_text="A new date keeps the times.")
    startTime = serializers.TimeField(required=False, help_text="A new time keeps the date.")
    endTime = serializers.TimeField(required=False, help_text="Not after startTime: the charter ends the next day.")
    guestCount = serializers.IntegerField(required=False, min_value=0, max_value=500, help_text="The party size.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, data: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError(
                {name: f"“{name}” cannot be changed here. Change: {', '.join(self.fields)}." for name in unknown}
            )
        if "startTime" in data and data.get("endTime") == data["startTime"]:
            raise serializers.ValidationError({"endTime": "The charter must end after it starts."})
        return data

    def change(self) -> services.BookingChange:
        data = self.validated_data
        return services.BookingChange(
            name=data.get("eventName"),
            day=data.get("eventDate"),
            start=data.get("startTime"),
            end=data.get("endTime"),
            guest_count=data.get("guestCount"),
            notes=data.get("notes"),
            location=data.get("location"),
            revenue=self.revenue(),
        )


class BookingChangedOut(BookingOut):
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="What this call changed; empty when it was already so."
    )

    class Meta(BookingOut.Meta):
        fields = [*BookingOut.Meta.fields, "changed"]


class BookingCancelIn(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Why: recorded with the cancellation and told to the crew (never to guests). No money.",
    )


class BookingCancelledOut(BookingOut):
    cancelled = serializers.BooleanField(help_text="False when the booking was already cancelled.")

    class Meta(BookingOut.Meta):
        fields = [*BookingOut.Meta.fields, "cancelled"]


def _with(event: Event, **extra: object) -> dict:
    return {**BookingOut(event).data, **extra}


class ServiceApi(APIView):
    authentication_classes = [ServiceKeyAuthentication]
    permission_classes = [HasServiceKey]
    throttle_classes = [ServiceKeyThrottle]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes a retry safe when the booking has no externalRef: the same key answers 200 with the "
    "booking the first request made. Reusing a key for a different request is a 409.",
)
IDEMPOTENCY_KEY_MAX = 200


class ServiceEventCreateApi(ServiceApi):
    @extend_schema(
        request=BookingIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: BookingCreatedOut,
            200: OpenApiResponse(
                BookingCreatedOut,
                description="Already made by an earlier call with this externalRef or Idempotency-Key.",
            ),
        },
        summary="Create an event from a booking",
        tags=["service"],
    )
    def post(self, request: Request) -> Response:
        incoming = BookingIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        idempotency_key = request.headers.get("Idempotency-Key", "").strip()
        if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
            raise serializers.ValidationError({"Idempotency-Key": f"At most {IDEMPOTENCY_KEY_MAX} characters."})
        result = services.platform_booking_create(
            key=request.auth,
            booking=incoming.booking(),
            idempotency_key=idempotency_key,
            fingerprint=services.request_fingerprint(request.data),
        )
        body = _with(result.event, unknown_crew=result.unknown_crew, warnings=result.warnings)
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


def _by_id(request: Request, public_id: str) -> Event:
    """The key's brand's booking with this id (what the create call answered); else a 404."""
    return get_for_org_or_404(
        Event.objects.select_related("organization"), request.auth.organization, public_id=public_id
    )


def _by_reference(request: Request, source: str, external_ref: str) -> Event:
    """The key's brand's booking with this platform reference; anything else is a 404."""
    return get_for_org_or_404(
        Event.objects.select_related("organization"),
        request.auth.organization,
        source=source,
        external_ref=external_ref,
    )


def _change(request: Request, event: Event) -> Response:
    incoming = BookingChangeIn(data=request.data)
    incoming.is_valid(raise_exception=True)
    update = services.booking_update(event=event, change=incoming.change())
    return Response(_with(update.event, changed=update.changed))


def _cancel(request: Request, event: Event) -> Response:
    incoming = BookingCancelIn(data=request.data)
    incoming.is_valid(raise_exception=True)
    reason = incoming.validated_data.get("reason", "").strip()
    label = Source(event.source).label if event.source in Source.values else event.source
    result = services.booking_cancel(event=event, reason=reason or f"Cancelled through {label}.")
    return Response(_with(result.event, cancelled=result.cancelled))


BY_REFERENCE = [
    OpenApiParameter("source", str, OpenApiParameter.PATH, enum=[s for s in Source.values if s != Source.DIRECT]),
    OpenApiParameter("external_ref", str, OpenApiParameter.PATH, description="The platform's reference (externalRef)."),
]
CHANGE_DOC = (
    "Times, name, party size, notes, meeting point and money. The crew get one email saying what changed, the "
    "checklist follows the new times, the guest page is republished. Sending the same change again changes "
    "nothing and tells nobody. A completed or cancelled booking is a 409."
)
CANCEL_DOC = (
    "The crew (with the reason) and the guests are told, once. Cancelling again answers 200 with `cancelled` "
    "false; a completed charter is a 409 that says why."
)


class ServiceEventDetailApi(ServiceApi):
    """A booking by the id the create call answered (for bookings sent without externalRef)."""

    @extend_schema(responses=BookingOut, summary="An event this organization's bookings created", tags=["service"])
    def get(self, request: Request, public_id: str) -> Response:
        return Response(BookingOut(_by_id(request, public_id)).data)

    @extend_schema(
        operation_id="service_event_update",
        request=BookingChangeIn,
        responses={200: BookingChangedOut},
        summary="Move or change a booking, by its id",
        description=CHANGE_DOC,
        tags=["service"],
    )
    def patch(self, request: Request, public_id: str) -> Response:
        return _change(request, _by_id(request, public_id))


class ServiceEventCancelApi(ServiceApi):
    @extend_schema(
        operation_id="service_event_cancel",
        request=BookingCancelIn,
        responses={200: BookingCancelledOut},
        summary="Cancel a booking, by its id",
        description=CANCEL_DOC,
        tags=["service"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _cancel(request, _by_id(request, public_id))


class ServiceBookingApi(ServiceApi):
    """A booking by the platform's own reference."""

    @extend_schema(
        operation_id="service_booking_retrieve",
        parameters=BY_REFERENCE,
        responses=BookingOut,
        summary="A booking by the platform's reference",
        tags=["service"],
    )
    def get(self, request: Request, source: str, external_ref: str) -> Response:
        return Response(BookingOut(_by_reference(request, source, external_ref)).data)

    @extend_schema(
        operation_id="service_booking_update",
        parameters=BY_REFERENCE,
        request=BookingChangeIn,
        responses={200: BookingChangedOut},
        summary="Move or change a booking",
        description=CHANGE_DOC,
        tags=["service"],
    )
    def patch(self, request: Request, source: str, external_ref: str) -> Response:
        return _change(request, _by_reference(request, source, external_ref))


class ServiceBookingCancelApi(ServiceApi):
    @extend_schema(
        operation_id="service_booking_cancel",
        parameters=BY_REFERENCE,
        request=BookingCancelIn,
        responses={200: BookingCancelledOut},
        summary="Cancel a booking",
        description=CANCEL_DOC,
        tags=["service"],
    )
    def post(self, request: Request, source: str, external_ref: str) -> Response:
        return _cancel(request, _by_reference(request, source, external_ref))


class ServiceKeyScheme(OpenApiAuthenticationExtension):
    target_class = ServiceKeyAuthentication
    name = "serviceKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer", "description": "An organization's service key (cosk_…)."}


# --- Owners: POST /api/events/ ------------------------------------------------------------


def _resolve_org(scope: Scope, slug: str | None) -> Organization:
    if slug:
        for org in scope.organizations:
            if org.slug == slug:
                return org
        raise serializers.ValidationError({"organization": "You do not run a brand with that slug."})
    if len(scope.organizations) != 1:
        raise serializers.ValidationError({"organization": "Say which brand: you run several."})
    return scope.organizations[0]


class EventsApi(EventListApi):
    """The event list (crew.api.events) and, for owners, creating an event in it."""

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
        event = services.booking_create(
            organization=org,
            by=request.user,
            vessel=resolve_vessel(org, data.pop("vessel", None)),
            revenue=data.pop("revenue", None),
            **data,
        )
        return Response(detail_data(request, event.public_id), status=status.HTTP_201_CREATED)
