import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists

from accounts.services import user_create
from tenants.cloning import clone_script, schema_clone
from tests.conftest import PASSWORD, tenant_make, unique

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


def test_a_clone_failing_midway_leaves_no_half_schema(committed_db):
    # given a source schema whose replay script is cached, then one of its tables with rows
    # dropped: the cached DDL still creates every table in the target, and the copy of that
    # table's rows, which comes after it, fails
    source = "m_" + unique("src_")
    target = "m_" + unique("half_")
    schema_clone(source="tenant_template", target=source)
    assert "django_content_type" in clone_script(source).data_tables
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{source}".django_content_type CASCADE')
    try:
        # when the clone runs
        with pytest.raises(DatabaseError, match="django_content_type"):
            schema_clone(source=source, target=target)
        # then nothing of the target is left: no schema, no table, no sequence
        assert not schema_exists(target)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = %s",
                [target],
            )
            assert cursor.fetchone()[0] == 0
        # and the connection is usable for the next clone
        schema_clone(source="tenant_template", target=target)
        assert catalogue(target) == catalogue("tenant_template")
    finally:
        with connection.cursor() as cursor:
            for schema in (source, target):
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_provisioning_takes_a_spare_schema_and_the_pool_refills(committed_db, settings):
    from tenants.cloning import spares_discard_all, spares_list, spares_replenish

    # given a pool of two spares at the template's state
    spares_discard_all()
    assert spares_replenish(source="tenant_template", size=2) == 2
    spares = spares_list()
    # when a municipality is provisioned
    info = tenant_make(unique("pool-"), "Gmina z Puli")
    # then one of the spares became its schema, with the template's structure (a running
    # worker may already have cloned a replacement: the refill is queued on commit)
    taken = [spare for spare in spares if not schema_exists(spare)]
    assert len(taken) == 1
    assert catalogue(info.schema_name) == catalogue("tenant_template")
    with schema_context(info.schema_name):
        from accounts.models import Invitation

        assert Invitation.objects.count() == 1
    # and refilling brings the pool back to its size
    spares_replenish(source="tenant_template", size=2)
    assert len(spares_list()) == 2


def test_a_stale_spare_is_never_handed_out(committed_db):
    from tenants.cloning import spare_take, spares_discard_all, spares_list, spares_replenish

    # given a spare that lacks a migration the template has
    spares_discard_all()
    spares_replenish(source="tenant_template", size=1)
    (spare,) = spares_list()
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{spare}".django_migrations WHERE id = (SELECT max(id) FROM "{spare}".django_migrations)'
        )
    # when a schema is requested
    target = "m_" + unique("stale_")
    taken = spare_take(source="tenant_template", target=target)
    # then the stale spare is refused, and the next refill replaces it
    assert not taken
    assert not schema_exists(target)
    assert spares_replenish(source="tenant_template", size=1) == 1
    assert spare not in spares_list()
    spares_discard_all()


def test_two_takers_never_get_the_same_spare(committed_db):
    from tenants.cloning import spare_take, spares_discard_all, spares_replenish

    spares_discard_all()
    spares_replenish(source="tenant_template", size=1)
    first, second = "m_" + unique("t1_"), "m_" + unique("t2_")
    assert spare_take(source="tenant_template", target=first)
    assert not spare_take(source="tenant_template", target=second)
    assert schema_exists(first) and not schema_exists(second)
