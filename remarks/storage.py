"""Private files of the register (attachments, scans of paper originals): the platform's
private tenant storage (``common.private_files``), under the name the register's migrations
recorded."""

from __future__ import annotations

from django.utils.deconstruct import deconstructible

from common.private_files import PrivateTenantStorage as _Private


@deconstructible
class PrivateTenantStorage(_Private):
    """The register's private storage: files under PRIVATE_MEDIA_ROOT/<schema_name>/."""


private_storage = PrivateTenantStorage()
