"""Forms of the provider panel; they parse input, the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.models import MunicipalityKind, MunicipalityStatus


class MunicipalityCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("E.g. Gmina Dębno"))
    kind = forms.ChoiceField(label=_("Kind of unit"), choices=MunicipalityKind.choices)
    teryt = forms.CharField(
        label=_("TERYT code"),
        max_length=7,
        required=False,
        help_text=_("7 digits for a gmina or city, 4 for a county, 2 for a voivodeship."),
    )
    nip = forms.CharField(label=_("NIP"), max_length=16, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    subdomain = forms.CharField(
        label=_("Subdomain"),
        max_length=40,
        help_text=format_lazy(
            _("The site's address will be [subdomain].{domain}"), domain=settings.PLATFORM_DOMAIN
        ),
    )
    custom_domain = forms.CharField(
        label=_("Custom domain (optional)"), max_length=253, required=False
    )
    admin_email = forms.EmailField(
        label=_("First administrator's e-mail"),
        help_text=_("This person receives an invitation to set a password."),
    )


class MunicipalityEditForm(forms.Form):
    """The details a provider may correct; addresses and the schema stay as created."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of unit"), choices=MunicipalityKind.choices)
    teryt = forms.CharField(label=_("TERYT code"), max_length=7, required=False)
    nip = forms.CharField(label=_("NIP"), max_length=16, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"))


class MunicipalityStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (MunicipalityStatus.SUSPENDED, _("Suspend")),
            (MunicipalityStatus.ACTIVE, _("Reactivate")),
            (MunicipalityStatus.ARCHIVED, pgettext_lazy("verb", "Archive")),
            (MunicipalityStatus.PROVISIONING, _("Retry provisioning")),
        ]
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
    # Set by the confirmation page a suspension passes through first.
    confirmed = forms.BooleanField(required=False)


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *list(MunicipalityStatus.choices)],
    )
