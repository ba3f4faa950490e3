"""The report's data as XLSX (one sheet of figures, one sheet per table) and CSV (every table
one after another, each under its caption)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from reports.formats.office import _blocks_as_tables

# Characters a spreadsheet would read as a formula at the start of a cell (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _tables(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    tables: list[tuple[str, dict[str, Any]]] = []
    for section in data["sections"]:
        for block in section["blocks"]:
            if block["type"] == "table":
                tables.append((block.get("sheet") or section["title"], block))
            elif block["type"] == "chart":
                tables.append((section["title"], _blocks_as_tables(block)))
    return tables


def _facts(data: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("Report on the consultation: %(title)s") % {"title": data["title"]}]
    ]
    for section in data["sections"]:
        for block in section["blocks"]:
            if block["type"] == "facts":
                rows.extend([section["title"], label, value] for label, value in block["items"])
            elif block["type"] == "paragraph":
                rows.append([section["title"], block["text"]])
    return rows


def render_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet(str(_("Report"))[:31])
    for row in _facts(data):
        summary.append([_safe(str(v)) if isinstance(v, str) else v for v in row])
    used: set[str] = {summary.title}
    for index, (name, table) in enumerate(_tables(data), start=1):
        title = str(name)[:28]
        for bad in "[]:*?/\\":
            title = title.replace(bad, " ")
        if title in used:
            title = f"{title[:25]} {index}"
        used.add(title)
        sheet = book.create_sheet(title)
        sheet.append([str(table.get("caption", ""))])
        sheet.append([str(header) for header in table["headers"]])
        for row in table["rows"]:
            sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_csv(data: dict[str, Any]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    for row in _facts(data):
        writer.writerow([_safe(value) for value in row])
    for _name, table in _tables(data):
        writer.writerow([])
        writer.writerow([table.get("caption", "")])
        writer.writerow(table["headers"])
        for row in table["rows"]:
            writer.writerow([_safe(value) for value in row])
    # UTF-8 with a BOM: a spreadsheet opened by double-click reads the Polish letters right.
    return ("\ufeff" + text.getvalue()).encode("utf-8")
