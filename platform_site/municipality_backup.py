"""One municipality's backup as one archive, and its restore, touching no other municipality.

The archive (``.tar.gz``) holds:

- ``schema.dump``: ``pg_dump --format=custom --schema=<its schema>`` (the schema is
  self-contained: no foreign key leaves it or points into it);
- ``media/``: its folder ``MEDIA_ROOT/<schema>/``;
- ``shared.json``: its rows of the shared schema, as data: the municipality, its domains and
  events, its invoice data, its orders with their items, events and Stripe events;
- ``manifest.json``: what it is, when made, and the row count of every table.

Restoring (``municipality_restore``) puts it back into the database of the current settings,
the same or another: the schema under its own name, or under a new subdomain for inspection
(then without orders and invoice data, which belong to the original). A live municipality of
the same schema is replaced only when asked (``replace=True``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
SCHEMA_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RestoreRefused(Exception):
    """The restore would overwrite something and was not told to."""


def _pg_binary(name: str) -> str:
    from tenants.cloning import pg_dump_binary

    candidate = Path(pg_dump_binary()).with_name(name)
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is needed for municipality backups")
    return found


def _connection_args() -> tuple[list[str], dict[str, str]]:
    from tenants.cloning import pg_connection_args

    return pg_connection_args()


def table_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [schema])
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _shared_objects(municipality: Any) -> list[Any]:
    from billing.models import BillingProfile, Order, OrderEvent, OrderItem, StripeEvent
    from tenants.models import Domain, MunicipalityEvent

    orders = list(Order.objects.filter(municipality=municipality).order_by("pk"))
    return [
        municipality,
        *Domain.objects.filter(tenant=municipality).order_by("pk"),
        *MunicipalityEvent.objects.filter(municipality=municipality).order_by("pk"),
        *BillingProfile.objects.filter(municipality=municipality),
        *orders,
        *OrderItem.objects.filter(order__in=orders).order_by("pk"),
        *OrderEvent.objects.filter(order__in=orders).order_by("pk"),
        *StripeEvent.objects.filter(order__in=orders).order_by("pk"),
    ]


def municipality_backup(*, subdomain: str, archive: Path) -> dict[str, Any]:
    """Write the archive of the municipality on ``subdomain``; returns its manifest."""
    from tenants.models import Municipality
    from tenants.services import subdomain_host

    municipality = Municipality.objects.get(domains__domain=subdomain_host(subdomain))
    schema = municipality.schema_name
    args, env = _connection_args()
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "schema.dump"
        # One snapshot for the schema; the shared rows are read in a transaction of ours
        # right after (a municipality's own writes and its orders are rare and atomic).
        result = subprocess.run(
            [
                _pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                f"--schema={schema}", f"--file={dump}", *args,
            ],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"pg_dump of {schema} failed: {result.stderr.strip()}")
        with transaction.atomic():
            # Not the "json" serializer: it cuts times to milliseconds.
            shared = json.dumps(
                serializers.serialize("python", _shared_objects(municipality)),
                default=_json_value,
                ensure_ascii=False,
                indent=1,
            )
        manifest = {
            "format": FORMAT,
            "subdomain": subdomain,
            "schema": schema,
            "name": municipality.name,
            "created_at": timezone.now().isoformat(),
            "tables": table_counts(schema),
        }
        archive.parent.mkdir(parents=True, exist_ok=True)
        media = Path(settings.MEDIA_ROOT) / schema
        with tarfile.open(archive, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            _add_bytes(tar, "shared.json", shared.encode())
            tar.add(dump, arcname="schema.dump")
            if media.is_dir():
                tar.add(media, arcname="media")
    return manifest


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # microseconds kept
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"cannot archive {type(value).__name__}")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


@dataclass
class RestoreResult:
    schema: str
    host: str
    municipality_id: int
    tables: dict[str, int]


def _schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None


def _rename_outside_data(sql: str, source: str, target: str) -> str:
    """The dump's SQL with the schema renamed in statements, never inside COPY data."""
    out, in_copy = [], False
    name = re.compile(rf'(?<![\w"])"?{re.escape(source)}"?(?=[.;\s]|$)')
    for line in sql.splitlines(keepends=True):
        if in_copy:
            in_copy = line.rstrip("\n") != "\\."
            out.append(line)
            continue
        if line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;"):
            in_copy = True
        out.append(name.sub(f'"{target}"', line) if not line.startswith("--") else line)
    return "".join(out)


