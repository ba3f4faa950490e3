"""Migrating many schemas: skip the ones already at the target, report the ones that fail."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name, schema_exists

from common.db import connection
from tenants.cloning import spares_discard_all, spares_replenish
from tenants.models import Municipality


@dataclass
class MigrationReport:
    migrated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def migration_target() -> set[tuple[str, str]]:
    """Every migration the code has; a schema whose table records them all needs nothing."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


def schemas_behind(schemas: list[str]) -> list[str]:
    """The schemas whose django_migrations lacks some migration of the code (one query each,
    no migration executor started: the fast path when nothing is to be applied)."""
    target = migration_target()
    behind = []
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}".django_migrations'])
            if not cursor.fetchone()[0]:
                behind.append(schema)
                continue
            cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
            if not target.issubset(set(cursor.fetchall())):
                behind.append(schema)
    return behind


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


def schemas_migrate_all(*, skip_current: bool = True, verbosity: int = 0) -> MigrationReport:
    """Public schema, then the template, then every ready municipality; a failing schema is
    reported by name and the others still get migrated."""
    started = time.perf_counter()
    report = MigrationReport()
    connection.set_schema_to_public()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    template_schema_ensure()
    # Every municipality whose schema exists, whatever its status: one that failed half-way
    # and is retried later must not be left behind.
    schemas = [
        name
        for name in Municipality.objects.values_list("schema_name", flat=True)
        if name != get_public_schema_name() and schema_exists(name)
    ]
    todo = schemas_behind(schemas) if skip_current else schemas
    report.skipped = [s for s in schemas if s not in todo]
    for schema in todo:
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
    spares_replenish(source=settings.TENANT_BASE_SCHEMA, size=settings.TENANT_SPARE_SCHEMAS)
    report.seconds = time.perf_counter() - started
    return report
