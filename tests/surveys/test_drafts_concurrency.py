"""Twenty saves of one owner's draft at once, each on its own connection, leave one row: the
rows are committed (``committed_db``) so that every thread sees them."""

from __future__ import annotations

import threading

from django.db import connections
from django_tenants.utils import schema_context

from common.db import connection
from surveys import services
from surveys.models import SurveyDraft
from surveys.services.drafts import DraftOwner
from tests.surveys.test_drafts import long_survey


def test_concurrent_saves_of_one_owner_update_one_row(committed_db, tenant_a):
    # given committed rows, seen by twenty threads with their own connections
    _admin, _consultation, survey, (_q1, q2, _q3, _q4) = long_survey(tenant_a)
    with schema_context(tenant_a.schema_name):
        version = survey.versions.get()
    owner = DraftOwner(browser_key="k" * 64)
    barrier = threading.Barrier(20)
    failures: list[str] = []

    def save(n: int) -> None:
        try:
            connection.set_tenant(_tenant(tenant_a))
            barrier.wait()
            services.survey_draft_save(
                survey=survey, version=version, owner=owner, data={f"q-{q2.key}": [f"wersja {n}"]}
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with schema_context(tenant_a.schema_name):
        (draft,) = SurveyDraft.objects.filter(survey=survey)
    assert draft.data[f"q-{q2.key}"][0].startswith("wersja ")


def _tenant(info):
    from tenants.models import Municipality

    return Municipality.objects.get(schema_name=info.schema_name)
