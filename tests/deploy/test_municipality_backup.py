"""municipality_backup / municipality_restore: one municipality's schema, files and shared rows
round-trip exactly, beside it and in place; nothing of another municipality changes, and a
live municipality is not overwritten unless told."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from tests.conftest import VAR, tenant_make, unique

pytestmark = pytest.mark.live


def tables(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def schema_snapshot(schema):
    """Every table's row count and a digest of all its rows (ids included)."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table in tables(schema):
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                f' FROM "{schema}"."{table}" t'
            )
            snapshot[table] = cursor.fetchone()
    return snapshot


def files_snapshot(schema):
    folder = Path(settings.MEDIA_ROOT) / schema
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def rows(queryset, *keys):
    """Every column of every row but the keys ``keys``, in a stable order."""
    return sorted(
        repr(sorted((k, v) for k, v in row.items() if k not in keys)) for row in queryset.values()
    )


def shared_snapshot(municipality_id):
    """The municipality's shared rows, every column but their (possibly new) keys; an order's
    items and events named by the order's consultation."""
    from billing.models import BillingProfile, Order, OrderEvent, OrderItem
    from tenants.models import Domain, Municipality, MunicipalityEvent

    orders = Order.objects.filter(municipality_id=municipality_id)
    order_of = dict(orders.values_list("id", "consultation_id"))
    return {
        "municipality": rows(Municipality.objects.filter(pk=municipality_id), "id"),
        "domains": rows(Domain.objects.filter(tenant_id=municipality_id), "id", "tenant_id"),
        "events": rows(
            MunicipalityEvent.objects.filter(municipality_id=municipality_id),
            "id",
            "municipality_id",
        ),
        "profile": rows(
            BillingProfile.objects.filter(municipality_id=municipality_id), "id", "municipality_id"
        ),
        "orders": rows(orders, "id", "municipality_id"),
        "items": sorted(
            (
                order_of[i["order_id"]],
                repr(sorted((k, v) for k, v in i.items() if k not in ("id", "order_id"))),
            )
            for i in OrderItem.objects.filter(order__in=orders).values()
        ),
        "order_events": sorted(
            (
                order_of[e["order_id"]],
                repr(sorted((k, v) for k, v in e.items() if k not in ("id", "order_id"))),
            )
            for e in OrderEvent.objects.filter(order__in=orders).values()
        ),
    }


@pytest.fixture
def municipality_with_data(committed_db):
    """A municipality with a consultation, a document (a file), a staff user, invoice data and
    an order placed for payment by transfer."""
    from accounts.services import user_create
    from billing.services import order_place
    from consultations.services import document_add
    from tenants.models import Municipality
    from tests.billing.conftest import consultation_make, invoice_data_enter
    from tests.consultations.factories import consultation_in_state, pdf_bytes, upload

    info = tenant_make(unique("bk"), "Gmina Kopii Zapasowej")
    municipality = Municipality.objects.get(pk=info.pk)
    invoice_data_enter(municipality)
    with schema_context(info.schema_name):
        admin = user_create(email=unique("adm") + "@kopia.test", password="x" * 12, role="admin")
        open_one = consultation_in_state("open", title="Plan parku")
        document_add(
            acting_user=admin,
            consultation_id=open_one.pk,
            title="Mapa",
            upload=upload("mapa.pdf", pdf_bytes()),
        )
    ordered = consultation_make(info.schema_name, title="Nowy przystanek")
    order_place(
        municipality=municipality,
        consultation_id=ordered,
        addon_codes=[],
        payment_method="transfer",
        acting_user=admin,
    )
    return info


def test_backup_and_restore_round_trip_every_table_and_file(municipality_with_data, tenant_b):
    from tenants.models import Municipality

    m = municipality_with_data
    subdomain = m.host.split(".")[0]
    archive = VAR / "backups" / f"{subdomain}.tar.gz"
    before = schema_snapshot(m.schema_name)
    before_files = files_snapshot(m.schema_name)
    before_shared = shared_snapshot(m.pk)
    other = schema_snapshot(tenant_b.schema_name), shared_snapshot(tenant_b.pk)
    assert before_files, "the document's file is in the backup's scope"
    assert len(before_shared["orders"]) == 1 and before_shared["profile"]

    call_command("municipality_backup", subdomain, output=str(archive))
    assert archive.is_file()

    # Over the live municipality: refused, nothing changed.
    with pytest.raises(CommandError, match="--replace"):
        call_command("municipality_restore", str(archive))
    assert schema_snapshot(m.schema_name) == before

    # Beside it, as a new subdomain for inspection: the same tables and files.
    copy = unique("kopia")
    call_command("municipality_restore", str(archive), new_subdomain=copy)
    copy_schema = "m_" + copy
    assert schema_snapshot(copy_schema) == before
    assert files_snapshot(copy_schema) == before_files
    inspection = Municipality.objects.get(schema_name=copy_schema)
    assert inspection.primary_host == f"{copy}.{settings.PLATFORM_DOMAIN}"
    assert not inspection.orders.exists()  # the original's orders stay the original's

    # Damage the original: a table emptied, a file deleted, its order gone.
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{m.schema_name}".consultations_document')
    next((Path(settings.MEDIA_ROOT) / m.schema_name).rglob("*.pdf")).unlink()
    assert schema_snapshot(m.schema_name) != before

    # In place, told to replace: every table, file and shared row as backed up.
    call_command("municipality_restore", str(archive), replace=True)
    restored = Municipality.objects.get(schema_name=m.schema_name)
    assert schema_snapshot(m.schema_name) == before
    assert files_snapshot(m.schema_name) == before_files
    assert shared_snapshot(restored.pk) == before_shared
    # The other municipality, untouched throughout.
    assert (schema_snapshot(tenant_b.schema_name), shared_snapshot(tenant_b.pk)) == other


def test_a_restore_needs_a_free_subdomain(municipality_with_data, tenant_b):
    m = municipality_with_data
    subdomain = m.host.split(".")[0]
    archive = VAR / "backups" / f"{subdomain}-b.tar.gz"
    call_command("municipality_backup", subdomain, output=str(archive))
    taken = tenant_b.host.split(".")[0]
    before = schema_snapshot(tenant_b.schema_name)
    with pytest.raises(CommandError):
        call_command("municipality_restore", str(archive), new_subdomain=taken, replace=True)
    assert schema_snapshot(tenant_b.schema_name) == before
