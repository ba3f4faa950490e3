"""Nobody is ever over capacity, however many confirm at the same moment: threads on real
PostgreSQL, each with its own connection, committed data."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from meetings.models import Event, Signup, SignupStatus
from meetings.selectors import cancel_token
from meetings.services import signup_cancel, signup_confirm
from tests.meetings.helpers import event_make, meeting_consultation, pending_signup


def _race(schema_name: str, calls: list) -> list[BaseException]:
    """Run each call in its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            with schema_context(schema_name):
                barrier.wait(timeout=30)
                call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


# Places, confirmations at once → confirmed, waiting (an independent table).
RACES = [(10, 20, 10, 10), (10, 50, 10, 40)]


@pytest.mark.parametrize(("capacity", "people", "confirmed", "waiting"), RACES)
def test_confirmations_at_the_same_moment_never_exceed_capacity(
    committed_db, tenant_a, capacity, people, confirmed, waiting
):
    # given an event with `capacity` places and `people` pending sign-ups
    with schema_context(tenant_a.schema_name):
        event = event_make(meeting_consultation(), capacity=capacity)
        tokens = [pending_signup(event)[1] for _ in range(people)]
    # when they all confirm at once (20 threads at a time: the test database's connections)
    errors = []
    for start in range(0, people, 20):
        batch = tokens[start : start + 20]
        errors += _race(
            tenant_a.schema_name,
            [lambda token=token: signup_confirm(token=token) for token in batch],
        )
    # then
    assert errors == []
    with schema_context(tenant_a.schema_name):
        statuses = list(Signup.objects.filter(event=event).values_list("status", flat=True))
        assert statuses.count(SignupStatus.CONFIRMED) == confirmed
        assert statuses.count(SignupStatus.WAITING) == waiting


def test_cancellations_at_once_promote_as_many_as_leave(committed_db, tenant_a):
    # given a full event of 5 places, 5 people waiting
    with schema_context(tenant_a.schema_name):
        event = event_make(meeting_consultation(), capacity=5)
        signups = [signup_confirm(token=pending_signup(event)[1]) for _ in range(10)]
        holders = [s for s in signups if s.status == SignupStatus.CONFIRMED]
        tokens = [cancel_token(s) for s in holders[:3]]
    # when three holders cancel at the same moment
    errors = _race(
        tenant_a.schema_name, [lambda token=token: signup_cancel(token=token) for token in tokens]
    )
    # then three people were promoted: still exactly 5 places taken, 2 waiting
    assert errors == []
    with schema_context(tenant_a.schema_name):
        statuses = list(Signup.objects.filter(event=event).values_list("status", flat=True))
        assert statuses.count(SignupStatus.CONFIRMED) == 5
        assert statuses.count(SignupStatus.WAITING) == 2
        assert statuses.count(SignupStatus.CANCELLED) == 3
        assert Event.objects.filter(pk=event.pk).exists()
