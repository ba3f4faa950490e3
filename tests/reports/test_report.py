"""The consultation report: the publication rule, versions and errata, the conclusions'
sanitising, anonymisation in every format, and the tagged PDF."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations.models import Consultation, ConsultationStatus
from consultations.selectors import report_due_date
from reports import services
from reports.builder import report_blockers
from reports.formats.html import report_body_html
from reports.models import JobStatus, ReportVersion
from tests.consultations.factories import consultation_in_state, staff_make
from tests.reports.helpers import (
    ORGANISATION,
    PRIVATE_ADDRESSES,
    PRIVATE_EMAILS,
    PRIVATE_NAMES,
    remarks_seed,
    survey_seed,
)

S = ConsultationStatus


def closed_consultation(**fields):
    fields.setdefault("participation_forms", ["remarks", "survey"])
    # Ordered under a council resolution that gives the report 30 days (rule set's copy).
    fields.setdefault("rules_snapshot", {"report_deadline_days": 30, "report_article": "§ 9"})
    consultation = consultation_in_state(S.CLOSED, **fields)
    Consultation.objects.filter(pk=consultation.pk).update(closed_at=timezone.now())
    consultation.refresh_from_db()
    return consultation


# --- The publication rule -------------------------------------------------------------------


@pytest.mark.django_db
def test_publication_is_refused_while_a_remark_lacks_an_approved_response(admin):
    # given 6 remarks: 4 answered and approved, 1 answered but not approved, 1 unanswered
    consultation = closed_consultation()
    drafter = staff_make("coordinator")
    remarks = remarks_seed(consultation, count=5, drafter=drafter, approver=admin, unanswered=1)
    unapproved = remarks_seed(consultation, count=1, drafter=drafter, approver=None)[0]
    # when the coordinator publishes
    with pytest.raises(services.ReportBlocked) as refused:
        services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    # then the two blocking remarks are listed, and nothing changed
    labels = [blocker["label"] for blocker in refused.value.blockers]
    assert len(labels) == 2
    assert any(remarks[-1].reference in label and "brak odpowiedzi" in label for label in labels)
    assert any(
        unapproved.reference in label and "odpowiedź niezatwierdzona" in label for label in labels
    )
    consultation.refresh_from_db()
    assert consultation.status == S.CLOSED
    assert not ReportVersion.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_a_group_answer_approved_once_answers_every_remark_of_the_group(admin):
    consultation = closed_consultation()
    remarks_seed(
        consultation, count=4, drafter=staff_make("coordinator"), approver=admin, grouped=3
    )
    assert report_blockers(consultation) == []
    section = services.builder.report_data(consultation)["sections"]
    table = next(
        block
        for s in section
        if s["key"] == "remarks"
        for block in s["blocks"]
        if block["type"] == "table" and len(block["headers"]) == 8
    )
    grouped = [row for row in table["rows"] if "Godziny otwarcia parku" in row[7]]
    assert len(grouped) == 3
    assert all(row[6] == "Częściowo uwzględniona" for row in grouped)


@pytest.mark.django_db
def test_publication_needs_a_closed_consultation(admin):
    consultation = consultation_in_state(S.OPEN)
    with pytest.raises(ValidationError):
        services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    assert Consultation.objects.get(pk=consultation.pk).status == S.OPEN


# --- Versions and errata ----------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_freezes_version_one_and_an_erratum_is_a_new_dated_version(admin):
    # given a closed consultation whose remarks are all answered and approved
    consultation = closed_consultation()
    drafter = staff_make("coordinator")
    remarks = remarks_seed(consultation, count=3, drafter=drafter, approver=admin)
    # when the report is published
    first = services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    # then it is version 1, the consultation moved on, and the data are frozen
    consultation.refresh_from_db()
    assert (first.number, consultation.status) == (1, S.REPORT_PUBLISHED)
    assert consultation.report_published_at == first.published_at
    frozen = first.data
    response = remarks[0].response
    response.justification = "Poprawione uzasadnienie po publikacji."
    response.save()
    first.refresh_from_db()
    assert first.data == frozen
    # a second publication is refused: the report is published already
    with pytest.raises(ValidationError):
        services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    # an erratum needs a note ...
    with pytest.raises(ValidationError):
        services.report_erratum_publish(
            acting_user=admin, consultation_id=consultation.pk, note=" "
        )
    # ... and is version 2 with the corrected data and its date; version 1 is unchanged
    erratum = services.report_erratum_publish(
        acting_user=admin, consultation_id=consultation.pk, note="Poprawiono uzasadnienie uwagi 1."
    )
    assert erratum.number == 2
    assert erratum.published_at >= first.published_at
    assert "Poprawione uzasadnienie po publikacji." in str(erratum.data)
    assert "Poprawione uzasadnienie po publikacji." not in str(first.data)
    assert services.version_label(erratum).startswith("Errata nr 1 z ")


@pytest.mark.django_db
def test_both_versions_stay_readable_on_the_consultation_page(admin, client, tenant_a):
    consultation = closed_consultation()
    remarks_seed(consultation, count=2, drafter=staff_make("coordinator"), approver=admin)
    version = services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    services.report_version_render(version_id=version.pk)
    services.report_erratum_publish(
        acting_user=admin, consultation_id=consultation.pk, note="Poprawka daty."
    )
    host = {"HTTP_HOST": tenant_a.host}
    latest = client.get(f"/konsultacje/{consultation.slug}/raport/", **host)
    assert latest.status_code == 200
    assert "Poprawka daty." in latest.content.decode()
    first = client.get(f"/konsultacje/{consultation.slug}/raport/wersja/1/", **host)
    assert first.status_code == 200
    assert "To jest wcześniejsza wersja." in first.content.decode()
    pdf = client.get(f"/konsultacje/{consultation.slug}/raport/wersja/1/raport.pdf", **host)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        client.get(f"/konsultacje/{consultation.slug}/raport/wersja/3/", **host).status_code == 404
    )


# --- Conclusions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("<p>Wnioski <strong>ważne</strong></p>", "<p>Wnioski <strong>ważne</strong></p>"),
        ("<p onclick='x()'>Tekst</p><script>alert(1)</script>", "<p>Tekst</p>"),
        ('<a href="javascript:alert(1)">link</a>', '<a rel="noopener noreferrer">link</a>'),
        ('<p style="color:red">A</p><img src=x onerror=y>', "<p>A</p>"),
        ("Akapit pierwszy\n\nAkapit *drugi*", "<p>Akapit pierwszy</p><p>Akapit *drugi*</p>"),
    ],
)
def test_conclusions_are_stored_as_safe_html(given, stored):
    assert services.conclusions_clean(given) == stored


# --- Anonymisation over every format -------------------------------------------------------------


def _texts(version: ReportVersion) -> dict[str, str]:
    """The text extracted from each file of the version, and the HTML page's body."""
    import docx
    import pypdf
    from openpyxl import load_workbook

    files = {f.format: bytes(f.content) for f in version.files.all()}
    texts = {"html": report_body_html(version.data)}
    texts["pdf"] = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages
    )
    with zipfile.ZipFile(io.BytesIO(files["odt"])) as package:
        texts["odt"] = package.read("content.xml").decode()
    document = docx.Document(io.BytesIO(files["docx"]))
    texts["docx"] = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    book = load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    texts["xlsx"] = "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    texts["csv"] = "\n".join(
        ";".join(row)
        for row in csv.reader(io.StringIO(files["csv"].decode("utf-8-sig")), delimiter=";")
    )
    return texts


