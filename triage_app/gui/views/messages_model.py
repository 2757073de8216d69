"""Models and the bubble delegate of the Messages view.

Both models page in a worker thread with keyset paging, each worker on its own read-only
connection: the conversation list groups messages by (evidence, app, thread); a conversation
pages its messages by (ts, id) within the thread, undated messages first. Evidence text is
painted as plain text with QTextLayout (never HTML), each block in its own direction.
"""

from __future__ import annotations

import functools
import sqlite3
import unicodedata
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)

from ...core import browse
from ...core.export import ARTIFACT_SELECT, artifact_record
from ...report.tables import escape_controls
from ..casedata import CaseData
from ..tasks import CaseTask

PAGE = browse.PAGE
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # the full export record (dict)
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2  # sender · time · direction · id · deleted
FOOTER_ROLE = Qt.ItemDataRole.UserRole + 3  # attachments and tags
KEY_ROLE = Qt.ItemDataRole.UserRole + 4  # a conversation's (evidence, app, thread)

ModelIndex = QModelIndex | QPersistentModelIndex
# A conversation: evidence id, app and thread; a missing app or thread is "" (no thread).
ConvKey = tuple[int, Any, Any]
APP = "coalesce(json_extract(a.data, '$.app'), '')"
THREAD = "coalesce(json_extract(a.data, '$.thread'), '')"


def isolate(text: str, *, ltr: bool = False) -> str:
    """`text` as one bidi unit (Unicode isolate): its direction from its own first strong
    character, or left-to-right for numbers, times and ids."""
    return ("\u2066" if ltr else "\u2068") + text + "\u2069"


def text_direction(text: str) -> Qt.LayoutDirection:
    """The direction of the first strong character (the Unicode bidi rule P2)."""
    for ch in text[:2000]:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
    return Qt.LayoutDirection.LeftToRight


def absolute_alignment(text: str) -> Qt.AlignmentFlag:
    """Align a cell by its own text's direction, whatever the layout direction."""
    side = Qt.AlignmentFlag.AlignRight
    if text_direction(text) == Qt.LayoutDirection.LeftToRight:
        side = Qt.AlignmentFlag.AlignLeft
    return side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter


