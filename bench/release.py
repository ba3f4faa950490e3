"""Release benchmark: one pending migration (a new nullable field and an index on a tenant
model) over 10, 100 and 1,000 municipalities, through stock ``migrate_schemas``, the old
``schemas_migrate`` path (stock per schema, now ``schemas_migrate --all``) and the new
``schemas_migrate``, side by side in one run. Prints one JSON object.

    make bench-release > bench-release.json

Each run is a real ``manage.py`` process (Django's start included, as in a deployment). The
pending migrations are written to a copy of the consultations app's migrations in a temporary
package, named by ``MIGRATION_MODULES`` in a settings module next to it: the worktree is never
touched. Run through ``platform_site.devservices --profile bench`` (or with ``DATABASE_URL``
naming a database whose name contains "bench"): the database is dropped and created again.
``BENCH_RELEASE_LEVELS=5,20`` gives a quick try; ``BENCH_RELEASE_REUSE=1`` measures again
at the municipalities an earlier run left in the database. ``BENCH_RELEASE_OLD_MAX``
(default 10) is the largest level at which the old path is also timed (stock
migrate_schemas at every level: the old path ran it once per schema and took as long, 377 s
at 1,010 in issue 14).
"""

from __future__ import annotations

import importlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from provision import (
    ROOT,
    bench_django_setup,
    database_reset,
    fill_to,
    log,
    machine_info,
    r3,
    result_print,
    stdout_to_stderr,
)

LEVELS = tuple(int(n) for n in os.environ.get("BENCH_RELEASE_LEVELS", "10,100,1000").split(","))
OLD_PATH_MAX = int(os.environ.get("BENCH_RELEASE_OLD_MAX", "10"))
# Above this many municipalities stock migrate_schemas is timed on a sample of schemas (its
# per-schema cost, extrapolated): over all of them it takes 6 minutes at 1,010 on a quiet
# machine (issue 14), much longer on a shared one.
STOCK_FULL_MAX = int(os.environ.get("BENCH_RELEASE_STOCK_FULL_MAX", "100"))
STOCK_SAMPLE = int(os.environ.get("BENCH_RELEASE_STOCK_SAMPLE", "40"))
STOCK_SAMPLE_SCRIPT = """
import sys, time, django
django.setup()
from django.core.management import call_command
from django.db import connection
seconds = []
for schema in sys.argv[1:]:
    started = time.perf_counter()
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False,
                 verbosity=0)
    connection.set_schema_to_public()
    seconds.append(time.perf_counter() - started)
print(",".join(f"{s:.4f}" for s in seconds))
"""
GOAL_SECONDS_AT_1000 = 30.0
RUN_TIMEOUT = 1800  # seconds; a stuck run is reported, not waited for
APP = "consultations"
MODEL = "consultation"
TABLE = "consultations_consultation"
PACKAGE = "bench_release_migrations"
SETTINGS = "bench_release_settings"

MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "{parent}")]

    operations = [
        migrations.AddField(
            model_name="{model}",
            name="{field}",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddIndex(
            model_name="{model}",
            index=models.Index(fields=["{field}"], name="{index}"),
        ),
    ]
"""


def pending_env(folder: Path) -> dict[str, str]:
    """The environment of a ``manage.py`` process that sees the temporary migrations in
    ``folder`` (PendingMigrations) before the project's own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(
            [str(folder), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }


class PendingMigrations:
    """A copy of the app's migrations in a temporary package, to which each release adds one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.package = folder / PACKAGE
        shutil.copytree(ROOT / APP / "migrations", self.package)
        shutil.rmtree(self.package / "__pycache__", ignore_errors=True)
        (folder / f"{SETTINGS}.py").write_text(
            "from platform_site.settings import *  # noqa: F403\n\n"
            f'MIGRATION_MODULES = {{"{APP}": "{PACKAGE}"}}\n'
        )
        self.count = 0

    def leaf(self) -> str:
        names = sorted(p.stem for p in self.package.glob("[0-9]*.py"))
        return names[-1]

    def add(self) -> tuple[str, str, str]:
        """Write the next pending migration; its (name, field, index)."""
        self.count += 1
        parent = self.leaf()
        number = int(parent[:4]) + 1
        field = f"bench_note_{self.count}"
        index = f"bench_note_{self.count}_idx"
        name = f"{number:04d}_bench_release_{self.count}"
        (self.package / f"{name}.py").write_text(
            MIGRATION.format(app=APP, parent=parent, model=MODEL, field=field, index=index)
        )
        importlib.invalidate_caches()
        return name, field, index


def timed_run(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command``: its wall and CPU seconds, the load average around it (the machine is
    shared: wall-clock seconds include waiting for a core), and the finished process."""
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "error": f"no result after {RUN_TIMEOUT} s"}
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": r3(time.perf_counter() - started),
        "process_cpu_seconds": r3(
            cpu.ru_utime - cpu_before.ru_utime + cpu.ru_stime - cpu_before.ru_stime
        ),
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "process": result,
    }


