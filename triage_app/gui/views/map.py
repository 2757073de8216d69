"""Map: every located record drawn offline over a bundled outline, with KML export.

No tile server, no network: the outline (Natural Earth, shipped in `resources/map/`) and the
index of located records are in map_data. The located records
(`export.artifact_records(..., located=True)`: photos with GPS, shared locations in
messages, ...) are read in a pool thread; a case can hold 100,000 of them, so they are drawn
by one item that maps all points with one transform call and draws them at a fixed pixel size,
and a click is resolved through a 1° grid of point indexes. Positions that are not finite
numbers within ±90°/±180° are counted as skipped, as the KML export does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import Cancelled, QarinaError
from ...core.export import artifact_records, artifact_records_by_id
from ...core.progress import CancelToken
from ...report.geo import write_geo
from ...report.tables import escape_controls
from ..casedata import CaseData
from .map_data import WORLD, Located, outline

POINT_PX = 7
CLICK_PX = 8
ROUND_MAX = 5000


class _Signals(QObject):
    loaded = Signal(object, object)  # Located, QPainterPath | None
    failed = Signal(str)
    exported = Signal(list)


class _Load(QRunnable):
    def __init__(self, case: CaseData, cancel: CancelToken, with_outline: bool) -> None:
        super().__init__()
        self.setAutoDelete(False)  # kept by the view until its result arrives
        self.signals = _Signals()
        self._case, self._cancel, self._with_outline = case, cancel, with_outline

    def run(self) -> None:
        try:
            found = Located()
            conn = self._case.connect()
            try:
                for number, record in enumerate(artifact_records(conn, None, located=True)):
                    if number % 1000 == 0:
                        self._cancel.check()
                    found.add(record)
            finally:
                conn.close()
            found.build_levels()
            self.signals.loaded.emit(found, outline() if self._with_outline else None)
        except Cancelled:
            pass
        except (QarinaError, OSError, ValueError, KeyError) as exc:
            self.signals.failed.emit(str(exc))


class _Export(QRunnable):
    def __init__(self, case: CaseData, folder: Path) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _Signals()
        self._case, self._folder = case, folder

    def run(self) -> None:
        try:
            conn = self._case.connect()
            try:
                paths = write_geo(conn, self._folder)
            finally:
                conn.close()
            self.signals.exported.emit([str(p) for p in paths])
        except (QarinaError, OSError, ValueError) as exc:
            self.signals.failed.emit(str(exc))


class _Points(QGraphicsItem):
    """All located records, drawn at a fixed size in pixels whatever the zoom."""

    def __init__(self, found: Located) -> None:
        super().__init__()
        self._levels = found.levels

    def boundingRect(self) -> QRectF:
        return WORLD.adjusted(-10, -10, 10, 10)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        transform = painter.worldTransform()
        per_degree = transform.m11()
        layers = next(
            (layers for size, layers in self._levels if size * per_degree <= 1.5),
            self._levels[-1][1] if self._levels else [],
        )
        # Round antialiased dots cost ~10 times square ones: squares for crowded maps.
        many = sum(polygon.size() for polygon, _ in layers) > ROUND_MAX
        cap = Qt.PenCapStyle.SquareCap if many else Qt.PenCapStyle.RoundCap
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not many)
        for polygon, colour in layers:
            painter.setPen(QPen(QColor(colour), POINT_PX - many, Qt.PenStyle.SolidLine, cap))
            painter.drawPoints(transform.map(polygon))
        painter.restore()


class MapCanvas(QGraphicsView):
    """The map: wheel zooms under the cursor; a click reports the scene point and a radius."""

    clicked = Signal(QPointF, float)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QBrush(QColor("#dcebf5")))
        self.user_zoomed = False

    def zoom(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.5 <= scale <= 200_000:
            self.scale(factor, factor)
            self.user_zoomed = True

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom(1.25 ** (event.angleDelta().y() / 120))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            radius = CLICK_PX / max(self.transform().m11(), 1e-9)
            self.clicked.emit(self.mapToScene(event.position().toPoint()), radius)
        super().mousePressEvent(event)


class MapView(QWidget):
    NAME = "map"
    loaded = Signal(int)  # number of points drawn
    exported = Signal(list)  # paths written (GeoJSON, KML)
    failed = Signal(str)  # loading or export failed: the reason

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.found: Located | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._cancel = CancelToken()
        self._jobs: set[QRunnable] = set()
        self._loading = self._dirty = False
        self.scene = QGraphicsScene(self)
        self.scene.setSceneRect(WORLD.adjusted(-20, -20, 20, 20))
        self._land = self.scene.addPath(QPainterPath(), self._land_pen(), QColor("#f4efe1"))
        self._points: _Points | None = None
        self._marker = QGraphicsEllipseItem(-7, -7, 14, 14)
        self._marker.setPen(QPen(QColor("#000000"), 2))
        self._marker.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._marker.setZValue(3)
        self._marker.hide()
        self.scene.addItem(self._marker)
        self.canvas = MapCanvas(self.scene)
        self.canvas.clicked.connect(self.show_point)
        self.panel = QPlainTextEdit()
        self.panel.setReadOnly(True)
        self.panel.setPlaceholderText(self.tr("Click a point to see its record."))
        self.status = QLabel(self.tr("Loading located records…"))
        self._build()
        self.refresh()

    @staticmethod
    def _land_pen() -> QPen:
        pen = QPen(QColor("#9a9a8a"), 1)
        pen.setCosmetic(True)
        return pen

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        for text, slot, keys in (
            (self.tr("Zoom out"), lambda: self.canvas.zoom(0.8), QKeySequence.StandardKey.ZoomOut),
            (self.tr("Zoom in"), lambda: self.canvas.zoom(1.25), QKeySequence.StandardKey.ZoomIn),
            (self.tr("Fit to points"), self.fit, None),
            (self.tr("Export KML…"), self._ask_export, None),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            bar.addWidget(button)
            if keys is not None:
                QShortcut(QKeySequence(keys), self, slot)
                plain = "-" if keys == QKeySequence.StandardKey.ZoomOut else "+"
                QShortcut(QKeySequence(plain), self, slot)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([760, 300])
        column = QVBoxLayout(self)
        column.addLayout(bar)
        column.addWidget(splitter, 1)

    # --- View protocol -----------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Map")

    def count(self) -> int | None:
        return None if self.found is None else len(self.found.ids)

    def refresh(self) -> None:
        if self._loading:
            self._dirty = True
            return
        self._loading, self._dirty = True, False
        job = _Load(self.case, self._cancel, with_outline=self._land.path().isEmpty())
        self._start(job, lambda: job.signals.loaded.connect(self._loaded))

    def _start(self, job: QRunnable, connect: Any) -> None:
        connect()
        signals: _Signals = job.signals  # type: ignore[attr-defined]
        signals.failed.connect(self._failed)
        self._jobs.add(job)
        self._pool.start(job)

    # --- results -----------------------------------------------------------------------------
    def _loaded(self, found: Located, land: QPainterPath | None) -> None:
        self._loading = False
        self._jobs = {j for j in self._jobs if not isinstance(j, _Load)}
        if land is not None:
            self._land.setPath(land)
        if self._points is not None:
            self.scene.removeItem(self._points)
        self.found = found
        self._points = _Points(found)
        self._points.setZValue(2)
        self.scene.addItem(self._points)
        text = self.tr("%1 located records").replace("%1", f"{len(found.ids):,}")
        if found.skipped:
            text += " · " + self.tr("%1 with an invalid position not drawn").replace(
                "%1", f"{found.skipped:,}"
            )
        self.status.setText(text)
        if not self.canvas.user_zoomed:
            self.fit()
        self.loaded.emit(len(found.ids))
        if self._dirty:
            self.refresh()

    def _failed(self, message: str) -> None:
        self._loading = False
        self._jobs.clear()
        self.status.setText(self.tr("Failed: %1").replace("%1", message))
        self.failed.emit(message)

    def fit(self) -> None:
        target = self.found.bounds() if self.found is not None else QRectF(WORLD)
        self.canvas.fitInView(target, Qt.AspectRatioMode.KeepAspectRatio)
        self.canvas.user_zoomed = False

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not self.canvas.user_zoomed:
            self.fit()

    # --- record panel ------------------------------------------------------------------------
    def show_point(self, scene: QPointF, radius: float) -> None:
        if self.found is None:
            return
        index = self.found.nearest(scene.x(), -scene.y(), radius)
        if index is None:
            return
        self._marker.setPos(self.found.lon[index], -self.found.lat[index])
        self._marker.show()
        self.show_record(self.found.ids[index])

    def show_record(self, artifact_id: int) -> None:
        records = list(artifact_records_by_id(self.case.conn, [artifact_id]))
        if not records:
            self.panel.setPlainText("")
            return
        record = records[0]
        lines = [f"{self.tr('Time (case time zone)')}: {self.case.local_time(record.get('ts'))}"]
        for key, value in record.items():
            if value is not None and value != "" and value != []:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                lines.append(f"{key}: {text}")
        self.panel.setPlainText(escape_controls("\n".join(lines)))

    # --- export ------------------------------------------------------------------------------
    def _ask_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export KML and GeoJSON to"))
        if folder:
            self.export_kml(Path(folder))

    def export_kml(self, folder: Path) -> None:
        """Write `locations.kml` and `locations.geojson` into `folder` in the background."""
        self.status.setText(self.tr("Exporting…"))
        job = _Export(self.case, Path(folder))
        self._start(job, lambda: job.signals.exported.connect(self._exported))

    def _exported(self, paths: list[str]) -> None:
        self._jobs = {j for j in self._jobs if not isinstance(j, _Export)}
        self.status.setText(self.tr("Written: %1").replace("%1", "; ".join(paths)))
        self.exported.emit(paths)

    def closeEvent(self, event: Any) -> None:
        self._cancel.cancel()
        self._pool.waitForDone()
        super().closeEvent(event)
