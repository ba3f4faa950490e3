"""Reads of the report: versions, files, the panel's state, the ZIP archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from consultations.models import Consultation
from consultations.selectors import report_due_date
from reports.models import Report, ReportFile, ReportVersion


def published_versions(consultation: Consultation) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(
        consultation=consultation, published_at__isnull=False
    ).order_by("number")


def published_version(
    consultation: Consultation, number: int | None = None
) -> ReportVersion | None:
    """The given published version, or the latest one."""
    rows = published_versions(consultation)
    if number is not None:
        return rows.filter(number=number).first()
    return rows.order_by("-number").first()


def preview_latest(consultation: Consultation) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(consultation=consultation, published_at__isnull=True)
        .order_by("-pk")
        .first()
    )


def version_files(version: ReportVersion) -> list[ReportFile]:
    return list(version.files.defer("content").order_by("pk"))


def version_file(version: ReportVersion, code: str) -> ReportFile | None:
    return version.files.filter(format=code).first()


def report_get(consultation: Consultation) -> Report | None:
    return Report.objects.filter(consultation=consultation).first()


@dataclass
class Countdown:
    due: date | None
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def report_countdown(consultation: Consultation, *, today: date | None = None) -> Countdown:
    due = report_due_date(consultation)
    if due is None:
        return Countdown(None, None)
    today = today or timezone.localdate()
    return Countdown(due, (due - today).days)


def version_summary(version: ReportVersion) -> dict[str, Any]:
    return {"number": version.number, "published_at": version.published_at}
