"""The registry through which every app takes part in a resident's RODO rights.

An app that stores something about a person registers, in its ``AppConfig.ready()``:

- an exporter: ``register_exporter("remarks", fn)`` where ``fn(user)`` returns JSON-ready data
  (lists, dicts, strings, numbers; dates as ISO strings) of that person, read in the current
  schema. It appears under its name in the file the resident downloads (``/konto/moje-dane/``).
- an anonymiser: ``register_anonymiser(fn)`` where ``fn(user)`` strips the person from the
  app's rows (author names, free-text signatures, contact data) while keeping the contribution
  itself. It is called inside the transaction that deletes the account, before the account
  row is emptied, so it can still find the person's rows by the user's id. It must not delete
  contributions: a consultation report has to keep every remark that was answered.

Both run in the schema of the municipality the request or task is in, as everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress

from accounts.models import User

Exporter = Callable[[User], Any]
Anonymiser = Callable[[User], None]

_exporters: dict[str, Exporter] = {}
_anonymisers: list[Anonymiser] = []


def register_exporter(name: str, fn: Exporter) -> None:
    """Add ``fn``'s data under ``name`` to each person's export; a name is registered once."""
    if name in _exporters and _exporters[name] is not fn:
        raise ValueError(f"a personal-data exporter named {name!r} is already registered")
    _exporters[name] = fn


def register_anonymiser(fn: Anonymiser) -> None:
    """Call ``fn(user)`` whenever an account is deleted (idempotent registration)."""
    if fn not in _anonymisers:
        _anonymisers.append(fn)


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def anonymisers() -> list[Anonymiser]:
    return list(_anonymisers)


def _account(user: User) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "terms_accepted_at": iso(user.terms_accepted_at),
    }


def _email_addresses(user: User) -> list[dict[str, Any]]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


register_exporter("account", _account)
register_exporter("email_addresses", _email_addresses)
