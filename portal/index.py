"""Writes of the public index: what each municipality has made public, copied into the
public schema in the same transaction as the change that made it so.

The listeners run with the municipality's schema current (consultations.public_changes) or
the public one (tenants.status_listeners). django-tenants puts the public schema on the
search_path after the municipality's (``SET search_path = m_x, public``), so the index's
table, which exists only in public, is reached by its plain name from either; a test
(tests/portal/test_index.py) proves the row lands in public. Nothing is read across schemas:
a consultation is read inside its own schema, the row written through the index's model.

Which consultations enter: scheduled, open, closed and report published, of an active
municipality. A draft or an ordered (unpaid) one never does; an archived one leaves (its page
stays on the municipality's site, but a portal lists what residents can still follow or
read the outcome of, and the municipality archives exactly to take it out of view); every
row of a suspended or archived municipality leaves with it and returns on reactivation.

What is copied: title, summary, status, dates, legal basis, names of areas and categories,
forms of participation, the count of contributions and the page's address. Never the
contact person, e-mail or phone, the department's staff, or anything a resident wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context

from common.db import connection
from consultations import participation
from consultations.models import Consultation, ConsultationStatus
from consultations.public_changes import PublicChange
from portal.models import PublicConsultation
from tenants.models import Municipality, MunicipalityStatus

logger = logging.getLogger("konsulta.portal")

INDEXED_STATUSES = frozenset(
    {
        ConsultationStatus.SCHEDULED,
        ConsultationStatus.OPEN,
        ConsultationStatus.CLOSED,
        ConsultationStatus.REPORT_PUBLISHED,
    }
)
# The fields a row is rebuilt from; the rebuild compares exactly these to find drift.
ROW_FIELDS = (
    "slug",
    "title",
    "summary",
    "status",
    "legal_basis",
    "municipality_kind",
    "starts_at",
    "ends_at",
    "published_at",
    "areas",
    "categories",
    "forms",
    "contributions",
    "url",
    "search_text",
)


def _contributions(consultation: Consultation) -> int:
    """The sum of what each registered kind in use counts (a kind not installed counts 0)."""
    total = 0
    for form in consultation.participation_forms.all():
        kind = participation.kind_get(form.kind)
        if kind is not None:
            total += int(kind.contribution_count(consultation))
    return total


def row_values(consultation: Consultation, municipality: Municipality) -> dict[str, Any]:
    """What the index holds of one public consultation (no personal data: see the module).
    The consultation comes with its areas, categories and forms prefetched."""
    areas = sorted(area.name for area in consultation.areas.all())
    categories = sorted(category.name for category in consultation.categories.all())
    forms = [form.kind for form in consultation.participation_forms.all()]
    path = reverse(
        "consultation_detail", kwargs={"slug": consultation.slug}, urlconf=settings.ROOT_URLCONF
    )
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "status": consultation.status,
        "legal_basis": consultation.legal_basis,
        "municipality_kind": municipality.kind,
        "starts_at": consultation.starts_at,
        "ends_at": consultation.ends_at,
        "published_at": consultation.scheduled_at or consultation.opened_at,
        "areas": areas,
        "categories": categories,
        "forms": forms,
        "contributions": _contributions(consultation),
        "url": municipality.site_url.rstrip("/") + path,
        "search_text": "\n".join(
            [consultation.title, consultation.summary, municipality.name, *areas, *categories]
        ),
    }


def _indexable() -> Any:
    """The consultations of the current schema that belong in the index, with what a row
    needs, in a constant number of queries."""
    return Consultation.objects.filter(status__in=INDEXED_STATUSES).prefetch_related(
        "areas", "categories", "participation_forms"
    )


def _upsert(rows: list[PublicConsultation]) -> None:
    """INSERT … ON CONFLICT (municipality, consultation) DO UPDATE: one statement, and two
    writers of one consultation end on one row."""
    PublicConsultation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["municipality", "consultation_id"],
        update_fields=[*ROW_FIELDS, "indexed_at"],
        batch_size=500,
    )


def _municipality_of_schema(schema_name: str | None) -> Municipality | None:
    return Municipality.objects.prefetch_related("domains").filter(schema_name=schema_name).first()


def index_entry_sync(*, consultation_id: int) -> None:
    """Bring the index row of one consultation of the current schema in line with it:
    written when it is public and its municipality active, removed otherwise. Call inside
    the transaction of the change."""
    municipality = _municipality_of_schema(connection.schema_name)
    if municipality is None:
        return
    consultation = None
    if municipality.status == MunicipalityStatus.ACTIVE:
        consultation = _indexable().filter(pk=consultation_id).first()
    if consultation is None:
        PublicConsultation.objects.filter(
            municipality=municipality, consultation_id=consultation_id
        ).delete()
        return
    _upsert(
        [
            PublicConsultation(
                municipality=municipality,
                consultation_id=consultation.pk,
                **row_values(consultation, municipality),
            )
        ]
    )


@dataclass
class Drift:
    """What a rebuild found different between a municipality's schema and the index."""

    schema_name: str
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema_name,
            "missing": self.missing,
            "stale": self.stale,
            "extra": self.extra,
        }