def _normalised(text: str) -> str:
    # PDF text extraction may break lines inside a cell: compare without whitespace.
    return "".join(text.split()).lower()


@pytest.mark.django_db
def test_no_private_person_is_named_in_any_format_but_organisations_keep_their_name(admin):
    # given a register and a survey's free text full of private persons' names and e-mails
    consultation = closed_consultation()
    remarks_seed(consultation, count=30, drafter=staff_make("coordinator"), approver=admin)
    survey_seed(consultation, responses=40)
    services.report_conclusions_save(
        acting_user=admin,
        consultation_id=consultation.pk,
        html=f"<p>Dziękujemy, także Pani {PRIVATE_NAMES[0]} ({PRIVATE_EMAILS[1]}).</p>",
    )
    # when the report is published and every format rendered
    version = services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    version = services.report_version_render(version_id=version.pk)
    assert version.status == JobStatus.DONE
    texts = _texts(version)
    assert set(texts) == {"html", "pdf", "odt", "docx", "xlsx", "csv"}
    forbidden = PRIVATE_NAMES + PRIVATE_EMAILS + PRIVATE_ADDRESSES
    for fmt, text in texts.items():
        flat = _normalised(text)
        # then no name, e-mail or address of a private person is in it ...
        for value in forbidden:
            assert _normalised(value) not in flat, f"{value!r} found in the {fmt}"
        surname = PRIVATE_NAMES[1].split()[1]
        assert surname.lower() not in flat, f"{surname!r} found in the {fmt}"
        # ... while the organisation keeps its name, and the remarks are there
        assert _normalised(ORGANISATION) in flat, f"the organisation is missing from the {fmt}"
        assert "uzasadnienierozstrzygnięcianr1." in flat, f"responses missing from the {fmt}"


