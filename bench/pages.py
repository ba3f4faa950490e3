"""Residents' pages benchmark: server time and SQL queries of the home page, the consultation
list (with filters, and with a text query) and a consultation page, in one municipality among
200, at 10 and at 1,000 consultations. Prints one JSON object.

    make bench-pages > bench-pages.json

Run through ``platform_site.devservices --profile bench``, which sets ``DATABASE_URL`` (database
``konsulta_bench``) and ``REDIS_URL``. This script uses its own database, the same name with
``_pages`` added: it is dropped and created again first, and the script refuses a name without
"bench". Requests go through ``django.test.Client`` in this process: the real middleware
(tenant by host), URLconf, views and templates, with no network or WSGI server in between.

The query count of each page is taken at 10 and at 1,000 consultations in the municipality: a
count that grows with the rows is an N+1, and the queries that repeat are reported.
Progress goes to stderr; only the JSON goes to stdout.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The provisioning benchmark's helpers: stdout/stderr handling, the database reset with its
# "bench" guard, valid municipalities, the machine description.
from provision import (  # noqa: E402 - bench/ is the script's folder, first on sys.path
    STARTED,
    database_reset,
    log,
    machine_info,
    municipality_new,
    r3,
    stdout_to_stderr,
)

TENANTS = int(os.environ.get("BENCH_TENANTS", "200"))
LEVELS = (10, int(os.environ.get("BENCH_CONSULTATIONS", "1000")))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))  # timed, per page and level
WARMUP = 5
P95_GOAL_MS = 30  # issue 14: home, filtered list and text search, 1,000 consultations

AREAS = [
    "Śródmieście",
    "Stare Miasto",
    "Osiedle Słoneczne",
    "Zatorze",
    "Nowe Miasto",
    "Osiedle Piastów",
    "Winnica",
    "Jędrzychów",
    "Chynów",
    "Łężyca",
]
CATEGORIES = [
    "Transport i drogi",
    "Zieleń i środowisko",
    "Edukacja",
    "Kultura",
    "Planowanie przestrzenne",
    "Sport i rekreacja",
    "Budżet i finanse",
    "Organizacje pozarządowe",
]
DEPARTMENTS = [
    "Wydział Architektury i Urbanistyki",
    "Wydział Infrastruktury Drogowej",
    "Wydział Ochrony Środowiska",
    "Wydział Edukacji",
    "Biuro Rewitalizacji",
    "Biuro Organizacji Pozarządowych",
]
TOPICS = [
    ("Rewitalizacja rynku i ulic przyległych", "revitalisation"),
    ("Projekt planu ogólnego gminy", "spatial_planning"),
    ("Ścieżka rowerowa wzdłuż rzeki", "art5a"),
    ("Program współpracy z organizacjami pozarządowymi", "ngo_programme"),
    ("Zmiana organizacji ruchu w centrum", "art5a"),
    ("Park kieszonkowy przy szkole podstawowej", "art5a"),
    ("Regulamin utrzymania czystości i porządku", "art5a"),
    ("Strategia rozwoju gminy do 2035 roku", "other"),
    ("Gminny program rewitalizacji", "revitalisation"),
    ("Nazwa nowego ronda", "art5a"),
]
SUMMARIES = [
    "Miasto pyta mieszkańców o zdanie w sprawie projektu. Uwagi można zgłaszać przez "
    "formularz, na spotkaniu lub mailowo.",
    "Chcemy poznać Państwa potrzeby: które miejsca wymagają zmian, czego brakuje w okolicy "
    "i jak ma wyglądać przestrzeń publiczna.",
    "Projekt uchwały jest dostępny do pobrania. Zapraszamy do komentowania paragraf po "
    "paragrafie oraz do udziału w spotkaniu konsultacyjnym.",
]
# The first consultations, in order: every home section and list filter has rows at 10.
FIRST_STATUSES = [
    "open",
    "scheduled",
    "closed",
    "report_published",
    "open",
    "closed",
    "scheduled",
    "open",
    "report_published",
    "closed",
]
STATUS_WEIGHTS = {"open": 2, "scheduled": 1, "closed": 4, "report_published": 3}
# Forms of participation of every seeded consultation (rows of kind names; the page shows the
# registered ones).
BENCH_FORMS = ["remarks", "survey", "meeting"]


def pages_database_url(url: str) -> str:
    """The bench URL with ``_pages`` added to the database name (provision.py's database is
    left alone), or the name in ``BENCH_PAGES_DATABASE`` (two people benching side by side on
    one server)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "konsulta_bench"
    name = os.environ.get("BENCH_PAGES_DATABASE", "").strip() or f"{name}_pages"
    return urlunsplit(parts._replace(path=f"/{name}"))


