"""The staff panel's survey builder, preview, results and exports. Plain forms: every step
works without JavaScript (reordering with up/down buttons)."""

from __future__ import annotations

import csv
import functools
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from consultations import permissions as consultation_permissions
from consultations.selectors import consultation_get_for_staff
from consultations.views_panel import errors_to_form
from surveys import permissions, selectors, services
from surveys.files import download_name
from surveys.forms import (
    InvitationsForm,
    QuestionForm,
    SectionForm,
    SurveySettingsForm,
    answers_from_post,
)
from surveys.models import Audience, Question, SurveyKind
from surveys.presentation import page_scripts, questions_for_page
from surveys.routes import BuilderRoutes

staff_only = permission_required(consultation_permissions.can_work_on_consultations)


@dataclass(frozen=True)
class BuilderAccess:
    """Who is at the builder and what they may do: the municipality's staff (from the staff
    panel) or the provider's staff (from the provider panel, in the municipality's schema,
    for a consultation whose order includes the add-on; see surveys.views_provider)."""

    consultation: Any
    can_build: bool
    routes: BuilderRoutes
    can_enter_paper: bool = False
    municipality: Any = None


BuilderCore = Callable[..., HttpResponse]


def staff_builder_view(core: BuilderCore) -> Callable[..., HttpResponseBase]:
    """A builder page as the municipality's staff reach it: the consultation they may see,
    building while :func:`surveys.permissions.can_build_survey` allows."""

    @staff_only
    @functools.wraps(core)
    def view(request: HttpRequest, consultation_id: int, kind: str, **kwargs: Any) -> HttpResponse:
        consultation = _consultation(request, consultation_id)
        access = BuilderAccess(
            consultation=consultation,
            can_build=permissions.can_build_survey(request.user, consultation),
            routes=BuilderRoutes(kind, consultation.pk),
            can_enter_paper=permissions.can_enter_paper_responses(request.user, consultation),
        )
        return core(request, access, kind, **kwargs)

    return view


def _consultation(request: HttpRequest, consultation_id: int) -> Any:
    consultation = consultation_get_for_staff(request.user, consultation_id=consultation_id)
    if consultation is None:
        raise Http404
    return consultation


def _survey(request: HttpRequest, consultation_id: int, kind: str, *, build: bool) -> Any:
    consultation = _consultation(request, consultation_id)
    if build and not permissions.can_build_survey(request.user, consultation):
        raise Http404
    survey = selectors.survey_of(consultation, kind)
    if survey is None:
        raise Http404
    return consultation, survey


def _builder_url(kind: str, consultation_id: int) -> str:
    return reverse(f"panel_{kind}_builder", kwargs={"consultation_id": consultation_id})


def _built(access: BuilderAccess, kind: str) -> Any:
    """The survey of the access's consultation, for a page that changes it (404 unless the
    person may build)."""
    if not access.can_build:
        raise Http404
    survey = selectors.survey_of(access.consultation, kind)
    if survey is None:
        raise Http404
    return survey


def builder_page(request: HttpRequest, access: BuilderAccess, kind: str) -> HttpResponse:
    consultation = access.consultation
    survey = selectors.survey_of(consultation, kind)
    can_build = access.can_build
    if request.method == "POST":
        if not can_build:
            raise Http404
        if survey is None:
            survey = services.survey_create(
                acting_user=request.user, consultation=consultation, kind=kind
            )
            messages.success(request, _("The survey has been created."))
            return redirect(access.routes.builder)
    context: dict[str, Any] = {
        "consultation": consultation,
        "survey": survey,
        "kind": kind,
        "can_build": can_build,
        "can_enter_paper": access.can_enter_paper,
        "routes": access.routes,
        "provider_municipality": access.municipality,
    }
    if survey is not None:
        version = selectors.survey_current_version(survey)
        structure = selectors.version_structure(version)
        context.update(
            {
                "version": version,
                "structure": structure,
                "response_count": selectors.response_count(survey),
                "frozen": version.responses.exists(),
                "settings_form": SurveySettingsForm(
                    initial={
                        "title": survey.title,
                        "intro": survey.intro,
                        "audience": survey.audience,
                        "one_per_browser": survey.one_per_browser,
                        "results_public_early": survey.results_public_early,
                    }
                ),
                "sections": questions_for_page(structure, {}, {}),
                "provider_builders": selectors.provider_builders(survey),
            }
        )
    return render(request, "surveys/panel/builder.html", context)


