"""A table model over records of some kinds, fetched a page at a time (keyset paging).

Qt asks `canFetchMore`/`fetchMore` as the user scrolls; each fetch is one indexed query of
`browse.PAGE` rows, so a million-record kind opens as fast as a ten-record one and memory
grows only with what was scrolled through. Sorting by time (either direction) follows an
index; sorting by another column has none, so the ids in that order are computed once in a
worker thread (`browse.ordered_ids`, a few seconds for a million records) and pages are read
from that snapshot. The text filter is the Arabic-normalised full-text index.

A loaded row keeps only its display strings (a tuple of str, which Python's cycle collector
stops tracking): holding the decoded records instead made every full collection walk tens of
thousands of dicts and froze scrolling for 100–200 ms at a time. The whole record is read
again by id when it is asked for (selection, tooltip).
"""

from __future__ import annotations

import functools
import json
from array import array
from dataclasses import dataclass
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)

from ..core import browse
from ..core.export import artifact_records_by_id
from ..report.tables import escape_controls
from .casedata import CaseData
from .tasks import CaseTask

NOT_FIELDS = frozenset({"source", "kind", "id"})  # columns that are not a record's own field
DISPLAY_LIMIT = 400  # characters in a cell; the details pane shows the whole value
TOOLTIP_LIMIT = 4000
Index = QModelIndex | QPersistentModelIndex


class Row(NamedTuple):
    """A tuple of atomic values: the cycle collector stops tracking it after one pass."""

    id: int
    cells: tuple[str, ...]
    deleted: bool


@dataclass(frozen=True)
class Column:
    """`key` is a record field, or `time` (local time), `kind`, `id`, `source`."""

    key: str
    title: str


def display(value: Any, limit: int = DISPLAY_LIMIT) -> str:
    """A record value as one line of plain text: lists joined, controls and bidi overrides
    made visible (a file name cannot reorder its row), cut at `limit`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, list):
        text = "; ".join(display(v, limit) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    text = escape_controls(text.replace("\n", " ↵ "))
    return text if len(text) <= limit else text[:limit] + "…"


class RecordTableModel(QAbstractTableModel):
    sorted = Signal(int, object)  # generation, the ids in order or an exception (worker side)
    sorting = Signal(bool)  # a sort by a field started (True) or ended (False)
    failed = Signal(str)

    def __init__(
        self, case: CaseData, kinds: tuple[str, ...] | None, columns: list[Column],
        parent: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.case, self.kinds, self.columns = case, kinds, columns
        self.conn = case.connect()
        self.search = ""
        self.order = "ts"
        self.descending = False
        self.dated_only = False  # a timeline leaves out records without a time
        self.since: str | None = None  # ISO UTC bounds of a time range (until exclusive)
        self.until: str | None = None
        self.rows: list[Row] = []
        self._after: browse.Key | None = None
        self._more = True
        self._ids: array[int] | None = None  # the snapshot of a sort by a field
        self._offset = 0  # where the next page starts in it
        self._generation = 0
        self._task: CaseTask | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.sorted.connect(self._on_sorted)

    # -- what the view changes --------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self.search = text.strip()
        self.reload()

    def set_kinds(self, kinds: tuple[str, ...] | None) -> None:
        self.kinds = kinds
        self.reload()

    def reload(self) -> None:
        """Read the first page again; a sort by a field is computed again first."""
        if self.order.startswith("field:"):
            self._resort()
            return
        self._stop_sort()
        self._reset()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def _reset(self) -> None:
        self.beginResetModel()
        self.rows, self._after, self._more, self._offset = [], None, True, 0
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By time for the time column (index order), by record id for columns that are not
        a record field, else by that field (computed in a worker, see `_resort`)."""
        key = self.columns[column].key if 0 <= column < len(self.columns) else "id"
        if key == "time":
            self.order = "ts"
        else:
            self.order = "id" if key in NOT_FIELDS else f"field:{key}"
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def can_sort(self, key: str) -> bool:
        return key == "time" or key not in NOT_FIELDS

    def sorting_now(self) -> bool:
        return self._task is not None

    def wait(self, msecs: int = 30_000) -> bool:
        return bool(self._pool.waitForDone(msecs))

    def _resort(self) -> None:
        """Ask a worker for the ids in the new order; the table is empty until they come."""
        self._stop_sort()
        self._ids = None
        self._reset()
        self._more = False
        job = functools.partial(
            browse.ordered_ids, kinds=self.kinds, field=self.order[6:],
            descending=self.descending, search=self.search, since=self.since, until=self.until,
            dated_only=self.dated_only,
        )  # fmt: skip
        self._task = CaseTask(self.case, self.sorted, self._generation, job)
        self.sorting.emit(True)
        self._pool.start(self._task)

    def _stop_sort(self) -> None:
        """Interrupt a running sort; its answer, if it still comes, is dropped."""
        self._generation += 1
        if self._task is not None:
            self._task.interrupt()
            self._task = None
            self.sorting.emit(False)

    def _on_sorted(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return  # a sort that was asked again or replaced
        self._task = None
        self.sorting.emit(False)
        if isinstance(result, Exception):
            self.failed.emit(str(result))
            return
        self._ids = result
        self._reset()
        self.fetchMore(QModelIndex())

    def total(self) -> int:
        return browse.count(self.conn, self.kinds)

    # -- paging ---------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        if self.order.startswith("field:"):
            self._fetch_sorted()
            return
        got = browse.page(
            self.conn, self.kinds, after=self._after, order=self.order,
            descending=self.descending, search=self.search, dated_only=self.dated_only,
            since=self.since, until=self.until,
        )  # fmt: skip
        self._after, self._more = got.last, got.last is not None
        if got.records:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(got.records) - 1)
            self.rows += [self._row(record) for record in got.records]
            self.endInsertRows()

    def _fetch_sorted(self) -> None:
        if self._ids is None:  # still sorting
            return
        ids = self._ids[self._offset : self._offset + browse.PAGE]
        self._offset += len(ids)
        self._more = self._offset < len(self._ids)
        records = list(artifact_records_by_id(self.conn, ids))  # a record gone is left out
        first = len(self.rows)
        if records:
            self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
            self.rows += [self._row(record) for record in records]
            self.endInsertRows()

    def _row(self, record: dict[str, Any]) -> Row:
        number = int(str(record["id"]).rsplit(":", 1)[-1])
        cells = tuple(display(self.value(record, c.key)) for c in self.columns)
        return Row(number, cells, bool(record.get("deleted")))

    # -- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None

    def value(self, record: dict[str, Any], key: str) -> Any:
        if key == "time":
            return self.case.local_time(record.get("ts"))
        if key == "source":
            return f"#{record.get('evidence')} {record.get('path') or ''}"
        return record.get(key)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            record = self.record(index.row())
            key = self.columns[index.column()].key
            return display(self.value(record, key), TOOLTIP_LIMIT) if record else None
        if role == Qt.ItemDataRole.UserRole:
            return self.record(index.row())
        if role == Qt.ItemDataRole.FontRole and row.deleted:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setItalic(True)
            return font
        return None

    def record(self, row: int) -> dict[str, Any] | None:
        """The whole record of a loaded row, read again from the case by its id."""
        if not 0 <= row < len(self.rows):
            return None
        found = list(artifact_records_by_id(self.conn, [self.rows[row].id]))
        return found[0] if found else None

    def close(self) -> None:
        self._stop_sort()
        self.wait()
        self.conn.close()
