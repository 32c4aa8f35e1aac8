from django.apps import AppConfig


class CharterOpsConfig(AppConfig):
    name = "charterops"
    verbose_name = "Organizations"
