"""Reads of the legal rule sets (public schema; readable from every tenant's search path)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from rulesets.models import LegalBasis, LegalRuleSet


def rule_set_in_force(*, legal_basis: str, on: dt.date) -> LegalRuleSet | None:
    """The version of ``legal_basis`` in force on ``on``: the latest with valid_from <= on."""
    return (
        LegalRuleSet.objects.filter(legal_basis=legal_basis, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )


def rule_sets_by_basis() -> list[tuple[str, str, list[LegalRuleSet]]]:
    """Every version, grouped by legal basis (code, label, newest first), for the panel."""
    rows = LegalRuleSet.objects.order_by("legal_basis", "-valid_from")
    found = {basis: list(group) for basis, group in groupby(rows, key=lambda r: r.legal_basis)}
    return [(code, str(label), found.get(code, [])) for code, label in LegalBasis.choices]
