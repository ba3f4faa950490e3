"""Documents: real type by magic bytes, size limit, stored per tenant, downloadable."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus, Document
from consultations.services import DOCUMENT_MAX_BYTES, document_add, document_kind_detect
from tests.consultations.factories import (
    consultation_in_state,
    docx_bomb_bytes,
    docx_bytes,
    exe_bytes,
    odt_bomb_bytes,
    odt_bytes,
    pdf_bytes,
    staff_make,
    upload,
)


@pytest.fixture
def admin(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield staff_make("admin")


@pytest.mark.django_db
def test_a_real_pdf_is_accepted_and_stored_under_the_tenant_folder(admin, tenant_a):
    consultation = consultation_in_state(ConsultationStatus.OPEN)
    document = document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt uchwały",
        upload=upload("projekt.pdf", pdf_bytes()),
    )
    assert document.kind == "pdf"
    assert f"/{tenant_a.schema_name}/consultations/{consultation.pk}/" in document.file.path
    # and a resident downloads it from the consultation page
    response = Client(HTTP_HOST=tenant_a.host).get(
        f"/konsultacje/{consultation.slug}/dokumenty/{document.pk}/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "projekt.pdf" in response["Content-Disposition"]


@pytest.mark.django_db
def test_a_renamed_exe_is_refused_and_nothing_is_stored(admin):
    consultation = consultation_in_state(ConsultationStatus.DRAFT)
    with pytest.raises(ValidationError) as exc:
        document_add(
            acting_user=admin,
            consultation_id=consultation.pk,
            title="Projekt",
            upload=upload("projekt.pdf", exe_bytes()),
        )
    assert "PDF, DOCX i ODT" in exc.value.message_dict["file"][0]
    assert not Document.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_a_file_over_20_mb_is_refused(admin):
    consultation = consultation_in_state(ConsultationStatus.DRAFT)
    big = upload("duzy.pdf", b"%PDF-1.7\n" + b"0" * DOCUMENT_MAX_BYTES)
    with pytest.raises(ValidationError) as exc:
        document_add(acting_user=admin, consultation_id=consultation.pk, title="", upload=big)
    assert "20 MB" in exc.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pdf_bytes(), "pdf"),
        (docx_bytes(), "docx"),
        (odt_bytes(), "odt"),
        (exe_bytes(), None),
        (b"PK\x03\x04 not really a zip", None),
        (b"", None),
    ],
)
def test_the_kind_comes_from_the_bytes(content, kind):
    assert document_kind_detect(upload("plik.pdf", content)) == kind


@pytest.mark.django_db
def test_documents_of_a_draft_cannot_be_downloaded_by_residents(admin, tenant_a):
    consultation = consultation_in_state(ConsultationStatus.DRAFT)
    document = document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt",
        upload=upload("p.pdf", pdf_bytes()),
    )
    response = Client(HTTP_HOST=tenant_a.host).get(
        f"/konsultacje/{consultation.slug}/dokumenty/{document.pk}/"
    )
    assert response.status_code == 404


BOMB_MESSAGE = "po rozpakowaniu"  # the Polish message names what is wrong with the file


@pytest.mark.django_db
@pytest.mark.parametrize("bomb", [odt_bomb_bytes, docx_bomb_bytes], ids=["odt", "docx"])
def test_a_zip_bomb_is_refused_in_polish_without_inflating_and_nothing_is_stored(admin, bomb):
    import tracemalloc

    # given a package of ~0.5 MB that unpacks to 512 MB
    content = bomb(512)
    assert len(content) < 1024 * 1024
    consultation = consultation_in_state(ConsultationStatus.DRAFT)
    # when it is attached
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as exc:
            document_add(
                acting_user=admin,
                consultation_id=consultation.pk,
                title="Projekt",
                upload=upload("projekt.odt", content, "application/octet-stream"),
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then it is refused with a message saying why, having held no more than a few MB
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MB held while checking the upload"
    assert BOMB_MESSAGE in exc.value.message_dict["file"][0]
    assert not Document.objects.filter(consultation=consultation).exists()


# The registered media types (IANA), written out here rather than taken from the code.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uploaded_as", "content", "kind", "served_as"),
    [
        ("polyglot.html", pdf_bytes() + b"<script>alert(1)</script>", "pdf", "polyglot.pdf"),
        ("uchwała.svg", docx_bytes(), "docx", "uchwała.docx"),
        ('a"b;\r\nX-Evil: 1.js', odt_bytes(), "odt", "a-b-X-Evil-1.odt"),
        ("../../etc/passwd", pdf_bytes(), "pdf", "passwd.pdf"),
    ],
)
def test_a_download_carries_the_sniffed_type_and_a_safe_name_of_its_extension(
    admin, tenant_a, uploaded_as, content, kind, served_as
):
    # given a document uploaded under a misleading name
    consultation = consultation_in_state(ConsultationStatus.OPEN)
    document = document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt",
        upload=upload(uploaded_as, content, "text/html"),
    )
    assert document.kind == kind
    # when a resident downloads it
    response = Client(HTTP_HOST=tenant_a.host).get(
        f"/konsultacje/{consultation.slug}/dokumenty/{document.pk}/"
    )
    # then the type is the one found in its bytes, and the browser must save it, not render it
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPES[kind]
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    from urllib.parse import quote

    assert f'filename="{served_as}"' in disposition or quote(served_as) in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert b"".join(response.streaming_content) == content
