"""Listeners told, inside the writing transaction, that something residents can see changed.

Every service that changes what a municipality's residents may see (a lifecycle step, an edit
of a consultation, its documents or forms, news, areas, categories, the site's settings)
calls `public_change()` before its transaction commits. Apps above `consultations` register
a listener in their `AppConfig.ready()`: the portal keeps its public index in the same
transaction as the change, the page cache bumps its version. `consultations` never imports
them; a listener that raises rolls the change back, so a listener must only fail when the
change itself must not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Scope = Literal[
    "lifecycle",  # a consultation's status changed (order, schedule, open, close, ...)
    "content",  # a consultation's own fields, areas, categories or dates were edited
    "documents",  # a consultation's documents changed
    "participation",  # a consultation's forms of participation changed
    "contributions",  # residents' contributions changed public counts
    "news",  # a news item was published or changed
    "site",  # site-wide: settings, branding, areas, categories, departments
]


@dataclass(frozen=True)
class PublicChange:
    """What changed: `consultation_id` is None for a site-wide change. `form_open` says that a
    "contributions" change went to a form open at that moment, whose count residents do not
    see yet (only a form whose phase is over shows it), so a listener need not look."""

    scope: Scope
    consultation_id: int | None = None
    form_open: bool = False


Listener = Callable[[PublicChange], None]

_listeners: list[Listener] = []


def listener_register(listener: Listener) -> None:
    """Add a listener (idempotent: a second registration of the same callable is ignored)."""
    if listener not in _listeners:
        _listeners.append(listener)


def listener_unregister(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def public_change(
    scope: Scope, consultation_id: int | None = None, *, form_open: bool = False
) -> None:
    """Tell every listener, in the caller's transaction (the caller's schema is current)."""
    change = PublicChange(scope=scope, consultation_id=consultation_id, form_open=form_open)
    for listener in list(_listeners):
        listener(change)
