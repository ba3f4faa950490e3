"""Reads of the portals: which portal a host is, and search over the public index.

Text search: the PostgreSQL here has no Polish dictionary (``\\dF`` lists no "polish"
configuration; it is not shipped with PostgreSQL and needs a hunspell/ispell dictionary
installed on the server), so words are matched as substrings of the text folded by
``portal_fold()`` (lower case, Polish diacritics removed by the unaccent extension): "lodz"
finds "Łódź", "ziele" finds "zieleń" and "zielony", "azar" finds "Łazarzu", with no stemmer to
maintain (migration 0002). Each index row holds the distinct words of its folded text on a
GIN index; what was typed is looked up among all the words the index holds
(PublicSearchWord, a pg_trgm index on a table of some thousands of rows), and the rows
holding any word that contains it are taken from the GIN index without reading any text
(migration 0004). A typed word has no white space, so this is exactly "the folded text
contains the folded word".
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.collation import polish_order
from common.db import connection
from common.tokens import row_token, row_token_read
from consultations import participation
from consultations.models import LegalBasis
from portal.models import (
    DigestFrequency,
    DigestSubscriber,
    IndexStatus,
    Portal,
    PortalFeature,
    PortalNews,
    PublicConsultation,
    PublicConsultationSearch,
    PublicSearchWord,
)
from tenants.models import Municipality, MunicipalityKind, MunicipalityStatus

PAGE_SIZE = 20
# Hostile input is cut to these before any query is built: a search costs the same whatever
# arrives (10,000 words, a page number of 10^9, every id there is).
MAX_WORDS = 6
MAX_WORD_LENGTH = 40
MIN_WORD_LENGTH = 3  # shorter ones match almost everything and no trigram can narrow them
MAX_VALUES_PER_FACET = 30
MAX_TEXT_LENGTH = 300
# Category values shown (the most frequent, and any chosen).
CATEGORY_FACET_SIZE = 25
# A portal of up to this many members lists each of them in the municipality facet; a larger
# one (the national portal: every municipality) the ones with the most results and any
# chosen: a resident finds another by typing its name (the index's text holds it).
MUNICIPALITY_FACET_ALL = 40
MUNICIPALITY_FACET_SIZE = 30
# Memory for one search's sorts and groupings (PostgreSQL's default is 4 MB): the matches of a
# broad word on 200,000 rows then stay in memory instead of a temporary file (bench/portal.py).
SEARCH_WORK_MEM = "16MB"
YEAR_MIN, YEAR_MAX = 2000, 2100


# --- Hosts ----------------------------------------------------------------------------------

# The set of portal hosts, kept by each process for this long: the tenant middleware asks on
# every request, and a query there would cost every municipality's page. A new portal is
# served at most this long after it is created.
PORTAL_HOSTS_TTL = 5.0
_hosts: dict[str, Any] = {"until": 0.0, "hosts": frozenset()}


def portal_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_DOMAIN}"


def _portal_hosts() -> frozenset[str]:
    now = time.monotonic()
    if now >= _hosts["until"]:
        hosts: set[str] = set()
        for subdomain, custom in Portal.objects.values_list("subdomain", "custom_domain"):
            hosts.add(portal_host(subdomain))
            if custom:
                hosts.add(custom)
        _hosts["hosts"] = frozenset(hosts)
        _hosts["until"] = now + PORTAL_HOSTS_TTL
    return _hosts["hosts"]


def portal_hosts_forget() -> None:
    """Read the hosts again on the next request (after a portal is created or changed)."""
    _hosts["until"] = 0.0


def portal_host_is_public(hostname: str) -> bool:
    """tenants.hosts predicate: a portal's host is served by the public URLconf."""
    return hostname in _portal_hosts()


def portal_for_host(hostname: str) -> Portal | None:
    """The portal a host serves; None on the apex (the national portal) or any other host."""
    if hostname == settings.PLATFORM_DOMAIN:
        return None
    suffix = "." + settings.PLATFORM_DOMAIN
    if hostname.endswith(suffix):
        found = Portal.objects.filter(subdomain=hostname[: -len(suffix)]).first()
        if found is not None:
            return found
    return Portal.objects.filter(custom_domain=hostname).first()


