"""Reads of the register: the rules of a consultation's forms, the register with its filters
and counts, the public list, the draft with its comments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from common.collation import polish_collation
from common.db import connection
from consultations.models import Consultation, ParticipationForm
from consultations.participation import FreeText, free_texts_of, kinds_with_free_texts
from consultations.selectors import participation_form_get
from remarks.models import (
    AuthorKind,
    Channel,
    Decision,
    DraftUnit,
    FormalIssue,
    FormalIssueCode,
    Remark,
    RemarkGroup,
    RemarkState,
    Response,
    Visibility,
)
from remarks.rules import KIND_COMMENTS, KIND_REMARKS, RemarkRules

CONFIRMATION_VALID = timedelta(days=3)


def verified_email_of(user: Any) -> str:
    """The signed-in user's primary address if they proved it (allauth), lower-cased; else ""."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, verified=True, primary=True).first()
    return address.email.lower() if address else ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def participation_form_of(consultation: Consultation, kind: str) -> ParticipationForm | None:
    return participation_form_get(consultation, kind)


def form_with_consultation(consultation_id: int, kind: str) -> ParticipationForm | None:
    """The consultation's form of this kind with the consultation, in one query."""
    return (
        ParticipationForm.objects.select_related("consultation")
        .filter(consultation_id=consultation_id, kind=kind)
        .first()
    )


def remark_rules(consultation: Consultation, kind: str = KIND_REMARKS) -> RemarkRules | None:
    form = participation_form_get(consultation, kind)
    if form is None:
        return None
    return RemarkRules.from_settings(form.settings).tightened_by(consultation.rules_snapshot)


def form_window(
    consultation: Consultation, form: ParticipationForm
) -> tuple[datetime | None, datetime | None]:
    return form.window_starts_at, form.window_ends_at


def remark_for_confirmation(*, token: str, now: datetime, lock: bool = False) -> Remark | None:
    """The remark a confirmation link was sent for, while the link is valid (3 days)."""
    if not token or len(token) > 100:
        return None
    rows = Remark.objects.select_related("consultation")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.filter(
        confirmation_hash=token_hash(token),
        state=RemarkState.PENDING,
        confirmation_sent_at__gt=now - CONFIRMATION_VALID,
    ).first()


def response_of(remark: Remark) -> Response | None:
    """The response that answers the remark: its group's when it is in a group."""
    if remark.group_id is not None:
        return getattr(remark.group, "response", None)
    return getattr(remark, "response", None)


@dataclass
class RegisterFilters:
    decision: str = ""  # a Decision value, "none" (no response yet) or ""
    channel: str = ""
    section: str = ""  # a document part / unit label
    formal: str = ""  # "ok", "defective" or a FormalIssueCode value
    visibility: str = ""
    review: bool = False


def _decision_expression() -> Any:
    from django.db.models import Case, F, When

    return Case(
        When(group__isnull=False, then=F("group__response__decision")),
        default=F("response__decision"),
    )


def register_rows(consultation: Consultation, filters: RegisterFilters) -> QuerySet[Remark]:
    """The registered remarks of a consultation with what the register page shows, in a
    fixed number of queries whatever their count."""
    rows = (
        Remark.objects.filter(consultation=consultation, state=RemarkState.REGISTERED)
        .annotate(decision=_decision_expression())
        .select_related("group", "group__response", "response", "unit", "entered_by")
        .prefetch_related(Prefetch("formal_issues", queryset=FormalIssue.objects.order_by("pk")))
        .order_by("registered_at", "pk")
    )
    if filters.decision == "none":
        rows = rows.filter(decision__isnull=True)
    elif filters.decision in Decision.values:
        rows = rows.filter(decision=filters.decision)
    if filters.channel in Channel.values:
        rows = rows.filter(channel=filters.channel)
    if filters.section:
        rows = rows.filter(document_part=filters.section)
    if filters.formal == "ok":
        rows = rows.filter(formally_defective=False)
    elif filters.formal == "defective":
        rows = rows.filter(formally_defective=True)
    elif filters.formal in FormalIssueCode.values:
        rows = rows.filter(
            Exists(FormalIssue.objects.filter(remark=OuterRef("pk"), code=filters.formal))
        )
    if filters.visibility in Visibility.values:
        rows = rows.filter(visibility=filters.visibility)
    if filters.review:
        rows = rows.filter(needs_review=True)
    return rows


