"""The forms of participation of a consultation: rows of registered kinds, each with an
optional own window inside the consultation's dates and the kind's settings.

A form that already holds contributions cannot be removed (Decidim refuses to destroy a
component with answers); a kind needing a price-list add-on is offered only when the
consultation's order includes it; a kind whose app is not installed is never offered, and
its existing rows are kept untouched."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations import participation
from consultations.models import Consultation, ConsultationStatus, ParticipationForm
from consultations.public_changes import public_change
from consultations.services.audit import audit_record
from consultations.services.notice import notice_refresh

FIELD = "participation_forms"


def _date(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def participation_kind_choice_errors(
    consultation: Consultation | None, kind_names: Iterable[str]
) -> list[str]:
    """Why these kind names cannot be chosen for the consultation (empty when they can).

    Offered: registered kinds whose add-on, if any, the order includes; a kind already in
    use stays choosable even if its add-on is no longer in the order."""
    names = list(dict.fromkeys(kind_names))
    errors: list[str] = []
    if any(participation.kind_get(name) is None for name in names):
        errors.append(_("Choose forms of participation from the list."))
    in_use: set[str] = set()
    offered: set[str] = {k.name for k in participation.kinds() if k.addon_code is None}
    if consultation is not None and consultation.pk:
        in_use = set(consultation.participation_forms.values_list("kind", flat=True))
        offered = {k.name for k in participation.kinds_offered(consultation)}
    for name in names:
        kind = participation.kind_get(name)
        if kind is not None and name not in offered and name not in in_use:
            errors.append(
                _(
                    "“%(label)s” is available only when the consultation's order includes "
                    "the matching add-on. Add it to the order first."
                )
                % {"label": kind.label}
            )
    return errors


def participation_form_window_errors(
    consultation: Consultation, starts_at: datetime | None, ends_at: datetime | None
) -> dict[str, list[str]]:
    """The form's own window must lie inside the consultation's dates."""
    errors: dict[str, list[str]] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The form's end must be later than its start."))
    c_start, c_end = consultation.starts_at, consultation.ends_at
    if starts_at and c_start and starts_at < c_start:
        errors.setdefault("starts_at", []).append(
            _("The form cannot start before the consultation does (%(date)s).")
            % {"date": _date(c_start)}
        )
    if starts_at and c_end and starts_at >= c_end:
        errors.setdefault("starts_at", []).append(
            _("The form must start before the consultation ends (%(date)s).")
            % {"date": _date(c_end)}
        )
    if ends_at and c_end and ends_at > c_end:
        errors.setdefault("ends_at", []).append(
            _("The form cannot end after the consultation does (%(date)s).")
            % {"date": _date(c_end)}
        )
    if ends_at and c_start and ends_at <= c_start:
        errors.setdefault("ends_at", []).append(
            _("The form must end after the consultation starts (%(date)s).")
            % {"date": _date(c_start)}
        )
    return errors


def _changeable(consultation: Consultation) -> None:
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise ValidationError(_("An archived consultation can no longer be changed."))


def _removable(form: ParticipationForm) -> None:
    kind = participation.kind_get(form.kind)
    if kind is None:
        # Its app is not installed: whether it holds contributions cannot be known.
        raise ValidationError(
            {
                FIELD: [
                    _(
                        "The form “%(kind)s” is not available yet, so it cannot be checked "
                        "for contributions and is kept."
                    )
                    % {"kind": form.kind}
                ]
            }
        )
    count = kind.contribution_count(form.consultation)
    if count > 0:
        raise ValidationError(
            {
                FIELD: [
                    ngettext(
                        "“%(label)s” cannot be removed: it already holds %(count)d "
                        "contribution from residents.",
                        "“%(label)s” cannot be removed: it already holds %(count)d "
                        "contributions from residents.",
                        count,
                    )
                    % {"label": kind.label, "count": count}
                ]
            },
            code="has_contributions",
        )


def _add(
    acting_user: Any,
    consultation: Consultation,
    kind_name: str,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    settings: dict[str, Any] | None = None,
) -> ParticipationForm:
    top = consultation.participation_forms.aggregate(m=Max("position"))["m"]
    position = 0 if top is None else top + 1
    form = ParticipationForm.objects.create(
        consultation=consultation,
        kind=kind_name,
        starts_at=starts_at,
        ends_at=ends_at,
        settings=settings or {},
        position=position,
    )
    audit_record(
        acting_user=acting_user,
        action="participation_form_add",
        target=form,
        consultation=consultation,
        details={"kind": kind_name, "starts_at": starts_at, "ends_at": ends_at},
    )
    public_change("participation", consultation.pk)
    return form


def _remove(acting_user: Any, form: ParticipationForm) -> None:
    _removable(form)
    audit_record(
        acting_user=acting_user,
        action="participation_form_remove",
        target=form,
        consultation=form.consultation,
        details={"kind": form.kind},
    )
    consultation_id = form.consultation_id
    form.delete()
    public_change("participation", consultation_id)


@transaction.atomic
def participation_form_add(
    *,
    acting_user: Any,
    consultation_id: int,
    kind_name: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    settings: dict[str, Any] | None = None,
) -> ParticipationForm:
    """Add a form of a registered, offered kind, with an optional own window inside the
    consultation's dates. A kind is used at most once per consultation."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    _changeable(consultation)
    if consultation.participation_forms.filter(kind=kind_name).exists():
        raise ValidationError({FIELD: [_("This form of participation is already in use.")]})
    errors: dict[str, list[str]] = {}
    kind_errors = participation_kind_choice_errors(consultation, [kind_name])
    if kind_errors:
        errors[FIELD] = kind_errors
    errors.update(participation_form_window_errors(consultation, starts_at, ends_at))
    if errors:
        raise ValidationError(errors)
    form = _add(
        acting_user,
        consultation,
        kind_name,
        starts_at=starts_at,
        ends_at=ends_at,
        settings=settings,
    )
    notice_refresh(acting_user=acting_user, consultation_id=consultation.pk)
    return form