def portal_url(portal: Portal | None) -> str:
    host = portal_host(portal.subdomain) if portal else settings.PLATFORM_DOMAIN
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{host}{port}"


def _members_qs(portal: Portal | None) -> QuerySet[Municipality]:
    qs = Municipality.objects.filter(status=MunicipalityStatus.ACTIVE).exclude(schema_name="public")
    if portal is not None:
        qs = qs.filter(portals=portal)
    return qs


def portal_members(portal: Portal | None) -> list[Municipality]:
    """The municipalities a portal shows, active ones only, by name, with their domains
    (the national portal: every active municipality)."""
    return list(_members_qs(portal).prefetch_related("domains").order_by(polish_order("name")))


@dataclass(frozen=True)
class Member:
    pk: int
    name: str


def portal_member_names(portal: Portal | None) -> list[Member]:
    """The same municipalities as (id, name) only: what search and the newsletter form
    need, in one query and without model instances (a page of the national portal built 200
    of them with their domains, and the garbage collector's passes over them cost 100 ms
    every few requests: bench/portal.py)."""
    rows = _members_qs(portal).order_by(polish_order("name")).values_list("pk", "name")
    return [Member(pk, name) for pk, name in rows]


def portal_entries(portal: Portal | None) -> QuerySet[PublicConsultation]:
    """The index rows a portal may show: its members' only."""
    qs = PublicConsultation.objects.all()
    if portal is not None:
        qs = qs.filter(municipality__portals=portal)
    return qs


# --- Search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalCriteria:
    """A resident's search: values within a facet are alternatives (OR), facets together
    narrow the result (AND)."""

    words: tuple[str, ...] = ()
    municipality_ids: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    legal_bases: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    # Something asked for was not understood and left out (the page says so).
    ignored: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _values(data: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(key) if getlist else ([data[key]] if key in data else [])
    return [str(v).strip() for v in raw[: MAX_VALUES_PER_FACET * 4] if str(v).strip()]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def criteria_parse(data: Mapping[str, Any], *, member_ids: Iterable[int]) -> PortalCriteria:
    """Criteria from a query string, bounded: unknown facets and values (another portal's
    municipalities, a status residents cannot see) are dropped and flagged, long input cut."""
    ignored = False
    members = set(member_ids)

    def pick(key: str, allowed: Iterable[str]) -> tuple[str, ...]:
        nonlocal ignored
        allowed_set = set(allowed)
        raw = _values(data, key)
        chosen = [v for v in dict.fromkeys(raw) if v in allowed_set][:MAX_VALUES_PER_FACET]
        if len(chosen) != len(dict.fromkeys(raw)):
            ignored = True
        return tuple(chosen)

    text = " ".join(_values(data, "q"))[:MAX_TEXT_LENGTH]
    words: list[str] = []
    for word in text.split():
        word = word.strip(".,;:!?\"'()[]")[:MAX_WORD_LENGTH]
        if len(word) >= MIN_WORD_LENGTH and word.lower() not in (w.lower() for w in words):
            words.append(word)
    if len(words) > MAX_WORDS:
        words, ignored = words[:MAX_WORDS], True

    municipality_ids = pick("gmina", (str(pk) for pk in members))
    years_raw = pick("rok", (str(y) for y in range(YEAR_MIN, YEAR_MAX + 1)))
    categories = tuple(dict.fromkeys(v[:200] for v in _values(data, "kategoria")))
    if len(categories) > MAX_VALUES_PER_FACET:
        categories, ignored = categories[:MAX_VALUES_PER_FACET], True
    date_from = _date(_values(data, "od")[0]) if _values(data, "od") else None
    date_to = _date(_values(data, "do")[0]) if _values(data, "do") else None
    if (_values(data, "od") and date_from is None) or (_values(data, "do") and date_to is None):
        ignored = True
    page_raw = (_values(data, "strona") or ["1"])[0]
    page = int(page_raw) if page_raw.isdigit() and len(page_raw) < 10 else 1
    return PortalCriteria(
        words=tuple(words),
        municipality_ids=tuple(int(v) for v in municipality_ids),
        statuses=pick("status", IndexStatus.values),
        kinds=pick("typ", MunicipalityKind.values),
        categories=categories,
        legal_bases=pick("podstawa", LegalBasis.values),
        forms=pick("forma", _form_names()),
        years=tuple(int(v) for v in years_raw),
        date_from=date_from,
        date_to=date_to,
        page=max(page, 1),
        ignored=ignored,
    )


def _form_names() -> list[str]:
    return [kind.name for kind in participation.kinds()]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime.min))


