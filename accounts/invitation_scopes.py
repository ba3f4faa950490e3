"""What a staff invitation may carry for an app above accounts: the departments a coordinator
joins on accepting it.

accounts sits below consultations (which owns departments), so it never imports them: the
consultations app describes its departments with :class:`InvitationDepartments` and calls
:func:`departments_register` from its ``AppConfig.ready()``. The invitation stores plain ids;
the registered ``join`` turns them into memberships inside the transaction that accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Annotations only (import-linter still counts it, so it cannot hide a cycle).
    from accounts.models import User

# The roles whose invitation names departments (a coordinator runs its departments' work).
ROLES_WITH_DEPARTMENTS = frozenset({"coordinator"})


@dataclass(frozen=True)
class InvitationDepartments:
    # (id, name) of the current schema's departments, in the order the form lists them.
    choices: Callable[[], list[tuple[int, str]]]
    # Make the accepting person a member of these departments (ids that vanished are skipped).
    join: Callable[[User, Sequence[int]], None]
    # Where an administrator creates a department (URL name), for the "none yet" hint.
    create_url_name: str = ""


_registered: list[InvitationDepartments] = []


def departments_register(provider: InvitationDepartments) -> None:
    """Called once from the owning app's ``ready()``; a second call replaces the first."""
    _registered[:] = [provider]


def departments_provider() -> InvitationDepartments | None:
    return _registered[0] if _registered else None
