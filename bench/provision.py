"""Provisioning benchmark: a municipality by template clone vs. by full migration, and
`migrate_schemas` with nothing to apply over every municipality. Prints one JSON object.

    make bench > bench.json

Run through ``platform_site.devservices --profile bench``, which sets ``DATABASE_URL`` (database
``konsulta_bench``) and ``REDIS_URL``. The bench database is dropped and created again first:
the script refuses to touch a database whose name lacks "bench". Progress goes to stderr; only
the JSON goes to stdout.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Existing municipalities before the samples of a level are taken; BENCH_LEVELS="3,6" for a
# quick try.
LEVELS = tuple(int(n) for n in os.environ.get("BENCH_LEVELS", "10,200").split(","))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))  # of each method, at each level
MIGRATE_ALL_TIMEOUT = 300  # seconds; a hung executor is reported, not waited for
STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def kib(pid: int, field: str) -> int | None:
    """A kB field of /proc/<pid>/status (VmRSS, RssAnon, …), None when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def r3(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[Any]:
    """Whatever Django, a migration or a forked worker prints goes to stderr, at the file
    descriptor level; the JSON is written to the real stdout, which this yields."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real_stdout = os.fdopen(os.dup(saved), "w")
    try:
        yield real_stdout
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def database_reset(url: str) -> str:
    """Drop and create the bench database, connected to the server's `postgres` database."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    params = dj_database_url.parse(url)
    name = params["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    conn = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"],
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return name


def site_bench_setup(url: str) -> None:
    """What each single-site bench does first: its own database, dropped and created again;
    Django set up with Celery eager, mail kept in memory, no spare schemas, DEBUG off; the
    schemas migrated."""
    os.environ["DATABASE_URL"] = url
    log(f"database {database_reset(url)} dropped and created again")
    os.environ["DJANGO_SETTINGS_MODULE"] = "platform_site.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from platform_site.celery import app

    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TENANT_SPARE_SCHEMAS = 0
    settings.DEBUG = False
    log("schemas_migrate")
    call_command("schemas_migrate", verbosity=0, stdout=sys.stderr, stderr=sys.stderr)


_nip_counter = itertools.count(500_000_001)


def nip_make() -> str:
    """A fresh NIP with a valid check digit (weights 6,5,7,2,3,4,5,6,7; mod 11; not 10)."""
    from tenants.validators import NIP_WEIGHTS

    while True:
        body = str(next(_nip_counter))
        check = sum(int(d) * w for d, w in zip(body, NIP_WEIGHTS, strict=True)) % 11
        if check != 10:
            return body + str(check)


_tenant_counter = itertools.count(1)


def municipality_new(prefix: str) -> Any:
    """Register a municipality (status "provisioning", no schema yet) the project's way."""
    from tenants.services import municipality_create

    n = next(_tenant_counter)
    subdomain = f"{prefix}-{n:04d}"
    return municipality_create(
        name=f"Gmina Bench {n:04d}",
        kind="gmina",
        teryt="3207023",
        nip=nip_make(),
        contact_email=f"kontakt@{subdomain}.bench.test",
        subdomain=subdomain,
        admin_email=f"admin@{subdomain}.bench.test",
        acting_user=None,
        provision_async=False,
    )


def provision_by_clone() -> float:
    """The project's path: replay the template's cached DDL and rows (tenants/cloning.py),
    invite the admin, mark the municipality active."""
    from tenants.models import MunicipalityStatus
    from tenants.services import municipality_provision

    started = time.perf_counter()
    municipality = municipality_new("bc")
    municipality = municipality_provision(municipality_id=municipality.pk)
    seconds = time.perf_counter() - started
    if municipality.status != MunicipalityStatus.ACTIVE:
        raise RuntimeError(f"{municipality.schema_name}: {municipality.provisioning_error}")
    return seconds


MIGRATE_ONLY: list[float] = []


def provision_by_migration() -> float:
    """What django-tenants does without a template: CREATE SCHEMA and run every migration.

    Then the same service as the clone path: it finds the schema there, so it only invites
    the first admin and marks the municipality active, like the clone path does.
    """
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import MunicipalityStatus
    from tenants.services import municipality_provision

    started = time.perf_counter()
    municipality = municipality_new("bm")
    schema_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{municipality.schema_name}"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=municipality.schema_name,
        interactive=False,
        verbosity=0,
    )
    MIGRATE_ONLY.append(time.perf_counter() - schema_started)
    connection.set_schema_to_public()
    municipality = municipality_provision(municipality_id=municipality.pk)
    seconds = time.perf_counter() - started
    if municipality.status != MunicipalityStatus.ACTIVE:
        raise RuntimeError(f"{municipality.schema_name}: {municipality.provisioning_error}")
    return seconds


