"""The report as HTML: the body shared by the consultation's page and the PDF.

Built in Python with every value escaped (a 5,000-row table renders in a fraction of the
time a template loop takes); the conclusions are HTML already sanitised by nh3."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _

from reports.charts import bar_chart_svg, chart_alt, data_uri


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(escape(str(value))).replace("\n", "<br>")


def _rows(rows: list[list[Any]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)


# For print, a long table is cut into tables of this many rows, each with its header row and
# caption: WeasyPrint lays out one table spanning hundreds of pages far slower than many
# short ones (bench/report.py).
PRINT_CHUNK_ROWS = 60
# Every this many print tables, a mark where the PDF is cut into separately rendered parts
# (reports.formats.pdf): WeasyPrint keeps every page's layout until it writes the file, so
# one render of 5,000 rows peaked at 1.7 GB.
PRINT_PART_TABLES = 4
PRINT_PART_BREAK = "<!--pdf-part-->"


# About how many characters of a print table's text fit across the page (A4 landscape at
# 7.5 pt for a wide table, portrait at 8.5 pt otherwise; reports.formats.pdf), and how many
# a cell's padding takes.
PRINT_LINE_CHARS = {True: 200.0, False: 120.0}
PRINT_CELL_PADDING_CHARS = 2.5


def _print_columns(block: dict[str, Any]) -> str:
    """For print, a ``<colgroup>`` sharing the width out by the text each column holds: first
    room for its longest word (from a sample of rows), then the rest by the mean length of
    its cells. A fixed layout otherwise gives every column the same width, and a long text in
    a narrow column makes a tall row of many short lines, each one a text box to lay out,
    draw and tag."""
    line = PRINT_LINE_CHARS[bool(block.get("wide"))]
    rows = block["rows"]
    sample = rows[:: max(1, len(rows) // 200)]
    needs, extras = [], []
    for i, header in enumerate(block["headers"]):
        texts = [str(header)] + ["" if row[i] is None else str(row[i]) for row in sample]
        word = max((len(w) for t in texts for w in t.split()), default=1)
        need = min(word, line / 4) + PRINT_CELL_PADDING_CHARS
        needs.append(need)
        mean = sum(len(t) for t in texts) / len(texts) + PRINT_CELL_PADDING_CHARS
        extras.append(max(mean - need, 0.0))
    rest = max(line - sum(needs), 0.0)
    widths = [
        need + (rest * extra / sum(extras) if sum(extras) else rest / len(needs))
        for need, extra in zip(needs, extras, strict=True)
    ]
    total = sum(widths)
    return (
        "<colgroup>"
        + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in widths)
        + "</colgroup>"
    )


def _table(block: dict[str, Any], ident: str, *, css: str = "", chunk: int | None = None) -> str:
    head = "".join(f'<th scope="col">{_cell(h)}</th>' for h in block["headers"])
    rows = block["rows"]
    if chunk and len(rows) > chunk:
        caption = _cell(block.get("caption", ""))
        classes = "report-table print-chunk" + (" wide" if block.get("wide") else "")
        columns = _print_columns(block)
        parts = []
        for start in range(0, len(rows), chunk):
            part = f"{caption} ({start + 1}–{min(start + chunk, len(rows))})"
            if start and (start // chunk) % PRINT_PART_TABLES == 0:
                parts.append(PRINT_PART_BREAK)
            parts.append(
                f'<table class="{classes}"><caption>{part}</caption>{columns}'
                f"<thead><tr>{head}</tr></thead><tbody>{_rows(rows[start : start + chunk])}"
                "</tbody></table>"
            )
        return "".join(parts)
    body = _rows(rows)
    classes = "report-table" + (" wide" if block.get("wide") else "") + (f" {css}" if css else "")
    return (
        f'<div class="table-scroll" tabindex="0" role="region" aria-labelledby="{ident}">'
        f'<table class="{classes}">'
        f'<caption id="{ident}">{_cell(block.get("caption", ""))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def block_html(block: dict[str, Any], ident: str, level: int, *, chunk: int | None = None) -> str:
    kind = block["type"]
    if kind == "paragraph":
        return f"<p>{_cell(block['text'])}</p>"
    if kind == "facts":
        caption = (
            f"<h{level + 1}>{_cell(block['caption'])}</h{level + 1}>"
            if block.get("caption")
            else ""
        )
        items = "".join(f"<dt>{_cell(k)}</dt><dd>{_cell(v)}</dd>" for k, v in block["items"])
        return f'{caption}<dl class="facts">{items}</dl>'
    if kind == "table":
        return _table(block, ident, chunk=chunk)
    if kind == "chart":
        caption = str(block["caption"])
        bars = block["bars"]
        svg = bar_chart_svg(caption, bars)
        table = {
            "caption": _("Figures of the chart: %(caption)s") % {"caption": caption},
            "headers": [_("Answer"), _("Count"), _("Percent")],
            "rows": [
                [bar["label"], bar["count"], "" if bar.get("percent") is None else bar["percent"]]
                for bar in bars
            ],
        }
        return (
            f'<figure class="chart"><img src="{data_uri(svg)}" '
            f'alt="{escape(chart_alt(caption, bars))}">'
            f"<figcaption>{_cell(caption)}</figcaption></figure>"
            + _table(table, ident + "-t", css="chart-table")
        )
    return ""


def report_body_html(data: dict[str, Any], *, level: int = 2, for_print: bool = False) -> str:
    """The sections, then the conclusions and effects, with headings from ``level`` down."""
    parts: list[str] = []
    for s_index, section in enumerate(data["sections"]):
        parts.append(
            f'<section class="report-section" aria-labelledby="rs-{s_index}">'
            f'<h{level} id="rs-{s_index}">{_cell(section["title"])}</h{level}>'
        )
        for b_index, block in enumerate(section["blocks"]):
            parts.append(
                block_html(
                    block,
                    f"rb-{s_index}-{b_index}",
                    level,
                    chunk=PRINT_CHUNK_ROWS if for_print else None,
                )
            )
        parts.append("</section>")
    parts.append(
        f'<section class="report-section" aria-labelledby="rs-conclusions">'
        f'<h{level} id="rs-conclusions">{_cell(_("Conclusions"))}</h{level}>'
        + (data.get("conclusions_html") or f"<p>{_cell(_('No conclusions were written.'))}</p>")
        + "</section>"
    )
    effects = data.get("effects") or {}
    if effects.get("text"):
        link = (
            f'<p><a href="{escape(effects["url"])}">{_cell(_("The final act"))}</a></p>'
            if effects.get("url")
            else ""
        )
        parts.append(
            f'<section class="report-section" aria-labelledby="rs-effects">'
            f'<h{level} id="rs-effects">{_cell(_("Effects of the consultation"))}</h{level}>'
            f"<p>{_cell(effects['text'])}</p>{link}</section>"
        )
    return "".join(parts)
