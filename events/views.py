"""Pages of events that people open from an email: unsubscribing from a kind of nudge."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from charterops.models import Organization

from .models import NudgeOptOut
from .nudges import kind_named, nudge_opt_out, unsubscribe_token_read


def _masked(address: str) -> str:
    """d•••@example.com: enough for its owner to recognise, little for anyone it was forwarded to."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


# One-click unsubscribing (RFC 8058): mail apps POST to the link with no cookie and no CSRF
# token, so the signed token in the address is the whole proof: it names one address of
# one brand and one kind, and can do nothing else. GET only shows the button, so a link
# scanner that opens the page unsubscribes nobody.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def nudge_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_token_read(token)
    if found is None:
        raise Http404("This unsubscribe link is not valid.")
    organization_id, address, kind_name = found
    kind = kind_named(kind_name)
    organization = Organization.objects.filter(pk=organization_id).first()
    if kind is None or organization is None or not kind.can_unsubscribe:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST":
        nudge_opt_out(organization_id=organization.pk, address=address, kind=kind.name)
        done = True
    else:
        done = NudgeOptOut.objects.filter(organization=organization, address=address, kind=kind.name).exists()
    context = {"brand": organization, "kind": kind, "address": _masked(address), "done": done}
    return render(request, "events/nudge_unsubscribe.html", context)
