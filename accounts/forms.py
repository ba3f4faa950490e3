from __future__ import annotations

from typing import Any, cast

from allauth.account.forms import SignupForm
from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffRole


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ResidentSignupForm(SignupForm):
    """allauth's sign-up form plus the explicit consent RODO asks for (never pre-ticked)."""

    field_order = ["email", "password1", "password2", "terms"]

    terms = forms.BooleanField(
        label=_(
            "I have read the privacy notice and I accept the terms of taking part "
            "in the consultations."
        ),
        required=True,
        error_messages={"required": _("To create an account, tick the consent.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].widget.attrs.pop("placeholder", None)
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
        if "password2" in self.fields:
            self.fields["password2"].label = _("Repeat the password")

    def try_save(self, request: HttpRequest) -> tuple[Any, HttpResponse | None]:
        """Save, or treat the address as taken when a sign-up with the same address
        committed between this form's uniqueness check and its insert (two clicks, two tabs):
        allauth then answers as for any taken address, without saying so on the page."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            self.account_already_exists = True
            return super().try_save(request)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("Shown next to what you submit. If left empty, we show “Resident”."),
    )
    first_name = forms.CharField(label=_("First name (optional)"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name (optional)"), max_length=150, required=False)


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you who deletes the account."),
    )


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    # Most invitations are for coordinators; the administrator's role is never the default.
    role = forms.ChoiceField(
        label=_("Role"), choices=StaffRole.choices, initial=StaffRole.COORDINATOR
    )
    departments = forms.TypedMultipleChoiceField(
        label=_("Departments (for a coordinator)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The coordinator will run the consultations of these departments."),
    )

    def __init__(
        self, *args: Any, department_choices: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if department_choices is None:
            del self.fields["departments"]
        else:
            cast(forms.MultipleChoiceField, self.fields["departments"]).choices = department_choices


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
