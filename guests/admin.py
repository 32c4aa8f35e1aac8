"""Back office for guests (also inline on the event page), waiver texts, signatures and guest pages."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import OuterRef, QuerySet, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from charterops.admin import OrgScopedAdmin, OrgScopedInline
from charterops.audit import AuditSource
from charterops.errors import DomainError
from crew.services import event_start
from events.admin import register_event_inline
from events.models import Event, EventStatus

from . import services
from .brand import Clock
from .forms import GuestCsvUploadForm, OverrideForm
from .models import Guest, GuestPage, Photo, PhotoModeration, WaiverSignature, WaiverStatus, WaiverTemplate
from .pages import public_url
from .storage import photo_response


def _waiver_badge(guest: Guest) -> str:
    status = guest.waiver_status()
    colour = {"signed": "#1f7a3a", "no_waiver": "#5c6670"}.get(status, "#a4161a")
    return format_html('<strong style="color:{}">{}</strong>', colour, WaiverStatus(status).label)


class GuestFormSet(BaseInlineFormSet):
    """The manifest inline saves through the services, so added guests get their signing link."""

    def save_new(self, form, commit=True) -> Guest:
        data = {f: form.cleaned_data.get(f) for f in services.GUEST_FIELDS if f in form.cleaned_data}
        data = {k: v for k, v in data.items() if v is not None}
        return services.guest_create(event=self.instance, by=getattr(self, "user", None), **data)

    def save_existing(self, form, obj, commit=True) -> Guest:
        return services.guest_update(guest=obj, **{f: form.cleaned_data[f] for f in form.changed_data})

    def delete_existing(self, obj, commit=True) -> None:
        services.guest_remove(guest=obj)


@register_event_inline
class GuestInline(OrgScopedInline, admin.TabularInline):
    model = Guest
    formset = GuestFormSet
    extra = 0
    # Date of birth is on the guest's own page: the manifest fits 1366 px without it.
    fields = ["name", "email", "phone", "is_minor", "guardian_name", "waiver", "signing_link"]
    readonly_fields = ["waiver", "signing_link"]
    verbose_name_plural = "Guests (manifest)"
    template = "admin/guests/guest/manifest_inline.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # One query for the whole manifest, waiver status included.
        return super().get_queryset(request).with_waiver_status()

    @admin.display(description="Waiver")
    def waiver(self, guest: Guest) -> str:
        return _waiver_badge(guest) if guest.pk else "—"

    @admin.display(description="Signing link")
    def signing_link(self, guest: Guest) -> str:
        return (
            format_html('<a href="{}" target="_blank" rel="noopener">/w/…</a>', guest.signing_path) if guest.pk else "—"
        )


@admin.register(GuestPage)
class GuestPageAdmin(OrgScopedAdmin):
    """Published guest pages. They are made and rewritten by publishing; the public title and
    "what to bring" are edited here."""

    list_display = ["event", "organization", "address", "published_at"]
    list_filter = ["organization"]
    list_select_related = ["event", "organization"]
    search_fields = ["event__name", "event__slug"]
    fields = ["event", "address", "public_title", "what_to_bring", "published_at"]
    readonly_fields = ["event", "address", "published_at"]

    @admin.display(description="Address")
    def address(self, page: GuestPage) -> str:
        url = public_url(page.event)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: GuestPage, form, change: bool) -> None:
        services.guest_page_update(
            page=obj, what_to_bring=form.cleaned_data["what_to_bring"], public_title=form.cleaned_data["public_title"]
        )


def _signed_at(signature: WaiverSignature) -> str:
    """The moment of signing labelled with its real zone (the brand's), then in UTC — never
    a bare time shown in whatever zone the back office happens to be in."""
    return Clock.of(signature.organization).record(signature.signed_at)


def _pdf_link(signature: WaiverSignature) -> str:
    url = reverse("admin:guests_waiversignature_pdf", args=[signature.pk])
    return format_html('<a href="{}">Download PDF</a>', url)


class SignatureInline(OrgScopedInline, admin.TabularInline):
    model = WaiverSignature
    extra = 0
    can_delete = False
    fields = ["template", "signed_name", "signer", "relationship", "signed", "ip_address", "pdf"]
    readonly_fields = fields

    @admin.display(description="Signed copy")
    def pdf(self, signature: WaiverSignature) -> str:
        return _pdf_link(signature)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("organization", "template")

    @admin.display(description="Signed at")
    def signed(self, signature: WaiverSignature) -> str:
        return _signed_at(signature)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class WaiverFilter(admin.SimpleListFilter):
    """Guests on hold (GuestQuerySet.on_hold: not signed the current waiver) or cleared."""

    title = "waiver"
    parameter_name = "waiver"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("on_hold", "On hold (not signed)"), ("signed", "Signed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "on_hold":
            return queryset.filter(on_hold=True)
        if self.value() == "signed":
            return queryset.filter(on_hold=False)
        return queryset


class DepartingFilter(admin.SimpleListFilter):
    """Guests of charters departing soon (not cancelled, not closed)."""

    title = "departing"
    parameter_name = "departing"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("today", "Today"), ("week", "In the next 7 days"), ("upcoming", "Not yet returned")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        spans = {"today": timedelta(days=1), "week": timedelta(days=7)}
        if self.value() in spans:
            return queryset.filter(
                event__departure_at__gte=now, event__departure_at__lt=now + spans[self.value()]
            ).exclude(event__status__in=[EventStatus.CANCELLED, EventStatus.COMPLETED])
        if self.value() == "upcoming":
            return queryset.filter(event__return_at__gte=now).exclude(event__status=EventStatus.CANCELLED)
        return queryset


@admin.register(Guest)
class GuestAdmin(OrgScopedAdmin):
    list_display = ["name", "event", "organization", "email", "is_minor", "waiver"]
    list_filter = [WaiverFilter, DepartingFilter, "organization", "is_minor", "marketing_opt_out"]
    list_select_related = ["event", "organization"]
    search_fields = ["name", "email", "event__name", "event__slug"]
    autocomplete_fields = ["event"]
    exclude = ["organization"]
    inlines = [SignatureInline]
    actions = ["revoke_links"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_waiver_status()

    @admin.display(description="Waiver")
    def waiver(self, guest: Guest) -> str:
        return _waiver_badge(guest)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # A guest never moves to another event (their signatures are for this one).
        return ["event"] if obj else []

    def audit_sources(self, request: HttpRequest, obj: Guest) -> list[AuditSource]:
        return [
            AuditSource(history=obj.audit_log.all(), describe=lambda record: "Guest"),
            AuditSource(
                history=WaiverSignature.audit_log.filter(guest_id=obj.pk),
                describe=lambda record: f"Signature of waiver #{record.template_id}",
            ),
        ]

    def save_model(self, request: HttpRequest, obj: Guest, form, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in services.GUEST_FIELDS if f in form.cleaned_data}
        if change:
            services.guest_update(guest=obj, **{f: v for f, v in fields.items() if f in form.changed_data})
        else:
            obj.pk = services.guest_create(event=obj.event, by=request.user, **fields).pk

    def delete_model(self, request: HttpRequest, obj: Guest) -> None:
        services.guest_remove(guest=obj)

    @admin.action(description="Revoke the signing links of the selected guests (new links are issued)")
    def revoke_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        for guest in queryset:
            services.guest_link_revoke(guest=guest)
        self.message_user(request, f"Issued new signing links for {queryset.count()} guest(s).", messages.SUCCESS)

    # --- Extra pages: CSV import and the override start -------------------------------------

    def get_urls(self):
        extra = [
            path(
                "event/<uuid:event_id>/import/",
                self.admin_site.admin_view(self.import_csv_view),
                name="guests_guest_import",
            ),
            path(
                "event/<uuid:event_id>/start-with-override/",
                self.admin_site.admin_view(self.override_start_view),
                name="guests_guest_override_start",
            ),
        ]
        return extra + super().get_urls()

    def _owned_event(self, request: HttpRequest, event_id) -> Event:
        """The event, if it is one of the owner's brands; any other is a 404."""
        events = Event.objects.select_related("organization")
        if not request.user.is_superuser:
            events = events.for_orgs(self.owned_orgs(request))
        event = events.filter(public_id=event_id).first()
        if event is None:
            raise Http404("No event matches the given query.")
        return event

    def _event_change_url(self, event: Event) -> str:
        return reverse("admin:events_event_change", args=[event.pk])

    def import_csv_view(self, request: HttpRequest, event_id) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        event = self._owned_event(request, event_id)
        form = GuestCsvUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                added = services.guests_import_csv(event=event, data=form.cleaned_data["file"].read(), by=request.user)
            except ValidationError as exc:
                problems = exc.messages
            else:
                self.message_user(request, f"Added {len(added)} guest(s) to {event.name}.", messages.SUCCESS)
                return HttpResponseRedirect(self._event_change_url(event))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import guests — {event.name}",
            "event": event,
            "form": form,
            "problems": problems,
            "opts": self.opts,
            "event_url": self._event_change_url(event),
        }
        return TemplateResponse(request, "admin/guests/guest/import_csv.html", context, status=400 if problems else 200)

    def override_start_view(self, request: HttpRequest, event_id) -> HttpResponse:
        if not request.user.has_perm("events.change_event"):
            raise PermissionDenied
        event = self._owned_event(request, event_id)
        on_hold = list(Guest.objects.filter(event=event).on_hold().values_list("name", flat=True))
        form = OverrideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                # The same start the captain makes on the crew pages: a reason makes it an override.
                event_start(event=event, by=request.user, reason=form.cleaned_data["reason"])
            except (DomainError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or " ".join(exc.messages))
            else:
                self.message_user(request, f"Started {event.name} with an override.", messages.SUCCESS)
                return HttpResponseRedirect(self._event_change_url(event))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Start {event.name} with guests on hold",
            "event": event,
            "on_hold": on_hold,
            "form": form,
            "opts": self.opts,
            "event_url": self._event_change_url(event),
        }
        return TemplateResponse(request, "admin/guests/guest/override_start.html", context)


