from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SiteSettingsForm(forms.Form):
    primary_colour = forms.CharField(
        label=_("Main colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Used for the header and buttons; white text must be readable on it."),
    )
    tagline = forms.CharField(label=_("Tagline"), max_length=200, required=False)
    coat_of_arms = forms.FileField(
        label=_("Coat of arms"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    coat_of_arms_remove = forms.BooleanField(label=_("Remove the coat of arms"), required=False)