def words_containing(typed: tuple[str, ...]) -> list[list[int]]:
    """For each typed word, the ids of the words of the index that contain it once both are
    folded (lower case, no diacritics), in one query on the trigram index of PublicSearchWord; an
    empty list for a word no row holds. % and _ typed are plain characters. Looked up before
    the search so that its plan knows how many rows each word holds (with the list as a
    subquery PostgreSQL guessed 1 % and, on a portal, scanned the words' index once a
    member: bench/portal.py)."""
    if not typed:
        return []
    table = connection.ops.quote_name(PublicSearchWord._meta.db_table)
    folded = "public.portal_fold(q.typed)"
    pattern = f"replace(replace(replace({folded}, '\\', '\\\\'), '%%', '\\%%'), '_', '\\_')"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.i, array_agg(w.id ORDER BY w.id) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS q(typed, i) "
            f"JOIN {table} AS w ON w.word LIKE '%%' || {pattern} || '%%' GROUP BY q.i",
            [list(typed)],
        )
        found = {int(i): list(words) for i, words in cursor.fetchall()}
    return [found.get(i, []) for i in range(1, len(typed) + 1)]


def entries_filter(
    criteria: PortalCriteria,
    *,
    portal: Portal | None,
    word_matches: list[list[int]] | None = None,
    member_ids: list[int] | None = None,
) -> QuerySet[PublicConsultationSearch]:
    """The narrow halves of the portal's index rows matching every criterion (the
    intersection). ``word_matches``: words_containing(criteria.words), when already read;
    ``member_ids``: the portal's active members (portal_member_names), when already read:
    as a list the plan reads the words' index once for all of them (with a subquery it read
    it once a member: bench/portal.py). Only active municipalities have rows."""
    qs = PublicConsultationSearch.objects.all()
    if portal is not None and member_ids is not None:
        qs = qs.filter(municipality_id__in=member_ids)
    elif portal is not None:
        # The members' ids straight from the membership table (no join to municipalities).
        members = Portal.members.through.objects.filter(portal=portal).values("municipality_id")
        qs = qs.filter(municipality_id__in=members)
    if word_matches is None:
        word_matches = words_containing(criteria.words)
    for containing in word_matches:
        # The rows holding any word that contains the typed one (GIN index on the rows'
        # words): the same rows as "the folded text contains the folded word".
        qs = qs.filter(words__overlap=containing) if containing else qs.none()
    if criteria.municipality_ids:
        qs = qs.filter(municipality_id__in=criteria.municipality_ids)
    if criteria.statuses:
        qs = qs.filter(status__in=criteria.statuses)
    if criteria.kinds:
        qs = qs.filter(municipality_kind__in=criteria.kinds)
    if criteria.legal_bases:
        qs = qs.filter(legal_basis__in=criteria.legal_bases)
    if criteria.categories:
        qs = qs.filter(categories__overlap=list(criteria.categories))
    if criteria.forms:
        qs = qs.filter(forms__overlap=list(criteria.forms))
    if criteria.years:
        year_q = Q()
        for year in criteria.years:
            year_q |= Q(
                starts_at__gte=_day_start(date(year, 1, 1)),
                starts_at__lt=_day_start(date(year + 1, 1, 1)),
            )
        qs = qs.filter(year_q)
    if criteria.date_from:
        qs = qs.filter(ends_at__gte=_day_start(criteria.date_from))
    if criteria.date_to:
        qs = qs.filter(starts_at__lt=_day_start(criteria.date_to + timedelta(days=1)))
    return qs


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class PortalSearch:
    criteria: PortalCriteria
    entries: list[PublicConsultation]
    facets: dict[str, list[FacetValue]]
    total: int
    page: int
    pages: int
    members: list[Member] = field(default_factory=list)
    # More municipalities have results than the facet lists (MUNICIPALITY_FACET_SIZE).
    municipalities_cut: bool = False


