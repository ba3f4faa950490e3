"""What the consultation's panel page shows of its legal rules and its announcement: the
rule set it follows (its copy once ordered, the version in force today before), each rule
with its provision, the publications recorded and the channels still missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.forms_rules import DatesMoveForm, PublicationForm
from consultations.models import Consultation, ConsultationStatus
from consultations.participation import kind_label
from consultations.services.clearance import consultation_is_cleared
from consultations.services.publications import PUBLICATIONS_EDITABLE
from consultations.services.rules import consultation_rules, consultation_rules_in_force
from rulesets.models import Channel, CountedFrom

AUTHOR_FIELD_LABELS = {
    "name": gettext_lazy("name (or company name)"),
    "address": gettext_lazy("address"),
}


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def rules_lines(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, provision) lines describing a rule set, in Polish, for staff."""

    def cite(key: str) -> str:
        return str(rules.get(key) or "")

    lines: list[tuple[str, str]] = []
    if rules.get("min_duration_days"):
        counted = (
            _("counted from the announcement")
            if rules.get("duration_counted_from") == CountedFrom.ANNOUNCEMENT
            else _("counted from the start")
        )
        lines.append(
            (
                _("Remarks collected for at least %(days)s, %(counted)s.")
                % {"days": _days(int(rules["min_duration_days"])), "counted": counted},
                cite("duration_article"),
            )
        )
    notice = int(rules.get("min_notice_days") or 0)
    lines.append(
        (
            _("Announced at least %(days)s before the start day.") % {"days": _days(notice)}
            if notice
            else _("Announced no later than the start day."),
            cite("notice_article"),
        )
    )
    required = [str(kind_label(k)) for k in rules.get("required_forms") or []]
    others = [str(kind_label(k)) for k in rules.get("other_forms") or []]
    if required or rules.get("min_other_forms"):
        text = _("Forms of participation: %(required)s") % {"required": ", ".join(required)}
        if rules.get("min_other_forms"):
            text += _(", and at least %(count)s of: %(others)s") % {
                "count": rules["min_other_forms"],
                "others": ", ".join(others),
            }
        lines.append((text + ".", cite("forms_article")))
    fields = rules.get("remark_author_fields") or []
    if fields or rules.get("anonymous_remarks_count") is False:
        text = _("A remark gives: %(fields)s.") % {
            "fields": ", ".join(str(AUTHOR_FIELD_LABELS.get(f, f)) for f in fields) or "—"
        }
        if rules.get("anonymous_remarks_count") is False:
            text += " " + _("Anonymous remarks are not taken into account.")
        lines.append((text, cite("remarks_article")))
    if rules.get("report_deadline_days"):
        lines.append(
            (
                _("Report due %(days)s after closing.")
                % {"days": _days(int(rules["report_deadline_days"]))},
                cite("report_article"),
            )
        )
    if rules.get("season_end_month") and rules.get("season_end_day"):
        lines.append(
            (
                _("Must end by %(day)02d.%(month)02d of the year it starts in.")
                % {"day": int(rules["season_end_day"]), "month": int(rules["season_end_month"])},
                cite("season_article"),
            )
        )
    if rules.get("draft_required"):
        lines.append((_("A draft document is attached before ordering."), cite("draft_article")))
    channels = dict(Channel.choices)
    if rules.get("required_channels"):
        lines.append(
            (
                _("Announcement published in: %(channels)s.")
                % {"channels": ", ".join(str(channels[c]) for c in rules["required_channels"])},
                cite("channels_article"),
            )
        )
    return lines


def rules_panel_context(
    consultation: Consultation,
    *,
    publication_form: PublicationForm | None = None,
    move_form: DatesMoveForm | None = None,
) -> dict[str, Any]:
    try:
        if consultation.status == ConsultationStatus.DRAFT:
            rules: dict[str, Any] | None = consultation_rules_in_force(
                legal_basis=consultation.legal_basis, on=timezone.localdate()
            )
        else:
            rules = consultation_rules(consultation)
    except ValidationError:
        rules = None
    publications = list(consultation.announcement_publications.all())
    recorded = {p.channel for p in publications}
    channel_labels = dict(Channel.choices)
    missing = [
        (code, channel_labels.get(code, code))
        for code in (rules or {}).get("required_channels") or []
        if code not in recorded
    ]
    can_move = (
        consultation.status == ConsultationStatus.ORDERED
        and consultation_is_cleared(consultation)
        and consultation.dates_moved_at is None
        and consultation.paid_min_days is not None
    )
    return {
        "rules": rules,
        "rules_lines": rules_lines(rules) if rules else [],
        "rules_kept": bool(consultation.rules_snapshot),
        "rules_valid_from": (
            dt.date.fromisoformat(rules["valid_from"])
            if rules and rules.get("valid_from")
            else None
        ),
        "publications": publications,
        "channel_labels": channel_labels,
        "channels_missing": missing,
        "publications_editable": consultation.status in PUBLICATIONS_EDITABLE,
        "publication_form": publication_form
        or PublicationForm(initial={"published_on": timezone.localdate()}),
        "can_move_dates": can_move,
        "move_form": move_form
        or DatesMoveForm(
            initial={"starts_at": consultation.starts_at, "ends_at": consultation.ends_at}
        ),
    }
