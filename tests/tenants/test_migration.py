"""A release over many schemas (tenants/migration.py) on real PostgreSQL: the schemas it
migrates equal schemas migrated by stock ``migrate_schemas``, a schema that fails is named while
the others migrate, a rerun finishes it, and the cost of a schema does not grow with the number
of schemas (no catalogue-wide table list per schema)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.migration import schemas_migrate_all
from tests.conftest import ROOT, tenant_make, unique
from tests.tenants.test_cloning import catalogue

# A state from which a release has real work to do: accounts 0002 (fields and a functional
# unique constraint), consultations 0004 (RunPython then AlterField), subscriptions 0001
# (CreateModel, indexes, constraints; its content types and permissions made by post_migrate).
ROLLBACK = (
    ("accounts", "0001_initial"),
    ("consultations", "0003_catalogue_lifecycle_documents_news"),
)
# Django's get_table_list() (MigrationRecorder.has_table): reads every relation of the database.
TABLE_LIST_SQL = "pg_catalog.pg_table_is_visible"


def schema_roll_back(schema: str, *, forget_subscriptions_types: bool = True) -> None:
    """Unapply the ROLLBACK migrations with stock migrate_schemas (and drop subscriptions'
    content types and permissions, which unapplying leaves behind)."""
    for app_label, name in ROLLBACK:
        call_command(
            "migrate_schemas",
            app_label,
            name,
            tenant=True,
            schema_name=schema,
            interactive=False,
            verbosity=0,
        )
    connection.set_schema_to_public()
    if forget_subscriptions_types:
        with connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{schema}".auth_permission WHERE content_type_id IN '
                f"(SELECT id FROM \"{schema}\".django_content_type WHERE app_label = 'subscriptions')"
            )
            cursor.execute(
                f"DELETE FROM \"{schema}\".django_content_type WHERE app_label = 'subscriptions'"
            )


def records(schema: str) -> dict[str, set[tuple[str, ...]]]:
    """Rows a migration run writes, by natural key (ids differ between schemas)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        migrations = set(cursor.fetchall())
        cursor.execute(f'SELECT app_label, model FROM "{schema}".django_content_type')
        types = set(cursor.fetchall())
        cursor.execute(
            f'SELECT t.app_label, t.model, p.codename, p.name FROM "{schema}".auth_permission p '
            f'JOIN "{schema}".django_content_type t ON t.id = p.content_type_id'
        )
        permissions = set(cursor.fetchall())
    return {"migrations": migrations, "content_types": types, "permissions": permissions}


def migrated(schema: str, app: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
            [app, name],
        )
        return cursor.fetchone()[0] == 1


@pytest.fixture
def three_schemas(committed_db: None) -> list[str]:
    return [tenant_make(unique("mig-"), "Gmina Migracyjna").schema_name for _ in range(3)]


def test_a_release_leaves_each_schema_equal_to_one_migrated_by_stock_migrate_schemas(
    three_schemas: list[str],
):
    # given three schemas as the template made them, taken back by the same migrations
    stock, fast_1, fast_2 = three_schemas
    expected_catalogue = catalogue(stock)
    expected_records = records(stock)
    for schema in three_schemas:
        schema_roll_back(schema)
    assert catalogue(fast_1) != expected_catalogue
    # when one is migrated by stock migrate_schemas and the others by the release
    call_command("migrate_schemas", tenant=True, schema_name=stock, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    report = schemas_migrate_all()
    # then all three have the same tables, columns, indexes, constraints and records
    assert stock in report.skipped
    assert {fast_1, fast_2} <= set(report.migrated)
    assert not {fast_1, fast_2} & set(report.failed)
    assert catalogue(stock) == expected_catalogue
    assert records(stock) == expected_records
    for schema in (fast_1, fast_2):
        assert catalogue(schema) == expected_catalogue
        assert records(schema) == expected_records


def test_a_schema_that_fails_is_named_the_others_migrate_and_a_rerun_finishes_it(
    three_schemas: list[str],
):
    # given three schemas lacking accounts 0002; in the second its column exists already
    first, broken, last = three_schemas
    for schema in three_schemas:
        schema_roll_back(schema, forget_subscriptions_types=False)
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{broken}".accounts_user ADD COLUMN anonymised_at text')
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "platform_site.settings",
    }

    def release() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", "schemas_migrate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    # when the release runs
    result = release()
    # then it exits with 1 and names the broken schema with PostgreSQL's reason
    assert result.returncode == 1, result.stdout + result.stderr
    failed_lines = [line for line in result.stderr.splitlines() if broken in line]
    assert failed_lines, result.stderr
    assert "anonymised_at" in failed_lines[0]
    assert first not in result.stderr and last not in result.stderr
    # and the schemas before and after it are migrated, the broken one is not
    for schema in (first, last):
        assert migrated(schema, "accounts", "0002_profile_consent_anonymisation")
        assert migrated(schema, "subscriptions", "0001_initial")
    assert not migrated(broken, "accounts", "0002_profile_consent_anonymisation")

    # when the cause is removed and the release runs again
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{broken}".accounts_user DROP COLUMN anonymised_at')
    rerun = release()
    # then it finishes the broken schema and reports success
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert migrated(broken, "accounts", "0002_profile_consent_anonymisation")
    assert catalogue(broken) == catalogue(first)
    assert "0 failed" in rerun.stdout


def test_a_release_does_not_list_every_table_of_the_database_once_per_schema(
    committed_db: None,
):
    # given one schema behind, then three more (the rest of the database is current)
    def release_queries(count: int) -> list[str]:
        schemas = [tenant_make(unique("q-"), "Gmina Q").schema_name for _ in range(count)]
        for schema in schemas:
            schema_roll_back(schema, forget_subscriptions_types=False)
        with CaptureQueriesContext(connection) as queries:
            report = schemas_migrate_all()
        assert set(schemas) <= set(report.migrated)
        return [query["sql"] for query in queries.captured_queries]

    # when each group is released
    one = release_queries(1)
    three = release_queries(3)
    # then the full table list is read as often for three schemas as for one (public schema)
    table_lists_one = sum(TABLE_LIST_SQL in sql for sql in one)
    table_lists_three = sum(TABLE_LIST_SQL in sql for sql in three)
    assert table_lists_three == table_lists_one
    # and two more schemas cost a bounded number of queries each (the migrations' DDL and
    # records, the search path, the transactions)
    assert (len(three) - len(one)) / 2 <= 60
