"""Named predicates of meetings; views answer 404 when one says no."""

from __future__ import annotations

from typing import Any

from consultations.models import Consultation
from consultations.permissions import can_edit_consultation, can_manage_consultation


def can_see_events(user: Any, consultation: Consultation) -> bool:
    """Sees the events and their sign-up lists: who manages the consultation."""
    return can_manage_consultation(user, consultation)


def can_organise_events(user: Any, consultation: Consultation) -> bool:
    """Creates, changes and cancels events, records attendance and minutes: who may edit
    the consultation (an archived one is read-only)."""
    return can_edit_consultation(user, consultation)
