"""The Map view's data: located records indexed for drawing and clicking, and the outline.

The outline is Natural Earth 1:110m (public domain) shipped in `resources/map/`, in an
equirectangular projection (scene x = longitude, y = -latitude). A case can hold 100,000
located records, so `Located` keeps them as plain coordinate lists with levels of detail to
draw and a 1° grid of point indexes to resolve a click. Positions that are not finite numbers
within ±90°/±180° are counted as skipped, as the KML export does. Everything here is made in
the loading thread (QPolygonF and QPainterPath are plain value types).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPolygonF

from ...core.resources import resource_dir

WORLD = QRectF(-180.0, -90.0, 360.0, 180.0)
MIN_SPAN = 0.05  # degrees: fitting one photo shows its neighbourhood, not a single pixel
COLOURS = {"media": "#c0392b"}
OTHER_COLOUR = "#1f5fbf"


@dataclass
class Located:
    """What the loader found: positions by layer, ids in the same order, a 1° grid."""

    ids: list[int] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    layers: dict[str, list[int]] = field(default_factory=dict)  # colour → point indexes
    grid: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    skipped: int = 0
    # Levels of detail, coarse to fine: (cell size in degrees, [(points, colour)]), one
    # point per occupied cell, so a zoomed-out map draws what can be seen, not 100,000 dots.
    levels: list[tuple[float, list[tuple[QPolygonF, str]]]] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        lat, lon = _degrees(record.get("lat"), 90), _degrees(record.get("lon"), 180)
        if lat is None or lon is None:
            self.skipped += 1
            return
        index = len(self.ids)
        self.ids.append(int(str(record["id"]).partition(":")[2]))
        self.lon.append(lon)
        self.lat.append(lat)
        colour = COLOURS.get(str(record.get("kind")), OTHER_COLOUR)
        self.layers.setdefault(colour, []).append(index)
        self.grid.setdefault((math.floor(lon), math.floor(lat)), []).append(index)

    def build_levels(self) -> None:
        """Made in the loading thread (QPolygonF is a plain value type)."""
        size, previous = 1.0, -1
        while size > 1e-4:
            cells = self._thin(size)
            drawn = sum(len(points) for points in cells.values())
            if drawn in (previous, len(self.ids)):
                break  # no coarser summary left: the exact points follow
            self.levels.append((size, self._polygons(cells)))
            size, previous = size / 2, drawn
        exact = {colour: indexes for colour, indexes in self.layers.items()}
        self.levels.append((0.0, self._polygons(exact)))

    def _thin(self, size: float) -> dict[str, list[int]]:
        cells: dict[str, list[int]] = {}
        for colour, indexes in self.layers.items():
            seen: dict[tuple[int, int], int] = {}
            for i in indexes:
                seen.setdefault((math.floor(self.lon[i] / size), math.floor(self.lat[i] / size)), i)
            cells[colour] = list(seen.values())
        return cells

    def _polygons(self, cells: dict[str, list[int]]) -> list[tuple[QPolygonF, str]]:
        return [
            (QPolygonF([QPointF(self.lon[i], -self.lat[i]) for i in indexes]), colour)
            for colour, indexes in sorted(cells.items())
        ]

    def bounds(self) -> QRectF:
        """Scene rectangle of all points (at least MIN_SPAN wide and high)."""
        if not self.ids:
            return QRectF(WORLD)
        left, right = min(self.lon), max(self.lon)
        top, bottom = -max(self.lat), -min(self.lat)
        rect = QRectF(left, top, right - left, bottom - top)
        grow_x = max(MIN_SPAN - rect.width(), rect.width() * 0.1) / 2
        grow_y = max(MIN_SPAN - rect.height(), rect.height() * 0.1) / 2
        return rect.adjusted(-grow_x, -grow_y, grow_x, grow_y)

    def nearest(self, lon: float, lat: float, radius: float) -> int | None:
        """Index of the point nearest (lon, lat) within `radius` degrees, None if none."""
        cells_x = range(math.floor(lon - radius), math.floor(lon + radius) + 1)
        cells_y = range(math.floor(lat - radius), math.floor(lat + radius) + 1)
        if len(cells_x) * len(cells_y) > len(self.grid):
            candidates: Any = range(len(self.ids))
        else:
            candidates = (i for x in cells_x for y in cells_y for i in self.grid.get((x, y), ()))
        best, best_d = None, radius * radius
        for i in candidates:
            d = (self.lon[i] - lon) ** 2 + (self.lat[i] - lat) ** 2
            if d <= best_d:
                best, best_d = i, d
        return best


def _degrees(value: Any, limit: float) -> float | None:
    """A coordinate as a float, None unless a finite number within ±limit."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return float(value) if math.isfinite(value) and abs(value) <= limit else None


def outline() -> QPainterPath:
    """The bundled world outline as one path (scene coordinates)."""
    data = json.loads((resource_dir("map") / "world-110m.json").read_text(encoding="utf-8"))
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for ring in data["rings"]:
        points = [QPointF(ring[i], -ring[i + 1]) for i in range(0, len(ring) - 1, 2)]
        path.addPolygon(QPolygonF(points))
        path.closeSubpath()
    return path
