from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from common.collation import polish_order
from consultations.models import Area, Category


class SubscriptionForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address, e.g. jan.kowalski@example.pl."),
        },
    )
    whole_municipality = forms.BooleanField(
        label=_("All consultations of the whole municipality"), required=False
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my e-mail address is processed to send me notifications about "
            "consultations."
        ),
        required=True,
        error_messages={
            "required": _(
                "To receive notifications, agree to the processing of your e-mail address."
            )
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(getattr(connection, "tenant", None), "kind", "") == "miasto":
            self.fields["whole_municipality"].label = pgettext(
                "miasto", "All consultations of the whole municipality"
            )
        cast(forms.ModelMultipleChoiceField, self.fields["areas"]).queryset = Area.objects.order_by(
            polish_order("name")
        )
        cast(
            forms.ModelMultipleChoiceField, self.fields["categories"]
        ).queryset = Category.objects.order_by(polish_order("name"))
