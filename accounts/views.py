"""Accepting an invitation to a municipality's staff: set a password, land in the panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.forms import InvitationAcceptForm
from accounts.services import invitation_accept as invitation_accept_service
from accounts.services import invitation_get_usable


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    # A GET only shows the form: mail clients pre-fetch links, and that must use up nothing.
    invitation = invitation_get_usable(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept_service(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your password has been set."))
            return redirect("panel_home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
