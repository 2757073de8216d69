"""The start screen's workshop sample: built and scanned the first time, opened after that.

The same sample and case as `qarina demo` (`sample/demo.py`): a trainer who ran the demo
once finds the scanned case here, and a trainee who clicks first waits for one build (in a
worker thread) and one ordinary scan, with the usual progress panel and Cancel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from ..core.case import Case
from ..sample import demo
from ..sample.build import Sample
from .report_dialog import Task

if TYPE_CHECKING:
    from .main_window import MainWindow


def open_sample(window: MainWindow) -> None:
    if demo.scanned():
        window.open_case(demo.case_dir())
        return
    if window.scanning():
        return
    window.statusBar().showMessage(
        QCoreApplication.translate(
            "WorkshopSample", "Building the workshop sample (the first time only)…"
        )
    )
    task = Task(_prepare)
    task.done.connect(lambda made: _scan(window, made))
    task.error.connect(
        lambda message: QMessageBox.critical(
            window, QCoreApplication.translate("WorkshopSample", "Workshop sample"), message
        )
    )
    task.start()


def _prepare() -> Sample:
    """Off the UI thread: the sample's evidence, and its (empty) case."""
    made = demo.ready_sample()
    options = demo.OPTIONS
    Case.open(demo.case_dir(), options.examiner, options.case_number, options.timezone).close()
    return made


def _scan(window: MainWindow, made: Sample) -> None:
    window.statusBar().clearMessage()
    window.open_case(demo.case_dir())
    window.start_scan(list(made.evidence.values()), demo.OPTIONS)
    assert window.worker is not None
    window.worker.finished.connect(_mark_when_complete)


def _mark_when_complete(summary: object) -> None:
    if getattr(summary, "status", "") == "ok" and not getattr(summary, "failed_evidence", []):
        demo.mark_scanned()
