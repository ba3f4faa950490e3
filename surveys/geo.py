"""Points and area outlines for map questions: pure functions over GeoJSON text (the
consultations catalogue has already checked each outline's type and depth).

Coordinates are GeoJSON's [longitude, latitude]; a point is typed and stored as
"latitude,longitude" (the order people read on maps). Inside-or-not is the even-odd rule over
every ring of every polygon, so holes count as outside; at a municipality's scale the plane
approximation of latitude and longitude is exact enough.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

Ring = list[tuple[float, float]]
POINT_DECIMALS = Decimal("0.000001")  # about 11 cm
_SEPARATORS = re.compile(r"\s*;\s*|\s*,\s+|\s+")


def polygons_of(outline: str) -> list[list[Ring]]:
    """The polygons (each a list of rings) of a Polygon, MultiPolygon, Feature or
    FeatureCollection; [] for an empty or unreadable outline."""
    if not outline:
        return []
    try:
        data = json.loads(outline)
    except (ValueError, RecursionError):
        return []
    found: list[list[Ring]] = []
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "FeatureCollection":
            stack.extend(item.get("features") or [])
        elif kind == "Feature":
            stack.append(item.get("geometry"))
        elif kind == "Polygon":
            found.append(_rings(item.get("coordinates")))
        elif kind == "MultiPolygon":
            found.extend(_rings(p) for p in item.get("coordinates") or [] if isinstance(p, list))
    return [p for p in found if p]


def _rings(coordinates: Any) -> list[Ring]:
    rings: list[Ring] = []
    for ring in coordinates if isinstance(coordinates, list) else []:
        points = []
        for point in ring if isinstance(ring, list) else []:
            if (
                isinstance(point, list)
                and len(point) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
            ):
                points.append((float(point[0]), float(point[1])))
        if len(points) >= 3:
            rings.append(points)
    return rings


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_outline(lat: float, lon: float, outline: str) -> bool:
    """Whether the point lies inside the outline (even-odd over all rings)."""
    for polygon in polygons_of(outline):
        inside = False
        for ring in polygon:
            if _in_ring(lon, lat, ring):
                inside = not inside
        if inside:
            return True
    return False


def point_parse(text: str) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) of "50.0614, 19.9366", "50,0614 19,9366" or "50.0614;19.9366",
    rounded to six decimals; raises ValueError (without a message: the caller words it)."""
    text = text.strip()
    if text.count(",") == 1 and "." in text:
        text = text.replace(",", " ")
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) != 2 or any(len(p) > 20 for p in parts):
        raise ValueError
    try:
        lat, lon = (Decimal(p.replace(",", ".")) for p in parts)
    except InvalidOperation:
        raise ValueError from None
    if not (lat.is_finite() and lon.is_finite()) or abs(lat) > 90 or abs(lon) > 180:
        raise ValueError
    return lat.quantize(POINT_DECIMALS), lon.quantize(POINT_DECIMALS)


def point_text(lat: Decimal, lon: Decimal) -> str:
    return f"{lat},{lon}"
