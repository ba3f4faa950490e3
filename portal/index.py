"""Writes of the public index: what each municipality has made public, copied into the
public schema in the same transaction as the change that made it so.

The listeners run with the municipality's schema current (consultations.public_changes) or
the public one (tenants.status_listeners). django-tenants puts the public schema on the
search_path after the municipality's (``SET search_path = m_x, public``), so the index's
table, which exists only in public, is reached by its plain name from either; a test
(tests/portal/test_index.py) proves the row lands in public. Nothing is read across schemas:
a consultation is read inside its own schema, the row written through the index's model.

Which consultations enter: scheduled, open, closed and report published, of an active
municipality. A draft or an ordered (unpaid) one never does; an archived one leaves (its page
stays on the municipality's site, but a portal lists what residents can still follow or
read the outcome of, and the municipality archives exactly to take it out of view); every
row of a suspended or archived municipality leaves with it and returns on reactivation.

What is copied: title, summary, status, dates, legal basis, names of areas and categories,
forms of participation, the count of contributions and the page's address. Never the
contact person, e-mail or phone, the department's staff, or anything a resident wrote.

The count of contributions alone follows a little after the change, not inside it: a
resident's remark or answer asks for a recount (`contributions_refresh_soon`), and one task a
few seconds later counts them all (`contributions_refresh`). Counting and upserting the
consultation's row inside every submission cost four queries and held that one row locked
until the submission committed, so concurrent submissions to a consultation queued one after
another (bench/remarks.py). Closing a consultation still counts in its own transaction, so
final figures are exact when they become final.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from common.db import connection
from consultations import participation
from consultations.models import (
    Area,
    Category,
    Consultation,
    ConsultationStatus,
    ParticipationForm,
)
from consultations.public_changes import PublicChange
from portal.models import PublicConsultation, PublicConsultationSearch, PublicSearchWord
from tenants.models import Domain, Municipality, MunicipalityStatus

logger = logging.getLogger("konsulta.portal")

INDEXED_STATUSES = frozenset(
    {
        ConsultationStatus.SCHEDULED,
        ConsultationStatus.OPEN,
        ConsultationStatus.CLOSED,
        ConsultationStatus.REPORT_PUBLISHED,
    }
)
FINAL_STATUSES = frozenset({ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED})
# The fields a row is rebuilt from; the rebuild compares exactly these to find drift.
ROW_FIELDS = (
    "slug",
    "title",
    "summary",
    "status",
    "legal_basis",
    "municipality_kind",
    "starts_at",
    "ends_at",
    "published_at",
    "areas",
    "categories",
    "forms",
    "contributions",
    "url",
    "search_text",
)


def _contributions(consultation: Consultation, kinds: list[str]) -> int:
    """The sum of what each registered kind in use counts (a kind not installed counts 0):
    one query a kind, so only the changes that move it (scope "contributions") and the
    rebuild pay for it."""
    total = 0
    for name in kinds:
        kind = participation.kind_get(name)
        if kind is not None:
            total += int(kind.contribution_count(consultation))
    return total


def _site_base(municipality: Municipality) -> str:
    """The municipality's own address, from the primary domain read with it (one query for
    both, see _municipality_of_schema), as Municipality.site_url builds it."""
    domain = getattr(municipality, "primary_domain", None)
    if domain is None:
        return municipality.site_url.rstrip("/")
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{domain}{port}"


def row_values(
    consultation: Consultation, municipality: Municipality, *, contributions: bool = True
) -> dict[str, Any]:
    """What the index holds of one public consultation (no personal data: see the module).
    The consultation comes from _indexable() (its areas, categories and forms as arrays);
    ``contributions`` False leaves the count out (the row keeps the one it has)."""
    areas = sorted(consultation.area_names or [])  # type: ignore[attr-defined]
    categories = sorted(consultation.category_names or [])  # type: ignore[attr-defined]
    forms = list(consultation.form_kinds or [])  # type: ignore[attr-defined]
    path = reverse(
        "consultation_detail", kwargs={"slug": consultation.slug}, urlconf=settings.ROOT_URLCONF
    )
    values: dict[str, Any] = {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "status": consultation.status,
        "legal_basis": consultation.legal_basis,
        "municipality_kind": municipality.kind,
        "starts_at": consultation.starts_at,
        "ends_at": consultation.ends_at,
        "published_at": consultation.scheduled_at or consultation.opened_at,
        "areas": areas,
        "categories": categories,
        "forms": forms,
        "url": _site_base(municipality) + path,
        "search_text": "\n".join(
            [consultation.title, consultation.summary, municipality.name, *areas, *categories]
        ),
    }
    if contributions:
        values["contributions"] = _contributions(consultation, forms)
    return values


def _indexable() -> QuerySet[Consultation]:
    """The consultations of the current schema that belong in the index, each with the names
    of its areas, categories and forms as arrays: one query, however many rows."""
    return Consultation.objects.filter(status__in=INDEXED_STATUSES).annotate(
        area_names=ArraySubquery(Area.objects.filter(consultations=OuterRef("pk")).values("name")),
        category_names=ArraySubquery(
            Category.objects.filter(consultations=OuterRef("pk")).values("name")
        ),
        form_kinds=ArraySubquery(
            ParticipationForm.objects.filter(consultation=OuterRef("pk"))
            .order_by("position", "pk")
            .values("kind")
        ),
    )


# What the narrow half repeats of the wide one, compared by the rebuild.
NARROW_FIELDS = ("status", "legal_basis", "starts_at", "ends_at", "categories", "forms")
# The narrow half's columns, as written by index_rows_put (words last, computed there).
SEARCH_COLUMNS = (
    "entry_id",
    "municipality_id",
    "status",
    "legal_basis",
    "municipality_kind",
    "starts_at",
    "ends_at",
    "categories",
    "forms",
    "words",
)


def index_rows_put(rows: list[PublicConsultation], *, contributions: bool = True) -> None:
    """Write index rows, both halves, and their words, in one statement a batch: INSERT …
    ON CONFLICT (municipality, consultation) DO UPDATE on the wide half, RETURNING what the
    narrow half repeats, which is upserted on the entry's id with its words computed by the
    database (the ids of the distinct words of portal_fold(search_text), the function
    searches fold what was typed with); the words new to the index are first added to
    PublicSearchWord (in word order: two writers take the same words in the same order and
    never deadlock). One round trip a change (bench/portal.py), and two writers of one
    consultation end on one row. Without ``contributions`` an existing row keeps its count
    (a new one starts at 0: nobody takes part before a consultation is announced, and the
    change that adds a contribution writes the count)."""
    quote = connection.ops.quote_name
    wide_table = quote(PublicConsultation._meta.db_table)
    narrow_table = quote(PublicConsultationSearch._meta.db_table)
    word_table = quote(PublicSearchWord._meta.db_table)
    wide_columns = ["municipality_id", "consultation_id", *ROW_FIELDS]
    casts = {
        "areas": "::varchar(200)[]",
        "categories": "::varchar(200)[]",
        "forms": "::varchar(40)[]",
    }
    placeholder = "(" + ", ".join(f"%s{casts.get(c, '')}" for c in wide_columns) + ", now())"
    wide_updates = ", ".join(
        f"{c} = EXCLUDED.{c}"
        for c in [*ROW_FIELDS, "indexed_at"]
        if contributions or c != "contributions"
    )
    narrow_updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in SEARCH_COLUMNS[1:])
    repeated = ", ".join(SEARCH_COLUMNS[1:-1])
    for start in range(0, len(rows), INDEX_BATCH):
        batch = rows[start : start + INDEX_BATCH]
        params: list[Any] = []
        for row in batch:
            params += [row.municipality_id, row.consultation_id]
            params += [list(v) if isinstance(v := getattr(row, c), list) else v for c in ROW_FIELDS]
        with connection.cursor() as cursor:
            # Two statements, one round trip: the second has a snapshot of its own (READ
            # COMMITTED), so it sees every word of the first, also one another transaction
            # added meanwhile (the first waited for it to commit).
            cursor.execute(
                f"INSERT INTO {word_table} (word) SELECT DISTINCT unnest("
                "public.portal_words(t)) FROM unnest(%s::text[]) AS t ORDER BY 1 "
                "ON CONFLICT (word) DO NOTHING; "
                f"WITH wide AS (INSERT INTO {wide_table} ({', '.join(wide_columns)}, indexed_at) "
                "VALUES " + ", ".join([placeholder] * len(batch)) + " "
                f"ON CONFLICT (municipality_id, consultation_id) DO UPDATE SET {wide_updates} "
                f"RETURNING id, {repeated}, search_text) "
                f"INSERT INTO {narrow_table} ({', '.join(SEARCH_COLUMNS)}) "
                f"SELECT id, {repeated}, {WORD_IDS_OF.format(text='search_text')} FROM wide "
                f"ON CONFLICT (entry_id) DO UPDATE SET {narrow_updates}",
                [[row.search_text for row in batch], *params],
            )


# The ids of a text's words, ascending (what PublicConsultationSearch.words holds).
# The text's words are split once (unnest), each then found on the unique index of words:
# "w.word = ANY(portal_words(text))" split the text again for every word the table holds.
WORD_IDS_OF = (
    "ARRAY(SELECT i FROM (SELECT (SELECT w.id FROM portal_publicsearchword AS w "
    "WHERE w.word = u.word) AS i FROM unnest(public.portal_words({text})) AS u(word)) AS x "
    "WHERE i IS NOT NULL ORDER BY i)"
)

# Rows a statement writes at most (17 parameters each: 34,000, below PostgreSQL's 65,535).
INDEX_BATCH = 2000


def _municipality_query() -> QuerySet[Municipality]:
    primary = Domain.objects.filter(tenant=OuterRef("pk"), is_primary=True).values("domain")[:1]
    return Municipality.objects.annotate(primary_domain=Subquery(primary))


def _municipality_of_schema(schema_name: str | None) -> Municipality | None:
    """The municipality with its primary domain, in one query."""
    return _municipality_query().filter(schema_name=schema_name).first()


# The SQL of the two reads every change makes, compiled by the ORM once per process: building
# them anew (three array subqueries) cost more than running them (bench/portal.py).
_compiled: dict[str, tuple[str, tuple[Any, ...]]] = {}
_SENTINEL = "portal-index-sentinel"


def _compiled_sql(name: str, queryset: Callable[[], QuerySet[Any]]) -> tuple[str, tuple[Any, ...]]:
    """(SQL, its parameters but the last) of a queryset whose last parameter is _SENTINEL:
    the value a caller puts back in its place. The queryset is built on the first call only."""
    if name not in _compiled:
        sql, params = queryset().query.sql_with_params()
        if not params or params[-1] != _SENTINEL:
            raise RuntimeError(f"index: the {name} query does not end with its key")
        _compiled[name] = (sql, tuple(params[:-1]))
    return _compiled[name]


def _change_reads(
    schema_name: str | None, consultation_id: int
) -> tuple[Municipality | None, Consultation | None]:
    """The municipality of the schema (with its primary domain) and the consultation when it
    belongs in the index (with its areas, categories and forms): two precompiled queries,
    the second only for an active municipality."""
    sql, params = _compiled_sql(
        "municipality", lambda: _municipality_query().filter(schema_name=_SENTINEL)[:1]
    )
    municipality = next(iter(Municipality.objects.raw(sql, [*params, schema_name])), None)
    if municipality is None or municipality.status != MunicipalityStatus.ACTIVE:
        return municipality, None
    sql, params = _compiled_sql("consultation", lambda: _indexable().filter(pk=Value(_SENTINEL)))
    found = list(Consultation.objects.raw(sql, [*params, consultation_id]))
    return municipality, (found[0] if found else None)


def index_entry_sync(*, consultation_id: int, contributions: bool = True) -> None:
    """Bring the index row of one consultation of the current schema in line with it:
    written when it is public and its municipality active, removed otherwise. Call inside
    the transaction of the change. Three queries (municipality, consultation, upsert), plus
    one a form of participation when ``contributions`` is asked for."""
    municipality, consultation = _change_reads(connection.schema_name, consultation_id)
    if municipality is None:
        return
    if consultation is None:
        PublicConsultation.objects.filter(
            municipality=municipality, consultation_id=consultation_id
        ).delete()
        return
    # Once a consultation closes its figures are final: count them then, whatever changed.
    count = contributions or consultation.status in FINAL_STATUSES
    index_rows_put(
        [
            PublicConsultation(
                municipality=municipality,
                consultation_id=consultation.pk,
                **row_values(consultation, municipality, contributions=count),
            )
        ],
        contributions=count,
    )


@dataclass
class Drift:
    """What a rebuild found different between a municipality's schema and the index."""

    schema_name: str
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema_name,
            "missing": self.missing,
            "stale": self.stale,
            "extra": self.extra,
        }


