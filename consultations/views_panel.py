"""The staff panel's pages for consultations, the catalogue and news. Views stay thin: parse
the form, check a named permission, call one service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from common.collation import polish_order
from consultations import permissions, selectors, services
from consultations.forms import (
    AreaForm,
    CategoryForm,
    ConsultationForm,
    DepartmentForm,
    DocumentForm,
    DocumentRevisionForm,
    NewsForm,
)
from consultations.forms_rules import DatesMoveForm, PublicationForm
from consultations.models import (
    DOCUMENTS_FROZEN_STATUSES,
    Area,
    Category,
    ConsultationStatus,
    Department,
    DocumentRole,
    News,
)
from consultations.notice import notice_odt, notice_pdf
from consultations.panel_rules import rules_panel_context
from consultations.participation import events as participation_events


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the fields it names."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name.removesuffix("_id")
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Catalogue: departments, areas, categories ----------------------------------------------

CATALOGUE: dict[str, dict[str, Any]] = {
    "wydzialy": {
        "model": Department,
        "form": DepartmentForm,
        "title": gettext_lazy("Departments"),
        "new": gettext_lazy("Add a department"),
        "edit": gettext_lazy("Edit the department"),
        "prefetch": ["coordinators"],
    },
    "obszary": {
        "model": Area,
        "form": AreaForm,
        "title": gettext_lazy("Areas"),
        "new": gettext_lazy("Add an area"),
        "edit": gettext_lazy("Edit the area"),
        "prefetch": ["editors"],
    },
    "kategorie": {
        "model": Category,
        "form": CategoryForm,
        "title": gettext_lazy("Categories"),
        "new": gettext_lazy("Add a category"),
        "edit": gettext_lazy("Edit the category"),
        "prefetch": [],
    },
}


@permission_required(permissions.can_manage_catalogue)
def catalogue_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = CATALOGUE[kind]
    rows = spec["model"].objects.prefetch_related(*spec["prefetch"]).order_by(polish_order("name"))
    return render(
        request,
        "consultations/panel/catalogue_list.html",
        {"spec": spec, "kind": kind, "rows": rows},
    )


def _catalogue_save(kind: str, user: Any, pk: int | None, data: dict[str, Any]) -> Any:
    if kind == "wydzialy":
        return services.department_save(
            acting_user=user,
            department_id=pk,
            name=data["name"],
            coordinator_ids=[u.pk for u in data["coordinators"]],
        )
    if kind == "obszary":
        return services.area_save(
            acting_user=user,
            area_id=pk,
            name=data["name"],
            outline=data["outline"],
            editor_ids=[u.pk for u in data["editors"]],
        )
    return services.category_save(acting_user=user, category_id=pk, name=data["name"])


def _catalogue_initial(kind: str, row: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"name": row.name}
    if kind == "wydzialy":
        initial["coordinators"] = list(row.coordinators.all())
    if kind == "obszary":
        initial["outline"] = row.outline
        initial["editors"] = list(row.editors.all())
    return initial


@permission_required(permissions.can_manage_catalogue)
def catalogue_edit(request: HttpRequest, kind: str, pk: str | None = None) -> HttpResponse:
    spec = CATALOGUE[kind]
    row_id = int(pk) if pk is not None else None
    row = None
    if row_id is not None:
        row = spec["model"].objects.filter(pk=row_id).first()
        if row is None:
            raise Http404
    initial = _catalogue_initial(kind, row) if row else None
    form = spec["form"](request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _catalogue_save(kind, request.user, row_id, form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("panel_catalogue_list", kind=kind)
    title = spec["edit"] if row else spec["new"]
    return render(
        request,
        "consultations/panel/catalogue_form.html",
        {"spec": spec, "kind": kind, "form": form, "row": row, "title": title},
    )


# --- Consultations --------------------------------------------------------------------------


def _consultation_or_404(request: HttpRequest, consultation_id: int) -> Any:
    consultation = selectors.consultation_get_for_staff(
        request.user, consultation_id=consultation_id
    )
    if consultation is None:
        raise Http404
    return consultation


@permission_required(permissions.can_work_on_consultations)
def consultation_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.consultations_for_staff(request.user)
    return render(request, "consultations/panel/consultation_list.html", {"rows": rows})


@permission_required(permissions.can_work_on_consultations)
def consultation_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ConsultationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(
                acting_user=request.user, data=form.to_input()
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The consultation has been saved as a draft."))
            return redirect("panel_consultation_detail", consultation_id=consultation.pk)
    return render(
        request,
        "consultations/panel/consultation_form.html",
        {"form": form, "title": _("New consultation")},
    )


@permission_required(permissions.can_work_on_consultations)
def consultation_edit(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_edit_consultation(request.user, consultation):
        raise Http404
    form = ConsultationForm(
        request.POST or None,
        user=request.user,
        consultation=consultation,
        initial=ConsultationForm.initial_from(consultation),
    )
    if consultation.status not in services.DATES_EDITABLE:
        form.fields["starts_at"].disabled = True
        form.fields["ends_at"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(
                acting_user=request.user, consultation_id=consultation.pk, data=form.to_input()
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("panel_consultation_detail", consultation_id=consultation.pk)
    return render(
        request,
        "consultations/panel/consultation_form.html",
        {"form": form, "consultation": consultation, "title": _("Edit the consultation")},
    )


@permission_required(permissions.can_work_on_consultations)
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    return _detail_render(request, consultation)


def _detail_render(
    request: HttpRequest,
    consultation: Any,
    *,
    document_form: DocumentForm | None = None,
    publication_form: PublicationForm | None = None,
    move_form: DatesMoveForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        **rules_panel_context(consultation, publication_form=publication_form, move_form=move_form),
        "consultation": consultation,
        "can_edit": permissions.can_edit_consultation(request.user, consultation),
        "document_form": document_form or DocumentForm(),
        "cleared": services.consultation_is_cleared(consultation),
        "participation": selectors.participation_entries(consultation, include_unavailable=True),
        # Meetings, walks, consultation points of every kind that has them (the registry).
        "events": participation_events(consultation),
        "history": selectors.audit_history_of(consultation),
        "documents": selectors.consultation_documents(consultation),
        "documents_frozen": consultation.status in DOCUMENTS_FROZEN_STATUSES,
        "lifecycle_errors": errors or [],
        "S": ConsultationStatus,
    }
    return render(request, "consultations/panel/consultation_detail.html", context, status=status)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def document_upload(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_edit_consultation(request.user, consultation):
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                acting_user=request.user,
                consultation_id=consultation.pk,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The document has been attached."))
            return redirect("panel_consultation_detail", consultation_id=consultation.pk)
    return _detail_render(request, consultation, document_form=form, status=400)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def document_delete(
    request: AuthenticatedRequest, consultation_id: int, document_id: int
) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_edit_consultation(request.user, consultation):
        raise Http404
    document = consultation.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    try:
        services.document_remove(acting_user=request.user, document_id=document.pk)
    except ValidationError as exc:
        return _detail_render(request, consultation, errors=exc.messages, status=400)
    messages.success(request, _("The document has been removed."))
    return redirect("panel_consultation_detail", consultation_id=consultation.pk)


@permission_required(permissions.can_work_on_consultations)
def document_revise(
    request: AuthenticatedRequest, consultation_id: int, document_id: int
) -> HttpResponse:
    """Add a corrected version of a document (the only change a frozen document takes)."""
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_edit_consultation(request.user, consultation):
        raise Http404
    document = consultation.documents.filter(pk=document_id, role=DocumentRole.ATTACHED).first()
    if document is None:
        raise Http404
    form = DocumentRevisionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                revised = services.document_revise(
                    acting_user=request.user,
                    consultation_id=consultation.pk,
                    document_id=document.pk,
                    upload=form.cleaned_data["file"],
                    change_note=form.cleaned_data["change_note"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the document has been added.")
                    % {"version": revised.version},
                )
                return redirect("panel_consultation_detail", consultation_id=consultation.pk)
        status = 400
    return render(
        request,
        "consultations/panel/document_revise.html",
        {"consultation": consultation, "document": document, "form": form},
        status=status,
    )


NOTICE_MEDIA_TYPES = {"pdf": "application/pdf", "odt": "application/vnd.oasis.opendocument.text"}


@permission_required(permissions.can_work_on_consultations)
def notice_preview(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    """The announcement as it would read now, drawn on request (nothing is stored): the
    stored one joins the documents when the consultation is scheduled."""
    if kind not in NOTICE_MEDIA_TYPES:
        raise Http404
    consultation = _consultation_or_404(request, consultation_id)
    notice = services.notice_of(consultation)
    content = notice_pdf(notice) if kind == "pdf" else notice_odt(notice)
    response = HttpResponse(content, content_type=NOTICE_MEDIA_TYPES[kind])
    response["Content-Disposition"] = (
        f'attachment; filename="ogloszenie-{consultation.slug}-podglad.{kind}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


LIFECYCLE_ACTIONS = {
    "zamow": (services.consultation_order, gettext_lazy("The consultation has been ordered.")),
    "archiwizuj": (
        services.consultation_archive,
        gettext_lazy("The consultation has been archived."),
    ),
}


@require_POST
@permission_required(permissions.can_work_on_consultations)
def consultation_lifecycle(
    request: AuthenticatedRequest, consultation_id: int, action: str
) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_manage_consultation(request.user, consultation):
        raise Http404
    try:
        if action == "zaplanuj":
            services.consultation_schedule(
                acting_user=request.user,
                consultation_id=consultation.pk,
                channels_confirmed=request.POST.get("channels_confirmed") == "1",
            )
            done = _("The consultation has been scheduled and is now visible to residents.")
        elif action in LIFECYCLE_ACTIONS:
            service, lazy_done = LIFECYCLE_ACTIONS[action]
            done = str(lazy_done)
            service(acting_user=request.user, consultation_id=consultation.pk)
        else:
            raise Http404
    except ValidationError as exc:
        return _detail_render(request, consultation, errors=exc.messages, status=400)
    messages.success(request, str(done))
    return redirect("panel_consultation_detail", consultation_id=consultation.pk)


# --- Announcement publications and the one move of the dates ------------------------------


@require_POST
@permission_required(permissions.can_work_on_consultations)
def publication_add(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_manage_consultation(request.user, consultation):
        raise Http404
    form = PublicationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.announcement_publication_add(
                acting_user=request.user,
                consultation_id=consultation.pk,
                channel=form.cleaned_data["channel"],
                published_on=form.cleaned_data["published_on"],
                proof_file=form.cleaned_data["proof_file"] or None,
                proof_url=form.cleaned_data["proof_url"] or "",
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The publication of the announcement has been recorded."))
            return redirect("panel_consultation_detail", consultation_id=consultation.pk)
    return _detail_render(request, consultation, publication_form=form, status=400)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def publication_remove(
    request: AuthenticatedRequest, consultation_id: int, publication_id: int
) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_manage_consultation(request.user, consultation):
        raise Http404
    if not consultation.announcement_publications.filter(pk=publication_id).exists():
        raise Http404
    try:
        services.announcement_publication_remove(
            acting_user=request.user,
            consultation_id=consultation.pk,
            publication_id=publication_id,
        )
    except ValidationError as exc:
        return _detail_render(request, consultation, errors=exc.messages, status=400)
    messages.success(request, _("The publication has been removed."))
    return redirect("panel_consultation_detail", consultation_id=consultation.pk)


@permission_required(permissions.can_work_on_consultations)
def publication_proof(
    request: AuthenticatedRequest, consultation_id: int, publication_id: int
) -> FileResponse:
    """The proof file, for staff who can see the consultation (never a public address)."""
    consultation = _consultation_or_404(request, consultation_id)
    publication = consultation.announcement_publications.filter(pk=publication_id).first()
    if publication is None or not publication.proof_file:
        raise Http404
    name = (
        f"dowod-publikacji-{publication.channel}.{publication.proof_file.name.rsplit('.', 1)[-1]}"
    )
    return FileResponse(publication.proof_file.open("rb"), as_attachment=True, filename=name)


@require_POST
@permission_required(permissions.can_work_on_consultations)
def dates_move(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    if not permissions.can_manage_consultation(request.user, consultation):
        raise Http404
    form = DatesMoveForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_dates_move(
                acting_user=request.user,
                consultation_id=consultation.pk,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The dates have been moved."))
            return redirect("panel_consultation_detail", consultation_id=consultation.pk)
    return _detail_render(request, consultation, move_form=form, status=400)


# --- News -----------------------------------------------------------------------------------


@permission_required(permissions.can_publish_news)
def news_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.news_for_staff(request.user)
    return render(request, "consultations/panel/news_list.html", {"rows": rows})


@permission_required(permissions.can_publish_news)
def news_edit(request: AuthenticatedRequest, news_id: int | None = None) -> HttpResponse:
    news: News | None = None
    initial = None
    if news_id is not None:
        news = selectors.news_for_staff(request.user).filter(pk=news_id).first()
        if news is None:
            raise Http404
        initial = {"title": news.title, "body": news.body, "area": news.area_id}
    form = NewsForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area"]
        try:
            services.news_save(
                acting_user=request.user,
                news_id=news_id,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                area_id=area.pk if area else None,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The news item has been published."))
            return redirect("panel_news_list")
    title = _("Edit the news item") if news else _("New news item")
    return render(
        request, "consultations/panel/news_form.html", {"form": form, "news": news, "title": title}
    )
