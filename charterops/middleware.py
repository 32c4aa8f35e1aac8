"""Show back-office times in the owner's brand time zone (all times are stored in UTC)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .tenancy import organizations_owned_by

SESSION_KEY = "charterops_time_zone"


class OwnerTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = self.time_zone_for(request)
        if tz_name:
            timezone.activate(tz_name)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def time_zone_for(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        if SESSION_KEY not in request.session:
            zones = set(organizations_owned_by(user).order_by().values_list("time_zone", flat=True).distinct()[:2])
            # Brands in different zones: stay in UTC rather than show one brand's times wrongly.
            request.session[SESSION_KEY] = zones.pop() if len(zones) == 1 else "UTC"
        return request.session[SESSION_KEY]
