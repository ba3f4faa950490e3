from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.migration import RELEASE_CONNECTIONS, schemas_migrate_all


class Command(BaseCommand):
    help = (
        "Migrate the public schema, the template schema and every municipality, skipping "
        "schemas already up to date and naming each one that fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="run the migrator even on up-to-date schemas"
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=RELEASE_CONNECTIONS,
            help="database connections applying a release side by side",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = schemas_migrate_all(
            skip_current=not options["all"],
            verbosity=max(0, options["verbosity"] - 1),
            connections_count=max(1, options["connections"]),
        )
        self.stdout.write(
            f"schemas: {len(report.migrated)} migrated, {len(report.skipped)} already current, "
            f"{len(report.failed)} failed ({report.seconds:.1f} s)"
        )
        self.stdout.write(
            "  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.steps.items())
        )
        for schema, error in report.failed.items():
            self.stderr.write(f"  {schema}: {error}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} schema(s) failed to migrate")
