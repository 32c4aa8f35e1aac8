"""Permissions that follow from a Membership role, declared once.

Owners manage everything of their brands in the back office and see revenue
(`events.view_revenue`). Captains and crew hold no model permissions at all: what
they may do on crew pages and in the API is decided by crew services, and revenue is
simply never theirs.
"""

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Permission

from .models import Membership, Organization

# Apps whose every model permission an owner holds (rows are scoped to their brands).
OWNER_APPS = {"events", "crew", "guests", "reports"}
OWNER_EXTRA_PERMISSIONS = {
    "charterops.view_organization",
    "charterops.change_organization",
}


def owner_permissions() -> set[str]:
    app_perms = Permission.objects.filter(content_type__app_label__in=OWNER_APPS).values_list(
        "content_type__app_label", "codename"
    )
    return {f"{app}.{codename}" for app, codename in app_perms} | OWNER_EXTRA_PERMISSIONS


def _organization_id(obj) -> int | None:
    return obj.pk if isinstance(obj, Organization) else getattr(obj, "organization_id", None)


class MembershipBackend(BaseBackend):
    """Grant owners their brand permissions; object checks look at the object's brand."""

    cache_attr = "_charterops_owner_org_ids"

    def _owner_org_ids(self, user) -> set[int]:
        if not hasattr(user, self.cache_attr):
            ids = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values_list(
                "organization_id", flat=True
            )
            setattr(user, self.cache_attr, set(ids))
        return getattr(user, self.cache_attr)

    def get_all_permissions(self, user, obj=None) -> set[str]:
        if not user.is_active or user.is_anonymous:
            return set()
        owner_of = self._owner_org_ids(user)
        if not owner_of:
            return set()
        if obj is not None and _organization_id(obj) not in owner_of:
            return set()
        if not hasattr(user, "_charterops_owner_perms"):
            user._charterops_owner_perms = owner_permissions()
        return user._charterops_owner_perms

    def has_perm(self, user, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user, obj)

    def has_module_perms(self, user, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user))
