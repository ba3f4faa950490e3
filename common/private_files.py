"""Private files of a municipality (remark attachments and scans, files residents attach to
survey answers).

They live under PRIVATE_MEDIA_ROOT/<schema_name>/, a folder no web server maps to a URL (it is
outside MEDIA_ROOT, which the media view serves). Only a staff view streams them, after its
permission predicate and the consultation of the file have been checked.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from common.db import connection


@deconstructible
class PrivateTenantStorage(FileSystemStorage):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        schema = connection.schema_name
        assert schema is not None  # set with the tenant (middleware, tenant-aware tasks)
        return os.path.join(str(settings.PRIVATE_MEDIA_ROOT), schema)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL; a staff view serves them")


private_storage = PrivateTenantStorage()
