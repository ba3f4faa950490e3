from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConclusionsForm(forms.Form):
    conclusions = forms.CharField(
        label=_("Conclusions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "rich-text"}),
        help_text=_(
            "Without the editor, separate paragraphs with an empty line; simple HTML "
            "(paragraphs, bold, lists, links) is kept, anything else is removed."
        ),
    )


class ErratumForm(forms.Form):
    note = forms.CharField(
        label=_("What the erratum corrects"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class EffectsForm(forms.Form):
    text = forms.CharField(
        label=_("What changed in the final act"), widget=forms.Textarea(attrs={"rows": 4})
    )
    url = forms.URLField(label=_("Link to the final act"), required=False, assume_scheme="https")
