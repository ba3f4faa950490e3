"""Participation kinds for tests, registered with consultations' registry.

Until the kinds' own apps exist, a consultation can be ordered only if some kind is
registered: the stand-ins give "remarks" and "paragraph_comments" a minimal kind (no pages,
no contributions). A name an installed app registered already is left alone, so once the
remarks app is merged its real kind is the one tests see. The live stack's gunicorn
registers the same stand-ins (tests/gunicorn_kinds.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from consultations import participation

STAND_INS = (
    participation.ParticipationKind(
        name="remarks", label=_("Remarks form"), resident_actions=("submit",), weight=10
    ),
    participation.ParticipationKind(
        name="paragraph_comments",
        label=_("Comments on the draft, paragraph by paragraph"),
        resident_actions=("comment",),
        weight=20,
    ),
)


# Registered only in the live stack's gunicorn, for the browser test of a kind that needs a
# price-list add-on (the in-process tests register their own kinds in fixtures).
LIVE_ONLY = (
    participation.ParticipationKind(
        name="live_geosurvey",
        label="Geoankieta (test)",
        addon_code="geoankieta-test",
        weight=50,
    ),
)


def stand_ins_register() -> list[str]:
    """Register the stand-ins whose names are free; return the names registered."""
    registered = []
    for kind in STAND_INS:
        if participation.kind_get(kind.name) is None:
            participation.register(kind)
            registered.append(kind.name)
    return registered
