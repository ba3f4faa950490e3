"""Helpers to build consultations in the current schema for tests."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.services import user_create
from consultations.models import Consultation, ConsultationStatus, Department, ParticipationForm
from consultations.services import ConsultationInput, consultation_order
from tests.conftest import PASSWORD, unique


def staff_make(role: str, **extra: Any) -> Any:
    return user_create(
        email=unique(role[:5]) + "@urzad.test", password=PASSWORD, role=role, **extra
    )


def people_make(maker: Any = None) -> dict[str, Any]:
    """One person of each role, and the department the "own" coordinator runs: the rows of
    the permission matrices. ``maker(role)`` makes a person (default: with a password)."""
    maker = maker or staff_make
    own = maker("coordinator")
    other = maker("coordinator")
    department = department_make(coordinators=(own,))
    department_make(coordinators=(other,))
    return {
        "department": department,
        "admin": maker("admin"),
        "coordinator_own": own,
        "coordinator_other": other,
        "moderator": maker("moderator"),
        "district_editor": maker("district_editor"),
        "resident": maker(""),
    }


def department_make(name: str | None = None, coordinators: tuple[Any, ...] = ()) -> Department:
    department = Department.objects.create(name=name or unique("Wydział "))
    department.coordinators.set(coordinators)
    return department


def complete_input(department: Department, **overrides: Any) -> ConsultationInput:
    """Everything ordering needs, starting in ten days for three weeks."""
    start = timezone.now() + timedelta(days=10)
    values: dict[str, Any] = {
        "title": "Konsultacje projektu uchwały " + unique(""),
        "summary": "Krótko: miasto pyta o zdanie.",
        "description": "Pełny opis projektu.",
        "legal_basis": "art5a",
        "department_id": department.pk,
        # "meeting" has no app yet: it is not registered, so it is not offered.
        "participation_forms": ["remarks"],
        "starts_at": start,
        "ends_at": start + timedelta(days=21),
        "contact_name": "Anna Kowalska",
        "contact_email": "anna.kowalska@urzad.test",
        "contact_phone": "95 760 00 00",
    }
    values.update(overrides)
    return ConsultationInput(**values)


def consultation_in_state(
    status: str, *, department: Department | None = None, **fields: Any
) -> Consultation:
    """A consultation put straight into ``status`` (with what that state implies), for tests
    that start from a given point of the lifecycle. An ordered one is made a draft and then
    ordered through consultation_order(), so it is only what ordering really leaves behind."""
    department = department or department_make()
    now = timezone.now()
    defaults: dict[str, Any] = {
        "title": "Rewitalizacja rynku " + unique(""),
        "slug": unique("k-"),
        "summary": "Podsumowanie.",
        "description": "Opis.",
        "department": department,
        "starts_at": now + timedelta(days=10),
        "ends_at": now + timedelta(days=40),
        "contact_name": "Jan Nowak",
        "contact_email": "jan@urzad.test",
        "status": status,
    }
    if status not in (ConsultationStatus.DRAFT, ConsultationStatus.ORDERED):
        defaults["payment_cleared_at"] = now
    if status in (ConsultationStatus.OPEN,):
        defaults["starts_at"] = now - timedelta(days=1)
        defaults["ends_at"] = now + timedelta(days=20)
    if status in (
        ConsultationStatus.CLOSED,
        ConsultationStatus.REPORT_PUBLISHED,
        ConsultationStatus.ARCHIVED,
    ):
        defaults["starts_at"] = now - timedelta(days=30)
        defaults["ends_at"] = now - timedelta(days=1)
    kinds = fields.pop("participation_forms", ["remarks"])
    defaults.update(fields)
    ordered = status == ConsultationStatus.ORDERED
    consultation = Consultation.objects.create(
        **{**defaults, "status": ConsultationStatus.DRAFT} if ordered else defaults
    )
    ParticipationForm.objects.bulk_create(
        ParticipationForm(consultation=consultation, kind=kind, position=position)
        for position, kind in enumerate(kinds)
    )
    if ordered:
        return consultation_order(acting_user=staff_make("admin"), consultation_id=consultation.pk)
    return consultation


def pdf_bytes() -> bytes:
    """A real one-page PDF, drawn by Pillow."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, format="PDF")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def exe_bytes() -> bytes:
    # The start of a Windows executable: "MZ", then a DOS stub.
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def zip_bomb_bytes(members: dict[str, bytes], *, inflating: str, inflated_mb: int) -> bytes:
    """A ZIP package with ``members`` plus one member, ``inflating``, of ``inflated_mb`` MB of
    zeros: about 1 KB on the wire for each MB it unpacks to (deflate's ~1000:1)."""
    buffer = io.BytesIO()
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, content in members.items():
            package.writestr(name, content)
        with package.open(inflating, "w", force_zip64=True) as member:
            for _ in range(inflated_mb):
                member.write(chunk)
    return buffer.getvalue()


def odt_bomb_bytes(inflated_mb: int = 512) -> bytes:
    """An ODT whose ``mimetype`` member (a few dozen bytes in a real one) inflates."""
    return zip_bomb_bytes(
        {"content.xml": b"<office:document-content/>"},
        inflating="mimetype",
        inflated_mb=inflated_mb,
    )


def docx_bomb_bytes(inflated_mb: int = 512) -> bytes:
    """A DOCX with the marker entries whose ``word/document.xml`` inflates."""
    return zip_bomb_bytes(
        {"[Content_Types].xml": b"<Types/>"}, inflating="word/document.xml", inflated_mb=inflated_mb
    )
