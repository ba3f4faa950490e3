"""The announcement: drawn from the consultation's data as PDF and ODT, read back as text,
stored with the documents when scheduled and drawn again only when its data change."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from consultations.models import Consultation, ConsultationStatus, Document, DocumentRole
from consultations.notice import notice_build, notice_odt, notice_pdf
from consultations.services import (
    consultation_open,
    consultation_order,
    consultation_payment_clear,
    consultation_schedule,
    consultation_update,
    document_add,
    document_kind_detect,
    notice_attach,
)
from meetings.models import Event
from tenants.selectors import municipality_current
from tests.conftest import force_login
from tests.consultations.factories import (
    complete_input,
    consultation_in_state,
    department_make,
    pdf_bytes,
    staff_make,
    upload,
)

WARSAW = ZoneInfo("Europe/Warsaw")
S = ConsultationStatus


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def odt_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        root = ElementTree.fromstring(package.read("content.xml"))
    return " ".join(" ".join(root.itertext()).split())


def revitalisation(**fields):
    """A revitalisation consultation of Gmina Testowa A, ordered under the act's rules
    (art. 6 ust. 4: remarks and two other forms; a draft to consult), with a meeting."""
    paid = fields.pop("payment_cleared_at", None)
    consultation = consultation_in_state(
        S.DRAFT,
        title="Rewitalizacja placu Żeromskiego — zażółć gęślą jaźń",
        slug="plac-zeromskiego-" + str(timezone.now().timestamp()).replace(".", ""),
        legal_basis="revitalisation",
        starts_at=datetime(2027, 1, 14, 8, 0, tzinfo=WARSAW),
        ends_at=datetime(2027, 2, 18, 8, 0, tzinfo=WARSAW),
        contact_name="Anna Kowalska",
        contact_email="anna.kowalska@urzad.test",
        contact_phone="95 760 00 00",
        participation_forms=["remarks", "meeting", "survey"],
        **fields,
    )
    Event.objects.create(
        consultation=consultation,
        event_type="meeting",
        title="Spotkanie otwarte",
        starts_at=datetime(2027, 1, 20, 17, 0, tzinfo=WARSAW),
        ends_at=datetime(2027, 1, 20, 19, 0, tzinfo=WARSAW),
        venue="Dom Kultury, sala widowiskowa",
        address="ul. Źródlana 5, Dębno",
    )
    admin = staff_make("admin")
    document_add(
        acting_user=admin,
        consultation_id=consultation.pk,
        title="Projekt gminnego programu rewitalizacji",
        upload=upload("projekt.pdf", pdf_bytes()),
    )
    consultation_order(acting_user=admin, consultation_id=consultation.pk)
    if paid is not None:
        consultation_payment_clear(consultation_id=consultation.pk, reference="pi_notice")
    return Consultation.objects.get(pk=consultation.pk)


# What the announcement of that consultation must say, written out by hand (not from the
# code that draws it): each line must be found in the text of both files.
EXPECTED = [
    "Gmina Testowa A",
    "Urząd Gminy",
    "OGŁOSZENIE O KONSULTACJACH SPOŁECZNYCH",
    "Rewitalizacja placu Żeromskiego — zażółć gęślą jaźń",
    "Przedmiot konsultacji",
    "Podstawa prawna",
    "art. 6 ustawy z dnia 9 października 2015 r. o rewitalizacji (t.j. Dz.U. z 2024 r. poz. 278)",
    "Konsultacje trwają od 14 stycznia 2027, godz. 08:00 do 18 lutego 2027, godz. 08:00.",
    "Formy udziału",
    "Spotkanie otwarte",
    "20 stycznia 2027, godz. 17:00–19:00",
    "Dom Kultury, sala widowiskowa, ul. Źródlana 5, Dębno",
    "Sposób i miejsce składania uwag",
    "za pomocą formularza na stronie http://test-a.",
    "na adres anna.kowalska@urzad.test",
    "Miejsce udostępnienia dokumentów",
    "/konsultacje/plac-zeromskiego-",
    "Anna Kowalska, anna.kowalska@urzad.test, tel. 95 760 00 00",
    "Informacja o przetwarzaniu danych osobowych (art. 13 RODO)",
    "Administratorem danych osobowych uczestników konsultacji jest Gmina Testowa A",
    "kontakt: kontakt@test-a.test",
    "inspektorem ochrony danych",
    "art. 6 ust. 1 lit. c i e RODO",
    "Prezesa Urzędu Ochrony Danych Osobowych",
    "/polityka-prywatnosci/",
]


@pytest.mark.django_db
def test_the_pdf_and_the_odt_say_everything_the_announcement_must(in_a):
    # given
    consultation = revitalisation()
    notice = notice_build(consultation, municipality=municipality_current())

    # when
    texts = {"pdf": pdf_text(notice_pdf(notice)), "odt": odt_text(notice_odt(notice))}

    # then
    for kind, text in texts.items():
        missing = [line for line in EXPECTED if line not in text]
        assert not missing, (kind, missing, text)
    # Polish letters come out as letters (the title's "zażółć gęślą jaźń" is in EXPECTED)


@pytest.mark.django_db
def test_the_odt_is_a_valid_opendocument_package(in_a):
    consultation = revitalisation()
    content = notice_odt(notice_build(consultation, municipality=municipality_current()))

    with zipfile.ZipFile(io.BytesIO(content)) as package:
        first = package.infolist()[0]
        # ODF 1.3 part 2, 3.3: "mimetype" first, uncompressed, holding the media type
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        manifest = package.read("META-INF/manifest.xml").decode()
        for member in ("content.xml", "styles.xml", "meta.xml"):
            assert f'manifest:full-path="{member}"' in manifest
            ElementTree.fromstring(package.read(member))  # well-formed XML
    # the uploads' own check recognises it as an ODT
    assert document_kind_detect(SimpleUploadedFile("o.odt", content)) == "odt"


@pytest.mark.django_db
def test_text_that_xml_forbids_does_not_break_the_odt(in_a):
    consultation = revitalisation(description="Opis\x0b z\x1f dziwnymi & <znakami>")
    content = notice_odt(notice_build(consultation, municipality=municipality_current()))
    assert "dziwnymi & <znakami>" in odt_text(content)


@pytest.mark.django_db
def test_scheduling_attaches_the_announcement_as_pdf_and_odt(in_a, tenant_a):
    # given an ordered, paid consultation
    consultation = revitalisation(payment_cleared_at=timezone.now())
    admin = staff_make("admin")

    # when it is scheduled
    consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )

    # then its documents hold the announcement, version 1, in both formats
    notice = Document.objects.filter(consultation=consultation, role=DocumentRole.NOTICE)
    assert sorted(notice.values_list("kind", "version")) == [("odt", 1), ("pdf", 1)]
    pdf = notice.get(kind="pdf")
    assert "Spotkanie otwarte" in pdf_text(pdf.file.read())
    # and residents download it from the consultation page
    client = Client(HTTP_HOST=tenant_a.host)
    page = client.get(f"/konsultacje/{consultation.slug}/").content.decode()
    link = f"/konsultacje/{consultation.slug}/dokumenty/{pdf.pk}/"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Rewitalizacja placu" in pdf_text(b"".join(response.streaming_content))


@pytest.mark.django_db
def test_a_change_before_opening_draws_a_new_version_and_keeps_the_old(in_a):
    # given a scheduled consultation with its announcement
    consultation = revitalisation(payment_cleared_at=timezone.now())
    admin = staff_make("admin")
    consultation.department.coordinators.add(admin)
    consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )
    first = Document.objects.get(consultation=consultation, role=DocumentRole.NOTICE, kind="pdf")
    first_bytes = first.file.read()

    # when its title changes
    data = complete_input(
        consultation.department,
        title="Rewitalizacja placu Żeromskiego i parku",
        legal_basis="revitalisation",
        starts_at=consultation.starts_at,
        ends_at=consultation.ends_at,
        participation_forms=None,
    )
    consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)

    # then version 2 says the new title, with a change note; version 1 is untouched
    versions = Document.objects.filter(
        consultation=consultation, role=DocumentRole.NOTICE, kind="pdf"
    ).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert "i parku" in pdf_text(versions[1].file.read())
    assert "ponownie" in versions[1].change_note
    first.refresh_from_db()
    assert first.file.read() == first_bytes

    # and saving the same data again draws nothing new
    consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    assert Document.objects.filter(consultation=consultation, role=DocumentRole.NOTICE).count() == 4


@pytest.mark.django_db
def test_a_new_meeting_on_a_scheduled_consultation_reaches_the_announcement(in_a):
    from meetings.services.events import EventInput, event_create

    consultation = revitalisation(payment_cleared_at=timezone.now())
    admin = staff_make("admin")
    consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )

    event_create(
        acting_user=admin,
        consultation_id=consultation.pk,
        data=EventInput(
            event_type="workshop",
            title="Warsztaty projektowe",
            description="",
            starts_at=datetime(2027, 1, 27, 17, 0, tzinfo=WARSAW),
            ends_at=datetime(2027, 1, 27, 20, 0, tzinfo=WARSAW),
            opening_hours="",
            venue="Szkoła Podstawowa nr 1",
            address="ul. Szkolna 1",
            step_free_access=True,
            induction_loop=False,
            interpreter_on_request=False,
            accessibility_notes="",
            online_url="",
            signup_required=False,
            capacity=None,
        ),
        warnings_acknowledged=True,
    )

    latest = (
        Document.objects.filter(consultation=consultation, role=DocumentRole.NOTICE, kind="odt")
        .order_by("-version")
        .first()
    )
    assert latest.version == 2
    text = odt_text(latest.file.read())
    assert "Warsztaty projektowe" in text
    assert "Szkoła Podstawowa nr 1, ul. Szkolna 1" in text


@pytest.mark.django_db
def test_once_open_the_announcement_is_not_drawn_again(in_a):
    consultation = revitalisation(payment_cleared_at=timezone.now())
    admin = staff_make("admin")
    consultation_schedule(
        acting_user=admin, consultation_id=consultation.pk, channels_confirmed=True
    )
    consultation_open(consultation_id=consultation.pk, now=consultation.starts_at)
    Event.objects.filter(consultation=consultation).update(title="Inny tytuł")

    assert notice_attach(acting_user=admin, consultation_id=consultation.pk) == []
    assert Document.objects.filter(consultation=consultation, role=DocumentRole.NOTICE).count() == 2


@pytest.mark.django_db
def test_the_panel_preview_is_for_the_consultations_staff_only(tenant_a, tenant_b):
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.schema_name):
        own, other = staff_make("coordinator"), staff_make("coordinator")
        department = department_make(coordinators=(own,))
        department_make(coordinators=(other,))
        consultation = consultation_in_state(S.DRAFT, department=department)
    url = f"/panel/konsultacje/{consultation.pk}/ogloszenie.pdf"

    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, own, tenant_a.schema_name)
    response = client.get(url)
    assert response.status_code == 200
    assert consultation.title in pdf_text(response.content)
    assert client.get(f"/panel/konsultacje/{consultation.pk}/ogloszenie.exe").status_code == 404

    other_client = Client(HTTP_HOST=tenant_a.host)
    force_login(other_client, other, tenant_a.schema_name)
    assert other_client.get(url).status_code == 404
    # nobody on B's site reaches A's consultation
    with schema_context(tenant_b.schema_name):
        b_admin = staff_make("admin")
    b_client = Client(HTTP_HOST=tenant_b.host)
    force_login(b_client, b_admin, tenant_b.schema_name)
    assert b_client.get(url).status_code == 404
