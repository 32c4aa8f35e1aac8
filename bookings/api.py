"""Booking intake over HTTP: the service API for booking platforms, and owners creating
events through the crew API's event list.

Platforms (Boatsetter, Sailo, GetMyBoat, Viator …) create a charter with one call: the
event, its revenue and its crew (whom the crew app emails). Authenticated by the
organization's service key; idempotent on (organization, source, externalRef), so a
platform may safely retry.
"""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
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


class BookingIn(serializers.Serializer):
    """A booking as the platforms send it; times are the organization's local time."""

    eventName = serializers.CharField(max_length=200)
    eventDate = serializers.DateField()
    startTime = serializers.TimeField()
    endTime = serializers.TimeField(help_text="Earlier than startTime means the charter ends the next day.")
    eventType = serializers.ChoiceField(choices=EventType.choices, default=EventType.CHARTER)
    source = serializers.ChoiceField(choices=Source.choices, help_text="The booking platform (not “direct”).")
    externalRef = serializers.CharField(max_length=120)
    captain = serializers.EmailField(required=False, allow_blank=True, help_text="The captain's email.")
    crew = serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        default=list,
        max_length=21,
        help_text="Crew emails: the first is first mate, the rest deckhands.",
    )
    vessel = serializers.CharField(required=False, allow_blank=True, max_length=120, help_text="Vessel name.")
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    guestCount = serializers.IntegerField(required=False, min_value=0, max_value=500, default=0)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    gross = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0), required=False)
    captainRate = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0), required=False)
    captainHours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), required=False)
    crewRate = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0), required=False)
    crewHours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), required=False)
    portFeePct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )

    MONEY = {
        "gross": "gross",
        "captainRate": "captain_rate",
        "captainHours": "captain_hours",
        "crewRate": "crew_rate",
        "crewHours": "crew_hours",
        "portFeePct": "port_fee_pct",
    }

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
            source=data["source"],
            external_ref=data["externalRef"],
            event_type=data["eventType"],
            captain_email=data.get("captain", ""),
            crew_emails=data["crew"],
            vessel_name=data.get("vessel", ""),
            location=data.get("location", ""),
            guest_count=data["guestCount"],
            notes=data.get("notes", ""),
            revenue={field: data[name] for name, field in self.MONEY.items() if name in data} or None,
        )


class BookingOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Event
        fields = ["id", "slug", "name", "status", "departure_at", "return_at", "source", "external_ref"]


class ServiceEventCreateApi(APIView):
    authentication_classes = [ServiceKeyAuthentication]
    permission_classes = [HasServiceKey]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(
        request=BookingIn,
        responses={
            201: BookingOut,
            200: OpenApiResponse(BookingOut, description="Already created by an earlier call with this externalRef."),
        },
        summary="Create an event from a booking",
        tags=["service"],
    )
    def post(self, request: Request) -> Response:
        incoming = BookingIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        event, created = services.platform_booking_create(key=request.auth, booking=incoming.booking())
        return Response(BookingOut(event).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ServiceEventDetailApi(APIView):
    authentication_classes = [ServiceKeyAuthentication]
    permission_classes = [HasServiceKey]
    throttle_classes = [ServiceKeyThrottle]

    @extend_schema(responses=BookingOut, summary="An event this organization's bookings created", tags=["service"])
    def get(self, request: Request, public_id: str) -> Response:
        event = get_for_org_or_404(Event.objects.all(), request.auth.organization, public_id=public_id)
        return Response(BookingOut(event).data)


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