# --- The tagged PDF ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pdf_is_tagged_in_polish_with_the_font_embedded_and_alt_text_on_charts(admin):
    import pypdf

    consultation = closed_consultation()
    remarks_seed(consultation, count=6, drafter=staff_make("coordinator"), approver=admin)
    survey_seed(consultation, responses=12)
    version = services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    version = services.report_version_render(version_id=version.pk)
    reader = pypdf.PdfReader(io.BytesIO(bytes(version.files.get(format="pdf").content)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "pl"
    assert bool(root["/MarkInfo"]["/Marked"])
    tree = root["/StructTreeRoot"].get_object()
    roles: set[str] = set()
    alts: list[str] = []

    def walk(node, depth=0):
        node = node.get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                roles.add(str(node["/S"]))
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None and depth < 60:
                for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                    walk(kid, depth + 1)

    walk(tree)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= roles
    assert any("Czy rynek potrzebuje zieleni?" in alt for alt in alts)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Roboto" in name for name in fonts)
    assert "Raport z konsultacji" in reader.pages[0].extract_text()


@pytest.mark.django_db
def test_a_long_pdf_rendered_in_parts_is_one_tagged_document_numbered_throughout(
    admin, monkeypatch
):
    # given a register long enough to be printed in parts (a part every 2 rows here, as every
    # 240 in a real report), rendered by the worker processes and joined
    import pypdf

    from reports.formats import html as report_html
    from reports.formats import pdf as report_pdf

    monkeypatch.setattr(report_html, "PRINT_CHUNK_ROWS", 2)
    monkeypatch.setattr(report_html, "PRINT_PART_TABLES", 1)
    consultation = closed_consultation()
    remarks_seed(consultation, count=7, drafter=staff_make("coordinator"), approver=admin)
    survey_seed(consultation, responses=12)
    version = services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    version = services.report_version_render(version_id=version.pk)
    assert len(report_pdf.report_document_parts(version.data)) >= 4
    reader = pypdf.PdfReader(io.BytesIO(bytes(version.files.get(format="pdf").content)))
    # then it is one tagged document in Polish: one /Document with every part's elements,
    # each element's parent the one it hangs under, the register's cells tied to headers
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "pl" and bool(root["/MarkInfo"]["/Marked"])
    tree = root["/StructTreeRoot"].get_object()
    (document,) = tree["/K"]
    assert document.get_object()["/S"] == "/Document"
    roles: list[str] = []
    page_of_mcid: dict[tuple[int, int], object] = {}
    page_numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    cells_with_headers = 0
    stack = [(document, root.raw_get("/StructTreeRoot").idnum)]
    while stack:
        ref, parent = stack.pop()
        element = ref.get_object()
        roles.append(str(element["/S"]))
        assert element.raw_get("/P").idnum == parent
        if element["/S"] == "/TD" and element["/A"].get("/Headers"):
            cells_with_headers += 1
        for kid in element.get("/K", []):
            if isinstance(kid, int):
                page_of_mcid[(page_numbers[element.raw_get("/Pg").idnum], kid)] = ref.idnum
            elif kid.get_object().get("/Type") == "/StructElem":
                stack.append((kid, ref.idnum))
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= set(roles)
    assert roles.count("/H1") == 1
    assert cells_with_headers >= 7 * 8
    # the parent tree maps each page's marked content to its element, keys renumbered
    nums = tree["/ParentTree"]["/Nums"]
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert len(entries) == len(nums) // 2
    for index, page in enumerate(reader.pages):
        for mcid, ref in enumerate(entries[int(page["/StructParents"])]):
            if (index, mcid) in page_of_mcid:
                assert page_of_mcid[(index, mcid)] == ref.idnum
    # the pages are numbered 1..n across the parts, Roboto embedded, every remark there and
    # no private person named
    texts = [page.extract_text() for page in reader.pages]
    assert [text.split("\n")[-1] for text in texts] == [str(n) for n in range(1, len(texts) + 1)]
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Roboto" in name for name in fonts)
    text = "".join("\n".join(texts).split())
    for number in range(1, 8):
        assert f"Uzasadnienierozstrzygnięcianr{number}." in text
    for name in PRIVATE_NAMES:
        assert "".join(name.split()) not in text
    # and the bookmarks are the report's headings under its title, each on a page of its own
    (title, headings) = reader.outline
    assert title["/Title"].startswith("Raport z konsultacji")
    assert [item["/Title"] for item in headings][-1] == "Wnioski"
    for heading in headings:
        assert heading["/Title"] in texts[reader.get_destination_page_number(heading)]


# --- Deadline --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_report_is_due_the_days_its_rules_give_after_closing(in_a):
    consultation = closed_consultation()
    closed = timezone.localdate(consultation.closed_at)
    assert report_due_date(consultation) == closed + timedelta(days=30)
    assert report_due_date(consultation_in_state(S.OPEN)) is None
    # an act that sets no deadline for the report gives none
    assert report_due_date(closed_consultation(rules_snapshot={"source": "ustawa"})) is None


@pytest.mark.django_db
def test_an_erratum_note_and_the_effects_name_no_private_person(admin):
    # given a published report of a register with private persons in it
    consultation = closed_consultation()
    remarks_seed(consultation, count=3, drafter=staff_make("coordinator"), approver=admin)
    services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    name, email = PRIVATE_NAMES[0], PRIVATE_EMAILS[0]
    # when staff name one of them in the erratum's note and in the effects
    erratum = services.report_erratum_publish(
        acting_user=admin,
        consultation_id=consultation.pk,
        note=f"Poprawiono odpowiedź dla {name} ({email}).",
    )
    report = services.report_effects_save(
        acting_user=admin,
        consultation_id=consultation.pk,
        text=f"Uchwała uwzględnia wniosek {name}.",
        url="https://bip.example.test/uchwala",
    )
    # then the public texts keep the sentence but not the person
    for text in (erratum.erratum_note, report.effects_text):
        assert name not in text and email not in text
    assert erratum.erratum_note.startswith("Poprawiono odpowiedź dla ")
