"""Splitting a draft act into numbered units ("§ 3 ust. 2") and reading DOCX/ODT safely.

A Polish act is written in paragraphs (§), each of which may have numbered sections (ust.,
written "1." at the start of a line); points ("1)") and letters ("a)") stay inside their
section. Text before the first § (title, legal basis) is one unit of its own.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO

from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.safezip import SafeZip, UnsafeZipError
from remarks.text import text_clean

# A DOCX or ODT of a resolution is a few hundred kilobytes of XML; a "zip bomb" expands a
# few kilobytes into gigabytes. We stop reading at these limits, whatever the headers claim.
DRAFT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DRAFT_XML_MAX_BYTES = 20 * 1024 * 1024
DRAFT_MAX_UNITS = 2000
DRAFT_MAX_CHARS = 500_000

_PARAGRAPH = re.compile(r"^§\s*(\d+[a-z]?)\.?\s*(.*)$")
_SECTION = re.compile(r"^(?:ust\.\s*)?(\d+[a-z]?)\.\s+(.*)$")


@dataclass(frozen=True)
class Unit:
    label: str
    text: str


def draft_split(text: str) -> list[Unit]:
    """The units of a draft, in order, each with its label and text."""
    units: list[Unit] = []
    label = ""
    lines: list[str] = []
    paragraph = ""

    def flush() -> None:
        body = "\n".join(line for line in lines if line).strip()
        if body:
            units.append(Unit(label or _("Title and preamble"), body))

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = text_clean(raw)
        if not line:
            continue
        if match := _PARAGRAPH.match(line):
            flush()
            paragraph = match.group(1)
            label, lines = f"§ {paragraph}", [match.group(2)]
            # "§ 3. 1. Text" opens the paragraph with its first section.
            if section := _SECTION.match(match.group(2)):
                label, lines = f"§ {paragraph} ust. {section.group(1)}", [section.group(2)]
            continue
        if paragraph and (section := _SECTION.match(line)):
            flush()
            label, lines = f"§ {paragraph} ust. {section.group(1)}", [section.group(2)]
            continue
        lines.append(line)
    flush()
    return units


def _xml_text(xml: bytes, paragraph_tags: set[str]) -> str:
    root = ElementTree.fromstring(xml, forbid_dtd=True)
    out: list[str] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in paragraph_tags:
            out.append("".join(element.itertext()))
    return "\n".join(out)


def draft_text_from_file(upload: IO[bytes], *, size: int | None) -> str:
    """The text of a DOCX or ODT draft, read with capped decompression; a Polish
    ValidationError for anything else (a renamed .exe, a bomb, broken XML)."""
    if size is not None and size > DRAFT_UPLOAD_MAX_BYTES:
        raise ValidationError({"file": [_("The file may be at most 10 MB.")]})
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        raise ValidationError({"file": [_("Only DOCX and ODT files can be imported.")]})
    upload.seek(0)
    try:
        with SafeZip(upload) as package:
            names = set(package.namelist())
            if "word/document.xml" in names:
                member, tags = "word/document.xml", {"p"}
            elif "content.xml" in names and "mimetype" in names:
                member, tags = "content.xml", {"p", "h"}
            else:
                raise ValidationError({"file": [_("Only DOCX and ODT files can be imported.")]})
            xml = package.read(member, max_bytes=DRAFT_XML_MAX_BYTES)
        return _xml_text(xml, tags)
    except ValidationError:
        raise
    except UnsafeZipError:
        raise ValidationError(
            {"file": [_("The document is too large once unpacked; please paste its text.")]}
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError):
        raise ValidationError({"file": [_("The file is damaged and cannot be read.")]}) from None
    except Exception:  # noqa: BLE001 - defusedxml and expat raise many kinds of errors
        raise ValidationError(
            {"file": [_("The document's content cannot be read; please paste its text.")]}
        ) from None
