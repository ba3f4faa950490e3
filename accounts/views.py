"""Residents' own account pages, the staff team pages of the panel, and invitations.

Views parse input, check a named permission, call one service and render; nothing more.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.decorators import permission_required
from accounts.forms import (
    AccountDeleteForm,
    InvitationAcceptForm,
    ProfileForm,
    StaffInviteForm,
    StaffRoleForm,
)
from accounts.http import AuthenticatedRequest
from accounts.invitation_scopes import departments_provider
from accounts.permissions import can_manage_own_account, can_manage_staff
from accounts.services import invitation_accept as invitation_accept_service
from accounts.services import invitation_get_usable


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- Invitations ----------------------------------------------------------------------------


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


# --- Residents' own account -----------------------------------------------------------------


@never_cache
@permission_required(can_manage_own_account)
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("account_profile")
    return render(request, "accounts/profile.html", {"form": form})


@never_cache
@permission_required(can_manage_own_account)
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/personal_data.html")


@never_cache
@permission_required(can_manage_own_account)
def personal_data_download(request: AuthenticatedRequest) -> HttpResponse:
    data = selectors.personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"moje-dane-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@permission_required(can_manage_own_account)
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


# --- Staff team (panel) ---------------------------------------------------------------------


@never_cache
@permission_required(can_manage_staff)
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/panel/staff_list.html",
        {
            "members": selectors.staff_members(),
            "invitations": selectors.invitations_pending(),
            "now": timezone.now(),
        },
    )


@never_cache
@permission_required(can_manage_staff)
def staff_invite(request: AuthenticatedRequest) -> HttpResponse:
    provider = departments_provider()
    choices = provider.choices() if provider is not None else None
    form = StaffInviteForm(request.POST or None, department_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.staff_invite(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                acting_user=request.user,
                department_ids=form.cleaned_data.get("departments", []),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("staff_list")
    return render(
        request,
        "accounts/panel/staff_invite.html",
        {
            "form": form,
            "no_departments": choices == [],
            "department_create_url_name": provider.create_url_name if provider else "",
        },
    )


@never_cache
@permission_required(can_manage_staff)
def staff_member(request: AuthenticatedRequest, member_id: int) -> HttpResponse:
    member = selectors.staff_member_get(member_id=member_id)
    if member is None:
        raise Http404
    form = StaffRoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_role_change(
                member_id=member.pk, role=form.cleaned_data["role"], acting_user=request.user
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, _("The role of %(email)s has been changed.") % {"email": member.email}
            )
            return redirect("staff_list")
    return render(request, "accounts/panel/staff_member.html", {"member": member, "form": form})


@require_POST
@permission_required(can_manage_staff)
def staff_revoke(request: AuthenticatedRequest, member_id: int) -> HttpResponse:
    member = selectors.staff_member_get(member_id=member_id)
    if member is None:
        raise Http404
    try:
        services.staff_access_revoke(member_id=member.pk, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff_member", member_id=member.pk)
    messages.success(
        request,
        _("%(email)s no longer has access to the staff panel; the account stays.")
        % {"email": member.email},
    )
    if member.pk == request.user.pk:
        return redirect("home")
    return redirect("staff_list")


@require_POST
@permission_required(can_manage_staff)
def invitation_resend(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_pending_get(invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    services.invitation_resend(invitation_id=invitation.pk, acting_user=request.user)
    messages.success(
        request,
        _("The invitation has been sent again to %(email)s.") % {"email": invitation.email},
    )
    return redirect("staff_list")


@require_POST
@permission_required(can_manage_staff)
def invitation_cancel(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_pending_get(invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    services.invitation_cancel(invitation_id=invitation.pk, acting_user=request.user)
    messages.success(
        request, _("The invitation for %(email)s has been cancelled.") % {"email": invitation.email}
    )
    return redirect("staff_list")
