"""The legal rule set of a consultation: which version applies, the facts it is checked
against, and the check itself at each checkpoint (ordering, scheduling, opening).

The versions live in the public schema (rulesets); a consultation keeps a JSON copy of the
version in force on the day it was ordered, so a later version never changes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import (
    AnnouncementPublication,
    Consultation,
    CouncilResolution,
    DocumentRole,
)
from consultations.participation import kind_label
from consultations.services.audit import audit_record
from rulesets.checks import Facts, rules_check
from rulesets.models import Channel
from rulesets.selectors import rule_set_in_force


def council_resolution_get() -> CouncilResolution:
    """The municipality's council resolution on consultations (one row, made on first use)."""
    resolution, _created = CouncilResolution.objects.get_or_create(pk=1)
    return resolution


def _council_rules(base: dict[str, Any]) -> dict[str, Any]:
    """A rule set that defers to the council resolution (art. 5a ust. 2 u.s.g.), completed
    with the parameters the municipality recorded; cited by the resolution's number."""
    resolution = council_resolution_get()
    if not resolution.is_recorded:
        return {**base, "council_resolution": None}
    assert resolution.adopted_on is not None
    cite = _("Council resolution no. %(number)s of %(date)s") % {
        "number": resolution.number,
        "date": resolution.adopted_on.strftime("%d.%m.%Y"),
    }
    return {
        **base,
        "source": cite,
        "source_url": resolution.url,
        "council_resolution": {
            "number": resolution.number,
            "adopted_on": resolution.adopted_on.isoformat(),
            "url": resolution.url,
        },
        "min_duration_days": resolution.min_duration_days,
        "duration_counted_from": "start",
        "min_notice_days": resolution.min_notice_days,
        "required_forms": list(resolution.required_forms),
        "other_forms": [],
        "min_other_forms": 0,
        "required_channels": list(resolution.required_channels),
        "report_deadline_days": resolution.report_deadline_days,
        "draft_required": resolution.draft_required,
        # The resolution is the source: its articles are not split out.
        "duration_article": "",
        "notice_article": "",
        "forms_article": "",
        "channels_article": "",
        "draft_article": "",
        "report_article": "",
    }


def consultation_rules_in_force(*, legal_basis: str, on: dt.date) -> dict[str, Any]:
    """The rules a consultation ordered on ``on`` follows, as the JSON it keeps."""
    row = rule_set_in_force(legal_basis=legal_basis, on=on)
    if row is None:
        raise ValidationError(
            _(
                "No legal rules are recorded for this legal basis on %(date)s. "
                "Please contact the provider."
            )
            % {"date": on.strftime("%d.%m.%Y")},
            code="no_rules",
        )
    rules = row.snapshot()
    if row.from_council_resolution:
        rules = _council_rules(rules)
    return rules


def consultation_rules(consultation: Consultation) -> dict[str, Any]:
    """The consultation's copy; one ordered before copies were kept gets the version in
    force on its order day."""
    if consultation.rules_snapshot:
        return dict(consultation.rules_snapshot)
    ordered = consultation.ordered_at or timezone.now()
    return consultation_rules_in_force(
        legal_basis=consultation.legal_basis, on=timezone.localdate(ordered)
    )


def consultation_facts(
    consultation: Consultation, *, now: dt.datetime, channels_confirmed: bool = False
) -> Facts:
    forms = frozenset(consultation.participation_forms.values_list("kind", flat=True))
    channels = frozenset(
        AnnouncementPublication.objects.filter(consultation=consultation).values_list(
            "channel", flat=True
        )
    )
    return Facts(
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        now=now,
        announced_at=consultation.scheduled_at,
        forms=forms,
        # The announcement drawn from the data is no document consulted on.
        documents=consultation.documents.exclude(role=DocumentRole.NOTICE).count(),
        channels=channels,
        channels_confirmed=channels_confirmed or consultation.channels_confirmed_at is not None,
        form_labels={kind: str(kind_label(kind)) for kind in _all_kinds(forms)},
    )


def _all_kinds(forms: frozenset[str]) -> set[str]:
    # Label every kind a message may name: those chosen and those the acts name.
    return set(forms) | {"remarks", "meeting", "survey", "poll", "paragraph_comments"}


def consultation_rules_enforce(
    consultation: Consultation,
    *,
    rules: dict[str, Any],
    checkpoint: str,
    now: dt.datetime,
    channels_confirmed: bool = False,
) -> None:
    """Raise ValidationError ({field: [messages]}) naming each provision the consultation
    breaks at ``checkpoint``."""
    facts = consultation_facts(consultation, now=now, channels_confirmed=channels_confirmed)
    errors = rules_check(rules, facts, checkpoint=checkpoint)
    if errors:
        raise ValidationError(errors, code="rules")


@transaction.atomic
def council_resolution_update(
    *,
    acting_user: Any,
    number: str,
    adopted_on: dt.date | None,
    url: str,
    min_duration_days: int | None,
    min_notice_days: int,
    required_forms: list[str],
    required_channels: list[str],
    report_deadline_days: int | None,
    draft_required: bool,
) -> CouncilResolution:
    """Record the municipality's council resolution on consultations (art. 5a ust. 2 u.s.g.)
    and the parameters it sets; consultations ordered from now on under "council resolution"
    follow them (those ordered before keep their copy)."""
    errors: dict[str, list[str]] = {}
    if number.strip() and adopted_on is None:
        errors["adopted_on"] = [_("Enter the date the resolution was adopted.")]
    if adopted_on is not None and not number.strip():
        errors["number"] = [_("Enter the resolution's number.")]
    if adopted_on is not None and adopted_on > timezone.localdate():
        errors["adopted_on"] = [_("The resolution cannot be adopted in the future.")]
    if any(c not in Channel.values for c in required_channels):
        errors["required_channels"] = [_("Choose channels from the list.")]
    if errors:
        raise ValidationError(errors)
    resolution = CouncilResolution.objects.select_for_update().get(pk=council_resolution_get().pk)
    resolution.number = number.strip()
    resolution.adopted_on = adopted_on
    resolution.url = url.strip()
    resolution.min_duration_days = min_duration_days
    resolution.min_notice_days = min_notice_days
    resolution.required_forms = sorted(set(required_forms))
    resolution.required_channels = sorted(set(required_channels))
    resolution.report_deadline_days = report_deadline_days
    resolution.draft_required = draft_required
    resolution.save()
    audit_record(
        acting_user=acting_user,
        action="council_resolution_update",
        target=resolution,
        details={"number": resolution.number},
    )
    return resolution