def _expected_rows(municipality: Municipality) -> dict[int, dict[str, Any]]:
    """The rows the index should hold for a municipality, read inside its own schema."""
    if municipality.status != MunicipalityStatus.ACTIVE:
        return {}
    if not schema_exists(municipality.schema_name):
        # Marked active without a schema (a half-done provisioning): nothing to show.
        logger.warning("index: schema %s is missing", municipality.schema_name)
        return {}
    with schema_context(municipality.schema_name):
        return {c.pk: row_values(c, municipality) for c in _indexable()}


def municipality_index_sync(*, municipality: Municipality, mend: bool = True) -> Drift:
    """Compare the index rows of one municipality with its schema and (``mend``) correct
    them: add the missing, rewrite the stale, delete the extra. Returns what differed."""
    expected = _expected_rows(municipality)
    drift = Drift(schema_name=municipality.schema_name)
    present: dict[int, dict[str, Any]] = {
        row["consultation_id"]: row
        for row in PublicConsultation.objects.filter(municipality=municipality)
        .annotate(expected_words=_WordIds(F("search_text")))
        .values(
            "consultation_id",
            *ROW_FIELDS,
            *(f"search__{name}" for name in NARROW_FIELDS),
            "search__words",
            "expected_words",
        )
    }
    for consultation_id, values in expected.items():
        row = present.get(consultation_id)
        if row is None:
            drift.missing.append(consultation_id)
        elif (
            any(row[name] != values[name] for name in ROW_FIELDS)
            or any(row[f"search__{name}"] != values[name] for name in NARROW_FIELDS)
            or row["search__words"] != row["expected_words"]
        ):
            # A wide half that differs, or a narrow half missing or out of step with it.
            drift.stale.append(consultation_id)
    drift.extra = sorted(set(present) - set(expected))
    drift.missing.sort()
    drift.stale.sort()
    if mend and drift.total:
        with transaction.atomic():
            PublicConsultation.objects.filter(
                municipality=municipality, consultation_id__in=drift.extra
            ).delete()
            index_rows_put(
                [
                    PublicConsultation(
                        municipality=municipality, consultation_id=pk, **expected[pk]
                    )
                    for pk in [*drift.missing, *drift.stale]
                ]
            )
    return drift