def stock_sample(env: dict[str, str], schemas: list[str]) -> dict[str, Any]:
    """Stock migrate_schemas, one schema at a time in one process (as the old schemas_migrate
    did), over a sample: seconds per schema, and that times every schema."""
    run = timed_run([sys.executable, "-c", STOCK_SAMPLE_SCRIPT, *schemas], env)
    result = run.pop("process", None)
    if result is None or result.returncode != 0:
        run["error"] = result.stderr.strip().splitlines()[-3:] if result else run.get("error")
        return run
    per_schema = [float(x) for x in result.stdout.strip().splitlines()[-1].split(",")]
    run.update(
        sample_schemas=len(per_schema),
        per_schema_median_seconds=r3(statistics.median(per_schema)),
    )
    return run


def manage(env: dict[str, str], *args: str) -> dict[str, Any]:
    """A ``manage.py`` run: timed_run()'s figures, its exit code and its last lines."""
    run = timed_run([sys.executable, str(ROOT / "manage.py"), *args], env)
    result = run.pop("process", None)
    if result is None:
        return run
    run["exit_code"] = result.returncode
    tail = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()][-3:]
    if result.returncode != 0 or "schemas_migrate" in args:
        run["output_tail"] = tail
    return run


def schemas_with(field: str, index: str, schemas: list[str]) -> dict[str, int]:
    """How many of the municipalities' schemas have the new column, and the new index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = %s "
            "AND a.attname = %s AND NOT a.attisdropped AND n.nspname = ANY(%s)",
            [TABLE, field, schemas],
        )
        columns = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = %s AND schemaname = ANY(%s)",
            [index, schemas],
        )
        indexes = cursor.fetchone()[0]
    return {"column": columns, "index": indexes}


def municipality_schemas() -> list[str]:
    from tenants.models import Municipality

    return list(
        Municipality.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    )


def level_measure(target: int, pending: PendingMigrations, env: dict[str, str]) -> dict[str, Any]:
    from django.db import connection

    from tenants.migration import schemas_behind

    created, fill_seconds = fill_to(target)
    connection.close()
    schemas = municipality_schemas()
    log(f"level {target}: {len(schemas)} municipalities ({created} added by clone)")
    out: dict[str, Any] = {
        "municipalities": len(schemas),
        "filled_by_clone": created,
        "fill_seconds": r3(fill_seconds),
    }

    def release(key: str, *args: str) -> None:
        name, field, index = pending.add()
        log(f"  {key}: {name} pending; manage.py {' '.join(args)}")
        run = manage(env, *args)
        run["migration"] = name
        run["schemas_with_new_column_and_index"] = schemas_with(field, index, schemas)
        run["municipalities_behind_after"] = len(schemas_behind(schemas))
        connection.close()
        log(f"    {run}")
        out[key] = run

    if len(schemas) <= STOCK_FULL_MAX:
        release("stock_migrate_schemas", "migrate_schemas", "--tenant", "--noinput", "-v", "0")
    else:
        name, _, _ = pending.add()
        sample = schemas[:: max(1, len(schemas) // STOCK_SAMPLE)][:STOCK_SAMPLE]
        log(f"  stock migrate_schemas on {len(sample)} of {len(schemas)} schemas: {name}")
        run = stock_sample(env, sample)
        if "per_schema_median_seconds" in run:
            run["extrapolated_all_schemas_seconds"] = r3(
                run["per_schema_median_seconds"] * len(schemas)
            )
        log(f"    {run}")
        out["stock_migrate_schemas_sample"] = run
        log("  the new path finishes that migration on the other schemas (not timed)")
        manage(env, "schemas_migrate")
    if target <= OLD_PATH_MAX:
        release("old_schemas_migrate_path", "schemas_migrate", "--all")
    release("new_schemas_migrate", "schemas_migrate")
    log("  new schemas_migrate with nothing to apply")
    noop = manage(env, "schemas_migrate")
    log(f"    {noop}")
    out["new_schemas_migrate_nothing_to_apply"] = noop
    new = out["new_schemas_migrate"].get("seconds")
    stock_estimate = out.get("stock_migrate_schemas_sample", {}).get(
        "extrapolated_all_schemas_seconds"
    )
    if stock_estimate and new:
        out["speedup_new_vs_stock_migrate_schemas_extrapolated"] = round(stock_estimate / new, 1)
    for key in ("stock_migrate_schemas", "old_schemas_migrate_path"):
        old = out.get(key, {}).get("seconds")
        if old and new:
            out[f"speedup_new_vs_{key}"] = round(old / new, 1)
    return out


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-release`")
    reuse = os.environ.get("BENCH_RELEASE_REUSE") == "1"
    if reuse:
        from platform_site.dburl import parse_database_url

        if "bench" not in parse_database_url(url)["NAME"]:
            raise SystemExit("the database's name must contain 'bench'")
    else:
        log(f"database {database_reset(url)} dropped and created again")
    folder = Path(tempfile.mkdtemp(prefix="konsulta-bench-release-"))
    try:
        pending = PendingMigrations(folder)
        sys.path.insert(0, str(folder))
        env = pending_env(folder)
        bench_django_setup(SETTINGS)
        from django.core.management import call_command

        if reuse:
            # The same pending migrations as the earlier run wrote, so that the database's
            # records match the graph; then one level, at the municipalities it has.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM django_migrations WHERE app = %s AND name LIKE %s",
                    [APP, "%bench_release%"],
                )
                for _ in range(cursor.fetchone()[0]):
                    pending.add()
            levels = [level_measure(len(municipality_schemas()), pending, env)]
        else:
            log("schemas_migrate (public schema + template schema)")
            call_command("schemas_migrate", verbosity=1, stdout=sys.stderr, stderr=sys.stderr)
            levels = [level_measure(target, pending, env) for target in LEVELS]
        at_1000 = next((lv for lv in levels if lv["municipalities"] >= 1000), None)
        goals = {}
        if at_1000:
            seconds = at_1000["new_schemas_migrate"].get("seconds")
            goals["release_at_1000_seconds"] = seconds
            goals["release_at_1000_goal_seconds"] = GOAL_SECONDS_AT_1000
            goals["release_at_1000_met"] = seconds is not None and seconds < GOAL_SECONDS_AT_1000
            goals["nothing_to_apply_at_1000_seconds"] = at_1000[
                "new_schemas_migrate_nothing_to_apply"
            ].get("seconds")
        result = {
            "benchmark": "release",
            "machine": machine_info(),
            "pending_migration": "AddField (CharField, null=True) + AddIndex on "
            f"{APP}.{MODEL}, one per run",
            "levels": levels,
            "goals": goals,
            "total_seconds": r3(time.perf_counter() - STARTED),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result_print(result, real_stdout)


STARTED = time.perf_counter()

if __name__ == "__main__":
    with stdout_to_stderr() as out:
        code = main(out)
    sys.exit(code)
