"""Event serializers shared by the crew API (crew/api/) and the service API (bookings/api.py).

Revenue reaches a response only through `FieldPermissionsMixin`: holders of
`events.view_revenue` for the event's brand get the `revenue` key, everyone else does
not get the key at all.
"""

from rest_framework import serializers

from charterops.api import FieldPermissionsMixin

from .models import Event, Revenue


class RevenueSerializer(serializers.ModelSerializer):
    captain_fee = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    crew_wages = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    port_fees = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    net = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Revenue
        fields = [*Revenue.FIGURES, "captain_fee", "crew_wages", "port_fees", "net"]


class EventSerializer(FieldPermissionsMixin, serializers.ModelSerializer):
    """An event as the API shows it: what crew may see, plus revenue for owners."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    vessel = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    revenue = RevenueSerializer(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "slug",
            "name",
            "event_type",
            "status",
            "vessel",
            "departure_at",
            "return_at",
            "location",
            "notes",
            "source",
            "guest_count",
            "revenue",
        ]
        read_only_fields = fields
        field_permissions = {"revenue": "events.view_revenue"}