class _WordIds(Func):
    """The word ids a text should give, as index_rows_put computes them (WORD_IDS_OF)."""

    template = WORD_IDS_OF.format(text="%(expressions)s")
    output_field = ArrayField(IntegerField())


@dataclass
class WordDrift:
    """Word ids index rows hold that PublicSearchWord lacks (a search misses those rows;
    the rebuild of their municipality rewrites them as stale), and words no row holds any
    more (harmless: they match nothing; pruned)."""

    missing: int = 0
    unused: int = 0


def search_words_sync(*, mend: bool = True, prune: bool = True) -> WordDrift:
    """Count the word ids rows hold that PublicSearchWord lacks, and the words no row holds;
    (``mend`` and ``prune``) delete the unused ones. The table is locked against writers
    while it is pruned (they wait, a second or so): a writer's new row could otherwise hold a
    word the prune did not see held."""
    quote = connection.ops.quote_name
    narrow = quote(PublicConsultationSearch._meta.db_table)
    words = quote(PublicSearchWord._meta.db_table)
    held = f"SELECT DISTINCT unnest(words) AS id FROM {narrow}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM ({held}) AS h WHERE NOT EXISTS "
            f"(SELECT 1 FROM {words} AS w WHERE w.id = h.id)), "
            f"(SELECT count(*) FROM {words} AS w WHERE NOT EXISTS "
            f"(SELECT 1 FROM ({held}) AS h WHERE h.id = w.id))"
        )
        missing, unused = cursor.fetchone()
    if mend and prune and unused:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {words} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                f"DELETE FROM {words} AS w WHERE NOT EXISTS "
                f"(SELECT 1 FROM {narrow} AS s WHERE s.words @> ARRAY[w.id])"
            )
    return WordDrift(missing=missing, unused=unused)


