"""Documents attached to a consultation: type by magic bytes, size, removal."""

from __future__ import annotations

import logging
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.safezip import SafeZip, UnsafeZipError
from consultations.models import (
    Consultation,
    ConsultationStatus,
    Document,
    DocumentKind,
)
from consultations.public_changes import public_change
from consultations.services.audit import audit_record

logger = logging.getLogger("konsulta.consultations")

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# The ODT "mimetype" member holds just that string; anything longer is not an ODT.
ODT_MIMETYPE_MAX_BYTES = 256


def document_unsafe_message() -> str:
    return _(
        "This file would take far more space after unpacking than any document does, "
        "so it has been refused and not stored. Please save the document again "
        "in a word processor, or attach it as a PDF."
    )


def document_kind_detect(upload: UploadedFile) -> str | None:
    """The real type from the file's bytes (the name and the browser's type are not
    trusted): PDF by its header, DOCX and ODT as ZIP packages with their marker entries.

    A package whose members declare more than ``common.safezip``'s limits raises
    ValidationError with ``document_unsafe_message``: nothing in it is unpacked."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with SafeZip(upload) as package:
            names = set(package.namelist())
            if "mimetype" in names and _odt_mimetype_read(package) == ODT_MIMETYPE:
                return DocumentKind.ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DocumentKind.DOCX
    except UnsafeZipError as exc:
        logger.warning("document refused as a zip bomb: %s", exc.reason)
        raise ValidationError({"file": [document_unsafe_message()]}) from exc
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    return None


def _odt_mimetype_read(package: SafeZip) -> bytes:
    try:
        return package.read("mimetype", max_bytes=ODT_MIMETYPE_MAX_BYTES).strip()
    except UnsafeZipError:
        return b""  # longer than any media type: not an ODT, whatever else it is


@transaction.atomic
def document_add(
    *, acting_user: User, consultation_id: int, title: str, upload: UploadedFile
) -> Document:
    """Attach a PDF, DOCX or ODT file of at most 20 MB, stored in the municipality's folder."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise ValidationError(_("An archived consultation can no longer be changed."))
    if upload.size is not None and upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": [_("The file may be at most 20 MB.")]})
    kind = document_kind_detect(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only PDF, DOCX and ODT documents can be attached; "
                        "this file is none of them."
                    )
                ]
            }
        )
    title = title.strip() or (upload.name or "").rsplit(".", 1)[0]
    document = Document(
        consultation=consultation,
        title=title[:250],
        kind=kind,
        size=upload.size or 0,
        original_name=(upload.name or "")[:250],
    )
    document.file.save(f"document.{kind}", upload, save=False)
    document.save()
    audit_record(
        acting_user=acting_user,
        action="document_add",
        target=document,
        consultation=consultation,
        details={"title": document.title, "kind": kind, "size": document.size},
    )
    public_change("documents", consultation.pk)
    return document


@transaction.atomic
def document_remove(*, acting_user: User, document_id: int) -> None:
    """Remove a document and, after commit, its file."""
    document = (
        Document.objects.select_related("consultation").select_for_update().get(pk=document_id)
    )
    if document.consultation.status == ConsultationStatus.ARCHIVED:
        raise ValidationError(_("An archived consultation can no longer be changed."))
    name, storage = document.file.name, document.file.storage
    audit_record(
        acting_user=acting_user,
        action="document_remove",
        target=document,
        consultation=document.consultation,
        details={"title": document.title},
    )
    consultation_id = document.consultation_id
    document.delete()
    public_change("documents", consultation_id)
    transaction.on_commit(lambda: storage.delete(name))
