"""The provider's form for a new version of a legal basis's rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rulesets.models import Channel, CountedFrom, LegalRuleSet
from rulesets.services import VERSION_FIELDS

# The forms of participation the acts name, by the kind names consultations registers
# (rulesets sits below consultations, so it names them rather than asking the registry).
FORM_CHOICES = [
    ("remarks", _("Remarks form")),
    ("paragraph_comments", _("Comments on the draft, paragraph by paragraph")),
    ("meeting", _("Meetings (meetings, debates, workshops, study walks)")),
    ("survey", _("Online survey")),
    ("poll", _("Poll")),
]
AUTHOR_FIELD_CHOICES = [("name", _("name (or company name)")), ("address", _("address"))]


class RuleSetVersionForm(forms.ModelForm):
    required_forms = forms.MultipleChoiceField(
        label=_("Forms required"),
        required=False,
        choices=FORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    other_forms = forms.MultipleChoiceField(
        label=_("Other forms that count"),
        required=False,
        choices=FORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    remark_author_fields = forms.MultipleChoiceField(
        label=_("Author details a remark must carry"),
        required=False,
        choices=AUTHOR_FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    required_channels = forms.MultipleChoiceField(
        label=_("Announcement channels required"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    source_url = forms.URLField(
        label=capfirst(_("link to the text")), required=False, assume_scheme="https"
    )
    duration_counted_from = forms.ChoiceField(
        label=_("Duration counted"), choices=CountedFrom.choices, initial=CountedFrom.START
    )

    class Meta:
        model = LegalRuleSet
        fields = ["legal_basis", "valid_from", *VERSION_FIELDS]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self) -> None:
        # The form only parses input: rulesets.services.rule_set_version_add validates the
        # version (its provisions, a second version on one day) with its own messages; the
        # model's constraint check here would say less, in a generic message.
        return

    def version_values(self) -> dict[str, Any]:
        """The cleaned values, as rulesets.services.rule_set_version_add takes them."""
        data = dict(self.cleaned_data)
        data.pop("legal_basis")
        data.pop("valid_from")
        return data
