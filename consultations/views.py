"""A municipality's site: the residents' pages and the staff panel. Views stay thin."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.static import serve

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from common.db import connection
from consultations import legal_texts, permissions, selectors, services
from consultations.forms import AccessibilityStatementForm, PrivacyNoticeForm, SiteSettingsForm
from consultations.forms_rules import CouncilResolutionForm
from consultations.page_cache import consultation_cards, page_cache_until, page_cached
from consultations.permissions import can_manage_site_settings, is_municipal_staff
from consultations.selectors import site_settings_get


@page_cached
def home(request: HttpRequest) -> HttpResponse:
    sections = selectors.home_sections()
    page_cache_until(request, sections["news_next"])
    shown = [*sections["open"], *sections["upcoming"], *sections["closed"]]
    sections["cards"] = consultation_cards(request, shown)
    return render(request, "consultations/resident/home.html", sections)


@permission_required(is_municipal_staff)
def panel_home(request: HttpRequest) -> HttpResponse:
    context = {
        "panel_can_consult": permissions.can_work_on_consultations(request.user),
        "panel_can_catalogue": permissions.can_manage_catalogue(request.user),
        "panel_can_news": permissions.can_publish_news(request.user),
    }
    return render(request, "consultations/panel/home.html", context)


@permission_required(can_manage_site_settings)
def panel_settings(request: AuthenticatedRequest) -> HttpResponse:
    current = site_settings_get()
    initial = {"primary_colour": current.primary_colour, "tagline": current.tagline}
    form = SiteSettingsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_settings_update(
                acting_user=request.user,
                primary_colour=form.cleaned_data["primary_colour"],
                tagline=form.cleaned_data["tagline"],
                coat_of_arms=form.cleaned_data["coat_of_arms"] or None,
                coat_of_arms_remove=form.cleaned_data["coat_of_arms_remove"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("panel_settings")
    return render(request, "consultations/panel/settings.html", {"form": form, "current": current})


@permission_required(can_manage_site_settings)
def panel_council_resolution(request: AuthenticatedRequest) -> HttpResponse:
    """The council resolution on consultations (art. 5a ust. 2 u.s.g.) and its parameters,
    which consultations under "council resolution" follow."""
    current = services.council_resolution_get()
    initial = {
        "number": current.number,
        "adopted_on": current.adopted_on,
        "url": current.url,
        "min_duration_days": current.min_duration_days,
        "min_notice_days": current.min_notice_days,
        "required_forms": current.required_forms,
        "required_channels": current.required_channels,
        "report_deadline_days": current.report_deadline_days,
        "draft_required": current.draft_required,
    }
    form = CouncilResolutionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.council_resolution_update(
                acting_user=request.user,
                number=data["number"],
                adopted_on=data["adopted_on"],
                url=data["url"],
                min_duration_days=data["min_duration_days"],
                min_notice_days=data["min_notice_days"],
                required_forms=data["required_forms"],
                required_channels=data["required_channels"],
                report_deadline_days=data["report_deadline_days"],
                draft_required=data["draft_required"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The council resolution has been saved."))
            return redirect("panel_council_resolution")
    return render(
        request,
        "consultations/panel/council_resolution.html",
        {"form": form, "current": current},
    )


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@permission_required(can_manage_site_settings)
def panel_privacy_notice(request: AuthenticatedRequest) -> HttpResponse:
    """The privacy notice: defaults from the municipality's data, gaps listed for staff."""
    current = site_settings_get()
    initial = {name: getattr(current, name) for name in services.legal.PRIVACY_FIELDS}
    form = PrivacyNoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.privacy_notice_update(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The privacy notice has been saved."))
            return redirect("panel_privacy_notice")
    notice = legal_texts.privacy_notice_for(current, request.tenant)  # type: ignore[attr-defined]
    return render(
        request, "consultations/panel/privacy_notice.html", {"form": form, "notice": notice}
    )


@permission_required(can_manage_site_settings)
def panel_accessibility_statement(request: AuthenticatedRequest) -> HttpResponse:
    """The accessibility statement: saving it is its yearly review (art. 10)."""
    current = site_settings_get()
    statement = legal_texts.accessibility_statement_for(
        current,
        request.tenant,  # type: ignore[attr-defined]
        today=timezone.localdate(),
    )
    initial = {name: getattr(current, name) for name in services.legal.ACCESSIBILITY_FIELDS}
    initial["a11y_status"] = statement.status
    initial["a11y_assessment"] = statement.assessment
    form = AccessibilityStatementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.accessibility_statement_update(
                acting_user=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("The accessibility statement has been saved; today is its date of review."),
            )
            return redirect("panel_accessibility_statement")
    return render(
        request,
        "consultations/panel/accessibility_statement.html",
        {"form": form, "statement": statement},
    )


PUBLIC_MEDIA_PREFIXES = ("branding/",)


def media(request: HttpRequest, schema: str, path: str) -> FileResponse:
    """Serve the current municipality's public uploads (branding), and only theirs: another
    schema's folder is a 404 here even when the file exists. Consultation documents are not
    served here: their download view checks that the consultation is visible to residents.

    The prefix is checked on the normalised path, the one actually served: "branding/../x"
    (sent as "..%2f") starts with "branding/" but names a file outside it."""
    normalised = posixpath.normpath(path).lstrip("/")
    if (
        schema != connection.schema_name
        or not normalised.startswith(PUBLIC_MEDIA_PREFIXES)
        or ".." in normalised.split("/")
        or "\\" in path
    ):
        raise Http404
    root = Path(settings.MEDIA_ROOT) / connection.schema_name
    return serve(request, normalised, document_root=str(root))