def index_rebuild(*, mend: bool = True, schema_names: Iterable[str] = ()) -> list[Drift]:
    """Check every municipality (or those named) against the index, mending what differs.
    Also removes rows of municipalities that no longer exist in the index's eyes (not
    active): their expected set is empty."""
    primary = Domain.objects.filter(tenant=OuterRef("pk"), is_primary=True).values("domain")[:1]
    municipalities = Municipality.objects.exclude(schema_name=get_public_schema_name()).annotate(
        primary_domain=Subquery(primary)
    )
    names = list(schema_names)
    if names:
        municipalities = municipalities.filter(schema_name__in=names)
    drifts = []
    for municipality in municipalities.order_by("schema_name"):
        if municipality.is_ready:
            drifts.append(municipality_index_sync(municipality=municipality, mend=mend))
        else:
            # Provisioning or failed: no schema to read, and nothing may be in the index.
            drift = Drift(schema_name=municipality.schema_name)
            drift.extra = sorted(
                PublicConsultation.objects.filter(municipality=municipality).values_list(
                    "consultation_id", flat=True
                )
            )
            if mend and drift.extra:
                PublicConsultation.objects.filter(municipality=municipality).delete()
            drifts.append(drift)
    return drifts


# --- The count of contributions, a little after the change ------------------------------------