def clone_sql_probe() -> float:
    """Seconds of django-tenants' clone_schema() SQL function alone (no migrations faked, no
    invitation), rolled back: shows how much of the clone path is the copy itself."""
    from django.conf import settings
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    connection.set_schema_to_public()
    with transaction.atomic():
        started = time.perf_counter()
        CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, "bench_probe", "DATA")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def our_clone_probe() -> float:
    """Seconds of the project's schema_clone() alone (no municipality row, no invitation),
    rolled back: the schema-creation step to compare with migrating."""
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.cloning import schema_clone

    connection.set_schema_to_public()
    with transaction.atomic():
        started = time.perf_counter()
        schema_clone(source=settings.TENANT_BASE_SCHEMA, target="bench_probe")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def pool_take_probe() -> float:
    """Seconds to take a spare schema from the pool (rename), rolled back; the spare is
    cloned beforehand, untimed, as the beat does in production."""
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.cloning import spare_take, spares_replenish

    connection.set_schema_to_public()
    spares_replenish(source=settings.TENANT_BASE_SCHEMA, size=1)
    with transaction.atomic():
        started = time.perf_counter()
        taken = spare_take(source=settings.TENANT_BASE_SCHEMA, target="bench_probe")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    if not taken:
        raise RuntimeError("no spare schema was taken")
    return seconds


def tenant_count() -> int:
    from tenants.models import Municipality

    return Municipality.objects.exclude(schema_name="public").count()


def fill_to(target: int) -> tuple[int, float]:
    """Bring the number of municipalities up to ``target`` by the (fast) clone path."""
    started = time.perf_counter()
    created = 0
    while (count := tenant_count()) < target:
        provision_by_clone()
        created += 1
        if created % 25 == 0:
            log(f"  {count + 1} municipalities")
    return created, time.perf_counter() - started


def level_measure(target: int) -> dict[str, Any]:
    created, fill_seconds = fill_to(target)
    before = tenant_count()
    log(f"level {target}: {before} municipalities ({created} added by clone); sampling")
    clone: list[float] = []
    migrate: list[float] = []
    MIGRATE_ONLY.clear()
    for i in range(SAMPLES):
        # Interleaved, so that a drift (autovacuum, cache) weighs on both methods alike.
        clone.append(provision_by_clone())
        migrate.append(provision_by_migration())
        log(f"  sample {i + 1}/{SAMPLES}: clone {clone[-1]:.3f} s, migrate {migrate[-1]:.3f} s")
    probe = [clone_sql_probe() for _ in range(3)]
    ours = [our_clone_probe() for _ in range(SAMPLES)]
    pool = [pool_take_probe() for _ in range(SAMPLES)]
    from tenants.cloning import spares_discard_all

    spares_discard_all()  # the next level's clone samples must not find a spare
    clone_median = statistics.median(clone)
    migrate_median = statistics.median(migrate)
    return {
        "target_existing": target,
        "existing_before_samples": before,
        "existing_after_samples": tenant_count(),
        "filled_by_clone": created,
        "fill_seconds": r3(fill_seconds),
        "samples_each": SAMPLES,
        "clone_median_seconds": r3(clone_median),
        "migrate_median_seconds": r3(migrate_median),
        "speedup_clone_vs_migrate": round(migrate_median / clone_median, 2),
        "clone_samples_seconds": [r3(s) for s in clone],
        "migrate_samples_seconds": [r3(s) for s in migrate],
        "django_tenants_clone_schema_sql_only_median_seconds": r3(statistics.median(probe)),
        "schema_creation_only": {
            "clone_median_seconds": r3(statistics.median(ours)),
            "migrate_median_seconds": r3(statistics.median(MIGRATE_ONLY)),
            "speedup_clone_vs_migrate": round(
                statistics.median(MIGRATE_ONLY) / statistics.median(ours), 2
            ),
            "pool_take_median_seconds": r3(statistics.median(pool)),
            "speedup_pool_vs_migrate": round(
                statistics.median(MIGRATE_ONLY) / statistics.median(pool), 1
            ),
        },
    }


