"""What apps above tenants add to a municipality's page in the provider panel.

tenants sits below consultations and billing, so it never imports them: each describes a
section of the page (its consultations, its orders) and what running work a suspension would
interrupt, and registers it from its ``AppConfig.ready()`` (the way participation kinds
register with consultations). A section reading a municipality's own data enters that schema
through :func:`tenants.selectors.schema_read_only`, never by a query across schemas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    # Annotations only (import-linter still counts it, so it cannot hide a cycle).
    from tenants.models import Municipality


@dataclass(frozen=True)
class ProviderSection:
    key: str
    title: str | Promise
    # Rendered with ``record`` (the municipality) and what ``context`` returns.
    template_name: str
    context: Callable[[Municipality], dict[str, Any]]
    # Lower comes first on the page.
    position: int = 100
    # Only municipalities whose schema exists have data to show.
    needs_schema: bool = True


@dataclass(frozen=True)
class RunningWork:
    """Work a suspension would interrupt: ``count`` of it, and a sentence about it."""

    count: Callable[[Municipality], int]
    describe: Callable[[int], str]


_sections: dict[str, ProviderSection] = {}
_running: dict[str, RunningWork] = {}


def section_register(section: ProviderSection) -> None:
    _sections[section.key] = section


def sections() -> list[ProviderSection]:
    return sorted(_sections.values(), key=lambda s: (s.position, s.key))


def running_work_register(key: str, work: RunningWork) -> None:
    _running[key] = work


def running_work(municipality: Municipality) -> list[tuple[int, str]]:
    """(count, sentence) for every kind of running work the municipality has; empty when its
    schema does not exist yet."""
    if not municipality.is_ready:
        return []
    found = []
    for _key, work in sorted(_running.items()):
        count = work.count(municipality)
        found.append((count, work.describe(count)))
    return found
