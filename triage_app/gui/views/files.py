"""Files: a tree per evidence item and volume, deleted files marked, details and a preview.

The tree is `FilesModel` (lazy, paged by folder). Selecting a file shows its details (plain
text) and a hex and a text preview of its first `PREVIEW_BYTES`, read back from the evidence
in this view's own one-thread pool: each evidence item is opened at most once there (an item
that fails keeps its reason, shown in place of the preview), a newer selection cancels the
older read, and everything is closed by `shutdown()` (also on close). Reading goes through the
evidence sources, which open images and archives read-only; that reader (`_Sources` and
`_PreviewTask`) is in files_preview, the hex and text formatting in files_text.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QThreadPool, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.models import Locator
from ...core.progress import CancelToken
from ...core.tags import BOOKMARK
from ...report.tables import escape_controls
from ..casedata import CaseData
from .files_model import FilesModel, Index, Node, NodeRole
from .files_preview import _PreviewTask, _Signals, _Sources
from .files_text import content_direction


def _chain(locator: str) -> str:
    try:
        return " › ".join(f"{k}={v}" for k, v in Locator.parse(locator).steps)
    except (ValueError, TypeError):
        return locator


class _IsolatingDelegate(QStyledItemDelegate):
    """Lays each cell out in its own direction (Unicode first-strong isolate) while the column
    keeps the window's alignment: '$MBR' or '<img ...>.txt' stay intact in an Arabic window,
    an Arabic name stays intact in an English one. The model's text is unchanged."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        text = getattr(option, "text", "")
        if text:
            option.text = "\u2068" + text + "\u2069"


