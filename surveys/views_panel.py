"""The staff panel's survey builder, preview, results and exports. Plain forms: every step
works without JavaScript (reordering with up/down buttons)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
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
from surveys.forms import (
    InvitationsForm,
    QuestionForm,
    SectionForm,
    SurveySettingsForm,
    answers_from_post,
)
from surveys.models import Audience, Question, SurveyKind
from surveys.presentation import page_scripts, questions_for_page

staff_only = permission_required(consultation_permissions.can_work_on_consultations)


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
    from django.urls import reverse

    return reverse(f"panel_{kind}_builder", kwargs={"consultation_id": consultation_id})


@staff_only
def builder(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    survey = selectors.survey_of(consultation, kind)
    can_build = permissions.can_build_survey(request.user, consultation)
    if request.method == "POST":
        if not can_build:
            raise Http404
        if survey is None:
            survey = services.survey_create(
                acting_user=request.user, consultation=consultation, kind=kind
            )
            messages.success(request, _("The survey has been created."))
            return redirect(_builder_url(kind, consultation.pk))
    context: dict[str, Any] = {
        "consultation": consultation,
        "survey": survey,
        "kind": kind,
        "can_build": can_build,
        "can_enter_paper": permissions.can_enter_paper_responses(request.user, consultation),
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
            }
        )
    return render(request, "surveys/panel/builder.html", context)


@staff_only
def settings_edit(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    consultation, survey = _survey(request, consultation_id, kind, build=True)
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
            return redirect(_builder_url(kind, consultation.pk))
    return render(
        request,
        "surveys/panel/form.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "form": form,
            "title": _("Survey settings"),
        },
        status=400 if request.method == "POST" else 200,
    )


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
    request: HttpRequest, consultation: Any, survey: Any, kind: str, form: Any, *, title: str
) -> HttpResponse:
    """The builder's section or question form (status 400 when a POST was rejected)."""
    return render(
        request,
        "surveys/panel/form.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "form": form,
            "title": title,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_only
def section_edit(
    request: HttpRequest, consultation_id: int, kind: str, section_key: str | None = None
) -> HttpResponse:
    consultation, survey = _survey(request, consultation_id, kind, build=True)
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
            return redirect(_builder_url(kind, consultation.pk))
    if section is None:
        # A new section gets its condition once it exists (it may only look backwards).
        for name in ("condition_question", "condition_op", "condition_value", "condition_negate"):
            del form.fields[name]
    return _form_page(
        request,
        consultation,
        survey,
        kind,
        form,
        title=_("Edit the section") if section else _("New section"),
    )


@staff_only
def question_edit(
    request: HttpRequest,
    consultation_id: int,
    kind: str,
    section_key: str | None = None,
    question_key: str | None = None,
) -> HttpResponse:
    consultation, survey = _survey(request, consultation_id, kind, build=True)
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
            return redirect(_builder_url(kind, consultation.pk))
    return _form_page(
        request,
        consultation,
        survey,
        kind,
        form,
        title=_("Edit the question") if question else _("New question"),
    )


@require_POST
@staff_only
def item_change(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    """Up, down and remove buttons of the builder."""
    consultation, survey = _survey(request, consultation_id, kind, build=True)
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
    return redirect(_builder_url(kind, consultation.pk))


@staff_only
def preview(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    """The answering page exactly as residents see it, without a submit that stores."""
    consultation, survey = _survey(request, consultation_id, kind, build=False)
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
            "builder_url": _builder_url(kind, consultation.pk),
        },
    )


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
        answers = answers_from_post(structure.questions, request.POST)
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