def tenants_provision(count: int) -> list[Any]:
    """``count`` active municipalities, the project's way (template clone)."""
    from tenants.models import MunicipalityStatus
    from tenants.services import municipality_provision

    made = []
    for i in range(count):
        municipality = municipality_provision(municipality_id=municipality_new("pg").pk)
        if municipality.status != MunicipalityStatus.ACTIVE:
            raise RuntimeError(f"{municipality.schema_name}: {municipality.provisioning_error}")
        made.append(municipality)
        if (i + 1) % 25 == 0:
            log(f"  {i + 1} municipalities")
    return made


def catalogue_seed() -> dict[str, list[Any]]:
    from consultations.models import Area, Category, Department

    return {
        "departments": Department.objects.bulk_create(Department(name=n) for n in DEPARTMENTS),
        "areas": Area.objects.bulk_create(Area(name=n) for n in AREAS),
        "categories": Category.objects.bulk_create(Category(name=n) for n in CATEGORIES),
    }


def _picks(i: int, size: int, k: int, step: int, shift: int) -> list[int]:
    seen: list[int] = []
    for j in range(k):
        index = (i + j * step + shift * j * j) % size
        if index not in seen:
            seen.append(index)
    return seen


def consultation_row(i: int, status: str, department: Any, rng: random.Random) -> Any:
    """A consultation in a public status with the dates that status implies (as
    tests/consultations/factories.consultation_in_state sets them)."""
    from django.utils import timezone
    from django.utils.text import slugify

    from consultations.models import Consultation

    now = timezone.now()
    topic, basis = TOPICS[i % len(TOPICS)]
    area = AREAS[i % len(AREAS)]
    title = f"{topic} – {area} ({i + 1})"
    fields: dict[str, Any] = {
        "title": title,
        "slug": f"{slugify(topic)[:60]}-{i + 1}",
        "summary": SUMMARIES[i % len(SUMMARIES)],
        "description": (
            f"Konsultacje dotyczą obszaru: {area}.\n\nProjekt przygotował {department.name}. "
            "Prosimy o opinie, uwagi i propozycje zmian."
        ),
        "legal_basis": basis,
        "department": department,
        "target_groups": "mieszkańcy, przedsiębiorcy, organizacje pozarządowe",
        "contact_name": "Anna Kowalska",
        "contact_email": "konsultacje@urzad.test",
        "contact_phone": "95 760 00 00",
        "status": status,
        "payment_cleared_at": now - timedelta(days=90),
        "ordered_at": now - timedelta(days=95),
    }
    days = rng.randint(1, 40)
    if status == "scheduled":
        fields.update(
            starts_at=now + timedelta(days=days),
            ends_at=now + timedelta(days=days + 21),
            scheduled_at=now - timedelta(days=1),
        )
    elif status == "open":
        fields.update(
            starts_at=now - timedelta(days=days),
            ends_at=now + timedelta(days=rng.randint(1, 30)),
            scheduled_at=now - timedelta(days=days + 7),
            opened_at=now - timedelta(days=days),
        )
    else:
        # Within the home page's 60 recent days for the first ten, then up to a year back.
        ended = rng.randint(1, 50) if i < len(FIRST_STATUSES) else rng.randint(1, 400)
        fields.update(
            starts_at=now - timedelta(days=ended + 30),
            ends_at=now - timedelta(days=ended),
            scheduled_at=now - timedelta(days=ended + 37),
            opened_at=now - timedelta(days=ended + 30),
            closed_at=now - timedelta(days=ended),
        )
        if status == "report_published":
            fields.update(
                report_text="Wpłynęło 124 uwag. Raport z konsultacji omawia każdą z nich.",
                report_published_at=now - timedelta(days=max(ended - 14, 0)),
            )
    return Consultation(**fields)


