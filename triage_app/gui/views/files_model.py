"""The lazy tree behind the Files view: evidence items, their volumes, then folders and files.

Folders are listed from `files.path` through the (evidence_id, path) index only, a page at a
time, by a skip-scan: one indexed seek finds the next path inside the folder's range
(`path > prefix || '/' AND path < prefix || '0'`, '0' being the character after '/'); a direct
child's rows are then read by path equality, and a descendant's whole subtree is jumped over
with the next seek (`path >= prefix/child || '0'`). A page therefore costs about two seeks per
child however large the subtrees are, so a folder of 100,000 files, or an evidence root above
a million files, never freezes the view. Folders that only exist in their members' paths (a
zip without directory entries, TSK orphans) appear as implied folders.

Children come in path (binary) order, the order of the index. Evidence text (names, paths) is
only ever returned as DisplayRole/ToolTipRole strings: plain text.

The preview's formatting helpers (`hex_dump`, `decode_text`, `content_direction`) are in
files_text and re-exported here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...report.tables import escape_controls
from ..casedata import CaseData
from .files_text import content_direction, decode_text, hex_dump

PAGE = 500
MAX_SEEKS = 4 * PAGE  # a page also ends after this many index seeks (bounded UI time)
COLUMNS = ("name", "deleted", "size", "modified", "type", "hashset", "sha256")
NodeRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

FILE_COLS = (
    "id, evidence_id, volume, path, name, kind, size, mtime, atime, ctime, crtime, inode,"
    " deleted, locator, sha256, md5, mime, note, error,"
    " (SELECT group_concat(h.name || coalesce(' (' || x.category || ')', ''), ', ')"
    "  FROM hashset_hits x JOIN hashsets h ON h.id = x.set_id WHERE x.file_id = files.id)"
    " AS hashsets"
)
_NEXT_AFTER = (
    "SELECT path FROM files WHERE evidence_id = ? AND path > ? AND path < ? ORDER BY path LIMIT 1"
)
_NEXT_FROM = (
    "SELECT path FROM files WHERE evidence_id = ? AND path >= ? AND path < ? ORDER BY path LIMIT 1"
)
_AT = f"SELECT {FILE_COLS} FROM files WHERE evidence_id = ? AND path = ? ORDER BY id"
_VOLUME_MATCH = "(volume = ?1 OR substr(volume, 1, length(?1) + 1) = ?1 || ':')"
_ANY_IN_VOLUME = (
    "SELECT 1 FROM files WHERE evidence_id = ?2 AND path > ?3 AND path < ?4 AND "
    + _VOLUME_MATCH
    + " LIMIT 1"
)

__all__ = ["COLUMNS", "FILE_COLS", "MAX_SEEKS", "PAGE", "FilesModel", "Index", "Node", "NodeRole",
           "content_direction", "decode_text", "hex_dump", "list_children",
           "list_volumes"]  # fmt: skip


@dataclass(eq=False)
class Node:
    """One tree item. `kind`: evidence | volume | dir | file (any other files.kind too)."""

    kind: str
    evidence_id: int
    parent: Node | None
    row: int = 0
    prefix: str = ""  # folder path without its trailing '/'; '' for an evidence or volume root
    volume: str | None = None  # volume filter; None = every file of the evidence
    data: dict[str, Any] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    done: bool = False
    cursor: tuple[bool, str] | None = None  # (inclusive, path) of the next seek
    dir_names: set[str] = field(default_factory=set)
    listed: bool = False  # folder listing started (an evidence with volumes never has one)

    @property
    def is_container(self) -> bool:
        return self.kind in ("evidence", "volume", "dir")

    @property
    def file_id(self) -> int | None:
        value = self.data.get("id")
        return value if isinstance(value, int) else None

    def volume_ok(self, volume: Any) -> bool:
        if self.volume is None:
            return True
        if self.volume == "":
            return volume in (None, "")
        return isinstance(volume, str) and (
            volume == self.volume or volume.startswith(self.volume + ":")
        )


def list_children(conn: sqlite3.Connection, node: Node, page: int = PAGE) -> list[Node]:
    """The next page of a folder's direct children (also marks the node done at the end)."""
    lo, hi = node.prefix + "/", node.prefix + "0"
    node.listed = True
    out: list[Node] = []
    seeks = 0
    while len(out) < page and seeks < MAX_SEEKS:
        inclusive, start = node.cursor or (False, lo)
        seeks += 1
        row = conn.execute(
            _NEXT_FROM if inclusive else _NEXT_AFTER, (node.evidence_id, start, hi)
        ).fetchone()
        if row is None:
            node.done = True
            break
        rest = row[0][len(lo) :]
        name = rest.split("/", 1)[0]
        if not name:  # "prefix//x": an empty segment; step past it
            node.cursor = (False, row[0])
            continue
        if "/" not in rest:
            out.extend(_rows_at(conn, node, row[0]))
            node.cursor = (False, row[0])
            continue
        child = lo + name
        if name not in node.dir_names and _any_below(conn, node, child):
            node.dir_names.add(name)
            out.append(_dir_node(node, child, name, {"implied": True}))
        node.cursor = (True, child + "0")
    return out


