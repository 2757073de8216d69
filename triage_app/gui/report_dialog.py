"""Export report dialog, the background task and the small widgets the other dialogs share.

The settings dialog's own widgets (rule packs, keyword lists, hash sets) are in
settings_dialog; the add-evidence dialog is in evidence_dialog.

`build_report` spawns its own worker processes; the dialog runs it on a QThread so the UI
stays responsive, then shows the manifest's SHA-256 (the value written to the audit log).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThread, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import QarinaError
from ..report.build import FORMATS, ReportOptions, ReportResult, build_report
from ..report.view import bundled_profiles

log = logging.getLogger(__name__)

# Tasks still running after their dialog closed: kept alive here until they end.
_RUNNING: set[Task] = set()


class Task(QThread):
    """Runs `fn()` off the UI thread; `done(result)` or `error(message)` arrive queued."""

    done = Signal(object)
    error = Signal(str)

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn = fn
        _RUNNING.add(self)
        self.finished.connect(lambda: _RUNNING.discard(self))

    def run(self) -> None:
        try:
            result = self._fn()
        except QarinaError as exc:
            self.error.emit(str(exc))
            return
        except Exception as exc:  # the thread's guard: the examiner must see every failure
            log.exception("background task failed")
            self.error.emit(f"{type(exc).__name__}: {exc}")
            return
        self.done.emit(result)


def plain_label(text: str = "") -> QLabel:
    """A label for text that may come from evidence or the file system: never rich text."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


LANGUAGE_NAMES = (("en", "English"), ("fr", "Français"), ("ar", "العربية"))


def with_button(widget: QWidget, label: str, slot: Callable[[], None]) -> QWidget:
    """`widget` with a button beside it (a path and its "Choose…")."""
    button = QPushButton(label)
    button.clicked.connect(slot)
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(widget, 1)
    row.addWidget(button)
    return box


def form_body(dialog: QDialog, form: QFormLayout) -> QLabel:
    """Lay out a form dialog: the form, a message line (returned), OK and Cancel."""
    message = plain_label()
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(message)
    layout.addWidget(buttons)
    return message


