"""Roboto, the font of every PDF the project draws (every Polish letter; from the
``font-roboto`` package on PyPI, so nothing is fetched at run time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import font_roboto

FONT_DIR = Path(font_roboto.font_directory)


def roboto_add(doc: Any) -> None:
    """Register Roboto regular and bold with an fpdf2 document."""
    doc.add_font("Roboto", "", str(FONT_DIR / "Roboto-Regular.ttf"))
    doc.add_font("Roboto", "B", str(FONT_DIR / "Roboto-Bold.ttf"))
