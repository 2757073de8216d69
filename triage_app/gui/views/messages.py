"""Messages: conversations on the left, the selected one as chat bubbles on the right.

Bubbles are painted by a delegate (a thread can hold 100,000 messages: no widget per
message), each text block laid out with QTextLayout as plain text in its own direction.
Incoming messages sit on the leading side, outgoing on the trailing side, so a right-to-left
layout mirrors them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core import browse
from ...core.errors import QarinaError
from ...core.tags import BOOKMARK
from ...report.tables import escape_controls
from ..casedata import CaseData
from .messages_model import (
    FOOTER_ROLE,
    HEADER_ROLE,
    KEY_ROLE,
    RECORD_ROLE,
    ConversationModel,
    MessageModel,
    ModelIndex,
    text_direction,
)

MAX_BODY = 4000  # characters painted in a bubble; the whole body is in "Open source record"
PAD, MARGIN, GAP = 8, 6, 3


@dataclass
class Bubble:
    blocks: list[QTextLayout]  # header, body, footer (the empty ones left out)
    width: float
    height: float


def _layout(text: str, font: QFont, width: float) -> QTextLayout:
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    direction = text_direction(text)
    option.setTextDirection(direction)
    rtl = direction == Qt.LayoutDirection.RightToLeft
    side = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
    option.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute)
    layout.setTextOption(option)
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


def _natural(layout: QTextLayout) -> tuple[float, float]:
    lines = [layout.lineAt(i) for i in range(layout.lineCount())]
    return max((ln.naturalTextWidth() for ln in lines), default=0.0), sum(
        ln.height() for ln in lines
    )


class BubbleDelegate(QStyledItemDelegate):
    """Paints a message as a bubble; layouts are cached per record and width."""

    def __init__(self, parent: QListView) -> None:
        super().__init__(parent)
        self._view = parent
        self._cache: dict[tuple[str, int, str], Bubble] = {}

    def texts(self, index: ModelIndex) -> list[str]:
        body = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if len(body) > MAX_BODY:
            body = body[:MAX_BODY] + " …"
        header = str(index.data(HEADER_ROLE) or "")
        return [header, body, str(index.data(FOOTER_ROLE) or "")]

    def bubble(self, index: ModelIndex, width: int) -> Bubble:
        texts = self.texts(index)
        record = index.data(RECORD_ROLE) or {}
        key = (str(record.get("id")), width, texts[0] + texts[2])
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) > 4000:
            self._cache.clear()
        small = QFont(self._view.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 6.0))
        inner = max(width * 0.72 - 2 * PAD, 80.0)
        fonts = [small, self._view.font(), small]
        pairs = [(t, f) for t, f in zip(texts, fonts, strict=True) if t]
        sizes = [_natural(_layout(t, f, inner)) for t, f in pairs]
        used = min(max(w for w, _ in sizes) + 1, inner)
        # Laid out again at the bubble's width so each block aligns by its own direction.
        blocks = [_layout(t, f, used) for t, f in pairs]
        height = sum(h for _, h in sizes) + GAP * (len(blocks) - 1) + 2 * PAD
        self._cache[key] = Bubble(blocks, used + 2 * PAD, height)
        return self._cache[key]

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        width = self._view.viewport().width()
        return QSize(width, int(self.bubble(index, width).height) + 2 * MARGIN)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        rect = option.rect
        bubble = self.bubble(index, self._view.viewport().width())
        record = index.data(RECORD_ROLE) or {}
        outgoing = record.get("direction") == "outgoing"
        rtl = option.direction == Qt.LayoutDirection.RightToLeft
        on_right = outgoing != rtl  # incoming leading, outgoing trailing
        x = rect.right() - MARGIN - bubble.width if on_right else rect.left() + MARGIN
        box = QRectF(x, rect.top() + MARGIN, bubble.width, bubble.height)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor("#dcf3d0") if outgoing else QColor("#f1f1f1")
        pen = QPen(QColor("#2a6ebb") if selected else QColor("#b8b8b8"), 2 if selected else 1)
        if record.get("deleted"):
            pen = QPen(QColor("#b3261e"), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(QColor("#1a1a1a"))
        y = box.top() + PAD
        for block in bubble.blocks:
            block.draw(painter, QPointF(box.left() + PAD, y))
            y += _natural(block)[1] + GAP
        painter.restore()


class CellDelegate(QStyledItemDelegate):
    """Table cells laid out in their own text's direction: a phone number stays
    "+218…" in a right-to-left layout, Arabic stays right-to-left in a left-to-right one."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        super().initStyleOption(option, index)
        option.direction = text_direction(str(index.data() or ""))


