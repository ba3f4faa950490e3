"""The report as a tagged PDF (WeasyPrint, PDF/UA-1 variant): a structure tree from the HTML
headings, tables with header cells, /Lang pl, the charts' alt text, and the Roboto font
(every Polish letter; from the font-roboto package on PyPI) embedded as a subset.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0);
`make report-deps` installs them where they are missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import font_roboto
from django.utils.html import escape
from django.utils.translation import gettext as _

from reports.formats.html import report_body_html

FONT_DIR = Path(font_roboto.font_directory)

CSS = """
@font-face { font-family: Roboto; src: url("%(regular)s"); font-weight: normal; }
@font-face { font-family: Roboto; src: url("%(bold)s"); font-weight: bold; }
@page { size: A4; margin: 18mm 15mm 20mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 9pt Roboto; } }
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
th, td { border: 0.5pt solid #777; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
thead { display: table-header-group; } tr { break-inside: avoid; }
table.wide { font-size: 7.5pt; }
figure { margin: 3mm 0; } figure img { width: 160mm; }
figcaption { font-style: italic; }
"""


def report_document_html(data: dict[str, Any]) -> str:
    """A whole HTML document of the report (lang pl), as the PDF renders it."""
    css = CSS % {
        "regular": (FONT_DIR / "Roboto-Regular.ttf").as_uri(),
        "bold": (FONT_DIR / "Roboto-Bold.ttf").as_uri(),
    }
    title = _("Report on the consultation: %(title)s") % {"title": data["title"]}
    version = data.get("version_label") or ""
    return (
        f'<!doctype html><html lang="{escape(data.get("lang", "pl"))}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<meta name="author" content="{escape(data["municipality"])}">'
        f"<style>{css}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(data['municipality'])}{' – ' + escape(version) if version else ''}</p>"
        + report_body_html(data, level=2, for_print=True)
        + "</body></html>"
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    import weasyprint

    document = weasyprint.HTML(string=report_document_html(data), base_url=str(FONT_DIR))
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