def _schema_restore(dump: Path, source: str, target: str) -> None:
    args, env = _connection_args()
    sql = subprocess.run(
        [_pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if target != source:
        sql = _rename_outside_data(sql, source, target)
    # pg_restore of the newest PostgreSQL sets parameters an older server lacks.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_settings")
        known = {row[0] for row in cursor.fetchall()}
    setting = re.compile(r"^SET (\w+) = ")
    sql = "".join(
        line
        for line in sql.splitlines(keepends=True)
        if not (m := setting.match(line)) or m.group(1) in known
    )
    # Replacing: the old schema goes in the same transaction as the new one comes.
    sql = f'DROP SCHEMA IF EXISTS "{target}" CASCADE;\n' + sql
    result = subprocess.run(
        [_pg_binary("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
         "--single-transaction", *args],
        input=sql, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"restoring schema {target} failed: {result.stderr.strip()}")


def _user_or_none(user_id: int | None) -> int | None:
    from accounts.models import User

    if user_id is None:
        return None
    return user_id if User.objects.filter(pk=user_id).exists() else None


def _municipality_remove(municipality: Any) -> None:
    """Delete a municipality's shared rows (before replacing it)."""
    from billing.models import Order, StripeEvent

    schema = municipality.schema_name
    orders = Order.objects.filter(municipality=municipality)
    StripeEvent.objects.filter(order__in=orders).delete()
    orders.delete()  # items and events cascade
    municipality.delete()  # domains, events, invoice data cascade; the schema is kept
    # The schema is dropped by the restore's own transaction (_schema_restore).
    del schema


def municipality_restore(
    *, archive: Path, new_subdomain: str = "", replace: bool = False
) -> RestoreResult:
    """Restore ``archive`` into the current database. With ``new_subdomain`` as a new
    municipality for inspection (no orders, no invoice data, no custom domains); otherwise
    under its own schema and domains, refusing to overwrite a live one unless ``replace``."""
    from tenants.models import Domain, Municipality
    from tenants.services import schema_name_for, subdomain_host

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(scratch, filter="data")
        manifest = json.loads((scratch / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise ValueError(f"unknown archive format {manifest.get('format')!r}")
        source = manifest["schema"]
        target = schema_name_for(new_subdomain) if new_subdomain else source
        if not SCHEMA_RE.fullmatch(source) or not SCHEMA_RE.fullmatch(target):
            raise ValueError(f"invalid schema name in the archive: {source!r}")
        objects = [
            o.object
            for o in serializers.deserialize(
                "python", json.loads((scratch / "shared.json").read_text())
            )
        ]
        media_target = Path(settings.MEDIA_ROOT) / target

        with transaction.atomic():
            existing = Municipality.objects.filter(schema_name=target).first()
            host_taken = Domain.objects.filter(
                domain__in=[
                    subdomain_host(new_subdomain) if new_subdomain else d.domain
                    for d in objects
                    if isinstance(d, Domain)
                ]
            ).exclude(tenant__schema_name=target)
            taken = host_taken.first()
            if taken is not None:
                raise RestoreRefused(f"{taken.domain} belongs to another municipality")
            if existing is not None or _schema_exists(target):
                if not replace or new_subdomain:
                    raise RestoreRefused(
                        f"schema {target} exists (a live municipality): pass --replace to "
                        "overwrite it with the archive"
                    )
                if existing is not None:
                    _municipality_remove(existing)

            municipality = _shared_restore(objects, target=target, new_subdomain=new_subdomain)
            # Its own transaction (psql), inside ours: when it fails, the shared rows roll back.
            _schema_restore(scratch / "schema.dump", source, target)

        # Files last: a failed database restore leaves the folder as it was.
        if media_target.exists():
            shutil.rmtree(media_target)
        if (scratch / "media").is_dir():
            shutil.copytree(scratch / "media", media_target)
        return RestoreResult(
            schema=target,
            host=municipality.primary_host,
            municipality_id=municipality.pk,
            tables=table_counts(target),
        )


def _shared_restore(objects: list[Any], *, target: str, new_subdomain: str) -> Any:
    """Insert the archived shared rows, each under its old key when that is free in this
    database (else a fresh one), their references re-pointed; sequences moved past them."""
    from billing.models import BillingProfile, Order, OrderEvent, OrderItem, StripeEvent
    from tenants.models import Domain, Municipality, MunicipalityEvent
    from tenants.services import subdomain_host

    def key(obj: Any) -> Any:
        return None if type(obj).objects.filter(pk=obj.pk).exists() else obj.pk

    municipality = next(o for o in objects if isinstance(o, Municipality))
    municipality.pk = key(municipality)
    municipality.schema_name = target
    if new_subdomain:
        # A copy beside the original: its NIP is the original's (unique), its name marked.
        municipality.nip = None
        municipality.name = f"{municipality.name} (kopia do wglądu)"[:200]
    municipality.save()
    if new_subdomain:
        Domain.objects.create(
            domain=subdomain_host(new_subdomain), tenant=municipality, is_primary=True
        )
    order_ids: dict[int, int] = {}
    for obj in objects:
        if isinstance(obj, Municipality):
            continue
        if isinstance(obj, Domain):
            if new_subdomain:
                continue
            obj.pk, obj.tenant = key(obj), municipality
        elif isinstance(obj, MunicipalityEvent):
            obj.pk, obj.municipality = key(obj), municipality
            obj.acting_user_id = _user_or_none(obj.acting_user_id)
        elif new_subdomain:
            continue  # invoice data and orders stay the original's
        elif isinstance(obj, BillingProfile):
            obj.pk, obj.municipality = key(obj), municipality
        elif isinstance(obj, Order):
            old = obj.pk
            obj.pk, obj.municipality = key(obj), municipality
            obj.approved_by_id = _user_or_none(obj.approved_by_id)
            obj.save()
            order_ids[old] = obj.pk
            continue
        elif isinstance(obj, OrderItem | OrderEvent):
            obj.pk, obj.order_id = key(obj), order_ids[obj.order_id]
        elif isinstance(obj, StripeEvent):
            obj.pk = key(obj)
            obj.order_id = order_ids.get(obj.order_id) if obj.order_id else None
            if StripeEvent.objects.filter(event_id=obj.event_id).exists():
                continue  # recorded already (restored next to the original)
        obj.save()
    models = [Municipality, Domain, MunicipalityEvent, BillingProfile, Order, OrderItem]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [*models, OrderEvent, StripeEvent]
        ):
            cursor.execute(statement)
    return municipality
