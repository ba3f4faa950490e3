"""Scale simulation: 1,000, 5,000 and 10,000 municipalities on one PostgreSQL (deploy/SCALE.md).
Prints one JSON object.

    make bench-scale > bench-scale.json     (niced: nice -n 19 ionice -c3)

Its own database, ``konsulta_scale10k`` on the server of ``DATABASE_URL`` (``BENCH_SCALE_DB``
names another; the name must contain "scale"), dropped and created again unless
``BENCH_SCALE_REUSE=1`` (then it goes on from the municipalities already there: the levels can
be run one after another). Municipalities are made the way provisioning makes them, without
what does not change the database's shape: each schema is a replay of the template's DDL and
rows by ``tenants.cloning.schema_clone`` (what ``municipality_provision`` runs), one
transaction each; the shared rows (municipality, primary domain, its "created" and
"provisioned" events) are inserted in bulk, 20 municipalities a statement. No first
administrator is invited. ``BENCH_SCALE_FILL_WORKERS`` (default 2) threads clone side by side,
each on its own connection; while the file var/bench/scale-pause exists the fill waits between
schemas (``touch`` it for a quiet window for another bench, remove it to go on).

At each level (``BENCH_SCALE_LEVELS``, default ``500,1000,2000,5000,10000``; each level's
figures are also written to var/bench/scale-partial.json as soon as it is done):

- the catalogue: rows of pg_class, pg_attribute, pg_index, pg_depend, pg_constraint,
  pg_namespace; the catalogue's own size and the database's size on disk;
- the private memory of one PostgreSQL backend (RssAnon, and its CacheMemoryContext from
  ``pg_backend_memory_contexts``) after it ran the SQL of a municipality's home page and list
  (captured from Django's test client, then replayed per schema) in K schemas;
- connections through PgBouncer (Debian's, ``make scale-deps``) in transaction and in session
  mode: C clients each serving random municipalities, the server connections PostgreSQL saw,
  and how many answers came from another municipality's schema when the search path is set
  the way django-tenants sets it (once per connection, outside the transaction);
- ``manage.py schemas_migrate`` with nothing to apply, then with ONE pending migration (a
  nullable field and an index on ``consultations.Consultation``, bench/release.py's temporary
  migrations package), as real processes; each with wall and CPU seconds and load average.

Every figure sits next to the load average; CPU seconds and row counts do not depend on it.
``BENCH_SCALE_LEVELS=20,40`` gives a quick try.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from provision import (
    ROOT,
    bench_django_setup,
    kib,
    log,
    machine_info,
    nip_make,
    r3,
    result_print,
    stdout_to_stderr,
)
from release import SETTINGS, PendingMigrations, manage, pending_env, schemas_with

LEVELS = tuple(
    int(n) for n in os.environ.get("BENCH_SCALE_LEVELS", "500,1000,2000,5000,10000").split(",") if n
)
BATCH = 20  # municipalities whose shared rows are inserted in one statement
TOUCHED = (1, 10, 50, 200, 1000)  # schemas one backend serves, for its memory
POOL_CLIENTS = int(os.environ.get("BENCH_SCALE_POOL_CLIENTS", "200"))
POOL_SIZE = int(os.environ.get("BENCH_SCALE_POOL_SIZE", "20"))
POOL_ROUNDS = int(os.environ.get("BENCH_SCALE_POOL_ROUNDS", "20"))
PARTIAL = ROOT / "var" / "bench" / "scale-partial.json"
PAUSE = ROOT / "var" / "bench" / "scale-pause"
FILL_WORKERS = int(os.environ.get("BENCH_SCALE_FILL_WORKERS", "2"))


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def database_url() -> str:
    import dj_database_url

    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-scale`")
    params = dj_database_url.parse(url)
    name = os.environ.get("BENCH_SCALE_DB", "konsulta_scale10k")
    if "scale" not in name:
        raise SystemExit(f"refusing database {name!r}: its name must contain 'scale'")
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{params['HOST']}:{params['PORT'] or 5432}/{name}"


def database_create(url: str, *, reuse: bool) -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    params = dj_database_url.parse(url)
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
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            exists = cur.fetchone() is not None
            if exists and reuse:
                return
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(params["NAME"]))
            )
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
    finally:
        conn.close()


# --- Filling ----------------------------------------------------------------------------------


def municipality_count() -> int:
    from tenants.models import Municipality

    return Municipality.objects.exclude(schema_name="public").count()


def backend_nice(cursor: Any) -> None:
    """With BENCH_SCALE_NICE_BACKEND=1 the PostgreSQL backend that replays the DDL runs at
    this process's priority too (nice 19, idle I/O class under `make bench-scale`). Off by
    default: on a busy shared machine it slows the fill about fourfold (0.5 against 1.9
    municipalities a second at load 3 to 11)."""
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    try:
        os.setpriority(os.PRIO_PROCESS, pid, max(os.nice(0), 0))
        if shutil.which("ionice"):
            subprocess.run(["ionice", "-c3", "-p", str(pid)], check=False, capture_output=True)
    except OSError as exc:  # another user's process: the figures stand, less politely
        log(f"  could not renice PostgreSQL backend {pid}: {exc}")


def pause_wait() -> None:
    """While the file PAUSE exists (``touch var/bench/scale-pause``) the fill waits between
    schemas: a quiet window for another bench on the same machine, without losing the run."""
    announced = False
    while PAUSE.exists():
        if not announced:
            log(f"  paused while {PAUSE} exists (load {load()})")
            announced = True
        time.sleep(2)
    if announced:
        log(f"  resumed (load {load()})")


def clones_run(schemas: list[str], source: str) -> None:
    """Clone ``schemas`` from ``source`` with FILL_WORKERS threads, each on its own Django
    connection (the server runs one backend per connection: the DDL replays side by side)."""
    from django.db import connection

    from tenants.cloning import schema_clone

    def work(part: list[str]) -> None:
        try:
            for schema in part:
                pause_wait()
                schema_clone(source=source, target=schema)
        finally:
            connection.close()

    if FILL_WORKERS <= 1:
        for schema in schemas:
            pause_wait()
            schema_clone(source=source, target=schema)
        return
    failures: list[BaseException] = []

    def guarded(part: list[str]) -> None:
        try:
            work(part)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the calling thread below)
            failures.append(exc)

    threads = [
        threading.Thread(target=guarded, args=(schemas[n::FILL_WORKERS],))
        for n in range(FILL_WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def fill_to(target: int) -> dict[str, Any]:
    """Municipalities up to ``target``: shared rows in bulk, schemas cloned, BATCH a
    transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from tenants.cloning import schema_clone
    from tenants.models import Domain, Municipality, MunicipalityEvent, MunicipalityStatus
    from tenants.services import schema_name_for, subdomain_host

    started, cpu = time.perf_counter(), time.process_time()
    # An interrupted earlier run may have left rows whose schema it had not cloned yet.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schema_name FROM tenants_municipality WHERE schema_name <> 'public' "
            "AND schema_name NOT IN (SELECT nspname FROM pg_namespace)"
        )
        for (schema,) in cursor.fetchall():
            schema_clone(source=settings.TENANT_BASE_SCHEMA, target=schema)
        if os.environ.get("BENCH_SCALE_NICE_BACKEND") == "1":
            backend_nice(cursor)
    before = municipality_count()
    count = before
    while count < target:
        size = min(BATCH, target - count)
        now = timezone.now()
        with transaction.atomic():
            rows = []
            for n in range(count + 1, count + size + 1):
                subdomain = f"s{n:05d}"
                rows.append(
                    Municipality(
                        name=f"Gmina Skala {n:05d}",
                        kind="gmina",
                        teryt="3207023",
                        nip=nip_make(),
                        contact_email=f"kontakt@{subdomain}.skala.test",
                        first_admin_email=f"admin@{subdomain}.skala.test",
                        schema_name=schema_name_for(subdomain),
                        status=MunicipalityStatus.ACTIVE,
                        ready_at=now,
                    )
                )
            made = Municipality.objects.bulk_create(rows)
            Domain.objects.bulk_create(
                Domain(
                    domain=subdomain_host(m.schema_name[2:].replace("_", "-")),
                    tenant=m,
                    is_primary=True,
                )
                for m in made
            )
            MunicipalityEvent.objects.bulk_create(
                MunicipalityEvent(municipality=m, action=action)
                for m in made
                for action in (
                    MunicipalityEvent.Action.CREATED,
                    MunicipalityEvent.Action.PROVISIONED,
                )
            )
        # One transaction a schema, as provisioning does: a schema's DDL takes a lock per
        # relation, and the server's lock table is shared (max_locks_per_transaction).
        # FILL_WORKERS threads, each on its own connection, share the batch.
        clones_run([m.schema_name for m in made], settings.TENANT_BASE_SCHEMA)
        count += size
        if count % 500 == 0 or count == target:
            rate = (count - before) / (time.perf_counter() - started)
            log(f"  {count} municipalities ({rate:.1f}/s, load {load()})")
    return {
        "added": count - before,
        "seconds": r3(time.perf_counter() - started),
        "process_cpu_seconds": r3(time.process_time() - cpu),
        "load_average_at_end": load(),
        "fill_workers": FILL_WORKERS,
    }


