"""The settings dialog, its rule-pack, keyword-list and hash-set widgets, and `scan_options`.

Examiner, language, display zone, disabled rule packs and keyword lists live in QSettings;
with a case open, its time zone is case info and its hash sets are imported into the case
(both as the CLI does, each change written to the audit log). `scan_options` turns the
settings into the ScanOptions of a scan started from the GUI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.case import Case
from ..core.casedb import DB_NAME, connect
from ..core.errors import QarinaError
from ..core.models import ScanOptions
from ..search.packs import bundled_root, load_packs
from .report_dialog import (
    Task,
    form_body,
    language_combo,
    plain_label,
    strings,
    valid_zone,
    zone_combo,
)
from .settings_store import qsettings

__all__ = ["HashSetPanel", "PackList", "PathList", "SettingsDialog", "import_into_case",
           "scan_options", "set_case_info"]  # fmt: skip


class PackList(QListWidget):
    """The bundled rule packs, each with a check box (QSettings keeps the disabled ids)."""

    def __init__(self, disabled: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        try:
            packs = load_packs(bundled_root())
        except QarinaError as exc:
            self.addItem(self.tr("Rule packs cannot be loaded: %1").replace("%1", str(exc)))
            packs = []
        for pack in packs:
            item = QListWidgetItem(f"{pack.name} ({pack.id} {pack.version})")
            item.setToolTip(pack.description)
            item.setData(Qt.ItemDataRole.UserRole, pack.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = pack.id not in disabled
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMaximumHeight(110)
        self.setMinimumWidth(520)

    def disabled(self) -> set[str]:
        found = set()
        for i in range(self.count()):
            item = self.item(i)
            pack = item.data(Qt.ItemDataRole.UserRole)
            if pack and item.checkState() != Qt.CheckState.Checked:
                found.add(str(pack))
        return found


class PathList(QWidget):
    """A list of files with Add…/Remove (keyword lists)."""

    def __init__(self, paths: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.addItems(paths)
        self.list.setMaximumHeight(80)
        add, remove = QPushButton(self.tr("Add…")), QPushButton(self.tr("Remove"))
        add.clicked.connect(self._add)
        remove.clicked.connect(self._remove)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)

    def _add(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Keyword lists"), "", self.tr("Keyword lists (*.txt);;All files (*)")
        )
        existing = set(self.paths())
        self.list.addItems([n for n in names if Path(n) not in existing])

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def paths(self) -> list[Path]:
        return [Path(self.list.item(i).text()) for i in range(self.list.count())]


class HashSetPanel(QWidget):
    """The case's hash sets and an import form (the import runs in the background)."""

    imported = Signal(object)  # search.hashset_match.ImportResult

    def __init__(self, case_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_dir = case_dir
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(
            [self.tr("Name"), self.tr("Category"), self.tr("Format"), self.tr("Hashes")]
        )
        self.table.setMaximumHeight(110)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Name of the set"))
        self.category = QComboBox()
        for code, label in (
            ("known_bad", self.tr("Known bad")),
            ("known_good", self.tr("Known good")),
            ("other", self.tr("Other")),
        ):
            self.category.addItem(label, code)  # fmt: skip
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.clicked.connect(self._choose)
        self.message = plain_label()
        form = QHBoxLayout()
        form.addWidget(self.name, 1)
        form.addWidget(self.category)
        form.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self._task: Task | None = None
        self.reload()

    def reload(self) -> None:
        self.table.clear()
        conn = connect(self.case_dir / DB_NAME, readonly=True)
        try:
            rows = conn.execute(
                "SELECT name, category, format, entries FROM hashsets ORDER BY id"
            ).fetchall()
        finally:
            conn.close()
        for name, category, fmt, entries in rows:
            self.table.addTopLevelItem(QTreeWidgetItem([name, category, fmt, str(entries)]))

    def _choose(self) -> None:
        source, _ = QFileDialog.getOpenFileName(self, self.tr("Hash set file"))
        if source:
            self.start_import(Path(source))

    def start_import(self, source: Path) -> None:
        name = self.name.text().strip() or source.stem
        category = str(self.category.currentData())
        case_dir = self.case_dir
        self.import_button.setEnabled(False)
        self.message.setText(self.tr("Importing %1…").replace("%1", source.name))
        self._task = Task(lambda: import_into_case(case_dir, source, name, category))
        self._task.done.connect(self._done)
        self._task.error.connect(self._error)
        self._task.start()

    def _done(self, result: Any) -> None:
        self.import_button.setEnabled(True)
        text = self.tr("%1 hashes imported, %2 matching file(s).")
        self.message.setText(
            text.replace("%1", str(result.entries)).replace("%2", str(result.matches))
        )
        self.reload()
        self.imported.emit(result)

    def _error(self, message: str) -> None:
        self.import_button.setEnabled(True)
        self.message.setText(self.tr("Not imported: %1").replace("%1", message))


def import_into_case(case_dir: Path, source: Path, name: str, category: str) -> Any:
    """`qarina hashset import`: refuse a duplicate name, import, flag matching files."""
    from ..search.hashset_match import import_hashset

    case = Case.open(case_dir, create=False)
    try:
        if case.db.query("SELECT 1 FROM hashsets WHERE name = ?", (name,)):
            raise QarinaError(f"the case already has a hash set named {name!r}")
        return import_hashset(case, source, name, category)
    finally:
        case.close()


class SettingsDialog(QDialog):
    """Examiner, language, display zone, rule packs and keyword lists (QSettings); with a
    case open, its time zone (case info) and hash sets (imported into the case)."""

    def __init__(self, case_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_dir = Path(case_dir) if case_dir is not None else None
        self.setWindowTitle(self.tr("Settings"))
        s = qsettings()
        self.examiner = QLineEdit(str(s.value("examiner", "") or ""))
        self.language = language_combo(str(s.value("language", "en") or "en"))
        self.timezone = zone_combo(str(s.value("timezone", "UTC") or "UTC"))
        form = QFormLayout()
        form.addRow(self.tr("Examiner name:"), self.examiner)
        form.addRow(self.tr("Language:"), self.language)
        form.addRow(self.tr("Display time zone:"), self.timezone)
        self.case_zone: QComboBox | None = None
        if self.case_dir is not None:
            self.case_zone = zone_combo(self._case_info().get("timezone", "UTC"))
            form.addRow(self.tr("Time zone of this case:"), self.case_zone)
        self.packs = PackList(set(strings(s.value("rule_packs_disabled", []))))
        form.addRow(self.tr("Bundled rule packs:"), self.packs)
        self.keywords = PathList(strings(s.value("keyword_lists", [])))
        form.addRow(self.tr("Keyword lists:"), self.keywords)
        if self.case_dir is not None:
            self.hashsets = HashSetPanel(self.case_dir)
            form.addRow(self.tr("Hash sets of this case:"), self.hashsets)
        self.message = form_body(self, form)

    def _case_info(self) -> dict[str, str]:
        assert self.case_dir is not None
        conn = connect(self.case_dir / DB_NAME, readonly=True)
        try:
            return {r[0]: r[1] for r in conn.execute("SELECT key, value FROM case_info")}
        finally:
            conn.close()

    def accept(self) -> None:
        zones = [self.timezone.currentText()]
        if self.case_zone is not None:
            zones.append(self.case_zone.currentText())
        if not all(valid_zone(z) for z in zones):
            self.message.setText(self.tr("Unknown time zone: choose one from the list."))
            return
        s = qsettings()
        s.setValue("examiner", self.examiner.text().strip())
        s.setValue("language", self.language.currentData())
        s.setValue("timezone", self.timezone.currentText())
        s.setValue("rule_packs_disabled", sorted(self.packs.disabled()))
        s.setValue("keyword_lists", [str(p) for p in self.keywords.paths()])
        if self.case_zone is not None and self.case_dir is not None:
            zone = self.case_zone.currentText()
            if zone != self._case_info().get("timezone"):
                set_case_info(self.case_dir, {"timezone": zone})
        super().accept()


def set_case_info(case_dir: Path, values: dict[str, str]) -> None:
    """Change case details as `qarina case-info` does: case info plus an audit entry."""
    case = Case.open(case_dir, create=False)
    try:
        case.db.set_info(dict(values))
        case.audit.append("case_info_updated", **values)
    finally:
        case.close()


def scan_options(**extra: Any) -> ScanOptions:
    """ScanOptions from the settings: the examiner, keyword lists and the bundled packs
    switched off (each recorded by the scan in the case's `rule_packs` table)."""
    s = qsettings()
    disabled = tuple(sorted(strings(s.value("rule_packs_disabled", []))))
    keywords = tuple(Path(p) for p in strings(s.value("keyword_lists", [])))
    examiner = str(s.value("examiner", "") or "") or None
    return ScanOptions(examiner=examiner, disabled_packs=disabled, keywords=keywords, **extra)