def register_page_rows(consultation: Consultation, filters: RegisterFilters) -> QuerySet[Remark]:
    """The register rows as the staff page lists them: only the columns it shows (the texts
    and personal data stay in the database until a remark is opened), its group's title,
    the decision and the codes of its formal defects, walked in the order of an index."""
    return (
        register_rows(consultation, filters)
        .select_related(None)
        .select_related("group")
        .only(
            "pk",
            "consultation_id",
            "reference",
            "channel",
            "meeting_event_label",
            "document_part",
            "visibility",
            "needs_review",
            "registered_at",
            "group_id",
            "group__title",
        )
        .prefetch_related(None)
        # The codes of its formal defects as an array in the same query (``formal_codes``):
        # a prefetch cost a second query and a model instance a defect.
        .annotate(
            formal_codes=ArraySubquery(
                FormalIssue.objects.filter(remark=OuterRef("pk")).order_by("pk").values("code")
            )
        )
    )


@dataclass
class RegisterCounts:
    total: int = 0
    by_decision: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_section: list[tuple[str, int]] = field(default_factory=list)
    by_formal: dict[str, int] = field(default_factory=dict)
    awaiting_approval: int = 0
    needs_review: int = 0


def register_counts(consultation: Consultation) -> RegisterCounts:
    """Counts by decision (approved or not), channel, section and formal status, in one
    query whatever the register's size, of three parts: a GROUP BY over the combinations of
    channel, section, decision, defect and review (a few hundred rows at most, however many
    remarks), summed here; the formal defects by code; the responses awaiting approval.

    The combinations are grouped by hash, then sorted by section (Polish order): ORDER BY on
    the grouped query itself made PostgreSQL sort every remark under the Polish collation
    before grouping, most of the page's database time at 5,000 remarks (bench/remarks.py)."""
    remark_table = connection.ops.quote_name(Remark._meta.db_table)
    response_table = connection.ops.quote_name(Response._meta.db_table)
    issue_table = connection.ops.quote_name(FormalIssue._meta.db_table)
    group_table = connection.ops.quote_name(RemarkGroup._meta.db_table)
    collation = polish_collation()
    section = f'document_part COLLATE "{collation}"' if collation else "document_part"
    with connection.cursor() as cursor:
        cursor.execute(
            # 1: the combinations (the decision of the remark's group if it has one).
            "SELECT part, channel, document_part, decision, formally_defective, needs_review, n "
            "FROM (SELECT 1 AS part, r.channel, r.document_part, "
            "CASE WHEN r.group_id IS NOT NULL THEN gr.decision ELSE rr.decision END "
            "AS decision, r.formally_defective, r.needs_review, count(*) AS n "
            f"FROM {remark_table} r "
            f"LEFT JOIN {response_table} gr ON gr.group_id = r.group_id "
            f"LEFT JOIN {response_table} rr ON rr.remark_id = r.id "
            "WHERE r.consultation_id = %s AND r.state = %s "
            "GROUP BY 2, 3, 4, 5, 6 "
            # 2: the formal defects by code (in the channel's column).
            "UNION ALL SELECT 2, f.code, NULL, NULL, NULL, NULL, count(*) "
            f"FROM {issue_table} f JOIN {remark_table} r ON r.id = f.remark_id "
            "WHERE r.consultation_id = %s AND r.state = %s GROUP BY f.code "
            # 3: the responses, to a remark or a group, not approved yet.
            "UNION ALL SELECT 3, NULL, NULL, NULL, NULL, NULL, count(*) "
            f"FROM {response_table} p LEFT JOIN {remark_table} r ON r.id = p.remark_id "
            f"LEFT JOIN {group_table} g ON g.id = p.group_id "
            "WHERE p.approved_at IS NULL AND (r.consultation_id = %s OR g.consultation_id = %s)"
            f") counts ORDER BY part, {section}",
            [consultation.pk, RemarkState.REGISTERED] * 2 + [consultation.pk] * 2,
        )
        rows = cursor.fetchall()
    counts = RegisterCounts()
    by_section: dict[str, int] = {}
    ok = 0
    for part, channel, document_part, decision, defective, review, n in rows:
        if part == 2:
            counts.by_formal[channel] = n
            continue
        if part == 3:
            counts.awaiting_approval = n
            continue
        counts.total += n
        decision = decision or "none"
        counts.by_decision[decision] = counts.by_decision.get(decision, 0) + n
        counts.by_channel[channel] = counts.by_channel.get(channel, 0) + n
        by_section[document_part] = by_section.get(document_part, 0) + n
        if not defective:
            ok += n
        if review:
            counts.needs_review += n
    counts.by_section = list(by_section.items())
    counts.by_formal["ok"] = ok
    counts.by_formal["defective"] = counts.total - ok
    return counts


def remark_get_for_staff(consultation: Consultation, remark_id: int) -> Remark | None:
    return (
        Remark.objects.filter(consultation=consultation, pk=remark_id)
        .select_related("group", "group__response", "response", "unit", "entered_by", "user")
        .prefetch_related("formal_issues", "flags")
        .first()
    )


def groups_of(consultation: Consultation) -> QuerySet[RemarkGroup]:
    return (
        RemarkGroup.objects.filter(consultation=consultation)
        .select_related("response")
        .annotate(size=Count("remarks"))
        .order_by("pk")
    )


