"""The whole admin registry, walked as the owner of one brand: every page renders without
another brand's names, and every choice of every form (and inline) is the brand's own."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from charterops.models import Organization
from charterops.tenancy import OrgQuerySet

pytestmark = pytest.mark.django_db


def _admin_url(model_admin, view: str, *args) -> str | None:
    opts = model_admin.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _forms_of(context) -> list:
    """Every form of a change/add page: the main form and each inline's forms and blank form."""
    forms = []
    adminform = context.get("adminform")
    if adminform is not None:
        forms.append(adminform.form)
    for inline in context.get("inline_admin_formsets") or []:
        forms.extend(inline.formset.forms)
        forms.append(inline.formset.empty_form)
    return forms


def _foreign_choices(form, org: Organization) -> list[str]:
    """Choices of `form` that belong to another brand than `org`."""
    leaks = []
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        model = queryset.model
        if model is Organization:
            foreign = queryset.exclude(pk=org.pk)
        elif isinstance(model._default_manager.all(), OrgQuerySet):
            foreign = queryset.exclude(pk__in=model._default_manager.all().for_org(org).values("pk"))
        else:
            continue
        leaks += [f"{type(form).__name__}.{name}: {row}" for row in foreign]
    return leaks


def _registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_page_and_every_choice_is_the_owners_brand_only(owner_client, owner, ours, theirs):
    request = RequestFactory().get("/")
    request.user = owner
    visited, leaks = [], []
    for model, model_admin in _registry():
        if not model_admin.has_module_permission(request):
            continue
        pages = [_admin_url(model_admin, "changelist")]
        if model_admin.has_add_permission(request):
            pages.append(_admin_url(model_admin, "add"))
        own = model_admin.get_queryset(request).first()
        if own is not None:
            pages += [_admin_url(model_admin, "change", own.pk), _admin_url(model_admin, "history", own.pk)]
        foreign = model._default_manager.exclude(pk__in=model_admin.get_queryset(request).values("pk")).first()
        if foreign is not None:
            response = owner_client.get(_admin_url(model_admin, "change", foreign.pk))
            assert response.status_code == 404, (
                f"{model._meta.label}: another brand's row answered {response.status_code}"
            )
        for url in filter(None, pages):
            response = owner_client.get(url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
            text = response.content.decode()
            for word in theirs.names:
                assert word not in text, f"{url} shows {word!r}"
            for form in _forms_of(response.context or {}):
                leaks += _foreign_choices(form, ours.org)
            visited.append(url)
    assert not leaks, leaks
    # The walk reached the pages that matter (a registry change would show here).
    for name in ("events_event", "crew_crewmember", "guests_guest", "charterops_outboundemail", "events_vessel"):
        assert any(f"/{name.replace('_', '/', 1)}/" in url for url in visited), name
    assert len(visited) > 40


def test_the_cockpits_own_pages_show_no_other_brand(owner_client, ours, theirs):
    urls = [
        reverse("admin:index"),
        reverse("admin:backoffice_manifest") + f"?day={ours.event.departure_at.astimezone(ours.org.tz).date()}",
        reverse("admin:backoffice_manifest_csv") + f"?day={ours.event.departure_at.astimezone(ours.org.tz).date()}",
        reverse("admin:events_event_export") + "?when=all",
    ]
    for url in urls:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert ours.tag in text, url  # the page has the owner's own rows …
        for word in theirs.names:
            assert word not in text, f"{url} shows {word!r}"  # … and none of theirs


def test_an_owner_of_two_brands_is_offered_only_the_events_brands_crew_and_vessels(client, owner, ours, theirs):
    from charterops.models import Membership

    Membership.objects.create(user=owner, organization=theirs.org, role=Membership.Role.OWNER)
    client.force_login(owner)
    response = client.get(reverse("admin:events_event_change", args=[ours.event.pk]))
    assert response.status_code == 200
    leaks = []
    for form in _forms_of(response.context):
        leaks += _foreign_choices(form, ours.org)
    assert not leaks, leaks
    assert "Zanzibar Vessel" not in response.text
    assert "Zanzibarhand" not in response.text
