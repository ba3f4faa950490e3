"""Check the public index against every municipality's schema and mend what drifted."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.index import index_rebuild, search_words_sync


class Command(BaseCommand):
    help = (
        "Compare the portals' public index with each municipality's own consultations; "
        "report rows missing, stale or left over, and rewrite them (unless --check)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Report only; change nothing.")
        parser.add_argument(
            "--schema", action="append", default=[], help="Only this schema (repeatable)."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        mend = not options["check"]
        drifts = index_rebuild(mend=mend, schema_names=options["schema"])
        # The words searches look up, after the rows are mended; unused ones are pruned only
        # on a rebuild of every municipality.
        words = search_words_sync(mend=mend, prune=not options["schema"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "municipalities": [d.as_dict() for d in drifts],
                        "search_words": {"missing": words.missing, "unused": words.unused},
                    },
                    indent=2,
                )
            )
            return
        if words.missing or words.unused:
            self.stdout.write(
                f"search words: missing {words.missing}, unused {words.unused}"
                + (" (mended)" if mend else "")
            )
        drifted = [d for d in drifts if d.total]
        for drift in drifted:
            self.stdout.write(
                f"{drift.schema_name}: missing {len(drift.missing)}, stale {len(drift.stale)}, "
                f"extra {len(drift.extra)}" + (" (mended)" if mend else "")
            )
        if not drifted:
            self.stdout.write(f"{len(drifts)} municipalities checked, no drift.")
        else:
            self.stdout.write(
                f"{len(drifts)} municipalities checked, {len(drifted)} drifted"
                + (", mended." if mend else "; run without --check to mend.")
            )