# --- Catalogue --------------------------------------------------------------------------------

CATALOGUE_TABLES = (
    "pg_class",
    "pg_attribute",
    "pg_index",
    "pg_depend",
    "pg_constraint",
    "pg_type",
    "pg_namespace",
)


def catalogue_measure() -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    out: dict[str, Any] = {"rows": {}}
    with connection.cursor() as cursor:
        for table in CATALOGUE_TABLES:
            cursor.execute(f"SELECT count(*) FROM pg_catalog.{table}")
            out["rows"][table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'"
        )
        out["catalogue_mib"] = round(float(cursor.fetchone()[0]) / 2**20, 1)
        cursor.execute("SELECT pg_database_size(current_database())")
        out["database_mib"] = round(float(cursor.fetchone()[0]) / 2**20, 1)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE c.relkind = 'r'), "
            "count(*) FILTER (WHERE c.relkind = 'i'), count(*) FILTER (WHERE c.relkind = 'S'), "
            "count(*), sum(pg_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            [settings.TENANT_BASE_SCHEMA],
        )
        tables, indexes, sequences, relations, size = cursor.fetchone()
        out["one_schema"] = {
            "tables": tables,
            "indexes": indexes,
            "sequences": sequences,
            "relations": relations,
            "relation_files_kib": round(float(size) / 1024, 1),
        }
    return out


