"""Writes of the legal rule sets: provider staff add a version; nothing edits a version
already in use (consultations keep their own copy anyway)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rulesets.models import Channel, CountedFrom, LegalBasis, LegalRuleSet

# The fields a new version takes from the provider's form (which shows them in this order).
VERSION_FIELDS = (
    "act",
    "journal_reference",
    "source_url",
    "from_council_resolution",
    "min_duration_days",
    "duration_counted_from",
    "duration_article",
    "min_notice_days",
    "notice_article",
    "required_forms",
    "other_forms",
    "min_other_forms",
    "forms_article",
    "remark_author_fields",
    "anonymous_remarks_count",
    "remarks_article",
    "report_deadline_days",
    "report_article",
    "season_end_day",
    "season_end_month",
    "season_article",
    "draft_required",
    "draft_article",
    "required_channels",
    "channels_article",
    "notes",
)


def _check(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if values.get("legal_basis") not in LegalBasis.values:
        errors["legal_basis"] = [_("Choose a legal basis from the list.")]
    if not isinstance(values.get("valid_from"), dt.date):
        errors["valid_from"] = [_("Enter the date the version applies from.")]
    if not (values.get("act") or "").strip():
        errors["act"] = [_("Enter the act the rules come from.")]
    if not (values.get("journal_reference") or "").strip():
        errors["journal_reference"] = [_("Enter the Journal of Laws reference.")]
    if values.get("duration_counted_from", CountedFrom.START) not in CountedFrom.values:
        errors["duration_counted_from"] = [_("Choose how the duration is counted.")]
    if any(c not in Channel.values for c in values.get("required_channels") or []):
        errors["required_channels"] = [_("Choose channels from the list.")]
    month, day = values.get("season_end_month"), values.get("season_end_day")
    if (month is None) != (day is None):
        errors["season_end_day"] = [_("Enter both the day and the month, or neither.")]
    elif month is not None and day is not None:
        try:
            dt.date(2001, int(month), int(day))
        except ValueError:
            errors["season_end_day"] = [_("Enter a real day of the year.")]
    for name, article in (
        ("min_duration_days", "duration_article"),
        ("season_end_month", "season_article"),
        ("required_channels", "channels_article"),
        ("required_forms", "forms_article"),
    ):
        if values.get(name) and not (values.get(article) or "").strip():
            errors.setdefault(article, []).append(
                _("Cite the provision this rule comes from (e.g. art. 6 ust. 5).")
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_set_version_add(
    *, acting_user: Any, legal_basis: str, valid_from: dt.date, **values: Any
) -> LegalRuleSet:
    """Add a version of a legal basis's rules, in force from ``valid_from``. It applies to
    consultations ordered on or after that day; those ordered before keep their copy."""
    unknown = set(values) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check({"legal_basis": legal_basis, "valid_from": valid_from, **values})
    row = LegalRuleSet(
        legal_basis=legal_basis,
        valid_from=valid_from,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        **values,
    )
    row.act = row.act.strip()
    row.journal_reference = row.journal_reference.strip()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"valid_from": [_("A version of this legal basis already applies from that day.")]}
        ) from exc
    return row
