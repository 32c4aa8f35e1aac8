from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackOfficeConfig(AppConfig):
    """The owner's cockpit: the dashboard, the event page's actions, exports."""

    default = True
    name = "backoffice"
    verbose_name = "Back office"
    default_auto_field = "django.db.models.BigAutoField"


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the back office's site (its first page is the dashboard)."""

    default = False
    default_site = "backoffice.site.BackOfficeSite"
