"""API plumbing every app shares: one JSON error shape and field-level permissions.

Errors always look like {"error": "<code>", "detail": "<message>", "fields": {...}}
("fields" only for validation errors), whatever raised them: DRF, a service's
DomainError, a Django ValidationError or a 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DomainError):
        error = exceptions.APIException(exc.message)
        error.status_code = exc.status
        return error
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _first_message(data: Any) -> str:
    if isinstance(data, dict):
        for value in data.values():
            return _first_message(value)
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"error": ERROR_CODES.get(response.status_code, "error")}
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["detail"] = f"Invalid input: {_first_message(fields)}"
        body["fields"] = fields
    else:
        body["detail"] = str(getattr(exc, "detail", "")) or response.status_text
    response.data = body
    return response


class FieldPermissionsMixin:
    """Serializer fields that need a permission, declared in Meta:

        class Meta:
            field_permissions = {"revenue": "events.view_revenue"}

    For a user without the permission the field is absent — from responses (the key is
    not there, not null), from OPTIONS metadata and the browsable API, and from the
    schema of their requests — and a write that includes it is refused with 403,
    changing nothing. The check is made against the row's organization, so an owner of
    one brand acting as crew of another holds nothing there.

    Views that build rows in the declared shape themselves (the crew API's event reads)
    ask `field_permitted` before adding such a field: the same check, in one place.
    """

    def field_permitted(self, name: str, obj: Any) -> bool:
        """Whether `obj`'s representation may hold the field `name` for this request."""
        perm = self._field_permissions().get(name)
        return perm is None or self._permitted(perm, obj)

    def _field_permissions(self) -> dict[str, str]:
        return getattr(getattr(self, "Meta", None), "field_permissions", {})

    def _permitted(self, perm: str, obj: Any = None) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        # The brand the check is made in: the row's own, else the one the view acts in.
        target = obj if hasattr(obj, "organization_id") else self.context.get("organization")
        return user.has_perm(perm, target) if target is not None else user.has_perm(perm)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, perm in self._field_permissions().items():
            if not self._permitted(perm, self._permission_object(self.instance)):
                fields.pop(name, None)
        return fields

    def _permission_object(self, instance: Any) -> Any:
        # For a list, the check per row happens in to_representation.
        return (
            None if instance is None or isinstance(instance, list | tuple) or hasattr(instance, "model") else instance
        )

    def to_representation(self, instance: Any) -> dict:
        data = super().to_representation(instance)
        for name, perm in self._field_permissions().items():
            if name in data and not self._permitted(perm, instance):
                del data[name]
        return data

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            for name, perm in self._field_permissions().items():
                if name in data and not self._permitted(perm, self.instance if self.instance is not None else None):
                    raise exceptions.PermissionDenied(f"You may not set “{name}”.")
        return super().to_internal_value(data)


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "enum": sorted(set(ERROR_CODES.values()) | {"error"})},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
    },
    "required": ["error", "detail"],
}
DOCUMENTED_ERRORS = {
    "400": "Invalid input; `fields` says which.",
    "401": "Not signed in, or the token or key was refused.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object here (another brand's objects are 404 too).",
    "405": "This path does not take that method.",
    "409": "Conflicts with the current state (slot just taken, stale version, refused transition).",
    "415": "The body is not JSON.",
    "429": "Too many requests; see Retry-After.",
}


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: every operation may answer with the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status_code, description in DOCUMENTED_ERRORS.items():
                responses.setdefault(status_code, {"description": description, **error})
    return result


# What a 404 says, by the kind of address that was asked for.
NOT_FOUND_REASONS = {
    "/g/": (
        "No charter page here",
        "There is no charter page at this address. Check the link in your booking email: "
        "if the charter moved to another day, its page has a new address.",
    ),
    "/w/": (
        "This signing link does not work",
        "It may have been replaced by a newer one. Use the most recent email about your charter, "
        "or ask for your link again from the charter page.",
    ),
    "/u/": (
        "This upload link does not work",
        "Open the photo upload from the charter page, which always has the current link.",
    ),
}


def not_found(request, exception=None):
    """The project's 404: the JSON error shape under /api/; elsewhere a page in the layout,
    in the colours of the brand whose domain was asked (CharterOps' own otherwise), saying
    what is likely wrong with this kind of address."""
    from django.db.models import Q
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.template import TemplateDoesNotExist
    from django.template.utils import InvalidTemplateEngineError
    from django.views.defaults import page_not_found

    from .http import request_host
    from .models import Organization

    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": "No such path or object."}, status=404)
    host = request_host(request)
    brand = Organization.objects.filter(
        Q(guest_page_domain__iexact=host) | Q(guest_page_domain__iexact=f"www.{host}")
    ).first()
    heading, explanation = next(
        (reason for prefix, reason in NOT_FOUND_REASONS.items() if request.path.startswith(prefix)),
        ("Page not found", "There is nothing at this address. Check the link, or start again from the home page."),
    )
    context = {"brand": brand, "heading": heading, "explanation": explanation}
    try:
        return render(request, "errors/404.html", context, status=404, using="jinja2")
    except (InvalidTemplateEngineError, TemplateDoesNotExist):
        # Without the layout's engine (a test's own TEMPLATES), still a 404, never a 500.
        return page_not_found(request, exception)
