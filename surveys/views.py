"""Residents' pages of a survey or poll: answer, thanks, results. Thin: read the POST,
call the submit service, render."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from consultations.selectors import participation_form_get
from surveys import selectors, services
from surveys.forms import answers_from_post, answers_from_response
from surveys.models import Audience, Survey, SurveyKind
from surveys.presentation import page_scripts, questions_for_page

BROWSER_COOKIE = "survey_browser"
BROWSER_COOKIE_AGE = 60 * 60 * 24 * 365
VOTED_SESSION_KEY = "surveys_voted"


def _survey_or_404(slug: str, kind: str) -> tuple[Any, Survey, Any]:
    consultation = selectors.consultation_public(slug)
    if consultation is None:
        raise Http404
    form = participation_form_get(consultation, kind)
    survey = selectors.survey_of(consultation, kind) if form is not None else None
    if survey is None:
        raise Http404
    return consultation, survey, form


def client_ip(request: HttpRequest) -> str:
    # Behind the proxy (deploy/) REMOTE_ADDR is set from the real client by gunicorn's
    # forwarded-allow-ips; never trust X-Forwarded-For from the request itself.
    return request.META.get("REMOTE_ADDR", "")


def answer(request: HttpRequest, slug: str, kind: str, token: str = "") -> HttpResponse:
    """The answering page; with ``token``, reached through an invited address's one-time
    link (its GET only shows the form: mail scanners open links too)."""
    consultation, survey, form = _survey_or_404(slug, kind)
    if token and (
        survey.audience != Audience.INVITED or selectors.invitation_by_token(survey, token) is None
    ):
        raise Http404
    structure = selectors.current_structure(survey)
    version = structure.version
    if not structure.questions:
        raise Http404
    browser_token = request.COOKIES.get(BROWSER_COOKIE, "")[:64]
    new_token = ""
    if survey.one_per_browser and not browser_token:
        new_token = browser_token = secrets.token_urlsafe(24)
    is_open = form.is_open_at(timezone.now())
    own = selectors.response_own(survey, user=request.user, browser_token=browser_token)
    errors: dict[str, list[str]] = {}
    messages_top: list[str] = []
    answers: dict[str, Any] = {}
    status = 200
    if own is not None:
        answers = answers_from_response(structure.questions, selectors.response_answers(own))
    if request.method == "POST":
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
                result = services.survey_response_submit(
                    acting_user=request.user,
                    survey_id=survey.pk,
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
                return _with_cookie(response, new_token)
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
    }
    response = render(request, "surveys/resident/answer.html", context, status=status)
    if token:
        # The link is a key: keep it out of Referer headers sent to other sites and out of
        # caches ("no-referrer" would make Chromium send "Origin: null" with the form, which
        # Django's CSRF check refuses).
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
    return _with_cookie(response, new_token)


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
