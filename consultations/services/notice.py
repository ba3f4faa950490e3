"""The announcement kept with a consultation's documents, as PDF and ODT.

It is stored when the consultation is scheduled (the day residents are told of it) and drawn
again, as a new version with a change note, whenever its data change before it opens: the
versions residents already read stay downloadable, as every frozen document's do."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Document,
    DocumentKind,
    DocumentRole,
)
from consultations.notice import NOTICE_LANGUAGE, Notice, notice_build, notice_odt, notice_pdf
from consultations.public_changes import public_change
from consultations.services.audit import audit_record
from consultations.services.documents import document_version_store
from tenants.selectors import municipality_current

# Only a scheduled consultation's announcement is redrawn: once it opens, what was announced
# is the record.
NOTICE_REDRAWN_STATUSES = frozenset({ConsultationStatus.SCHEDULED})


def notice_of(consultation: Consultation) -> Notice:
    """The announcement as it reads now (also the staff's preview before scheduling)."""
    return notice_build(consultation, municipality=municipality_current())


def notice_documents(consultation: Consultation) -> dict[str, Document]:
    """The newest stored version of the announcement, by kind ("pdf", "odt")."""
    latest: dict[str, Document] = {}
    for document in Document.objects.filter(
        consultation=consultation, role=DocumentRole.NOTICE
    ).order_by("version", "pk"):
        latest[document.kind] = document
    return latest


@transaction.atomic
def notice_attach(*, acting_user: Any, consultation_id: int) -> list[Document]:
    """Store the announcement of a scheduled consultation with its documents, as a new
    version when its text changed since the last one; nothing when it did not (or when the
    consultation is not scheduled). Returns the versions stored."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in NOTICE_REDRAWN_STATUSES:
        return []
    notice = notice_of(consultation)
    digest = notice.digest()
    current = notice_documents(consultation)
    if current and all(doc.source_digest == digest for doc in current.values()):
        return []
    with translation.override(NOTICE_LANGUAGE):
        title = _("Announcement of the consultation")
        change_note = _(
            "The announcement has been drawn up again after the consultation's details changed."
        )
    stored = []
    for kind, draw in ((DocumentKind.PDF, notice_pdf), (DocumentKind.ODT, notice_odt)):
        previous = current.get(kind)
        stored.append(
            document_version_store(
                consultation=consultation,
                title=title,
                content=ContentFile(draw(notice)),
                kind=kind,
                original_name=f"ogloszenie-{consultation.slug}.{kind}",
                role=DocumentRole.NOTICE,
                previous=previous,
                change_note=change_note if previous else "",
                source_digest=digest,
            )
        )
    audit_record(
        acting_user=acting_user,
        action="notice_generate",
        target=stored[0],
        consultation=consultation,
        details={"title": title, "version": stored[0].version},
    )
    public_change("documents", consultation_id)
    return stored


def notice_refresh(*, acting_user: Any, consultation_id: int) -> None:
    """Draw the announcement again if the consultation is scheduled and its data changed:
    every write to what the announcement shows calls this inside its own transaction."""
    status = (
        Consultation.objects.filter(pk=consultation_id).values_list("status", flat=True).first()
    )
    if status in NOTICE_REDRAWN_STATUSES:
        notice_attach(acting_user=acting_user, consultation_id=consultation_id)
