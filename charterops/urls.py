"""Root URLconf: the composition root, the one charterops module that knows every app."""

from django.contrib import admin
from django.urls import include, path
from django_ses.views import SESEventWebhookView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import healthz, ping

# Under /api/ even an unknown path answers in the API's JSON error shape.
handler404 = "charterops.api.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("admin/", admin.site.urls),
    # SES bounces and complaints, by SNS (signatures checked; charterops.ses reacts).
    path("ses/events", SESEventWebhookView.as_view(), name="ses-events"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    path("", include("events.urls")),
    path("", include("bookings.urls")),
    path("", include("guests.urls")),
    path("", include("crew.urls")),
    path("", include("safety.urls")),
    path("api/", include("bookings.api_urls")),
    path("api/", include("crew.api_urls")),
    path("api/", include("guests.api_urls")),
    path("api/", include("safety.api_urls")),
]
