"""The add-evidence dialog and the detection it runs on each chosen item.

Adding evidence opens it with the engine's own `open_evidence` on a background thread, so the
examiner sees what the item is (format, size, partitions, or why it cannot be read) before a
scan starts, and is asked for a password when the item is an encrypted backup.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import EvidenceError
from ..core.evidence import ANDROID_BACKUP_MAGIC, first_segments, open_evidence
from ..core.evidence.android_backup_crypto import read_header
from ..core.evidence.directory import open_readonly
from ..core.progress import CancelToken
from .report_dialog import Task, plain_label

__all__ = ["AddEvidenceDialog", "Detection", "detect", "is_encrypted_backup"]


@dataclass
class Detection:
    """What `open_evidence` found for one path (or why it could not open it)."""

    path: Path
    kind: str = ""
    format: str = ""
    size: int | None = None
    volumes: list[str] = field(default_factory=list)
    volume_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    encrypted: bool = False


def is_encrypted_backup(path: Path) -> bool:
    """An encrypted Android (.ab) or iTunes/Finder backup, read from its own header/plist."""
    try:
        if path.is_dir():
            plist = path / "Manifest.plist"
            if not (path / "Manifest.db").is_file() or not plist.is_file():
                return False
            with open_readonly(plist) as fh:
                return plistlib.load(fh).get("IsEncrypted") is True
        with open_readonly(path, follow=True) as fh:
            if fh.read(len(ANDROID_BACKUP_MAGIC)) != ANDROID_BACKUP_MAGIC:
                return False
            fh.seek(0)
            return read_header(fh).encryption != "none"
    except (OSError, ValueError, EvidenceError, plistlib.InvalidFileException):
        return False


def detect(path: Path, workdir: Path, cancel: CancelToken, password: str | None) -> Detection:
    """Open `path` as the scan will (an Android backup is unpacked once into the case's work
    folder, where the scan reuses it) and describe it."""
    found = Detection(path, encrypted=is_encrypted_backup(path))
    try:
        source = open_evidence(path, workdir, cancel, password)
    except EvidenceError as exc:
        found.error = str(exc)
        return found
    try:
        info = source.info
        found.kind, found.format = info.kind, info.format
        found.size = info.media_size
        if found.size is None and info.container_files:
            found.size = sum(p.stat().st_size for p in info.container_files if p.is_file())
        found.warnings = list(info.warnings)
        for v in source.volumes():
            fs = v.fs_type or "-"
            found.volumes.append(f"{v.index}: {v.description} [{fs}] {v.status} {v.message}")
            found.volume_ids.append(v.index)
    finally:
        source.close()
    return found


class AddEvidenceDialog(QDialog):
    """Choose evidence files or folders; each is opened in the background and described."""

    def __init__(self, case_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_dir = Path(case_dir)
        self.setWindowTitle(self.tr("Add evidence"))
        self.detections: dict[Path, Detection] = {}
        self._tasks: dict[Path, tuple[Task, CancelToken]] = {}
        self._build()

    def _build(self) -> None:
        add_files = QPushButton(self.tr("Add image or backup file(s)…"))
        add_folder = QPushButton(self.tr("Add extraction or backup folder…"))
        add_files.clicked.connect(self._choose_files)
        add_folder.clicked.connect(self._choose_folder)
        top = QHBoxLayout()
        top.addWidget(add_files)
        top.addWidget(add_folder)
        top.addStretch(1)
        self.items = QTreeWidget()
        self.items.setHeaderLabels([self.tr("Evidence"), self.tr("Type"), self.tr("Size")])
        self.items.setRootIsDecorated(False)
        self.items.setColumnWidth(0, 320)
        self.items.currentItemChanged.connect(self._show_current)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Backup password"))
        self.unlock = QPushButton(self.tr("Check password"))
        self.unlock.clicked.connect(self._retry_encrypted)
        pw_row = QHBoxLayout()
        self.password_label = plain_label(self.tr("This backup is encrypted: enter its password."))
        pw_row.addWidget(self.password_label, 1)
        pw_row.addWidget(self.password, 1)
        pw_row.addWidget(self.unlock)
        self.password_box = QWidget()
        self.password_box.setLayout(pw_row)
        self.password_box.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Scan"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.password_box)
        layout.addWidget(self.buttons)
        self.resize(720, 460)
        self._update_buttons()

    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Evidence files"))
        self.add_paths([Path(n) for n in names])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Evidence folder"))
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: list[Path]) -> None:
        """Add evidence (later parts of split sets are found from the first) and detect it."""
        for path in first_segments([Path(p).absolute() for p in paths]):
            if path in self.detections or path in self._tasks:
                continue
            item = QTreeWidgetItem([str(path), self.tr("detecting…"), ""])
            item.setData(0, Qt.ItemDataRole.UserRole, str(path))
            self.items.addTopLevelItem(item)
            self.items.setCurrentItem(item)
            self._detect(path, None)
        self._update_buttons()

    def _detect(self, path: Path, password: str | None) -> None:
        cancel = CancelToken()
        workdir = self.case_dir / "work"
        task = Task(lambda: detect(path, workdir, cancel, password))
        task.done.connect(self._detected)
        task.error.connect(lambda message: self._detected(Detection(path, error=message)))
        self._tasks[path] = (task, cancel)
        task.start()

    def _item(self, path: Path) -> QTreeWidgetItem | None:
        for i in range(self.items.topLevelItemCount()):
            item = self.items.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == str(path):
                return item
        return None

    def _detected(self, found: Detection) -> None:
        self._tasks.pop(found.path, None)
        self.detections[found.path] = found
        item = self._item(found.path)
        if item is not None:
            kind = found.format or self.tr("cannot be read")
            size = "" if found.size is None else QLocale().formattedDataSize(found.size)
            item.setText(1, kind)
            item.setText(2, size)
            self._partition_items(item, found)
        self._show_current()
        self._update_buttons()

    def _partition_items(self, item: QTreeWidgetItem, found: Detection) -> None:
        """One tickable line per partition when there are several (all ticked: all read)."""
        item.takeChildren()
        if len(found.volume_ids) < 2:
            return
        for index, text in zip(found.volume_ids, found.volumes, strict=True):
            child = QTreeWidgetItem([text, "", ""])
            child.setData(0, Qt.ItemDataRole.UserRole + 1, index)
            child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            child.setCheckState(0, Qt.CheckState.Checked)
            item.addChild(child)
        self.items.setRootIsDecorated(True)
        item.setExpanded(True)

    def skipped_volumes(self) -> tuple[tuple[str, str], ...]:
        """(evidence path, partition) pairs the examiner unticked, as ScanOptions wants."""
        left_out = []
        for i in range(self.items.topLevelItemCount()):
            item = self.items.topLevelItem(i)
            if item is None:
                continue
            path = str(Path(str(item.data(0, Qt.ItemDataRole.UserRole))).resolve())
            for c in range(item.childCount()):
                child = item.child(c)
                if child is not None and child.checkState(0) == Qt.CheckState.Unchecked:
                    left_out.append((path, str(child.data(0, Qt.ItemDataRole.UserRole + 1))))
        return tuple(left_out)

    def describe(self, found: Detection) -> str:
        """The plain-text description shown for an item (paths and names are evidence)."""
        lines = [str(found.path)]
        if found.error:
            lines.append(self.tr("Cannot be read: %1").replace("%1", found.error))
        else:
            lines.append(self.tr("Type: %1 (%2)").replace("%1", found.format).replace(
                "%2", found.kind))  # fmt: skip
            if found.size is not None:
                lines.append(self.tr("Size: %1").replace(
                    "%1", QLocale().formattedDataSize(found.size)))  # fmt: skip
            if found.volumes:
                lines.append(self.tr("Partitions found: %1 (untick those to leave out)").replace(
                    "%1", str(len(found.volumes))))  # fmt: skip
                lines.extend("  " + v for v in found.volumes)
        lines.extend(self.tr("Warning: %1").replace("%1", w) for w in found.warnings)
        return "\n".join(lines)

    def _show_current(self) -> None:
        item = self.items.currentItem()
        if item is not None and item.parent() is not None:
            item = item.parent()  # a partition line: describe its evidence item
        path = Path(str(item.data(0, Qt.ItemDataRole.UserRole))) if item else None
        found = self.detections.get(path) if path else None
        self.details.setPlainText("" if found is None else self.describe(found))

    def _update_buttons(self) -> None:
        encrypted = any(d.encrypted for d in self.detections.values())
        self.password_box.setVisible(encrypted)
        readable = [d for d in self.detections.values() if not d.error]
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(readable) and not self._tasks)

    def _retry_encrypted(self) -> None:
        password = self.password.text() or None
        for found in list(self.detections.values()):
            if found.encrypted:
                del self.detections[found.path]
                item = self._item(found.path)
                if item is not None:
                    item.setText(1, self.tr("detecting…"))
                self._detect(found.path, password)
        self._update_buttons()

    def is_busy(self) -> bool:
        return bool(self._tasks)

    def result(self) -> tuple[list[Path], str | None]:  # type: ignore[override]
        """The evidence to scan (items that could be opened) and the backup password."""
        paths = [p for p, d in self.detections.items() if not d.error]
        return paths, (self.password.text() or None)

    def result_paths(self) -> tuple[list[Path], str | None]:
        return self.result()

    def done(self, code: int) -> None:
        for _task, cancel in self._tasks.values():
            cancel.cancel()  # the task ends on its own; report_dialog keeps it alive till then
        super().done(code)
