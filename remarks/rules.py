"""The rules a consultation sets for its remarks, read from its participation form's settings.

``consultations`` stores each form's settings as JSON and leaves their meaning to the kind:
these are the remarks kinds' keys. Nothing here is a legal default hidden in code: a missing
key takes the most open reading the act on municipal self-government allows (art. 5a: the
council resolution decides), and the coordinator sets the rest per consultation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

KIND_REMARKS = "remarks"
KIND_COMMENTS = "paragraph_comments"

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
        return cls(
            name_required=flag("name_required"),
            address_required=flag("address_required"),
            anonymous_accepted=flag("anonymous_accepted"),
            moderation=moderation,
            supports_allowed=flag("supports_allowed"),
            replies_allowed=flag("replies_allowed"),
            source=source[:300] if isinstance(source, str) else "",
        )

    def as_settings(self) -> dict[str, Any]:
        return asdict(self)

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


@dataclass(frozen=True)
class FormWindow:
    """When a form accepts remarks: its own window, else the consultation's dates."""

    starts_at: datetime | None
    ends_at: datetime | None
