"""Writes of a municipality's site data."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from consultations.branding import MIN_CONTRAST_WITH_WHITE, contrast_ratio
from consultations.models import (
    HEX_COLOUR,
    Area,
    Category,
    Consultation,
    ConsultationStatus,
    Department,
    Document,
    DocumentKind,
    LegalBasis,
    News,
    ParticipationForm,
    SiteSettings,
)
from consultations.permissions import can_organise_in, can_publish_news_in
from consultations.selectors import SITE_SETTINGS_CACHE_KEY

COAT_OF_ARMS_MAX_BYTES = 1024 * 1024
COAT_OF_ARMS_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def _image_check(upload: UploadedFile) -> str:
    """Return the file extension for a real PNG/JPEG/WebP under 1 MB, else raise."""
    from PIL import Image, UnidentifiedImageError

    if upload.size and upload.size > COAT_OF_ARMS_MAX_BYTES:
        raise ValidationError({"coat_of_arms": [_("The image may be at most 1 MB.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError({"coat_of_arms": [_("Upload a PNG, JPEG or WebP image.")]}) from exc
    if image_format not in COAT_OF_ARMS_FORMATS:
        raise ValidationError({"coat_of_arms": [_("Upload a PNG, JPEG or WebP image.")]})
    upload.seek(0)
    return COAT_OF_ARMS_FORMATS[image_format]


@transaction.atomic
def site_settings_update(
    *,
    acting_user: User,
    primary_colour: str,
    tagline: str = "",
    coat_of_arms: UploadedFile | None = None,
    coat_of_arms_remove: bool = False,
) -> SiteSettings:
    """Change the municipality's branding; a colour too light for white text is refused."""
    errors: dict[str, list[str]] = {}
    try:
        HEX_COLOUR(primary_colour)
    except ValidationError as exc:
        errors["primary_colour"] = exc.messages
    else:
        if contrast_ratio(primary_colour, "#ffffff") < MIN_CONTRAST_WITH_WHITE:
            errors["primary_colour"] = [
                _(
                    "This colour is too light: white text on it would be hard to read "
                    "(contrast %(ratio)s:1, at least %(minimum)s:1 is required). "
                    "Choose a darker one."
                )
                % {
                    "ratio": number_format(contrast_ratio(primary_colour, "#ffffff"), 1),
                    "minimum": number_format(MIN_CONTRAST_WITH_WHITE, 1),
                }
            ]
    extension = ""
    if coat_of_arms is not None:
        try:
            extension = _image_check(coat_of_arms)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    row, _created = SiteSettings.objects.select_for_update().get_or_create(pk=1)
    row.primary_colour = primary_colour.lower()
    row.tagline = tagline.strip()
    if coat_of_arms_remove and row.coat_of_arms:
        row.coat_of_arms.delete(save=False)
    if coat_of_arms is not None:
        if row.coat_of_arms:
            row.coat_of_arms.delete(save=False)
        row.coat_of_arms.save(f"coat-of-arms.{extension}", coat_of_arms, save=False)
    row.save()
    transaction.on_commit(lambda: cache.delete(SITE_SETTINGS_CACHE_KEY))
    return row


def consultation_is_cleared(consultation: Consultation) -> bool:
    """The one place that decides whether a consultation may leave draft: its order is paid
    or provider staff approved it for payment by transfer (recorded by billing)."""
    return consultation.payment_cleared_at is not None


@transaction.atomic
def consultation_payment_clear(*, consultation_id: int, reference: str) -> Consultation:
    """Record that the consultation's order is paid or approved (called by billing, inside
    the municipality's schema). Idempotent: a second call keeps the first time."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.payment_cleared_at is None:
        consultation.payment_cleared_at = timezone.now()
        consultation.payment_reference = reference[:100]
        consultation.save(update_fields=["payment_cleared_at", "payment_reference", "updated_at"])
    return consultation


@transaction.atomic
def consultation_payment_revoke(*, consultation_id: int) -> Consultation:
    """The order was cancelled (and refunded) before opening: the consultation goes back to
    draft, unpaid, so it cannot open and its dates may be changed before ordering again."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    consultation.payment_cleared_at = None
    fields = ["payment_cleared_at", "updated_at"]
    if consultation.status in {ConsultationStatus.ORDERED, ConsultationStatus.SCHEDULED}:
        consultation.status = ConsultationStatus.DRAFT
        consultation.ordered_at = None
        consultation.scheduled_at = None
        fields += ["status", "ordered_at", "scheduled_at"]
    consultation.save(update_fields=fields)
    return consultation


