import pytest
from django.core.exceptions import ValidationError

from tenants.validators import (
    nip_is_valid,
    nip_normalize,
    validate_domain,
    validate_subdomain,
    validate_teryt,
)


@pytest.mark.parametrize("nip", ["5971646003", "597-164-60-03", "PL 597 164 60 03", "5261040828"])
def test_a_nip_with_the_right_check_digit_is_valid(nip):
    assert nip_is_valid(nip)


@pytest.mark.parametrize(
    "nip", ["5971646004", "597164600", "59716460030", "abcdefghij", "0000000000", ""]
)
def test_a_nip_with_a_wrong_check_digit_or_length_is_invalid(nip):
    assert not nip_is_valid(nip)


def test_a_nip_whose_checksum_is_ten_is_never_valid():
    # 123456789x: 6+10+21+8+15+24+35+48+63 = 230, 230 % 11 = 10 → no digit can match.
    assert not any(nip_is_valid(f"123456789{d}") for d in range(10))


def test_nip_normalize_keeps_only_digits():
    assert nip_normalize(" pl597-164-60 03 ") == "5971646003"


@pytest.mark.parametrize(
    ("teryt", "kind"),
    [
        ("3207023", "gmina"),
        ("2464011", "miasto"),
        ("3207", "powiat"),
        ("32", "wojewodztwo"),
        ("", "zwiazek"),
    ],
)
def test_teryt_length_follows_the_kind_of_unit(teryt, kind):
    validate_teryt(teryt, kind)


@pytest.mark.parametrize(
    ("teryt", "kind"),
    [
        ("320702", "gmina"),
        ("3207023", "powiat"),
        ("33", "wojewodztwo"),
        ("0107023", "gmina"),
        ("32a7023", "gmina"),
    ],
)
def test_a_teryt_of_the_wrong_shape_is_refused_in_polish(teryt, kind):
    with pytest.raises(ValidationError) as exc:
        validate_teryt(teryt, kind)
    assert "TERYT" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["debno", "nowa-wies", "gmina2"])
def test_good_subdomains_pass(value):
    validate_subdomain(value)


@pytest.mark.parametrize(
    "value", ["Debno", "-debno", "debno-", "dęb", "a" * 41, "www", "admin", ""]
)
def test_bad_or_reserved_subdomains_are_refused(value):
    with pytest.raises(ValidationError):
        validate_subdomain(value)


def test_a_custom_domain_needs_a_dot_and_a_tld():
    validate_domain("konsultacje.debno.pl")
    with pytest.raises(ValidationError):
        validate_domain("debno")


# 5971646003 (valid above) written with other scripts' digits: str.isdigit(), \d and int()
# all accept them, and they would be stored and printed on invoices as they came.
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
EXTENDED_ARABIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH, EXTENDED_ARABIC])
def test_a_nip_in_non_ascii_digits_is_invalid(digits):
    assert not nip_is_valid("5971646003".translate(digits))
    assert not nip_is_valid("597164600" + "3".translate(digits))


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH, EXTENDED_ARABIC])
@pytest.mark.parametrize(("teryt", "kind"), [("3207023", "gmina"), ("32", "zwiazek")])
def test_a_teryt_in_non_ascii_digits_is_refused(digits, teryt, kind):
    with pytest.raises(ValidationError):
        validate_teryt(teryt.translate(digits), kind)