# --- One backend's memory ---------------------------------------------------------------------


def page_sql(schema: str, host: str) -> list[str]:
    """The SQL a municipality's home page and list run (test client, page cache off), with
    the parameters in place; search_path statements left out (the replay sets its own)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_HOST=host)
    captured: list[str] = []
    for path in ("/", "/konsultacje/?status=open"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{host}{path}: {response.status_code}")
        captured += [
            q["sql"]
            for q in queries.captured_queries
            if not q["sql"].startswith("SET ") and schema not in q["sql"]
        ]
    connection.set_schema_to_public()
    return captured


def backend_memory(url: str, schemas: list[str], statements: list[str]) -> dict[str, Any]:
    """A fresh backend runs the page's SQL in 1, 10, 50, … schemas: its memory after each."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    out: list[dict[str, Any]] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            done = 0
            started = time.process_time()
            for touched in TOUCHED:
                if touched > len(schemas):
                    break
                for schema in schemas[done:touched]:
                    cursor.execute(f'SET search_path TO "{schema}", public')
                    for sql in statements:
                        cursor.execute(sql)
                done = touched
                cursor.execute(
                    "SELECT sum(total_bytes) FILTER (WHERE name = 'CacheMemoryContext' "
                    "OR parent = 'CacheMemoryContext'), sum(total_bytes) "
                    "FROM pg_backend_memory_contexts"
                )
                cache, total = (float(x) for x in cursor.fetchone())
                out.append(
                    {
                        "schemas_touched": touched,
                        "cache_memory_context_mib": round(cache / 2**20, 2),
                        "all_memory_contexts_mib": round(total / 2**20, 2),
                        "rss_anon_mib": round((kib(pid, "RssAnon") or 0) / 1024, 1),
                    }
                )
            client_cpu = time.process_time() - started
    finally:
        connection.close()
    per_schema = None
    if len(out) >= 2:
        first, last = out[0], out[-1]
        per_schema = round(
            (last["cache_memory_context_mib"] - first["cache_memory_context_mib"])
            * 1024
            / (last["schemas_touched"] - first["schemas_touched"]),
            1,
        )
    return {
        "statements_per_schema": len(statements),
        "steps": out,
        "cache_kib_per_extra_schema": per_schema,
        "client_cpu_seconds": r3(client_cpu),
    }


