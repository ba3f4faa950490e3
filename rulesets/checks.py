"""The checks of a rule set, as one pure function over a rule set's snapshot (a dict) and
the facts of a consultation. No database: consultations gathers the facts and calls it at
each checkpoint (ordering, scheduling, opening); the tests drive it from a table.

Days are counted on the local wall clock (Europe/Warsaw), as billing counts its bands: a
minimum of 35 days from 1 March 08:00 is met on 5 April 08:00 even though the switch to
summer time on 28 March makes that an hour short of 35 × 24 hours, and missed at 07:59."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from rulesets.models import Channel, CountedFrom

CHECKPOINTS = ("order", "schedule", "open")


@dataclass(frozen=True)
class Facts:
    """What the checks look at, gathered by the caller at one checkpoint."""

    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    now: dt.datetime
    # The announcement: None before scheduling (at the schedule checkpoint it is ``now``).
    announced_at: dt.datetime | None = None
    forms: frozenset[str] = frozenset()
    documents: int = 0
    channels: frozenset[str] = frozenset()
    channels_confirmed: bool = False
    form_labels: Mapping[str, str] = field(default_factory=dict)


def _wall(value: dt.datetime) -> dt.datetime:
    """The local wall-clock time, without its zone: day arithmetic ignores DST shifts."""
    return timezone.localtime(value).replace(tzinfo=None)


def _show(value: dt.datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M")


def _cite(rules: Mapping[str, Any], article_key: str) -> str:
    article = rules.get(article_key) or ""
    source = rules.get("source") or ""
    return f"{source}, {article}" if article else source


def _labels(codes: list[str], labels: Mapping[str, str]) -> str:
    return ", ".join(str(labels.get(code, code)) for code in codes)


def rules_check(rules: Mapping[str, Any], facts: Facts, *, checkpoint: str) -> dict[str, list[str]]:
    """The broken rules, as {field: [Polish message naming the provision]}; empty when none.

    ``checkpoint`` is "order", "schedule" or "open". Announcement channels are checked from
    scheduling on (the announcement is what scheduling does)."""
    if checkpoint not in CHECKPOINTS:
        raise ValueError(checkpoint)
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    start, end = facts.starts_at, facts.ends_at
    notice = int(rules.get("min_notice_days") or 0)
    announced = facts.now if checkpoint == "schedule" else facts.announced_at
    if start is not None and end is not None and end > start:
        minimum = rules.get("min_duration_days")
        if minimum:
            from_announcement = rules.get("duration_counted_from") == CountedFrom.ANNOUNCEMENT
            if not from_announcement:
                anchor = _wall(start)
            elif announced is not None:
                anchor = _wall(announced)
            else:
                # Before the announcement: the latest day it may lawfully come.
                anchor = _wall(start) - dt.timedelta(days=notice)
            earliest_end = anchor + dt.timedelta(days=int(minimum))
            if _wall(end) < earliest_end:
                if from_announcement:
                    message = _(
                        "%(cite)s: remarks must be collected for at least %(days)s days counted "
                        "from the announcement. Set the end on or after %(date)s."
                    )
                else:
                    message = _(
                        "%(cite)s: remarks must be collected for at least %(days)s days counted "
                        "from the start. Set the end on or after %(date)s."
                    )
                add(
                    "ends_at",
                    message
                    % {
                        "cite": _cite(rules, "duration_article"),
                        "days": minimum,
                        "date": _show(earliest_end),
                    },
                )
        month, day = rules.get("season_end_month"), rules.get("season_end_day")
        if month and day:
            year = _wall(start).year
            deadline = dt.datetime(year, int(month), int(day)) + dt.timedelta(days=1)
            if _wall(end) > deadline:
                add(
                    "ends_at",
                    _(
                        "%(cite)s: the act must be adopted by %(deadline)s, so the consultation "
                        "must end by then. Set an earlier end."
                    )
                    % {
                        "cite": _cite(rules, "season_article"),
                        "deadline": (deadline - dt.timedelta(days=1)).strftime("%d.%m.%Y"),
                    },
                )
    if start is not None:
        latest_day = _wall(start).date() - dt.timedelta(days=notice)
        when = facts.now if checkpoint != "open" else (announced or facts.now)
        if _wall(when).date() > latest_day:
            add(
                "starts_at",
                _(
                    "%(cite)s: the consultation must be announced no later than %(days)s days "
                    "before the day it starts (by %(date)s). Set a later start."
                )
                % {
                    "cite": _cite(rules, "notice_article"),
                    "days": notice,
                    "date": latest_day.strftime("%d.%m.%Y"),
                },
            )
    required = [str(kind) for kind in rules.get("required_forms") or []]
    missing = [kind for kind in required if kind not in facts.forms]
    others = {str(kind) for kind in rules.get("other_forms") or []} - set(required)
    wanted = int(rules.get("min_other_forms") or 0)
    if missing or len(others & facts.forms) < wanted:
        add(
            "participation_forms",
            _(
                "%(cite)s: the consultation must use %(required)s and at least %(count)s of: "
                "%(others)s."
            )
            % {
                "cite": _cite(rules, "forms_article"),
                "required": _labels(required, facts.form_labels) or "—",
                "count": wanted,
                "others": _labels(sorted(others), facts.form_labels) or "—",
            },
        )
    if rules.get("draft_required") and facts.documents < 1:
        add(
            "documents",
            _(
                "%(cite)s: the consultation is about a draft: add the draft document before "
                "going on."
            )
            % {"cite": _cite(rules, "draft_article")},
        )
    if checkpoint != "order" and not facts.channels_confirmed:
        channel_labels = {code: str(label) for code, label in Channel.choices}
        absent = [c for c in rules.get("required_channels") or [] if c not in facts.channels]
        if absent:
            add(
                "announcement",
                _(
                    "%(cite)s: the announcement must be published in: %(channels)s. Record "
                    "where and when it was published, or confirm that it will be."
                )
                % {
                    "cite": _cite(rules, "channels_article"),
                    "channels": _labels(absent, channel_labels),
                },
            )
    return errors