def public_remarks(consultation: Consultation) -> QuerySet[Remark]:
    """What residents see: registered remarks (not replies), published or hidden with the
    reason; pre-moderated ones only after review. Names of private persons are not read."""
    return (
        Remark.objects.filter(
            consultation=consultation,
            state=RemarkState.REGISTERED,
            parent__isnull=True,
            visibility__in=(Visibility.PUBLISHED, Visibility.HIDDEN),
        )
        .exclude(channel=Channel.DRAFT_COMMENT)
        .select_related("group", "group__response", "response")
        .only(
            "pk",
            "reference",
            "channel",
            "document_part",
            "current_wording",
            "proposed_wording",
            "justification",
            "author_kind",
            "organisation_name",
            "visibility",
            "hidden_reason",
            "registered_at",
            "group__response__decision",
            "group__response__justification",
            "group__response__approved_at",
            "response__decision",
            "response__justification",
            "response__approved_at",
            "consultation_id",
            "group_id",
        )
        .order_by("registered_at", "pk")
    )


def public_response(remark: Remark) -> Response | None:
    """The remark's response only when a second person approved it."""
    response = response_of(remark)
    return response if response is not None and response.approved_at is not None else None


def draft_units_with_comments(consultation: Consultation) -> list[DraftUnit]:
    """The draft's units, each with its public comments and their public replies."""
    visible = Q(
        state=RemarkState.REGISTERED,
        visibility__in=(Visibility.PUBLISHED, Visibility.HIDDEN),
    )
    replies = Remark.objects.filter(visible).order_by("registered_at", "pk")
    comments = (
        Remark.objects.filter(visible, parent__isnull=True, channel=Channel.DRAFT_COMMENT)
        .annotate(support_count=Count("supports"))
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="public_replies"))
        .order_by("registered_at", "pk")
    )
    return list(
        DraftUnit.objects.filter(consultation=consultation)
        .prefetch_related(Prefetch("remarks", queryset=comments, to_attr="public_comments"))
        .order_by("position")
    )


def comments_rules(consultation: Consultation) -> RemarkRules | None:
    return remark_rules(consultation, KIND_COMMENTS)


def remarks_count(consultation: Consultation) -> int:
    """Remarks of the form and of every other channel (all states: a pending one blocks
    removing the form too)."""
    return (
        Remark.objects.filter(consultation=consultation)
        .exclude(channel=Channel.DRAFT_COMMENT)
        .count()
    )


def comments_count(consultation: Consultation) -> int:
    return Remark.objects.filter(consultation=consultation, channel=Channel.DRAFT_COMMENT).count()


def _answerable(consultation: Consultation) -> QuerySet[Remark]:
    """Remarks that need a response of their own (or their group's): registered, not replies."""
    return Remark.objects.filter(
        consultation=consultation, state=RemarkState.REGISTERED, parent__isnull=True
    )


def _approved_q() -> Q:
    return Q(group__isnull=False, group__response__approved_at__isnull=False) | Q(
        group__isnull=True, response__approved_at__isnull=False
    )


def remarks_without_approved_response(consultation: Consultation) -> QuerySet[Remark]:
    """Remarks whose response (their own or their group's) is missing or not yet approved."""
    return _answerable(consultation).exclude(_approved_q()).order_by("registered_at", "pk")


