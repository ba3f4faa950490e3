"""Documents attached to a consultation: type by magic bytes, size, versions, removal.

From scheduling on (``DOCUMENTS_FROZEN_STATUSES``) residents rely on what they read: nothing
is deleted or overwritten, and a correction is a new version with a public change note, the
earlier versions staying downloadable (issue 8, "documents that cannot change under
residents' feet")."""

from __future__ import annotations

import logging
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.safezip import SafeZip, UnsafeZipError
from consultations.models import (
    DOCUMENTS_FROZEN_STATUSES,
    Consultation,
    ConsultationStatus,
    Document,
    DocumentKind,
    DocumentRole,
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


def upload_kind_detect(upload: UploadedFile, *, images: bool) -> str | None:
    """The real type of a file someone attaches (a remark's attachment or scan, a survey
    answer's file): PDF, DOCX or ODT as :func:`document_kind_detect` tells them; with
    ``images`` also JPEG and PNG by their signatures. A ZIP bomb raises ValidationError."""
    kind = document_kind_detect(upload)
    if kind is not None or not images:
        return kind
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _odt_mimetype_read(package: SafeZip) -> bytes:
    try:
        return package.read("mimetype", max_bytes=ODT_MIMETYPE_MAX_BYTES).strip()
    except UnsafeZipError:
        return b""  # longer than any media type: not an ODT, whatever else it is


def document_frozen_message() -> str:
    return _(
        "While the consultation is scheduled, open or finished, its documents cannot be "
        "removed or replaced: residents rely on what they read. Please add a corrected "
        "version with a note on what has changed; the earlier version stays available."
    )


def _archived_check(consultation: Consultation) -> None:
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise ValidationError(_("An archived consultation can no longer be changed."))


def _upload_kind(upload: UploadedFile) -> str:
    """The checked kind of an upload of at most 20 MB (ValidationError otherwise)."""
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
    return kind


def document_version_store(
    *,
    consultation: Consultation,
    title: str,
    content: File,
    kind: str,
    original_name: str,
    role: str = DocumentRole.ATTACHED,
    previous: Document | None = None,
    change_note: str = "",
    source_digest: str = "",
) -> Document:
    """Store a file as version 1 of a new document, or as the version after ``previous``
    (the latest of its document). Callers hold the consultation's row lock; the unique
    (first_version, version) constraint backs it."""
    document = Document(
        consultation=consultation,
        title=title[:250],
        kind=kind,
        size=content.size or 0,
        original_name=original_name[:250],
        role=role,
        change_note=change_note,
        source_digest=source_digest,
    )
    if previous is not None:
        document.first_version_id = previous.lineage_id
        document.version = previous.version + 1
    document.file.save(f"document.{kind}", content, save=False)
    document.save()
    return document


def document_latest_version(document: Document) -> Document:
    """The newest version of the document ``document`` is a version of."""
    lineage = document.lineage_id
    latest = (
        Document.objects.filter(models.Q(pk=lineage) | models.Q(first_version_id=lineage))
        .order_by("-version")
        .first()
    )
    assert latest is not None
    return latest


@transaction.atomic
def document_add(
    *, acting_user: User, consultation_id: int, title: str, upload: UploadedFile
) -> Document:
    """Attach a PDF, DOCX or ODT file of at most 20 MB, stored in the municipality's folder."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    _archived_check(consultation)
    kind = _upload_kind(upload)
    title = title.strip() or (upload.name or "").rsplit(".", 1)[0]
    document = document_version_store(
        consultation=consultation,
        title=title,
        content=upload,
        kind=kind,
        original_name=upload.name or "",
    )
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
def document_revise(
    *,
    acting_user: User,
    consultation_id: int,
    document_id: int,
    upload: UploadedFile,
    change_note: str,
    title: str = "",
) -> Document:
    """Add a corrected version of an attached document: the next version number, with a
    change note residents read; every earlier version stays as it was and downloadable."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    document = Document.objects.filter(
        consultation=consultation, pk=document_id, role=DocumentRole.ATTACHED
    ).first()
    if document is None:
        raise Document.DoesNotExist
    _archived_check(consultation)
    change_note = change_note.strip()
    if not change_note:
        raise ValidationError(
            {
                "change_note": [
                    _("Please describe what has changed: residents read it next to the version.")
                ]
            }
        )
    kind = _upload_kind(upload)
    latest = document_latest_version(document)
    revised = document_version_store(
        consultation=consultation,
        title=title.strip() or latest.title,
        content=upload,
        kind=kind,
        original_name=upload.name or "",
        previous=latest,
        change_note=change_note[:2000],
    )
    audit_record(
        acting_user=acting_user,
        action="document_revise",
        target=revised,
        consultation=consultation,
        details={"title": revised.title, "version": revised.version, "kind": kind},
    )
    public_change("documents", revised.consultation_id)
    return revised


@transaction.atomic
def document_remove(*, acting_user: User, document_id: int) -> None:
    """Remove a document with all its versions and, after commit, their files: only while
    the consultation is a draft or ordered (never once residents may have read it)."""
    document = Document.objects.select_related("consultation").get(pk=document_id)
    consultation = Consultation.objects.select_for_update().get(pk=document.consultation_id)
    _archived_check(consultation)
    if consultation.status in DOCUMENTS_FROZEN_STATUSES:
        raise ValidationError(document_frozen_message(), code="frozen")
    lineage = document.lineage_id
    versions = list(
        Document.objects.filter(models.Q(pk=lineage) | models.Q(first_version_id=lineage))
        .select_for_update()
        .order_by("-version")
    )
    files = [(version.file.name, version.file.storage) for version in versions]
    audit_record(
        acting_user=acting_user,
        action="document_remove",
        target=document,
        consultation=consultation,
        details={"title": document.title, "versions": len(versions)},
    )
    for version in versions:  # the later versions first: they point at version 1
        version.delete()
    public_change("documents", consultation.pk)

    def files_delete() -> None:
        for name, storage in files:
            storage.delete(name)

    transaction.on_commit(files_delete)