@admin.register(WaiverTemplate)
class WaiverTemplateAdmin(OrgScopedAdmin):
    """Waiver versions are append-only: an edit is published as a new version."""

    list_display = ["title", "organization", "version", "created_at", "signature_count"]
    list_filter = ["organization"]
    readonly_fields = ["version", "created_at"]
    change_form_template = "admin/guests/waivertemplate/change_form.html"

    @admin.display(description="Signatures")
    def signature_count(self, template: WaiverTemplate) -> int:
        return template.signatures.count()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Signatures point at the exact text signed; the text itself never changes.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """`?from=<id>` starts a new version from an earlier one's text."""
        initial = super().get_changeform_initial_data(request)
        initial.pop("from", None)
        source_id = request.GET.get("from", "")
        source = self.get_queryset(request).filter(pk=source_id).first() if source_id.isdigit() else None
        if source is not None:
            initial.update(organization=source.organization_id, title=source.title, body=source.body)
        return initial

    def save_model(self, request: HttpRequest, obj: WaiverTemplate, form, change: bool) -> None:
        published = services.waiver_publish(organization=obj.organization, title=obj.title, body=obj.body)
        obj.pk, obj.version = published.pk, published.version


@admin.register(WaiverSignature)
class WaiverSignatureAdmin(OrgScopedAdmin):
    """The audit trail: read-only, never edited or deleted; its PDF copy downloadable."""

    list_display = ["signed_name", "guest", "template", "signed", "ip_address", "pdf"]
    list_filter = ["organization"]
    list_select_related = ["guest", "template", "organization"]
    search_fields = ["signed_name", "guest__name", "guest__email"]
    date_hierarchy = "signed_at"
    fields = [
        "public_id",
        "guest",
        "template",
        "signer",
        "relationship",
        "signed_name",
        "signature_image",
        "consent",
        "signed",
        "ip_address",
        "user_agent",
        "text_sha256",
        "image_sha256",
        "pdf_sha256",
        "pdf",
    ]
    readonly_fields = fields

    @admin.display(description="Signed copy")
    def pdf(self, signature: WaiverSignature) -> str:
        return _pdf_link(signature)

    def get_urls(self):
        extra = [
            path(
                "<int:object_id>/waiver.pdf",
                self.admin_site.admin_view(self.pdf_view),
                name="guests_waiversignature_pdf",
            )
        ]
        return extra + super().get_urls()

    def pdf_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The PDF copy the guest received (made again, identically, if the file is missing)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        signature = self.get_object(request, str(object_id))  # another brand's: 404
        services.waiver_pdf_ensure(signature=signature)
        return FileResponse(
            default_storage.open(signature.pdf_path, "rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"waiver-{signature.guest.event.slug}-{signature.public_id}.pdf",
        )

    @admin.display(description="Signed at", ordering="signed_at")
    def signed(self, signature: WaiverSignature) -> str:
        return _signed_at(signature)

    @admin.display(description="Signature")
    def signature_image(self, signature: WaiverSignature) -> str:
        import base64

        encoded = base64.b64encode(bytes(signature.signature_png)).decode()
        return format_html('<img src="data:image/png;base64,{}" alt="Signature" style="max-width:320px">', encoded)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PhotoModerationInline(OrgScopedInline, admin.TabularInline):
    """Who hid, showed or deleted the photo, and when: read-only."""

    model = PhotoModeration
    extra = 0
    can_delete = False
    fields = ["action", "by", "at"]
    readonly_fields = fields
    verbose_name_plural = "Moderation (who and when)"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("by")


@admin.register(Photo)
class PhotoAdmin(OrgScopedAdmin):
    """Guest photos: hide one from the guest page, show it again, or delete it — before or
    after it appears there. Every such act is recorded with who and when."""

    list_display = ["preview", "event", "status", "uploaded_at", "last_moderation"]
    list_filter = ["status", "organization"]
    list_select_related = ["event", "organization"]
    search_fields = ["event__name", "event__slug", "key"]
    fields = ["preview_large", "event", "status", "content_type", "size", "created_at", "uploaded_at", "key"]
    readonly_fields = fields
    inlines = [PhotoModerationInline]
    actions = ["hide_photos", "show_photos", "delete_photos"]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        latest = PhotoModeration.objects.filter(photo=OuterRef("pk")).order_by("-at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_action=Subquery(latest.values("action")[:1]),
                last_at=Subquery(latest.values("at")[:1]),
                last_by=Subquery(latest.values("by__username")[:1]),
            )
        )

    def _image(self, photo: Photo, height: int) -> str:
        if photo.status in (Photo.Status.PENDING, Photo.Status.DELETED):
            return "—"
        url = reverse("admin:guests_photo_image", args=[photo.pk])
        return format_html('<img src="{}" alt="Guest photo" style="max-height:{}px;border-radius:6px">', url, height)

    @admin.display(description="Photo")
    def preview(self, photo: Photo) -> str:
        return self._image(photo, 72)

    @admin.display(description="Photo")
    def preview_large(self, photo: Photo) -> str:
        return self._image(photo, 360)

    @admin.display(description="Last moderation")
    def last_moderation(self, photo: Photo) -> str:
        if not getattr(photo, "last_action", None):
            return "—"
        when = Clock.of(photo.organization).moment(photo.last_at)
        label = PhotoModeration.Action(photo.last_action).label
        return f"{label} by {photo.last_by or 'someone'}, {when}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # moderation goes through the actions, which record who and when

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # "Delete" removes the file and keeps the record

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("guests.change_photo")

    def _moderate(self, request: HttpRequest, queryset: QuerySet, action: str) -> None:
        done, refused = 0, []
        for photo in queryset:
            try:
                services.photo_moderate(photo=photo, action=action, by=request.user)
                done += 1
            except DomainError as exc:
                refused.append(exc.message)
        label = PhotoModeration.Action(action).label.lower()
        if done:
            self.message_user(request, f"{done} photo(s) {label}; the guest page is updated.", messages.SUCCESS)
        for message in sorted(set(refused)):
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Hide the selected photos from the guest page", permissions=["moderate"])
    def hide_photos(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, PhotoModeration.Action.HIDE)

    @admin.action(description="Show the selected photos on the guest page again", permissions=["moderate"])
    def show_photos(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, PhotoModeration.Action.SHOW)

    @admin.action(description="Delete the selected photos (the files go; the record stays)", permissions=["moderate"])
    def delete_photos(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, PhotoModeration.Action.DELETE)

    def get_urls(self):
        extra = [
            path("<int:object_id>/image/", self.admin_site.admin_view(self.image_view), name="guests_photo_image"),
        ]
        return extra + super().get_urls()

    def image_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The photo itself for the owner, hidden ones included (the public address serves shown ones only)."""
        photo = self.get_object(request, str(object_id))
        if photo.status in (Photo.Status.PENDING, Photo.Status.DELETED):
            raise Http404("No such photo.")
        return photo_response(photo, cache_control="private, max-age=300")