class RecordDialog(QDialog):
    """The whole source record as JSON, read-only plain text."""

    def __init__(self, record: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Source record %1").replace("%1", str(record.get("id"))))
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(
            escape_controls(json.dumps(record, indent=2, ensure_ascii=False, default=str))
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 520)


class MessagesView(QWidget):
    NAME = "messages"

    def __init__(self, case: CaseData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.conversations = ConversationModel(case, self)
        self.messages = MessageModel(case, self)
        self._build()
        self._actions()
        self.conversations.pageLoaded.connect(self._select_first)
        self.conversations.failed.connect(self._show_error)
        self.messages.failed.connect(self._show_error)
        self.conversations.restart()

    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search conversations…"))
        self.search.setClearButtonEnabled(True)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(400)
        self._typing.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _text: self._typing.start())
        self.search.returnPressed.connect(self.apply_search)
        self.table = QTableView(self)
        self.table.setModel(self.conversations)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setItemDelegate(CellDelegate(self.table))
        self.table.setWordWrap(False)
        for column, width in enumerate((130, 70, 76, 190, 160)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._open_conversation)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListView(self)
        self.list.setModel(self.messages)
        self.delegate = BubbleDelegate(self.list)
        self.list.setItemDelegate(self.delegate)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.selectionModel().currentChanged.connect(self._show_provenance)
        self.provenance = QPlainTextEdit(self)
        self.provenance.setReadOnly(True)
        self.provenance.setMaximumHeight(self.fontMetrics().lineSpacing() * 9 + 14)
        self.provenance.setPlaceholderText(self.tr("Select a message to see where it comes from."))
        self._splitter(self._column(self.search, self.table),
                       self._column(self.heading, self.list, self.provenance))  # fmt: skip

    def _column(self, *widgets: QWidget) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return box

    def _splitter(self, left: QWidget, right: QWidget) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([490, 610])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _actions(self) -> None:
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        specs: list[tuple[str, QKeySequence, Any]] = [
            (self.tr("Copy"), QKeySequence(QKeySequence.StandardKey.Copy), self.copy_current),
            (self.tr("Bookmark"), QKeySequence("Ctrl+B"), self.bookmark_current),
            (self.tr("Tag…"), QKeySequence("Ctrl+T"), self.ask_tag),
            (self.tr("Open source record"), QKeySequence("Ctrl+O"), self.open_record),
        ]
        self.actions_by_name: dict[str, QAction] = {}
        for text, shortcut, slot in specs:
            action = QAction(text, self.list)
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.list.addAction(action)
            self.actions_by_name[text] = action
        self.list.activated.connect(lambda _index: self.open_record())

    def apply_search(self) -> None:
        self._typing.stop()
        self.messages.set_conversation(None)
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self.conversations.set_search(self.search.text())

    def title(self) -> str:
        return self.tr("Messages")

    def count(self) -> int | None:
        return browse.count(self.case.conn, ("message",))

    def refresh(self) -> None:
        self.conversations.resume()
        if self.messages.key is not None:
            self.messages.resume()

    def _show_error(self, message: str) -> None:
        self.heading.setText(self.tr("Could not read messages: %1").replace("%1", message))

    def _select_first(self) -> None:
        if not self.table.currentIndex().isValid() and self.conversations.rowCount() > 0:
            self.table.setCurrentIndex(self.conversations.index(0, 0))

    def _open_conversation(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.messages.set_conversation(None)
            self.heading.clear()
            return
        self.messages.set_conversation(current.data(KEY_ROLE))
        row = self.conversations.rows[current.row()]
        parts = [self.conversations.cell(row, c) for c in (0, 1, 4)]
        text = "  ·  ".join(p for p in parts if p)
        self.heading.setText(text)
        self.heading.setLayoutDirection(text_direction(text))
        self.provenance.clear()

    def current_record(self) -> dict[str, Any] | None:
        index = self.list.currentIndex()
        return index.data(RECORD_ROLE) if index.isValid() else None

    def _show_provenance(self, current: QModelIndex | QPersistentModelIndex, _p: Any) -> None:
        record = current.data(RECORD_ROLE) if current.isValid() else None
        self.provenance.setPlainText(self.messages.provenance(record) if record else "")

    def copy_current(self) -> None:
        index = self.list.currentIndex()
        if not index.isValid():
            return
        record = index.data(RECORD_ROLE)
        lines = [str(index.data(HEADER_ROLE)), str(index.data(Qt.ItemDataRole.DisplayRole))]
        lines += [str(index.data(FOOTER_ROLE)), str(record.get("path") or "")]
        QGuiApplication.clipboard().setText("\n".join(line for line in lines if line))

    def bookmark_current(self) -> None:
        self.tag_current(BOOKMARK, None)

    def ask_tag(self) -> None:
        if not self.list.currentIndex().isValid():
            return
        tag, ok = QInputDialog.getText(self, self.tr("Tag"), self.tr("Tag (e.g. suspect, victim):"))
        if not ok or not tag.strip():
            return
        note, ok = QInputDialog.getMultiLineText(self, self.tr("Tag"), self.tr("Note (optional):"))
        if ok:
            self.tag_current(tag, note.strip() or None)

    def tag_current(self, tag: str, note: str | None) -> bool:
        """Tag the selected message through the case (audited) and show its tags."""
        index = self.list.currentIndex()
        if not index.isValid():
            return False
        try:
            self.case.tag(index.data(RECORD_ROLE)["id"], tag, note)
        except QarinaError as exc:
            QMessageBox.warning(self, self.tr("Tag"), str(exc))
            return False
        self.messages.update_tags(index.row())
        return True

    def open_record(self) -> RecordDialog | None:
        record = self.current_record()
        if record is None:
            return None
        shown = {k: v for k, v in record.items() if not k.startswith("_")}
        dialog = RecordDialog(shown, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