# --- Connections through PgBouncer ------------------------------------------------------------


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer",) if Path(p).exists()), None
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pgbouncer_start(folder: Path, url: str, mode: str) -> tuple[subprocess.Popen[bytes], int]:
    import dj_database_url

    params = dj_database_url.parse(url)
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.txt").write_text(f'"{params["USER"] or "postgres"}" ""\n')
    config = folder / f"pgbouncer-{mode}.ini"
    config.write_text(
        f"""[databases]
{params["NAME"]} = host={params["HOST"]} port={params["PORT"] or 5432} dbname={params["NAME"]}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = {mode}
default_pool_size = {POOL_SIZE}
max_client_conn = {POOL_CLIENTS + 50}
max_db_connections = {POOL_SIZE}
server_reset_query = DISCARD ALL
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer-{mode}.log
"""
    )
    command = [pgbouncer_binary() or "pgbouncer", str(config)]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root; Debian's package made the postgres user.
        shutil.chown(folder, "postgres")
        for path in folder.iterdir():
            shutil.chown(path, "postgres")
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"pgbouncer did not start: {(folder / f'pgbouncer-{mode}.log').read_text()}")


def pool_measure(url: str, schemas: list[str], mode: str) -> dict[str, Any]:
    """POOL_CLIENTS clients (a web fleet's workers), each serving POOL_ROUNDS requests of
    random municipalities through PgBouncer: the server connections PostgreSQL saw, and
    answers read from a schema other than the one the client had set."""
    import dj_database_url
    import psycopg2
    import psycopg2.errors

    params = dj_database_url.parse(url)
    folder = Path(tempfile.mkdtemp(prefix="konsulta-scale-pgbouncer-"))
    process, port = pgbouncer_start(folder, url, mode)
    peak = {"server_connections": 0}
    stop = threading.Event()
    wrong = {"session_set": 0, "in_transaction": 0, "total": 0}
    errors: list[str] = []
    lock = threading.Lock()

    def watch() -> None:
        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            while not stop.is_set():
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
                peak["server_connections"] = max(peak["server_connections"], cursor.fetchone()[0])
                time.sleep(0.05)
        conn.close()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        try:
            conn = psycopg2.connect(
                dbname=params["NAME"],
                user=params["USER"] or "postgres",
                host="127.0.0.1",
                port=port,
            )
            conn.autocommit = True
            with conn.cursor() as cursor:
                for _ in range(POOL_ROUNDS):
                    # As django-tenants does: SET once for the connection, then queries.
                    schema = rng.choice(schemas)
                    cursor.execute(f'SET search_path TO "{schema}", public')
                    try:
                        cursor.execute("SELECT count(*) FROM consultations_consultation")
                        cursor.execute("SELECT current_schema()")
                        session_wrong = cursor.fetchone()[0] != schema
                    except psycopg2.errors.UndefinedTable:
                        # The server connection's path was reset (DISCARD ALL): public.
                        session_wrong = True
                    # The pooler-safe form: the path set inside the request's transaction.
                    schema = rng.choice(schemas)
                    cursor.execute("BEGIN")
                    cursor.execute(f'SET LOCAL search_path TO "{schema}", public')
                    cursor.execute("SELECT count(*) FROM consultations_consultation")
                    cursor.execute("SELECT current_schema()")
                    local_wrong = cursor.fetchone()[0] != schema
                    cursor.execute("COMMIT")
                    with lock:
                        wrong["total"] += 1
                        wrong["session_set"] += session_wrong
                        wrong["in_transaction"] += local_wrong
            conn.close()
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])

    watcher = threading.Thread(target=watch)
    watcher.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(POOL_CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        watcher.join()
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "pool_mode": mode,
        "clients": POOL_CLIENTS,
        "default_pool_size": POOL_SIZE,
        "requests": wrong["total"] * 2,
        "postgresql_server_connections_peak": peak["server_connections"],
        # Another municipality's schema, or the public one (the table is missing there).
        "answers_not_from_the_schema_set_search_path_set_per_connection": wrong["session_set"],
        "answers_not_from_the_schema_set_search_path_set_local_in_transaction": wrong[
            "in_transaction"
        ],
        "client_errors": len(errors),
        "client_first_errors": errors[:3],
        "seconds": r3(time.perf_counter() - started),
        "client_cpu_seconds": r3(time.process_time() - cpu),
        "load_average": load(),
    }


def connection_math(municipalities: int) -> dict[str, Any]:
    """Without a pooler: what the settings' connection policy means for a fleet."""
    from django.conf import settings

    return {
        "db_conn_max_schemas": settings.DB_CONN_MAX_SCHEMAS,
        "conn_max_age_seconds": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "note": "one PostgreSQL connection per gunicorn worker and per Celery process, "
        "retired after it has served DB_CONN_MAX_SCHEMAS schemas; independent of the number "
        f"of municipalities ({municipalities} here)",
    }


