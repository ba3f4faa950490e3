"""Migrations 0005/0006: the array of forms becomes rows, on a real schema, forwards and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

BEFORE = [("consultations", "0004_consultation_slug_required")]
AFTER = [("consultations", "0006_remove_consultation_participation_forms_legacy")]

# the old array → the rows expected (kind names in position order); an independent table
ARRAYS = {
    "a": (["survey", "remarks", "meeting"], ["survey", "remarks", "meeting"]),
    "b": (
        ["meeting", "paper_email", "paragraph_comments"],
        ["remarks", "paragraph_comments", "meeting"],
    ),
    "c": (["remarks", "paper_email"], ["remarks"]),
    "d": ([], []),
    "e": (["poll"], ["poll"]),
}


def migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db
def test_the_array_of_forms_becomes_rows_and_back(tenant_a):
    with schema_context(tenant_a.schema_name):
        old_apps = migrate(BEFORE)
        Consultation = old_apps.get_model("consultations", "Consultation")
        ids = {}
        for key, (array, _rows) in ARRAYS.items():
            ids[key] = Consultation.objects.create(
                title=f"Migracja {key}", slug=f"migracja-{key}", participation_forms=array
            ).pk

        migrate([("consultations", "0005_participation_forms_as_rows")])
        # The copy inserted rows whose foreign keys PostgreSQL checks at commit; in a test
        # everything is one transaction, so check them now, as the real commit would.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        new_apps = migrate(AFTER)

        Form = new_apps.get_model("consultations", "ParticipationForm")
        for key, (_array, rows) in ARRAYS.items():
            got = list(
                Form.objects.filter(consultation_id=ids[key])
                .order_by("position")
                .values_list("kind", flat=True)
            )
            assert got == rows, key
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "consultations_consultation"
            )
        ]
        assert not any(name.startswith("participation_forms") for name in columns)

        # and back: the rows become the array again
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        old_apps = migrate(BEFORE)
        Consultation = old_apps.get_model("consultations", "Consultation")
        assert Consultation.objects.get(pk=ids["b"]).participation_forms == [
            "remarks",
            "paragraph_comments",
            "meeting",
        ]
        assert Consultation.objects.get(pk=ids["d"]).participation_forms == []

        migrate(AFTER)
