"""The Celery app: tenant-aware, so a task queued inside a municipality runs in its schema."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")

app = CeleryApp("konsulta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
