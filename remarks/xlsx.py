"""The register as an XLSX sheet, and decisions read back from an edited copy.

The import is all or nothing: every row is checked first, and only when each is valid are
the responses written, in one transaction. A malformed file (not a workbook, a "zip bomb",
missing columns) gets a Polish message and changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from accounts.models import User
from common.safezip import SafeZip, UnsafeZipError, ZipLimits
from consultations.models import Consultation
from remarks.models import (
    Channel,
    Decision,
    FormalIssue,
    FormalIssueCode,
    Remark,
    RemarkState,
    Response,
)
from remarks.text import text_clean

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_UNPACKED = 50 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000

# Column keys, in order; the headers are their Polish labels (translated at run time).
COLUMNS = (
    "reference",
    "channel",
    "registered",
    "received_on",
    "case_number",
    "document_part",
    "current_wording",
    "proposed_wording",
    "justification",
    "author",
    "organisation",
    "address",
    "email",
    "formal",
    "group",
    "decision",
    "response",
    "approved",
)


def _headers() -> dict[str, str]:
    return {
        "reference": _("Reference number"),
        "channel": _("Channel"),
        "registered": _("Registered"),
        "received_on": _("Date received"),
        "case_number": _("Case number"),
        "document_part": _("Part of the document"),
        "current_wording": _("Current wording"),
        "proposed_wording": _("Proposed wording"),
        "justification": _("Justification"),
        "author": _("First name and surname"),
        "organisation": _("Organisation"),
        "address": _("Address"),
        "email": _("E-mail"),
        "formal": _("Formal defects"),
        "group": _("Group"),
        "decision": _("Decision"),
        "response": _("Justification of the response"),
        "approved": _("Approved"),
    }


def _text_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only row. A text that Excel would read as something else (a
    formula such as "=HYPERLINK(…)", an error code such as "#N/A") becomes a cell typed as
    text; any other value is appended as it is, which spares building a cell object for
    each of the 90,000 values of a 5,000-remark register."""
    if isinstance(value, str) and value[:1] in ("=", "#"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def register_xlsx(consultation: Consultation) -> bytes:
    """The whole register with personal data (staff only), one remark a row.

    Read as plain tuples in two queries (the remarks with their response's decision, and
    their formal defects) and written by openpyxl's write-only sheet: no model object per
    row, labels translated once."""
    from remarks.selectors import RegisterFilters, register_rows

    decisions = {value: str(label) for value, label in Decision.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    codes = {value: str(label) for value, label in FormalIssueCode.choices}
    yes = str(_("yes"))
    rows = register_rows(consultation, RegisterFilters())
    defects: dict[int, list[str]] = {}
    for remark_id, code, rule in (
        FormalIssue.objects.filter(remark__in=rows.values("pk"))
        .order_by("pk")
        .values_list("remark_id", "code", "rule")
    ):
        defects.setdefault(remark_id, []).append(f"{codes.get(code, code)}: {rule}")
    values = rows.prefetch_related(None).values_list(
        "pk",
        "reference",
        "channel",
        "registered_at",
        "received_on",
        "case_number",
        "document_part",
        "current_wording",
        "proposed_wording",
        "justification",
        "author_name",
        "organisation_name",
        "address",
        "email",
        "group__title",
        "group_id",
        "group__response__decision",
        "group__response__justification",
        "group__response__approved_at",
        "response__decision",
        "response__justification",
        "response__approved_at",
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Remarks"))[:31])
    headers = _headers()
    sheet.append([_text_cell(sheet, str(headers[key])) for key in COLUMNS])
    for (
        pk,
        reference,
        channel,
        registered_at,
        received_on,
        case_number,
        document_part,
        current_wording,
        proposed_wording,
        justification,
        author_name,
        organisation_name,
        address,
        email,
        group_title,
        group_id,
        group_decision,
        group_justification,
        group_approved_at,
        own_decision,
        own_justification,
        own_approved_at,
    ) in values.iterator(chunk_size=1000):
        # A remark in a group is answered by the group's response.
        if group_id is not None:
            decision, answer, approved_at = group_decision, group_justification, group_approved_at
        else:
            decision, answer, approved_at = own_decision, own_justification, own_approved_at
        row = [
            reference,
            channels.get(channel, channel),
            timezone.localtime(registered_at).strftime("%Y-%m-%d %H:%M") if registered_at else "",
            received_on.isoformat() if received_on else "",
            case_number,
            document_part,
            current_wording,
            proposed_wording,
            justification,
            author_name,
            organisation_name,
            address,
            email,
            "; ".join(defects.get(pk, ())),
            group_title or "",
            decisions[decision] if decision else "",
            answer or "",
            yes if decision and approved_at else "",
        ]
        sheet.append([_text_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class DecisionRow:
    line: int
    reference: str
    decision: str
    justification: str


def _open_workbook(upload: IO[bytes], size: int | None) -> Any:
    if size is not None and size > IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file may be at most 5 MB.")]})
    data = upload.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file may be at most 5 MB.")]})
    try:
        # Declared sizes, member count and inflation ratio, checked before openpyxl inflates.
        with SafeZip(io.BytesIO(data), limits=ZipLimits(total_bytes=IMPORT_MAX_UNPACKED)):
            pass
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UnsafeZipError:
        raise ValidationError({"file": [_("The workbook is too large once unpacked.")]}) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ValidationError(
            {"file": [_("This is not an XLSX workbook exported from the register.")]}
        ) from None


def decisions_read(upload: IO[bytes], *, size: int | None) -> list[DecisionRow]:
    """The rows of an edited export that carry a decision or a justification."""
    workbook = _open_workbook(upload, size)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        labels = {str(headers): key for key, headers in _headers().items()}
        index = {
            labels[str(v).strip()]: i for i, v in enumerate(header) if str(v).strip() in labels
        }
        missing = [k for k in ("reference", "decision", "response") if k not in index]
        if missing:
            raise ValidationError(
                {
                    "file": [
                        _("The first row must have the columns of the export (missing: %(cols)s).")
                        % {"cols": ", ".join(str(_headers()[k]) for k in missing)}
                    ]
                }
            )
        out: list[DecisionRow] = []
        for line, row in enumerate(rows, start=2):
            if line > IMPORT_MAX_ROWS:
                raise ValidationError({"file": [_("The workbook has too many rows.")]})

            def cell(key: str, row: tuple[Any, ...] = row) -> str:
                i = index[key]
                value = row[i] if i < len(row) else None
                return text_clean(str(value)) if value is not None else ""

            reference, decision, justification = (
                cell("reference"),
                cell("decision"),
                cell("response"),
            )
            if not (reference or decision or justification):
                continue
            out.append(DecisionRow(line, reference, decision, justification))
        return out
    finally:
        workbook.close()


@transaction.atomic
def decisions_import(*, acting_user: User, consultation_id: int, rows: list[DecisionRow]) -> int:
    """Apply the decisions of every row, or none: returns how many responses changed.

    A row with an unknown number, a decision not on the list, an empty justification, a
    text over 10,000 characters, or a grouped remark whose group gets two different
    answers, is reported with its line; then nothing is written."""
    from consultations.services import audit_record
    from remarks import permissions
    from remarks.services import response_draft

    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if not permissions.can_draft_response(acting_user, consultation):
        raise ValidationError(_("Responses cannot be changed in this consultation now."))
    by_label = {str(label).lower(): value for value, label in Decision.choices}
    remarks = {
        r.reference: r
        for r in Remark.objects.filter(
            consultation=consultation, state=RemarkState.REGISTERED
        ).select_related("group__response", "response")
    }
    errors: list[str] = []
    # target ("remark"/"group", id) → (decision, justification, line)
    plan: dict[tuple[str, int], tuple[str, str, int]] = {}
    for row in rows:
        remark = remarks.get(row.reference)
        problems = []
        if remark is None:
            problems.append(_("no remark of this consultation has this number"))
        decision = by_label.get(row.decision.lower())
        if decision is None:
            problems.append(
                _("the decision must be one of: %(list)s")
                % {"list": ", ".join(str(label) for _v, label in Decision.choices)}
            )
        if not row.justification:
            problems.append(_("the justification is empty"))
        elif len(row.justification) > 10_000:
            problems.append(_("the justification is longer than 10,000 characters"))
        if problems:
            errors.append(
                _("Row %(line)d (%(ref)s): %(problems)s.")
                % {
                    "line": row.line,
                    "ref": row.reference or "–",
                    "problems": "; ".join(str(p) for p in problems),
                }
            )
            continue
        assert remark is not None and decision is not None
        target = ("group", remark.group_id) if remark.group_id else ("remark", remark.pk)
        previous = plan.get(target)
        if previous and previous[:2] != (decision, row.justification):
            errors.append(
                _("Row %(line)d (%(ref)s): its group got a different answer in row %(other)d.")
                % {"line": row.line, "ref": row.reference, "other": previous[2]}
            )
            continue
        plan[target] = (decision, row.justification, row.line)
    if errors:
        raise ValidationError(errors)
    changed = 0
    for (kind, pk), (decision, justification, _line) in plan.items():
        current = Response.objects.filter(**{kind: pk}).first()
        if current and (current.decision, current.justification) == (decision, justification):
            continue
        response_draft(
            acting_user=acting_user,
            decision=decision,
            justification=justification,
            remark_id=pk if kind == "remark" else None,
            group_id=pk if kind == "group" else None,
        )
        changed += 1
    audit_record(
        acting_user=acting_user,
        action="decisions_import",
        target=consultation,
        consultation=consultation,
        details={"rows": len(rows), "changed": changed},
    )
    return changed


def archive_files(consultation: Consultation) -> list[tuple[str, bytes]]:
    """The register with every response, as XLSX and CSV, for the consultation's archive."""
    import csv
    import io

    from openpyxl import load_workbook

    workbook_bytes = register_xlsx(consultation)
    sheet = load_workbook(io.BytesIO(workbook_bytes), read_only=True).worksheets[0]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if value is None else value for value in row])
    return [
        ("rejestr-uwag.xlsx", workbook_bytes),
        ("rejestr-uwag.csv", ("\ufeff" + text.getvalue()).encode("utf-8")),
    ]