class FilesView(QWidget):
    NAME = "files"
    preview_ready = Signal(int)  # file id whose preview (or the reason for none) is shown

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.model = FilesModel(case, self)
        self._count: int | None = None
        self._request = 0
        self._token = CancelToken()
        self._closing = CancelToken()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        identities = {n.evidence_id: str(n.data["identity"]) for n in self.model.root.children}
        self._sources = _Sources(case.dir, identities, case.passwords, self._closing)
        self._signals = _Signals(self)
        self._signals.done.connect(self._show_preview)
        self._build()

    def _build(self) -> None:
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setItemDelegate(_IsolatingDelegate(self.tree))
        header = self.tree.header()
        for column, width in enumerate((230, 60, 70, 165, 110, 90)):
            # Never narrower than its title, which is longer in French ("Supprimé").
            self.tree.setColumnWidth(column, max(width, header.sectionSizeHint(column)))
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.details = self._text_pane()
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.hex_view = self._text_pane()
        self.hex_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.hex_view.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # offsets, bytes
        self.text_view = self._text_pane()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.hex_view, self.tr("Hex"))
        self.tabs.addTab(self.text_view, self.tr("Text"))
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        box = QVBoxLayout(top)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self._buttons())
        box.addWidget(self.details)
        right.addWidget(top)
        right.addWidget(self.tabs)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._enable(None)

    def _text_pane(self) -> QPlainTextEdit:
        pane = QPlainTextEdit()
        pane.setReadOnly(True)
        pane.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        return pane

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.copy_path_button = QPushButton(self.tr("Copy path"))
        self.copy_hashes_button = QPushButton(self.tr("Copy hashes"))
        self.bookmark_button = QPushButton(self.tr("Bookmark"))
        self.tag_button = QPushButton(self.tr("Tag…"))
        self.copy_path_button.clicked.connect(self.copy_path)
        self.copy_hashes_button.clicked.connect(self.copy_hashes)
        self.bookmark_button.clicked.connect(self.bookmark_current)
        self.tag_button.clicked.connect(self.ask_tag)
        for b in (
            self.copy_path_button,
            self.copy_hashes_button,
            self.bookmark_button,
            self.tag_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        return row

    # --- View protocol ---------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Files")

    def count(self) -> int | None:
        if self._count is None:
            self._count = self.model.file_count()
        return self._count

    def refresh(self) -> None:
        self._count = None
        self.model.refresh()
        for n in self.model.root.children:
            self._sources._identities.setdefault(n.evidence_id, str(n.data["identity"]))

    def passwords_changed(self) -> None:
        """A backup password was given: read the evidence that needed it again."""
        self._sources.forget_failures()
        self._start_preview(self.current())

    # --- selection -------------------------------------------------------------------------
    def current(self) -> Node | None:
        index = self.tree.currentIndex()
        node = index.data(NodeRole) if index.isValid() else None
        return node if isinstance(node, Node) else None

    def select(self, index: QModelIndex) -> None:
        self.tree.setCurrentIndex(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = current.data(NodeRole) if current.isValid() else None
        node = node if isinstance(node, Node) else None
        self._enable(node)
        self.details.setPlainText(escape_controls(self.describe(node)) if node else "")
        self._start_preview(node)

    def _enable(self, node: Node | None) -> None:
        has_id = node is not None and node.file_id is not None
        self.copy_path_button.setEnabled(node is not None and "path" in node.data)
        self.copy_hashes_button.setEnabled(node is not None and bool(node.data.get("sha256")))
        self.bookmark_button.setEnabled(has_id)
        self.tag_button.setEnabled(has_id)

    def describe(self, node: Node) -> str:
        """The selected item whole, as plain text (evidence values verbatim)."""
        d = node.data
        if node.kind == "evidence":
            keys: tuple[str, ...] = (
                "label",
                "identity",
                "ev_kind",
                "format",
                "size",
                "sha256",
                "md5",
            )
            keys += ("status",)
        elif node.kind == "volume":
            keys = ("idx", "description", "fs_type", "status", "offset", "length")
        else:
            return "\n".join(self._file_lines(node))
        return "\n".join(f"{k}: {'' if d.get(k) is None else d[k]}" for k in (*keys, "message"))

    def _file_lines(self, node: Node) -> list[str]:
        d = node.data
        if d.get("implied"):
            return [
                self.tr("Path: %1").replace("%1", str(d["path"])),
                self.tr("Folder implied by the paths of its files (no entry of its own)."),
            ]
        lines = [
            self.tr("Path: %1").replace("%1", str(d["path"])),
            self.tr("Size: %1 bytes").replace("%1", f"{d['size']:,}"),
            self.tr("Kind: %1").replace("%1", str(d["kind"])),
            self.tr("Deleted: %1").replace("%1", self.tr("yes") if d["deleted"] else self.tr("no")),
        ]
        times = (
            (self.tr("Modified"), "mtime"),
            (self.tr("Accessed"), "atime"),
            (self.tr("Changed"), "ctime"),
            (self.tr("Created"), "crtime"),
        )
        for label, key in times:
            local = self.case.local_time(d.get(key)) or "—"
            lines.append(f"{label}: {local}  (UTC {d.get(key) or '—'})")
        lines += [
            f"volume: {d.get('volume') or ''}",
            f"inode: {d.get('inode') if d.get('inode') is not None else ''}",
            f"SHA-256: {d.get('sha256') or ''}",
            f"MD5: {d.get('md5') or ''}",
            f"MIME: {d.get('mime') or ''}",
            f"locator: {_chain(str(d.get('locator') or '[]'))}",
            self.tr("Hash sets: %1").replace("%1", str(d.get("hashsets") or "—")),
            self.tr("Note: %1").replace("%1", str(d.get("note") or "—")),
            self.tr("Error: %1").replace("%1", str(d.get("error") or "—")),
        ]
        tags = [
            t.tag + (f" ({t.note})" if t.note else "") for t in self.case.tags(f"file:{d['id']}")
        ]
        lines.append(self.tr("Tags: %1").replace("%1", ", ".join(tags) or "—"))
        return lines

    # --- preview ---------------------------------------------------------------------------
    def _start_preview(self, node: Node | None) -> None:
        self._token.cancel()
        self._request += 1
        self._preview_id = node.file_id if node else None
        if node is None or node.file_id is None or node.kind in ("dir", "evidence", "volume"):
            message = self.tr("Select a file to preview its first 64 KiB.")
            self._set_preview(message, message, Qt.LayoutDirection.LayoutDirectionAuto)
            return
        message = self.tr("Reading…")
        self._set_preview(message, message, Qt.LayoutDirection.LayoutDirectionAuto)
        self._token = CancelToken()
        signals = self._signals
        self._pool.start(_PreviewTask(self._request, node, self._sources, self._token, signals))

    def _show_preview(
        self, request: int, hexed: str, text: str, encoding: str, problem: str
    ) -> None:
        if request != self._request:
            return  # an older selection's read
        if problem:
            reason = self.tr("This file cannot be read from its evidence: %1").replace(
                "%1", problem
            )
            self._set_preview(reason, reason, Qt.LayoutDirection.LayoutDirectionAuto)
        else:
            if not hexed:
                hexed = text = self.tr("(empty file)")
            self._set_preview(hexed, text, content_direction(text))
            self.tabs.setTabText(1, self.tr("Text (%1)").replace("%1", encoding))
        if self._preview_id is not None:
            self.preview_ready.emit(self._preview_id)

    def _set_preview(self, hexed: str, text: str, direction: Qt.LayoutDirection) -> None:
        self.hex_view.setPlainText(hexed)
        self.tabs.setTabText(1, self.tr("Text"))
        doc = self.text_view.document()
        option = doc.defaultTextOption()
        option.setTextDirection(direction)
        # The side follows the content, whatever the window's direction (absolute alignment).
        side = {
            Qt.LayoutDirection.RightToLeft: Qt.AlignmentFlag.AlignRight,
            Qt.LayoutDirection.LeftToRight: Qt.AlignmentFlag.AlignLeft,
        }.get(direction)
        if side is None:
            option.setAlignment(Qt.AlignmentFlag.AlignLeading)
        else:
            option.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute)
        doc.setDefaultTextOption(option)
        self.text_view.setPlainText(text)

    # --- actions ---------------------------------------------------------------------------
    def copy_path(self) -> None:
        node = self.current()
        if node is not None and "path" in node.data:
            QGuiApplication.clipboard().setText(str(node.data["path"]))

    def copy_hashes(self) -> None:
        node = self.current()
        if node is not None and node.data.get("sha256"):
            sha, md5 = node.data["sha256"], node.data.get("md5") or ""
            QGuiApplication.clipboard().setText(f"SHA-256: {sha}\nMD5: {md5}")

    def bookmark_current(self) -> None:
        self.tag_current(BOOKMARK)

    def ask_tag(self) -> None:
        tag, ok = QInputDialog.getText(
            self, self.tr("Tag"), self.tr("Tag (for example suspect, victim, relevant):")
        )
        if not ok or not tag.strip():
            return
        note, ok = QInputDialog.getText(self, self.tr("Tag"), self.tr("Note (optional):"))
        self.tag_current(tag.strip(), note.strip() if ok and note.strip() else None)

    def tag_current(self, tag: str, note: str | None = None) -> None:
        node = self.current()
        if node is None or node.file_id is None:
            return
        self.case.tag(f"file:{node.file_id}", tag, note)
        self.details.setPlainText(escape_controls(self.describe(node)))

    # --- lifetime --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel any read, wait for the preview thread and close the evidence sources."""
        self._token.cancel()
        self._closing.cancel()
        self._pool.clear()
        self._pool.waitForDone()
        self._sources.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
