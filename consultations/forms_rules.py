"""Forms of the legal rules in the staff panel: announcement publications, the one move of
the dates after a late payment, and the council resolution on consultations."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.forms import DATETIME_FORMAT, DateTimeLocalInput
from consultations.participation import kind_choices
from rulesets.models import Channel


class PublicationForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    published_on = forms.DateField(
        label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    proof_url = forms.URLField(
        label=_("Proof: link"),
        required=False,
        assume_scheme="https",
        help_text=_("E.g. the address of the announcement in the BIP."),
    )
    proof_file = forms.FileField(
        label=_("Proof: file"),
        required=False,
        help_text=_("A scan or a screenshot: PDF, PNG or JPEG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class DatesMoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New start"), widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("New end"), widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )


class CouncilResolutionForm(forms.Form):
    number = forms.CharField(label=_("Resolution number"), max_length=100, required=False)
    adopted_on = forms.DateField(
        label=_("Adopted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    url = forms.URLField(
        label=_("Link to the resolution"), required=False, assume_scheme="https", max_length=500
    )
    min_duration_days = forms.IntegerField(
        label=_("Minimum duration (days)"), required=False, min_value=1, max_value=365
    )
    min_notice_days = forms.IntegerField(
        label=_("Minimum notice (days before the start day)"),
        min_value=0,
        max_value=365,
        initial=0,
    )
    required_forms = forms.MultipleChoiceField(
        label=_("Forms required"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    required_channels = forms.MultipleChoiceField(
        label=_("Announcement channels required"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    report_deadline_days = forms.IntegerField(
        label=_("Report due (days after closing)"), required=False, min_value=1, max_value=365
    )
    draft_required = forms.BooleanField(label=_("A draft document is required"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["required_forms"].choices = kind_choices()  # type: ignore[attr-defined]