# The first instant of every year a resident may choose, and of the one after the last: a
# start in year Y falls in bucket Y - YEAR_MIN + 1 (0 before, one past the end after).
_YEAR_STARTS = [_day_start(date(year, 1, 1)) for year in range(YEAR_MIN, YEAR_MAX + 2)]


def _facets_and_page(
    matching: QuerySet[PublicConsultationSearch], page: int
) -> tuple[dict[str, dict[str, int]], list[int], int]:
    """Counts of every facet's values over the matching rows and the ids of one page of
    them, in one query: the matching rows are read from the table once (a materialised CTE),
    then read four times: grouped by status, area type, legal basis and forms together (a
    few hundred combinations at most, summed here into each facet's counts and the total);
    municipality and year grouped; categories unnested and grouped; and a top-N sort for
    the page (a page past the end gives the last one). Fewer passes over the matches was
    the largest part of a broad search's time, and one grouping in place of a FILTER
    aggregate a value (twenty conditions a row, an array built for each form) halved the
    statement's (bench/portal.py). Returns (counts, page ids in order, the page number
    given); counts["total"][""] is the number of matches."""
    columns = ("municipality_id", "status", "municipality_kind", "legal_basis", "categories")
    sub_sql, params = (
        matching.order_by()
        .values("entry_id", *columns, "forms", "starts_at")
        .query.sql_with_params()
    )
    page = max(1, min(page, 10**9))
    sql = (
        # Columns named outright: what the subquery calls them is Django's business.
        "WITH m (id, municipality_id, status, municipality_kind, legal_basis, categories, "
        f"forms, starts_at) AS MATERIALIZED ({sub_sql}), "
        "combos AS (SELECT status, municipality_kind, legal_basis, forms, count(*) AS n "
        "FROM m GROUP BY 1, 2, 3, 4) "
        "SELECT 'combo', status::text, municipality_kind::text, legal_basis::text, "
        "forms::text[], n FROM combos "
        "UNION ALL SELECT 'municipality', municipality_id::text, NULL, NULL, NULL, count(*) "
        "FROM m GROUP BY municipality_id "
        # unnest() in the select list: half the time of a lateral join to it (bench/portal.py)
        "UNION ALL SELECT 'category', c, NULL, NULL, NULL, count(*) "
        "FROM (SELECT unnest(categories) AS c FROM m) AS x GROUP BY c "
        # Years by the first instant of each in the platform's time zone (a binary search a
        # row: a time zone conversion a row took longer than all the other counts together).
        "UNION ALL SELECT 'year', (%s + y)::text, NULL, NULL, NULL, n FROM (SELECT "
        "width_bucket(starts_at, %s::timestamptz[]) AS y, count(*) AS n FROM m "
        "WHERE starts_at IS NOT NULL GROUP BY 1) AS years "
        # The page: the one asked for, or the last one when it lies past the end; a top-N
        # sort (LIMIT), never a sort of every match, by the row's id as a number (m.id, not
        # the text column of the same name). Its order is restored in Python.
        "UNION ALL (SELECT 'page', m.id::text, NULL, NULL, NULL, 0 FROM m ORDER BY CASE m.status "
        "WHEN 'open' THEN 0 WHEN 'scheduled' THEN 1 ELSE 2 END, m.starts_at DESC NULLS LAST, "
        "m.id DESC LIMIT %s OFFSET (SELECT LEAST(%s, GREATEST(coalesce(sum(n), 0) - 1, 0) / %s) "
        "* %s FROM combos))"
    )
    counts: dict[str, dict[str, int]] = {}
    ids: list[int] = []
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", [SEARCH_WORK_MEM])
        cursor.execute(
            sql,
            [
                *params,
                YEAR_MIN - 1,
                _YEAR_STARTS,
                PAGE_SIZE,
                page - 1,
                PAGE_SIZE,
                PAGE_SIZE,
            ],
        )
        for facet, value, kind, basis, forms, count in cursor.fetchall():
            if facet == "page":
                ids.append(int(value))
            elif facet == "combo":
                total += count
                for name, each in (("status", value), ("kind", kind), ("legal_basis", basis)):
                    found = counts.setdefault(name, {})
                    found[each] = found.get(each, 0) + count
                found = counts.setdefault("form", {})
                for form in forms:
                    found[form] = found.get(form, 0) + count
            else:
                counts.setdefault(facet, {})[value] = count
    counts["total"] = {"": total}
    return counts, ids, page


