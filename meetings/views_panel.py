"""Staff panel of meetings: a consultation's events, create/edit/cancel, the sign-up list,
attendance and minutes. Thin: parse, check a named permission, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from consultations.permissions import can_work_on_consultations
from consultations.selectors import participation_form_get
from meetings import permissions, selectors, services
from meetings.forms import AttendanceForm, CancelForm, EventForm, MinutesForm
from meetings.models import Event, SignupStatus


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _consultation_or_404(request: HttpRequest, consultation_id: int) -> Any:
    consultation = selectors.consultation_get_for_staff(
        request.user, consultation_id=consultation_id
    )
    if consultation is None or not permissions.can_see_events(request.user, consultation):
        raise Http404
    return consultation


def _event_or_404(request: HttpRequest, event_id: int, *, organise: bool = False) -> Event:
    event = selectors.event_get_for_staff(request.user, event_id=event_id)
    if event is None:
        raise Http404
    allowed = permissions.can_organise_events if organise else permissions.can_see_events
    if not allowed(request.user, event.consultation):
        raise Http404
    return event


@permission_required(can_work_on_consultations)
def event_list(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    events = selectors.events_for_staff(request.user).filter(consultation=consultation)
    return render(
        request,
        "meetings/panel/event_list.html",
        {
            "consultation": consultation,
            "events": events,
            "can_organise": permissions.can_organise_events(request.user, consultation),
            "uses_meetings": participation_form_get(consultation, selectors.KIND_NAME) is not None,
        },
    )


def _form_render(request: HttpRequest, form: EventForm, context: dict[str, Any]) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    # Shown once, above the form; the box to tick stays plain.
    warnings = form.errors.pop("warnings_acknowledged", None)
    return render(
        request,
        "meetings/panel/event_form.html",
        {"form": form, "warnings": warnings, **context},
        status=status,
    )


@permission_required(can_work_on_consultations)
def event_create(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_organise_events(request.user, consultation):
        raise Http404
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                acting_user=request.user,
                consultation_id=consultation.pk,
                data=form.to_input(),
                warnings_acknowledged=form.cleaned_data["warnings_acknowledged"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The event has been scheduled."))
            return redirect("meeting_panel_event", event_id=event.pk)
    return _form_render(request, form, {"consultation": consultation, "title": _("New event")})


@permission_required(can_work_on_consultations)
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id, organise=True)
    form = EventForm(request.POST or None, initial=EventForm.initial_from(event))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                acting_user=request.user,
                event_id=event.pk,
                data=form.to_input(),
                warnings_acknowledged=form.cleaned_data["warnings_acknowledged"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("meeting_panel_event", event_id=event.pk)
    return _form_render(
        request,
        form,
        {"consultation": event.consultation, "event": event, "title": _("Edit the event")},
    )


def _detail_render(
    request: HttpRequest,
    event: Event,
    *,
    attendance_form: AttendanceForm | None = None,
    minutes_form: MinutesForm | None = None,
    cancel_form: CancelForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    signups = list(selectors.signups_for_staff(event))
    confirmed = [s for s in signups if s.status == SignupStatus.CONFIRMED]
    initial = {"attendance": event.attendance, "attended": [s.pk for s in confirmed if s.attended]}
    return render(
        request,
        "meetings/panel/event_detail.html",
        {
            "event": event,
            "consultation": event.consultation,
            "confirmed": confirmed,
            "waiting": [s for s in signups if s.status == SignupStatus.WAITING],
            "cancelled_count": sum(1 for s in signups if s.status == SignupStatus.CANCELLED),
            "can_organise": permissions.can_organise_events(request.user, event.consultation),
            "attendance_form": attendance_form
            or AttendanceForm(signups=confirmed, initial=initial),
            "minutes_form": minutes_form or MinutesForm(),
            "cancel_form": cancel_form or CancelForm(),
            # Once it has started, remarks made at it can go into the register (the remarks
            # app's page, reached by its URL name: meetings never imports remarks).
            "held": event.starts_at <= timezone.now(),
            "errors": errors or [],
            "warnings": services.event_warnings(
                services.EventInput(
                    **{n: getattr(event, n) for n in services.EventInput.__dataclass_fields__}
                )
            ),
        },
        status=status,
    )


@permission_required(can_work_on_consultations)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    return _detail_render(request, _event_or_404(request, event_id))


@require_POST
@permission_required(can_work_on_consultations)
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id, organise=True)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail_render(request, event, cancel_form=form, status=400)
    try:
        services.event_cancel(
            acting_user=request.user, event_id=event.pk, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _detail_render(request, event, errors=exc.messages, status=400)
    messages.success(request, _("The event has been cancelled; everyone signed up is informed."))
    return redirect("meeting_panel_event", event_id=event.pk)


@require_POST
@permission_required(can_work_on_consultations)
def attendance(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id, organise=True)
    confirmed = event.signups.filter(status=SignupStatus.CONFIRMED).order_by("pk")
    form = AttendanceForm(request.POST, signups=confirmed)
    if form.is_valid():
        ticked = form.cleaned_data["attended"]
        try:
            services.attendance_record(
                acting_user=request.user,
                event_id=event.pk,
                attendance=form.cleaned_data["attendance"],
                attended_signup_ids=ticked if confirmed.exists() else None,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The attendance has been recorded."))
            return redirect("meeting_panel_event", event_id=event.pk)
    return _detail_render(request, event, attendance_form=form, status=400)


@require_POST
@permission_required(can_work_on_consultations)
def minutes_upload(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id, organise=True)
    form = MinutesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.minutes_upload(
                acting_user=request.user, event_id=event.pk, upload=form.cleaned_data["minutes"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The minutes have been attached."))
            return redirect("meeting_panel_event", event_id=event.pk)
    return _detail_render(request, event, minutes_form=form, status=400)


@permission_required(can_work_on_consultations)
def minutes_download(request: HttpRequest, event_id: int) -> FileResponse:
    event = _event_or_404(request, event_id)
    if not event.minutes:
        raise Http404
    name = f"protokol-{event.pk}.{event.minutes_kind}"
    return FileResponse(event.minutes.open("rb"), as_attachment=True, filename=name)
