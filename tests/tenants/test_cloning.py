import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists

from accounts.services import user_create
from tenants.cloning import clone_script, schema_clone
from tests.conftest import PASSWORD, unique

CATALOGUE = """
SELECT 'column', table_name || '.' || column_name || ':' || data_type || ':' || is_nullable
  || ':' || coalesce(regexp_replace(column_default, %(schema)s::text || '\\.', 'S.', 'g'), '')
  FROM information_schema.columns WHERE table_schema = %(schema)s
UNION ALL
SELECT 'index', regexp_replace(indexdef, 'ON ' || %(schema)s::text || '\\.', 'ON S.')
  FROM pg_indexes WHERE schemaname = %(schema)s
UNION ALL
SELECT 'constraint', conrelid::regclass::text || ':' || contype::text || ':' || pg_get_constraintdef(c.oid)
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %(schema)s
"""


def catalogue(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(CATALOGUE, {"schema": schema})
        rows = cursor.fetchall()
    # Constraint owners print with their schema; make them comparable.
    return {(kind, text.replace(f"{schema}.", "S.")) for kind, text in rows}


def test_a_clone_has_exactly_the_template_structure_and_rows(committed_db):
    # given
    target = "m_" + unique("clone_")
    # when
    schema_clone(source="tenant_template", target=target)
    # then
    assert catalogue(target) == catalogue("tenant_template")
    with connection.cursor() as cursor:
        for table in ("django_migrations", "django_content_type", "auth_permission"):
            cursor.execute(f'SELECT count(*) FROM "{target}"."{table}"')
            copied = cursor.fetchone()[0]
            cursor.execute(f'SELECT count(*) FROM "tenant_template"."{table}"')
            assert copied == cursor.fetchone()[0] > 0


def test_rows_inserted_into_a_clone_get_fresh_ids(committed_db):
    # given a clone whose content types were copied with their ids
    target = "m_" + unique("ids_")
    schema_clone(source="tenant_template", target=target)
    # when new rows are added there
    with schema_context(target):
        from django.contrib.contenttypes.models import ContentType

        before = ContentType.objects.order_by("-pk").first().pk
        created = ContentType.objects.create(app_label="probe", model=unique("m"))
        user = user_create(email=unique("u") + "@x.test", password=PASSWORD)
    # then the sequences continue after the copied rows
    assert created.pk == before + 1
    assert user.pk == 1


def test_the_template_is_dumped_once_per_migration_state(committed_db):
    first = clone_script("tenant_template")
    with CaptureQueriesContext(connection) as queries:
        again = clone_script("tenant_template")
    assert again is first
    assert not any("pg_class" in q["sql"] for q in queries.captured_queries)


def test_a_bad_schema_name_is_refused_before_any_sql(committed_db):
    with pytest.raises(ValueError):
        schema_clone(source="tenant_template", target='x"; DROP SCHEMA public; --')


def test_a_failing_clone_leaves_no_half_schema(committed_db):
    target = "m_" + unique("twice_")
    schema_clone(source="tenant_template", target=target)
    with pytest.raises(Exception):  # noqa: B017 - the schema exists already
        schema_clone(source="tenant_template", target=target)
    assert schema_exists(target)