_STATUS_RANK: dict[str, int] = {IndexStatus.OPEN: 0, IndexStatus.SCHEDULED: 1}


def _list_order(entry: PublicConsultation) -> tuple[int, int, float, int]:
    """Open first, then scheduled, then the rest; the latest start first (none last): the
    ORDER BY of the page in _facets_and_page."""
    start = entry.starts_at.timestamp() if entry.starts_at else 0.0
    return (_STATUS_RANK.get(entry.status, 2), entry.starts_at is None, -start, -entry.pk)


def portal_search(
    criteria: PortalCriteria,
    *,
    portal: Portal | None,
    members: list[Member] | None = None,
) -> PortalSearch:
    """A page of results with the counts of each facet's values on the whole result: a
    constant number of queries (members, the typed words, facet counts, the page), whatever
    the input."""
    if members is None:
        members = portal_member_names(portal)

    word_matches = words_containing(criteria.words)
    if all(word_matches):
        matching = entries_filter(
            criteria,
            portal=portal,
            word_matches=word_matches,
            member_ids=[m.pk for m in members],
        )
        counts, ids, asked = _facets_and_page(matching, criteria.page)
    else:
        # A typed word no row holds: nothing can match, and no need to ask.
        counts, ids, asked = {}, [], max(1, criteria.page)
    total = counts.get("total", {}).get("", 0)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(asked, pages)
    by_id = {
        entry.pk: entry
        for entry in PublicConsultation.objects.filter(pk__in=ids)
        .select_related("municipality")
        .defer("search_text")
    }
    entries = sorted(by_id.values(), key=_list_order)

    def facet(
        name: str, choices: Iterable[tuple[str, Any]], chosen: Iterable[Any], keep_zero: bool
    ) -> list[FacetValue]:
        chosen_set = {str(v) for v in chosen}
        found = counts.get(name, {})
        values = [
            FacetValue(str(value), str(label), found.get(str(value), 0), str(value) in chosen_set)
            for value, label in choices
        ]
        return [v for v in values if keep_zero or v.count or v.selected]

    municipality_counts = counts.get("municipality", {})
    municipality_choices = [(str(m.pk), m.name) for m in members]
    municipalities_cut = False
    if len(members) > MUNICIPALITY_FACET_ALL:
        ranked = sorted(municipality_counts.items(), key=lambda kv: (-kv[1], int(kv[0])))
        shown = {pk for pk, _n in ranked[:MUNICIPALITY_FACET_SIZE]}
        shown |= {str(pk) for pk in criteria.municipality_ids}
        municipalities_cut = len(ranked) > MUNICIPALITY_FACET_SIZE
        municipality_choices = [(pk, name) for pk, name in municipality_choices if pk in shown]
    category_counts = counts.get("category", {})
    top = sorted(category_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CATEGORY_FACET_SIZE]
    category_values = sorted(
        {name for name, _count in top} | set(criteria.categories), key=str.lower
    )
    # Starts before YEAR_MIN or after YEAR_MAX come as one year either side: not offered.
    in_range = {y for y in counts.get("year", {}) if YEAR_MIN <= int(y) <= YEAR_MAX}
    year_values = sorted({*in_range, *(str(y) for y in criteria.years)}, reverse=True)
    facets = {
        "status": facet("status", IndexStatus.choices, criteria.statuses, True),
        "municipality": facet(
            "municipality",
            municipality_choices,
            criteria.municipality_ids,
            len(members) <= MUNICIPALITY_FACET_ALL,
        ),
        "kind": facet("kind", MunicipalityKind.choices, criteria.kinds, False),
        "category": facet("category", [(c, c) for c in category_values], criteria.categories, True),
        "legal_basis": facet("legal_basis", LegalBasis.choices, criteria.legal_bases, False),
        "form": facet(
            "form",
            [(k.name, k.label) for k in participation.kinds()],
            criteria.forms,
            False,
        ),
        "year": facet("year", [(y, y) for y in year_values], criteria.years, True),
    }

    return PortalSearch(
        criteria=criteria,
        entries=entries,
        facets=facets,
        total=total,
        page=page,
        pages=pages,
        members=members,
        municipalities_cut=municipalities_cut,
    )


