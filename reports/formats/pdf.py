"""The report as a tagged PDF (WeasyPrint, PDF/UA-1 variant): a structure tree from the HTML
headings, tables with header cells, /Lang pl, the charts' alt text, and the Roboto font
(every Polish letter; from the font-roboto package on PyPI) embedded as a subset.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0);
`make report-deps` installs them where they are missing."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _

from common.fonts import FONT_DIR
from reports.formats.html import PRINT_PART_BREAK, report_body_html

CSS = """
@font-face { font-family: Roboto; src: url("%(regular)s"); font-weight: normal; }
@font-face { font-family: Roboto; src: url("%(bold)s"); font-weight: bold; }
@page { size: A4; margin: 18mm 15mm 20mm;
  @bottom-right { content: counter(page); font: 9pt Roboto; } }
@page :first { counter-reset: page %(first_page)s; }
@page wide { size: A4 landscape; }
html { font: 10pt/1.4 Roboto, sans-serif; color: #111; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; break-after: avoid; }
dl.facts { display: grid; grid-template-columns: 45mm 1fr; gap: 1mm 5mm; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%%; margin: 3mm 0; font-size: 8.5pt;
  table-layout: fixed; }
table.print-chunk + table.print-chunk { margin-top: 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 1mm; }
th, td { border: 0.5pt solid #777; padding: 1mm 1.5mm; vertical-align: top; text-align: left;
  overflow-wrap: break-word; }
thead { display: table-header-group; } tr { break-inside: avoid; }
table.wide { font-size: 7.5pt; page: wide; }
figure { margin: 3mm 0; } figure img { width: 160mm; }
figcaption { font-style: italic; }
"""


def _document(title: str, data: dict[str, Any], body: str, *, pages_before: int) -> str:
    css = CSS % {
        "regular": (FONT_DIR / "Roboto-Regular.ttf").as_uri(),
        "bold": (FONT_DIR / "Roboto-Bold.ttf").as_uri(),
        "first_page": pages_before + 1,  # WeasyPrint shows the reset value on that page
    }
    return (
        f'<!doctype html><html lang="{escape(data.get("lang", "pl"))}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<meta name="author" content="{escape(data["municipality"])}">'
        f"<style>{css}</style></head><body>{body}</body></html>"
    )


def report_document_parts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's title and its body cut at the print tables' part marks
    (reports.formats.html): each part is rendered as a document of its own."""
    title = _("Report on the consultation: %(title)s") % {"title": data["title"]}
    version = data.get("version_label") or ""
    body = (
        f"<h1>{escape(title)}</h1>"
        f"<p>{escape(data['municipality'])}{' – ' + escape(version) if version else ''}</p>"
        + report_body_html(data, level=2, for_print=True)
    )
    return [(title, part) for part in body.split(PRINT_PART_BREAK)]


def render_pdf(data: dict[str, Any]) -> bytes:
    """Each part is laid out and written by WeasyPrint on its own (its layout released before
    the next: memory stays that of one part), then the parts' pages and structure trees are
    joined into one tagged PDF (``merge_tagged``)."""
    import gc

    import weasyprint

    written: list[bytes] = []
    pages = 0
    for title, body in report_document_parts(data):
        document = weasyprint.HTML(
            string=_document(title, data, body, pages_before=pages), base_url=str(FONT_DIR)
        ).render(pdf_variant="pdf/ua-1")
        pages += len(document.pages)
        written.append(document.write_pdf(pdf_variant="pdf/ua-1"))
        del document
        gc.collect()
    return written[0] if len(written) == 1 else merge_tagged(written)


def merge_tagged(parts: list[bytes]) -> bytes:
    """One PDF of the parts' pages in order, keeping the first part's catalogue (/Lang,
    /MarkInfo, metadata) and joining the structure trees: every later part's top-level
    structure elements go under the first part's /Document element, and its /ParentTree
    entries (one per page, then one per link annotation) are renumbered after the ones
    already there, as are the pages' /StructParents and the annotations' /StructParent.
    The parts' bookmarks follow the first part's. qpdf (pikepdf) copies the objects: pypdf
    needed 300 MB more for 2,000 rows."""
    import io

    import pikepdf

    merged = pikepdf.Pdf.open(io.BytesIO(parts[0]))
    tree = merged.Root.StructTreeRoot
    document = tree.K[0]
    nums = tree.ParentTree.Nums
    next_key = max(int(nums[i]) for i in range(0, len(nums), 2)) + 1
    with merged.open_outline() as outline:
        for data in parts[1:]:
            part = pikepdf.Pdf.open(io.BytesIO(data))
            page_offset = len(merged.pages)
            for page in part.pages:
                page.obj.StructParents = next_key + int(page.obj.StructParents)
                for annotation in page.obj.get("/Annots", []):
                    if "/StructParent" in annotation:
                        annotation.StructParent = next_key + int(annotation.StructParent)
            merged.pages.extend(part.pages)
            part_tree = part.Root.StructTreeRoot
            kids = part_tree.K[0].K
            for kid in kids:  # cut the link to the part's own root before copying
                kid.P = pikepdf.Dictionary()
            for kid in kids:
                copied = merged.copy_foreign(kid)
                copied.P = document
                document.K.append(copied)
            part_nums = part_tree.ParentTree.Nums
            for i in range(0, len(part_nums), 2):
                nums.append(next_key + int(part_nums[i]))
                value = part_nums[i + 1]  # a page's array of elements, or an annotation's
                nums.append(
                    merged.copy_foreign(value)
                    if value.is_indirect
                    else pikepdf.Array([merged.copy_foreign(element) for element in value])
                )
            next_key += max(int(part_nums[i]) for i in range(0, len(part_nums), 2)) + 1
            with part.open_outline() as part_outline:
                indexes = {page.obj.objgen: i for i, page in enumerate(part.pages)}
                # A part after the first has no <h1>: its headings go under the report's.
                target = outline.root[-1].children if outline.root else outline.root
                for item in part_outline.root:
                    target.append(_outline_item(item, page_offset, indexes))
            part.close()
    out = io.BytesIO()
    merged.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _outline_item(item: Any, offset: int, pages: dict[tuple[int, int], int]) -> Any:
    """A part's bookmark (WeasyPrint makes them from the headings) pointing to the same page
    of the merged document; ``pages`` maps the part's page objects to their indexes."""
    import pikepdf

    page = pages.get(item.destination[0].objgen, 0) if item.destination is not None else 0
    copy = pikepdf.OutlineItem(item.title, offset + page)
    copy.children.extend(_outline_item(child, offset, pages) for child in item.children)
    return copy
