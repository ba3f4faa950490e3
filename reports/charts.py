"""Bar charts of survey and register results as SVG, with the text alternative that goes
with them. The SVG is shown as an <img> (data: URI, allowed by the CSP's img-src) so that
both the page and the tagged PDF carry its alt text; a table of the same figures always
follows it for anyone who cannot see the picture."""

from __future__ import annotations

import base64
from typing import Any

from django.utils.html import escape

WIDTH = 640
ROW = 30
LABEL_WIDTH = 260
LABEL_CHARS = 38
BAR_COLOUR = "#1f5c99"  # 7.0:1 against white: readable as bar and as text colour
TEXT_COLOUR = "#1a1a1a"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _shown(count: object) -> str:
    """A count as printed: a withheld one (None) is a dash, words stay words."""
    return "–" if count is None else str(count)


def _number(bar: dict[str, Any]) -> int:
    """The bar's length: a count withheld (words such as "mniej niż 5") draws no bar."""
    return bar["count"] if isinstance(bar["count"], int) else 0


def bar_chart_svg(caption: str, bars: list[dict[str, Any]]) -> str:
    """A horizontal bar chart: one row per option, the count and percent at the bar's end."""
    top = max((_number(bar) for bar in bars), default=0) or 1
    height = ROW * len(bars) + 10
    span = WIDTH - LABEL_WIDTH - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="DejaVu Sans, Roboto, sans-serif" '
        f'font-size="13"><title>{escape(caption)}</title>'
    ]
    for index, bar in enumerate(bars):
        y = 5 + index * ROW
        length = round(span * _number(bar) / top)
        percent = bar.get("percent")
        value = f"{_shown(bar['count'])}" + (f" ({percent} %)" if percent is not None else "")
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(_short(str(bar['label'])))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{max(length, 1)}" height="20" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + max(length, 1) + 6}" y="{y + 19}" fill="{TEXT_COLOUR}">'
            f"{escape(value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def chart_alt(caption: str, bars: list[dict[str, Any]]) -> str:
    """The alt text: what the chart shows, every figure included."""
    figures = "; ".join(
        f"{bar['label']}: {_shown(bar['count'])}"
        + (f" ({bar['percent']} %)" if bar.get("percent") is not None else "")
        for bar in bars
    )
    return f"{caption}. {figures}."


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
