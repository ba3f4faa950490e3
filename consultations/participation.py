"""The registry of participation kinds (Decidim's "components", adhocracy4's "modules").

A participation kind is a way residents take part in a consultation: the remarks form,
comments on the draft, a survey, a meeting. Each kind lives in its own tenant app, which
describes itself with a :class:`ParticipationKind` and calls :func:`register` from its
``AppConfig.ready()``. ``consultations`` never imports a kind: it asks this registry.

The contract a kind fulfils:
- ``name``: a stable slug stored in the database (``ParticipationForm.kind``);
- ``label``: what residents and staff read (lazy translation);
- ``resident_actions``: what a resident may do while the form is open (for the page and for
  the permission predicates), e.g. ``("submit",)``, ``("comment", "reply", "support")``;
- ``resident_url_name`` / ``panel_url_name``: URL names reversed with the consultation's slug
  (resident) or id (panel) as the only keyword argument, ``None`` when the kind has no page;
- ``addon_code``: the price-list add-on an order must include before the kind is offered
  (``None`` when it comes with every consultation);
- ``contribution_count(consultation)``: how many contributions it holds; a form with
  contributions cannot be removed from a consultation;
- ``report_section(consultation)``: the kind's section of the consultation report, or
  ``None`` while it has nothing to say;
- ``template_name``: the partial rendered in "how to take part" on the consultation page,
  given ``consultation``, ``form`` (the ParticipationForm row) and ``phase``
  ("before" / "open" / "after").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from consultations.models import Consultation


def _no_contributions(consultation: Consultation) -> int:
    return 0


def _no_report_section(consultation: Consultation) -> dict[str, Any] | None:
    return None


@dataclass(frozen=True)
class ParticipationKind:
    name: str
    label: str | Promise
    resident_actions: tuple[str, ...] = ()
    resident_url_name: str | None = None
    panel_url_name: str | None = None
    addon_code: str | None = None
    template_name: str | None = None
    contribution_count: Callable[[Consultation], int] = field(default=_no_contributions)
    report_section: Callable[[Consultation], dict[str, Any] | None] = field(
        default=_no_report_section
    )
    # Order on the page and in the form's choices: lower first.
    weight: int = 100


class KindAlreadyRegistered(Exception):
    pass


_registry: dict[str, ParticipationKind] = {}


def register(kind: ParticipationKind) -> ParticipationKind:
    """Add a kind; called once from its app's ``AppConfig.ready()``."""
    existing = _registry.get(kind.name)
    if existing is not None and existing != kind:
        raise KindAlreadyRegistered(kind.name)
    _registry[kind.name] = kind
    return kind


def kind_get(name: str) -> ParticipationKind | None:
    """The registered kind called ``name``, or None (its app is not installed)."""
    return _registry.get(name)


def kinds() -> Iterator[ParticipationKind]:
    """Every registered kind, in page order."""
    yield from sorted(_registry.values(), key=lambda kind: (kind.weight, kind.name))


def kind_choices() -> list[tuple[str, str | Promise]]:
    """(name, label) of every registered kind, for a form's choices."""
    return [(kind.name, kind.label) for kind in kinds()]