def consultations_seed(start: int, stop: int, catalogue: dict[str, list[Any]]) -> None:
    """Consultations number ``start`` to ``stop - 1``, with 1–3 areas and categories each,
    by bulk inserts (the M2M rows through the through-models)."""
    from consultations.models import Consultation, ParticipationForm

    rng = random.Random(start)
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    rows = []
    for i in range(start, stop):
        first = i < len(FIRST_STATUSES)
        status = FIRST_STATUSES[i] if first else rng.choices(statuses, weights)[0]
        department = catalogue["departments"][i % len(DEPARTMENTS)]
        rows.append(consultation_row(i, status, department, rng))
    created = Consultation.objects.bulk_create(rows, batch_size=500)
    area_links, category_links = [], []
    areas, categories = catalogue["areas"], catalogue["categories"]
    for i, consultation in zip(range(start, stop), created, strict=True):
        for a in _picks(i, len(areas), 1 + i % 3, 3, 1):
            area_links.append(
                Consultation.areas.through(consultation_id=consultation.pk, area_id=areas[a].pk)
            )
        for c in _picks(i, len(categories), 1 + (i // 3) % 3, 5, 1):
            category_links.append(
                Consultation.categories.through(
                    consultation_id=consultation.pk, category_id=categories[c].pk
                )
            )
    Consultation.areas.through.objects.bulk_create(area_links, batch_size=1000)
    ParticipationForm.objects.bulk_create(
        (
            ParticipationForm(consultation=consultation, kind=kind, position=position)
            for consultation in created
            for position, kind in enumerate(BENCH_FORMS)
        ),
        batch_size=1000,
    )
    Consultation.categories.through.objects.bulk_create(category_links, batch_size=1000)


def extras_seed(catalogue: dict[str, list[Any]]) -> None:
    """Documents on the measured consultation page and news for the home page."""
    from django.utils import timezone

    from consultations.models import Consultation, Document, News

    first = Consultation.objects.get(title__endswith="(1)")
    Document.objects.bulk_create(
        Document(
            consultation=first,
            title=title,
            file=f"consultations/{first.pk}/{name}",
            kind=kind,
            size=size,
            original_name=name,
        )
        for title, name, kind, size in [
            ("Projekt uchwały", "projekt-uchwaly.pdf", "pdf", 482_113),
            ("Mapa obszaru", "mapa.pdf", "pdf", 2_310_554),
            ("Formularz uwag", "formularz-uwag.docx", "docx", 31_220),
        ]
    )
    now = timezone.now()
    News.objects.bulk_create(
        News(
            title=f"Spotkanie konsultacyjne nr {n}",
            body="Zapraszamy mieszkańców na spotkanie w sali sesyjnej urzędu.",
            area=catalogue["areas"][n % len(AREAS)] if n % 2 else None,
            published_at=now - timedelta(days=n),
        )
        for n in range(1, 6)
    )


def pages_make(catalogue: dict[str, list[Any]]) -> dict[str, str]:
    """The measured URLs. The filters use the first consultation's area and category, so that
    every list has rows at 10 consultations too (an empty list skips its prefetches)."""
    from consultations.models import Consultation

    first = Consultation.objects.prefetch_related("areas", "categories").get(title__endswith="(1)")
    area = first.areas.all()[0]
    category = first.categories.all()[0]
    word = first.title.split()[0].lower()  # "rewitalizacja"
    return {
        "home": "/",
        "list_filters": "/konsultacje/?"
        + urlencode({"status": "open", "area": area.pk, "category": category.pk}),
        "list_text": "/konsultacje/?" + urlencode({"q": word, "status": "open", "area": area.pk}),
        "detail": f"/konsultacje/{first.slug}/",
    }


def _fetch(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    assert len(response.content) > 500, f"{url}: {len(response.content)} bytes"
    return response


def _normalise(sql: str) -> str:
    """The SQL with its literal values blanked, to find the same query run again."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"\((?:\?, )+\?\)", "(?...)", sql)


def queries_capture(client: Any, url: str) -> tuple[int, list[str], int]:
    """The number of SQL queries of one request, their SQL and the cards on the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = _fetch(client, url)
    html = response.content.decode()
    if "/konsultacje/" in url and "?" not in url:  # the consultation page: is it the one?
        assert "(1)</h1>" in html and "Projekt uchwały" in html, f"{url}: not the consultation"
    cards = html.count('class="consultation-card"')
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], cards


def timings(client: Any, url: str) -> dict[str, Any]:
    for _ in range(WARMUP):
        _fetch(client, url)
    samples = []
    cpu = []  # this process's CPU only: less swayed by other load on a shared machine
    for _ in range(REQUESTS):
        started, cpu_started = time.perf_counter(), time.process_time()
        _fetch(client, url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    samples.sort()
    cpu.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(samples[0], 2),
        "max_ms": round(samples[-1], 2),
        "requests": len(samples),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))], 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def level_measure(client: Any, pages: dict[str, str], timed: bool) -> dict[str, Any]:
    """Each page rendered (the page cache off, as a signed-in visitor always gets it; the
    consultation cards kept, as after their first visitor), with every card rendered too, and,
    when timed, served to anonymous visitors with the page cache on
    (consultations/page_cache.py): its queries and times on a hit."""
    from django.conf import settings

    cache_seconds = settings.PAGE_CACHE_SECONDS or 60
    out = {}
    for name, url in pages.items():
        settings.PAGE_CACHE_SECONDS = 0
        for _ in range(2):  # caches (site settings, tenant) and lazy imports first
            _fetch(client, url)
        count, sqls, cards = queries_capture(client, url)
        search_path = sum(1 for sql in sqls if sql.startswith("SET search_path"))
        out[name] = {"queries": count, "search_path": search_path, "sql": sqls, "cards": cards}
        if timed:
            out[name].update(timings(client, url))
            # Every card rendered too (a card's first visitor after a change).
            card_seconds = settings.CARD_CACHE_SECONDS
            settings.CARD_CACHE_SECONDS = 0
            cold_count, _sqls, _cards = queries_capture(client, url)
            out[name]["cards_not_kept"] = {**timings(client, url), "queries": cold_count}
            settings.CARD_CACHE_SECONDS = card_seconds
            settings.PAGE_CACHE_SECONDS = cache_seconds
            _fetch(client, url)  # stored
            hit_count, hit_sqls, _cards = queries_capture(client, url)
            hit = timings(client, url)
            hit.update(
                queries=hit_count,
                selects=sum(1 for sql in hit_sqls if not sql.startswith("SET ")),
                served_from_cache=client.get(url).get("X-Page-Cache") == "hit",
            )
            out[name]["cached"] = hit
        settings.PAGE_CACHE_SECONDS = cache_seconds
        log(
            f"  {name}: {count} queries, {cards} cards {out[name].get('median_ms', '')}"
            f" cached {out[name].get('cached', {}).get('median_ms', '')}"
        )
    return out


