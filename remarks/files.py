"""Checks of uploaded files by their bytes (names and browsers' types are not trusted)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from consultations.services.documents import upload_kind_detect

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
SCAN_MAX_BYTES = 20 * 1024 * 1024


def file_kind_detect(upload: UploadedFile, *, images: bool) -> str | None:
    """PDF, DOCX or ODT like consultation documents; for scans also JPEG and PNG."""
    return upload_kind_detect(upload, images=images)


def file_check(upload: UploadedFile, *, field: str, images: bool, max_bytes: int) -> str:
    """The file's real kind, or a ValidationError naming ``field`` in Polish."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            {field: [_("The file may be at most %(mb)d MB.") % {"mb": max_bytes // 2**20}]}
        )
    kind = file_kind_detect(upload, images=images)
    if kind is None:
        message = (
            _("Only PDF, DOCX, ODT, JPG and PNG files can be attached; this file is none of them.")
            if images
            else _("Only PDF, DOCX and ODT files can be attached; this file is none of them.")
        )
        raise ValidationError({field: [message]})
    return kind
