"""The rules a consultation sets for its remarks, read from its participation form's settings.

``consultations`` stores each form's settings as JSON and leaves their meaning to the kind:
these are the remarks kinds' keys. Nothing here is a legal default hidden in code: a missing
key takes the most open reading the act on municipal self-government allows (art. 5a: the
council resolution decides), and the coordinator sets the rest per consultation in the panel
(``remarks.services.remark_form_settings_update``, the page "Ustawienia formularza").

The shape of ``ParticipationForm.settings`` for the kinds "remarks" and "paragraph_comments"
(every key optional; a value of the wrong type reads as the default):

    {
      "name_required": true,         # a person's or organisation's name (default true)
      "address_required": false,     # the author's address (default false)
      "anonymous_accepted": false,   # "I prefer not to give my name" offered (default false)
      "moderation": "post",          # "post" (public at once) or "pre" (after review)
      "supports_allowed": false,     # comments on the draft: signed-in residents support
      "replies_allowed": true,       # comments on the draft: replies to a comment
      "sections": ["§ 1", "§ 2"],    # remark form: the parts of the document to pick from;
                                     # empty: the resident writes the part freely
      "source": "§ 4 ust. 2 uchwały nr XII/85/2026",  # quoted in every formal defect
      "locked": {"name_required": "art. 8g ust. 2 ustawy o planowaniu ..."}
    }

``locked`` is for a legal rule set (issue 8): it sets a key's value and names, per key, the
provision that requires it. The panel shows a locked key read-only with that citation and the
settings service refuses to change it; only the rule set (writing the JSON again through
``consultations.services.participation_form_update``) changes or unlocks it. Forcing author
details on is therefore: ``{"name_required": true, "address_required": true,
"anonymous_accepted": false, "locked": {"name_required": "...", "address_required": "...",
"anonymous_accepted": "..."}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

KIND_REMARKS = "remarks"
KIND_COMMENTS = "paragraph_comments"

SECTIONS_MAX = 100
SECTION_MAX_LENGTH = 300

MODERATION_PRE = "pre"
MODERATION_POST = "post"
MODERATION_CHOICES = [
    (MODERATION_POST, _("Post-moderation: published at once, reviewed when flagged")),
    (MODERATION_PRE, _("Pre-moderation: published after a moderator's review")),
]


@dataclass(frozen=True)
class RemarkRules:
    name_required: bool = True
    address_required: bool = False
    anonymous_accepted: bool = False
    moderation: str = MODERATION_POST
    supports_allowed: bool = False
    replies_allowed: bool = True
    # The parts of the document a resident picks from (empty: written freely).
    sections: tuple[str, ...] = ()
    # Where these rules come from, quoted in every formal defect they find (e.g. "§ 4 ust. 2
    # uchwały nr XII/85/2026 Rady Gminy Dębno").
    source: str = ""

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> RemarkRules:
        settings = settings or {}
        defaults = cls()

        def flag(name: str) -> bool:
            value = settings.get(name, getattr(defaults, name))
            return value if isinstance(value, bool) else getattr(defaults, name)

        moderation = settings.get("moderation", defaults.moderation)
        if moderation not in (MODERATION_PRE, MODERATION_POST):
            moderation = defaults.moderation
        source = settings.get("source", "")
        sections = settings.get("sections", ())
        if not isinstance(sections, list | tuple):
            sections = ()
        return cls(
            name_required=flag("name_required"),
            address_required=flag("address_required"),
            anonymous_accepted=flag("anonymous_accepted"),
            moderation=moderation,
            supports_allowed=flag("supports_allowed"),
            replies_allowed=flag("replies_allowed"),
            sections=tuple(
                part[:SECTION_MAX_LENGTH] for part in sections if isinstance(part, str) and part
            )[:SECTIONS_MAX],
            source=source[:300] if isinstance(source, str) else "",
        )

    def as_settings(self) -> dict[str, Any]:
        values = asdict(self)
        values["sections"] = list(self.sections)
        return values

    def tightened_by(self, legal_rules: Mapping[str, Any] | None) -> RemarkRules:
        """These rules, made at least as strict as the consultation's legal rule set (its
        copy, ``Consultation.rules_snapshot``): the author details the act requires (the
        planning act's art. 8g ust. 2: name and address) and whether anonymous remarks
        count. The act is then the source quoted in the messages."""
        legal_rules = legal_rules or {}
        fields = set(legal_rules.get("remark_author_fields") or [])
        no_anonymous = legal_rules.get("anonymous_remarks_count") is False
        name = self.name_required or "name" in fields
        address = self.address_required or "address" in fields
        anonymous = self.anonymous_accepted and not no_anonymous
        if (name, address, anonymous) == (
            self.name_required,
            self.address_required,
            self.anonymous_accepted,
        ):
            return self
        article = legal_rules.get("remarks_article") or ""
        source = str(legal_rules.get("source") or "")
        return replace(
            self,
            name_required=name,
            address_required=address,
            anonymous_accepted=anonymous,
            source=(f"{source}, {article}" if article else source)[:300] or self.source,
        )


# Keys a coordinator sets on the panel page, per kind (the others are kept as they are).
SETTINGS_KEYS: dict[str, tuple[str, ...]] = {
    KIND_REMARKS: (
        "name_required",
        "address_required",
        "anonymous_accepted",
        "moderation",
        "sections",
        "source",
    ),
    KIND_COMMENTS: (
        "name_required",
        "moderation",
        "replies_allowed",
        "supports_allowed",
        "source",
    ),
}


def settings_locked(settings: Mapping[str, Any] | None) -> dict[str, str]:
    """The keys a legal rule set fixed, each with the provision it cites."""
    locked = (settings or {}).get("locked")
    if not isinstance(locked, dict):
        return {}
    return {
        key: str(citation)[:500]
        for key, citation in locked.items()
        if isinstance(key, str) and isinstance(citation, str)
    }


@dataclass(frozen=True)
class FormWindow:
    """When a form accepts remarks: its own window, else the consultation's dates."""

    starts_at: datetime | None
    ends_at: datetime | None
