"""The draft split into numbered units; DOCX/ODT import with capped decompression."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from remarks.drafts import draft_split, draft_text_from_file
from tests.consultations.factories import exe_bytes

DRAFT = """Uchwała nr XII/85/2026 Rady Gminy Dębno
w sprawie regulaminu parku

§ 1. Uchwała określa zasady korzystania z parku.
§ 2. 1. Park jest otwarty w godzinach 6–22.
2. W parku obowiązuje zakaz:
1) palenia ognisk,
2) jazdy quadami.
§ 3
Wykonanie uchwały powierza się Burmistrzowi.
§ 3a. Uchwała wchodzi w życie po 14 dniach.
"""

# Written out by hand from the text above.
EXPECTED = [
    ("Tytuł i wstęp", "Uchwała nr XII/85/2026 Rady Gminy Dębno\nw sprawie regulaminu parku"),
    ("§ 1", "Uchwała określa zasady korzystania z parku."),
    ("§ 2 ust. 1", "Park jest otwarty w godzinach 6–22."),
    ("§ 2 ust. 2", "W parku obowiązuje zakaz:\n1) palenia ognisk,\n2) jazdy quadami."),
    ("§ 3", "Wykonanie uchwały powierza się Burmistrzowi."),
    ("§ 3a", "Uchwała wchodzi w życie po 14 dniach."),
]


def test_a_draft_splits_into_paragraphs_and_numbered_sections():
    assert [(u.label, u.text) for u in draft_split(DRAFT)] == EXPECTED


def _docx(paragraphs: list[str]) -> io.BytesIO:
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    buffer.seek(0)
    return buffer


def _odt(paragraphs: list[str]) -> io.BytesIO:
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            f"{body}</office:text></office:body></office:document-content>",
        )
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("make", [_docx, _odt])
def test_a_docx_or_odt_draft_is_read_paragraph_by_paragraph(make):
    upload = make(["§ 1. Pierwszy.", "§ 2. 1. Drugi.", "2. Trzeci."])
    text = draft_text_from_file(upload, size=None)
    assert [(u.label, u.text) for u in draft_split(text)] == [
        ("§ 1", "Pierwszy."),
        ("§ 2 ust. 1", "Drugi."),
        ("§ 2 ust. 2", "Trzeci."),
    ]


def test_a_docx_bomb_is_refused_without_unpacking_it():
    # 1 GB of zeros would unpack from about 1 MB; the cap stops reading at 20 MB.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(64):
                member.write(chunk)
    buffer.seek(0)
    with pytest.raises(ValidationError) as caught:
        draft_text_from_file(buffer, size=len(buffer.getvalue()))
    assert "za duży" in " ".join(caught.value.message_dict["file"])


def test_an_xml_entity_expansion_is_refused():
    upload = _docx([])
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><w:document>&lol2;</w:document>',
        )
    bomb.seek(0)
    assert upload  # the well-formed one is fine
    with pytest.raises(ValidationError):
        draft_text_from_file(bomb, size=None)


@pytest.mark.parametrize("content", [exe_bytes(), b"PK\x03\x04broken", b"%PDF-1.7 not a draft"])
def test_other_files_are_refused_with_a_message(content):
    with pytest.raises(ValidationError) as caught:
        draft_text_from_file(io.BytesIO(content), size=len(content))
    assert "file" in caught.value.message_dict
