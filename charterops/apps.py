from django.apps import AppConfig


class CharterOpsConfig(AppConfig):
    name = "charterops"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from . import ses  # noqa: F401  (connects to django-ses's bounce and complaint signals)
