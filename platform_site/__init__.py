# The Celery app is imported here so that @shared_task binds to the tenant-aware app.
from platform_site.celery import app as celery_app

__all__ = ["celery_app"]
