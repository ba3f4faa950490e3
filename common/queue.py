"""Background work queued by a service: the task is named, not imported.

A task is a thin wrapper that calls a service, so ``tasks`` sits above ``services`` (as views
do). A service that needs a task run after it commits therefore names it: importing the task
would make services and tasks import each other, a cycle `make lint` refuses even when the
import hides inside a function. The name is the task's dotted path
(``"accounts.tasks.invitation_send"``); a wrong one fails the tests that wait for the worker.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def task_queue_on_commit(name: str, /, *args: Any, **kwargs: Any) -> None:
    """Queue the task ``name`` with these arguments once the current transaction commits (at
    once outside a transaction). The schema current at that moment travels with it, so the
    worker runs it there (tenant-schemas-celery). A registered task is sent through its own
    ``apply_async``, which honours ``task_always_eager`` (the benches); otherwise by name."""
    signature = current_app.signature(name, args=args, kwargs=kwargs)
    transaction.on_commit(signature.delay)
