"""Forms of billing; they parse input, the services decide."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.models import PaymentMethod, PriceItem
from billing.money import pln

# ASCII digits only: \d, like int() and Decimal(), also takes Arabic-Indic or full-width ones.
AMOUNT = re.compile(r"^[0-9]{1,8}([.,][0-9]{1,2})?$")


def grosze_parse(text: str) -> int:
    """ "1 234,50" or "1234.5" zł → 123450 grosze; ValueError otherwise."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("zł", "")
    if not AMOUNT.match(cleaned):
        raise ValueError(text)
    try:
        return int((Decimal(cleaned.replace(",", ".")) * 100).to_integral_value())
    except InvalidOperation as exc:
        raise ValueError(text) from exc


class PriceItemForm(forms.Form):
    net_amount = forms.CharField(
        label=_("Net price (PLN)"),
        max_length=14,
        help_text=_("Without VAT, e.g. 1200,00; orders add VAT at 23%."),
    )
    active = forms.BooleanField(label=_("Available for ordering"), required=False)

    def clean_net_amount(self) -> int:
        try:
            return grosze_parse(self.cleaned_data["net_amount"])
        except ValueError as exc:
            raise forms.ValidationError(_("Enter an amount such as 1200,00.")) from exc


class OrderForm(forms.Form):
    addons = forms.MultipleChoiceField(
        label=_("Add-ons"), required=False, widget=forms.CheckboxSelectMultiple
    )
    payment_method = forms.ChoiceField(
        label=_("How will you pay?"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CARD,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, addons: list[PriceItem], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.MultipleChoiceField, self.fields["addons"]).choices = [
            (
                item.code,
                gettext("%(name)s (+%(amount)s gross)")
                % {"name": item.name, "amount": pln(item.gross_amount)},
            )
            for item in addons
        ]


class BillingProfileForm(forms.Form):
    invoice_name = forms.CharField(label=_("Name on the invoice"), max_length=200)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=6)
    city = forms.CharField(label=_("City"), max_length=100)
    invoice_email = forms.EmailField(label=_("E-mail for invoices"), required=False)