def _expected_rows(municipality: Municipality) -> dict[int, dict[str, Any]]:
    """The rows the index should hold for a municipality, read inside its own schema."""
    if municipality.status != MunicipalityStatus.ACTIVE:
        return {}
    with schema_context(municipality.schema_name):
        return {c.pk: row_values(c, municipality) for c in _indexable()}


def municipality_index_sync(*, municipality: Municipality, mend: bool = True) -> Drift:
    """Compare the index rows of one municipality with its schema and (``mend``) correct
    them: add the missing, rewrite the stale, delete the extra. Returns what differed."""
    expected = _expected_rows(municipality)
    drift = Drift(schema_name=municipality.schema_name)
    present: dict[int, dict[str, Any]] = {
        row["consultation_id"]: row
        for row in PublicConsultation.objects.filter(municipality=municipality).values(
            "consultation_id", *ROW_FIELDS
        )
    }
    for consultation_id, values in expected.items():
        row = present.get(consultation_id)
        if row is None:
            drift.missing.append(consultation_id)
        elif any(row[name] != values[name] for name in ROW_FIELDS):
            drift.stale.append(consultation_id)
    drift.extra = sorted(set(present) - set(expected))
    drift.missing.sort()
    drift.stale.sort()
    if mend and drift.total:
        with transaction.atomic():
            PublicConsultation.objects.filter(
                municipality=municipality, consultation_id__in=drift.extra
            ).delete()
            _upsert(
                [
                    PublicConsultation(
                        municipality=municipality, consultation_id=pk, **expected[pk]
                    )
                    for pk in [*drift.missing, *drift.stale]
                ]
            )
    return drift


def index_rebuild(*, mend: bool = True, schema_names: Iterable[str] = ()) -> list[Drift]:
    """Check every municipality (or those named) against the index, mending what differs.
    Also removes rows of municipalities that no longer exist in the index's eyes (not
    active): their expected set is empty."""
    municipalities = Municipality.objects.exclude(
        schema_name=get_public_schema_name()
    ).prefetch_related("domains")
    names = list(schema_names)
    if names:
        municipalities = municipalities.filter(schema_name__in=names)
    drifts = []
    for municipality in municipalities.order_by("schema_name"):
        if municipality.is_ready:
            drifts.append(municipality_index_sync(municipality=municipality, mend=mend))
        else:
            # Provisioning or failed: no schema to read, and nothing may be in the index.
            drift = Drift(schema_name=municipality.schema_name)
            drift.extra = sorted(
                PublicConsultation.objects.filter(municipality=municipality).values_list(
                    "consultation_id", flat=True
                )
            )
            if mend and drift.extra:
                PublicConsultation.objects.filter(municipality=municipality).delete()
            drifts.append(drift)
    return drifts


# --- Listeners ------------------------------------------------------------------------------


def index_on_public_change(change: PublicChange) -> None:
    """consultations.public_changes listener: runs inside the change's transaction, in the
    municipality's schema. A failure here rolls the change back: the index never disagrees
    with what was committed."""
    if connection.schema_name == get_public_schema_name():
        return
    if change.scope == "news":
        return  # a municipality's news is not in the index
    if change.consultation_id is not None:
        index_entry_sync(consultation_id=change.consultation_id)
        return
    # Site-wide: an area or a category renamed changes the rows that name it.
    municipality = _municipality_of_schema(connection.schema_name)
    if municipality is not None:
        municipality_index_sync(municipality=municipality)


def index_on_municipality_change(municipality: Municipality) -> None:
    """tenants.status_listeners listener: a suspended or archived municipality leaves the
    index, a reactivated one returns, a renamed one is rewritten (its name is in every row's
    search text). Runs in the public schema, inside the status change's transaction."""
    if municipality.status != MunicipalityStatus.ACTIVE:
        PublicConsultation.objects.filter(municipality=municipality).delete()
        return
    fresh = Municipality.objects.prefetch_related("domains").filter(pk=municipality.pk).first()
    if fresh is not None:
        municipality_index_sync(municipality=fresh)
