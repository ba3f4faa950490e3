"""The provider's pages for portals, on the apex's provider panel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from portal.forms import PortalForm
from portal.selectors import portal_form_initial, portals_for_provider
from portal.services import portal_save
from tenants.permissions import is_provider_staff

provider_required = permission_required(is_provider_staff)


@provider_required
def portal_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/provider_list.html", {"rows": portals_for_provider()})


@provider_required
def portal_edit(request: AuthenticatedRequest, portal_id: int | None = None) -> HttpResponse:
    portal = None
    initial: dict[str, object] = {"primary_colour": "#1f4e79"}
    if portal_id is not None:
        found = portal_form_initial(portal_id)
        if found is None:
            raise Http404
        portal, initial = found
    form = PortalForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = portal_save(
                portal_id=portal_id,
                name=data["name"],
                subdomain=data["subdomain"],
                custom_domain=data["custom_domain"],
                primary_colour=data["primary_colour"],
                description=data["description"],
                member_ids=[m.pk for m in data["members"]],
                staff_emails=data["staff_emails"].split(),
                logo=data.get("logo"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request, _("The portal %(name)s has been saved.") % {"name": saved.name}
            )
            return redirect("portal_provider:portal_list")
    return render(request, "portal/provider_form.html", {"form": form, "record": portal})
