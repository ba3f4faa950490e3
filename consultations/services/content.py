"""A consultation's content and dates: create, update, the legal checks on dates."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from consultations.models import (
    Area,
    Category,
    Consultation,
    ConsultationStatus,
    Department,
    LegalBasis,
)
from consultations.permissions import can_organise_in
from consultations.public_changes import public_change
from consultations.services.audit import audit_record
from consultations.services.notice import notice_refresh
from consultations.services.participation_forms import (
    participation_form_window_errors,
    participation_forms_set,
    participation_kind_choice_errors,
)


@dataclass
class ConsultationInput:
    """What a clerk fills in on the consultation form."""

    title: str
    summary: str = ""
    description: str = ""
    legal_basis: str = LegalBasis.COUNCIL_RESOLUTION
    department_id: int | None = None
    area_ids: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    target_groups: str = ""
    # Names of registered participation kinds (consultations.participation); None leaves a
    # consultation's forms as they are.
    participation_forms: list[str] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def consultation_dates_check(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    now: datetime | None = None,
) -> None:
    """Raise ValidationError when the dates make no sense: the end before the start, or (with
    ``now``, when ordering and scheduling) a start in the past. The legal minimums are the
    rule set's (consultations.services.rules), checked when ordering, scheduling, opening."""
    errors: dict[str, list[str]] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The end must be later than the start."))
    if now is not None and starts_at is not None and starts_at < now:
        errors.setdefault("starts_at", []).append(
            _("The start cannot be in the past. Choose a later start.")
        )
    if errors:
        raise ValidationError(errors)


# Addresses under /konsultacje/ that the feeds own: a consultation titled "RSS" must not hide.
RESERVED_SLUGS = frozenset({"rss", "atom"})


def _slug_for(title: str, pk: int | None = None) -> str:
    polish = str.maketrans({"ł": "l", "Ł": "L"})
    # slugify drops an en dash or a slash and glues "2027–2035" into "20272035": every dash
    # (Unicode category Pd), the minus sign and a slash become a space first.
    spaced = "".join(
        " " if unicodedata.category(ch) == "Pd" or ch in "\u2212/" else ch for ch in title
    )
    base = slugify(spaced.translate(polish))[:80].strip("-") or "konsultacje"
    if base in RESERVED_SLUGS:
        base = f"{base}-konsultacje"
    slug = base
    counter = 2
    others = Consultation.objects.exclude(pk=pk) if pk is not None else Consultation.objects.all()
    while others.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _consultation_fields_check(
    *, acting_user: User, data: ConsultationInput, consultation: Consultation | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Enter a title.")]
    if data.legal_basis not in LegalBasis.values:
        errors["legal_basis"] = [_("Choose a legal basis from the list.")]
    form_errors = participation_kind_choice_errors(consultation, data.participation_forms or [])
    if form_errors:
        errors["participation_forms"] = form_errors
    if (
        data.department_id is not None
        and not Department.objects.filter(pk=data.department_id).exists()
    ):
        errors["department"] = [_("Choose a department from the list.")]
    elif not can_organise_in(acting_user, data.department_id):
        errors["department"] = [_("You can only organise consultations of your own departments.")]
    if len(set(data.area_ids)) != Area.objects.filter(pk__in=data.area_ids).count():
        errors["areas"] = [_("Choose areas from the list.")]
    if len(set(data.category_ids)) != Category.objects.filter(pk__in=data.category_ids).count():
        errors["categories"] = [_("Choose categories from the list.")]
    try:
        consultation_dates_check(starts_at=data.starts_at, ends_at=data.ends_at)
    except ValidationError as exc:
        for key, messages_ in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages_)
    if consultation is not None and not errors.get("ends_at"):
        # The forms' own windows must stay inside the consultation's new dates.
        dates = Consultation(starts_at=data.starts_at, ends_at=data.ends_at)
        for form in consultation.participation_forms.all():
            if participation_form_window_errors(dates, form.starts_at, form.ends_at):
                errors.setdefault("starts_at", []).append(
                    _(
                        "A form of participation has its own dates outside the new ones: "
                        "change or clear the form's dates first."
                    )
                )
                break
    if errors:
        raise ValidationError(errors)