def _rows_at(conn: sqlite3.Connection, node: Node, path: str) -> list[Node]:
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute(_AT, (node.evidence_id, path))]
    finally:
        conn.row_factory = None
    out = []
    for data in rows:
        if not node.volume_ok(data["volume"]):
            continue
        if data["kind"] == "dir":
            if data["name"] in node.dir_names:
                continue  # the same folder twice (e.g. implied first): show it once
            node.dir_names.add(data["name"])
            out.append(_dir_node(node, path, data["name"], data))
        else:
            out.append(Node(data["kind"], node.evidence_id, node, data=data))
    return out


def _any_below(conn: sqlite3.Connection, node: Node, child: str) -> bool:
    if node.volume is None:
        return True
    if node.volume == "":
        sql = (
            "SELECT 1 FROM files WHERE evidence_id = ? AND path > ? AND path < ?"
            " AND (volume IS NULL OR volume = '') LIMIT 1"
        )
        return (
            conn.execute(sql, (node.evidence_id, child + "/", child + "0")).fetchone() is not None
        )
    args = (node.volume, node.evidence_id, child + "/", child + "0")
    return conn.execute(_ANY_IN_VOLUME, args).fetchone() is not None


def _dir_node(parent: Node, path: str, name: str, data: dict[str, Any]) -> Node:
    data = {"path": path, "name": name, "kind": "dir", **data}
    return Node("dir", parent.evidence_id, parent, prefix=path, volume=parent.volume, data=data)


def list_volumes(conn: sqlite3.Connection, node: Node) -> list[Node]:
    """An evidence item's volumes; none (files directly below) when it has no volume table."""
    conn.row_factory = sqlite3.Row
    try:
        rows = [
            dict(r)
            for r in conn.execute(
                "SELECT idx, description, fs_type, status, message, offset, length"
                " FROM volumes WHERE evidence_id = ? ORDER BY offset, idx",
                (node.evidence_id,),
            )
        ]
    finally:
        conn.row_factory = None
    # One volume holds every file of the item, whatever label its files carry.
    single = len(rows) == 1
    return [
        Node("volume", node.evidence_id, node, volume=None if single else r["idx"], data=r)
        for r in rows
    ]