# Seconds between a contribution and the recount it asks for: the submissions of that time
# share one recount.
CONTRIBUTIONS_REFRESH_DELAY = 2
# How long a pending recount's mark lives: a task lost with its worker is asked for again by the
# next contribution after this.
CONTRIBUTIONS_MARK_TIMEOUT = 60


def _contributions_mark(consultation_id: int) -> str:
    # The cache's key function puts the schema's name first: one mark per municipality's
    # consultation.
    return f"portal:contributions-refresh:{consultation_id}"


def contributions_refresh_soon(consultation_id: int) -> None:
    """Ask for a recount of the consultation's contributions once the current transaction
    commits: one task a few seconds later, unless one is already waiting (a mark in Redis).
    The waiting task clears the mark before it counts, so whatever committed before a
    submission found the mark is counted by it."""

    # The schema of the change: a commit may run its callbacks after a schema_context has
    # been left, and the mark and the task belong to this municipality.
    schema = connection.schema_name

    def queue() -> None:
        # After the commit: the contribution is stored whatever happens here. A failure to
        # reach Redis or the broker is logged, never raised at the resident (it would turn a
        # stored contribution into an error page and skip later callbacks); a mark whose
        # task was not queued is removed, so the next contribution asks again.
        with schema_context(schema):
            mark = _contributions_mark(consultation_id)
            try:
                if not cache.add(mark, 1, CONTRIBUTIONS_MARK_TIMEOUT):
                    return
            except Exception:  # the cache's own failure, logged
                logger.warning("portal recount of %s not asked for", consultation_id, exc_info=True)
                return
            try:
                current_app.signature(
                    "portal.tasks.index_contributions_refresh", args=(consultation_id,)
                ).apply_async(countdown=CONTRIBUTIONS_REFRESH_DELAY)
            except Exception:  # the broker's failure, logged
                logger.warning("portal recount of %s not queued", consultation_id, exc_info=True)
                cache.delete(mark)

    transaction.on_commit(queue)


def contributions_refresh(*, consultation_id: int) -> None:
    """The recount asked for by contributions_refresh_soon, in the consultation's schema."""
    cache.delete(_contributions_mark(consultation_id))
    index_entry_sync(consultation_id=consultation_id, contributions=True)


# --- Listeners ------------------------------------------------------------------------------


def index_on_public_change(change: PublicChange) -> None:
    """consultations.public_changes listener: runs inside the change's transaction, in the
    municipality's schema. A failure here rolls the change back: the index never disagrees
    with what was committed."""
    if connection.schema_name == get_public_schema_name():
        return
    if change.scope == "news":
        return  # a municipality's news is not in the index
    if change.consultation_id is not None:
        if change.scope == "contributions":
            # Nothing but the count moves: recounted a little after (see the module).
            contributions_refresh_soon(change.consultation_id)
            return
        # Only the participation forms that hold contributions move the count; every other
        # change leaves it to save a query a form (bench/portal.py).
        index_entry_sync(
            consultation_id=change.consultation_id,
            contributions=change.scope == "participation",
        )
        return
    # Site-wide: an area or a category renamed changes the rows that name it.
    municipality = _municipality_of_schema(connection.schema_name)
    if municipality is not None:
        municipality_index_sync(municipality=municipality)


def index_on_municipality_change(municipality: Municipality) -> None:
    """tenants.status_listeners listener: a suspended or archived municipality leaves the
    index, a reactivated one returns, a renamed one is rewritten (its name is in every row's
    search text). Runs in the public schema, inside the status change's transaction."""
    if municipality.status != MunicipalityStatus.ACTIVE:
        PublicConsultation.objects.filter(municipality=municipality).delete()
        return
    fresh = _municipality_of_schema(municipality.schema_name)
    if fresh is not None:
        municipality_index_sync(municipality=fresh)
