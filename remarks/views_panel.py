"""The staff panel's pages of the register. Each view checks a named predicate (404 when it
says no, as for a page that does not exist) and calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from consultations import participation
from consultations.models import Consultation
from consultations.permissions import is_municipal_staff
from remarks import permissions, selectors, services
from remarks.drafts import draft_text_from_file
from remarks.forms import (
    DraftForm,
    FormalIssueForm,
    GroupForm,
    HideForm,
    RegisterFilterForm,
    RemarkEnterForm,
    RemarkSettingsForm,
    ResponseForm,
)
from remarks.models import Channel, Decision, FormalIssueCode, Remark, RemarkGroup, Response
from remarks.rules import SETTINGS_KEYS, settings_locked
from remarks.views import errors_to_form

Predicate = Any
# Rows a register page shows: the page's time and queries stay flat however many remarks
# a consultation has (bench/remarks.py measures it at 5,000).
REGISTER_PAGE_SIZE = 100


def _consultation_for(
    request: HttpRequest, consultation_id: int, predicate: Predicate
) -> Consultation:
    consultation = (
        Consultation.objects.select_related("department").filter(pk=consultation_id).first()
    )
    if consultation is None or not predicate(request.user, consultation):
        raise Http404
    return consultation


def _remark_for(consultation: Consultation, remark_id: int) -> Remark:
    remark = selectors.remark_get_for_staff(consultation, remark_id)
    if remark is None:
        raise Http404
    return remark


@permission_required(is_municipal_staff)
def register(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_view_register)
    counts = selectors.register_counts(consultation)
    filter_form = RegisterFilterForm(
        request.GET or None, sections=[part for part, _n in counts.by_section if part]
    )
    filters = selectors.RegisterFilters()
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = selectors.RegisterFilters(
            decision=data["decision"],
            channel=data["channel"],
            section=data["section"],
            formal=data["formal"],
            review=request.GET.get("review") == "1",
        )
    can_enter = permissions.can_enter_remark(request.user, consultation)
    paginator = Paginator(selectors.register_page_rows(consultation, filters), REGISTER_PAGE_SIZE)
    if filters == selectors.RegisterFilters():
        # Unfiltered, the page count is the total already counted: one query fewer.
        paginator.count = counts.total
    page = paginator.get_page(request.GET.get("strona"))
    query = request.GET.copy()
    query.pop("strona", None)
    decision_labels = dict(Decision.choices)
    formal_labels = dict(FormalIssueCode.choices)
    channel_labels = dict(Channel.choices)
    # What each row shows, resolved here once rather than by loops in the template.
    rows = [
        (
            remark,
            decision_labels.get(getattr(remark, "decision", None) or "", "–"),
            "; ".join(str(formal_labels[code]) for code in remark.formal_codes),
            _("Choose %(ref)s") % {"ref": remark.reference},
        )
        for remark in page.object_list
    ]
    return render(
        request,
        "remarks/panel/register.html",
        {
            "consultation": consultation,
            "rows": rows,
            "page": page,
            "remark_url": reverse(
                "panel_remark_detail", kwargs={"consultation_id": consultation.pk, "remark_id": 0}
            ).removesuffix("0/"),
            "group_url": reverse(
                "panel_remark_group", kwargs={"consultation_id": consultation.pk, "group_id": 0}
            ).removesuffix("0/"),
            "formal_rows": [
                (label, counts.by_formal.get(code, 0))
                for code, label in FormalIssueCode.choices
                if counts.by_formal.get(code)
            ],
            "by_channel": [
                (channel_labels.get(channel, channel), n)
                for channel, n in counts.by_channel.items()
            ],
            "channel_labels": {value: str(label) for value, label in channel_labels.items()},
            "query": query.urlencode(),
            "counts": counts,
            "filter_form": filter_form,
            "decisions": Decision,
            "formal_codes": FormalIssueCode,
            "groups": selectors.groups_of(consultation),
            "can_enter": can_enter,
            "has_free_texts": can_enter and selectors.has_promotable_kinds(consultation),
            "can_group": permissions.can_check_formally(request.user, consultation),
        },
    )


@permission_required(is_municipal_staff)
def remark_enter(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_enter_remark)
    events = participation.events(consultation)
    initial: dict[str, Any] = {}
    # "?spotkanie=<id>" from a meeting's page: the remark is from that event's minutes.
    chosen = request.GET.get("spotkanie", "")
    event = (
        participation.event_get(consultation, int(chosen))
        if chosen.isascii() and chosen.isdigit()
        else None
    )
    if event is not None and not event.cancelled:
        initial = {
            "channel": Channel.MEETING,
            "meeting_event": event.id,
            "received_on": timezone.localdate(event.starts_at),
        }
    form = RemarkEnterForm(
        request.POST or None, request.FILES or None, events=events, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            remark = services.remark_enter(
                acting_user=request.user,
                consultation_id=consultation.pk,
                channel=data["channel"],
                data=services.RemarkInput.from_form(data),
                received_on=data["received_on"],
                case_number=data["case_number"],
                idempotency_key=data["idempotency_key"],
                scan=data["scan"],
                meeting_event_id=data["meeting_event"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("The remark has been registered under the number %(ref)s.")
                % {"ref": remark.reference},
            )
            return redirect(
                "panel_remark_detail", consultation_id=consultation.pk, remark_id=remark.pk
            )
    return render(request, "remarks/panel/enter.html", {"consultation": consultation, "form": form})


@permission_required(is_municipal_staff)
def remark_detail(request: HttpRequest, consultation_id: int, remark_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_view_register)
    remark = _remark_for(consultation, remark_id)
    response = selectors.response_of(remark)
    return render(
        request,
        "remarks/panel/remark.html",
        {
            "consultation": consultation,
            "remark": remark,
            "response": response,
            "response_form": ResponseForm(
                initial={"decision": response.decision, "justification": response.justification}
                if response
                else None
            ),
            "formal_form": FormalIssueForm(),
            "hide_form": HideForm(),
            "can_answer": remark.group_id is None
            and permissions.can_draft_response(request.user, consultation),
            "can_approve": response is not None
            and response.approved_at is None
            and permissions.can_approve_response(
                request.user, consultation, response.drafted_by_id
            ),
            "can_check": permissions.can_check_formally(request.user, consultation),
            "can_moderate": permissions.can_moderate(request.user, consultation),
        },
    )


@permission_required(is_municipal_staff)
def group_detail(request: HttpRequest, consultation_id: int, group_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_view_register)
    group = (
        RemarkGroup.objects.filter(pk=group_id, consultation=consultation)
        .select_related("response")
        .first()
    )
    if group is None:
        raise Http404
    response = getattr(group, "response", None)
    return render(
        request,
        "remarks/panel/group.html",
        {
            "consultation": consultation,
            "group": group,
            "remarks": group.remarks.order_by("registered_at", "pk"),
            "response": response,
            "response_form": ResponseForm(
                initial={"decision": response.decision, "justification": response.justification}
                if response
                else None
            ),
            "can_answer": permissions.can_draft_response(request.user, consultation),
            "can_approve": response is not None
            and response.approved_at is None
            and permissions.can_approve_response(
                request.user, consultation, response.drafted_by_id
            ),
        },
    )


def _back(consultation: Consultation, remark_id: int | None, group_id: int | None) -> HttpResponse:
    if group_id:
        return redirect("panel_remark_group", consultation_id=consultation.pk, group_id=group_id)
    return redirect("panel_remark_detail", consultation_id=consultation.pk, remark_id=remark_id)


@require_POST
@permission_required(is_municipal_staff)
def response_draft(
    request: AuthenticatedRequest, consultation_id: str, target: str, target_id: str
) -> HttpResponse:
    consultation = _consultation_for(request, int(consultation_id), permissions.can_draft_response)
    target_pk = int(target_id)
    remark_id = group_id = None
    if target == "uwaga":
        remark_id = _remark_for(consultation, target_pk).pk
    else:
        if not RemarkGroup.objects.filter(pk=target_pk, consultation=consultation).exists():
            raise Http404
        group_id = target_pk
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.response_draft(
                acting_user=request.user,
                remark_id=remark_id,
                group_id=group_id,
                decision=form.cleaned_data["decision"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The response has been saved; a colleague must now approve it.")
            )
    else:
        # The message stands above the page, away from the form: it names the field
        # ("Rozstrzygnięcie: To pole jest wymagane."), or "this field" would mean nothing.
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form[name].label}: {error}")
    return _back(consultation, remark_id, group_id)


@require_POST
@permission_required(is_municipal_staff)
def response_approve(
    request: AuthenticatedRequest, consultation_id: int, response_id: int
) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_view_register)
    response = Response.objects.filter(pk=response_id).select_related("remark", "group").first()
    target = (response.remark or response.group) if response is not None else None
    if response is None or target is None or target.consultation_id != consultation.pk:
        raise Http404
    try:
        services.response_approve(acting_user=request.user, response_id=response.pk)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The response has been approved and is now public."))
    return _back(consultation, response.remark_id, response.group_id)


@require_POST
@permission_required(is_municipal_staff)
def remarks_group(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_check_formally)
    ids = list(Remark.objects.filter(consultation=consultation).values_list("pk", flat=True))
    form = GroupForm(request.POST, remark_ids=ids)
    if form.is_valid():
        try:
            group = services.remarks_group(
                acting_user=request.user,
                consultation_id=consultation.pk,
                remark_ids=form.cleaned_data["remarks"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The remarks have been grouped."))
            return redirect(
                "panel_remark_group", consultation_id=consultation.pk, group_id=group.pk
            )
    else:
        messages.error(request, _("Choose remarks of this consultation."))
    return redirect("panel_remark_register", consultation_id=consultation.pk)


@require_POST
@permission_required(is_municipal_staff)
def formal_issue(
    request: AuthenticatedRequest, consultation_id: int, remark_id: int
) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_check_formally)
    remark = _remark_for(consultation, remark_id)
    if "withdraw" in request.POST:
        code = request.POST.get("withdraw", "")
        services.formal_issue_withdraw(acting_user=request.user, remark_id=remark.pk, code=code)
        messages.success(request, _("The formal defect has been withdrawn."))
        return _back(consultation, remark.pk, None)
    form = FormalIssueForm(request.POST)
    if form.is_valid():
        try:
            services.formal_issue_record(
                acting_user=request.user,
                remark_id=remark.pk,
                code=form.cleaned_data["code"],
                rule=form.cleaned_data["rule"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The formal defect has been recorded."))
    else:
        messages.error(request, _("Choose a formal defect from the list."))
    return _back(consultation, remark.pk, None)


@require_POST
@permission_required(is_municipal_staff)
def moderate(request: AuthenticatedRequest, consultation_id: int, remark_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id, permissions.can_moderate)
    remark = _remark_for(consultation, remark_id)
    try:
        if request.POST.get("action") == "publish":
            services.remark_publish(acting_user=request.user, remark_id=remark.pk)
            messages.success(request, _("The text is public."))
        else:
            form = HideForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.remark_hide(acting_user=request.user, remark_id=remark.pk, reason=reason)
            messages.success(request, _("The text has been hidden; the reason is shown instead."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _back(consultation, remark.pk, None)


def _private_file(remark: Remark, field: str) -> FileResponse:
    file = getattr(remark, field)
    if not file:
        raise Http404
    kind = remark.scan_kind if field == "scan" else remark.attachment_kind
    name = f"{(remark.reference or str(remark.pk)).replace('/', '-')}-{field}.{kind}"
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required(is_municipal_staff)
def remark_file(
    request: HttpRequest, consultation_id: str, remark_id: str, field: str
) -> FileResponse:
    consultation = _consultation_for(request, int(consultation_id), permissions.can_view_register)
    remark = _remark_for(consultation, int(remark_id))
    return _private_file(remark, "scan" if field == "skan" else "attachment")


@permission_required(is_municipal_staff)
def draft_edit(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for(
        request,
        consultation_id,
        permissions.can_view_register if request.method == "GET" else permissions.can_edit_draft,
    )
    form = DraftForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["text"]
            upload = form.cleaned_data["file"]
            if upload is not None:
                text = draft_text_from_file(upload, size=upload.size)
            units = services.draft_units_replace(
                acting_user=request.user,
                consultation_id=consultation.pk,
                text=text,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The draft has %(n)d units.") % {"n": len(units)})
            return redirect("panel_draft_edit", consultation_id=consultation.pk)
    return render(
        request,
        "remarks/panel/draft.html",
        {
            "consultation": consultation,
            "form": form,
            "units": consultation.draft_units.order_by("position"),
            "can_edit": permissions.can_edit_draft(request.user, consultation),
        },
    )


@permission_required(is_municipal_staff)
def remark_by_reference(request: HttpRequest) -> HttpResponse:
    """Find a remark of this municipality by its reference number (404 otherwise)."""
    reference = request.GET.get("numer", "").strip()[:32]
    remark = Remark.objects.filter(reference=reference).select_related("consultation").first()
    if remark is None or not permissions.can_view_register(request.user, remark.consultation):
        raise Http404
    return redirect(
        "panel_remark_detail", consultation_id=remark.consultation_id, remark_id=remark.pk
    )


@permission_required(is_municipal_staff)
def register_export(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The register as XLSX, personal data included: staff only."""
    from remarks.xlsx import register_xlsx

    consultation = _consultation_for(request, consultation_id, permissions.can_view_register)
    response = HttpResponse(
        register_xlsx(consultation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="rejestr-uwag-{consultation.pk}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@permission_required(is_municipal_staff)
def decisions_import(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    from remarks.xlsx import decisions_import as apply_decisions
    from remarks.xlsx import decisions_read

    consultation = _consultation_for(request, consultation_id, permissions.can_draft_response)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the edited XLSX file."))
        return redirect("panel_remark_register", consultation_id=consultation.pk)
    try:
        rows = decisions_read(upload, size=upload.size)
        changed = apply_decisions(
            acting_user=request.user,
            consultation_id=consultation.pk,
            rows=rows,
        )
    except ValidationError as exc:
        messages.error(request, _("Nothing has been changed."))
        for message in exc.messages[:50]:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Responses changed: %(n)d. Each must now be approved by a second person.")
            % {"n": changed},
        )
    return redirect("panel_remark_register", consultation_id=consultation.pk)


@permission_required(is_municipal_staff)
def form_settings(request: AuthenticatedRequest, consultation_id: int, kind: str) -> HttpResponse:
    """What the consultation's remark form (or its comments on the draft) asks and allows."""
    consultation = _consultation_for(request, consultation_id, permissions.can_configure_form)
    form_row = selectors.participation_form_of(consultation, kind)
    if form_row is None or kind not in SETTINGS_KEYS:
        raise Http404
    locked = settings_locked(form_row.settings)
    form = RemarkSettingsForm(
        request.POST or None,
        kind=kind,
        locked=locked,
        initial=RemarkSettingsForm.initial_from(form_row.settings),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.remark_form_settings_update(
                acting_user=request.user,
                consultation_id=consultation.pk,
                kind=kind,
                data=form.to_input(),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The settings of the form have been saved."))
            return redirect("panel_consultation_detail", consultation_id=consultation.pk)
    return render(
        request,
        "remarks/panel/form_settings.html",
        {
            "consultation": consultation,
            "form": form,
            "kind_label": participation.kind_label(kind),
            "locked": bool(locked),
        },
    )


PROMOTE_PAGE_SIZE = 50


@permission_required(is_municipal_staff)
def free_texts(request: AuthenticatedRequest, consultation_id: int) -> HttpResponse:
    """Residents' open answers in the consultation's other forms (surveys), each with a
    button that moves it into the register, or the reference number it already has."""
    consultation = _consultation_for(request, consultation_id, permissions.can_enter_remark)
    if request.method == "POST":
        key = request.POST.get("key", "")[:200]
        text = selectors.promotable_text_get(consultation, key)
        if text is None:
            raise Http404
        try:
            remark = services.remark_promote(
                acting_user=request.user, consultation_id=consultation.pk, text=text
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The answer has been registered as a remark under the number %(ref)s.")
                % {"ref": remark.reference},
            )
        return redirect(
            f"{reverse('panel_free_texts', kwargs={'consultation_id': consultation.pk})}"
            f"?strona={request.POST.get('strona', '1')[:6]}"
        )
    page = Paginator(selectors.promotable_texts(consultation), PROMOTE_PAGE_SIZE).get_page(
        request.GET.get("strona")
    )
    return render(
        request,
        "remarks/panel/free_texts.html",
        {
            "consultation": consultation,
            "page": page,
            "rows": [
                (text, remark, participation.kind_label(text.kind))
                for text, remark in page.object_list
            ],
        },
    )