class FilesModel(QAbstractItemModel):
    """Evidence → volumes → folders → files, each level fetched when it is expanded."""

    def __init__(self, case: CaseData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.conn = case.connect()
        self.root = Node("root", 0, None, done=True)
        self.root.children = self._evidence()

    def _evidence(self) -> list[Node]:
        self.conn.row_factory = sqlite3.Row
        try:
            rows = [
                dict(r)
                for r in self.conn.execute(
                    "SELECT id, label, identity, kind AS ev_kind, format, size, sha256, md5,"
                    " status, message FROM evidence ORDER BY id"
                )
            ]
        finally:
            self.conn.row_factory = None
        return [Node("evidence", r["id"], self.root, row=i, data=r) for i, r in enumerate(rows)]

    def refresh(self) -> None:
        """A scan committed more rows: new evidence items are appended and finished folders
        may be fetched further (rows sorting after what is shown; collapse and reopen or
        `reload()` for the rest)."""
        known = {n.evidence_id for n in self.root.children}
        new = [n for n in self._evidence() if n.evidence_id not in known]
        if new:
            first = len(self.root.children)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for i, n in enumerate(new):
                n.row = first + i
                n.parent = self.root
            self.root.children.extend(new)
            self.endInsertRows()
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            if node.listed:
                node.done = False
            stack.extend(c for c in node.children if c.is_container)

    def reload(self) -> None:
        self.beginResetModel()
        self.root.children = self._evidence()
        self.endResetModel()

    def close(self) -> None:
        self.conn.close()

    # --- structure -------------------------------------------------------------------------
    def node(self, index: Index) -> Node:
        if not index.isValid():
            return self.root
        node = index.internalPointer()
        assert isinstance(node, Node)
        return node

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self.node(parent)
        if 0 <= row < len(node.children) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        up = self.node(index).parent
        if up is None or up is self.root:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self.node(parent)
        return bool(node.children) or (node.is_container and not node.done)

    def canFetchMore(self, parent: Index) -> bool:
        node = self.node(parent)
        return node.is_container and not node.done

    def fetchMore(self, parent: Index) -> None:
        node = self.node(parent)
        if not node.is_container or node.done:
            return
        new: list[Node] = []
        if node.kind == "evidence" and not node.listed and not node.children:
            new = list_volumes(self.conn, node)
            node.done = bool(new)
        if not node.done:
            new = list_children(self.conn, node)
        if not new:
            return
        first = len(node.children)
        self.beginInsertRows(parent, first, first + len(new) - 1)
        for i, child in enumerate(new):
            child.row = first + i
        node.children.extend(new)
        self.endInsertRows()

    # --- data ------------------------------------------------------------------------------
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Name"),
            self.tr("Deleted"),
            self.tr("Size"),
            self.tr("Modified"),
            self.tr("Type"),
            self.tr("Hash set"),
            self.tr("SHA-256"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        column = COLUMNS[index.column()]
        # A name is evidence: controls and bidi overrides shown as escapes, so that
        # "scan_\u202egpj.exe" cannot pass for "scan_exe.jpg".
        if role == Qt.ItemDataRole.DisplayRole:
            return escape_controls(self._text(node, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            return escape_controls(self._tooltip(node))
        if role == NodeRole:
            return node
        # Deleted: grey plus the word in its own column (never colour alone). Not italic: an
        # italic face is often missing for Arabic, and the fallback then draws empty boxes.
        if role == Qt.ItemDataRole.ForegroundRole and node.data.get("deleted"):
            return QColor(Qt.GlobalColor.gray)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "size":
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, node: Node, column: str) -> str:
        d = node.data
        if node.kind == "evidence":
            values = {"name": d["label"], "type": d["format"], "sha256": d["sha256"] or ""}
            values["size"] = "" if d["size"] is None else f"{d['size']:,}"
            return str(values.get(column, ""))
        if node.kind == "volume":
            return self._volume_text(d, column)
        if column == "name":
            return str(d["name"])
        if column == "size":
            return f"{d['size']:,}" if node.kind != "dir" and "size" in d else ""
        if column == "modified":
            return self.case.local_time(d.get("mtime"))
        if column == "type":
            return self.tr("folder") if node.kind == "dir" else str(d.get("mime") or node.kind)
        if column == "deleted":
            return self.tr("deleted") if d.get("deleted") else ""
        return str(d.get({"sha256": "sha256", "hashset": "hashsets"}[column]) or "")

    def _volume_text(self, d: dict[str, Any], column: str) -> str:
        if column == "name":
            label = d["idx"] or self.tr("whole image")
            described = d["description"] and d["description"] != "whole image"
            return f"{label} — {d['description']}" if described else label
        if column == "type":
            return " · ".join(str(x) for x in (d["fs_type"], d["status"]) if x)
        if column == "size":
            return "" if d["length"] is None else f"{d['length']:,}"
        return ""

    def _tooltip(self, node: Node) -> str:
        if node.kind == "evidence":
            return str(node.data["identity"])
        if node.kind == "volume":
            return str(node.data.get("message") or "")
        return str(node.data.get("path", ""))

    def file_count(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM files WHERE kind = 'file'").fetchone()
        return int(row[0])