# The fields whose change the history names (the forms record their own events).
AUDITED_FIELDS = (
    "title",
    "summary",
    "description",
    "legal_basis",
    "department_id",
    "target_groups",
    "starts_at",
    "ends_at",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _consultation_apply(consultation: Consultation, data: ConsultationInput) -> None:
    consultation.title = data.title.strip()
    consultation.summary = data.summary.strip()
    consultation.description = data.description.strip()
    consultation.legal_basis = data.legal_basis
    consultation.department_id = data.department_id
    consultation.target_groups = ", ".join(
        tag.strip() for tag in data.target_groups.split(",") if tag.strip()
    )
    consultation.starts_at = data.starts_at
    consultation.ends_at = data.ends_at
    consultation.contact_name = data.contact_name.strip()
    consultation.contact_email = data.contact_email.strip().lower()
    consultation.contact_phone = data.contact_phone.strip()


@transaction.atomic
def consultation_create(*, acting_user: User, data: ConsultationInput) -> Consultation:
    """Create a draft consultation with an address (slug) unique in the municipality."""
    _consultation_fields_check(acting_user=acting_user, data=data)
    consultation = Consultation(created_by=acting_user, status=ConsultationStatus.DRAFT)
    _consultation_apply(consultation, data)
    consultation.slug = _slug_for(consultation.title)
    consultation.save()
    consultation.areas.set(data.area_ids)
    consultation.categories.set(data.category_ids)
    audit_record(acting_user=acting_user, action="consultation_create", target=consultation)
    participation_forms_set(
        acting_user=acting_user,
        consultation_id=consultation.pk,
        kind_names=data.participation_forms or [],
    )
    public_change("content", consultation.pk)
    return consultation


# Once ordered, the dates are what the order's price was computed from: they change only after
# the order is cancelled (which sends the consultation back to draft).
DATES_EDITABLE = {ConsultationStatus.DRAFT}


@transaction.atomic
def consultation_update(
    *, acting_user: User, consultation_id: int, data: ConsultationInput
) -> Consultation:
    """Change a consultation's content. Dates change only before it is ordered; an
    archived consultation changes no more. The slug stays, so shared links keep working."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise ValidationError(_("An archived consultation can no longer be changed."))
    frozen = consultation.status not in DATES_EDITABLE
    if frozen and (
        _to_the_minute(data.starts_at) != _to_the_minute(consultation.starts_at)
        or _to_the_minute(data.ends_at) != _to_the_minute(consultation.ends_at)
    ):
        raise ValidationError(
            {
                "starts_at": [
                    _(
                        "The dates are fixed once the consultation is ordered: its price "
                        "depends on them. Cancel the order to change them."
                    )
                ]
            }
        )
    if frozen:
        # The same dates to the minute (the form's precision): keep the stored ones exactly.
        data = replace(data, starts_at=consultation.starts_at, ends_at=consultation.ends_at)
    _consultation_fields_check(acting_user=acting_user, data=data, consultation=consultation)
    before = {name: getattr(consultation, name) for name in AUDITED_FIELDS}
    before_m2m = (
        set(consultation.areas.values_list("pk", flat=True)),
        set(consultation.categories.values_list("pk", flat=True)),
    )
    _consultation_apply(consultation, data)
    consultation.save()
    consultation.areas.set(data.area_ids)
    consultation.categories.set(data.category_ids)
    changed = [name for name in AUDITED_FIELDS if getattr(consultation, name) != before[name]]
    if before_m2m[0] != set(data.area_ids):
        changed.append("areas")
    if before_m2m[1] != set(data.category_ids):
        changed.append("categories")
    if changed:
        audit_record(
            acting_user=acting_user,
            action="consultation_update",
            target=consultation,
            details={"fields": [name.removesuffix("_id") for name in changed]},
        )
    if data.participation_forms is not None:
        participation_forms_set(
            acting_user=acting_user,
            consultation_id=consultation.pk,
            kind_names=data.participation_forms,
        )
    if changed:
        public_change("content", consultation.pk)
    notice_refresh(acting_user=acting_user, consultation_id=consultation.pk)
    return consultation


def _to_the_minute(value: datetime | None) -> datetime | None:
    """The precision of the form's date fields: seconds and microseconds don't count."""
    return value.replace(second=0, microsecond=0) if value is not None else None