# --- A level ----------------------------------------------------------------------------------


def level_measure(
    target: int, url: str, pending: PendingMigrations, env: dict[str, str]
) -> dict[str, Any]:
    from django.db import connection

    from tenants.models import Domain, Municipality

    log(f"level {target}: filling (load {load()})")
    out: dict[str, Any] = {"fill": fill_to(target)}
    out["municipalities"] = municipality_count()
    connection.close()
    log("  catalogue")
    out["catalogue"] = catalogue_measure()
    log(f"    {out['catalogue']}")

    schemas = list(
        Municipality.objects.exclude(schema_name="public")
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    first = Municipality.objects.get(schema_name=schemas[0])
    host = Domain.objects.get(tenant=first, is_primary=True).domain
    statements = page_sql(first.schema_name, host)
    sample = random.Random(target).sample(schemas, min(len(schemas), max(TOUCHED)))
    log(f"  one backend's memory over {len(sample)} schemas ({len(statements)} statements each)")
    out["backend_memory"] = backend_memory(url, sample, statements)
    out["backend_memory"]["load_average"] = load()
    log(f"    {out['backend_memory']}")

    if pgbouncer_binary():
        out["pooler"] = {}
        for mode in ("transaction", "session"):
            log(f"  pgbouncer, {mode} pooling, {POOL_CLIENTS} clients")
            out["pooler"][mode] = pool_measure(url, schemas, mode)
            log(f"    {out['pooler'][mode]}")
    else:
        out["pooler"] = {"error": "pgbouncer is not installed: `make scale-deps`"}
    out["connection_policy"] = connection_math(len(schemas))

    log("  schemas_migrate, nothing to apply")
    out["schemas_migrate_nothing_to_apply"] = manage(env, "schemas_migrate")
    log(f"    {out['schemas_migrate_nothing_to_apply']}")
    name, field, index = pending.add()
    log(f"  schemas_migrate, one pending migration ({name})")
    run = manage(env, "schemas_migrate")
    run["migration"] = name
    run["schemas_with_new_column_and_index"] = schemas_with(field, index, schemas)
    connection.close()
    out["schemas_migrate_one_pending"] = run
    log(f"    {run}")
    out["catalogue_after"] = {"database_mib": catalogue_measure()["database_mib"]}
    out["load_average_at_end"] = load()
    return out


def main(real_stdout: Any) -> int:
    url = database_url()
    reuse = os.environ.get("BENCH_SCALE_REUSE") == "1"
    database_create(url, reuse=reuse)
    os.environ["DATABASE_URL"] = url
    log(f"database {url.rsplit('/', 1)[1]} ({'reused' if reuse else 'new'}), load {load()}")
    folder = Path(tempfile.mkdtemp(prefix="konsulta-bench-scale-"))
    levels: list[dict[str, Any]] = []
    try:
        pending = PendingMigrations(folder)
        sys.path.insert(0, str(folder))
        env = pending_env(folder)
        bench_django_setup(SETTINGS)
        from django.core.management import call_command
        from django.db import connection

        # The pending migrations an earlier run applied, so the graph matches the records.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename = 'django_migrations'"
            )
            if cursor.fetchone()[0]:
                cursor.execute(
                    "SELECT count(*) FROM django_migrations WHERE name LIKE %s",
                    ["%bench_release%"],
                )
                for _ in range(cursor.fetchone()[0]):
                    pending.add()
        call_command("schemas_migrate", verbosity=0, stdout=sys.stderr, stderr=sys.stderr)
        machine = machine_info()
        for target in LEVELS:
            levels.append(level_measure(target, url, pending, env))
            PARTIAL.parent.mkdir(parents=True, exist_ok=True)
            PARTIAL.write_text(json.dumps({"machine": machine, "levels": levels}, indent=2))
        result = {
            "benchmark": "scale",
            "machine": machine,
            "niced": os.nice(0),
            "shared_rows_batch": BATCH,
            "levels": levels,
            "total_seconds": r3(time.perf_counter() - STARTED),
            "load_average_at_end": load(),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result_print(result, real_stdout)


STARTED = time.perf_counter()

if __name__ == "__main__":
    with stdout_to_stderr() as out:
        code = main(out)
    sys.exit(code)
