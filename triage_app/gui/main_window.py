"""The main window: navigation with counts on one side, the chosen view on the other, the
scan panel at the bottom while a scan runs.

Views are created the first time they are shown, so opening a large case costs one count
query per navigation entry. During a scan, counts are refreshed every few seconds and the
table being looked at shows new records as they are committed, unless the user is reading
it (scrolled, or a record selected); every view is refreshed when the scan ends (or on F5).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from ..core import casecrypt
from ..core.casedb import DB_NAME
from ..core.errors import QarinaError
from ..core.models import ScanOptions
from .casedata import CaseData

log = logging.getLogger(__name__)
# (view name, module in gui/views, class)
VIEWS = (
    ("messages", "messages", "MessagesView"),
    ("contacts", "records", "ContactsView"),
    ("calls", "records", "CallsView"),
    ("web", "records", "WebView"),
    ("photos", "photos", "PhotosView"),
    ("map", "map", "MapView"),
    ("keywords", "records", "KeywordsView"),
    ("links", "overview", "LinksView"),
    ("files", "files", "FilesView"),
    ("timeline", "records", "TimelineView"),
    ("coverage", "overview", "CoverageView"),
    ("audit", "overview", "AuditView"),
)
COUNT_SQL = {
    "messages": "SELECT count(*) FROM artifacts WHERE kind = 'message'",
    "contacts": "SELECT count(*) FROM artifacts WHERE kind = 'contact'",
    "calls": "SELECT count(*) FROM artifacts WHERE kind = 'call'",
    "web": "SELECT count(*) FROM artifacts WHERE kind IN ('web_visit', 'web_download',"
    " 'web_search', 'web_cookie', 'web_form', 'web_cache')",
    "photos": "SELECT count(*) FROM artifacts WHERE kind = 'media'",
    "keywords": "SELECT count(*) FROM artifacts WHERE kind = 'keyword_hit'",
    "files": "SELECT count(*) FROM files WHERE kind = 'file'",
    "timeline": "SELECT count(*) FROM artifacts WHERE ts IS NOT NULL",
    "audit": "SELECT count(*) FROM audit",
}


class MainWindow(QMainWindow):
    def __init__(self, case_dir: Path | None = None) -> None:
        super().__init__()
        self.case: CaseData | None = None
        self.views: dict[str, QWidget] = {}
        self.worker: Any = None
        self.nav = QListWidget()
        self.nav.setMinimumWidth(200)
        self.nav.setMaximumWidth(260)
        self.stack = QStackedWidget()
        split = QSplitter()
        split.addWidget(self.nav)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.nav.currentRowChanged.connect(self._select)
        self._timer = QTimer(self, interval=3000)
        self._timer.timeout.connect(self._scan_tick)
        self._menus()
        if case_dir is not None:
            self.open_case(Path(case_dir))
        else:
            self._start_screen()

    # -- case -----------------------------------------------------------------------------
    def titles(self) -> dict[str, str]:
        return {
            "messages": self.tr("Messages"), "contacts": self.tr("Contacts"),
            "calls": self.tr("Calls"), "web": self.tr("Web history"),
            "photos": self.tr("Photos"), "map": self.tr("Map"),
            "keywords": self.tr("Keyword hits"), "links": self.tr("Identifiers & links"),
            "files": self.tr("Files"), "timeline": self.tr("Timeline"),
            "coverage": self.tr("Coverage & errors"), "audit": self.tr("Audit log"),
        }  # fmt: skip

    def open_case(self, case_dir: Path) -> None:
        try:
            if not self._unlock(case_dir / DB_NAME):
                return
            case = CaseData(case_dir)
        except QarinaError as exc:
            QMessageBox.warning(self, self.tr("Cannot open the case"), str(exc))
            return
        self._close_views()
        self.case = case
        info = case.info()
        self.setWindowTitle(self.tr("Qarina — case %1").replace("%1", info.get("case_number")
                                                                  or case_dir.name))  # fmt: skip
        self.nav.blockSignals(True)
        self.nav.clear()
        titles = self.titles()
        for name, _module, _cls in VIEWS:
            item = QListWidgetItem(titles[name])
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        self.update_counts()
        self._remember(case_dir)
        self.nav.setCurrentRow(0)

    def _unlock(self, path: Path) -> bool:
        """An encrypted case: its passphrase (QARINA_CASE_PASSPHRASE, or asked), checked and
        kept in memory for this session. False when the examiner gave none."""
        if not casecrypt.is_encrypted(path) or casecrypt.has_key(path):
            return True
        text = casecrypt.from_environment()
        if text is None:
            text, ok = QInputDialog.getText(
                self, self.tr("Encrypted case"), self.tr("Passphrase of this case:"),
                QLineEdit.EchoMode.Password,
            )  # fmt: skip
            if not ok:
                return False
        casecrypt.unlock(path, text)  # CaseLocked (a QarinaError) when wrong: shown
        return True

    def update_counts(self) -> None:
        if self.case is None:
            return
        titles = self.titles()
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            name = str(item.data(Qt.ItemDataRole.UserRole))
            sql = COUNT_SQL.get(name)
            view = self.views.get(name)
            number = None
            if sql is not None:
                number = int(self.case.conn.execute(sql).fetchone()[0])
            elif view is not None:
                number = view.count()  # type: ignore[attr-defined]
            label = titles[name] if number is None else f"{titles[name]}  ({number:,})"
            item.setText(label)

    def _scan_tick(self) -> None:
        """While a scan runs: counts, and new records in the view being looked at."""
        self.update_counts()
        live = getattr(self.current_view(), "live_refresh", None)
        if live is not None:
            live()

    def show_view(self, name: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.nav.setCurrentRow(row)
                return
        raise ValueError(f"no view named {name!r}")

    def current_view(self) -> QWidget | None:
        widget = self.stack.currentWidget()
        return widget if widget in self.views.values() else None

    def _select(self, row: int) -> None:
        if self.case is None or row < 0:
            return
        name, module, cls = VIEWS[row]
        view = self.views.get(name)
        if view is None:
            loaded = importlib.import_module(f"{__package__}.views.{module}")
            view = getattr(loaded, cls)(self.case, self)
            self.views[name] = view
            self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)

    def _close_views(self) -> None:
        for view in self.views.values():
            shutdown = getattr(view, "shutdown", None)
            if shutdown is not None:
                shutdown()  # stops its background readers, closes evidence it opened
            self.stack.removeWidget(view)
            view.deleteLater()
        self.views.clear()
        if self.case is not None:
            self.case.close()
            self.case = None

    # -- menus ----------------------------------------------------------------------------
    def _menus(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Case"))
        for text, shortcut, slot in (
            (self.tr("&New case…"), QKeySequence.StandardKey.New, self.new_case),
            (self.tr("&Open case…"), QKeySequence.StandardKey.Open, self.choose_case),
            (self.tr("&Add evidence and scan…"), QKeySequence("Ctrl+E"), self.add_evidence),
            (self.tr("Export &report…"), QKeySequence("Ctrl+R"), self.export_report),
            (self.tr("&Backup password…"), QKeySequence(), self.backup_password),
            (self.tr("&Settings…"), QKeySequence.StandardKey.Preferences, self.settings),
            (self.tr("Re&fresh"), QKeySequence.StandardKey.Refresh, self.refresh),
            (self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
        self._view_menu()

    def _view_menu(self) -> None:
        """Every view from the keyboard: Ctrl+1 … Ctrl+9 for the first nine, all in the menu."""
        menu = self.menuBar().addMenu(self.tr("&View"))
        titles = self.titles()
        for number, (name, _module, _cls) in enumerate(VIEWS, start=1):
            action = QAction(titles[name], self)
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, n=name: self._go(n))
            menu.addAction(action)

    def _go(self, name: str) -> None:
        if self.case is not None:
            self.show_view(name)
            widget = self.current_view()
            if widget is not None:
                widget.setFocus()

    def refresh(self) -> None:
        view = self.current_view()
        if view is not None:
            view.refresh()  # type: ignore[attr-defined]
        self.update_counts()

    def _start_screen(self) -> None:
        from .start import StartScreen

        start = StartScreen(self)
        start.new_case_requested.connect(self.new_case)
        start.open_case.connect(self.open_case)
        start.open_sample.connect(self.open_sample)
        self.stack.addWidget(start)
        self.stack.setCurrentWidget(start)

    def open_sample(self) -> None:
        from .sample_case import open_sample

        open_sample(self)

    def choose_case(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a case folder"))
        if folder:
            if not (Path(folder) / DB_NAME).is_file():
                QMessageBox.warning(self, self.tr("Not a case"),
                                    self.tr("This folder holds no Qarina case."))  # fmt: skip
                return
            self.open_case(Path(folder))

    def new_case(self) -> None:
        from .dialogs import NewCaseDialog

        dialog = NewCaseDialog(self)
        if dialog.exec():
            created = dialog.created_case()
            if created is not None:
                self.open_case(created)
                self.add_evidence()

    def add_evidence(self) -> None:
        if self.case is None or self.scanning():
            return
        from .dialogs import AddEvidenceDialog

        dialog = AddEvidenceDialog(self.case.dir, self)
        if not dialog.exec():
            return
        from .dialogs import scan_options

        paths, password = dialog.result_paths()
        options = scan_options(password=password, skip_volumes=dialog.skipped_volumes())
        self.start_scan(paths, options)

    def start_scan(self, paths: list[Path], options: ScanOptions) -> None:
        from .scan import ScanPanel, ScanWorker

        assert self.case is not None
        self.worker = ScanWorker(self.case.dir, paths, options)
        self.panel = ScanPanel(self.worker, self)
        self.statusBar().addPermanentWidget(self.panel, 1)
        self.worker.finished.connect(self._scan_done)
        self.worker.failed.connect(self._scan_failed)
        self._timer.start()
        self.worker.start()

    def scanning(self) -> bool:
        return self.worker is not None and bool(self.worker.is_running())

    def _scan_done(self, summary: Any) -> None:
        self._timer.stop()
        self.statusBar().showMessage(
            self.tr("Scan %1: %2 records").replace("%1", str(summary.status))
            .replace("%2", f"{summary.artifacts:,}")
        )  # fmt: skip
        self.refresh()

    def _scan_failed(self, message: str) -> None:
        self._timer.stop()
        QMessageBox.critical(self, self.tr("Scan failed"), message)

    def export_report(self) -> None:
        if self.case is None:
            return
        from .dialogs import ReportDialog

        ReportDialog(self.case.dir, self, passwords=self.case.passwords_by_id()).exec()

    def backup_password(self) -> None:
        """A password for an encrypted backup, for previews, thumbnails and reports."""
        from .passwords import ask_backup_password

        if self.case is None or not ask_backup_password(self.case, self):
            return
        for view in self.views.values():
            if hasattr(view, "passwords_changed"):
                view.passwords_changed()

    def settings(self) -> None:
        from .dialogs import SettingsDialog

        SettingsDialog(self.case.dir if self.case else None, self).exec()

    def _remember(self, case_dir: Path) -> None:
        from .start import add_recent_case

        add_recent_case(case_dir)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.scanning():
            answer = QMessageBox.question(
                self, self.tr("A scan is running"),
                self.tr("Cancel the scan and close? The case keeps what was found, and the "
                        "scan can be resumed later by adding the same evidence again."),
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.worker.cancel()
            self.worker.wait(60_000)
        self._close_views()
        event.accept()