def language_combo(current: str = "en") -> QComboBox:
    combo = QComboBox()
    for code, name in LANGUAGE_NAMES:
        combo.addItem(name, code)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class ReportDialog(QDialog):
    """Choose formats, selection, language, redaction and folder; build; show the hash."""

    report_written = Signal(object)  # report.build.ReportResult

    def __init__(
        self, case_dir: Path, parent: QWidget | None = None,
        passwords: dict[int, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.case_dir = Path(case_dir)
        self.passwords = passwords  # encrypted backups' passwords, for the report's thumbnails
        self.setWindowTitle(self.tr("Export report"))
        self.result_value: ReportResult | None = None
        self._task: Task | None = None
        self._build()

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Formats:"), self._formats_row())
        form.addRow(self.tr("Records:"), self._selection_row())
        self.language = language_combo()
        form.addRow(self.tr("Report language:"), self.language)
        form.addRow(self.tr("Redaction:"), self._redaction_row())
        form.addRow(self.tr("Output folder:"), self._folder_row())
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.message = plain_label()
        self.hash_label = QLabel(self.tr("Manifest SHA-256:"))
        self.hash_text = QLineEdit()
        self.hash_text.setReadOnly(True)
        self.hash_text.setMinimumWidth(520)
        self.open_folder = QPushButton(self.tr("Open folder"))
        self.open_folder.clicked.connect(self._open_folder)
        done = QHBoxLayout()
        done.addWidget(self.hash_label)
        done.addWidget(self.hash_text, 1)
        done.addWidget(self.open_folder)
        for w in (self.hash_label, self.hash_text, self.open_folder):
            w.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.write_button = self.buttons.addButton(
            self.tr("Write report"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.write_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(done)
        layout.addWidget(self.buttons)

    def _formats_row(self) -> QWidget:
        labels = {
            "html": self.tr("HTML pages"),
            "pdf": self.tr("PDF"),
            "csv": self.tr("CSV tables"),
            "kml": self.tr("Map (KML, GeoJSON)"),
            "case-uco": self.tr("CASE/UCO (JSON-LD)"),
        }
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.format_boxes: dict[str, QCheckBox] = {}
        for fmt in FORMATS:
            check = QCheckBox(labels.get(fmt, fmt))
            check.setChecked(fmt in ("html", "pdf", "csv"))
            self.format_boxes[fmt] = check
            row.addWidget(check)
        row.addStretch(1)
        return box

    def _selection_row(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.selection = QComboBox()
        self.selection.addItem(self.tr("All records"), "all")
        self.selection.addItem(self.tr("Bookmarked and tagged"), "bookmarked")
        self.selection.addItem(self.tr("With tags…"), "tag")
        self.selection.addItem(self.tr("Of kinds…"), "kinds")
        self.selection_arg = QLineEdit()
        self.selection_arg.setEnabled(False)
        self.selection.currentIndexChanged.connect(self._selection_changed)
        row.addWidget(self.selection)
        row.addWidget(self.selection_arg, 1)
        return box

    def _selection_changed(self) -> None:
        mode = self.selection.currentData()
        self.selection_arg.setEnabled(mode in ("tag", "kinds"))
        hints = {"tag": self.tr("suspect, victim"), "kinds": self.tr("message, call, contact")}
        self.selection_arg.setPlaceholderText(hints.get(mode, ""))

    def _redaction_row(self) -> QWidget:
        self.redaction = QComboBox()
        self.redaction.addItem(self.tr("None"), "none")
        for name in bundled_profiles():
            self.redaction.addItem(name, name)
        return with_button(self.redaction, self.tr("File…"), self._choose_profile)

    def _choose_profile(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Redaction profile"), "", self.tr("Redaction profiles (*.json)")
        )
        if name:
            self.redaction.addItem(Path(name).name, name)
            self.redaction.setCurrentIndex(self.redaction.count() - 1)

    def _folder_row(self) -> QWidget:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.folder = QLineEdit(str(self.case_dir / "reports" / f"report-{stamp}"))
        return with_button(self.folder, self.tr("Choose…"), self._choose_folder)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Report folder"))
        if folder:
            self.folder.setText(folder)

    def options(self) -> ReportOptions:
        formats = tuple(f for f, box in self.format_boxes.items() if box.isChecked())
        mode = str(self.selection.currentData())
        arg = self.selection_arg.text().strip()
        selection = {"tag": f"tag:{arg}", "kinds": arg}.get(mode, mode)
        redact = str(self.redaction.currentData())
        return ReportOptions(
            formats=formats,
            selection=selection,
            lang=str(self.language.currentData()),
            redact=None if redact == "none" else redact,
            passwords=self.passwords,
        )

    def start(self) -> None:
        """Build the report on a background thread."""
        opts = self.options()
        if not opts.formats:
            self.message.setText(self.tr("Choose at least one format."))
            return
        out = Path(self.folder.text().strip())
        self.write_button.setEnabled(False)
        self.progress.show()
        self.message.setText(self.tr("Writing the report… this can take a few minutes."))
        case_dir = self.case_dir
        self._task = Task(lambda: build_report(case_dir, out, opts))
        self._task.done.connect(self._done)
        self._task.error.connect(self._error)
        self._task.start()

    def is_running(self) -> bool:
        return self._task is not None and self._task.isRunning()

    def _done(self, result: ReportResult) -> None:
        self.result_value = result
        self.progress.hide()
        text = self.tr("Report written: %1 (%2 files).")
        self.message.setText(
            text.replace("%1", str(result.folder)).replace("%2", str(result.files))
        )
        self.hash_text.setText(result.manifest_sha256)
        for w in (self.hash_label, self.hash_text, self.open_folder):
            w.show()
        self.report_written.emit(result)

    def _error(self, message: str) -> None:
        self.progress.hide()
        self.write_button.setEnabled(True)
        self.message.setText(self.tr("The report was not written: %1").replace("%1", message))

    def _open_folder(self) -> None:
        if self.result_value is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_value.folder)))


def strings(value: object) -> list[str]:
    """A QSettings list value (a one-item list comes back as a plain string)."""
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def zone_combo(current: str = "UTC") -> QComboBox:
    """An editable, searchable combo over every IANA zone (type any part of the name)."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(sorted(zoneinfo.available_timezones()))
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.setCompleter(completer)
    combo.setCurrentText(current)
    return combo


def valid_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()
