"""Fifty identical submits at once, each on its own connection, store one response: the
rows are committed (``committed_db``) so that every thread sees them."""

from __future__ import annotations

import threading
import uuid

from django.db import connection, connections
from django_tenants.utils import schema_context

from surveys.models import Answer, Response
from tests.consultations.factories import staff_make
from tests.surveys.factories import question_add, survey_make
from tests.surveys.test_services import submit


def test_fifty_identical_submissions_at_once_store_one_response(committed_db, tenant_a):
    # given: committed rows, seen by fifty threads with their own connections
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        _c, survey = survey_make(admin)
        q = question_add(admin, survey, "short_text", "Pytanie")
    key = uuid.uuid4()
    barrier = threading.Barrier(50)
    results, failures = [], []

    def send():
        try:
            connection.set_tenant(_tenant(tenant_a))
            barrier.wait()
            results.append(submit(survey, {q.key: "raz"}, key=key))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(50)]
    # when
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert failures == []
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(idempotency_key=key).count() == 1
        assert Answer.objects.filter(response__idempotency_key=key).count() == 1
    assert sum(r.created for r in results) == 1
    assert len({r.response.pk for r in results}) == 1


def _tenant(info):
    from tenants.models import Municipality

    return Municipality.objects.get(schema_name=info.schema_name)
