"""Photos: a thumbnail grid over media records, an EXIF panel, sensitive photos blurred.

The grid's model (paging, background thumbnails) is `PhotosModel` in photos_model. A photo
tagged `sensitive` is only ever shown from its blurred thumbnail until the examiner chooses
Reveal in this view; the reveal lives in this view's memory and nowhere else.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core import browse
from ...core.errors import QarinaError
from ...core.tags import BOOKMARK
from ...report.tables import escape_controls
from ..casedata import CaseData
from .photos_model import ICON_SIDE, SENSITIVE, PhotosModel, RecordRole


class PhotosView(QWidget):
    NAME = "photos"

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.model = PhotosModel(case, self)
        self.thumbnailReady = self.model.thumbnailReady
        self.grid = QListView()
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setWordWrap(True)
        self.grid.setIconSize(QSize(ICON_SIDE, ICON_SIDE))
        self.grid.setGridSize(QSize(ICON_SIDE + 32, ICON_SIDE + 56))
        self.grid.setSpacing(6)
        self.grid.setModel(self.model)
        self.grid.selectionModel().currentChanged.connect(self._show_current)
        self.model.thumbnailReady.connect(self._thumb_arrived)
        self.panel = QPlainTextEdit()
        self.panel.setReadOnly(True)
        self.panel.setPlaceholderText(self.tr("Select a photo to see its details."))
        self.summary = QLabel()
        self.reveal = QPushButton(self.tr("Reveal"))
        self.tag_button = QPushButton(self.tr("Tag…"))
        self.bookmark = QPushButton(self.tr("Bookmark"))
        self.mark = QPushButton(self.tr("Mark sensitive"))
        self.reveal.clicked.connect(self.toggle_reveal)
        self.tag_button.clicked.connect(self._ask_tag)
        self.bookmark.clicked.connect(lambda: self.tag_current(BOOKMARK))
        self.mark.clicked.connect(self.toggle_sensitive)
        self._layout()
        self._update_actions()

    def _layout(self) -> None:
        side = QWidget()
        buttons = QGridLayout()
        for i, button in enumerate((self.reveal, self.mark, self.tag_button, self.bookmark)):
            buttons.addWidget(button, i // 2, i % 2)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.panel, 1)
        column.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.grid)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 420])
        outer = QVBoxLayout(self)
        outer.addWidget(self.summary)
        outer.addWidget(splitter, 1)
        self._update_summary()

    # --- View protocol -----------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Photos")

    def count(self) -> int | None:
        return browse.count(self.case.conn, ("media",))

    def refresh(self) -> None:
        self.model.refresh()
        if self.model.canFetchMore() and self.model.rowCount() < browse.PAGE:
            self.model.fetchMore()
        self._update_summary()
        self._show_current()

    def passwords_changed(self) -> None:
        self.model.retry_problems()
        self._show_current()

    # --- actions -----------------------------------------------------------------------------
    def current(self) -> dict[str, Any] | None:
        record = self.grid.currentIndex().data(RecordRole)
        return record if isinstance(record, dict) else None

    def select_row(self, row: int) -> None:
        self.grid.setCurrentIndex(self.model.index(row))

    def toggle_reveal(self) -> None:
        record = self.current()
        if record is not None:
            self.model.set_revealed(record["id"], record["id"] not in self.model.revealed)
            self._show_current()

    def toggle_sensitive(self) -> None:
        record = self.current()
        if record is None:
            return
        if record["id"] in self.model.sensitive:
            self._change(lambda: self.case.untag(record["id"], SENSITIVE))
        else:
            self._change(lambda: self.case.tag(record["id"], SENSITIVE))

    def tag_current(self, tag: str, note: str | None = None) -> None:
        record = self.current()
        if record is not None:
            self._change(lambda: self.case.tag(record["id"], tag, note))

    def _ask_tag(self) -> None:
        tag, ok = QInputDialog.getText(
            self, self.tr("Tag"), self.tr("Tag (for example suspect, victim, relevant):")
        )
        if ok and tag.strip():
            self.tag_current(tag)

    def _change(self, action: Any) -> None:
        try:
            action()
        except QarinaError as exc:
            QMessageBox.warning(self, self.tr("Tag"), str(exc))
        self.model.reload_tags()
        self._show_current()

    # --- panel -------------------------------------------------------------------------------
    def _update_summary(self) -> None:
        self.summary.setText(self.tr("%1 photos and videos").replace("%1", str(self.count())))

    def _update_actions(self) -> None:
        record = self.current()
        for button in (self.reveal, self.tag_button, self.bookmark, self.mark):
            button.setEnabled(record is not None)
        sensitive = record is not None and record["id"] in self.model.sensitive
        self.reveal.setEnabled(sensitive)
        shown = sensitive and record is not None and record["id"] in self.model.revealed
        self.reveal.setText(self.tr("Blur again") if shown else self.tr("Reveal"))
        self.mark.setText(self.tr("Not sensitive") if sensitive else self.tr("Mark sensitive"))

    def _thumb_arrived(self, record_id: str, _blurred: bool) -> None:
        record = self.current()
        if record is not None and record["id"] == record_id:
            self._show_current()

    def _show_current(self, *_: Any) -> None:
        record = self.current()
        self._update_actions()
        self.panel.setPlainText("" if record is None else self.describe(record))

    def describe(self, record: dict[str, Any]) -> str:
        """The EXIF panel's plain text (evidence values verbatim)."""

        def text(value: Any) -> str:
            if value is None or value == "":
                return "—"
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

        tags = ", ".join(t.tag for t in self.case.tags(record["id"]))
        problem = self.model.problem(record["id"])
        lines = [
            (self.tr("Make"), text(record.get("make"))),
            (self.tr("Model"), text(record.get("model"))),
            (self.tr("Taken (camera clock)"), text(record.get("taken_local"))),
            (self.tr("Taken (case time zone)"), text(self.case.local_time(record.get("ts")))),
            (self.tr("Taken (UTC)"), text(record.get("ts"))),
            (self.tr("Latitude"), text(record.get("lat"))),
            (self.tr("Longitude"), text(record.get("lon"))),
            (self.tr("Altitude (m)"), text(record.get("alt"))),
            (self.tr("Type"), text(record.get("mime"))),
            (self.tr("Path"), text(record.get("path"))),
            (self.tr("Evidence"), text(record.get("evidence"))),
            (self.tr("Record"), text(record.get("id"))),
            (self.tr("SHA-256"), text(record.get("source_sha256"))),
            (self.tr("Tags"), text(tags)),
        ]
        if problem:
            lines.append((self.tr("Thumbnail"), problem))
        return escape_controls("\n".join(f"{label}: {value}" for label, value in lines))

    def closeEvent(self, event: Any) -> None:
        self.model.shutdown()
        super().closeEvent(event)


__all__ = ["SENSITIVE", "PhotosModel", "PhotosView", "RecordRole"]
