"""The event's checklist through the API: read it, add a template's items, set an item's state."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import ChecklistItem, ChecklistItemState, ChecklistTemplate
from . import event_for, roster_for
from .events import ChecklistItemOut, checklist_item_data


class ChecklistAddIn(serializers.Serializer):
    template = serializers.IntegerField(help_text="Id of a checklist template of this brand.")


class ChecklistItemIn(serializers.Serializer):
    state = serializers.ChoiceField(choices=ChecklistItemState.choices)
    version = serializers.IntegerField(min_value=1, help_text="The version you saw; a newer one answers 409.")


class StaleOut(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()
    current = ChecklistItemOut()


def _checklist(organization_id: int, event_id: int) -> list[dict]:
    tz = timezone.get_current_timezone()
    items = selectors.checklist(organization_ids=[organization_id], event_id=event_id, tz=tz)
    return [checklist_item_data(item, tz) for item in items]


def _one(item: ChecklistItem) -> dict:
    tz = timezone.get_current_timezone()
    return checklist_item_data(selectors.ChecklistItemRow.of(item, tz), tz)


class ChecklistApi(APIView):
    @extend_schema(responses=ChecklistItemOut(many=True), summary="The event's checklist (crew on it, owners)")
    def get(self, request: Request, public_id) -> Response:
        roster, policy, _ = roster_for(request, public_id)
        if not policy.sees_everything:
            raise PermissionDenied("Only crew on this event (or an owner) see and change its checklist.")
        return Response(_checklist(roster.event.organization_id, roster.event.id))

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
        return Response(_checklist(event.organization_id, event.pk), status=status.HTTP_201_CREATED)


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
            item = services.checklist_item_update(
                item=item,
                state=incoming.validated_data["state"],
                seen_version=incoming.validated_data["version"],
                by=request.user,
            )
        except services.StaleChecklistItem as stale:
            return Response({"error": "conflict", "detail": stale.message, "current": _one(stale.item)}, status=409)
        return Response(_one(item))
