"""Safety's API: "Back at the dock" as one operation (the same service as the page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crew.api import event_for

from . import services


class ReturnedOut(serializers.Serializer):
    status = serializers.CharField(help_text="The event's status: completed when no post-return checklist is left.")
    returned_at = serializers.DateTimeField()
    float_plan_closed_at = serializers.DateTimeField()


class EventReturnedApi(APIView):
    @extend_schema(
        request=None,
        responses={200: ReturnedOut},
        summary="Back at the dock (its captain or an owner): the return is recorded and the float plan closed",
    )
    def post(self, request: Request, public_id) -> Response:
        event, _ = event_for(request, public_id)
        plan = services.float_plan_return(event=event, by=request.user)
        event.refresh_from_db(fields=["status"])
        return Response(
            ReturnedOut(
                {"status": event.status, "returned_at": plan.returned_at, "float_plan_closed_at": plan.closed_at}
            ).data
        )
