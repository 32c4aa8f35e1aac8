"""Permissions that follow from a Membership role, declared once.

Owners manage everything of their brands in the back office and see revenue
(`events.view_revenue`). Captains and crew hold no model permissions at all: what
they may do on crew pages and in the API is decided by crew services, and revenue is
simply never theirs.
"""

from functools import cache

from django.apps import apps
from django.contrib.auth.backends import ModelBackend

from .models import Membership, Organization

# Apps whose every model permission an owner holds (rows are scoped to their brands).
OWNER_APPS = {"events", "crew", "guests", "reports"}
OWNER_EXTRA_PERMISSIONS = {
    "charterops.view_organization",
    "charterops.change_organization",
}


@cache
def owner_permissions() -> frozenset[str]:
    """Every model permission of OWNER_APPS, read from the models (no query)."""
    perms = set(OWNER_EXTRA_PERMISSIONS)
    for label in OWNER_APPS:
        for model in apps.get_app_config(label).get_models():
            opts = model._meta
            perms |= {f"{label}.{action}_{opts.model_name}" for action in opts.default_permissions}
            perms |= {f"{label}.{codename}" for codename, _ in opts.permissions}
    return frozenset(perms)


def act_as_owner_of(user, organization_ids: set[int]) -> None:
    """For this request, `user` owns exactly `organization_ids` (empty: none).

    A crew token acts in the one brand it was issued for: an owner of one brand signed
    in with a crew token of another holds no owner permission through it. It also saves
    the membership query the permission check would otherwise make.
    """
    setattr(user, MembershipBackend.cache_attr, set(organization_ids))


def owner_organization_ids(user) -> set[int]:
    """The brands `user` owns, asked once per user object (and per request).

    A crew token narrows it to the token's brand (`act_as_owner_of`), so an owner of one
    brand signed in as crew of another owns nothing there.
    """
    if not hasattr(user, MembershipBackend.cache_attr):
        ids = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values_list("organization_id", flat=True)
        setattr(user, MembershipBackend.cache_attr, set(ids))
    return getattr(user, MembershipBackend.cache_attr)


def owns(user, organization_id: int) -> bool:
    """Whether `user` runs this brand: the one "is owner" rule of services, pages and the API.

    Within a request the answer comes from what the request already knows (a crew token's
    brand, or the back office's permission check); otherwise it is asked afresh, so a
    long-running command never acts on a stale answer.
    """
    if user is None or not user.is_active or user.is_anonymous:
        return False
    if user.is_superuser:
        return True
    if hasattr(user, MembershipBackend.cache_attr):
        return organization_id in getattr(user, MembershipBackend.cache_attr)
    return Membership.objects.filter(user=user, organization_id=organization_id, role=Membership.Role.OWNER).exists()


def _organization_id(obj) -> int | None:
    return obj.pk if isinstance(obj, Organization) else getattr(obj, "organization_id", None)


class MembershipBackend(ModelBackend):
    """Password sign-in as Django's ModelBackend; permissions only from Membership roles.

    Per-user and per-group Django permissions are not used in CharterOps (roles are the
    whole story), so they are not queried. Object checks look at the object's brand.
    """

    cache_attr = "_charterops_owner_org_ids"

    def get_user_permissions(self, user, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user, obj=None) -> frozenset[str] | set[str]:
        if not user.is_active or user.is_anonymous:
            return set()
        owner_of = owner_organization_ids(user)
        if not owner_of:
            return set()
        if obj is not None and _organization_id(obj) not in owner_of:
            return set()
        return owner_permissions()

    def has_perm(self, user, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user, obj)

    def has_module_perms(self, user, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user))
