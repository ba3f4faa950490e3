"""Residents' pages of a survey or poll: answer, thanks, results. Thin: read the POST,
call the submit service, render."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from common.db import connection
from consultations.selectors import public_form_get
from surveys import selectors, services
from surveys.forms import answers_from_post, answers_from_response, post_from_draft
from surveys.models import Audience, QuestionType, Survey, SurveyKind
from surveys.presentation import page_scripts, questions_for_page
from surveys.services.drafts import DRAFT_COOKIE

BROWSER_COOKIE = "survey_browser"
BROWSER_COOKIE_AGE = 60 * 60 * 24 * 365
VOTED_SESSION_KEY = "surveys_voted"
# A draft's cookie when the consultation has no end date.
DRAFT_COOKIE_AGE = 60 * 60 * 24 * 90


def _survey_or_404(slug: str, kind: str) -> tuple[Any, Survey, Any]:
    form = public_form_get(slug, kind)
    survey = selectors.survey_of(form.consultation, kind) if form is not None else None
    if form is None or survey is None:
        raise Http404
    return form.consultation, survey, form


def client_ip(request: HttpRequest) -> str:
    # Behind the proxy (deploy/) REMOTE_ADDR is set from the real client by gunicorn's
    # forwarded-allow-ips; never trust X-Forwarded-For from the request itself.
    return request.META.get("REMOTE_ADDR", "")


def answer(request: HttpRequest, slug: str, kind: str, token: str = "") -> HttpResponse:
    """The answering page; with ``token``, reached through an invited address's one-time
    link (its GET only shows the form: mail scanners open links too). A survey's form has a
    second button, "Zapisz i dokończ później", which keeps the answers as a draft
    (surveys.services.drafts); coming back shows them again."""
    form = public_form_get(slug, kind)
    found = selectors.survey_and_structure(form.consultation, kind) if form is not None else None
    if form is None or found is None:
        raise Http404
    consultation = form.consultation
    survey, structure = found
    invitation = None
    if token:
        if survey.audience == Audience.INVITED:
            invitation = selectors.invitation_by_token(survey, token)
        if invitation is None:
            raise Http404
    version = structure.version
    if not structure.questions:
        raise Http404
    browser_token = request.COOKIES.get(BROWSER_COOKIE, "")[:64]
    new_token = ""
    if survey.one_per_browser and not browser_token:
        new_token = browser_token = secrets.token_urlsafe(24)
    drafts_on = kind == SurveyKind.SURVEY
    draft_token = _draft_token(request, survey) if drafts_on and invitation is None else ""
    owners = _draft_owners(request.user, invitation, draft_token)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    is_open = form.is_open_at(timezone.now())
    own = selectors.response_own(survey, user=request.user, browser_token=browser_token)
    errors: dict[str, list[str]] = {}
    messages_top: list[str] = []
    answers: dict[str, Any] = {}
    status = 200
    draft = None
    if own is not None:
        answers = answers_from_response(structure.questions, selectors.response_answers(own))
    if drafts_on and request.method == "POST" and action == "draft-discard":
        for each in owners:
            services.survey_draft_discard(survey=survey, owner=each)
        done: HttpResponse = redirect(request.path + "?robocza=usunieta")
        return _draft_cookie_delete(done, consultation.slug) if draft_token else done
    if drafts_on and request.method == "POST" and action == "draft":
        answers = answers_from_post(structure.questions, request.POST)
        problem = (
            _draft_closed()
            if not is_open
            else services.eligibility_error(survey, request.user, invitation_token=token)
        )
        if problem is None and own is not None and survey.audience != Audience.VERIFIED:
            problem = _draft_closed()
        if problem is not None:
            messages_top.append(problem)
            status = 400
        else:
            made_token = ""
            owner = services.draft_owner(
                user=request.user, invitation=invitation, browser_token=draft_token
            )
            if owner is None:
                made_token = secrets.token_urlsafe(24)
                owner = services.DraftOwner(browser_key=services.browser_key(made_token))
            try:
                data = services.draft_data_clean(
                    structure.questions,
                    {name: request.POST.getlist(name) for name in request.POST},
                )
                services.survey_draft_save(survey=survey, version=version, owner=owner, data=data)
            except ValidationError as exc:
                messages_top.extend(exc.messages)
                status = 400
            else:
                saved: HttpResponse = redirect(request.path + "?robocza=zapisana")
                if made_token:
                    _draft_cookie_set(saved, survey, form, consultation.slug, made_token)
                return _with_cookie(saved, new_token)
    elif request.method == "POST":
        answers = answers_from_post(structure.questions, request.POST, request.FILES)
        try:
            key = uuid.UUID(request.POST.get("idempotency_key", ""))
        except ValueError:
            key = None
        if key is None:
            messages_top.append(_expired())
            status = 400
        else:
            try:
                result = services.survey_response_submit_with_draft(
                    draft_owners=owners if drafts_on else [],
                    acting_user=request.user,
                    survey_id=survey.pk,
                    survey=survey,
                    form=form,
                    idempotency_key=key,
                    answers=answers,
                    client_ip=client_ip(request),
                    browser_token=browser_token if survey.one_per_browser else "",
                    honeypot=request.POST.get("website", ""),
                    invitation_token=token,
                )
            except ValidationError as exc:
                status = 400
                if hasattr(exc, "error_dict"):
                    for name, msgs in exc.message_dict.items():
                        if name == "__all__":
                            messages_top.extend(msgs)
                        else:
                            errors[name] = msgs
                else:
                    messages_top.extend(exc.messages)
            else:
                if kind == SurveyKind.POLL:
                    voted = set(request.session.get(VOTED_SESSION_KEY, []))
                    voted.add(survey.pk)
                    request.session[VOTED_SESSION_KEY] = sorted(voted)
                response: HttpResponse = redirect(f"{kind}_thanks", slug=slug)
                if result.created:
                    response["Location"] += "?nowa=1"
                if draft_token:
                    _draft_cookie_delete(response, consultation.slug)
                return _with_cookie(response, new_token)
    elif drafts_on:
        draft = selectors.draft_of(survey, owners)
        if draft is not None:
            answers = answers_from_post(structure.questions, post_from_draft(draft.data))
    voted_poll = kind == SurveyKind.POLL and (
        own is not None or survey.pk in request.session.get(VOTED_SESSION_KEY, [])
    )
    if voted_poll and request.method != "POST":
        return redirect(f"{kind}_thanks", slug=slug)
    context = {
        "consultation": consultation,
        "survey": survey,
        "kind": kind,
        "version": version,
        "sections": questions_for_page(structure, answers, errors),
        **page_scripts(structure),
        "errors": errors,
        "messages_top": messages_top,
        "idempotency_key": uuid.uuid4(),
        "is_open": is_open,
        "own": own,
        "already_answered": own is not None and survey.audience != Audience.VERIFIED,
        "eligibility_problem": services.eligibility_error(
            survey, request.user, invitation_token=token
        ),
        "sign_in_helps": survey.audience == Audience.VERIFIED,
        "results_visible": selectors.results_visible_to_residents(survey, consultation),
        "preview": False,
        "drafts_on": drafts_on,
        "draft": draft,
        "draft_old_version": draft is not None and draft.version_id != version.pk,
        "draft_event": request.GET.get("robocza", "") if request.method == "GET" else "",
        "draft_where": "link" if invitation else "account" if request.user.is_authenticated else "",
        "has_file_question": any(q.type == QuestionType.FILE for q in structure.questions),
    }
    response = render(request, "surveys/resident/answer.html", context, status=status)
    if token:
        # The link is a key: keep it out of Referer headers sent to other sites and out of
        # caches ("no-referrer" would make Chromium send "Origin: null" with the form, which
        # Django's CSRF check refuses).
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
    if draft is not None or draft_token:
        # A page with a resident's own answers: never kept by a shared cache.
        response["Cache-Control"] = "private, no-store"
    return _with_cookie(response, new_token)


def _draft_closed() -> str:
    from django.utils.translation import gettext as _

    return _("The survey is not open: a draft can no longer be saved.")


def _draft_salt(survey: Survey) -> str:
    # The token is signed for this municipality's survey: another survey's token (or one
    # made up) reads as none.
    return f"survey-draft:{connection.schema_name}:{survey.pk}"


def _draft_token(request: HttpRequest, survey: Survey) -> str:
    if DRAFT_COOKIE not in request.COOKIES or len(request.COOKIES[DRAFT_COOKIE]) > 200:
        return ""
    value = request.get_signed_cookie(DRAFT_COOKIE, default="", salt=_draft_salt(survey))
    return value if isinstance(value, str) else ""


def _draft_owners(user: Any, invitation: Any, draft_token: str) -> list[services.DraftOwner]:
    """Whose drafts this visitor sees and whose a sent response deletes: the invitation's
    alone on a one-time link; else the account's and this browser's."""
    if invitation is not None:
        return [services.DraftOwner(invitation_id=invitation.pk)]
    owners = []
    if user.is_authenticated:
        owners.append(services.DraftOwner(account_id=user.pk))
    if draft_token:
        owners.append(services.DraftOwner(browser_key=services.browser_key(draft_token)))
    return owners


def _draft_cookie_path(slug: str) -> str:
    return reverse("consultation_detail", kwargs={"slug": slug})


def _draft_cookie_set(
    response: HttpResponse, survey: Survey, form: Any, slug: str, token: str
) -> None:
    """HttpOnly, Secure where the site is HTTPS, SameSite=Lax, for the consultation's pages
    only, until the survey closes (host-only: never another municipality's)."""
    ends = form.window_ends_at
    response.set_signed_cookie(
        DRAFT_COOKIE,
        token,
        salt=_draft_salt(survey),
        expires=ends if ends is not None else None,
        max_age=None if ends is not None else DRAFT_COOKIE_AGE,
        path=_draft_cookie_path(slug),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _draft_cookie_delete(response: HttpResponse, slug: str) -> HttpResponse:
    response.delete_cookie(DRAFT_COOKIE, path=_draft_cookie_path(slug), samesite="Lax")
    return response


def _expired() -> str:
    from django.utils.translation import gettext as _

    return _("This form has expired. Please reload the page.")


def _with_cookie(response: HttpResponse, token: str) -> HttpResponse:
    if token:
        # Host-only (no Domain): a cookie of one municipality never reaches another.
        response.set_cookie(
            BROWSER_COOKIE, token, max_age=BROWSER_COOKIE_AGE, httponly=True, samesite="Lax"
        )
    return response


def thanks(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    consultation, survey, _form = _survey_or_404(slug, kind)
    context: dict[str, Any] = {
        "consultation": consultation,
        "survey": survey,
        "kind": kind,
        "results_visible": selectors.results_visible_to_residents(survey, consultation),
    }
    if kind == SurveyKind.POLL:
        # A poll shows its result to whoever has voted.
        context["results"] = selectors.results_for_residents(selectors.survey_results(survey))
    return render(request, "surveys/resident/thanks.html", context)


def results(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    consultation, survey, _form = _survey_or_404(slug, kind)
    if not selectors.results_visible_to_residents(survey, consultation):
        raise Http404
    return render(
        request,
        "surveys/results.html",
        {
            "consultation": consultation,
            "survey": survey,
            "kind": kind,
            "results": selectors.results_for_residents(
                selectors.survey_results(survey, text_search=_search(request))
            ),
            "staff": False,
        },
    )


def _search(request: HttpRequest) -> str:
    return request.GET.get("szukaj", "").replace("\x00", "")[:100].strip()
