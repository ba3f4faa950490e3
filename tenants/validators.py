"""Checks of Polish public identifiers: NIP (tax id) and TERYT (territorial code)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
# Digits are matched as [0-9], never \d or str.isdigit(): those also take Arabic-Indic or
# full-width digits, which int() then reads as numbers and the database stores as typed.

# TERYT length by kind of unit: województwo 2 digits, powiat 4, gmina 7 (with the type digit).
TERYT_LENGTH = {"wojewodztwo": 2, "powiat": 4, "gmina": 7, "miasto": 7}

RESERVED_SUBDOMAINS = frozenset(
    {"www", "api", "admin", "operator", "static", "media", "mail", "smtp", "konsulta", "public"}
)
SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def nip_normalize(value: str) -> str:
    """Digits only: '123-456-32-18' and 'PL1234563218' both give '1234563218'."""
    value = value.strip().upper()
    if value.startswith("PL"):
        value = value[2:]
    return re.sub(r"[\s-]", "", value)


def nip_is_valid(value: str) -> bool:
    digits = nip_normalize(value)
    if not re.fullmatch(r"[0-9]{10}", digits) or digits == "0000000000":
        return False
    checksum = sum(int(d) * w for d, w in zip(digits, NIP_WEIGHTS, strict=False)) % 11
    return checksum != 10 and checksum == int(digits[9])


def validate_nip(value: str) -> None:
    if not nip_is_valid(value):
        raise ValidationError(
            _("Enter a valid NIP: 10 digits with a correct check digit."), code="invalid_nip"
        )


def validate_teryt(value: str, kind: str) -> None:
    """A TERYT code of the length that the kind of unit has (unions have none of their own)."""
    expected = TERYT_LENGTH.get(kind)
    if expected is None:
        if value and not re.fullmatch(r"[0-9]{2,7}", value):
            raise ValidationError(_("A TERYT code has digits only."), code="invalid_teryt")
        return
    if not re.fullmatch(rf"[0-9]{{{expected}}}", value or ""):
        raise ValidationError(
            _("The TERYT code of this kind of unit has %(n)d digits.") % {"n": expected},
            code="invalid_teryt",
        )
    if value[:2] not in {f"{n:02d}" for n in range(2, 33, 2)}:
        raise ValidationError(
            _("The first two digits of a TERYT code name a voivodeship (02, 04, … 32)."),
            code="invalid_teryt",
        )


def validate_subdomain(value: str) -> None:
    if not SUBDOMAIN_RE.fullmatch(value):
        raise ValidationError(
            _(
                "A subdomain has 1–40 lowercase letters, digits or hyphens, "
                "and neither starts nor ends with a hyphen."
            ),
            code="invalid_subdomain",
        )
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError(_("This subdomain is reserved."), code="reserved_subdomain")


def validate_domain(value: str) -> None:
    if not DOMAIN_RE.fullmatch(value):
        raise ValidationError(
            _("Enter a domain such as konsultacje.debno.pl."), code="invalid_domain"
        )