class PagedModel(QAbstractTableModel):
    """Rows arrive one page at a time from a worker; `fetchMore` asks for the next page."""

    loaded = Signal(int, object)  # generation, (rows, next key) or an exception (worker side)
    pageLoaded = Signal()
    failed = Signal(str)

    def __init__(self, case: CaseData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.rows: list[dict[str, Any]] = []
        self._after: Any = None
        self._more = False
        self._busy = False
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.loaded.connect(self._on_loaded)

    def _page(self, conn: sqlite3.Connection, after: Any) -> tuple[list[dict[str, Any]], Any]:
        raise NotImplementedError

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._busy

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._busy = True
        after = self._after
        job = functools.partial(self._page, after=after)
        self._pool.start(CaseTask(self.case, self.loaded, self._generation, job))

    def busy(self) -> bool:
        return self._busy

    def restart(self) -> None:
        """Forget every row and load the first page again."""
        self._generation += 1
        self.beginResetModel()
        self.rows, self._after, self._more, self._busy = [], None, True, False
        self.endResetModel()
        self.fetchMore()

    def resume(self) -> None:
        """Look for rows committed after the last one loaded (a scan is running)."""
        if not self._busy:
            self._more = True
            self.fetchMore()

    def wait(self, msecs: int = 5000) -> bool:
        return bool(self._pool.waitForDone(msecs))

    def _on_loaded(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return  # a page of a conversation or filter that is no longer shown
        self._busy = False
        if isinstance(result, Exception):
            self._more = False
            self.failed.emit(str(result))
            return
        rows, last = result
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows += rows
            self.endInsertRows()
        self._more = last is not None
        if last is not None:
            self._after = last
        self.pageLoaded.emit()


class ConversationModel(PagedModel):
    """One row per (evidence, app, thread), in key order; `search` keeps only conversations
    holding a message that matches (Arabic-normalised full-text index)."""

    def __init__(self, case: CaseData, parent: QObject | None = None) -> None:
        super().__init__(case, parent)
        self.search = ""
        self._headers = [
            self.tr("Conversation"), self.tr("App"), self.tr("Messages"),
            self.tr("Last message"), self.tr("Participants"), self.tr("Evidence"),
        ]  # fmt: skip

    def set_search(self, text: str) -> None:
        self.search = text
        self.restart()

    def _page(self, conn: sqlite3.Connection, after: Any) -> tuple[list[dict[str, Any]], Any]:
        text, params = browse._text_filter(self.search)
        where = "a.kind = 'message'" + text
        if after is not None:
            where += f" AND (a.evidence_id, {APP}, {THREAD}) > (?, ?, ?)"
            params += list(after)
        sql = (
            f"SELECT a.evidence_id AS ev, {APP} AS app, {THREAD} AS thread, count(*) AS n,"
            " max(a.ts) AS last, group_concat(DISTINCT json_extract(a.data, '$.sender'))"
            f" AS senders FROM artifacts a WHERE {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            " LIMIT ?"
        )
        rows = [dict(r) for r in conn.execute(sql, [*params, PAGE])]
        labels = {r[0]: r[1] for r in conn.execute("SELECT id, label FROM evidence")}
        for row in rows:
            row["label"] = labels.get(row["ev"]) or str(row["ev"])
            senders = str(row["senders"] or "").split(",")
            row["participants"] = ", ".join(senders[:6]) + (" …" if len(senders) > 6 else "")
        last = None
        if len(rows) == PAGE:
            last = (rows[-1]["ev"], rows[-1]["app"], rows[-1]["thread"])
        return rows, last

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def cell(self, row: dict[str, Any], column: int) -> str:
        if column == 0:
            thread = row["thread"]
            return escape_controls(str(thread)) if thread != "" else self.tr("(no thread)")
        values = [row["app"], str(row["n"]), self.case.local_time(row["last"])]
        values += [row["participants"], row["label"]]
        return escape_controls(str(values[column - 1]))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return absolute_alignment(self.cell(row, index.column()))
        if role == KEY_ROLE:
            return (row["ev"], row["app"], row["thread"])
        return None


class MessageModel(PagedModel):
    """The messages of one conversation in time order, undated ones first."""

    def __init__(self, case: CaseData, parent: QObject | None = None) -> None:
        super().__init__(case, parent)
        self.key: ConvKey | None = None
        self.tags: dict[str, list[str]] = {}

    def set_conversation(self, key: ConvKey | None) -> None:
        self.key = key
        self.tags = {}
        if key is None:
            self._generation += 1
            self.beginResetModel()
            self.rows, self._after, self._more, self._busy = [], None, False, False
            self.endResetModel()
            return
        self.restart()

    def _page(self, conn: sqlite3.Connection, after: Any) -> tuple[list[dict[str, Any]], Any]:
        key_now = self.key  # read once: the UI thread may change conversations meanwhile
        if key_now is None:  # it did (closed): this page belongs to an old generation
            return [], None
        base = f"a.kind = 'message' AND a.evidence_id = ? AND {APP} = ? AND {THREAD} = ?"
        params = list(key_now)
        undated, key = after if after is not None else (True, None)
        rows: list[dict[str, Any]] = []
        if undated:
            rows = self._range(conn, base + " AND a.ts IS NULL", params, key, "a.id")
            if len(rows) == PAGE:
                return self._tagged(conn, rows), (True, int(rows[-1]["id"][4:]))
            key = None
        rows += self._range(conn, base + " AND a.ts IS NOT NULL", params, key, "a.ts, a.id",
                            PAGE - len(rows))  # fmt: skip
        last = None
        if len(rows) == PAGE:
            last = (False, (rows[-1]["ts"], int(rows[-1]["id"][4:])))
        return self._tagged(conn, rows), last

    @staticmethod
    def _range(
        conn: sqlite3.Connection, where: str, params: list[Any], after: Any, order: str,
        limit: int = PAGE,
    ) -> list[dict[str, Any]]:  # fmt: skip
        extra: list[Any] = []
        if after is not None:
            where += f" AND ({order}) > ({', '.join('?' * len(order.split(',')))})"
            extra = list(after) if isinstance(after, tuple) else [after]
        sql = f"{ARTIFACT_SELECT} WHERE {where} ORDER BY {order} LIMIT ?"
        return [artifact_record(r) for r in conn.execute(sql, [*params, *extra, limit])]

    def _tagged(self, conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        found: dict[str, list[str]] = {}
        if ids:
            sql = f"SELECT record_id, tag FROM tags WHERE record_id IN ({','.join('?' * len(ids))})"
            for record_id, tag in conn.execute(sql, ids):
                found.setdefault(record_id, []).append(tag)
        for row in rows:
            row["_tags"] = sorted(found.get(row["id"], []))
        return rows

    def update_tags(self, row: int) -> None:
        """Re-read one message's tags after the examiner tagged it."""
        record = self.rows[row]
        got = self.case.conn.execute("SELECT tag FROM tags WHERE record_id = ?", (record["id"],))
        record["_tags"] = sorted(t for (t,) in got)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def header(self, record: dict[str, Any]) -> str:
        direction = {"incoming": self.tr("incoming"), "outgoing": self.tr("outgoing")}
        sender = record.get("sender")
        # Each part isolated: "+218…" and "2024-05-01 16:00 +0200" keep their order in an
        # Arabic window, and an Arabic name keeps its own in an English one.
        if sender:
            parts = [isolate(escape_controls(str(sender)))]
        elif record.get("direction") == "outgoing":
            parts = [self.tr("(the device's owner)")]
        else:
            parts = [self.tr("(unknown sender)")]
        when = self.case.local_time(record.get("ts"))
        parts.append(isolate(when, ltr=True) if when else self.tr("(no time)"))
        parts.append(direction.get(str(record.get("direction")), self.tr("direction unknown")))
        parts.append(isolate(str(record["id"]), ltr=True))
        if record.get("deleted"):
            parts.append(self.tr("DELETED"))
        return "  ·  ".join(parts)

    def footer(self, record: dict[str, Any]) -> str:
        lines = []
        attachments = record.get("attachments") or []
        if attachments:
            names = ", ".join(isolate(escape_controls(str(a))) for a in attachments)
            lines.append(self.tr("Attachments: %1").replace("%1", names))
        if record.get("_tags"):
            lines.append(self.tr("Tags: %1").replace("%1", ", ".join(record["_tags"])))
        return "\n".join(lines)

    def provenance(self, record: dict[str, Any]) -> str:
        found = self.case.conn.execute(
            "SELECT label FROM evidence WHERE id = ?", (record["evidence"],)
        ).fetchone()
        label = escape_controls(found[0] if found else "")
        table, rowid = record.get("source_table"), record.get("source_rowid")
        lines = [
            self.tr("Record: %1").replace("%1", str(record["id"])),
            self.tr("Evidence: %1").replace("%1", f"{record['evidence']} ({label})"),
            self.tr("Path: %1").replace("%1", escape_controls(str(record.get("path")))),
            self.tr("Volume: %1").replace("%1", str(record.get("volume"))),
            self.tr("Parser: %1").replace("%1", str(record.get("parser"))),
            self.tr("Table/row: %1").replace("%1", f"{table} / {rowid}"),
            self.tr("Source SHA-256: %1").replace("%1", str(record.get("source_sha256"))),
            self.tr("Time (UTC): %1").replace("%1", str(record.get("ts"))),
            self.tr("Stored time value: %1").replace("%1", str(record.get("ts_raw"))),
        ]  # fmt: skip
        return "\n".join(lines)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            # Evidence text as it is, but a bidi override cannot reorder what follows it
            # ("\u202eexe.gpj" must not read "jpg.exe"): controls are shown as escapes.
            return escape_controls(str(record.get("body") or ""))
        if role == RECORD_ROLE:
            return record
        if role == HEADER_ROLE:
            return self.header(record)
        if role == FOOTER_ROLE:
            return self.footer(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.provenance(record)
        return None
