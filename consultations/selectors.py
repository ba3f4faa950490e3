"""Reads of a municipality's site data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from common.collation import polish_collation, polish_order
from common.db import connection
from consultations import participation
from consultations.audit_actions import audit_action_label
from consultations.models import (
    Area,
    AuditEvent,
    Category,
    Consultation,
    ConsultationStatus,
    Department,
    Document,
    DocumentKind,
    DocumentRole,
    LegalBasis,
    News,
    ParticipationForm,
    SiteSettings,
)
from consultations.permissions import coordinator_department_ids, editor_area_ids, is_admin
from tenants.selectors import schema_read_only

if TYPE_CHECKING:
    # Annotations only (import-linter still counts it, so it cannot hide a cycle).
    from tenants.models import Municipality

SITE_SETTINGS_CACHE_KEY = "site-settings"


def site_settings_get() -> SiteSettings:
    """The current municipality's settings, cached. The cache key function puts the schema
    name in front of every key, so two municipalities never share this entry."""
    cached = cache.get(SITE_SETTINGS_CACHE_KEY)
    if isinstance(cached, SiteSettings):
        return cached
    settings_row = SiteSettings.objects.filter(pk=1).first() or SiteSettings(pk=1)
    cache.set(SITE_SETTINGS_CACHE_KEY, settings_row, 600)
    return settings_row


# --- Consultations --------------------------------------------------------------------------

# Drafts and ordered (unpaid) consultations exist only in the panel.
PUBLIC_STATUSES = (
    ConsultationStatus.SCHEDULED,
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.REPORT_PUBLISHED,
    ConsultationStatus.ARCHIVED,
)
SEARCH_PAGE_SIZE = 20


def consultations_public() -> QuerySet[Consultation]:
    """What residents may see, with what a list row shows loaded in a constant number of
    queries (feeds and the sitemap can start from here too)."""
    return (
        Consultation.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("department")
        .prefetch_related("areas", "categories")
    )


def consultation_get_public(*, slug: str) -> Consultation | None:
    return consultations_public().prefetch_related("documents").filter(slug=slug).first()


@dataclass(frozen=True)
class DocumentLineage:
    """One document with its versions: the newest, and the earlier ones newest first."""

    current: Document
    earlier: tuple[Document, ...]

    @property
    def versions(self) -> tuple[Document, ...]:
        return (self.current, *self.earlier)


@dataclass(frozen=True)
class ConsultationDocuments:
    notice: list[DocumentLineage]  # the announcement, PDF then ODT
    attached: list[DocumentLineage]  # in the order they were first attached


def consultation_documents(consultation: Consultation) -> ConsultationDocuments:
    """A consultation's documents grouped by document, each with all its versions (from
    ``consultation.documents``, prefetched or not: one query)."""
    lineages: dict[int, list[Document]] = {}
    for document in sorted(consultation.documents.all(), key=lambda d: (d.uploaded_at, d.pk)):
        lineages.setdefault(document.lineage_id, []).append(document)
    notice: list[DocumentLineage] = []
    attached: list[DocumentLineage] = []
    for versions in lineages.values():
        versions.sort(key=lambda d: d.version, reverse=True)
        lineage = DocumentLineage(current=versions[0], earlier=tuple(versions[1:]))
        (notice if lineage.current.role == DocumentRole.NOTICE else attached).append(lineage)
    notice.sort(key=lambda lineage: lineage.current.kind != DocumentKind.PDF)
    return ConsultationDocuments(notice=notice, attached=attached)


@dataclass(frozen=True)
class SearchCriteria:
    """A resident's search. Values within one criterion are alternatives (OR); the
    criteria together narrow the result (AND)."""

    text: str = ""
    statuses: tuple[str, ...] = ()
    area_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    legal_bases: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    consultations: QuerySet[Consultation]
    facets: dict[str, list[FacetValue]]
    total: int


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def consultations_filter(criteria: SearchCriteria) -> QuerySet[Consultation]:
    """The public consultations matching every criterion (the intersection)."""
    qs = Consultation.objects.filter(status__in=PUBLIC_STATUSES)
    # Each word must appear somewhere (case-insensitive, no stemming or unaccent needed for
    # Polish titles typed as written); words narrow like criteria do.
    for word in criteria.text.split()[:10]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(description__icontains=word)
            | Q(target_groups__icontains=word)
        )
    # Asking for drafts or unpaid orders is asking for nothing residents may see: ignored.
    statuses = [s for s in criteria.statuses if s in PUBLIC_STATUSES]
    if statuses:
        qs = qs.filter(status__in=statuses)
    if criteria.legal_bases:
        qs = qs.filter(legal_basis__in=criteria.legal_bases)
    if criteria.department_ids:
        qs = qs.filter(department_id__in=criteria.department_ids)
    # Many-to-many criteria as EXISTS subqueries: no duplicate rows, no DISTINCT needed.
    if criteria.area_ids:
        qs = qs.filter(
            Exists(
                Consultation.areas.through.objects.filter(
                    consultation_id=OuterRef("pk"), area_id__in=criteria.area_ids
                )
            )
        )
    if criteria.category_ids:
        qs = qs.filter(
            Exists(
                Consultation.categories.through.objects.filter(
                    consultation_id=OuterRef("pk"), category_id__in=criteria.category_ids
                )
            )
        )
    # A date range keeps the consultations running at some moment within it.
    if criteria.date_from:
        qs = qs.filter(ends_at__gte=_day_start(criteria.date_from))
    if criteria.date_to:
        qs = qs.filter(starts_at__lt=_day_start(criteria.date_to + timedelta(days=1)))
    return qs


def _facet_rows(matching: QuerySet[Consultation]) -> list[tuple[str, str, str | None, int]]:
    """(facet, value, label, count) for every facet in one query: the matching ids are
    computed once (a CTE), the areas, categories and departments come with their names and
    a count of 0 when nothing matches them, ordered by name as the database collates."""
    ids_sql, params = matching.values("pk").query.sql_with_params()
    q = connection.ops.quote_name
    consultation = q(Consultation._meta.db_table)
    department = q(Department._meta.db_table)
    # Names in Polish order ("Śródmieście" before "Tysiąclecie") where the server has it.
    polish = polish_collation(connection.alias)
    collate = f" COLLATE {q(polish)}" if polish else ""

    def through(relation: Any, model: Any) -> str:
        field = relation.field
        return (
            f"SELECT %s, r.id::text, r.name, count(t.{q(field.m2m_column_name())}) "
            f"FROM {q(model._meta.db_table)} r LEFT JOIN {q(field.m2m_db_table())} t "
            f"ON t.{q(field.m2m_reverse_name())} = r.id "
            f"AND t.{q(field.m2m_column_name())} IN (SELECT id FROM matching) "
            "GROUP BY r.id, r.name"
        )

    sql = (
        f"WITH matching (id) AS ({ids_sql}) "
        "SELECT * FROM ("
        f"SELECT %s::text AS facet, c.status AS value, NULL::text AS label, count(*) AS n "
        f"FROM {consultation} c "
        "WHERE c.id IN (SELECT id FROM matching) GROUP BY c.status "
        f"UNION ALL SELECT %s, c.legal_basis, NULL, count(*) FROM {consultation} c "
        "WHERE c.id IN (SELECT id FROM matching) GROUP BY c.legal_basis "
        f"UNION ALL SELECT %s, d.id::text, d.name, count(c.id) FROM {department} d "
        f"LEFT JOIN {consultation} c ON c.department_id = d.id "
        "AND c.id IN (SELECT id FROM matching) GROUP BY d.id, d.name "
        f"UNION ALL {through(Consultation.areas, Area)} "
        f"UNION ALL {through(Consultation.categories, Category)} "
        f") AS facets ORDER BY facet, label{collate}, value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, "status", "legal_basis", "department", "area", "category"])
        return cursor.fetchall()


def consultation_search(criteria: SearchCriteria) -> SearchResult:
    """The result of a search with counts per facet value on that result (one query for all
    the facets, however many rows)."""
    matching = consultations_filter(criteria)
    counts: dict[str, dict[str, int]] = {}
    chosen = {
        "area": criteria.area_ids,
        "category": criteria.category_ids,
        "department": criteria.department_ids,
    }
    model_facets: dict[str, list[FacetValue]] = {name: [] for name in chosen}
    for facet, value, label, count in _facet_rows(matching):
        if facet in model_facets:
            model_facets[facet].append(
                FacetValue(value, label or "", count, int(value) in chosen[facet])
            )
        else:
            counts.setdefault(facet, {})[value] = count
    status_counts = counts.get("status", {})
    basis_counts = counts.get("legal_basis", {})
    facets = {
        "status": [
            FacetValue(
                value,
                str(ConsultationStatus(value).label),
                status_counts.get(value, 0),
                value in criteria.statuses,
            )
            for value in PUBLIC_STATUSES
        ],
        **model_facets,
        "legal_basis": [
            FacetValue(value, str(label), basis_counts.get(value, 0), value in criteria.legal_bases)
            for value, label in LegalBasis.choices
        ],
    }
    # Areas and categories are fetched for the cards not already kept
    # (consultations.page_cache.consultation_cards).
    consultations = matching.select_related("department").order_by(
        Case(
            When(status=ConsultationStatus.OPEN, then=Value(0)),
            When(status=ConsultationStatus.SCHEDULED, then=Value(1)),
            default=Value(2),
        ),
        "-starts_at",
        "-pk",
    )
    return SearchResult(
        consultations=consultations, facets=facets, total=sum(status_counts.values())
    )


def home_sections(*, recent_days: int = 60, limit: int = 6) -> dict[str, Any]:
    """The home page: open, upcoming and recently closed consultations, and latest news.

    The three sections are one query (a UNION of three ordered, limited selects); the cards
    not already kept fetch their areas and categories together, one query each
    (consultations.page_cache.consultation_cards)."""
    now = timezone.now()
    base = Consultation.objects.select_related("department")
    sections = {
        "open": base.filter(status=ConsultationStatus.OPEN).order_by("ends_at", "pk"),
        "upcoming": base.filter(status=ConsultationStatus.SCHEDULED).order_by("starts_at", "pk"),
        "closed": base.filter(
            status__in=[ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED],
            ends_at__gte=now - timedelta(days=recent_days),
        ).order_by("-ends_at", "-pk"),
    }
    parts = [qs[:limit] for qs in sections.values()]
    rows = list(parts[0].union(*parts[1:], all=True))

    def section(statuses: tuple[str, ...], field: str, reverse: bool = False) -> list[Any]:
        # As the database orders them: a missing date last when ascending.
        def key(c: Consultation) -> tuple[bool, float, int]:
            moment = getattr(c, field)
            return (moment is None, moment.timestamp() if moment else 0.0, c.pk)

        return sorted((c for c in rows if c.status in statuses), key=key, reverse=reverse)

    return {
        "open": section((ConsultationStatus.OPEN,), "ends_at"),
        "upcoming": section((ConsultationStatus.SCHEDULED,), "starts_at"),
        "closed": section(
            (ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED), "ends_at", True
        ),
        **_news_latest(now, limit=3),
    }


def _news_latest(now: datetime, *, limit: int) -> dict[str, Any]:
    """The latest ``limit`` published news items ("news") and when the next item dated ahead
    appears ("news_next", None: none is; the page cache keeps the page no longer), in one
    query: the next one sorts first, so ``limit + 1`` rows hold both."""
    next_ahead = (
        News.objects.filter(published_at__gt=now).order_by("published_at", "pk").values("pk")[:1]
    )
    rows = list(
        News.objects.filter(Q(published_at__lte=now) | Q(pk=Subquery(next_ahead)))
        .select_related("area")
        .order_by("-published_at", "-pk")[: limit + 1]
    )
    ahead = [row.published_at for row in rows if row.published_at > now]
    return {
        "news": [row for row in rows if row.published_at <= now][:limit],
        "news_next": ahead[0] if ahead else None,
    }


def consultations_for_staff(user: Any) -> QuerySet[Consultation]:
    """The panel's list: every consultation for the admin, a coordinator's departments' for
    a coordinator, nothing for anyone else."""
    qs = Consultation.objects.select_related("department").order_by("-created_at")
    if is_admin(user):
        return qs
    return qs.filter(department_id__in=coordinator_department_ids(user))


def consultation_get_for_staff(user: Any, *, consultation_id: int) -> Consultation | None:
    """One consultation the user may manage, else None (the view answers 404 either way)."""
    return (
        consultations_for_staff(user)
        .prefetch_related("areas", "categories", "documents")
        .filter(pk=consultation_id)
        .first()
    )


# --- News -----------------------------------------------------------------------------------


def news_public() -> QuerySet[News]:
    return News.objects.filter(published_at__lte=timezone.now()).select_related("area")


def news_next_publication() -> datetime | None:
    """When the next news item dated ahead appears on the residents' pages (None: none is)."""
    return (
        News.objects.filter(published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def news_for_staff(user: Any) -> QuerySet[News]:
    qs = News.objects.select_related("area")
    if is_admin(user):
        return qs
    return qs.filter(area_id__in=editor_area_ids(user))


def department_choices() -> list[tuple[int, str]]:
    """(id, name) of the current schema's departments, for a coordinator's invitation."""
    return list(Department.objects.order_by(polish_order("name")).values_list("pk", "name"))


# --- The provider's view of one municipality ------------------------------------------------

# Consultations a suspension would interrupt: residents are taking part, or soon will.
RUNNING_STATUSES = (ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN)


def consultations_for_provider(*, municipality: Municipality, limit: int = 50) -> dict[str, Any]:
    """A municipality's consultations for the provider panel, read inside its own schema
    (read-only): the newest ``limit`` rows as plain dicts, and how many there are by status."""
    with schema_read_only(municipality.schema_name):
        rows = [
            {
                "id": c.pk,
                "title": c.title,
                "status": c.status,
                "status_label": c.get_status_display(),
                "starts_at": c.starts_at,
                "ends_at": c.ends_at,
                "department": c.department.name if c.department else "",
            }
            for c in Consultation.objects.select_related("department").order_by("-created_at")[
                :limit
            ]
        ]
        by_status = dict(
            Consultation.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
    return {"consultations": rows, "total": sum(by_status.values()), "by_status": by_status}


def consultations_running_count(*, municipality: Municipality) -> int:
    """How many consultations of the municipality are scheduled or open (read in its schema)."""
    with schema_read_only(municipality.schema_name):
        return Consultation.objects.filter(status__in=RUNNING_STATUSES).count()


# --- Forms of participation -------------------------------------------------------------------


def participation_forms_of(consultation: Consultation) -> list[ParticipationForm]:
    """The consultation's forms, in page order, each knowing its consultation (no query per
    form), whether or not their kind is registered."""
    forms = list(
        ParticipationForm.objects.filter(consultation=consultation).order_by("position", "pk")
    )
    for form in forms:
        form.consultation = consultation
    return forms


def participation_form_get(consultation: Consultation, kind_name: str) -> ParticipationForm | None:
    """The consultation's form of this kind (what a kind's app asks before accepting a
    contribution), or None when the consultation does not use it."""
    form = ParticipationForm.objects.filter(consultation=consultation, kind=kind_name).first()
    if form is not None:
        form.consultation = consultation
    return form


def public_form_get(slug: str, kind_name: str) -> ParticipationForm | None:
    """The form of this kind of the consultation ``slug`` when residents may see it, with
    the consultation itself: one query where the consultation and then its form took two
    (what a kind's public page and its POST read first)."""
    return (
        ParticipationForm.objects.select_related("consultation")
        .filter(consultation__slug=slug, consultation__status__in=PUBLIC_STATUSES, kind=kind_name)
        .first()
    )


@dataclass(frozen=True)
class ParticipationEntry:
    """One form as a page shows it: its row, its registered kind (None: not available yet),
    its phase at the moment of the request, and the contributions once it is over."""

    form: ParticipationForm
    kind: participation.ParticipationKind | None
    phase: str
    starts_at: datetime | None
    ends_at: datetime | None
    url: str | None = None
    contribution_count: int | None = None
    # The kind's staff page for this consultation (the register of remarks, a survey's
    # results), when the kind has one.
    panel_url: str | None = None
    # The kind's page configuring this form (staff only), when the kind has one.
    settings_url: str | None = None

    @property
    def label(self) -> Any:
        return participation.kind_label(self.form.kind)

    @property
    def template_name(self) -> str:
        return (self.kind and self.kind.template_name) or PARTICIPATION_DEFAULT_TEMPLATE


PARTICIPATION_DEFAULT_TEMPLATE = "consultations/resident/_participation_form.html"


def participation_entries(
    consultation: Consultation, *, now: datetime | None = None, include_unavailable: bool = False
) -> list[ParticipationEntry]:
    """What "how to take part" shows: each form in use, with its kind's link while open and
    its count of contributions after. Forms of unregistered kinds are left out for residents
    and kept (``kind`` None) for staff."""
    now = now or timezone.now()
    entries = []
    for form in participation_forms_of(consultation):
        kind = participation.kind_get(form.kind)
        if kind is None and not include_unavailable:
            continue
        phase = form.phase_at(now)
        url = None
        if (
            kind is not None
            and kind.resident_url_name
            and phase == "open"
            and kind.resident_ready(consultation)
        ):
            try:
                url = reverse(kind.resident_url_name, kwargs={"slug": consultation.slug})
            except NoReverseMatch:
                url = None
        count = kind.contribution_count(consultation) if kind and phase == "after" else None
        panel_url = None
        if include_unavailable and kind is not None and kind.panel_url_name:
            try:
                panel_url = reverse(
                    kind.panel_url_name, kwargs={"consultation_id": consultation.pk}
                )
            except NoReverseMatch:
                panel_url = None
        settings_url = None
        if (
            include_unavailable
            and kind is not None
            and kind.settings_url_name
            and kind.settings_open(consultation)
        ):
            try:
                settings_url = reverse(
                    kind.settings_url_name, kwargs={"consultation_id": consultation.pk}
                )
            except NoReverseMatch:
                settings_url = None
        entries.append(
            ParticipationEntry(
                form=form,
                kind=kind,
                phase=phase,
                starts_at=form.window_starts_at,
                ends_at=form.window_ends_at,
                url=url,
                contribution_count=count,
                panel_url=panel_url,
                settings_url=settings_url,
            )
        )
    return entries


def participation_kinds_for_panel(consultation: Consultation | None) -> list[Any]:
    """The kinds a coordinator may tick: those offered for the consultation (by its order's
    add-ons) and those already in use."""
    if consultation is None or not consultation.pk:
        return [kind for kind in participation.kinds() if kind.addon_code is None]
    in_use = set(
        ParticipationForm.objects.filter(consultation=consultation).values_list("kind", flat=True)
    )
    offered = {kind.name for kind in participation.kinds_offered(consultation)}
    return [kind for kind in participation.kinds() if kind.name in offered or kind.name in in_use]


# --- Audit ----------------------------------------------------------------------------------

AUDIT_HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryLine:
    """One line of the panel's history: when, who (e-mail, or "" for the platform), what,
    and about what (a form's kind, a document's title, the changed fields)."""

    event: AuditEvent
    label: Any
    subject: str


def _history_subject(event: AuditEvent) -> str:
    details = event.details or {}
    if details.get("kind"):
        return str(participation.kind_label(details["kind"]))
    if details.get("title"):
        return f"„{details['title']}”"
    if details.get("fields"):
        names = []
        for name in details["fields"]:
            try:
                names.append(str(getattr(Consultation._meta.get_field(name), "verbose_name", name)))
            except FieldDoesNotExist:  # a field renamed since the event was recorded
                names.append(name)
        return ", ".join(names)
    return ""


def audit_history_of(consultation: Consultation) -> list[HistoryLine]:
    """The consultation's history as the panel shows it, newest first."""
    return [
        HistoryLine(
            event=event, label=audit_action_label(event.action), subject=_history_subject(event)
        )
        for event in audit_events_of(consultation)
    ]


def audit_events_of(
    consultation: Consultation, *, limit: int = AUDIT_HISTORY_LIMIT
) -> list[AuditEvent]:
    """The consultation's history, newest first."""
    return list(
        AuditEvent.objects.filter(consultation=consultation).order_by("-created_at", "-pk")[:limit]
    )


def report_due_date(consultation: Consultation) -> date | None:
    """The day the report is due: the closing day (local) plus the rule set's report
    deadline in days; None before closing or when its rules set no deadline."""
    if consultation.closed_at is None:
        return None
    days = (consultation.rules_snapshot or {}).get("report_deadline_days")
    if days is None:
        return None
    return timezone.localdate(consultation.closed_at) + timedelta(days=int(days))
