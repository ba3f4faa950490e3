"""The database connection as django-tenants makes it."""

from __future__ import annotations

from typing import cast

from django import db
from django_tenants.postgresql_backend.base import DatabaseWrapper

# Django's own ``connection`` (the same proxy object), typed as what settings.DATABASES makes
# it: django-tenants' wrapper, which knows its current schema (``schema_name``, ``tenant``) and
# can switch it (``set_schema_to_public``). django-stubs types it as the generic wrapper.
connection = cast(DatabaseWrapper, db.connection)