@transaction.atomic
def participation_form_update(
    *,
    acting_user: Any,
    form_id: int,
    starts_at: datetime | None,
    ends_at: datetime | None,
    settings: dict[str, Any] | None = None,
) -> ParticipationForm:
    """Change a form's own window (None: follow the consultation) and its settings."""
    form = (
        ParticipationForm.objects.select_related("consultation").select_for_update().get(pk=form_id)
    )
    _changeable(form.consultation)
    errors = participation_form_window_errors(form.consultation, starts_at, ends_at)
    if errors:
        raise ValidationError(errors)
    before = {"starts_at": form.starts_at, "ends_at": form.ends_at, "settings": form.settings}
    form.starts_at, form.ends_at = starts_at, ends_at
    if settings is not None:
        form.settings = settings
    form.save()
    audit_record(
        acting_user=acting_user,
        action="participation_form_update",
        target=form,
        consultation=form.consultation,
        details={
            "kind": form.kind,
            "before": before,
            "after": {"starts_at": starts_at, "ends_at": ends_at, "settings": form.settings},
        },
    )
    public_change("participation", form.consultation_id)
    notice_refresh(acting_user=acting_user, consultation_id=form.consultation_id)
    return form


@transaction.atomic
def participation_form_remove(*, acting_user: Any, form_id: int) -> None:
    """Remove a form from its consultation, unless residents have already contributed to it."""
    form = (
        ParticipationForm.objects.select_related("consultation").select_for_update().get(pk=form_id)
    )
    _changeable(form.consultation)
    _removable(form)
    _remove(acting_user, form)
    notice_refresh(acting_user=acting_user, consultation_id=form.consultation_id)


@transaction.atomic
def participation_forms_set(
    *, acting_user: Any, consultation_id: int, kind_names: Iterable[str]
) -> list[ParticipationForm]:
    """Make the consultation's registered forms exactly ``kind_names`` (the panel's
    checkboxes): add the new ones, remove the unticked ones. Rows of kinds that are not
    registered are left as they are. Nothing changes unless every step is allowed."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
    _changeable(consultation)
    wanted = list(dict.fromkeys(kind_names))
    errors = participation_kind_choice_errors(consultation, wanted)
    if errors:
        raise ValidationError({FIELD: errors})
    current = {form.kind: form for form in consultation.participation_forms.all()}
    removals = [
        form
        for kind, form in current.items()
        if kind not in wanted and participation.kind_get(kind) is not None
    ]
    messages_: list[str] = []
    for form in removals:
        try:
            _removable(form)
        except ValidationError as exc:
            messages_.extend(exc.message_dict[FIELD])
    if messages_:
        raise ValidationError({FIELD: messages_})
    for form in removals:
        _remove(acting_user, form)
    for kind in participation.kinds():
        if kind.name in wanted and kind.name not in current:
            _add(acting_user, consultation, kind.name)
    notice_refresh(acting_user=acting_user, consultation_id=consultation.pk)
    return list(consultation.participation_forms.all())