def growth(small: list[str], large: list[str]) -> list[dict[str, Any]]:
    """Queries run more times with more rows: the N+1 suspects."""
    a, b = Counter(map(_normalise, small)), Counter(map(_normalise, large))
    return [
        {"sql": sql[:600], "times_at_small": a.get(sql, 0), "times_at_large": n}
        for sql, n in b.most_common()
        if n > a.get(sql, 0)
    ]


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-pages`")
    url = pages_database_url(url)
    os.environ["DATABASE_URL"] = url
    name = database_reset(url)
    log(f"database {name} dropped and created again")

    os.environ["DJANGO_SETTINGS_MODULE"] = "platform_site.settings"
    import django

    django.setup()

    from django.conf import settings
    from django.core import mail
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from consultations.models import Consultation
    from consultations.selectors import SITE_SETTINGS_CACHE_KEY
    from platform_site.celery import app

    # As in provision.py: tasks run eagerly in this process, mail stays in memory, and no
    # spare schemas are cloned ahead.
    app.conf.task_always_eager = True
    # Services queue tasks by name (common/queue.py); registering every app's tasks here
    # makes those run eagerly too, instead of going to a broker no worker listens to.
    app.loader.import_default_modules()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    settings.TENANT_SPARE_SCHEMAS = 0
    settings.DEBUG = False

    log("schemas_migrate (public schema + template schema)")
    call_command("schemas_migrate", verbosity=1, stdout=sys.stderr, stderr=sys.stderr)

    log(f"provisioning {TENANTS} municipalities by template clone")
    started = time.perf_counter()
    municipalities = tenants_provision(TENANTS)
    provision_seconds = time.perf_counter() - started
    measured = municipalities[0]
    host = measured.get_primary_domain().domain
    client = Client(HTTP_HOST=host)

    small, large = LEVELS
    with schema_context(measured.schema_name):
        cache.delete(SITE_SETTINGS_CACHE_KEY)  # a previous run's entry for the same schema
        catalogue = catalogue_seed()
        consultations_seed(0, small, catalogue)
        extras_seed(catalogue)
        pages = pages_make(catalogue)
    connection.set_schema_to_public()

    log(f"{measured.schema_name} ({host}) at {small} consultations")
    at_small = level_measure(client, pages, timed=False)

    started = time.perf_counter()
    with schema_context(measured.schema_name):
        consultations_seed(small, large, catalogue)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        total = Consultation.objects.count()
    connection.set_schema_to_public()
    seed_seconds = time.perf_counter() - started
    log(f"{measured.schema_name} at {total} consultations (seeded in {seed_seconds:.1f} s)")
    at_large = level_measure(client, pages, timed=True)

    results: dict[str, Any] = {}
    findings = []
    for page, url_path in pages.items():
        s, b = at_small[page], at_large[page]
        status = "ok" if b["queries"] <= s["queries"] else "queries grow with rows (N+1)"
        results[page] = {
            "url": url_path,
            "median_ms": b["median_ms"],
            "p95_ms": b["p95_ms"],
            "min_ms": b["min_ms"],
            "max_ms": b["max_ms"],
            "requests": b["requests"],
            "cpu_median_ms": b["cpu_median_ms"],
            "cpu_p95_ms": b["cpu_p95_ms"],
            "load_average_1min": b["load_average_1min"],
            f"queries_at_{small}": s["queries"],
            f"queries_at_{large}": b["queries"],
            f"of_which_set_search_path_at_{small}": s["search_path"],
            f"of_which_set_search_path_at_{large}": b["search_path"],
            f"cards_at_{small}": s["cards"],
            f"cards_at_{large}": b["cards"],
            "status": status,
            # The same, every card rendered (none kept: consultations.page_cache, cards).
            "cards_not_kept": b["cards_not_kept"],
            # Anonymous visitors with the page cache on: the same URL again, a hit.
            "cached_anonymous": b["cached"],
            "p95_goal_ms": P95_GOAL_MS,
            "p95_goal_met_rendered": b["p95_ms"] < P95_GOAL_MS,
            "p95_goal_met_cached": b["cached"]["p95_ms"] < P95_GOAL_MS,
        }
        if b["queries"] > s["queries"]:
            findings.append({"page": page, "repeating": growth(s["sql"], b["sql"])[:5]})

    with schema_context(measured.schema_name):
        counts = {
            "consultations": Consultation.objects.count(),
            "by_status": dict(Counter(Consultation.objects.values_list("status", flat=True))),
            "area_links": Consultation.areas.through.objects.count(),
            "category_links": Consultation.categories.through.objects.count(),
        }
    connection.set_schema_to_public()
    from tenants.models import Municipality

    result = {
        "benchmark": "pages",
        "machine": machine_info(),
        "tenants": Municipality.objects.exclude(schema_name="public").count(),
        "measured_tenant": {"schema": measured.schema_name, "host": host, **counts},
        "consultations": counts["consultations"],
        "levels": list(LEVELS),
        "warmup_requests": WARMUP,
        "server": "django.test.Client in-process (middleware, URLconf, views, templates)",
        "debug": settings.DEBUG,
        # django-tenants sends SET search_path before each query unless this is True.
        "tenant_limit_set_calls": getattr(settings, "TENANT_LIMIT_SET_CALLS", False),
        "pages": results,
        "n_plus_one_findings": findings,
        "provision_seconds": r3(provision_seconds),
        "seed_seconds": r3(seed_seconds),
        "total_seconds": r3(time.perf_counter() - STARTED),
    }
    json.dump(result, real_stdout, indent=2, ensure_ascii=False)
    real_stdout.write("\n")
    real_stdout.flush()
    log("done")
    return 0


if __name__ == "__main__":
    with stdout_to_stderr() as out:
        code = main(out)
    sys.exit(code)
