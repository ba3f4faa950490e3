"""The beat task opens and closes consultations on time, in every municipality, alone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import Consultation, ConsultationStatus
from consultations.services import consultations_advance
from consultations.tasks import consultations_advance_all
from tests.consultations.factories import consultation_in_state

S = ConsultationStatus


def due_rows():
    """In the current schema: one due to open, one due to close, one not yet due."""
    now = timezone.now()
    to_open = consultation_in_state(
        S.SCHEDULED, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=21)
    )
    to_close = consultation_in_state(
        S.OPEN, starts_at=now - timedelta(days=21), ends_at=now - timedelta(minutes=1)
    )
    later = consultation_in_state(
        S.SCHEDULED, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=30)
    )
    return to_open, to_close, later


def statuses(schema, rows):
    with schema_context(schema):
        return [Consultation.objects.get(pk=row.pk).status for row in rows]


@pytest.mark.django_db
def test_the_task_opens_and_closes_in_two_tenants_without_touching_the_other(tenant_a, tenant_b):
    # given due consultations in A and B (ids may coincide: each schema has its own table)
    with schema_context(tenant_a.schema_name):
        rows_a = due_rows()
    with schema_context(tenant_b.schema_name):
        rows_b = due_rows()
        untouched_b = Consultation.objects.get(pk=rows_b[2].pk).updated_at
    # when the beat task runs, twice
    first = consultations_advance_all()
    second = consultations_advance_all()
    # then each tenant's rows moved once, in their own schema
    assert statuses(tenant_a.schema_name, rows_a) == [S.OPEN, S.CLOSED, S.SCHEDULED]
    assert statuses(tenant_b.schema_name, rows_b) == [S.OPEN, S.CLOSED, S.SCHEDULED]
    assert first["results"][tenant_a.schema_name] == [1, 1]
    assert first["results"][tenant_b.schema_name] == [1, 1]
    assert second["results"][tenant_a.schema_name] == [0, 0]
    assert second["results"][tenant_b.schema_name] == [0, 0]
    with schema_context(tenant_b.schema_name):
        assert Consultation.objects.get(pk=rows_b[2].pk).updated_at == untouched_b


@pytest.mark.django_db
def test_a_consultation_whose_whole_period_passed_opens_and_closes_in_one_run(tenant_a):
    now = timezone.now()
    with schema_context(tenant_a.schema_name):
        late = consultation_in_state(
            S.SCHEDULED, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
        )
        assert consultations_advance(now=now) == (1, 1)
        late.refresh_from_db()
        assert late.status == S.CLOSED and late.opened_at and late.closed_at


@pytest.mark.django_db
def test_a_suspended_municipality_is_skipped(tenant_a):
    from tenants.models import Municipality, MunicipalityStatus

    with schema_context(tenant_a.schema_name):
        to_open, _, _ = due_rows()
    Municipality.objects.filter(pk=tenant_a.pk).update(status=MunicipalityStatus.SUSPENDED)
    consultations_advance_all()
    assert statuses(tenant_a.schema_name, [to_open]) == [S.SCHEDULED]


def test_the_real_worker_runs_the_task_in_two_tenants(live_stack, committed_db, tenant_a, tenant_b):
    # given committed due consultations in A and B
    with schema_context(tenant_a.schema_name):
        rows_a = due_rows()
    with schema_context(tenant_b.schema_name):
        rows_b = due_rows()
    # when the real Celery worker runs the beat task
    result = consultations_advance_all.delay().get(timeout=60)
    # then both tenants' rows moved, and the later ones stayed
    assert result["results"][tenant_a.schema_name][0] >= 1
    assert statuses(tenant_a.schema_name, rows_a) == [S.OPEN, S.CLOSED, S.SCHEDULED]
    assert statuses(tenant_b.schema_name, rows_b) == [S.OPEN, S.CLOSED, S.SCHEDULED]
