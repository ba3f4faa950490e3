"""One policy for jobs over municipalities (tenants.fanout), on real PostgreSQL schemas."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants.fanout import fan_out
from tenants.models import Municipality, MunicipalityStatus
from tests.conftest import tenant_make, unique


def probe_count() -> int:
    """A job that reads a table only B has: in A the database itself raises."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM fanout_probe")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_job_failing_in_one_schema_still_runs_in_the_others(tenant_a, tenant_b, caplog):
    # given a table in B's schema only, with two rows (A sorts before B: it fails first)
    with schema_context(tenant_b.schema_name), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE fanout_probe (id int)")
        cursor.execute("INSERT INTO fanout_probe VALUES (1), (2)")
    # the project's logger does not propagate to the root logger pytest listens on
    logger = logging.getLogger("konsulta.tenants")
    logger.addHandler(caplog.handler)
    try:
        # when a job that reads it runs over every municipality
        summary = fan_out(job_name="probe count", job=probe_count)
    finally:
        logger.removeHandler(caplog.handler)
    # then A failed (a real "relation does not exist" from PostgreSQL) and B still ran
    assert tenant_a.schema_name in summary.failed
    assert tenant_a.schema_name not in summary.results
    assert summary.results[tenant_b.schema_name] == 2
    # and the failure is logged with the job, the schema named and the traceback
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(
        r.getMessage() == f"probe count failed in schema {tenant_a.schema_name}"
        and r.exc_info
        and "fanout_probe" in str(r.exc_info[1])
        for r in failures
    )
    # and the summary is plain data for a Celery result
    data = summary.as_dict()
    assert data["job"] == "probe count"
    assert data["failed"] == summary.failed
    assert data["ran"] == len(summary.results) + len(summary.failed)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "runs"),
    [
        # independent of tenants.selectors: the brief's policy, written out
        (MunicipalityStatus.ACTIVE, True),
        (MunicipalityStatus.SUSPENDED, False),
        (MunicipalityStatus.ARCHIVED, False),
        (MunicipalityStatus.PROVISIONING, False),
        (MunicipalityStatus.FAILED, False),
    ],
)
def test_only_active_municipalities_are_visited(tenant_a, tenant_b, status, runs):
    # given A active, B in ``status``, and a municipality still provisioning (no schema yet)
    Municipality.objects.filter(pk=tenant_b.pk).update(status=status)
    waiting = tenant_make(unique("czeka-"), "Gmina Czekająca", provision=False)
    visited: list[str] = []

    def job() -> None:
        visited.append(connection.schema_name)

    # when
    summary = fan_out(job_name="visit", job=job)
    # then the job ran in A, in B only when B is active, never in the waiting one
    assert tenant_a.schema_name in visited
    assert (tenant_b.schema_name in visited) is runs
    assert waiting.schema_name not in visited
    assert summary.failed == []
    assert sorted(summary.results) == sorted(visited)
