from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.collation import polish_order
from portal.models import DigestFrequency
from tenants.models import Municipality


class PortalForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    subdomain = forms.CharField(
        label=_("Subdomain"),
        max_length=63,
        help_text=_("Lower-case letters, digits and hyphens, e.g. metropolia-poznan."),
    )
    custom_domain = forms.CharField(label=_("Custom domain"), max_length=253, required=False)
    primary_colour = forms.CharField(
        label=_("Main colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    logo = forms.ImageField(label=_("Logo"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    members = forms.ModelMultipleChoiceField(
        label=_("Member municipalities"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff_emails = forms.CharField(
        label=_("Portal staff (e-mail addresses, one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Municipality.objects.exclude(  # type: ignore[attr-defined]
            schema_name="public"
        ).order_by(polish_order("name"))


class PortalNewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea)


class DigestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address, e.g. jan.kowalski@example.pl."),
        },
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=DigestFrequency.choices,
        initial=DigestFrequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    municipalities = forms.MultipleChoiceField(
        label=_("Municipalities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all of them."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all of them."),
    )
    consent = forms.BooleanField(
        label=_("I agree that my e-mail address is processed to send me the consultation digest."),
        error_messages={
            "required": _("To receive the digest, agree to the processing of your e-mail address.")
        },
    )

    def __init__(
        self,
        *args: Any,
        municipalities: list[tuple[str, str]],
        categories: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].choices = municipalities  # type: ignore[attr-defined]
        self.fields["categories"].choices = [(c, c) for c in categories]  # type: ignore[attr-defined]
