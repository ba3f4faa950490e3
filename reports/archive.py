"""One ZIP per consultation for the municipality's archive: the announcement, every document,
each kind's files (register CSV/XLSX with responses, survey responses, minutes), every
report version in every format and the audit log."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import PurePosixPath
from typing import IO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consultations import participation
from consultations.models import Consultation
from consultations.selectors import audit_events_of, participation_forms_of
from reports.models import ReportFile


def _announcement(consultation: Consultation) -> str:
    def when(value: object) -> str:
        return date_format(timezone.localtime(value), "j E Y, H:i") if value else "–"  # type: ignore[arg-type]

    lines = [
        consultation.title,
        "",
        f"{_('Legal basis')}: {consultation.get_legal_basis_display()}",
        f"{_('Announced')}: {when(consultation.scheduled_at)}",
        f"{_('Start')}: {when(consultation.starts_at)}",
        f"{_('End')}: {when(consultation.ends_at)}",
        "",
        consultation.summary,
        "",
        consultation.description,
    ]
    return "\n".join(lines)


def archive_write(consultation: Consultation, target: IO[bytes]) -> None:
    """Write the archive into ``target`` (a file opened for writing)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("ogloszenie.txt", _announcement(consultation))
        for document in consultation.documents.all().order_by("uploaded_at", "pk"):
            with document.file.open("rb") as handle:
                # The uploader chose the name: only its last part, so no entry leaves the folder.
                name = PurePosixPath(document.original_name.replace("\\", "/")).name or "plik"
                package.writestr(f"dokumenty/{document.pk}-{name}", handle.read())
        kinds_used = {form.kind for form in participation_forms_of(consultation)}
        for kind in participation.kinds():
            if kind.name in kinds_used:
                for name, content in kind.archive_files(consultation):
                    package.writestr(name, content)
        for report_file in ReportFile.objects.filter(
            version__consultation=consultation, version__published_at__isnull=False
        ).select_related("version"):
            package.writestr(
                f"raport/wersja-{report_file.version.number}/raport.{report_file.format}",
                bytes(report_file.content),
            )
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";")
        writer.writerow([_("When"), _("Who"), _("Action"), _("Details")])
        for event in audit_events_of(consultation, limit=1_000_000):
            writer.writerow(
                [event.created_at.isoformat(), event.actor_email, event.action, event.details]
            )
        package.writestr("dziennik-zdarzen.csv", ("\ufeff" + text.getvalue()).encode("utf-8"))


def archive_file(consultation: Consultation) -> IO[bytes]:
    """The archive in a temporary file (spooled to disk past 20 MB), rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 (returned open)
    archive_write(consultation, spool)
    spool.seek(0)
    return spool
