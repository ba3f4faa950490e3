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


def test_twenty_submits_through_one_link_at_once_store_one_response(committed_db, tenant_a):
    # given an invited-only survey and one invitation (committed, seen by every thread)
    from django.core.exceptions import ValidationError

    from surveys import services
    from surveys.models import Invitation
    from surveys.services.invitations import token_hash
    from tests.concurrency import at_once
    from tests.surveys.factories import choice_key

    token = "wyscig-" + uuid.uuid4().hex
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        _c, survey = survey_make(admin, audience="invited")
        q = question_add(admin, survey, "single", "Pytanie", choices=["Tak", "Nie"])
        Invitation.objects.create(
            survey=survey, email="r@example.org", token_hash=token_hash(token)
        )
        answers = {q.key: choice_key(q, "Tak")}

    def send() -> str:
        connection.set_tenant(_tenant(tenant_a))
        try:
            services.survey_response_submit(
                acting_user=None,
                survey_id=survey.pk,
                idempotency_key=uuid.uuid4(),
                answers=answers,
                invitation_token=token,
            )
        except ValidationError as exc:
            assert "został już wykorzystany" in exc.messages[0], exc.messages
            return "refused"
        return "stored"

    # when twenty different submits (different idempotency keys) use the link at once
    outcomes = at_once(*[send] * 20)
    # then the unique column let exactly one through
    assert outcomes.count("stored") == 1, outcomes
    assert outcomes.count("refused") == 19, outcomes
    with schema_context(tenant_a.schema_name):
        assert Response.objects.filter(survey=survey).count() == 1
        assert Invitation.objects.get(survey=survey).used_at is not None


def _tenant(info):
    from tenants.models import Municipality

    return Municipality.objects.get(schema_name=info.schema_name)


def test_thirty_different_submissions_at_once_keep_exact_results(committed_db, tenant_a):
    # given a survey with a choice, a scale and a matrix (the tallies' rows all submits share)
    from surveys import selectors, services
    from tests.concurrency import at_once
    from tests.surveys.factories import choice_key

    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        _c, survey = survey_make(admin)
        single = question_add(admin, survey, "single", "Park?", choices=["Tak", "Nie"])
        scale = question_add(admin, survey, "scale", "Ocena", max_value=5)
        matrix = question_add(admin, survey, "matrix", "Oceny", choices=["A", "B"], max_value=3)
        answers = {
            single.key: choice_key(single, "Tak"),
            scale.key: "4",
            matrix.key: {choice_key(matrix, "A"): "1", choice_key(matrix, "B"): "3"},
        }

    def send() -> bool:
        connection.set_tenant(_tenant(tenant_a))
        return services.survey_response_submit(
            acting_user=None, survey_id=survey.pk, idempotency_key=uuid.uuid4(), answers=answers
        ).created

    # when thirty residents submit at once (each its own connection and transaction)
    outcomes = at_once(*[send] * 30)
    # then every one is stored (no deadlock between their tally upserts) and the results count
    # each exactly once
    assert outcomes == [True] * 30, outcomes
    with schema_context(tenant_a.schema_name):
        results = selectors.survey_results(survey)
        assert results.responses == 30 == selectors.response_count(survey)
        by_text = {r.question.text: r for r in results.questions}
        assert [(r.label, r.count) for r in by_text["Park?"].rows] == [("Tak", 30), ("Nie", 0)]
        assert by_text["Ocena"].answered == 30 and by_text["Ocena"].mean == 4.0
        assert by_text["Oceny"].matrix == [("A", [30, 0, 0], 1.0), ("B", [0, 0, 30], 3.0)]
