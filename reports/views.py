"""Thin views of the report: the coordinator's page in the panel, the public report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from common.tokens import row_token_read
from consultations import permissions
from consultations.models import Consultation, ConsultationStatus
from consultations.selectors import consultation_get_for_staff, consultation_get_public
from reports import builder, selectors, services
from reports.archive import archive_file
from reports.formats import FORMATS
from reports.formats.html import report_body_html
from reports.forms import ConclusionsForm, EffectsForm, ErratumForm
from reports.models import JobStatus, ReportVersion


def _managed(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = consultation_get_for_staff(request.user, consultation_id=consultation_id)
    if consultation is None or not permissions.can_manage_consultation(request.user, consultation):
        raise Http404
    return consultation


def _panel_render(
    request: HttpRequest,
    consultation: Consultation,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    blockers: list[dict[str, Any]] | None = None,
    conclusions_form: ConclusionsForm | None = None,
    erratum_form: ErratumForm | None = None,
    effects_form: EffectsForm | None = None,
) -> HttpResponse:
    report = selectors.report_get(consultation)
    preview = selectors.preview_latest(consultation)
    closed = consultation.status == ConsultationStatus.CLOSED
    if blockers is None and closed:
        blockers = builder.report_blockers(consultation)
    versions = list(selectors.published_versions(consultation))
    context = {
        "consultation": consultation,
        "report": report,
        "countdown": selectors.report_countdown(consultation),
        "preview": preview,
        "preview_files": selectors.version_files(preview) if preview else [],
        "running": preview is not None and preview.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "blockers": blockers or [],
        "versions": [(v, selectors.version_files(v), services.version_label(v)) for v in versions],
        "errors": errors or [],
        "conclusions_form": conclusions_form
        or ConclusionsForm(initial={"conclusions": report.conclusions_html if report else ""}),
        "erratum_form": erratum_form or ErratumForm(),
        "effects_form": effects_form
        or EffectsForm(
            initial={
                "text": report.effects_text if report else "",
                "url": report.effects_url if report else "",
            }
        ),
        "can_prepare": consultation.status
        in (ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED),
        "S": ConsultationStatus,
    }
    return render(request, "reports/panel/report.html", context, status=status)


@permission_required(permissions.can_work_on_consultations)
def panel_report(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _panel_render(request, _managed(request, consultation_id))


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def panel_conclusions(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    form = ConclusionsForm(request.POST)
    if not form.is_valid():
        return _panel_render(request, consultation, conclusions_form=form, status=400)
    try:
        services.report_conclusions_save(
            acting_user=request.user,
            consultation_id=consultation.pk,
            html=form.cleaned_data["conclusions"],
        )
    except ValidationError as exc:
        return _panel_render(
            request, consultation, conclusions_form=form, errors=_errors(exc), status=400
        )
    messages.success(request, _("The conclusions have been saved."))
    return redirect("panel_report", consultation_id=consultation.pk)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def panel_generate(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    try:
        services.report_generate(acting_user=request.user, consultation_id=consultation.pk)
    except ValidationError as exc:
        return _panel_render(request, consultation, errors=_errors(exc), status=400)
    messages.success(request, _("The report is being generated. This page shows its progress."))
    return redirect("panel_report", consultation_id=consultation.pk)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def panel_publish(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    try:
        services.report_publish(acting_user=request.user, consultation_id=consultation.pk)
    except services.ReportBlocked as exc:
        return _panel_render(
            request, consultation, errors=_errors(exc), blockers=exc.blockers, status=400
        )
    except ValidationError as exc:
        return _panel_render(request, consultation, errors=_errors(exc), status=400)
    messages.success(request, _("The report has been published."))
    return redirect("panel_report", consultation_id=consultation.pk)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def panel_erratum(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    form = ErratumForm(request.POST)
    if not form.is_valid():
        return _panel_render(request, consultation, erratum_form=form, status=400)
    try:
        services.report_erratum_publish(
            acting_user=request.user,
            consultation_id=consultation.pk,
            note=form.cleaned_data["note"],
        )
    except services.ReportBlocked as exc:
        return _panel_render(
            request, consultation, errors=_errors(exc), blockers=exc.blockers, status=400
        )
    except ValidationError as exc:
        return _panel_render(
            request, consultation, erratum_form=form, errors=_errors(exc), status=400
        )
    messages.success(request, _("The erratum has been published."))
    return redirect("panel_report", consultation_id=consultation.pk)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def panel_effects(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    form = EffectsForm(request.POST)
    if not form.is_valid():
        return _panel_render(request, consultation, effects_form=form, status=400)
    try:
        services.report_effects_save(
            acting_user=request.user,
            consultation_id=consultation.pk,
            text=form.cleaned_data["text"],
            url=form.cleaned_data["url"],
        )
    except ValidationError as exc:
        return _panel_render(
            request, consultation, effects_form=form, errors=_errors(exc), status=400
        )
    messages.success(request, _("The effects have been saved."))
    return redirect("panel_report", consultation_id=consultation.pk)


def _file_response(version: ReportVersion, fmt: str, name: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    report_file = selectors.version_file(version, fmt)
    if report_file is None:
        raise Http404
    response = HttpResponse(bytes(report_file.content), content_type=FORMATS[fmt].media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@permission_required(permissions.can_work_on_consultations)
def panel_preview_file(
    request: HttpRequest, consultation_id: int, version_id: int, fmt: str
) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    version = ReportVersion.objects.filter(consultation=consultation, pk=version_id).first()
    if version is None:
        raise Http404
    return _file_response(version, fmt, f"raport-{consultation.slug}-podglad")


@permission_required(permissions.can_work_on_consultations)
def panel_preview(request: HttpRequest, consultation_id: int, version_id: int) -> HttpResponse:
    consultation = _managed(request, consultation_id)
    version = ReportVersion.objects.filter(consultation=consultation, pk=version_id).first()
    if version is None or not version.data:
        raise Http404
    return render(
        request,
        "reports/resident/report.html",
        {
            "consultation": consultation,
            "version": version,
            "label": services.version_label(version),
            "body": report_body_html(version.data),
            "versions": [],
            "files": selectors.version_files(version),
            "preview": True,
        },
    )


@permission_required(permissions.can_work_on_consultations)
def panel_archive(request: HttpRequest, consultation_id: int) -> FileResponse:
    consultation = _managed(request, consultation_id)
    return FileResponse(
        archive_file(consultation),
        as_attachment=True,
        filename=f"archiwum-{consultation.slug}.zip",
        content_type="application/zip",
    )


def _public(slug: str) -> Consultation:
    consultation = consultation_get_public(slug=slug)
    if consultation is None:
        raise Http404
    return consultation


def report_page(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    consultation = _public(slug)
    version = selectors.published_version(consultation, number)
    if version is None:
        raise Http404
    versions = list(selectors.published_versions(consultation))
    report = selectors.report_get(consultation)
    return render(
        request,
        "reports/resident/report.html",
        {
            "consultation": consultation,
            "version": version,
            "label": services.version_label(version),
            "body": report_body_html(version.data),
            "versions": [(v, services.version_label(v)) for v in versions],
            "latest": versions[-1] if versions else None,
            "files": selectors.version_files(version),
            "report": report,
            "preview": False,
        },
    )


def report_file(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
    consultation = _public(slug)
    version = selectors.published_version(consultation, number)
    if version is None:
        raise Http404
    return _file_response(version, fmt, f"raport-{consultation.slug}-wersja-{number}")


def report_opt_out_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST does it: a mail client pre-fetching the link changes nothing."""
    read = row_token_read(services.OPT_OUT_PURPOSE, token)
    if read is None:
        raise Http404
    done = False
    if request.method == "POST":
        done = services.report_opt_out(mail_id=read[0], key=read[1])
        if not done:
            raise Http404
    return render(request, "reports/resident/opt_out.html", {"done": done})
