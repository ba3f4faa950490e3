"""Running one job in every municipality's schema: the one policy for periodic work.

Every beat task that does something "in each municipality" goes through ``fan_out``:

- only active municipalities (ready, and neither suspended nor archived): a schema still
  being provisioned may be half there, and a suspended or archived site is frozen;
- each schema on its own: one that fails is logged with its schema named and the others
  still run (the next beat retries it);
- a summary of what ran, what each schema's job returned and which schemas failed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenants.selectors import municipalities_active

logger = logging.getLogger("konsulta.tenants")


@dataclass
class FanOutSummary:
    job: str
    # schema name -> what the job returned there
    results: dict[str, Any] = field(default_factory=dict)
    # schema names where the job raised
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for a Celery result and the worker's log."""
        return {
            "job": self.job,
            "ran": len(self.results) + len(self.failed),
            "results": self.results,
            "failed": self.failed,
        }


def fan_out(*, job_name: str, job: Callable[[], Any]) -> FanOutSummary:
    """Call ``job()`` inside the schema of each active municipality, one after another.

    ``job`` takes no arguments: it works in whatever schema the connection is in, as a
    service does in a request. Its return value must be JSON-friendly (it ends up in the
    summary a Celery task returns)."""
    summary = FanOutSummary(job=job_name)
    schemas = list(
        municipalities_active().order_by("schema_name").values_list("schema_name", flat=True)
    )
    for schema_name in schemas:
        # Called inside a transaction (a test, a management command wrapped in one), a
        # database error would abort it for every later schema: a savepoint keeps it to
        # this one. Outside a transaction the job keeps its own transactions as they are.
        isolate = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        try:
            with schema_context(schema_name), isolate:
                summary.results[schema_name] = job()
        except Exception:
            # One broken schema must not stop the others; the next run retries it.
            logger.exception("%s failed in schema %s", job_name, schema_name)
            summary.failed.append(schema_name)
    if summary.failed:
        logger.warning(
            "%s: failed in %d of %d schemas: %s",
            job_name,
            len(summary.failed),
            len(schemas),
            ", ".join(summary.failed),
        )
    return summary
