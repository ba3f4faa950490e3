"""Documents that cannot change under residents' feet: from scheduling on, a correction is a
new version with a public change note, earlier versions stay downloadable, nothing is
deleted; a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from consultations.models import AuditEvent, ConsultationStatus, Document, DocumentRole
from consultations.services import document_add, document_remove, document_revise
from tests.conftest import force_login
from tests.consultations.factories import (
    consultation_in_state,
    department_make,
    exe_bytes,
    odt_bytes,
    pdf_bytes,
    staff_make,
    upload,
)

S = ConsultationStatus

# Independent of the code: where removal is allowed (True) and where it is refused.
REMOVAL_ALLOWED = {
    S.DRAFT: True,
    S.ORDERED: True,
    S.SCHEDULED: False,
    S.OPEN: False,
    S.CLOSED: False,
    S.REPORT_PUBLISHED: False,
}


def corrected_pdf() -> bytes:
    return pdf_bytes() + b"\n% poprawiona\n"


def attach(admin, consultation, title="Projekt uchwały"):
    return document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title=title,
        upload=upload("projekt.pdf", pdf_bytes()),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "allowed"), list(REMOVAL_ALLOWED.items()))
def test_removal_is_allowed_only_before_scheduling(in_a, admin, status, allowed):
    # given a document attached while the consultation was a draft
    consultation = consultation_in_state(S.DRAFT)
    document = attach(admin, consultation)
    type(consultation).objects.filter(pk=consultation.pk).update(status=status)
    path = document.file.path
    with open(path, "rb") as stored:
        content_before = stored.read()
    audit_before = AuditEvent.objects.count()

    # when staff try to remove it
    if allowed:
        document_remove(acting_user=admin, document_id=document.pk)
        assert not Document.objects.filter(pk=document.pk).exists()
        return
    with translation.override("pl"), pytest.raises(ValidationError) as exc:
        document_remove(acting_user=admin, document_id=document.pk)

    # then it is refused in Polish, and nothing changed: the row, the file, the history
    assert "nie można usuwać ani podmieniać" in exc.value.messages[0]
    assert "poprawioną wersję" in exc.value.messages[0]
    assert Document.objects.filter(pk=document.pk).exists()
    with open(path, "rb") as stored:
        assert stored.read() == content_before
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_a_correction_while_open_is_version_2_and_version_1_stays(in_a, admin):
    # given an open consultation with a document
    consultation = consultation_in_state(S.DRAFT)
    first = attach(admin, consultation)
    type(consultation).objects.filter(pk=consultation.pk).update(status=S.OPEN)

    # when a corrected file is added with a change note
    second = document_revise(
        acting_user=admin,
        consultation_id=consultation.pk,
        document_id=first.pk,
        upload=upload("projekt-poprawiony.pdf", corrected_pdf()),
        change_note="Poprawiono błąd w § 3 ust. 2.",
    )

    # then it is version 2 of the same document, and version 1 is as it was
    assert (second.version, second.first_version_id, second.lineage_id) == (2, first.pk, first.pk)
    assert second.title == "Projekt uchwały"
    assert second.change_note == "Poprawiono błąd w § 3 ust. 2."
    first_content = first.file.read()
    first.refresh_from_db()
    assert first.version == 1 and first.file.open("rb").read() == first_content
    assert first_content.startswith(b"%PDF-") and b"poprawiona" not in first_content
    assert second.file.read().endswith(b"% poprawiona\n")
    assert AuditEvent.objects.filter(action="document_revise", target_id=str(second.pk)).exists()

    # and a correction of version 1 (an old link) still becomes version 3, never a fork
    third = document_revise(
        acting_user=admin,
        consultation_id=consultation.pk,
        document_id=first.pk,
        upload=upload("projekt.odt", odt_bytes()),
        change_note="Wersja w formacie ODT.",
    )
    assert (third.version, third.first_version_id, third.kind) == (3, first.pk, "odt")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "note", "field", "words"),
    [
        (corrected_pdf(), "   ", "change_note", "co się zmieniło"),
        (exe_bytes(), "Poprawka", "file", "PDF, DOCX i ODT"),
    ],
)
def test_a_refused_correction_stores_nothing(in_a, admin, content, note, field, words):
    consultation = consultation_in_state(S.DRAFT)
    first = attach(admin, consultation)
    type(consultation).objects.filter(pk=consultation.pk).update(status=S.SCHEDULED)

    with translation.override("pl"), pytest.raises(ValidationError) as exc:
        document_revise(
            acting_user=admin,
            consultation_id=consultation.pk,
            document_id=first.pk,
            upload=upload("projekt.pdf", content),
            change_note=note,
        )

    assert words in exc.value.message_dict[field][0]
    assert list(Document.objects.filter(consultation=consultation)) == [first]


@pytest.mark.django_db
def test_the_announcement_cannot_be_replaced_by_hand(in_a, admin):
    from django.core.files.base import ContentFile

    from consultations.services.documents import document_version_store

    consultation = consultation_in_state(S.SCHEDULED)
    notice = document_version_store(
        consultation=consultation,
        title="Ogłoszenie",
        content=ContentFile(pdf_bytes()),
        kind="pdf",
        original_name="ogloszenie.pdf",
        role=DocumentRole.NOTICE,
    )
    with pytest.raises(Document.DoesNotExist):
        document_revise(
            acting_user=admin,
            consultation_id=consultation.pk,
            document_id=notice.pk,
            upload=upload("inne.pdf", corrected_pdf()),
            change_note="Podmiana",
        )


@pytest.mark.django_db
def test_the_database_refuses_two_versions_with_one_number(in_a, admin):
    consultation = consultation_in_state(S.DRAFT)
    first = attach(admin, consultation)
    Document.objects.create(
        consultation=consultation, title="v2", kind="pdf", size=1, original_name="a.pdf",
        first_version=first, version=2, file="x.pdf",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            consultation=consultation, title="v2 again", kind="pdf", size=1,
            original_name="b.pdf", first_version=first, version=2, file="y.pdf",
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        # a "version 2" that belongs to no document
        Document.objects.create(
            consultation=consultation, title="orphan", kind="pdf", size=1,
            original_name="c.pdf", version=2, file="z.pdf",
        )  # fmt: skip


@pytest.mark.django_db
def test_removing_a_draft_document_removes_all_its_versions(in_a, admin):
    consultation = consultation_in_state(S.DRAFT)
    first = attach(admin, consultation)
    document_revise(
        acting_user=admin,
        consultation_id=consultation.pk,
        document_id=first.pk,
        upload=upload("p.pdf", corrected_pdf()),
        change_note="Poprawka",
    )
    document_remove(acting_user=admin, document_id=first.pk)
    assert not Document.objects.filter(consultation=consultation).exists()


# --- Over HTTP --------------------------------------------------------------------------------


def staff_client(tenant, user):
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, user, tenant.schema_name)
    return client


@pytest.mark.django_db
def test_the_panel_offers_a_corrected_version_instead_of_removal(tenant_a, tenant_b):
    # given a coordinator's open consultation with a document
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        department = department_make(coordinators=(coordinator,))
        consultation = consultation_in_state(S.DRAFT, department=department)
        first = attach(coordinator, consultation)
        type(consultation).objects.filter(pk=consultation.pk).update(status=S.OPEN)
    client = staff_client(tenant_a, coordinator)
    detail = f"/panel/konsultacje/{consultation.pk}/"

    # the panel shows "add a corrected version", not "remove"
    page = client.get(detail).content.decode()
    assert "Dodaj poprawioną wersję" in page
    assert "Usuń „Projekt uchwały”" not in page
    # a removal posted anyway is refused in Polish and changes nothing
    response = client.post(f"{detail}dokumenty/{first.pk}/usun/")
    assert response.status_code == 400
    assert "nie można usuwać ani podmieniać" in response.content.decode()

    # when a corrected version is uploaded with a change note
    revise = f"{detail}dokumenty/{first.pk}/nowa-wersja/"
    assert client.get(revise).status_code == 200
    response = client.post(revise, {"change_note": "", "file": upload("p.pdf", corrected_pdf())})
    assert response.status_code == 400  # the note is required
    assert "Prosimy opisać, co się zmieniło" in response.content.decode()
    response = client.post(
        revise,
        {"change_note": "Poprawiono mapę.", "file": upload("p.pdf", corrected_pdf())},
    )
    assert response.status_code == 302

    # then residents see both versions with the date and the note, and download each
    with schema_context(tenant_a.schema_name):
        second = Document.objects.get(first_version=first)
        stored = {doc.pk: doc.file.open("rb").read() for doc in (first, second)}
    assert b"poprawiona" in stored[second.pk] and b"poprawiona" not in stored[first.pk]
    resident = Client(HTTP_HOST=tenant_a.host)
    page = resident.get(f"/konsultacje/{consultation.slug}/").content.decode()
    assert "Wersja 2 z " in page and "Poprawiono mapę." in page
    assert "Wcześniejsze wersje" in page and "Projekt uchwały, wersja 1" in page
    for document in (first, second):
        response = resident.get(f"/konsultacje/{consultation.slug}/dokumenty/{document.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored[document.pk]
    assert (
        "wersja-2.pdf"
        in resident.get(f"/konsultacje/{consultation.slug}/dokumenty/{second.pk}/")[
            "Content-Disposition"
        ]
    )

    # and no other municipality's site serves either version, nor its panel the form
    other_site = Client(HTTP_HOST=tenant_b.host)
    for document in (first, second):
        url = f"/konsultacje/{consultation.slug}/dokumenty/{document.pk}/"
        assert other_site.get(url).status_code == 404
    with schema_context(tenant_b.schema_name):
        b_admin = staff_make("admin")
    assert staff_client(tenant_b, b_admin).get(revise).status_code == 404


@pytest.mark.django_db
def test_another_coordinator_cannot_add_a_version(tenant_a):
    with schema_context(tenant_a.schema_name):
        own, other = staff_make("coordinator"), staff_make("coordinator")
        department = department_make(coordinators=(own,))
        department_make(coordinators=(other,))
        consultation = consultation_in_state(S.DRAFT, department=department)
        first = attach(own, consultation)
    revise = f"/panel/konsultacje/{consultation.pk}/dokumenty/{first.pk}/nowa-wersja/"
    response = staff_client(tenant_a, other).post(
        revise, {"change_note": "Podmiana", "file": upload("p.pdf", corrected_pdf())}
    )
    assert response.status_code == 404
    with schema_context(tenant_a.schema_name):
        assert Document.objects.filter(consultation=consultation).count() == 1