# --- Home, feeds, news ------------------------------------------------------------------------


def portal_home(portal: Portal | None, *, limit: int = 8) -> dict[str, Any]:
    """Open and upcoming consultations across the members, featured ones first."""
    entries = portal_entries(portal).select_related("municipality").defer("search_text")
    featured: list[PublicConsultation] = []
    if portal is not None:
        pairs = list(
            PortalFeature.objects.filter(portal=portal).values_list(
                "municipality_id", "consultation_id"
            )[:limit]
        )
        if pairs:
            match = Q()
            for municipality_id, consultation_id in pairs:
                match |= Q(municipality_id=municipality_id, consultation_id=consultation_id)
            featured = list(entries.filter(match))
    return {
        "featured": featured,
        "open": list(entries.filter(status=IndexStatus.OPEN).order_by("ends_at", "pk")[:limit]),
        "upcoming": list(
            entries.filter(status=IndexStatus.SCHEDULED).order_by("starts_at", "pk")[:limit]
        ),
        "news": list(PortalNews.objects.filter(portal=portal)[:3]) if portal else [],
    }


FEED_SIZE = 50


def portal_feed_entries(portal: Portal | None) -> list[PublicConsultation]:
    """The newest public consultations of the portal, for RSS, Atom and the calendar."""
    return list(
        portal_entries(portal)
        .select_related("municipality")
        .defer("search_text")
        .order_by(F("published_at").desc(nulls_last=True), "-pk")[:FEED_SIZE]
    )


def form_label(name: str) -> str:
    kind = participation.kind_get(name)
    return str(kind.label) if kind else name


LABELS = {
    "status": _("Status"),
    "municipality": _("Municipality"),
    "kind": _("Type of area"),
    "category": _("Category"),
    "legal_basis": _("Legal basis"),
    "form": _("Form of participation"),
    "year": _("Year of start"),
}


# --- Newsletter ---------------------------------------------------------------------------------

CONFIRMATION_VALID_DAYS = 7
UNSUBSCRIBE_PURPOSE = "portal.digest.unsubscribe"
DIGEST_ITEMS = 30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(subscriber: DigestSubscriber) -> str:
    return row_token(UNSUBSCRIBE_PURPOSE, subscriber.pk, subscriber.unsubscribe_key)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    return row_token_read(UNSUBSCRIBE_PURPOSE, token)


def subscriber_for_confirmation(*, token: str) -> DigestSubscriber | None:
    if not token:
        return None
    return DigestSubscriber.objects.filter(
        confirmation_hash=token_hash(token),
        confirmation_sent_at__gte=timezone.now() - timedelta(days=CONFIRMATION_VALID_DAYS),
    ).first()


def subscriber_for_unsubscribe(*, token: str) -> DigestSubscriber | None:
    parsed = unsubscribe_token_read(token)
    if parsed is None:
        return None
    return DigestSubscriber.objects.filter(pk=parsed[0], unsubscribe_key=parsed[1]).first()


