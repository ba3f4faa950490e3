"""Migrating many schemas: skip the ones already at the target, apply a release to the others
in one process, and report the ones that fail.

Stock ``migrate_schemas`` runs Django's whole ``migrate`` command once per schema: it loads the
migration graph from disk, asks ``MigrationRecorder.has_table()`` (``get_table_list()``, which
reads all of ``pg_class``: the cost of every schema grows with the number of schemas), renders
the project state from every migration, and emits ``post_migrate`` (a query per model). Here
all of that is done once per group of schemas at the same migration state: the plan, and the
project state before and after each operation, are computed once; each schema then only runs
the operations' SQL through Django's own schema editor, migration by migration, each in its own
transaction with its ``django_migrations`` row, exactly as Django applies it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TextIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import transaction
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django_tenants.signals import schema_migrated, schema_pre_migration
from django_tenants.utils import get_public_schema_name, schema_exists

from common.db import connection
from tenants.cloning import spares_discard_all
from tenants.models import Municipality

logger = logging.getLogger("konsulta.tenants")

Key = tuple[str, str]


@dataclass
class MigrationReport:
    migrated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    # Seconds of each step: public, template, check, municipalities, spares.
    steps: dict[str, float] = field(default_factory=dict)

    def step(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.steps[name] = now - since
        return now


def migration_target() -> set[Key]:
    """Every migration the code has; a schema whose table records them all needs nothing."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


# Schemas read in one query by schemas_applied() (a UNION ALL of their django_migrations).
CHECK_BATCH = 200


def schemas_applied(schemas: Iterable[str]) -> dict[str, frozenset[Key] | None]:
    """What each schema's django_migrations records (None: the schema has no such table).

    One catalogue lookup (``to_regclass``) for all of them, then one read per CHECK_BATCH
    schemas: never Django's ``get_table_list()``, which reads the whole of pg_class."""
    schemas = list(schemas)
    quote = connection.ops.quote_name
    found: dict[str, set[Key]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s FROM unnest(%s::text[]) s "
            "WHERE to_regclass(quote_ident(s) || '.django_migrations') IS NOT NULL",
            [schemas],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(with_table), CHECK_BATCH):
            batch = with_table[start : start + CHECK_BATCH]
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, app, name FROM {quote(schema)}.django_migrations"
                    for schema in batch
                ),
                batch,
            )
            for schema in batch:
                found[schema] = set()
            for schema, app, name in cursor.fetchall():
                found[schema].add((app, name))
    return {schema: frozenset(found[schema]) if schema in found else None for schema in schemas}


def schemas_behind(schemas: list[str]) -> list[str]:
    """The schemas whose django_migrations lacks some migration of the code (no migration
    executor started: the fast path when nothing is to be applied)."""
    target = migration_target()
    return [
        schema
        for schema, applied in schemas_applied(schemas).items()
        if applied is None or not target.issubset(applied)
    ]


def template_schema_ensure() -> None:
    """Create and migrate the template schema that new municipalities are cloned from."""
    name = settings.TENANT_BASE_SCHEMA
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    if schemas_behind([name]):
        call_command(
            "migrate_schemas", tenant=True, schema_name=name, interactive=False, verbosity=0
        )
        # Spares cloned from the old template would be stale: the beat clones new ones.
        spares_discard_all()


@dataclass
class _Step:
    """One operation of a migration with the project states around it, computed once."""

    operation: Operation
    state_before: ProjectState
    state_after: ProjectState


@dataclass
class ReleasePlan:
    """The migrations a group of schemas at one migration state lacks, ready to apply."""

    migrations: list[Migration]
    steps: dict[Key, list[_Step]]
    final_state: ProjectState

    @property
    def names(self) -> list[str]:
        return [f"{m.app_label}.{m.name}" for m in self.migrations]


class ReleaseUnsupported(Exception):
    """The graph has something the fast path does not handle (squashed migrations)."""


