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
- ``settings_url_name``: the staff page where a form of this kind is configured (what the
  kind keeps in ``ParticipationForm.settings``), reversed with the consultation's id; ``None``
  when the kind has nothing to configure;
- ``resident_ready(consultation)``: whether the resident page has something to show while
  the form is open (a survey the municipality has not built yet has not); without it the
  page says the form is being prepared instead of linking to a 404; always by default;
- ``settings_open(consultation)``: whether that page may still be used (the panel links to
  it only then; a closed consultation's remark form no longer changes); always by default;
- ``addon_code``: the price-list add-on an order must include before the kind is offered
  (``None`` when it comes with every consultation);
- ``service_addon_code``: a price-list add-on the kind's app delivers as the provider's
  service for a kind that comes with every consultation (the provider's staff build the
  survey): orderable, since something delivers it, but it does not gate the kind;
- ``contribution_count(consultation)``: how many contributions it holds; a form with
  contributions cannot be removed from a consultation;
- ``report_section(consultation)``: the kind's section of the consultation report, or
  ``None`` while it has nothing to say. Besides its own figures, the dict carries ``title``
  and ``blocks``: a list of :data:`ReportBlock` dicts that the report app renders alike in
  every format (HTML, PDF, ODT, DOCX, XLSX, CSV), so a new kind plugs in without the report
  knowing it. A section never holds a private person's name, address or e-mail
  (organisations keep their name);
- ``report_blockers(consultation)``: what still stops the report from being published (e.g.
  remarks without an approved response), each ``{"label": str, "url": str | None}``;
- ``participant_emails(consultation)``: addresses participants left (to tell them the report
  is out; each address gets one mail whatever the kinds that know it);
- ``personal_strings(consultation)``: names and addresses of private persons the kind holds,
  which the report removes wherever they were typed into free text;
- ``archive_files(consultation)``: ``(file name, bytes)`` pairs the kind adds to the
  consultation's ZIP archive for the municipality (the register, responses, minutes…);
- ``notice_lines(consultation)``: what the consultation's announcement (the notice, PDF and
  ODT) says about this form beyond its name, window and address: places and times of
  meetings, opening hours of a consultation point, how to sign up. Plain sentences in the
  active language; none by default;
- ``events(consultation)``: the kind's dated events (a meeting, a study walk, a consultation
  point), as :class:`ParticipationEvent` rows: the consultation's staff page lists them and
  the register of remarks lets a clerk name the one a remark was made at (channel
  "meeting") — so remarks and meetings, sibling kinds, never import each other;
