"""Record tables: contacts, calls, web history, keyword hits and the timeline.

Each is a search box (Arabic-normalised full-text filter), a lazily paged table and a
details pane that shows the selected record whole, with its provenance and tags, as plain
text. Copy, bookmark and tag work on the selected record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QModelIndex, Qt, QTime, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core import browse
from ...core.tags import BOOKMARK
from ...core.timeconv import parse_iso
from ...report.tables import escape_controls
from ..casedata import CaseData
from ..record_model import Column, RecordTableModel

WEB_KINDS = ("web_visit", "web_download", "web_search", "web_cookie", "web_form", "web_cache")
PROVENANCE = ("id", "kind", "evidence", "volume", "path", "parser", "source_table",
              "source_rowid", "source_sha256", "ts", "ts_raw", "deleted")  # fmt: skip


class RecordsView(QWidget):
    """Strings of this base class use its own translation context explicitly: PySide's
    `self.tr` would look them up under the subclass's name, where lupdate never puts them."""

    NAME = "records"
    KINDS: tuple[str, ...] | None = None

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.model = RecordTableModel(case, self.KINDS, self.columns(), self)
        self.search = QLineEdit(
            placeholderText=QCoreApplication.translate(
                "RecordsView", "Search (Arabic letters normalised)…"
            )
        )
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._sorting()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.details = QPlainTextEdit(readOnly=True)
        self.details.setPlaceholderText(
            QCoreApplication.translate("RecordsView", "Select a record to see where it comes from.")
        )
        self._actions()
        self.model.sorting.connect(self._sorting_shown)
        self.model.failed.connect(self.details.setPlainText)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        self.extra_filters(top)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([430, 170])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.model.reload()
        self._size_columns()

    # -- for subclasses -------------------------------------------------------------------
    def columns(self) -> list[Column]:
        return [
            Column("time", QCoreApplication.translate("RecordsView", "Time")),
            Column("kind", QCoreApplication.translate("RecordsView", "Kind")),
        ]

    def extra_filters(self, row: QHBoxLayout) -> None:
        """Add widgets beside the search box."""

    def title(self) -> str:
        return QCoreApplication.translate("RecordsView", "Records")

    # -- View protocol --------------------------------------------------------------------
    def count(self) -> int | None:
        return browse.count(self.case.conn, self.KINDS)

    def refresh(self) -> None:
        self.model.reload()

    def live_refresh(self) -> None:
        """During a scan: show new records, unless the user is reading (a record selected
        or the table scrolled), who must not be moved."""
        if self.model.order.startswith("field:"):
            return  # a sorted snapshot: F5 sorts again with the new records
        at_top = self.table.verticalScrollBar().value() == 0
        if at_top and not self.table.selectionModel().hasSelection():
            self.model.reload()

    # -- internals ------------------------------------------------------------------------
    def _sorting(self) -> None:
        """Sorted by time (index order, any size) or by another column (sorted once in a
        worker; the details pane says so meanwhile)."""
        keys = [c.key for c in self.model.columns]
        header = self.table.horizontalHeader()
        self._time_column = keys.index("time") if "time" in keys else -1
        self._sorted_column = self._time_column
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(self._time_column, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._sort_changed)

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        if not self.model.can_sort(self.model.columns[section].key):
            header.blockSignals(True)
            header.setSortIndicator(self._sorted_column, self.model_order())
            header.blockSignals(False)
            return
        self._sorted_column = section
        self.model.sort(section, order)

    def _sorting_shown(self, running: bool) -> None:
        self.details.setPlainText(
            QCoreApplication.translate("RecordsView", "Sorting… (every record of the list)")
            if running
            else ""
        )

    def model_order(self) -> Qt.SortOrder:
        descending = self.model.descending
        return Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        for number, column in enumerate(self.model.columns):
            header.resizeSection(number, 200 if column.key == "time" else 170)

    def _actions(self) -> None:
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, shortcut, slot in (
            (
                QCoreApplication.translate("RecordsView", "Copy"),
                QKeySequence.StandardKey.Copy,
                self.copy_selected,
            ),
            (
                QCoreApplication.translate("RecordsView", "Bookmark"),
                QKeySequence("Ctrl+B"),
                self.bookmark_selected,
            ),
            (
                QCoreApplication.translate("RecordsView", "Tag…"),
                QKeySequence("Ctrl+T"),
                self.tag_selected,
            ),
        ):
            action = QAction(text, self.table)
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.table.addAction(action)

    def selected(self) -> dict[str, Any] | None:
        return self.model.record(self.table.currentIndex().row())

    def _show(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = self.model.record(current.row())
        self.details.setPlainText(escape_controls(self.describe(record)) if record else "")

    def describe(self, record: dict[str, Any]) -> str:
        """The whole record as plain text: provenance first, then its own fields, then tags."""
        lines = [QCoreApplication.translate("RecordsView", "Provenance")]
        lines += [f"  {k}: {record.get(k)}" for k in PROVENANCE]
        lines += ["", QCoreApplication.translate("RecordsView", "Fields")]
        lines += [
            f"  {k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v}"
            for k, v in record.items() if k not in PROVENANCE
        ]  # fmt: skip
        tags = self.case.tags(str(record.get("id")))
        if tags:
            lines += ["", QCoreApplication.translate("RecordsView", "Tags")]
            lines += [f"  {t.tag}: {t.note or ''} ({t.examiner}, {t.created})" for t in tags]
        return "\n".join(lines)

    def copy_selected(self) -> None:
        record = self.selected()
        if record:
            QGuiApplication.clipboard().setText(self.describe(record))

    def bookmark_selected(self) -> None:
        self._tag(BOOKMARK, None)

    def tag_selected(self) -> None:
        if self.selected() is None:
            return
        tag, ok = QInputDialog.getText(
            self,
            QCoreApplication.translate("RecordsView", "Tag"),
            QCoreApplication.translate("RecordsView", "Tag (e.g. suspect, victim):"),
        )
        if not ok or not tag.strip():
            return
        note, ok = QInputDialog.getText(
            self,
            QCoreApplication.translate("RecordsView", "Tag"),
            QCoreApplication.translate("RecordsView", "Note (optional):"),
        )
        self._tag(tag, note or None)

    def _tag(self, tag: str, note: str | None) -> None:
        record = self.selected()
        if record is None:
            return
        self.case.tag(str(record["id"]), tag, note)
        self.details.setPlainText(escape_controls(self.describe(record)))


class ContactsView(RecordsView):
    NAME, KINDS = "contacts", ("contact",)

    def title(self) -> str:
        return self.tr("Contacts")

    def columns(self) -> list[Column]:
        return [
            Column("name", self.tr("Name")), Column("phones", self.tr("Phones")),
            Column("emails", self.tr("E-mails")), Column("app", self.tr("App")),
            Column("time", self.tr("Changed")), Column("source", self.tr("Source")),
        ]  # fmt: skip


class CallsView(RecordsView):
    NAME, KINDS = "calls", ("call",)

    def title(self) -> str:
        return self.tr("Calls")

    def columns(self) -> list[Column]:
        return [Column("time", self.tr("Time")), Column("direction", self.tr("Direction")),
                Column("number", self.tr("Number")), Column("name", self.tr("Name")),
                Column("duration_s", self.tr("Seconds")), Column("app", self.tr("App")),
                Column("source", self.tr("Source"))]  # fmt: skip


class WebView(RecordsView):
    NAME, KINDS = "web", WEB_KINDS

    def title(self) -> str:
        return self.tr("Web history")

    def columns(self) -> list[Column]:
        return [Column("time", self.tr("Time")), Column("kind", self.tr("Kind")),
                Column("url", self.tr("URL")), Column("title", self.tr("Title")),
                Column("term", self.tr("Search term")), Column("browser", self.tr("Browser")),
                Column("source", self.tr("Source"))]  # fmt: skip


class KeywordsView(RecordsView):
    NAME, KINDS = "keywords", ("keyword_hit",)

    def title(self) -> str:
        return self.tr("Keyword hits")

    def columns(self) -> list[Column]:
        return [
            Column("keyword", self.tr("Keyword")), Column("context", self.tr("Context")),
            Column("pack", self.tr("Pack")), Column("encoding", self.tr("Encoding")),
            Column("target_id", self.tr("Found in")), Column("source", self.tr("Source")),
        ]  # fmt: skip


class TimelineView(RecordsView):
    NAME, KINDS = "timeline", None

    def title(self) -> str:
        return self.tr("Timeline")

    def columns(self) -> list[Column]:
        return [Column("time", self.tr("Time")), Column("kind", self.tr("Kind")),
                Column("app", self.tr("App")), Column("body", self.tr("Text")),
                Column("url", self.tr("URL")), Column("source", self.tr("Source"))]  # fmt: skip

    def extra_filters(self, row: QHBoxLayout) -> None:
        self.model.dated_only = True
        self.kind_box = QComboBox()
        self.kind_box.addItem(self.tr("All kinds"), None)
        for kind in ("message", "call", "contact", "media", *WEB_KINDS):
            self.kind_box.addItem(kind, (kind,))
        self.kind_box.currentIndexChanged.connect(
            lambda _: self.model.set_kinds(self.kind_box.currentData())
        )
        row.addWidget(self.kind_box)
        self.range_on = QCheckBox(self.tr("From"))
        self.start, self.end = QDateTimeEdit(), QDateTimeEdit()
        first, last = self._span()
        self.start.setDateTime(first)
        self.end.setDateTime(last.addSecs(60))  # "to" is exclusive: include the last minute
        row.addWidget(self.range_on)
        row.addWidget(self.start)
        row.addWidget(QLabel(self.tr("to")))
        row.addWidget(self.end)
        for edit in (self.start, self.end):
            # Mirrored, a date-time editor swaps its sections ("22:13" shows as "13:22").
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
            edit.dateTimeChanged.connect(lambda _: self.apply_range())
        self.range_on.toggled.connect(lambda _: self.apply_range())

    def _span(self) -> tuple[QDateTime, QDateTime]:
        """The first and last record times, in the case's zone (two index lookups: SQLite
        looks min() and max() up in an index only when each is a query of its own)."""
        row = [
            self.case.conn.execute(
                f"SELECT {f}(ts) FROM artifacts WHERE ts IS NOT NULL"
            ).fetchone()[0]
            for f in ("min", "max")
        ]
        bounds = []
        for value in row if row and row[0] else (None, None):
            moment = parse_iso(value) or datetime(1970, 1, 1, tzinfo=UTC)
            local = moment.astimezone(self.case.zone)
            day, clock = QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)
            bounds.append(QDateTime(day, clock))
        return bounds[0], bounds[1]

    def apply_range(self) -> None:
        """Keep the records between the two times, given in the case's display zone."""
        on = self.range_on.isChecked()
        for edit in (self.start, self.end):
            edit.setEnabled(on)
        self.model.since = self._utc(self.start.dateTime()) if on else None
        self.model.until = self._utc(self.end.dateTime()) if on else None
        self.model.reload()

    def _utc(self, value: QDateTime) -> str:
        day, clock = value.date(), value.time()
        local = datetime(
            day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=self.case.zone
        )
        return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
