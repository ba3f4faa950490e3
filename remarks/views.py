"""Residents' pages of the register: the remark form, the confirmation (POST only), the
public list with approved responses, the draft with its comments. Views stay thin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations.models import Consultation
from consultations.selectors import consultation_get_public, public_form_get
from remarks import selectors, services
from remarks.forms import CommentForm, FlagForm, RemarkForm
from remarks.models import Remark, RemarkState, Visibility
from remarks.rules import KIND_COMMENTS, KIND_REMARKS, RemarkRules

# The remark just sent, for the page that follows, in a signed cookie of this host only (a
# municipality's subdomain): bound to the browser like a session, without a session row
# written for every anonymous submission.
DONE_COOKIE = "remarks_done"
DONE_SALT = "remarks.done"
DONE_MAX_AGE = 3600


def _done_redirect(consultation: Consultation, remark: Remark) -> HttpResponse:
    response = redirect("remark_done", slug=consultation.slug)
    response.set_signed_cookie(
        DONE_COOKIE,
        str(remark.pk),
        salt=DONE_SALT,
        max_age=DONE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _consultation(slug: str) -> Consultation:
    consultation = consultation_get_public(slug=slug)
    if consultation is None:
        raise Http404
    return consultation


def _email_known(request: HttpRequest) -> bool:
    return bool(selectors.verified_email_of(request.user))


@require_http_methods(["GET", "POST"])
def remark_form(request: HttpRequest, slug: str) -> HttpResponse:
    form_row = public_form_get(slug, KIND_REMARKS)
    if form_row is None:
        raise Http404
    consultation = form_row.consultation
    rules = RemarkRules.from_settings(form_row.settings)
    is_open = form_row.is_open_at(timezone.now())
    email_known = _email_known(request)
    form = RemarkForm(
        request.POST or None, request.FILES or None, rules=rules, email_known=email_known
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.remark_submit(
                consultation_id=consultation.pk,
                data=services.RemarkInput.from_form(data),
                idempotency_key=data["idempotency_key"],
                consent=data["consent"],
                user=request.user,
                attachment=data["attachment"],
                form=form_row,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _done_redirect(consultation, result.remark)
    return render(
        request,
        "remarks/resident/form.html",
        {
            "consultation": consultation,
            "form": form,
            "rules": rules,
            "is_open": is_open,
            "window_end": form_row.window_ends_at,
        },
    )


def remark_done(request: HttpRequest, slug: str) -> HttpResponse:
    """After sending: the reference number, or "check your mailbox"."""
    consultation = _consultation(slug)
    signed = (
        request.get_signed_cookie(DONE_COOKIE, default="", salt=DONE_SALT, max_age=DONE_MAX_AGE)
        or ""
    )
    remark = (
        Remark.objects.filter(pk=int(signed), consultation=consultation).first()
        if signed.isdigit()
        else None
    )
    if remark is None:
        return redirect("remark_form", slug=consultation.slug)
    return render(
        request,
        "remarks/resident/done.html",
        {
            "consultation": consultation,
            "remark": remark,
            "pending": remark.state == RemarkState.PENDING,
        },
    )


@require_http_methods(["GET", "POST"])
def remark_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the remark and a button; only the POST registers it (mail scanners open
    links; they do not press buttons)."""
    remark: Remark | None
    if request.method == "POST":
        try:
            remark = services.remark_confirm(token=token)
        except ValidationError:
            return render(request, "remarks/resident/link_invalid.html", status=410)
        return render(
            request,
            "remarks/resident/done.html",
            {"consultation": remark.consultation, "remark": remark, "pending": False},
        )
    remark = selectors.remark_for_confirmation(token=token, now=timezone.now())
    if remark is None:
        return render(request, "remarks/resident/link_invalid.html", status=410)
    return render(request, "remarks/resident/confirm.html", {"remark": remark})


def remark_public_list(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    if selectors.participation_form_of(consultation, KIND_REMARKS) is None:
        raise Http404
    rows = [
        (remark, selectors.public_response(remark))
        for remark in selectors.public_remarks(consultation)
    ]
    return render(
        request,
        "remarks/resident/list.html",
        {"consultation": consultation, "rows": rows},
    )


def draft_comments(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form_row = selectors.participation_form_of(consultation, KIND_COMMENTS)
    if form_row is None:
        raise Http404
    rules = selectors.remark_rules(consultation, KIND_COMMENTS)
    return render(
        request,
        "remarks/resident/draft.html",
        {
            "consultation": consultation,
            "units": selectors.draft_units_with_comments(consultation),
            "rules": rules,
            "is_open": form_row.is_open_at(timezone.now()),
            "email_known": _email_known(request),
            "new_form": CommentForm(),
        },
    )


@require_POST
def comment_add(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.remark_submit(
                consultation_id=consultation.pk,
                data=services.RemarkInput(
                    justification=data["justification"],
                    email=data["email"],
                    unit_id=data["unit"] if not data["parent"] else None,
                    parent_id=data["parent"] or None,
                    author_kind="person",
                    author_name=data["author_name"] or _name_of(request),
                ),
                idempotency_key=data["idempotency_key"],
                consent=data["consent"],
                user=request.user,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _done_redirect(consultation, result.remark)
    messages.error(request, " ".join(_flatten(form.errors)))
    return redirect(reverse("draft_comments", kwargs={"slug": consultation.slug}))


def _name_of(request: HttpRequest) -> str:
    user: Any = request.user
    if user.is_authenticated:
        return user.get_full_name() or user.display_name or ""
    return ""


def _flatten(errors: Any) -> list[str]:
    return [str(message) for messages_ in errors.values() for message in messages_]


@require_POST
def remark_flag(request: HttpRequest, slug: str, remark_id: int) -> HttpResponse:
    consultation = _consultation(slug)
    form = FlagForm(request.POST)
    remark = Remark.objects.filter(
        pk=remark_id,
        consultation=consultation,
        visibility=Visibility.PUBLISHED,
        state=RemarkState.REGISTERED,
    ).first()
    if remark is None:
        raise Http404
    if form.is_valid():
        try:
            services.remark_flag(
                remark_id=remark.pk, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you: a moderator will review this text."))
    else:
        messages.error(request, " ".join(_flatten(form.errors)))
    return redirect(
        (
            request.POST.get("next_page") == "draft"
            and reverse("draft_comments", kwargs={"slug": slug})
        )
        or reverse("remark_public_list", kwargs={"slug": slug})
    )


@require_POST
def comment_support(request: HttpRequest, slug: str, remark_id: int) -> HttpResponse:
    consultation = _consultation(slug)
    if not request.user.is_authenticated:
        messages.error(request, _("Please sign in to support a comment."))
        return redirect("draft_comments", slug=slug)
    remark = Remark.objects.filter(pk=remark_id, consultation=consultation).first()
    if remark is None:
        raise Http404
    try:
        created = services.comment_support(user=request.user, remark_id=remark.pk)
    except (ValidationError, Remark.DoesNotExist) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Not possible.")])))
    else:
        messages.success(
            request,
            _("Thank you for your support.") if created else _("You already support it."),
        )
    return redirect("draft_comments", slug=slug)
