"""Residents' pages of meetings: schedules, an event with its sign-up form, confirm and
cancel links (POST only), the .ics of an event and the calendar feed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from consultations.selectors import public_form_get
from meetings import ics, selectors, services
from meetings.forms import SignupForm
from meetings.models import Event, Signup
from tenants.http import TenantRequest


def _errors_to_form(form: SignupForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """The municipality's schedule: every event not yet over."""
    return render(request, "meetings/resident/list.html", {"events": selectors.events_upcoming()})


@require_GET
def consultation_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """Every event of one consultation, past ones too."""
    # The public consultation with its meetings form, in one query (its title is all the
    # page shows of it).
    form = public_form_get(slug, selectors.KIND_NAME)
    if form is None:
        raise Http404
    return render(
        request,
        "meetings/resident/schedule.html",
        {"consultation": form.consultation, "events": selectors.events_of(form.consultation)},
    )


def _event_or_404(event_id: int) -> Event:
    event = selectors.event_get_public(event_id=event_id)
    if event is None:
        raise Http404
    return event


@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(event_id)
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.signup_request(
                    event_id=event.pk,
                    name=data["name"],
                    email=data["email"],
                    needs_interpreter=data["needs_interpreter"],
                    needs_induction_loop=data["needs_induction_loop"],
                    needs_other=data["needs_other"],
                    consent=data["consent"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect("meeting_signup_requested", event_id=event.pk)
        status = 400
    return render(
        request,
        "meetings/resident/detail.html",
        {"event": event, "form": form, "state": selectors.signup_state(event)},
        status=status,
    )


@require_GET
def signup_requested(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(event_id)
    return render(request, "meetings/resident/requested.html", {"event": event})


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the event and a button; only the POST confirms (mail scanners open links)."""
    signup: Signup | None
    if request.method == "POST":
        try:
            signup = services.signup_confirm(token=token)
        except ValidationError as exc:
            return render(
                request, "meetings/resident/link_invalid.html", {"reason": exc.messages}, status=410
            )
        return render(request, "meetings/resident/confirmed.html", {"signup": signup})
    signup = selectors.signup_get_for_confirmation(token=token)
    if signup is None:
        return render(request, "meetings/resident/link_invalid.html", status=410)
    return render(request, "meetings/resident/confirm.html", {"signup": signup})


# The token is the authentication (signed per sign-up and per municipality), not a session:
# RFC 8058 one-click POSTs come from mail providers without a cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def signup_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (that button, or a mail client's one-click) cancels."""
    if request.method == "POST":
        signup = services.signup_cancel(token=token)
        if signup is None:
            raise Http404
        return render(request, "meetings/resident/cancelled.html", {"signup": signup})
    signup = selectors.signup_get_by_cancel_token(token=token)
    if signup is None:
        raise Http404
    if signup.status == "cancelled":
        return render(request, "meetings/resident/cancelled.html", {"signup": signup})
    return render(request, "meetings/resident/cancel.html", {"signup": signup})


def _host(request: TenantRequest) -> str:
    return request.tenant.primary_host


def _event_url(request: TenantRequest, event_id: int) -> str:
    """The event's address on the municipality's stored domain, never the request's Host
    header (a calendar file is kept and shared, as mails are)."""
    path = reverse("meeting_event_detail", kwargs={"event_id": event_id})
    return request.tenant.site_url.rstrip("/") + path


@require_GET
def event_ics(request: TenantRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(event_id)
    url = _event_url(request, event.pk)
    body = ics.calendar_render(
        events=[event], calendar_name=event.title, host=_host(request), url_for=lambda e: url
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spotkanie-{event.pk}.ics"'
    return response


@require_GET
def calendar_feed(request: TenantRequest) -> HttpResponse:
    municipality = request.tenant
    body = ics.calendar_render(
        events=selectors.events_for_feed(),
        calendar_name=_("Consultation meetings – %(name)s") % {"name": municipality.name},
        host=_host(request),
        url_for=lambda e: _event_url(request, e.pk),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="spotkania.ics"'
    return response


@require_GET
def minutes_download(request: HttpRequest, event_id: int) -> FileResponse:
    event = _event_or_404(event_id)
    if not event.minutes:
        raise Http404
    name = f"protokol-{event.pk}.{event.minutes_kind}"
    return FileResponse(event.minutes.open("rb"), as_attachment=True, filename=name)
