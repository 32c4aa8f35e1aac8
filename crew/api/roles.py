"""Role actions and the lifecycle moves crew make, one view per operation.

POST /api/events/<uuid>/roles/<role>/claim | release | designate | acknowledge answer with
the roster as the person now sees it; /start and /confirm with the event's status. The
slot a request names by role is picked by `crew.services.role_slot_pick`; whether the
person may act is crew.policy's answer, enforced by the services.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charterops.tenancy import Scope

from .. import selectors, services
from ..models import CrewMember, CrewRole, RoleSlot
from . import event_for, roster_for
from .events import SlotOut, slot_data


class RoleActionIn(serializers.Serializer):
    position = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Which deckhand slot; the first that fits by default."
    )


class DesignateIn(RoleActionIn):
    email = serializers.EmailField(help_text="The crew member's email.")
    replace = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms replacing whoever holds the slot (they are emailed); without it a held slot is a 409.",
    )


class RosterOut(serializers.Serializer):
    status = serializers.CharField()
    roster = SlotOut(many=True)


def _own_crew_member(scope: Scope) -> CrewMember:
    if scope.crew_member is None:
        raise PermissionDenied("You have no crew profile in this brand.")
    return scope.crew_member


class RoleAction(APIView):
    """A role action on one event: checks the role, reads the input, acts, answers with the roster."""

    incoming_class: type[serializers.Serializer] = RoleActionIn

    def post(self, request: Request, public_id, role: str) -> Response:
        event, scope = event_for(request, public_id)
        if role not in CrewRole.values:
            raise NotFound("Roles are captain, first_mate and deckhand.")
        incoming = self.incoming_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.act(request, event, scope, role, incoming.validated_data)
        roster, policy, _ = roster_for(request, public_id)
        return Response(
            RosterOut({"status": roster.event.status, "roster": [slot_data(s) for s in policy.visible_slots()]}).data
        )

    def act(self, request: Request, event, scope: Scope, role: str, data: dict) -> RoleSlot:
        raise NotImplementedError


_RESPONSES = {200: RosterOut}


class RoleClaimApi(RoleAction):
    @extend_schema(
        request=RoleActionIn, responses=_RESPONSES, summary="Claim an open role (409 when it was just taken)"
    )
    def post(self, request: Request, public_id, role: str) -> Response:
        return super().post(request, public_id, role)

    def act(self, request, event, scope, role, data) -> RoleSlot:
        member = _own_crew_member(scope)
        slot = services.role_slot_pick(event=event, role=role, position=data.get("position"), open_only=True)
        return services.role_claim(slot=slot, crew_member=member)


class RoleReleaseApi(RoleAction):
    @extend_schema(
        request=RoleActionIn,
        responses=_RESPONSES,
        summary="Release your role, or (captain, owner) the one at a position",
    )
    def post(self, request: Request, public_id, role: str) -> Response:
        return super().post(request, public_id, role)

    def act(self, request, event, scope, role, data) -> RoleSlot:
        position = data.get("position")
        mine = None if position is not None else _own_crew_member(scope)
        slot = services.role_slot_pick(event=event, role=role, position=position, holder=mine)
        return services.role_release(slot=slot, by=request.user)


class RoleAcknowledgeApi(RoleAction):
    @extend_schema(request=RoleActionIn, responses=_RESPONSES, summary="Acknowledge the role you were given")
    def post(self, request: Request, public_id, role: str) -> Response:
        return super().post(request, public_id, role)

    def act(self, request, event, scope, role, data) -> RoleSlot:
        member = _own_crew_member(scope)
        slot = services.role_slot_pick(event=event, role=role, position=data.get("position"), holder=member)
        return services.role_acknowledge(slot=slot, crew_member=member)


class RoleDesignateApi(RoleAction):
    incoming_class = DesignateIn

    @extend_schema(request=DesignateIn, responses=_RESPONSES, summary="Put a crew member in a role (captain, owner)")
    def post(self, request: Request, public_id, role: str) -> Response:
        return super().post(request, public_id, role)

    def act(self, request, event, scope, role, data) -> RoleSlot:
        member = selectors.crew_member_by_email(organization_id=event.organization_id, email=data["email"])
        if member is None:
            raise serializers.ValidationError({"email": "No crew member of this brand has that email."})
        position = data.get("position")
        slot = services.role_slot_pick(event=event, role=role, position=position, open_only=position is None)
        return services.role_designate(slot=slot, crew_member=member, by=request.user, replace=data["replace"])


# --- Lifecycle (the same moves as the crew pages) ---------------------------------------


class StartIn(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Only to start before the brand's start window opens or with the check-in incomplete (an override).",
    )


class StatusOut(serializers.Serializer):
    status = serializers.CharField()


class EventStartApi(APIView):
    @extend_schema(
        request=StartIn,
        responses={200: StatusOut},
        summary="Start the charter (its captain or an owner); 409 before the start window or while the check-in is "
        "incomplete, unless a reason is given",
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