def digest_period_start(frequency: str, now: datetime) -> date:
    """The first day of the period ``now`` falls in, in the platform's time zone: the day
    itself (daily) or the Monday of its ISO week (weekly)."""
    today = timezone.localdate(now)
    if frequency == DigestFrequency.DAILY:
        return today
    return today - timedelta(days=today.weekday())


def digest_entries(
    subscriber: DigestSubscriber, *, now: datetime
) -> tuple[list[PublicConsultation], list[PublicConsultation]]:
    """(new, closing soon) for one subscriber: announced or opened within the last period,
    and open ones ending within the next, among their chosen municipalities and categories
    (all of the portal's when none are chosen)."""
    length = timedelta(days=1 if subscriber.frequency == DigestFrequency.DAILY else 7)
    qs = portal_entries(subscriber.portal).select_related("municipality").defer("search_text")
    if subscriber.municipality_ids:
        qs = qs.filter(municipality_id__in=subscriber.municipality_ids)
    if subscriber.categories:
        qs = qs.filter(categories__overlap=subscriber.categories)
    new = list(
        qs.filter(
            published_at__gte=now - length,
            status__in=[IndexStatus.SCHEDULED, IndexStatus.OPEN],
        ).order_by("starts_at", "pk")[:DIGEST_ITEMS]
    )
    closing = list(
        qs.filter(status=IndexStatus.OPEN, ends_at__gte=now, ends_at__lt=now + length).order_by(
            "ends_at", "pk"
        )[:DIGEST_ITEMS]
    )
    return new, closing


# --- Permissions --------------------------------------------------------------------------------


def can_edit_portal(user: Any, portal: Portal) -> bool:
    """Portal staff of this portal, or the provider's staff; signed in on a public host."""
    if not (user.is_authenticated and user.is_active):
        return False
    if connection.schema_name != "public":
        return False
    return bool(user.is_staff) or portal.staff.filter(pk=user.pk).exists()


def portal_categories(portal: Portal | None, *, limit: int = 60) -> list[str]:
    """The category names the portal's consultations use, most used first (one query)."""
    rows = portal_entries(portal).values_list("categories", flat=True)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c FROM ({sql}) AS e(categories), unnest(e.categories) c "
            "GROUP BY c ORDER BY count(*) DESC, c LIMIT %s",
            [*params, limit],
        )
        return sorted((row[0] for row in cursor.fetchall()), key=str.lower)


def members_with_counts(portal: Portal | None) -> list[dict[str, Any]]:
    """Each member with its count of open and upcoming consultations, for the list of
    municipalities (two queries)."""
    members = portal_members(portal)
    counts: dict[int, dict[str, int]] = {}
    rows = (
        portal_entries(portal)
        .filter(status__in=[IndexStatus.OPEN, IndexStatus.SCHEDULED])
        .values_list("municipality_id", "status")
    )

    for municipality_id, status, n in rows.annotate(n=Count("pk")).order_by():
        counts.setdefault(municipality_id, {})[status] = n
    return [
        {
            "municipality": m,
            "open": counts.get(m.pk, {}).get(IndexStatus.OPEN, 0),
            "upcoming": counts.get(m.pk, {}).get(IndexStatus.SCHEDULED, 0),
        }
        for m in members
    ]


# --- The provider's pages -------------------------------------------------------------------


def portals_for_provider() -> list[dict[str, Any]]:
    """Every portal with its members and address, for the provider's list (name order)."""
    portals = Portal.objects.prefetch_related("members").order_by(polish_order("name"))
    return [{"portal": portal, "url": portal_url(portal) + "/"} for portal in portals]


def portal_form_initial(portal_id: int) -> tuple[Portal, dict[str, Any]] | None:
    """A portal and what its edit form starts from; None for an unknown id."""
    portal = Portal.objects.filter(pk=portal_id).first()
    if portal is None:
        return None
    return portal, {
        "name": portal.name,
        "subdomain": portal.subdomain,
        "custom_domain": portal.custom_domain or "",
        "primary_colour": portal.primary_colour,
        "description": portal.description,
        "members": list(portal.members.all()),
        "staff_emails": "\n".join(portal.staff.values_list("email", flat=True)),
    }