# --- Catalogue: departments, areas, categories ----------------------------------------------


def _staff_with_role(user_ids: Iterable[int], role: str, field_name: str) -> list[User]:
    ids = set(user_ids)
    users = list(User.objects.filter(pk__in=ids, role=role, is_active=True))
    if len(users) != len(ids):
        raise ValidationError({field_name: [_("Choose only active staff members with this role.")]})
    return users


def _name_unique(model: type, name: str, pk: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if model.objects.filter(name__iexact=name).exclude(pk=pk).exists():
        raise ValidationError({"name": [_("An entry with this name already exists.")]})
    return name


@transaction.atomic
def department_save(
    *, acting_user: User, department_id: int | None, name: str, coordinator_ids: Iterable[int]
) -> Department:
    """Create (department_id None) or change a department and the coordinators bound to it."""
    from accounts.models import StaffRole

    department = (
        Department()
        if department_id is None
        else Department.objects.select_for_update().get(pk=department_id)
    )
    department.name = _name_unique(Department, name, department_id)
    coordinators = _staff_with_role(coordinator_ids, StaffRole.COORDINATOR, "coordinators")
    department.save()
    department.coordinators.set(coordinators)
    return department


GEOJSON_TYPES = {"Polygon", "MultiPolygon", "Feature", "FeatureCollection"}


def geojson_check(text: str) -> str:
    """Return the outline as compact GeoJSON text, or raise with a Polish message."""
    text = text.strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(
            {"outline": [_("The outline is not valid GeoJSON (JSON syntax error).")]}
        ) from exc
    if not isinstance(data, dict) or data.get("type") not in GEOJSON_TYPES:
        raise ValidationError(
            {
                "outline": [
                    _(
                        "The outline must be a GeoJSON Polygon, MultiPolygon, "
                        "Feature or FeatureCollection."
                    )
                ]
            }
        )
    if data["type"] in {"Polygon", "MultiPolygon"} and not isinstance(
        data.get("coordinates"), list
    ):
        raise ValidationError({"outline": [_("The outline has no coordinates.")]})
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@transaction.atomic
def area_save(
    *,
    acting_user: User,
    area_id: int | None,
    name: str,
    outline: str = "",
    editor_ids: Iterable[int] = (),
) -> Area:
    """Create (area_id None) or change an area, its outline and its district editors."""
    from accounts.models import StaffRole

    area = Area() if area_id is None else Area.objects.select_for_update().get(pk=area_id)
    errors: dict[str, list[str]] = {}
    try:
        area.name = _name_unique(Area, name, area_id)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        area.outline = geojson_check(outline)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        editors = _staff_with_role(editor_ids, StaffRole.DISTRICT_EDITOR, "editors")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    area.save()
    area.editors.set(editors)
    return area


@transaction.atomic
def category_save(*, acting_user: User, category_id: int | None, name: str) -> Category:
    """Create (category_id None) or rename a category."""
    category = (
        Category()
        if category_id is None
        else Category.objects.select_for_update().get(pk=category_id)
    )
    category.name = _name_unique(Category, name, category_id)
    category.save()
    return category


# --- Consultations: content ----------------------------------------------------------------

# Revitalisation act art. 6 ust. 3-4: remarks for at least 30 days, announced at least 7 days
# before the consultation starts.
REVITALISATION_MIN_DAYS = 30
REVITALISATION_NOTICE_DAYS = 7
# Assumption (documented for the lead): the spatial planning act's general plan procedure
# (art. 8k) gives residents at least 21 days to submit remarks; we enforce 21 days.
SPATIAL_PLANNING_MIN_DAYS = 21


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
    participation_forms: list[str] = field(default_factory=list)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _date(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def consultation_dates_check(
    *,
    legal_basis: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    now: datetime | None = None,
) -> None:
    """Raise ValidationError naming the legal rule the dates break.

    With ``now`` the rules about the present apply too (ordering and scheduling): the start
    is not in the past, and the revitalisation act's notice period is respected.
    """
    errors: dict[str, list[str]] = {}
    if starts_at and ends_at:
        length = ends_at - starts_at
        if ends_at <= starts_at:
            errors.setdefault("ends_at", []).append(_("The end must be later than the start."))
        elif legal_basis == LegalBasis.REVITALISATION and length < timedelta(
            days=REVITALISATION_MIN_DAYS
        ):
            errors.setdefault("ends_at", []).append(
                _(
                    "Revitalisation act, art. 6: residents must have at least %(days)s days to "
                    "submit remarks. Set the end on or after %(date)s."
                )
                % {
                    "days": REVITALISATION_MIN_DAYS,
                    "date": _date(starts_at + timedelta(days=REVITALISATION_MIN_DAYS)),
                }
            )
        elif legal_basis == LegalBasis.SPATIAL_PLANNING and length < timedelta(
            days=SPATIAL_PLANNING_MIN_DAYS
        ):
            errors.setdefault("ends_at", []).append(
                _(
                    "Spatial planning act, art. 8k (general plan): remarks must be collected for "
                    "at least %(days)s days. Set the end on or after %(date)s."
                )
                % {
                    "days": SPATIAL_PLANNING_MIN_DAYS,
                    "date": _date(starts_at + timedelta(days=SPATIAL_PLANNING_MIN_DAYS)),
                }
            )
    if now is not None and starts_at is not None:
        if starts_at < now:
            errors.setdefault("starts_at", []).append(
                _("The start cannot be in the past. Choose a later start.")
            )
        elif legal_basis == LegalBasis.REVITALISATION and starts_at - now < timedelta(
            days=REVITALISATION_NOTICE_DAYS
        ):
            errors.setdefault("starts_at", []).append(
                _(
                    "Revitalisation act, art. 6: the consultation must be announced at least "
                    "%(days)s days before it starts. Set the start on or after %(date)s."
                )
                % {
                    "days": REVITALISATION_NOTICE_DAYS,
                    "date": _date(now + timedelta(days=REVITALISATION_NOTICE_DAYS)),
                }
            )
    if errors:
        raise ValidationError(errors)


# Addresses under /konsultacje/ that the feeds own: a consultation titled "RSS" must not hide.
RESERVED_SLUGS = frozenset({"rss", "atom"})


def _slug_for(title: str, pk: int | None = None) -> str:
    polish = str.maketrans({"ł": "l", "Ł": "L"})
    base = slugify(title.translate(polish))[:80].strip("-") or "konsultacje"
    if base in RESERVED_SLUGS:
        base = f"{base}-konsultacje"
    slug = base
    counter = 2
    while Consultation.objects.filter(slug=slug).exclude(pk=pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _consultation_fields_check(*, acting_user: User, data: ConsultationInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Enter a title.")]
    if data.legal_basis not in LegalBasis.values:
        errors["legal_basis"] = [_("Choose a legal basis from the list.")]
    unknown_forms = set(data.participation_forms) - set(ParticipationForm.values)
    if unknown_forms:
        errors["participation_forms"] = [_("Choose forms of participation from the list.")]
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
        consultation_dates_check(
            legal_basis=data.legal_basis, starts_at=data.starts_at, ends_at=data.ends_at
        )
    except ValidationError as exc:
        for key, messages_ in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages_)
    if errors:
        raise ValidationError(errors)


def _consultation_apply(consultation: Consultation, data: ConsultationInput) -> None:
    consultation.title = data.title.strip()
    consultation.summary = data.summary.strip()
    consultation.description = data.description.strip()
    consultation.legal_basis = data.legal_basis
    consultation.department_id = data.department_id
    consultation.target_groups = ", ".join(
        tag.strip() for tag in data.target_groups.split(",") if tag.strip()
    )
    consultation.participation_forms = [
        v for v in ParticipationForm.values if v in data.participation_forms
    ]
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
    if consultation.status not in DATES_EDITABLE and (
        data.starts_at != consultation.starts_at or data.ends_at != consultation.ends_at
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
    _consultation_fields_check(acting_user=acting_user, data=data)
    _consultation_apply(consultation, data)
    consultation.save()
    consultation.areas.set(data.area_ids)
    consultation.categories.set(data.category_ids)
    return consultation


# --- Documents ------------------------------------------------------------------------------

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def document_kind_detect(upload: UploadedFile) -> str | None:
    """The real type from the file's bytes (the name and the browser's type are not
    trusted): PDF by its header, DOCX and ODT as ZIP packages with their marker entries."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            if "mimetype" in names and package.read("mimetype").strip() == ODT_MIMETYPE:
                return DocumentKind.ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DocumentKind.DOCX
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


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
    title = title.strip() or upload.name.rsplit(".", 1)[0]
    document = Document(
        consultation=consultation,
        title=title[:250],
        kind=kind,
        size=upload.size or 0,
        original_name=(upload.name or "")[:250],
    )
    document.file.save(f"document.{kind}", upload, save=False)
    document.save()
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
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Consultations: lifecycle ---------------------------------------------------------------

S = ConsultationStatus


@dataclass(frozen=True)
class Transition:
    label: Any
    sources: frozenset[str]
    target: str
    stamp: str  # the timestamp field set when it happens


# The whole lifecycle in one table: nothing else changes a consultation's status.
TRANSITIONS: dict[str, Transition] = {
    "order": Transition(
        pgettext_lazy("lifecycle action", "order"), frozenset({S.DRAFT}), S.ORDERED, "ordered_at"
    ),
    "schedule": Transition(
        pgettext_lazy("lifecycle action", "schedule"),
        frozenset({S.ORDERED}),
        S.SCHEDULED,
        "scheduled_at",
    ),
    "open": Transition(
        pgettext_lazy("lifecycle action", "open"), frozenset({S.SCHEDULED}), S.OPEN, "opened_at"
    ),
    "close": Transition(
        pgettext_lazy("lifecycle action", "close"), frozenset({S.OPEN}), S.CLOSED, "closed_at"
    ),
    "report_publish": Transition(
        pgettext_lazy("lifecycle action", "publish the report of"),
        frozenset({S.CLOSED}),
        S.REPORT_PUBLISHED,
        "report_published_at",
    ),
    "archive": Transition(
        pgettext_lazy("lifecycle action", "archive"),
        frozenset({S.CLOSED, S.REPORT_PUBLISHED}),
        S.ARCHIVED,
        "archived_at",
    ),
}

REQUIRED_TO_ORDER = {
    "summary": gettext_lazy("a summary in plain language"),
    "description": gettext_lazy("a description"),
    "department_id": gettext_lazy("the organising department"),
    "starts_at": gettext_lazy("the start"),
    "ends_at": gettext_lazy("the end"),
    "contact_name": gettext_lazy("a contact person"),
    "contact_email": gettext_lazy("a contact e-mail"),
    "participation_forms": gettext_lazy("at least one form of participation"),
}


def _transition(consultation_id: int, action: str, *, now: datetime | None = None) -> Consultation:
    """Lock the row, check the table, apply. Must run inside a transaction."""
    transition = TRANSITIONS[action]
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    if consultation.status not in transition.sources:
        raise ValidationError(
            _("Cannot %(action)s a consultation whose status is “%(status)s”.")
            % {"action": transition.label, "status": consultation.get_status_display()},
            code="transition",
        )
    consultation.status = transition.target
    setattr(consultation, transition.stamp, now or timezone.now())
    return consultation


def _stamp_save(consultation: Consultation, action: str, *extra: str) -> None:
    consultation.save(update_fields=["status", TRANSITIONS[action].stamp, "updated_at", *extra])


@transaction.atomic
def consultation_order(*, acting_user: User, consultation_id: int) -> Consultation:
    """draft → ordered: every required field and the dates are complete and lawful; billing
    then takes the order and calls consultation_payment_clear() once it is paid."""
    now = timezone.now()
    consultation = _transition(consultation_id, "order", now=now)
    missing = [
        str(label) for name, label in REQUIRED_TO_ORDER.items() if not getattr(consultation, name)
    ]
    if missing:
        raise ValidationError(
            _("Before ordering, fill in: %(fields)s.") % {"fields": ", ".join(missing)},
            code="incomplete",
        )
    consultation_dates_check(
        legal_basis=consultation.legal_basis,
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        now=now,
    )
    _stamp_save(consultation, "order")
    return consultation


@transaction.atomic
def consultation_schedule(*, acting_user: User, consultation_id: int) -> Consultation:
    """ordered → scheduled, only once billing cleared it: residents now see it announced."""
    now = timezone.now()
    consultation = _transition(consultation_id, "schedule", now=now)
    if not consultation_is_cleared(consultation):
        raise ValidationError(
            _(
                "The consultation can be scheduled once its order is paid "
                "or approved for payment by transfer."
            ),
            code="unpaid",
        )
    consultation_dates_check(
        legal_basis=consultation.legal_basis,
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        now=now,
    )
    _stamp_save(consultation, "schedule")
    return consultation


@transaction.atomic
def consultation_open(*, consultation_id: int, now: datetime | None = None) -> Consultation:
    """scheduled → open (the beat task calls it once the start has come)."""
    consultation = _transition(consultation_id, "open", now=now)
    _stamp_save(consultation, "open")
    return consultation


@transaction.atomic
def consultation_close(*, consultation_id: int, now: datetime | None = None) -> Consultation:
    """open → closed (the beat task calls it once the end has come): nothing more is accepted."""
    consultation = _transition(consultation_id, "close", now=now)
    _stamp_save(consultation, "close")
    return consultation


@transaction.atomic
def consultation_report_publish(
    *, acting_user: User, consultation_id: int, report_text: str
) -> Consultation:
    """closed → report_published with the text of the results. (The structured report with
    every remark's response arrives with the report issue.)"""
    consultation = _transition(consultation_id, "report_publish")
    if not report_text.strip():
        raise ValidationError(
            {"report_text": [_("Enter the results and the report.")]}, code="empty"
        )
    consultation.report_text = report_text.strip()
    _stamp_save(consultation, "report_publish", "report_text")
    return consultation


@transaction.atomic
def consultation_archive(*, acting_user: User, consultation_id: int) -> Consultation:
    """closed or report_published → archived: a read-only record from now on."""
    consultation = _transition(consultation_id, "archive")
    _stamp_save(consultation, "archive")
    return consultation


# How many rows one run locks at most in one schema; the next minute's run takes the rest.
ADVANCE_BATCH = 200


def consultations_advance(*, now: datetime | None = None) -> tuple[int, int]:
    """Open the scheduled consultations whose start has come and close the open ones whose
    end has come, in the current schema. Returns (opened, closed).

    Safe to run twice or concurrently: rows another run holds are skipped (SKIP LOCKED) and
    each transition re-checks the status under its lock, so nothing happens twice."""
    now = now or timezone.now()
    opened = closed = 0
    for status, due, action in (
        (S.SCHEDULED, {"starts_at__lte": now}, consultation_open),
        (S.OPEN, {"ends_at__lte": now}, consultation_close),
    ):
        with transaction.atomic():
            ids = list(
                Consultation.objects.select_for_update(skip_locked=True)
                .filter(status=status, **due)
                .order_by("pk")
                .values_list("pk", flat=True)[:ADVANCE_BATCH]
            )
            for pk in ids:
                action(consultation_id=pk, now=now)
        if status == S.SCHEDULED:
            opened = len(ids)
        else:
            closed = len(ids)
    return opened, closed


# --- News -----------------------------------------------------------------------------------


@transaction.atomic
def news_save(
    *,
    acting_user: User,
    news_id: int | None,
    title: str,
    body: str,
    area_id: int | None,
    published_at: datetime | None = None,
) -> News:
    """Publish (news_id None) or change a news item; an editor only for their own areas."""
    news = (
        News(author=acting_user)
        if news_id is None
        else News.objects.select_for_update().get(pk=news_id)
    )
    errors: dict[str, list[str]] = {}
    if news_id is not None and not can_publish_news_in(acting_user, news.area_id):
        raise ValidationError(_("You can only edit news of your own areas."))
    if not can_publish_news_in(acting_user, area_id):
        errors["area"] = [_("You can only publish news for the areas you are an editor of.")]
    if not title.strip():
        errors["title"] = [_("Enter a title.")]
    if not body.strip():
        errors["body"] = [_("Enter the text.")]
    if errors:
        raise ValidationError(errors)
    news.title = title.strip()
    news.body = body.strip()
    news.area_id = area_id
    news.published_at = published_at or news.published_at or timezone.now()
    news.save()
    return news
