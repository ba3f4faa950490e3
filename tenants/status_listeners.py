"""Listeners told, inside the transaction, that a municipality's status or details changed.

`tenants` sits below every app that cares (the portal drops a suspended or archived
municipality from its public index, the page cache forgets it); they register here in their
`AppConfig.ready()` and `tenants` never imports them. Runs in the public schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenants.models import Municipality

Listener = Callable[["Municipality"], None]

_listeners: list[Listener] = []


def listener_register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def listener_unregister(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def municipality_changed(municipality: Municipality) -> None:
    """Call after saving a municipality's status or details, inside the same transaction."""
    for listener in list(_listeners):
        listener(municipality)