def report_blockers(consultation: Consultation) -> list[dict[str, Any]]:
    """Each remark that still lacks an approved response blocks the report."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    blockers = []
    for pk, reference, part, decision in remarks_without_approved_response(
        consultation
    ).values_list("pk", "reference", "document_part", _decision_expression()):
        state = _("no response") if decision is None else _("response not approved")
        blockers.append(
            {
                "label": f"{reference or pk}: {part or '–'} ({state})",
                "url": reverse(
                    "panel_remark_detail",
                    kwargs={"consultation_id": consultation.pk, "remark_id": pk},
                ),
            }
        )
    return blockers


def participant_emails(consultation: Consultation) -> list[str]:
    """Addresses left with registered remarks."""
    return list(
        Remark.objects.filter(consultation=consultation, state=RemarkState.REGISTERED)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def personal_strings(consultation: Consultation) -> list[str]:
    """Names, addresses and e-mails of private persons in the register."""
    strings: set[str] = set()
    for name, address, email in (
        Remark.objects.filter(consultation=consultation)
        .exclude(author_kind=AuthorKind.ORGANISATION)
        .values_list("author_name", "address", "email")
    ):
        strings.update(value for value in (name, address, email) if value)
    return sorted(strings)


def report_section(consultation: Consultation) -> dict[str, Any] | None:
    """The register's figures for the consultation report (hidden ones included), the remarks
    by channel, and the table of every remark with its decision and justification. A remark in
    a group shows the group's one answer. Private persons are "a private person"; an
    organisation keeps its name."""
    from django.utils.translation import gettext as _

    counts = register_counts(consultation)
    if not counts.total:
        return None
    channels = dict(Channel.choices)
    decisions = dict(Decision.choices)
    rows = []
    for index, values in enumerate(
        _answerable(consultation)
        .order_by("registered_at", "pk")
        .values(
            "reference",
            "channel",
            "document_part",
            "proposed_wording",
            "justification",
            "author_kind",
            "organisation_name",
            "visibility",
            "hidden_reason",
            "group__title",
            "group__response__decision",
            "group__response__justification",
            "group__response__approved_at",
            "response__decision",
            "response__justification",
            "response__approved_at",
        )
        .iterator(chunk_size=2000),
        start=1,
    ):
        row: dict[str, Any] = dict(values)
        grouped = row["group__title"] is not None
        prefix = "group__response__" if grouped else "response__"
        approved = row[prefix + "approved_at"] is not None
        if row["author_kind"] == AuthorKind.ORGANISATION and row["organisation_name"]:
            author = row["organisation_name"]
        elif row["author_kind"] == AuthorKind.ANONYMOUS:
            author = str(_("Anonymous"))
        else:
            author = str(_("A private person"))
        if row["visibility"] == Visibility.HIDDEN:
            content = _("Content hidden by a moderator: %(reason)s") % {
                "reason": row["hidden_reason"]
            }
        else:
            content = "\n".join(
                part for part in (row["proposed_wording"], row["justification"]) if part
            )
        answer = row[prefix + "justification"] if approved else ""
        if grouped and approved:
            answer = _("Answered together with the group “%(group)s”: %(answer)s") % {
                "group": row["group__title"],
                "answer": answer,
            }
        rows.append(
            [
                index,
                row["reference"] or "",
                str(channels.get(row["channel"], row["channel"])),
                author,
                row["document_part"],
                content,
                str(decisions.get(row[prefix + "decision"], "")) if approved else "",
                answer,
            ]
        )
    channel_rows = [
        [str(label), counts.by_channel.get(value, 0)]
        for value, label in Channel.choices
        if counts.by_channel.get(value)
    ]
    decision_bars = [
        {
            "label": str(label),
            "count": counts.by_decision.get(value, 0),
            "percent": round(100 * counts.by_decision.get(value, 0) / counts.total, 1),
        }
        for value, label in Decision.choices
    ]
    return {
        "title": str(_("Remarks")),
        "total": counts.total,
        "by_decision": counts.by_decision,
        "by_channel": counts.by_channel,
        "by_formal": counts.by_formal,
        "blocks": [
            {"type": "facts", "items": [[str(_("Remarks registered")), counts.total]]},
            {
                "type": "table",
                "caption": str(_("Remarks by channel")),
                "sheet": str(_("Channels")),
                "headers": [str(_("Channel")), str(_("Remarks"))],
                "rows": channel_rows,
            },
            {"type": "chart", "caption": str(_("Remarks by decision")), "bars": decision_bars},
            {
                "type": "table",
                "caption": str(_("Every remark with its decision and justification")),
                "sheet": str(_("Remarks")),
                "headers": [
                    str(_("No.")),
                    str(_("Reference number")),
                    str(_("Channel")),
                    str(_("Author")),
                    str(_("Part of the document")),
                    str(_("Remark")),
                    str(_("Decision")),
                    str(_("Justification of the decision")),
                ],
                "rows": rows,
                "wide": True,
            },
        ],
    }


def promotable_texts(consultation: Consultation) -> list[tuple[FreeText, Remark | None]]:
    """The free texts of the consultation's other forms (a survey's open answers), oldest
    first, each with the remark it was promoted to (None: not yet)."""
    kinds = list(
        ParticipationForm.objects.filter(consultation=consultation).values_list("kind", flat=True)
    )
    texts = free_texts_of(consultation, kinds)
    promoted = {
        remark.source_key: remark
        for remark in Remark.objects.filter(
            consultation=consultation, source_key__in=[text.key for text in texts]
        ).only("pk", "reference", "source_key", "consultation_id")
    }
    return [(text, promoted.get(text.key)) for text in texts]


def promotable_text_get(consultation: Consultation, key: str) -> FreeText | None:
    """One free text of the consultation's forms by its key (None: no such text here)."""
    kinds = list(
        ParticipationForm.objects.filter(consultation=consultation).values_list("kind", flat=True)
    )
    texts = free_texts_of(consultation, kinds, keys=[key])
    return next((text for text in texts if text.key == key), None)


def has_promotable_kinds(consultation: Consultation) -> bool:
    kinds = ParticipationForm.objects.filter(consultation=consultation).values_list(
        "kind", flat=True
    )
    return bool(kinds_with_free_texts(list(kinds)))