def release_plan(applied: frozenset[Key]) -> ReleasePlan:
    """The plan and project states for schemas that record exactly ``applied``.

    Django's own executor computes them (``migration_plan``, ``_create_project_state``) from a
    loader given this applied set instead of reading it from a schema; the states around each
    operation are the ones ``Migration.apply`` would build, kept so that every schema reuses
    them instead of rendering its own."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    if loader.replacements:
        raise ReleaseUnsupported("squashed migrations: the stock path migrates these schemas")
    conflicts = loader.detect_conflicts()
    if conflicts:
        raise ReleaseUnsupported(f"conflicting migrations: {conflicts}")
    _history_check(loader, applied)
    # Django's loader keeps the applied Migration objects; the plan only needs their keys.
    loader.applied_migrations = {key: None for key in applied}  # type: ignore[misc]
    executor = MigrationExecutor.__new__(MigrationExecutor)
    # An executor for planning only: no connection, no recorder (nothing is applied here).
    executor.connection = None  # type: ignore[assignment]
    executor.loader = loader
    executor.recorder = None  # type: ignore[assignment]
    executor.progress_callback = None
    plan = executor.migration_plan(loader.graph.leaf_nodes())
    if any(backwards for _, backwards in plan):
        raise ReleaseUnsupported("a backwards plan")
    to_run = {migration for migration, _ in plan}
    full_plan = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    # The order Django's _migrate_all_forwards applies them in.
    migrations = [migration for migration, _ in full_plan if migration in to_run]
    # Django's own state builder (private, stable since 1.8; absent from the stubs).
    state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
    # pre_migrate may add operations to the plan (contenttypes renames them after a
    # RenameModel): once, on this loader's own Migration objects.
    emit_pre_migrate_signal(
        0, False, connection.alias, apps=state.apps, plan=[(m, False) for m in migrations]
    )
    steps: dict[Key, list[_Step]] = {}
    for migration in migrations:
        steps[migration.app_label, migration.name] = migration_steps = []
        for operation in migration.operations:
            before = state
            state = before.clone()
            operation.state_forwards(migration.app_label, state)
            migration_steps.append(_Step(operation, before, state))
    state.clear_delayed_apps_cache()
    return ReleasePlan(migrations=migrations, steps=steps, final_state=state)


def _history_check(loader: MigrationLoader, applied: frozenset[Key]) -> None:
    """MigrationLoader.check_consistent_history() on a known applied set (without squashed
    migrations, which the fast path leaves to the stock one)."""
    for key in applied:
        if key not in loader.graph.nodes:
            continue
        for parent in loader.graph.node_map[key].parents:
            if parent.key not in applied:
                raise InconsistentMigrationHistory(
                    f"Migration {key[0]}.{key[1]} is applied before its dependency "
                    f"{parent.key[0]}.{parent.key[1]}"
                )


def _migration_apply(release: ReleasePlan, migration: Migration) -> None:
    """What MigrationExecutor.apply_migration() and Migration.apply() do, with the states
    computed once: in one transaction (an atomic migration), operations then the record."""
    recorder = MigrationRecorder(connection)
    recorded = False
    with connection.schema_editor(atomic=migration.atomic) as editor:
        for step in release.steps[migration.app_label, migration.name]:
            operation = step.operation
            atomic_operation = operation.atomic or (
                migration.atomic and operation.atomic is not False
            )
            if not editor.atomic_migration and atomic_operation:
                with transaction.atomic(connection.alias):
                    operation.database_forwards(
                        migration.app_label, editor, step.state_before, step.state_after
                    )
            else:
                operation.database_forwards(
                    migration.app_label, editor, step.state_before, step.state_after
                )
        if not editor.deferred_sql:
            # Not recorder.record_applied(): its ensure_schema() reads all of pg_class.
            recorder.migration_qs.create(app=migration.app_label, name=migration.name)
            recorded = True
    if not recorded:
        recorder.migration_qs.create(app=migration.app_label, name=migration.name)


class _WriteWatcher:
    """Notes whether any statement that changes rows runs (post_migrate's only visible work
    is creating content types and permissions)."""

    def __init__(self) -> None:
        self.wrote = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context):
        if sql.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.wrote = True
        return execute(sql, params, many, context)


def _post_migrate(release: ReleasePlan) -> bool:
    """Emit post_migrate in the current schema as ``migrate`` does; True if it wrote rows."""
    watcher = _WriteWatcher()
    with connection.execute_wrapper(watcher):
        emit_post_migrate_signal(
            0,
            False,
            connection.alias,
            apps=release.final_state.apps,
            plan=[(m, False) for m in release.migrations],
        )
    return watcher.wrote


# A PostgreSQL backend keeps the catalogue of every schema it touched: a fresh connection
# every so many schemas keeps the release's own backends small (see tenants/connections.py).
SCHEMAS_PER_CONNECTION = 100
# Connections that apply a release side by side (the `--connections` option).
RELEASE_CONNECTIONS = 2


def release_apply(
    groups: dict[frozenset[Key], list[str]],
    report: MigrationReport,
    *,
    verbosity: int = 0,
    stdout: TextIO | None = None,
    connections_count: int = 2,
) -> None:
    """Apply the missing migrations to each schema, group by group (schemas recording the
    same migrations share one plan), one schema after another in this process.

    A schema that fails is reported by name and left as Django leaves it (each migration in
    its own transaction: the failing one rolled back, earlier ones recorded), so a rerun
    finishes it; the others still migrate. ``post_migrate`` runs in the group's first
    migrated schema; only if it created anything there (a new model's content type and
    permissions) does it run in the others too, since their state is the same.

    After the first schema, ``connections_count`` threads share the group, each on its own
    connection: a schema's time is mostly PostgreSQL's (DDL, commit), which overlaps."""
    for applied, schemas in groups.items():
        try:
            release = release_plan(applied)
        except ReleaseUnsupported as exc:
            logger.warning("stock migrate_schemas for %d schema(s): %s", len(schemas), exc)
            _stock_migrate(schemas, report, verbosity=verbosity)
            continue
        except Exception as exc:  # noqa: BLE001 - every schema of the group is named
            for schema in schemas:
                report.failed[schema] = f"{type(exc).__name__}: {exc}"
            continue
        # The first schema alone: it tells whether post_migrate has anything to do.
        first, rest = schemas[0], schemas[1:]
        post_migrate_each = _schema_release(first, release, None, report, verbosity, stdout)
        chunks = [rest[i::connections_count] for i in range(connections_count)]
        share = partial(
            _schemas_release,
            release=release,
            post_migrate=bool(post_migrate_each),
            report=report,
            verbosity=verbosity,
            stdout=stdout,
        )
        with ThreadPoolExecutor(max_workers=connections_count) as pool:
            list(pool.map(share, [chunk for chunk in chunks if chunk]))


def _schemas_release(
    schemas: list[str],
    *,
    release: ReleasePlan,
    post_migrate: bool,
    report: MigrationReport,
    verbosity: int,
    stdout: TextIO | None,
) -> None:
    """One thread's share of a group, on the thread's own connection (closed at the end)."""
    try:
        for number, schema in enumerate(schemas):
            if number and number % SCHEMAS_PER_CONNECTION == 0:
                connection.close()
            _schema_release(schema, release, post_migrate, report, verbosity, stdout)
    finally:
        connection.close()


def _schema_release(
    schema: str,
    release: ReleasePlan,
    post_migrate: bool | None,
    report: MigrationReport,
    verbosity: int,
    stdout: TextIO | None,
) -> bool | None:
    """Apply the plan to one schema and record the outcome in ``report``. ``post_migrate``:
    None to run it and return whether it wrote anything, else whether to run it."""
    schema_pre_migration.send(release_apply, schema_name=schema)
    wrote = None
    try:
        connection.set_schema(schema)
        for migration in release.migrations:
            _migration_apply(release, migration)
        if post_migrate is None:
            wrote = _post_migrate(release)
        elif post_migrate:
            _post_migrate(release)
    except Exception as exc:  # reported per schema, the run goes on
        report.failed[schema] = f"{type(exc).__name__}: {exc}"
        if connection.in_atomic_block:
            raise
        # A connection left in an unknown state is not reused for the next schema.
        connection.close()
    else:
        report.migrated.append(schema)
        if verbosity >= 1 and stdout is not None:
            stdout.write(f"{schema}: {', '.join(release.names)}\n")
        schema_migrated.send(release_apply, schema_name=schema)
    finally:
        connection.set_schema_to_public()
    return wrote


def _stock_migrate(schemas: list[str], report: MigrationReport, *, verbosity: int) -> None:
    for schema in schemas:
        try:
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=schema,
                interactive=False,
                verbosity=verbosity,
            )
        except Exception as exc:  # noqa: BLE001 - reported per schema, the run goes on
            report.failed[schema] = f"{type(exc).__name__}: {exc}"
        else:
            report.migrated.append(schema)
        finally:
            connection.set_schema_to_public()


def schemas_migrate_all(
    *,
    skip_current: bool = True,
    verbosity: int = 0,
    stdout: TextIO | None = None,
    connections_count: int = RELEASE_CONNECTIONS,
) -> MigrationReport:
    """The public schema, the template and every municipality whose schema exists; a
    failing schema is reported by name and the others still get migrated. Schemas already
    at the target are skipped; the others go through release_apply() (the template first).

    With ``skip_current=False`` every schema goes through stock ``migrate_schemas`` (the slow
    way, for when a schema's table and its records are suspected to disagree). Spare schemas
    cloned from an older template are dropped; the beat clones new ones within a minute."""
    started = time.perf_counter()
    report = MigrationReport()
    connection.set_schema_to_public()
    public, template = get_public_schema_name(), settings.TENANT_BASE_SCHEMA
    target = migration_target()
    public_applied = schemas_applied([public])[public]
    if not skip_current or public_applied is None or not target.issubset(public_applied):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    mark = report.step("public", started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        existing = {row[0] for row in cursor.fetchall()}
    if not skip_current or template not in existing:
        template_schema_ensure()
    # Every municipality whose schema exists, whatever its status: one that failed half-way
    # and is retried later must not be left behind.
    schemas = [
        name
        for name in Municipality.objects.order_by("pk").values_list("schema_name", flat=True)
        if name not in (public, template) and name in existing
    ]
    if not skip_current:
        _stock_migrate(schemas, report, verbosity=verbosity)
        report.step("municipalities", mark)
    else:
        groups: dict[frozenset[Key], list[str]] = {}
        for schema, applied in schemas_applied([template, *schemas]).items():
            if applied is not None and target.issubset(applied):
                if schema != template:
                    report.skipped.append(schema)
            elif applied is None and schema == template:
                template_schema_ensure()
            elif applied is None:
                # No django_migrations table at all: stock creates it and runs everything.
                _stock_migrate([schema], report, verbosity=verbosity)
            else:
                groups.setdefault(applied, []).append(schema)
        mark = report.step("check", mark)
        release_apply(
            groups,
            report,
            verbosity=verbosity,
            stdout=stdout,
            connections_count=connections_count,
        )
        if template in report.migrated:
            report.migrated.remove(template)
            # Spares cloned from the old template would be stale: the beat clones new ones.
            spares_discard_all()
        report.step("municipalities", mark)
    report.seconds = time.perf_counter() - started
    return report
