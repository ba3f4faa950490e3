"""`manage.py municipality_restore ARCHIVE [--as SUBDOMAIN] [--replace]`.

Into the database of the current settings (the same or another): under its own schema and
domains, or with ``--as`` as a new municipality for inspection. A live municipality is
overwritten only with ``--replace``; no other municipality is touched
(platform_site/municipality_backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_site.municipality_backup import RestoreRefused, municipality_restore


class Command(BaseCommand):
    help = "Restore one municipality from an archive of municipality_backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument(
            "--as",
            dest="new_subdomain",
            default="",
            help="restore as a new municipality on this subdomain (for inspection)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite the live municipality of the same schema",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from tenants.validators import validate_subdomain

        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"no archive at {archive}")
        new_subdomain = options["new_subdomain"].strip().lower()
        if new_subdomain:
            try:
                validate_subdomain(new_subdomain)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        try:
            result = municipality_restore(
                archive=archive, new_subdomain=new_subdomain, replace=options["replace"]
            )
        except RestoreRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored schema {result.schema} ({len(result.tables)} tables, "
            f"{sum(result.tables.values())} rows) at {result.host}"
        )
