"""The model behind the Photos view: media records paged into a grid, thumbnails made lazily.

The grid pages media records with `browse.page` (fetchMore, keyset by id) and asks for a
thumbnail only when Qt asks for an item's icon, i.e. for the items on screen. Thumbnails are
made in a private QThreadPool by `report.thumbs.write_thumbnails` (bytes read back from the
evidence, SHA-256 checked, decoding bounded) into the case's `work/thumbs/` cache and delivered
by signal as QImages (QPixmap is GUI-thread only). A record tagged `sensitive` is asked for
blurred unless the view has revealed it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap

from ...core import browse
from ...core.browse import Key
from ...core.errors import Cancelled
from ...core.progress import CancelToken
from ...core.tags import tagged_ids
from ...report.tables import escape_controls
from ...report.thumbs import Thumb, ThumbRequest, write_thumbnails
from ..casedata import CaseData

SENSITIVE = "sensitive"
THUMB_SIDE = 256
ICON_SIDE = 128
BATCH = 12  # thumbnails per job: evidence opened once per batch, results arrive steadily
RecordRole = Qt.ItemDataRole.UserRole + 1
ThumbKey = tuple[str, bool]  # (record id, blurred)
_Index = QModelIndex | QPersistentModelIndex


def _thumb_name(request: ThumbRequest) -> str | None:
    sha = request.sha256.lower() if isinstance(request.sha256, str) else ""
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return None
    return f"{sha}-blur.jpg" if request.blur else f"{sha}.jpg"


class _JobSignals(QObject):
    done = Signal(str, bool, QImage, str)  # record id, blurred, image, problem ("" when made)
    finished = Signal(object)  # the job


class _ThumbJob(QRunnable):
    """Makes (or finds in the cache) one batch of thumbnails in a pool thread."""

    def __init__(
        self, case: CaseData, batch: list[tuple[str, ThumbRequest]], cancel: CancelToken
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the model keeps it until `finished` arrives in its thread
        self.signals = _JobSignals()
        self._case, self._batch, self._cancel = case, batch, cancel
        self._out = case.dir / "work" / "thumbs"

    def run(self) -> None:
        try:
            results = self._results()
            for record_id, request in self._batch:
                thumb = results.get(request, Thumb(None, "not made"))
                image = QImage(str(self._out / thumb.name)) if thumb.name else QImage()
                problem = thumb.problem or ("" if not image.isNull() else "unreadable thumbnail")
                self.signals.done.emit(record_id, request.blur, image, problem)
        except Cancelled:
            pass
        finally:
            self.signals.finished.emit(self)

    def _results(self) -> dict[ThumbRequest, Thumb]:
        results: dict[ThumbRequest, Thumb] = {}
        todo = []
        for _, request in self._batch:
            name = _thumb_name(request)
            if name is not None and (self._out / name).is_file():
                results[request] = Thumb(name, None)  # made earlier from verified bytes
            else:
                todo.append(request)
        if todo:
            conn = self._case.connect()
            try:
                made = write_thumbnails(
                    self._case.dir, conn, todo, self._out, max_side=THUMB_SIDE,
                    passwords=self._case.passwords_by_id(conn), cancel=self._cancel,
                )  # fmt: skip
            finally:
                conn.close()
            results.update(made)
        return results


def _tile(problem: bool) -> QIcon:
    pixmap = QPixmap(ICON_SIDE, ICON_SIDE)
    pixmap.fill(QColor("#e6e6e6"))
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor("#b0b0b0"), 2))
    painter.drawRect(1, 1, ICON_SIDE - 3, ICON_SIDE - 3)
    if problem:
        painter.setPen(QPen(QColor("#b04040"), 3))
        painter.drawLine(32, 32, ICON_SIDE - 32, ICON_SIDE - 32)
        painter.drawLine(ICON_SIDE - 32, 32, 32, ICON_SIDE - 32)
    painter.end()
    return QIcon(pixmap)


class PhotosModel(QAbstractListModel):
    """Media records, one page at a time; icons made on demand in the background."""

    thumbnailReady = Signal(str, bool)  # record id, blurred

    def __init__(self, case: CaseData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._case = case
        self._rows: list[dict[str, Any]] = []
        self._row_of: dict[str, int] = {}
        self._last_id: int | None = None
        self._more = True
        self._icons: dict[ThumbKey, QIcon] = {}
        self._problems: dict[ThumbKey, str] = {}
        self._asked: set[ThumbKey] = set()
        self._queue: list[tuple[str, ThumbRequest]] = []
        self._jobs: set[_ThumbJob] = set()
        self._cancel = CancelToken()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # a 2-core laptop: one decoder, one UI
        self._placeholder, self._broken = _tile(False), _tile(True)
        self.sensitive: set[str] = set()
        self.revealed: set[str] = set()
        self.reload_tags()

    # --- list model -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        after = Key(self._last_id, self._last_id) if self._last_id is not None else None
        got = browse.page(self._case.conn, ("media",), after=after, order="id")
        self._more = got.last is not None
        if not got.records:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(got.records) - 1)
        for offset, record in enumerate(got.records):
            self._row_of[record["id"]] = first + offset
        self._rows += got.records
        self._last_id = int(got.records[-1]["id"].partition(":")[2])
        self.endInsertRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        key = self.key(record["id"])
        if role == Qt.ItemDataRole.DisplayRole:
            name = escape_controls(str(record.get("path") or record["id"]).rsplit("/", 1)[-1])
            if key in self._problems:
                return name + "\n" + self._problems[key]
            return name + "\n" + self.tr("sensitive: blurred") if key[1] else name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(record, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            path = escape_controls(str(record.get("path") or ""))
            return path + "\n" + self._problems.get(key, "")
        if role == RecordRole:
            return record
        return None

    # --- thumbnails ------------------------------------------------------------------------
    def key(self, record_id: str) -> ThumbKey:
        return record_id, record_id in self.sensitive and record_id not in self.revealed

    def ready(self) -> set[ThumbKey]:
        """Keys whose thumbnail or problem has arrived."""
        return set(self._icons) | set(self._problems)

    def problem(self, record_id: str) -> str | None:
        return self._problems.get(self.key(record_id))

    def _icon(self, record: dict[str, Any], key: ThumbKey) -> QIcon:
        if key in self._icons:
            return self._icons[key]
        if key in self._problems:
            return self._broken
        if key not in self._asked:
            self._asked.add(key)
            request = ThumbRequest(
                record["evidence"], record["path"], record["source_sha256"], key[1]
            )
            if not self._queue:
                QTimer.singleShot(0, self._submit)
            self._queue.append((key[0], request))
        return self._placeholder

    def _submit(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:BATCH], self._queue[BATCH:]
            job = _ThumbJob(self._case, batch, self._cancel)
            job.signals.done.connect(self._delivered)
            job.signals.finished.connect(self._finished)
            self._jobs.add(job)
            self._pool.start(job)

    def _finished(self, job: _ThumbJob) -> None:
        self._jobs.discard(job)

    def _delivered(self, record_id: str, blurred: bool, image: QImage, problem: str) -> None:
        key = (record_id, blurred)
        if problem:
            self._problems[key] = problem
        else:
            self._icons[key] = QIcon(QPixmap.fromImage(image))
        self.changed(record_id)
        self.thumbnailReady.emit(record_id, blurred)

    def changed(self, record_id: str) -> None:
        row = self._row_of.get(record_id)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))

    def reload_tags(self) -> None:
        before = self.sensitive
        self.sensitive = tagged_ids(self._case.conn, {SENSITIVE})
        for record_id in before ^ self.sensitive:
            self.changed(record_id)

    def set_revealed(self, record_id: str, revealed: bool) -> None:
        (self.revealed.add if revealed else self.revealed.discard)(record_id)
        self.changed(record_id)

    def refresh(self) -> None:
        """New committed records: the next fetchMore continues after the last id shown."""
        self._more = True
        self.reload_tags()

    def retry_problems(self) -> None:
        """Ask again for the thumbnails that could not be made (a password was given)."""
        if self._problems:
            self._problems.clear()
            self.dataChanged.emit(self.index(0), self.index(max(0, self.rowCount() - 1)))

    def shutdown(self) -> None:
        self._cancel.cancel()
        self._pool.clear()
        self._pool.waitForDone()


__all__ = ["ICON_SIDE", "SENSITIVE", "PhotosModel", "RecordRole"]
