"""Where and when a consultation's announcement was published, with the proof: what the
rule set's required channels are checked against when scheduling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.models import AnnouncementPublication, Consultation, ConsultationStatus
from consultations.services.audit import audit_record
from rulesets.models import Channel

PROOF_MAX_BYTES = 10 * 1024 * 1024
# A proof is a scan or a screenshot: PDF, PNG or JPEG, recognised by its first bytes.
PROOF_SIGNATURES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
# Until the consultation opens; afterwards the record of how it was announced stays as is.
PUBLICATIONS_EDITABLE = frozenset(
    {ConsultationStatus.DRAFT, ConsultationStatus.ORDERED, ConsultationStatus.SCHEDULED}
)


def _proof_kind(upload: Any) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, kind in PROOF_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


@transaction.atomic
def announcement_publication_add(
    *,
    acting_user: User,
    consultation_id: int,
    channel: str,
    published_on: dt.date | None,
    proof_file: UploadedFile | None = None,
    proof_url: str = "",
) -> AnnouncementPublication:
    """Record one publication of the announcement, with a file (PDF, PNG, JPEG up to 10 MB)
    or a link as proof."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in PUBLICATIONS_EDITABLE:
        raise ValidationError(
            _("Publications of the announcement can be recorded until the consultation opens.")
        )
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel from the list.")]
    if published_on is None:
        errors["published_on"] = [_("Enter the date of publication.")]
    elif published_on > timezone.localdate():
        errors["published_on"] = [
            _("Record a publication once it has happened: the date cannot be in the future.")
        ]
    proof_url = proof_url.strip()
    if proof_url:
        try:
            URLValidator(schemes=["http", "https"])(proof_url)
        except ValidationError:
            errors["proof_url"] = [_("Enter a full address starting with https://.")]
    kind = None
    if proof_file is not None:
        if proof_file.size is not None and proof_file.size > PROOF_MAX_BYTES:
            errors["proof_file"] = [_("The file may be at most 10 MB.")]
        else:
            kind = _proof_kind(proof_file)
            if kind is None:
                errors["proof_file"] = [_("Attach the proof as a PDF, PNG or JPEG file.")]
    if proof_file is None and not proof_url and "proof_url" not in errors:
        errors["proof_url"] = [_("Attach a file or give a link as proof of the publication.")]
    if errors or published_on is None:
        raise ValidationError(errors)
    publication = AnnouncementPublication(
        consultation=consultation,
        channel=channel,
        published_on=published_on,
        proof_url=proof_url,
        recorded_by_email=(acting_user.email or "")[:254],
    )
    if proof_file is not None and kind is not None:
        publication.proof_file.save(f"proof.{kind}", proof_file, save=False)
    publication.save()
    audit_record(
        acting_user=acting_user,
        action="announcement_publication_add",
        target=publication,
        consultation=consultation,
        details={"channel": channel, "published_on": published_on},
    )
    return publication


@transaction.atomic
def announcement_publication_remove(
    *, acting_user: User, consultation_id: int, publication_id: int
) -> None:
    """Remove a publication recorded by mistake, until the consultation opens."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in PUBLICATIONS_EDITABLE:
        raise ValidationError(
            _("Publications of the announcement can be changed until the consultation opens.")
        )
    publication = AnnouncementPublication.objects.get(pk=publication_id, consultation=consultation)
    audit_record(
        acting_user=acting_user,
        action="announcement_publication_remove",
        target=publication,
        consultation=consultation,
        details={"channel": publication.channel, "published_on": publication.published_on},
    )
    publication.proof_file.delete(save=False)
    publication.delete()
