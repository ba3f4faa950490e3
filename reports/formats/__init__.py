"""Every format of the report, each rendered from the same data snapshot (reports.builder).

``FORMATS`` lists them in the order they are generated, with the file name's extension and
the media type; ``render(fmt, data)`` returns the file's bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reports.formats import office, pdf, sheets


@dataclass(frozen=True)
class Format:
    code: str
    label: str
    media_type: str
    render: Callable[[dict[str, Any]], bytes]


FORMATS: dict[str, Format] = {
    fmt.code: fmt
    for fmt in (
        Format("pdf", "PDF", "application/pdf", pdf.render_pdf),
        Format("odt", "ODT", "application/vnd.oasis.opendocument.text", office.render_odt),
        Format(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            office.render_docx,
        ),
        Format(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            sheets.render_xlsx,
        ),
        Format("csv", "CSV", "text/csv; charset=utf-8", sheets.render_csv),
    )
}


def render(code: str, data: dict[str, Any]) -> bytes:
    return FORMATS[code].render(data)
