"""Migration 0008: documents that existed before versions become version 1 of themselves."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

BEFORE = [("consultations", "0007_rules_snapshot_announcements_council_resolution")]
AFTER = [("consultations", "0008_document_versions")]


def migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db
def test_existing_documents_become_version_1_unchanged(tenant_a):
    with schema_context(tenant_a.schema_name):
        old_apps = migrate(BEFORE)
        Consultation = old_apps.get_model("consultations", "Consultation")
        Document = old_apps.get_model("consultations", "Document")
        consultation = Consultation.objects.create(title="Migracja", slug="migracja-wersji")
        old = [
            Document.objects.create(
                consultation=consultation, title=f"Dokument {n}", file=f"d{n}.pdf",
                kind="pdf", size=n, original_name=f"d{n}.pdf",
            ).pk
            for n in (1, 2)
        ]  # fmt: skip

        # The inserts' foreign keys are checked at commit; in a test all is one transaction,
        # so check them now, as the real commit would, before the table is altered.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        new_apps = migrate(AFTER)

        Document = new_apps.get_model("consultations", "Document")
        rows = list(
            Document.objects.filter(pk__in=old)
            .order_by("pk")
            .values_list("title", "version", "first_version_id", "change_note", "role", "file")
        )
        assert rows == [
            ("Dokument 1", 1, None, "", "attached", "d1.pdf"),
            ("Dokument 2", 1, None, "", "attached", "d2.pdf"),
        ]
