# ruff: noqa: E501 (the ODF parts below are XML kept one element a line)
"""The report as ODT (written by hand: a few XML parts in a ZIP, per ODF 1.2) and DOCX
(python-docx), for the municipality's own editing: headings, tables with a repeated header
row, the charts as tables of their figures with the chart's description."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.utils.translation import gettext as _

from reports.charts import chart_alt


class _Flatten(HTMLParser):
    """Safe conclusions HTML → paragraphs: (kind, text), kind "h" (heading), "li" or "p"."""

    BLOCKS = {"p", "li", "h3", "h4", "blockquote", "br"}

    def __init__(self) -> None:
        super().__init__()
        self.out: list[tuple[str, str]] = []
        self.kind = "p"
        self.buffer: list[str] = []

    def _flush(self) -> None:
        text = "".join(self.buffer).strip()
        if text:
            self.out.append((self.kind, text))
        self.buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._flush()
            self.kind = {"li": "li", "h3": "h", "h4": "h"}.get(tag, "p")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._flush()
            self.kind = "p"

    def handle_data(self, data: str) -> None:
        self.buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def conclusions_paragraphs(html: str) -> list[tuple[str, str]]:
    parser = _Flatten()
    parser.feed(html or "")
    parser.close()
    return parser.out or [("p", _("No conclusions were written."))]


def _blocks_as_tables(block: dict[str, Any]) -> dict[str, Any]:
    """A chart as the table of its figures (office formats carry no SVG)."""
    return {
        "caption": chart_alt(str(block["caption"]), block["bars"]),
        "headers": [_("Answer"), _("Count"), _("Percent")],
        "rows": [
            [bar["label"], bar["count"], "" if bar.get("percent") is None else bar["percent"]]
            for bar in block["bars"]
        ],
    }


def _title(data: dict[str, Any]) -> str:
    return str(_("Report on the consultation: %(title)s") % {"title": data["title"]})


def _walk(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The document as a flat list of ("h1"|"h2"|"h3"|"p"|"li"|"facts"|"table", content)."""
    items: list[tuple[str, Any]] = [("h1", _title(data)), ("p", data["municipality"])]
    if data.get("version_label"):
        items.append(("p", data["version_label"]))
    for section in data["sections"]:
        items.append(("h2", section["title"]))
        for block in section["blocks"]:
            kind = block["type"]
            if kind == "paragraph":
                items.append(("p", block["text"]))
            elif kind == "facts":
                if block.get("caption"):
                    items.append(("h3", block["caption"]))
                items.append(("facts", block["items"]))
            elif kind == "table":
                items.append(("table", block))
            elif kind == "chart":
                items.append(("table", _blocks_as_tables(block)))
    items.append(("h2", _("Conclusions")))
    for kind, text in conclusions_paragraphs(data.get("conclusions_html", "")):
        items.append(({"h": "h3"}.get(kind, kind), text))
    return items


# --- ODT ------------------------------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"'
)

_ODT_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_ODT_NS}><office:font-face-decls/><office:styles>
<style:default-style style:family="paragraph"><style:text-properties fo:language="pl" fo:country="PL" fo:font-size="10pt"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph"/>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1"><style:text-properties fo:font-size="18pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:default-outline-level="2"><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_3" style:display-name="Heading 3" style:family="paragraph" style:default-outline-level="3"><style:text-properties fo:font-size="11pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Caption" style:family="paragraph"><style:text-properties fo:font-style="italic"/></style:style>
</office:styles></office:document-styles>"""

_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def _x(value: Any) -> str:
    return xml_escape("" if value is None else str(value)).replace("\n", "<text:line-break/>")


def _odt_table(out: list[str], block: dict[str, Any], number: int) -> None:
    columns = len(block["headers"])
    out.append(f'<text:p text:style-name="Caption">{_x(block.get("caption", ""))}</text:p>')
    out.append(f'<table:table table:name="T{number}">')
    out.append(f'<table:table-column table:number-columns-repeated="{columns}"/>')
    out.append("<table:table-header-rows><table:table-row>")
    for header in block["headers"]:
        out.append(
            '<table:table-cell office:value-type="string">'
            f'<text:p text:style-name="Table_20_Heading">{_x(header)}</text:p></table:table-cell>'
        )
    out.append("</table:table-row></table:table-header-rows>")
    for row in block["rows"]:
        out.append("<table:table-row>")
        for cell in row:
            out.append(
                f'<table:table-cell office:value-type="string"><text:p>{_x(cell)}</text:p>'
                "</table:table-cell>"
            )
        out.append("</table:table-row>")
    out.append("</table:table>")


def render_odt(data: dict[str, Any]) -> bytes:
    out: list[str] = [
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        "<office:body><office:text>"
    ]
    tables = 0
    for kind, content in _walk(data):
        if kind in ("h1", "h2", "h3"):
            level = kind[1]
            out.append(
                f'<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">'
                f"{_x(content)}</text:h>"
            )
        elif kind in ("p", "li"):
            prefix = "• " if kind == "li" else ""
            out.append(f"<text:p>{_x(prefix)}{_x(content)}</text:p>")
        elif kind == "facts":
            for label, value in content:
                out.append(f"<text:p>{_x(label)}: {_x(value)}</text:p>")
        elif kind == "table":
            tables += 1
            _odt_table(out, content, tables)
    out.append("</office:text></office:body></office:document-content>")
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODT_NS}><office:meta>'
        f"<dc:title>{_x(_title(data))}</dc:title><dc:language>pl-PL</dc:language>"
        "</office:meta></office:document-meta>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        # The mimetype entry comes first and uncompressed (ODF 1.2 part 3, 3.3).
        package.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        package.writestr("META-INF/manifest.xml", _ODT_MANIFEST)
        package.writestr("styles.xml", _ODT_STYLES)
        package.writestr("meta.xml", meta)
        package.writestr("content.xml", "".join(out))
    return buffer.getvalue()


# --- DOCX -----------------------------------------------------------------------------------


def render_docx(data: dict[str, Any]) -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = _title(data)
    document.core_properties.language = "pl-PL"
    # The document's language for spell-checking and screen readers.
    styles_element = document.styles.element
    rpr_default = styles_element.find(qn("w:docDefaults"))
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), "pl-PL")
            rpr.append(lang)
    for kind, content in _walk(data):
        if kind in ("h1", "h2", "h3"):
            document.add_heading(str(content), level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(str(content))
        elif kind == "li":
            document.add_paragraph(str(content), style="List Bullet")
        elif kind == "facts":
            for label, value in content:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run("" if value is None else str(value))
        elif kind == "table":
            document.add_paragraph(str(content.get("caption", "")), style="Caption")
            rows = content["rows"]
            table = document.add_table(rows=1, cols=len(content["headers"]))
            table.style = "Table Grid"
            header = table.rows[0]
            # Repeat the header row on every page and mark it as the table's header.
            tr_pr = header._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
            for cell, text in zip(header.cells, content["headers"], strict=True):
                cell.text = str(text)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            # Rows written as XML directly: python-docx's add_row() re-reads the whole table
            # for each row, which makes a 5,000-row register take minutes.
            tbl = table._tbl
            for row in rows:
                tr = OxmlElement("w:tr")
                for value in row:
                    tc = OxmlElement("w:tc")
                    paragraph = OxmlElement("w:p")
                    run = OxmlElement("w:r")
                    text = OxmlElement("w:t")
                    text.set(qn("xml:space"), "preserve")
                    text.text = "" if value is None else str(value)
                    run.append(text)
                    paragraph.append(run)
                    tc.append(paragraph)
                    tr.append(tc)
                tbl.append(tr)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