class Timeout(Exception):
    pass


def timed(fn: Callable[[], Any], timeout: int = MIGRATE_ALL_TIMEOUT) -> dict[str, Any]:
    """Seconds taken by ``fn``, or the error it raised (the benchmark goes on)."""
    from django.db import connection

    def alarm(_signum: int, _frame: object) -> None:
        raise Timeout(f"no result after {timeout} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout)
    started = time.perf_counter()
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - the error is the figure reported
        return {
            "seconds": None,
            "error": f"{type(exc).__name__}: {exc}"[:1000],
            "seconds_until_error": r3(time.perf_counter() - started),
        }
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        connection.close()  # a fresh connection after forked workers or a failure
        connection.set_schema_to_public()
    return {"seconds": r3(time.perf_counter() - started), "result": result}


def migrate_all_measure() -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command

    from tenants.migration import schemas_behind, schemas_migrate_all
    from tenants.models import Municipality

    schemas = list(
        Municipality.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    )
    log(f"migrate_schemas (nothing to apply) over {len(schemas)} schemas: standard executor")
    standard = timed(
        lambda: call_command(
            "migrate_schemas", tenant=True, interactive=False, verbosity=0, executor="standard"
        )
    )
    log(f"  {standard}")

    log("migrate_schemas: multiprocessing executor")
    multiprocessing = timed(
        lambda: call_command(
            "migrate_schemas",
            tenant=True,
            interactive=False,
            verbosity=0,
            executor="multiprocessing",
        )
    )
    multiprocessing.update(
        processes=settings.TENANT_MULTIPROCESSING_MAX_PROCESSES,
        chunks=getattr(settings, "TENANT_MULTIPROCESSING_CHUNKS", 2),
    )
    log(f"  {multiprocessing}")

    log("tenants.migration.schemas_behind (the skip check alone)")
    behind = timed(lambda: len(schemas_behind(schemas)))
    behind["schemas_behind"] = behind.pop("result", None)
    log(f"  {behind}")

    log("tenants.migration.schemas_migrate_all (public + template + skip current)")

    def fast_path() -> dict[str, Any]:
        report = schemas_migrate_all()
        return {
            "report_seconds": r3(report.seconds),
            "migrated": len(report.migrated),
            "skipped": len(report.skipped),
            "failed": report.failed,
        }

    fast = timed(fast_path)
    fast.update(fast.pop("result", None) or {})
    log(f"  {fast}")
    standard.pop("result", None)
    multiprocessing.pop("result", None)
    out: dict[str, Any] = {
        "tenants": len(schemas),
        "standard_executor": standard,
        "multiprocessing_executor": multiprocessing,
        "schemas_migrate_all": fast,
        "schemas_behind_check": behind,
    }
    if standard["seconds"] and multiprocessing.get("seconds"):
        out["speedup_multiprocessing_vs_standard"] = round(
            standard["seconds"] / multiprocessing["seconds"], 2
        )
    if standard["seconds"] and fast.get("seconds"):
        out["speedup_schemas_migrate_all_vs_standard"] = round(
            standard["seconds"] / fast["seconds"], 2
        )
    return out


def machine_info() -> dict[str, Any]:
    import django
    from django.conf import settings
    from django.db import connection

    def version(package: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as get

        try:
            return get(package)
        except PackageNotFoundError:
            return "?"

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        pg_settings = {}
        for name in ("fsync", "synchronous_commit", "shared_buffers", "max_connections"):
            cursor.execute(f"SHOW {name}")
            pg_settings[name] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s", [settings.TENANT_BASE_SCHEMA]
        )
        template_tables = cursor.fetchone()[0]
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "postgresql_settings": pg_settings,
        "postgresql_host": f"{settings.DATABASES['default']['HOST']}:"
        f"{settings.DATABASES['default']['PORT']}",
        "database": settings.DATABASES["default"]["NAME"],
        "django": django.get_version(),
        "django_tenants": version("django-tenants"),
        "template_schema_tables": template_tables,
    }


