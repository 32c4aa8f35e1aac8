# Load Celery with Django so that @shared_task binds to the CharterOps app.
from .celery import app as celery_app

__all__ = ("celery_app",)
