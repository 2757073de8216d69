"""The new case dialog, and the import path of every dialog the main window opens.

The add-evidence dialog is in evidence_dialog, the settings dialog and `scan_options` in
settings_dialog, the report dialog (and the widgets the dialogs share) in report_dialog; they
are re-exported here so `from .dialogs import ...` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ..core.case import Case
from ..core.casedb import DB_NAME
from ..core.errors import QarinaError
from .evidence_dialog import AddEvidenceDialog, Detection, detect, is_encrypted_backup
from .report_dialog import (
    ReportDialog,
    form_body,
    language_combo,
    valid_zone,
    zone_combo,
)
from .settings_dialog import SettingsDialog, scan_options, set_case_info
from .settings_store import qsettings

__all__ = ["AddEvidenceDialog", "Detection", "NewCase", "NewCaseDialog", "ReportDialog",
           "SettingsDialog", "detect", "is_encrypted_backup", "scan_options",
           "set_case_info"]  # fmt: skip


@dataclass(frozen=True)
class NewCase:
    folder: Path
    case_number: str
    examiner: str
    agency: str
    timezone: str
    language: str


def create_case(values: NewCase) -> Path:
    """Create the case folder with its details; the agency is logged as a case-info update."""
    case = Case.open(values.folder, values.examiner or None, values.case_number or None,
                     values.timezone)  # fmt: skip
    try:
        extra = {"agency": values.agency or None, "language": values.language}
        changed: dict[str, str | None] = {k: v for k, v in extra.items() if v}
        case.db.set_info(changed)
        case.audit.append("case_info_updated", **changed)
    finally:
        case.close()
    return values.folder


class NewCaseDialog(QDialog):
    """Asks for the case details and folder; on OK the case is created (see `create_case`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.created: Path | None = None
        self.setWindowTitle(self.tr("New case"))
        settings = qsettings()
        self.case_number = QLineEdit()
        self.examiner = QLineEdit(str(settings.value("examiner", "") or ""))
        self.agency = QLineEdit(str(settings.value("agency", "") or ""))
        self.timezone = zone_combo(str(settings.value("timezone", "UTC") or "UTC"))
        self.language = language_combo(str(settings.value("language", "en") or "en"))
        self.folder = QLineEdit()
        self.folder.setMinimumWidth(360)
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self._choose)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        form = QFormLayout()
        form.addRow(self.tr("Case number:"), self.case_number)
        form.addRow(self.tr("Examiner:"), self.examiner)
        form.addRow(self.tr("Agency:"), self.agency)
        form.addRow(self.tr("Display time zone:"), self.timezone)
        form.addRow(self.tr("Report language:"), self.language)
        form.addRow(self.tr("Case folder:"), folder_row)
        self.message = form_body(self, form)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the new case"))
        if folder:
            self.folder.setText(folder)

    def values(self) -> NewCase:
        return NewCase(
            folder=Path(self.folder.text().strip()),
            case_number=self.case_number.text().strip(),
            examiner=self.examiner.text().strip(),
            agency=self.agency.text().strip(),
            timezone=self.timezone.currentText().strip(),
            language=str(self.language.currentData()),
        )

    def _problem(self, v: NewCase) -> str | None:
        if not self.folder.text().strip():
            return self.tr("Choose a folder for the case.")
        if (v.folder / DB_NAME).exists():
            return self.tr("This folder already holds a case: open it from the start screen.")
        if not valid_zone(v.timezone):
            return self.tr("Unknown time zone: choose one from the list.")
        if not v.examiner:
            return self.tr("Enter the examiner's name.")
        return None

    def accept(self) -> None:
        v = self.values()
        problem = self._problem(v)
        if problem is None:
            try:
                self.created = create_case(v)
            except (QarinaError, OSError) as exc:
                problem = self.tr("The case was not created: %1").replace("%1", str(exc))
        if problem is not None:
            self.message.setText(problem)
            return
        settings = qsettings()
        settings.setValue("examiner", v.examiner)
        settings.setValue("agency", v.agency)
        super().accept()

    def created_case(self) -> Path | None:
        """The folder of the case created when the dialog was accepted (None otherwise)."""
        return self.created
