"""Writes of the register: residents' remarks and comments, e-mail confirmation, remarks that
clerks enter from paper, e-mail, ePUAP or a meeting, reference numbers and formal checks."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from common.queue import task_queue_on_commit
from consultations import participation
from consultations.models import Consultation, ConsultationStatus, ParticipationForm
from consultations.public_changes import public_change
from consultations.services import audit_record
from remarks import selectors
from remarks.files import ATTACHMENT_MAX_BYTES, SCAN_MAX_BYTES, file_check
from remarks.models import (
    STAFF_CHANNELS,
    AuthorKind,
    Channel,
    DraftUnit,
    FormalIssue,
    FormalIssueCode,
    Remark,
    RemarkState,
    Visibility,
)
from remarks.moderation import banned_words_found
from remarks.rules import KIND_COMMENTS, KIND_REMARKS, MODERATION_PRE, RemarkRules
from remarks.text import text_checked

REFERENCE_PREFIX = "UW"
LIMITS = {
    "document_part": 300,
    "current_wording": 10_000,
    "proposed_wording": 10_000,
    "justification": 10_000,
    "author_name": 200,
    "organisation_name": 300,
    "address": 300,
    "email": 254,
    "case_number": 100,
}


def reference_next(*, when: datetime) -> str:
    """The next number of the year in this municipality's schema: ``UW/2026/0042``.

    One UPSERT on the year's counter row, inside the caller's transaction: concurrent
    registrations queue on the row lock and a rolled-back one gives its number back, so the
    numbers have neither gaps nor duplicates."""
    year = timezone.localtime(when).year
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO remarks_referencecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = remarks_referencecounter.last + 1 "
            "RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"{REFERENCE_PREFIX}/{year}/{number:04d}"


@dataclass
class RemarkInput:
    """What a resident or a clerk writes in the remark form."""

    document_part: str = ""
    current_wording: str = ""
    proposed_wording: str = ""
    justification: str = ""
    author_kind: str = AuthorKind.PERSON
    author_name: str = ""
    organisation_name: str = ""
    address: str = ""
    email: str = ""
    unit_id: int | None = None
    parent_id: int | None = None

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> RemarkInput:
        """From a remark form's cleaned data (the resident's or the clerk's)."""
        names = (
            "document_part",
            "current_wording",
            "proposed_wording",
            "justification",
            "author_kind",
            "author_name",
            "organisation_name",
            "address",
            "email",
        )
        return cls(**{name: data[name] for name in names})


def _cleaned(data: RemarkInput) -> RemarkInput:
    values = text_checked(
        {name: getattr(data, name) for name in LIMITS if hasattr(data, name)},
        {name: LIMITS[name] for name in LIMITS if hasattr(data, name)},
    )
    values["email"] = values["email"].lower()
    return RemarkInput(
        **values, author_kind=data.author_kind, unit_id=data.unit_id, parent_id=data.parent_id
    )


def _rule_text(rules: RemarkRules, text: str) -> str:
    source = rules.source or _("the settings of the remark form of this consultation")
    return f"{text} ({source})"[:500]


def _author_errors(data: RemarkInput, rules: RemarkRules) -> dict[str, list[str]]:
    """What the online form refuses about the author, by the consultation's rules."""
    errors: dict[str, list[str]] = {}
    if data.author_kind not in AuthorKind.values:
        errors["author_kind"] = [_("Choose who is sending the remark.")]
        return errors
    if data.author_kind == AuthorKind.ANONYMOUS and not rules.anonymous_accepted:
        errors["author_kind"] = [
            _("This consultation does not accept anonymous remarks: please give your name.")
        ]
    if data.author_kind == AuthorKind.ORGANISATION and not data.organisation_name:
        errors["organisation_name"] = [_("Please give the name of the organisation.")]
    if data.author_kind != AuthorKind.ANONYMOUS:
        if rules.name_required and not data.author_name:
            errors["author_name"] = [_("Please give your first name and surname.")]
        if rules.address_required and not data.address:
            errors["address"] = [_("Please give your address (this consultation requires it).")]
    return errors


