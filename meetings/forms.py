"""Forms of meetings: parse input only; the services check what matters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.forms import DATETIME_FORMAT, DateTimeLocalInput
from meetings.models import Event, EventType
from meetings.services import EventInput

EMAIL_ERRORS = {
    "required": _("Enter your e-mail address."),
    "invalid": _("Enter a valid e-mail address, e.g. jan.kowalski@example.pl."),
}


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("First name and surname"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your first name and surname.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    needs_interpreter = forms.BooleanField(
        label=_("I need a Polish Sign Language interpreter"), required=False
    )
    needs_induction_loop = forms.BooleanField(label=_("I need an induction loop"), required=False)
    needs_other = forms.CharField(
        label=_("Other needs (optional)"),
        max_length=300,
        required=False,
        help_text=_("E.g. a place for a wheelchair, an assistant, large print."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my name and e-mail address are processed to organise this event "
            "and to send me messages about it."
        ),
        error_messages={
            "required": _("To sign up, agree to the processing of your name and e-mail.")
        },
    )


class EventForm(forms.Form):
    event_type = forms.ChoiceField(label=_("Type"), choices=EventType.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description in plain language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the event is about and how it runs, in words a resident understands."),
    )
    starts_at = forms.DateTimeField(
        label=_("Start"), widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("End"), widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )
    opening_hours = forms.CharField(
        label=_("Opening hours (consultation point)"),
        max_length=300,
        required=False,
        help_text=_("E.g. “Mon–Fri 8:00–18:00, Sat 10:00–14:00”."),
    )
    venue = forms.CharField(label=_("Place"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    step_free_access = forms.BooleanField(label=_("Step-free access"), required=False)
    induction_loop = forms.BooleanField(label=_("Induction loop"), required=False)
    interpreter_on_request = forms.BooleanField(
        label=_("Sign-language interpreter on request"), required=False
    )
    accessibility_notes = forms.CharField(
        label=_("Other accessibility notes"), max_length=500, required=False
    )
    online_url = forms.URLField(
        label=_("Link to the online meeting"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a full link, e.g. https://spotkanie.example.pl/abc.")},
    )
    signup_required = forms.BooleanField(label=_("Sign-up needed"), required=False)
    capacity = forms.IntegerField(
        label=_("Number of places"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("Leave empty when there is no limit."),
    )
    warnings_acknowledged = forms.BooleanField(
        label=_("I have read the warnings and want to schedule the event as it is"),
        required=False,
    )

    def to_input(self) -> EventInput:
        return EventInput(
            **{name: self.cleaned_data[name] for name in EventInput.__dataclass_fields__}
        )

    @staticmethod
    def initial_from(event: Event) -> dict[str, Any]:
        return {name: getattr(event, name) for name in EventInput.__dataclass_fields__}


class AttendanceForm(forms.Form):
    attendance = forms.IntegerField(
        label=_("Number of people who came"),
        required=False,
        min_value=0,
        max_value=1000000,
        help_text=_("Leave empty to count the people ticked on the list."),
    )
    attended = forms.TypedMultipleChoiceField(
        label=_("People on the list who came"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, signups: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["attended"]).choices = [
            (s.pk, s.name or "—") for s in signups
        ]


class MinutesForm(forms.Form):
    minutes = forms.FileField(
        label=_("Minutes"),
        help_text=_("PDF, DOCX or ODT, at most 20 MB."),
        error_messages={"required": _("Choose the file of the minutes.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (for the e-mail to people signed up)"), max_length=500, required=False
    )
