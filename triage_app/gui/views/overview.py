"""Identifiers & links, Coverage & errors, and the audit log: small tables read whole (their
size follows the number of identifiers, parsers and actions, not of records), shown as
plain text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import apps, caseinfo
from ...search.query import shared_identifiers
from ..casedata import CaseData
from ..record_model import display

ROW_LIMIT = 20_000  # rows shown in one of these tables; the rest are in the report


def fill(table: QTableWidget, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Put `rows` (plain text) in `table`; the number of rows available."""
    table.setSortingEnabled(False)
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    data: list[Sequence[Any]] = []
    total = 0
    for row in rows:
        total += 1
        if len(data) < ROW_LIMIT:
            data.append(row)
    table.setRowCount(len(data))
    for r, row in enumerate(data):
        for c, value in enumerate(row):
            item = QTableWidgetItem(display(value))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(display(value, 4000))
            table.setItem(r, c, item)
    table.setSortingEnabled(True)
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        table.setColumnWidth(c, min(table.columnWidth(c), 360))
    return total


def _table() -> QTableWidget:
    table = QTableWidget()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


class LinksView(QWidget):
    NAME = "links"

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.note = QLabel(self.tr("Identifiers found on two or more evidence items."))
        self.shared = _table()
        self.places = _table()
        self.shared.currentCellChanged.connect(lambda row, *_: self._occurrences(row))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.shared)
        split.addWidget(self.places)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        self.items: list[dict[str, Any]] = []
        self.refresh()

    def title(self) -> str:
        return self.tr("Identifiers & links")

    def count(self) -> int | None:
        return len(self.items)

    def refresh(self) -> None:
        self.items = list(shared_identifiers(self.case.conn))
        headers = [self.tr("Type"), self.tr("Value"), self.tr("Evidence items"),
                   self.tr("Occurrences")]  # fmt: skip
        fill(self.shared, headers, (
            [i["type"], i["value"], ", ".join(f"#{e}" for e in i["evidence_ids"]),
             len(i["occurrences"])]
            for i in self.items
        ))  # fmt: skip
        self._occurrences(0)

    def _occurrences(self, row: int) -> None:
        item = self.items[row] if 0 <= row < len(self.items) else {"occurrences": []}
        headers = [self.tr("Evidence"), self.tr("Record"), self.tr("Path"), self.tr("Field"),
                   self.tr("As written")]  # fmt: skip
        rows = ([o["evidence"], o["record"] or o["file"], o["path"], o["field"], o["raw"]]
                for o in item["occurrences"])  # fmt: skip
        fill(self.places, headers, rows)


class CoverageView(QWidget):
    NAME = "coverage"

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.parsers, self.apps, self.errors = _table(), _table(), _table()
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        parts = (
            (self.tr("Parsers: files by outcome"), self.parsers),
            (self.tr("Apps found on the devices (installed but not parsed: no record read)"),
             self.apps),
            (self.tr("Errors and items that could not be read"), self.errors),
        )  # fmt: skip
        for label, table in parts:
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.addWidget(QLabel(label))
            inner.addWidget(table)
            split.addWidget(box)
        layout.addWidget(split)
        self.problems = 0
        self.refresh()

    def title(self) -> str:
        return self.tr("Coverage & errors")

    def count(self) -> int | None:
        return self.problems

    def refresh(self) -> None:
        conn = self.case.conn
        fill(self.parsers, [self.tr("Parser"), self.tr("Outcome"), self.tr("Files"),
                            self.tr("Records")],
             ([r["parser"], r["status"], r["files"], r["records"]]
              for r in caseinfo.coverage(conn)))  # fmt: skip
        fill(self.apps, [self.tr("Evidence"), self.tr("App"), self.tr("Name"),
                         self.tr("Category"), self.tr("Records"), self.tr("Parsed")],
             ([a["evidence_id"], a["app_id"], a["name"], a["category"], a["records"],
               self.tr("yes") if a["parsed"] else self.tr("NO")]
              for a in apps.coverage(conn)))  # fmt: skip
        self.problems = fill(
            self.errors, [self.tr("Where"), self.tr("Parser"), self.tr("Evidence"),
                          self.tr("Path"), self.tr("Status"), self.tr("Message")],
            ([e["source"], e["parser"], e["evidence_id"], e["path"], e["status"], e["message"]]
             for e in caseinfo.errors(conn, limit=ROW_LIMIT)),
        )  # fmt: skip


class AuditView(QWidget):
    NAME = "audit"

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.table = _table()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Every action on this case, hash-chained "
                                        "(check it with: qarina verify --case)")))  # fmt: skip
        layout.addWidget(self.table)
        self.entries = 0
        self.refresh()

    def title(self) -> str:
        return self.tr("Audit log")

    def count(self) -> int | None:
        return self.entries

    def refresh(self) -> None:
        rows = self.case.conn.execute(
            "SELECT seq, ts, action, details, hash FROM audit ORDER BY seq DESC LIMIT ?",
            (ROW_LIMIT,),
        )
        self.entries = fill(
            self.table, [self.tr("#"), self.tr("Time (UTC)"), self.tr("Action"),
                         self.tr("Details"), self.tr("Hash")],
            ([r[0], r[1], r[2], json.loads(r[3]), r[4]] for r in rows),
        )  # fmt: skip
