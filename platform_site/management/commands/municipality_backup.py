"""`manage.py municipality_backup <subdomain> [--output FILE]`: one municipality, one archive.

Its schema (pg_dump of that schema only), its media folder and its rows of the shared schema
(the municipality, domains, events, invoice data, orders and their billing events) as data:
platform_site/municipality_backup.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from platform_site.municipality_backup import municipality_backup


class Command(BaseCommand):
    help = "Write one municipality's schema, files and shared rows to one archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subdomain")
        parser.add_argument(
            "--output", "-o", help="archive path (default: <subdomain>-<UTC time>.tar.gz)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from tenants.models import Municipality

        subdomain = options["subdomain"].strip().lower()
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        archive = Path(options["output"] or f"{subdomain}-{stamp}.tar.gz")
        try:
            manifest = municipality_backup(subdomain=subdomain, archive=archive)
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"no municipality on the subdomain {subdomain!r}") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{archive}: schema {manifest['schema']}, {len(manifest['tables'])} tables, {rows} rows"
        )