def _email_error(email: str) -> list[str] | None:
    try:
        validate_email(email)
    except ValidationError:
        return [_("Enter a valid e-mail address, e.g. jan.kowalski@example.pl.")]
    return None


def _insert_once(remark: Remark) -> tuple[Remark, bool]:
    """Insert, or return the remark already stored under the same idempotency key. A racing
    duplicate waits on the unique index until the first commits, then fails and reads it."""
    try:
        with transaction.atomic():
            remark.save()
    except IntegrityError:
        existing = Remark.objects.filter(idempotency_key=remark.idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    # The consultation page shows how many remarks (or comments) a finished form received.
    public_change("contributions", remark.consultation_id)
    return remark, True


def _register(remark: Remark, *, now: datetime) -> None:
    remark.state = RemarkState.REGISTERED
    remark.registered_at = now
    remark.reference = reference_next(when=now)


def _issues_on_registration(
    remark: Remark, *, rules: RemarkRules, window_end: datetime | None, late: bool
) -> list[FormalIssue]:
    issues: list[FormalIssue] = []
    if late and window_end is not None:
        end = date_format(timezone.localtime(window_end), "DATETIME_FORMAT")
        issues.append(
            FormalIssue(
                remark=remark,
                code=FormalIssueCode.LATE,
                rule=_rule_text(rules, _("Remarks were accepted until %(end)s") % {"end": end}),
            )
        )
    if remark.author_kind == AuthorKind.ANONYMOUS and not rules.anonymous_accepted:
        issues.append(
            FormalIssue(
                remark=remark,
                code=FormalIssueCode.ANONYMOUS,
                rule=_rule_text(rules, _("Anonymous remarks are not accepted")),
            )
        )
    missing = []
    if remark.author_kind != AuthorKind.ANONYMOUS:
        if rules.name_required and not remark.author_name and not remark.organisation_name:
            missing.append(_("the author's name"))
        if rules.address_required and not remark.address:
            missing.append(_("the author's address"))
    if not (remark.proposed_wording or remark.justification or remark.current_wording):
        missing.append(_("the content of the remark"))
    if missing:
        issues.append(
            FormalIssue(
                remark=remark,
                code=FormalIssueCode.INCOMPLETE,
                rule=_rule_text(rules, _("Missing: %(what)s") % {"what": ", ".join(missing)}),
            )
        )
    return issues


@dataclass(frozen=True)
class SubmitResult:
    remark: Remark
    # False when the same submission (idempotency key) had already been stored.
    created: bool
    # True when the resident must still confirm the e-mail address from the link.
    needs_confirmation: bool


def remark_submit(
    *,
    consultation_id: int,
    data: RemarkInput,
    idempotency_key: uuid.UUID,
    consent: bool,
    user: Any = None,
    attachment: UploadedFile | None = None,
    now: datetime | None = None,
    form: ParticipationForm | None = None,
) -> SubmitResult:
    """A resident sends a remark through the online form, or comments a unit of the draft.

    Refused with a Polish message (nothing stored) after the end of the form's window, when
    the consultation's rules on the author are not met, or when a field is too long or the
    attachment is not a PDF, DOCX or ODT of at most 10 MB. A signed-in resident with a
    verified address gets a reference number at once; anyone else gets a link to confirm
    the address, and the number when they confirm. The same idempotency key again returns
    the remark already stored.

    ``form`` is the consultation's form with its consultation if the caller has just read it
    (the form's page has), saving the query. Everything is read and checked before the one
    short transaction that writes: the remark (with its reference number when it is
    registered at once), its automatic flag and the mail queued after the commit.
    """
    now = now or timezone.now()
    existing = Remark.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return SubmitResult(existing, False, existing.state == RemarkState.PENDING)
    comment = data.unit_id is not None or data.parent_id is not None
    kind = KIND_COMMENTS if comment else KIND_REMARKS
    if form is None or form.consultation_id != consultation_id or form.kind != kind:
        form = selectors.form_with_consultation(consultation_id, kind)
    if form is None:
        raise ValidationError(_("This consultation does not take remarks in this form."))
    consultation = form.consultation
    if consultation.status != ConsultationStatus.OPEN or not form.is_open_at(now):
        raise ValidationError(
            _(
                "Remarks are not accepted now: this consultation accepts them online only "
                "while it is open. If you have missed the deadline, please contact the office."
            )
        )
    rules = RemarkRules.from_settings(form.settings).tightened_by(consultation.rules_snapshot)
    data = _cleaned(data)
    errors = _author_errors(data, rules)
    unit = parent = None
    if comment:
        if data.parent_id is not None:
            parent = (
                Remark.objects.filter(
                    pk=data.parent_id,
                    consultation=consultation,
                    channel=Channel.DRAFT_COMMENT,
                    parent__isnull=True,
                    visibility=Visibility.PUBLISHED,
                )
                .select_related("unit")
                .first()
            )
            if parent is None or not rules.replies_allowed:
                errors["__all__"] = [_("This comment cannot be replied to.")]
            else:
                unit = parent.unit
        else:
            assert data.unit_id is not None  # a comment without a parent names its unit
            unit = DraftUnit.objects.filter(pk=data.unit_id, consultation=consultation).first()
            if unit is None:
                errors["__all__"] = [_("Choose a unit of the draft from the list.")]
        if not data.justification:
            errors["justification"] = [_("Please write your comment.")]
    else:
        if rules.sections and data.document_part and data.document_part not in rules.sections:
            errors["document_part"] = [_("Choose the part of the document from the list.")]
        if not data.proposed_wording:
            errors["proposed_wording"] = [_("Please write the proposed wording.")]
        if not data.justification:
            errors["justification"] = [_("Please write the justification.")]
    if not consent:
        errors["consent"] = [
            _("To send a remark, please confirm that you have read the privacy notice.")
        ]
    verified = selectors.verified_email_of(user)
    email = data.email or verified
    if not email:
        errors["email"] = [_("Please give an e-mail address: we send a link to confirm it.")]
    elif _email_error(email):
        errors["email"] = _email_error(email) or []
    attachment_kind = ""
    if attachment is not None and not comment:
        try:
            attachment_kind = file_check(
                attachment, field="attachment", images=False, max_bytes=ATTACHMENT_MAX_BYTES
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    flagged = banned_words_found(data.justification, data.proposed_wording, data.current_wording)
    remark = Remark(
        consultation=consultation,
        channel=Channel.DRAFT_COMMENT if comment else Channel.ONLINE,
        state=RemarkState.PENDING,
        idempotency_key=idempotency_key,
        unit=unit,
        parent=parent,
        document_part=unit.label if unit else data.document_part,
        current_wording="" if comment else data.current_wording,
        proposed_wording="" if comment else data.proposed_wording,
        justification=data.justification,
        author_kind=data.author_kind,
        author_name="" if data.author_kind == AuthorKind.ANONYMOUS else data.author_name,
        organisation_name=data.organisation_name
        if data.author_kind == AuthorKind.ORGANISATION
        else "",
        address="" if data.author_kind == AuthorKind.ANONYMOUS else data.address,
        email=email,
        user=user if getattr(user, "is_authenticated", False) else None,
        consent_at=now,
        submitted_at=now,
        visibility=Visibility.AWAITING
        if rules.moderation == MODERATION_PRE
        else Visibility.PUBLISHED,
        needs_review=bool(flagged),
    )
    confirmed_now = bool(verified) and email == verified
    token = ""
    if not confirmed_now:
        token = secrets.token_urlsafe(32)
        remark.confirmation_hash = selectors.token_hash(token)
        remark.confirmation_sent_at = now
    if attachment_kind:
        assert attachment is not None  # attachment_kind is set only for a checked file
        remark.attachment_kind = attachment_kind
        remark.attachment_name = text_checked(
            {"name": (attachment.name or "")[:250]}, {"name": 250}
        )["name"]
    try:
        with transaction.atomic():
            if confirmed_now:
                # The number is taken in the inserting transaction: a rolled-back insert (a
                # duplicate key) gives it back.
                _register(remark, now=now)
            remark.save()
            # The form is open (checked above): its count is not shown while it is.
            public_change("contributions", consultation.pk, form_open=True)
            if attachment_kind:
                remark.attachment.save(f"attachment.{attachment_kind}", attachment, save=True)
            if flagged:
                from remarks.models import Flag

                Flag.objects.create(
                    remark=remark,
                    automatic=True,
                    reason=_("Words from the list for review: %(words)s")
                    % {"words": ", ".join(flagged)},
                )
            if confirmed_now:
                task_queue_on_commit("remarks.tasks.remark_registered_send", remark.pk)
            else:
                task_queue_on_commit("remarks.tasks.remark_confirmation_send", remark.pk, token)
    except IntegrityError:
        # The same submission raced this one: it waited on the unique index until the
        # other committed. What the other stored is the answer.
        existing = Remark.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return SubmitResult(existing, False, existing.state == RemarkState.PENDING)
    return SubmitResult(remark, True, not confirmed_now)


@transaction.atomic
def remark_confirm(*, token: str, now: datetime | None = None) -> Remark:
    """Register the remark a confirmation link was sent for: it gets its reference number
    and a confirmation mail. It counts as sent when the form was sent, so a link followed
    after the end still registers a remark sent in time. A second use changes nothing."""
    now = now or timezone.now()
    remark = selectors.remark_for_confirmation(token=token, now=now, lock=True)
    if remark is None:
        raise ValidationError(_("This link is not valid (it may have expired or been used)."))
    if remark.state == RemarkState.REGISTERED:
        return remark
    _register(remark, now=now)
    remark.confirmation_hash = ""
    remark.save(update_fields=["state", "registered_at", "reference", "confirmation_hash"])
    task_queue_on_commit("remarks.tasks.remark_registered_send", remark.pk)
    return remark


@transaction.atomic
def remark_enter(
    *,
    acting_user: User,
    consultation_id: int,
    channel: str,
    data: RemarkInput,
    received_on: date,
    case_number: str,
    idempotency_key: uuid.UUID,
    scan: UploadedFile | None = None,
    meeting_event_id: int | None = None,
    now: datetime | None = None,
) -> Remark:
    """A clerk registers a remark received on paper, by e-mail, through ePUAP or at a
    meeting, with the date it was received, the case number and a scan of the original.

    A remark made at a meeting (written in its minutes) names the event: one of the
    consultation's events that the participation registry lists (meetings registers them),
    not cancelled and held by the date received.

    It is registered at once with a reference number, whatever it lacks: what the
    consultation's rules require and it does not meet, and a date received after the end,
    are recorded as formal defects with the rule that applied."""
    now = now or timezone.now()
    existing = Remark.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    errors: dict[str, list[str]] = {}
    if channel not in STAFF_CHANNELS:
        errors["channel"] = [_("Choose how the remark arrived.")]
    if consultation.status not in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED):
        raise ValidationError(
            _("Remarks can be registered only while the consultation is open or closed.")
        )
    form = selectors.participation_form_of(consultation, KIND_REMARKS)
    if form is None:
        raise ValidationError(_("This consultation does not take remarks."))
    rules = RemarkRules.from_settings(form.settings).tightened_by(consultation.rules_snapshot)
    data = _cleaned(data)
    if data.author_kind not in AuthorKind.values:
        errors["author_kind"] = [_("Choose who sent the remark.")]
    if data.email and _email_error(data.email):
        errors["email"] = _email_error(data.email) or []
    today = timezone.localdate(now)
    if received_on > today:
        errors["received_on"] = [_("The date received cannot be in the future.")]
    event = None
    if channel == Channel.MEETING:
        event = (
            participation.event_get(consultation, meeting_event_id)
            if meeting_event_id is not None
            else None
        )
        if event is None:
            errors["meeting_event"] = [_("Choose the meeting at which the remark was made.")]
        elif event.cancelled:
            errors["meeting_event"] = [_("This event was cancelled: no remarks were made at it.")]
        elif timezone.localdate(event.starts_at) > received_on:
            errors["received_on"] = [
                _("A remark made at a meeting cannot be received before the meeting (%(day)s).")
                % {"day": date_format(timezone.localtime(event.starts_at), "j E Y")}
            ]
    _starts, ends = selectors.form_window(consultation, form)
    scan_kind = ""
    if scan is not None:
        try:
            scan_kind = file_check(scan, field="scan", images=True, max_bytes=SCAN_MAX_BYTES)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    case_number = text_checked({"case_number": case_number}, LIMITS)["case_number"]
    late = ends is not None and received_on > timezone.localdate(ends)
    remark = Remark(
        consultation=consultation,
        channel=channel,
        state=RemarkState.PENDING,
        idempotency_key=idempotency_key,
        document_part=data.document_part,
        current_wording=data.current_wording,
        proposed_wording=data.proposed_wording,
        justification=data.justification,
        author_kind=data.author_kind,
        author_name=data.author_name,
        organisation_name=data.organisation_name,
        address=data.address,
        email=data.email,
        received_on=received_on,
        case_number=case_number,
        meeting_event_id=event.id if event else None,
        meeting_event_label=event.label[:400] if event else "",
        scan_kind=scan_kind,
        entered_by=acting_user,
        submitted_at=now,
        visibility=Visibility.AWAITING
        if rules.moderation == MODERATION_PRE
        else Visibility.PUBLISHED,
    )
    _register(remark, now=now)
    remark, created = _insert_once(remark)
    if not created:
        return remark
    if scan_kind:
        remark.scan.save(f"scan.{scan_kind}", scan, save=True)
    issues = _issues_on_registration(remark, rules=rules, window_end=ends, late=late)
    FormalIssue.objects.bulk_create(issues)
    if issues:
        remark.formally_defective = True
        remark.save(update_fields=["formally_defective"])
    audit_record(
        acting_user=acting_user,
        action="remark_enter",
        target=remark,
        consultation=consultation,
        details={
            "reference": remark.reference,
            "channel": channel,
            "late": late,
            "meeting_event": remark.meeting_event_label,
        },
    )
    return remark


@transaction.atomic
def formal_issue_record(
    *, acting_user: User, remark_id: int, code: str, rule: str, note: str = ""
) -> FormalIssue:
    """Staff record a formal defect (e.g. outside the subject) with the rule that applies."""
    remark = Remark.objects.select_for_update().select_related("consultation").get(pk=remark_id)
    if code not in FormalIssueCode.values:
        raise ValidationError({"code": [_("Choose a formal defect from the list.")]})
    values = text_checked({"rule": rule, "note": note}, {"rule": 500, "note": 500})
    if not values["rule"]:
        raise ValidationError({"rule": [_("Please name the rule that applies.")]})
    issue, _created = FormalIssue.objects.update_or_create(
        remark=remark,
        code=code,
        defaults={"rule": values["rule"], "note": values["note"], "recorded_by": acting_user},
    )
    remark.formally_defective = True
    remark.save(update_fields=["formally_defective"])
    audit_record(
        acting_user=acting_user,
        action="remark_formal_issue_record",
        target=remark,
        consultation=remark.consultation,
        details={"code": code, "rule": values["rule"]},
    )
    return issue


@transaction.atomic
def formal_issue_withdraw(*, acting_user: User, remark_id: int, code: str) -> None:
    """Staff withdraw a formal defect found in error."""
    remark = Remark.objects.select_for_update().select_related("consultation").get(pk=remark_id)
    deleted, _rows = FormalIssue.objects.filter(remark=remark, code=code).delete()
    if not deleted:
        return
    remark.formally_defective = remark.formal_issues.exists()
    remark.save(update_fields=["formally_defective"])
    audit_record(
        acting_user=acting_user,
        action="remark_formal_issue_withdraw",
        target=remark,
        consultation=remark.consultation,
        details={"code": code},
    )
