"""Root URLconf: the composition root, the one charterops module that knows every app."""

from django.contrib import admin
from django.urls import path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