def result_print(result: dict[str, Any], real_stdout: Any) -> int:
    """The benchmark's one JSON object on the real stdout; 0, the exit code."""
    json.dump(result, real_stdout, indent=2)
    real_stdout.write("\n")
    real_stdout.flush()
    log("done")
    return 0


def bench_django_setup(settings_module: str = "platform_site.settings") -> None:
    """Django for a benchmark process that provisions: Celery tasks run eagerly here, mail
    stays in memory, and no spare schemas are cloned ahead (release.py, http.py)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail

    from platform_site.celery import app

    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    settings.TENANT_SPARE_SCHEMAS = 0


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench`")
    name = database_reset(url)
    log(f"database {name} dropped and created again")

    os.environ["DJANGO_SETTINGS_MODULE"] = "platform_site.settings"
    import django

    django.setup()

    from celery.signals import task_failure
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command

    from platform_site.celery import app
    from tenants.models import Municipality, MunicipalityStatus

    # Provisioning queues the invitation e-mail on commit through Celery and Redis. To keep the
    # bench self-contained, tasks run eagerly in this process and mail stays in memory.
    app.conf.task_always_eager = True
    # Services queue tasks by name (common/queue.py); registering every app's tasks here
    # makes those run eagerly too, instead of going to a broker no worker listens to.
    app.loader.import_default_modules()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = os.cpu_count() or 2
    # Full provisioning is timed on the on-demand clone path: an eager refill of the spare
    # pool would run inside the timed call. The pool is timed on its own (pool_take_probe).
    settings.TENANT_SPARE_SCHEMAS = 0
    task_errors: list[str] = []

    def on_task_failure(sender: Any = None, exception: Any = None, **_: Any) -> None:
        name = getattr(sender, "name", sender)
        task_errors.append(f"{name}: {type(exception).__name__}: {exception}")

    task_failure.connect(on_task_failure, weak=False)

    log("schemas_migrate (public schema + template schema)")
    started = time.perf_counter()
    call_command("schemas_migrate", verbosity=1, stdout=sys.stderr, stderr=sys.stderr)
    setup_seconds = time.perf_counter() - started

    levels = [level_measure(target) for target in LEVELS]
    migrate_all = migrate_all_measure()

    not_active = Municipality.objects.exclude(status=MunicipalityStatus.ACTIVE).count()
    result = {
        "benchmark": "provision",
        "machine": machine_info(),
        "schemas_migrate_setup_seconds": r3(setup_seconds),
        "provisioning": levels,
        "migrate_schemas_nothing_to_apply": migrate_all,
        "checks": {
            "municipalities": tenant_count(),
            "municipalities_not_active": not_active,
            "invitations_mailed": len(mail.outbox),
            "eager_task_failures": len(task_errors),
            "eager_task_first_errors": sorted(set(task_errors))[:3],
            "celery_task_always_eager": bool(app.conf.task_always_eager),
        },
        "total_seconds": r3(time.perf_counter() - STARTED),
    }
    return result_print(result, real_stdout)


if __name__ == "__main__":
    with stdout_to_stderr() as out:
        code = main(out)
    sys.exit(code)
