"""Billing input takes ASCII digits only: other scripts' digits pass \\d, isdigit() and int()."""

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.forms import PriceItemForm, grosze_parse

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.django_db
@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH])
def test_a_postal_code_in_non_ascii_digits_is_refused_in_polish(municipality_a, digits):
    with pytest.raises(ValidationError) as error:
        services.billing_profile_update(
            municipality=municipality_a,
            invoice_name="Gmina",
            street="ul. Rynek 1",
            postal_code="74-400".translate(digits),
            city="Dębno",
        )
    assert error.value.message_dict["postal_code"] == [
        "Prosimy podać kod pocztowy w formacie 74-400."
    ]


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH])
@pytest.mark.parametrize("amount", ["1200", "1200,50", "1 200,00"])
def test_a_price_in_non_ascii_digits_is_refused(digits, amount):
    with pytest.raises(ValueError):
        grosze_parse(amount.translate(digits))
    form = PriceItemForm({"net_amount": amount.translate(digits), "active": "on"})
    assert not form.is_valid()
    assert "net_amount" in form.errors


@pytest.mark.parametrize(("amount", "grosze"), [("1200", 120000), ("1 200,50", 120050)])
def test_a_price_in_ascii_digits_still_parses(amount, grosze):
    assert grosze_parse(amount) == grosze
