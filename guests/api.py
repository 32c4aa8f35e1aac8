"""GET /api/events/<uuid>/guests/ — the manifest through the crew API.

Crew on the event (and owners) see each guest's name and waiver status; contact details
(email, phone) are owner-only fields, hidden by the field-level permission mechanism.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charterops.api import FieldPermissionsMixin
from charterops.models import Organization
from charterops.tenancy import scope_of
from crew import selectors as crew_selectors

from .models import Guest, WaiverStatus


class GuestOut(FieldPermissionsMixin, serializers.Serializer):
    name = serializers.CharField()
    is_minor = serializers.BooleanField()
    waiver_status = serializers.ChoiceField(choices=WaiverStatus.choices, source="waiver_status_value")
    on_hold = serializers.BooleanField()
    email = serializers.EmailField()
    phone = serializers.CharField()

    class Meta:
        field_permissions = {"email": "guests.view_guest", "phone": "guests.view_guest"}


class EventGuestsApi(APIView):
    @extend_schema(responses=GuestOut(many=True), summary="The event's guests and their waiver status")
    def get(self, request: Request, public_id) -> Response:
        scope = scope_of(request)
        roster = crew_selectors.event_roster(organization_ids=scope.org_ids, public_id=public_id)
        if roster is None:
            raise NotFound("No event matches the given query.")
        if not roster.policy(crew_selectors.actor_of_scope(scope)).sees_everything:
            raise PermissionDenied("Only crew on this event (or an owner) see its guests.")
        event = roster.event
        guests = (
            Guest.objects.for_org(event.organization_id)
            .filter(event_id=event.id)
            .with_waiver_status()
            .order_by("name", "pk")
        )
        for guest in guests:
            guest.waiver_status_value = guest.waiver_status()
        organization = next(org for org in scope.organizations if org.pk == event.organization_id)
        context: dict[str, Request | Organization] = {"request": request, "organization": organization}
        return Response(GuestOut(guests, many=True, context=context).data)
