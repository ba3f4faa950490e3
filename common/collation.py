"""Lists in Polish alphabetical order: "Łagiewniki" after "Lipowa", "Śródmieście" before
"Tysiąclecie", "Żabieniec" last. The databases are created with the C.UTF-8 locale, whose
byte order puts every letter with a diacritic after "z", so a list orders by a Polish
collation explicitly.

PostgreSQL built with ICU (Debian's and the official packages) has "pl-x-icu" in pg_catalog,
visible from every schema. The embedded server of ``make run`` is built without ICU; there
the first Polish libc collation found is used, and without one the plain order (logged once).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections
from django.db.models import F, OrderBy
from django.db.models.functions import Collate

logger = logging.getLogger("konsulta.collation")

# In order of preference.
POLISH_COLLATIONS = ("pl-x-icu", "pl-PL-x-icu", "pl_PL.utf8", "pl_PL.UTF-8", "pl_PL")

_found: dict[str, str | None] = {}


def polish_collation(using: str = "default") -> str | None:
    """The name of a Polish collation this database server has, or None (looked up once per
    database)."""
    connection = connections[using]
    key = f"{connection.settings_dict['HOST']}:{connection.settings_dict['NAME']}"
    if key not in _found:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT collname FROM pg_catalog.pg_collation WHERE collname = ANY(%s)",
                [list(POLISH_COLLATIONS)],
            )
            present = {row[0] for row in cursor.fetchall()}
        _found[key] = next((name for name in POLISH_COLLATIONS if name in present), None)
        if _found[key] is None:
            logger.warning("no Polish collation on this PostgreSQL server: lists use byte order")
    return _found[key]


class PolishCollate(Collate):
    """``COLLATE "pl-x-icu"`` (or the server's Polish collation), chosen when the query is
    compiled: querysets built at import time (form fields) never touch the database early."""

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, "C")

    def as_sql(  # type: ignore[override]  # the stubs list Func's keywords; we pass them on
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> Any:
        name = polish_collation(connection.alias)
        if name is None:
            return compiler.compile(self.source_expressions[0])
        extra_context["collation"] = connection.ops.quote_name(name)
        return super().as_sql(compiler, connection, **extra_context)


def polish_order(field: str, *, descending: bool = False) -> OrderBy:
    """An ``order_by()`` term sorting ``field`` in Polish alphabetical order."""
    expression = PolishCollate(F(field))
    return expression.desc() if descending else expression.asc()
