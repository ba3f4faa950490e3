"""The provider panel on the apex domain: thin views over tenants.services and selectors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from tenants import provider_panel, selectors, services
from tenants.forms import (
    MunicipalityCreateForm,
    MunicipalityEditForm,
    MunicipalityFilterForm,
    MunicipalityStatusForm,
)
from tenants.models import Municipality, MunicipalityStatus
from tenants.permissions import is_provider_staff

# Provider pages: sign in first; anyone else signed in gets a 404 (nothing to learn here).
provider_required = permission_required(is_provider_staff)


def _municipality_or_404(municipality_id: int) -> Municipality:
    municipality = selectors.municipality_for_provider(municipality_id=municipality_id)
    if municipality is None:
        raise Http404
    return municipality


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


def _provider_legal_context() -> dict[str, Any]:
    provider = settings.BILLING_PROVIDER
    return {
        "provider": provider,
        "contact_email": settings.PROVIDER_CONTACT_EMAIL,
        "legal_texts_date": settings.PROVIDER_LEGAL_TEXTS_DATE,
    }


def provider_privacy_notice(request: HttpRequest) -> HttpResponse:
    """The provider's own privacy notice for its site and panel (RODO art. 13): here the
    provider is the controller (on the municipalities' sites it is their processor)."""
    return render(request, "tenants/privacy_notice.html", _provider_legal_context())


def provider_accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The provider's accessibility statement for its own site, in the same structure as
    the municipalities' (the provider is not a public body: a statement of good will)."""
    return render(request, "tenants/accessibility_statement.html", _provider_legal_context())


@provider_required
def municipality_list(request: HttpRequest) -> HttpResponse:
    form = MunicipalityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    municipalities = selectors.municipalities_for_provider(
        status=filters.get("status", ""), query=filters.get("q", "")
    )
    return render(
        request,
        "tenants/municipality_list.html",
        {"municipalities": municipalities, "filter_form": form},
    )


@provider_required
def municipality_create(request: AuthenticatedRequest) -> HttpResponse:
    form = MunicipalityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            municipality = services.municipality_create(
                **form.cleaned_data, acting_user=request.user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("%(name)s is being provisioned; the administrator will get an invitation.")
                % {"name": municipality.name},
            )
            return redirect("provider:municipality_detail", municipality_id=municipality.pk)
    return render(request, "tenants/municipality_form.html", {"form": form})


def _sections_for(municipality: Municipality) -> list[dict[str, Any]]:
    """The sections other apps add to the page, each with its own context (see
    tenants.provider_panel); those needing the schema wait until it exists."""
    rendered = []
    for section in provider_panel.sections():
        if section.needs_schema and not municipality.is_ready:
            continue
        rendered.append(
            {
                "key": section.key,
                "title": section.title,
                "template_name": section.template_name,
                "context": section.context(municipality),
            }
        )
    return rendered


@provider_required
def municipality_detail(request: HttpRequest, municipality_id: int) -> HttpResponse:
    municipality = _municipality_or_404(municipality_id)
    return render(
        request,
        "tenants/municipality_detail.html",
        {
            # Not "municipality": base.html reads that name as "this page is a municipality's
            # own site" and would brand the provider's page with it.
            "record": municipality,
            "allowed": services.STATUS_TRANSITIONS.get(municipality.status, set()),
            "status_form": MunicipalityStatusForm(),
            "sections": _sections_for(municipality),
            "staff": selectors.staff_for_provider(municipality=municipality),
            "invitation_state": selectors.first_admin_invitation_state(municipality=municipality),
        },
    )


@provider_required
def municipality_edit(request: AuthenticatedRequest, municipality_id: int) -> HttpResponse:
    municipality = _municipality_or_404(municipality_id)
    initial = {
        "name": municipality.name,
        "kind": municipality.kind,
        "teryt": municipality.teryt,
        "nip": municipality.nip or "",
        "contact_email": municipality.contact_email,
    }
    form = MunicipalityEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.municipality_update(
                municipality=municipality, **form.cleaned_data, acting_user=request.user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The details have been saved."))
            return redirect("provider:municipality_detail", municipality_id=municipality.pk)
    return render(request, "tenants/municipality_edit.html", {"form": form, "record": municipality})


@provider_required
@require_POST
def municipality_invitation_resend(
    request: AuthenticatedRequest, municipality_id: int
) -> HttpResponse:
    municipality = _municipality_or_404(municipality_id)
    try:
        email = services.municipality_admin_invitation_resend(
            municipality=municipality, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation has been sent again to %(email)s.") % {"email": email}
        )
    return redirect("provider:municipality_detail", municipality_id=municipality_id)


@provider_required
@require_POST
def municipality_status(request: AuthenticatedRequest, municipality_id: int) -> HttpResponse:
    municipality = _municipality_or_404(municipality_id)
    form = MunicipalityStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("provider:municipality_detail", municipality_id=municipality_id)
    status = form.cleaned_data["status"]
    allowed = services.STATUS_TRANSITIONS.get(municipality.status, set())
    if (
        status == MunicipalityStatus.SUSPENDED
        and status in allowed
        and not form.cleaned_data["confirmed"]
    ):
        # Residents lose the site at once: say what is running and ask again.
        return render(
            request,
            "tenants/municipality_suspend_confirm.html",
            {
                "record": municipality,
                "reason": form.cleaned_data["reason"],
                "running": provider_panel.running_work(municipality),
            },
        )
    try:
        services.municipality_status_change(
            municipality=municipality,
            status=status,
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The status has been changed."))
    return redirect("provider:municipality_detail", municipality_id=municipality_id)
