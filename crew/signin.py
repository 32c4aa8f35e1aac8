"""Sign-in pages: magic links (/m/<code>), asking for a link (/crew/login), signing out.

GET /m/<code> only shows a confirm page, because mail scanners and link previews open
links; the POST from that page uses the code up. Sign-in pages answer with
`Referrer-Policy: no-referrer`, since a code may be in the URL.
"""

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charterops import http
from charterops.jwt import InvalidToken

from .auth import (
    COOKIE_NAME,
    LOGIN_PATH,
    clear_auth_cookie,
    crew_required,
    principal_from_token,
    set_auth_cookie,
    sign_out_everywhere,
    token_revoke,
)
from .magic_links import (
    CODE_LENGTH,
    MagicLinkRefused,
    SignInThrottled,
    magic_link_check,
    magic_link_exchange,
    normalize_code,
    own_link_deep_link,
    sign_in_link_request,
)


def client_ip(request: HttpRequest) -> str:
    # Throttling needs a key even for a request without a valid address.
    return http.client_ip(request) or "unknown"


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Never cached, never leaking its URL (which may hold a code) as a referrer."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        add_never_cache_headers(response)
        return response

    return wrapper


class NoReferrerCsrfMiddleware(CsrfViewMiddleware):
    """CSRF protection for forms on no-referrer pages.

    A browser posting a form from a page whose policy is no-referrer sends
    `Origin: null`, which Django's origin check refuses. Here that one value goes on to
    the token check, which still stops cross-site posts: the attacker knows no token, and
    the SameSite=Lax csrftoken cookie is not sent with a cross-site POST.
    """

    def _origin_verified(self, request: HttpRequest) -> bool:
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)


csrf_protect_no_referrer = decorator_from_middleware(NoReferrerCsrfMiddleware)


def throttled(request: HttpRequest, exc: SignInThrottled) -> HttpResponse:
    minutes = max(1, -(-exc.retry_after // 60))
    response = render(request, "crew/signin/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


class EmailForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    next = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)


def _signed_in_crew_member_id(request: HttpRequest) -> int | None:
    token = request.COOKIES.get(COOKIE_NAME)
    if not token:
        return None
    try:
        member = principal_from_token(token).crew_member
    except InvalidToken:
        return None
    return member.pk if member is not None else None


@csrf_exempt  # checked by csrf_protect_no_referrer instead
@csrf_protect_no_referrer
@require_http_methods(["GET", "POST"])
@private_page
def magic_link(request: HttpRequest, code: str) -> HttpResponse:
    ip = client_ip(request)
    if request.method == "GET":
        # Their own link again (from the invitation email, after signing in with it): they
        # are signed in already, so on to its event, whether the link was used or not.
        member_id = _signed_in_crew_member_id(request)
        deep_link = own_link_deep_link(code=code, crew_member_id=member_id) if member_id else None
        if deep_link:
            return HttpResponseRedirect(deep_link)
    try:
        if request.method == "GET":
            link = magic_link_check(code=code, ip=ip)
            context = {"brand": link.organization, "link": link, "crew_member": link.crew_member}
            return render(request, "crew/signin/confirm.html", context)
        link, token, expires_at = magic_link_exchange(code=code, ip=ip)
    except SignInThrottled as exc:
        return throttled(request, exc)
    except MagicLinkRefused as exc:
        context = {"reason": exc.reason, "message": exc.message, "form": EmailForm()}
        return render(request, "crew/signin/link_invalid.html", context, status=exc.status)
    return set_auth_cookie(HttpResponseRedirect(link.deep_link), token, expires_at)


@require_GET
def code_entry(request: HttpRequest) -> HttpResponse:
    """The sign-in page's "I have a code" box: on to that code's confirm page."""
    code = normalize_code(request.GET.get("code", ""))
    if code is None:
        messages.error(request, f"A sign-in code is {CODE_LENGTH} letters and digits, like K7QH-3MXP.")
        return HttpResponseRedirect(LOGIN_PATH)
    return HttpResponseRedirect(reverse("crew:magic-link", args=[code]))


@csrf_exempt  # checked by csrf_protect_no_referrer instead
@csrf_protect_no_referrer
@require_http_methods(["GET", "POST"])
@private_page
def login(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = EmailForm(initial={"next": request.GET.get("next", "")[:300]})
        return render(request, "crew/signin/login.html", {"form": form})
    form = EmailForm(request.POST)
    if not form.is_valid():
        return render(request, "crew/signin/login.html", {"form": form}, status=400)
    try:
        sign_in_link_request(
            email=form.cleaned_data["email"], next_path=form.cleaned_data["next"], ip=client_ip(request)
        )
    except SignInThrottled as exc:
        return throttled(request, exc)
    # The same answer whether or not the address belongs to crew: no way to probe for it.
    context = {"email": form.cleaned_data["email"], "minutes": settings.MAGIC_LINK_SIGN_IN_TTL_SECONDS // 60}
    return render(request, "crew/signin/login_sent.html", context)


@require_POST
@crew_required
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out of this device: its token is revoked, not just forgotten by the browser."""
    token_revoke(principal=request.principal)
    messages.success(request, "You are signed out on this device.")
    return clear_auth_cookie(HttpResponseRedirect(LOGIN_PATH))


@require_POST
@crew_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    sign_out_everywhere(membership=request.principal.membership)
    messages.success(request, "You are signed out on every device.")
    return clear_auth_cookie(HttpResponseRedirect(LOGIN_PATH))
