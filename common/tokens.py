"""Links that carry their own authority (unsubscribe, cancel a sign-up): a row's id and a
random key of the row, signed with the schema in the salt, so a link of one municipality
is a bad signature on every other, even where ids coincide."""

from __future__ import annotations

from django.core import signing

from common.db import connection


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"{purpose}.{connection.schema_name}")


def row_token(purpose: str, pk: int, key: str) -> str:
    """The token of row ``pk`` with its random ``key``, for ``purpose`` in this schema."""
    return _signer(purpose).sign(f"{pk}.{key}")


def row_token_read(purpose: str, token: str) -> tuple[int, str] | None:
    """(id, key) from a genuine token of this purpose and this municipality, else None."""
    try:
        value = _signer(purpose).unsign(token)
    except signing.BadSignature:
        return None
    pk, _, key = value.partition(".")
    if not pk.isdigit() or not key:
        return None
    return int(pk), key
