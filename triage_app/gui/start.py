"""The start screen: new case, open a case, recent cases, the workshop sample case."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.casedb import DB_NAME
from .settings_store import qsettings

RECENT_KEY = "recent_cases"
MAX_RECENT = 10


def recent_cases() -> list[Path]:
    """Recent case folders, most recent first (missing ones included)."""
    value = qsettings().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings returns a one-item list as a plain string
        value = [value] if value else []
    if not isinstance(value, list | tuple):
        return []
    return [Path(str(v)) for v in value if str(v)]


def add_recent_case(case_dir: Path) -> None:
    """Put `case_dir` first in the recent list (called when a case is opened or created)."""
    path = Path(case_dir).absolute()
    paths = [path, *(p for p in recent_cases() if p != path)][:MAX_RECENT]
    qsettings().setValue(RECENT_KEY, [str(p) for p in paths])


class StartScreen(QWidget):
    new_case_requested = Signal()
    open_case = Signal(Path)
    open_sample = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build()
        self.reload()

    def _build(self) -> None:
        title = QLabel(self.tr("Qarina"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(self.tr("Offline triage of seized phones and computers."))
        self.new_button = QPushButton(self.tr("New case…"))
        self.open_button = QPushButton(self.tr("Open case…"))
        self.sample_button = QPushButton(self.tr("Open the workshop sample case"))
        self.new_button.clicked.connect(self.new_case_requested.emit)
        self.open_button.clicked.connect(self._choose_case)
        self.sample_button.clicked.connect(self.open_sample.emit)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.sample_button):
            button.setMinimumHeight(36)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.recent = QListWidget()
        self.recent.setAlternatingRowColors(True)
        self.recent.itemActivated.connect(self._activated)
        self.empty = QLabel(self.tr("No recent cases yet."))
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addSpacing(16)
        column.addWidget(QLabel(self.tr("Recent cases")))
        column.addWidget(self.recent, 1)
        column.addWidget(self.empty)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        outer.setContentsMargins(24, 48, 24, 48)

    def reload(self) -> None:
        """Re-read the recent list and the sample folder (after a case was opened or made)."""
        self.recent.clear()
        for path in recent_cases():
            item = QListWidgetItem(f"{path.name}\n{path}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            if not (path / DB_NAME).is_file():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(self.tr("This case folder is not available (moved or removed)."))
            else:
                item.setToolTip(str(path))
            self.recent.addItem(item)
        self.empty.setVisible(self.recent.count() == 0)
        self.sample_button.setToolTip(
            self.tr("A fictional case on three seized devices, for training. The first time it "
                    "is built and scanned (a minute or two).")
        )  # fmt: skip

    def _activated(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.open_case.emit(Path(str(item.data(Qt.ItemDataRole.UserRole))))

    def _choose_case(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open case folder"))
        if folder:
            self.open_case.emit(Path(folder))