builder = staff_builder_view(builder_page)


def settings_page(request: HttpRequest, access: BuilderAccess, kind: str) -> HttpResponse:
    survey = _built(access, kind)
    form = SurveySettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_settings_update(
                acting_user=request.user, survey_id=survey.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(access.routes.builder)
    return _form_page(request, access, survey, kind, form, title=_("Survey settings"))


settings_edit = staff_builder_view(settings_page)


def _earlier(structure: Any, *, section_key: str | None, question_key: str | None) -> list:
    """The questions a condition may refer to: those before the item."""
    earlier: list[Question] = []
    for section in structure.sections:
        if section_key is not None and section.key == section_key and question_key is None:
            return earlier
        for question in section.questions.all():
            if question.key == question_key:
                return earlier
            earlier.append(question)
    return earlier


def _form_page(
    request: HttpRequest, access: BuilderAccess, survey: Any, kind: str, form: Any, *, title: str
) -> HttpResponse:
    """The builder's settings, section or question form (status 400 when a POST was
    rejected)."""
    return render(
        request,
        "surveys/panel/form.html",
        {
            "consultation": access.consultation,
            "survey": survey,
            "kind": kind,
            "form": form,
            "title": title,
            "routes": access.routes,
        },
        status=400 if request.method == "POST" else 200,
    )


def section_page(
    request: HttpRequest, access: BuilderAccess, kind: str, section_key: str | None = None
) -> HttpResponse:
    survey = _built(access, kind)
    if kind == SurveyKind.POLL:
        raise Http404
    structure = selectors.version_structure(selectors.survey_current_version(survey))
    section = next((s for s in structure.sections if s.key == section_key), None)
    if section_key is not None and section is None:
        raise Http404
    by_key = {q.key: q for q in structure.questions}
    initial: dict[str, Any] = {}
    if section is not None:
        initial = {"title": section.title, "description": section.description}
        first = section.conditions[0].get("question") if section.conditions else None
        initial.update(
            SectionForm.initial_from_conditions(section.conditions, by_key.get(first or ""))
        )
    earlier = (
        _earlier(structure, section_key=section_key, question_key=None)
        if section is not None
        else structure.questions
    )
    form = SectionForm(request.POST or None, initial=initial, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            if section is None:
                services.section_add(
                    acting_user=request.user,
                    survey_id=survey.pk,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                )
            else:
                services.section_update(
                    acting_user=request.user,
                    survey_id=survey.pk,
                    section_key=section.key,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    condition=form.condition(),
                )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(access.routes.builder)
    if section is None:
        # A new section gets its condition once it exists (it may only look backwards).
        for name in ("condition_question", "condition_op", "condition_value", "condition_negate"):
            del form.fields[name]
    return _form_page(
        request,
        access,
        survey,
        kind,
        form,
        title=_("Edit the section") if section else _("New section"),
    )


section_edit = staff_builder_view(section_page)


def question_page(
    request: HttpRequest,
    access: BuilderAccess,
    kind: str,
    section_key: str | None = None,
    question_key: str | None = None,
) -> HttpResponse:
    survey = _built(access, kind)
    structure = selectors.version_structure(selectors.survey_current_version(survey))
    by_key = {q.key: q for q in structure.questions}
    question = by_key.get(question_key or "")
    if question_key is not None and question is None:
        raise Http404
    if section_key is not None and not any(s.key == section_key for s in structure.sections):
        raise Http404
    initial: dict[str, Any] = {}
    if question is not None:
        first = question.conditions[0].get("question") if question.conditions else None
        initial = QuestionForm.initial_from(question, by_key.get(first or ""))
    if question is not None:
        earlier = _earlier(structure, section_key=None, question_key=question.key)
    else:
        earlier = []
        for section in structure.sections:
            earlier.extend(section.questions.all())
            if section.key == section_key:
                break
    form = QuestionForm(
        request.POST or None,
        initial=initial,
        earlier=earlier,
        poll=kind == SurveyKind.POLL,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                services.question_add(
                    acting_user=request.user,
                    survey_id=survey.pk,
                    section_key=section_key or "",
                    data=form.to_input(),
                )
            else:
                services.question_update(
                    acting_user=request.user,
                    survey_id=survey.pk,
                    question_key=question.key,
                    data=form.to_input(),
                )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The question has been saved."))
            return redirect(access.routes.builder)
    return _form_page(
        request,
        access,
        survey,
        kind,
        form,
        title=_("Edit the question") if question else _("New question"),
    )


question_edit = staff_builder_view(question_page)


def change_page(request: HttpRequest, access: BuilderAccess, kind: str) -> HttpResponse:
    """Up, down and remove buttons of the builder."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    survey = _built(access, kind)
    item, key, action = (request.POST.get(n, "") for n in ("item", "key", "action"))
    call: dict[str, Any] = {"acting_user": request.user, "survey_id": survey.pk}
    try:
        if item == "section" and action in ("up", "down"):
            services.section_move(**call, section_key=key, direction=action)
        elif item == "section" and action == "remove":
            services.section_remove(**call, section_key=key)
        elif item == "question" and action in ("up", "down"):
            services.question_move(**call, question_key=key, direction=action)
        elif item == "question" and action == "remove":
            services.question_remove(**call, question_key=key)
        else:
            raise ValidationError(_("Unknown change."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The changes have been saved."))
    return redirect(access.routes.builder)


item_change = require_POST(staff_builder_view(change_page))


def preview_page(request: HttpRequest, access: BuilderAccess, kind: str) -> HttpResponse:
    """The answering page exactly as residents see it, without a submit that stores."""
    consultation = access.consultation
    survey = selectors.survey_of(consultation, kind)
    if survey is None:
        raise Http404
    version = selectors.survey_current_version(survey)
    structure = selectors.version_structure(version)
    return render(
        request,
        "surveys/resident/answer.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "version": version,
            "sections": questions_for_page(structure, {}, {}),
            **page_scripts(structure),
            "errors": {},
            "messages_top": [],
            "idempotency_key": uuid.uuid4(),
            "is_open": True,
            "preview": True,
            "builder_url": access.routes.builder,
        },
    )


preview = staff_builder_view(preview_page)


def _staff_results_survey(request: HttpRequest, consultation_id: int, kind: str) -> Any:
    consultation, survey = _survey(request, consultation_id, kind, build=False)
    if not permissions.can_see_survey_results(request.user, consultation):
        raise Http404
    return consultation, survey


@staff_only
def results(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    consultation, survey = _staff_results_survey(request, consultation_id, kind)
    try:
        number = int(request.GET.get("wersja", ""))
    except ValueError:
        number = None
    search = request.GET.get("szukaj", "").replace("\x00", "")[:100].strip()
    return render(
        request,
        "surveys/results.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "results": selectors.survey_results(survey, version_number=number, text_search=search),
            "staff": True,
        },
    )


FILE_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpg": "image/jpeg",
    "png": "image/png",
}


@staff_only
def answer_file(
    request: HttpRequest, consultation_id: int, kind: str, answer_id: int
) -> FileResponse:
    """A file a resident attached, for who may see the results: always as a download under a
    safe name, with its checked type and nosniff, never cached."""
    _consultation_obj, survey = _staff_results_survey(request, consultation_id, kind)
    answer = selectors.answer_file_get(survey, answer_id)
    if answer is None:
        raise Http404
    try:
        handle = answer.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(answer.pk, answer.text, answer.file_kind),
        content_type=FILE_MEDIA_TYPES.get(answer.file_kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_only
def export(request: HttpRequest, consultation_id: int, kind: str, fmt: str) -> HttpResponse:
    consultation, survey = _staff_results_survey(request, consultation_id, kind)
    header, rows, codebook = selectors.export_table(survey)
    name = f"{kind}-{consultation.slug}"
    if fmt == "csv":
        buffer = io.StringIO()
        # BOM: Excel opens UTF-8 CSV with Polish letters only with it.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(_safe_row(row) for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet, active
    sheet.title = "Odpowiedzi"
    sheet.append(header)
    for row in rows:
        sheet.append(_safe_row(row))
    codes = book.create_sheet("Słownik")
    for row in codebook:
        codes.append(_safe_row(row))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _safe_row(row: list[Any]) -> list[Any]:
    """Text that a spreadsheet would run as a formula (=, +, -, @) is quoted (CSV injection);
    characters XML forbids are dropped (openpyxl refuses them)."""
    safe = []
    for value in row:
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
            if value[:1] in ("=", "+", "-", "@"):
                value = "'" + value
        safe.append(value)
    return safe


@staff_only
def paper_entry(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    """A clerk types in a paper questionnaire; the page is the residents' form."""
    consultation, survey = _survey(request, consultation_id, kind, build=False)
    if not permissions.can_enter_paper_responses(request.user, consultation):
        raise Http404
    version = selectors.survey_current_version(survey)
    structure = selectors.version_structure(version)
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    top: list[str] = []
    status = 200
    if request.method == "POST":
        answers = answers_from_post(structure.questions, request.POST, request.FILES)
        try:
            key = uuid.UUID(request.POST.get("idempotency_key", ""))
            services.survey_paper_response_enter(
                acting_user=request.user, survey_id=survey.pk, idempotency_key=key, answers=answers
            )
        except ValueError:
            top.append(_("This form has expired. Please reload the page."))
            status = 400
        except ValidationError as exc:
            status = 400
            if hasattr(exc, "error_dict"):
                for name, msgs in exc.message_dict.items():
                    (top.extend(msgs) if name == "__all__" else errors.__setitem__(name, msgs))
            else:
                top.extend(exc.messages)
        else:
            messages.success(request, _("The paper questionnaire has been entered."))
            return redirect(f"panel_{kind}_paper", consultation_id=consultation.pk)
    return render(
        request,
        "surveys/resident/answer.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "version": version,
            "sections": questions_for_page(structure, answers, errors),
            **page_scripts(structure),
            "errors": errors,
            "messages_top": top,
            "idempotency_key": uuid.uuid4(),
            "is_open": True,
            "paper": True,
            "builder_url": _builder_url(kind, consultation.pk),
        },
        status=status,
    )


@staff_only
def invitations(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    """The invited addresses of a survey for invited addresses only, and a form to add more
    (each gets its one-time link by e-mail)."""
    consultation, survey = _survey(request, consultation_id, kind, build=False)
    can_build = permissions.can_build_survey(request.user, consultation)
    form = InvitationsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_build:
            raise Http404
        if form.is_valid():
            try:
                added = services.survey_invitations_add(
                    acting_user=request.user,
                    survey_id=survey.pk,
                    emails_text=form.cleaned_data["emails"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d invitation is being sent.",
                        "%(count)d invitations are being sent.",
                        len(added),
                    )
                    % {"count": len(added)},
                )
                return redirect(
                    reverse(
                        f"panel_{kind}_invitations", kwargs={"consultation_id": consultation.pk}
                    )
                )
        status = 400
    return render(
        request,
        "surveys/panel/invitations.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "form": form,
            "can_build": can_build,
            "invited_only": survey.audience == Audience.INVITED,
            "invitations": selectors.invitations_of(survey),
        },
        status=status,
    )