- ``free_texts(consultation, keys)``: what residents wrote freely in this kind's
  contributions (a survey's open answers), as :class:`FreeText` rows, that a coordinator may
  promote into the register of remarks; ``keys`` (None: all) narrows to those keys. ``None``
  when the kind has no free text. The register (the remarks kind) reads them through
  :func:`free_texts_of` and never imports the kind that wrote them;
- ``template_name``: the partial rendered in "how to take part" on the consultation page,
  given ``consultation``, ``form`` (the ParticipationForm row) and ``phase``
  ("before" / "open" / "after"), and ``entry`` (``consultations.selectors.ParticipationEntry``:
  label, window, the resident URL while open, the count after); ``None`` renders the
  generic partial ``consultations/resident/_participation_form.html``.

Kinds that need a price-list add-on ask billing which add-ons a consultation's order holds.
Billing sits above consultations and registers the answer with
:func:`order_addon_codes_source_set` from its own ``ready()``; without billing nothing needs
an add-on that an order could hold, so such kinds are not offered.

What consultations gives a kind's app in return:
- ``consultations.selectors.participation_form_get(consultation, name)``: the form row of
  that kind (None when the consultation does not use it), with ``form.settings`` (the kind
  owns their meaning) and ``form.is_open_at(now)``, to check before taking a contribution;
- ``consultations.services.audit_record(...)``: the audit row every staff action on a
  contribution leaves, written inside the action's own transaction.

Tests may register a kind of their own and must :func:`unregister` it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Annotations only (import-linter still counts it, so it cannot hide a cycle).
    from consultations.models import Consultation


def _no_contributions(consultation: Consultation) -> int:
    return 0


def _always(consultation: Consultation) -> bool:
    return True


def _no_report_section(consultation: Consultation) -> dict[str, Any] | None:
    return None


def _no_notice_lines(consultation: Consultation) -> list[str]:
    return []


@dataclass(frozen=True)
class ParticipationEvent:
    """One dated event of a kind (a meeting, a walk, a consultation point), as other kinds
    and the consultation's pages see it."""

    kind: str
    id: int
    title: str
    type_label: str
    starts_at: datetime
    place: str
    cancelled: bool
    panel_url: str | None = None

    @property
    def label(self) -> str:
        """What a clerk reads in a list and what a remark keeps: type, title, start."""
        when = date_format(timezone.localtime(self.starts_at), "j E Y, H:i")
        return f"{self.type_label}: {self.title} ({when})"


def _no_events(consultation: Consultation) -> list[ParticipationEvent]:
    return []


@dataclass(frozen=True)
class FreeText:
    """A resident's free text in a kind's contribution, as plain data (no model of the kind).

    ``key`` is stable and unique across kinds and municipalities' schemas alike, at most 100
    characters (e.g. ``"survey:answer:42"``): the register stores it so a text is promoted at
    most once."""

    key: str
    kind: str
    # Where it was written, for staff: the contribution's title (a survey's) and the
    # question answered; the register names the kind by its label.
    title: str
    question: str
    text: str
    written_at: datetime


FreeTexts = Callable[["Consultation", Collection[str] | None], list[FreeText]]


def _nothing(consultation: Consultation) -> list[Any]:
    return []


# The blocks of a report section (``report_section(...)["blocks"]``), one dict each:
# - {"type": "paragraph", "text": str}
# - {"type": "facts", "items": [[label, value], ...]}
# - {"type": "table", "caption": str, "headers": [str, ...], "rows": [[cell, ...], ...],
#    "sheet": str (a short name for a spreadsheet)}
# - {"type": "chart", "caption": str, "bars": [{"label": str, "count": int,
#    "percent": float | None}, ...]} (drawn as SVG with a text alternative and a table)
ReportBlock = dict[str, Any]


@dataclass(frozen=True)
class ParticipationKind:
    name: str
    label: str | Promise
    resident_actions: tuple[str, ...] = ()
    resident_url_name: str | None = None
    resident_ready: Callable[[Consultation], bool] = field(default=_always)
    panel_url_name: str | None = None
    settings_url_name: str | None = None
    settings_open: Callable[[Consultation], bool] = field(default=_always)
    addon_code: str | None = None
    service_addon_code: str | None = None
    template_name: str | None = None
    contribution_count: Callable[[Consultation], int] = field(default=_no_contributions)
    report_section: Callable[[Consultation], dict[str, Any] | None] = field(
        default=_no_report_section
    )
    notice_lines: Callable[[Consultation], list[str]] = field(default=_no_notice_lines)
    events: Callable[[Consultation], list[ParticipationEvent]] = field(default=_no_events)
    free_texts: FreeTexts | None = None

    report_blockers: Callable[[Consultation], list[dict[str, Any]]] = field(default=_nothing)
    participant_emails: Callable[[Consultation], list[str]] = field(default=_nothing)
    personal_strings: Callable[[Consultation], list[str]] = field(default=_nothing)
    archive_files: Callable[[Consultation], list[tuple[str, bytes]]] = field(default=_nothing)
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


def unregister(name: str) -> None:
    """Remove a kind (tests only: an installed app's kind stays for the process's life)."""
    _registry.pop(name, None)


def kind_get(name: str) -> ParticipationKind | None:
    """The registered kind called ``name``, or None (its app is not installed)."""
    return _registry.get(name)


# Names staff read for rows whose kind's app is announced but not installed yet (rows kept
# from the old list of forms). A registered kind's own label always wins.
_PLANNED_LABELS: dict[str, str | Promise] = {
    "survey": _("Online survey"),
    "poll": _("Poll"),
    "meeting": _("Consultation meeting"),
    "remarks": _("Remarks form"),
    "paragraph_comments": _("Comments on the draft, paragraph by paragraph"),
}


def kind_label(name: str) -> str | Promise:
    """What to call a form of this kind name, registered or not."""
    kind = _registry.get(name)
    if kind is not None:
        return kind.label
    return _PLANNED_LABELS.get(name, name)


def kinds() -> Iterator[ParticipationKind]:
    """Every registered kind, in page order."""
    yield from sorted(_registry.values(), key=lambda kind: (kind.weight, kind.name))


def kind_choices() -> list[tuple[str, str | Promise]]:
    """(name, label) of every registered kind, for a form's choices."""
    return [(kind.name, kind.label) for kind in kinds()]


def events(consultation: Consultation) -> list[ParticipationEvent]:
    """The dated events of every registered kind for this consultation, earliest first."""
    found = [event for kind in kinds() for event in kind.events(consultation)]
    return sorted(found, key=lambda event: (event.starts_at, event.kind, event.id))


def event_get(consultation: Consultation, event_id: int) -> ParticipationEvent | None:
    """The consultation's event with this id (of any kind), or None: an event of another
    consultation, or of another municipality's schema, is simply not found."""
    return next((event for event in events(consultation) if event.id == event_id), None)


def free_texts_of(
    consultation: Consultation, kind_names: Collection[str], keys: Collection[str] | None = None
) -> list[FreeText]:
    """The free texts of the consultation's forms of these kinds (those whose kind gives
    any), oldest first; ``keys`` narrows to those keys."""
    texts: list[FreeText] = []
    for name in kind_names:
        kind = _registry.get(name)
        if kind is not None and kind.free_texts is not None:
            texts.extend(kind.free_texts(consultation, keys))
    return sorted(texts, key=lambda text: (text.written_at, text.key))


def kinds_with_free_texts(kind_names: Collection[str]) -> list[ParticipationKind]:
    """Those of these kinds that give free texts to promote."""
    return [
        kind
        for name in kind_names
        if (kind := _registry.get(name)) is not None and kind.free_texts is not None
    ]


# --- Price-list add-ons: asked of billing, which is above consultations -----------------------

OrderAddonCodesSource = Callable[["Consultation"], frozenset[str]]
_order_addon_codes_source: OrderAddonCodesSource | None = None


def order_addon_codes_source_set(source: OrderAddonCodesSource | None) -> None:
    """Billing tells how to read the add-on codes of a consultation's live order."""
    global _order_addon_codes_source
    _order_addon_codes_source = source


def order_addon_codes(consultation: Consultation) -> frozenset[str]:
    """The add-on codes the consultation's live order includes (none without billing)."""
    if _order_addon_codes_source is None:
        return frozenset()
    return frozenset(_order_addon_codes_source(consultation))


def kinds_offered(consultation: Consultation) -> list[ParticipationKind]:
    """The kinds a coordinator may choose for this consultation: every registered kind, save
    those needing an add-on its order does not include."""
    addon_codes: frozenset[str] | None = None
    offered = []
    for kind in kinds():
        if kind.addon_code is not None:
            if addon_codes is None:
                addon_codes = order_addon_codes(consultation) if consultation.pk else frozenset()
            if kind.addon_code not in addon_codes:
                continue
        offered.append(kind)
    return offered
