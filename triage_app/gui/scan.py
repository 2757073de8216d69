"""The scan as the GUI runs it: `ScanWorker` drives the engine on its own QThread, and
`ScanPanel` shows its progress (per stage, files, bytes, throughput, ETA, findings) with a
Cancel button.

`cancel()` sets the engine's CancelToken directly from the UI thread: a queued signal would
only be delivered once the scan thread returned to an event loop, i.e. after the scan.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.engine import scan
from ..core.models import ScanOptions, ScanSummary
from ..core.progress import CancelToken, Progress, ThrottledSink

log = logging.getLogger(__name__)

STAGES = ("index", "hash", "parse", "search")


class _SignalSink:
    """The engine's progress sink: re-emits on the worker's signals (queued to the UI)."""

    def __init__(self, worker: ScanWorker) -> None:
        self._worker = worker

    def update(self, progress: Progress) -> None:
        self._worker.progress.emit(progress)

    def log(self, level: str, message: str) -> None:
        self._worker.log.emit(level, message)


class _ScanThread(QThread):
    def __init__(self, worker: ScanWorker) -> None:
        super().__init__(worker)
        self._worker = worker

    def run(self) -> None:
        self._worker._run()


class ScanWorker(QObject):
    """Runs `engine.scan(case_dir, paths, options)` on a QThread of its own.

    Keep a reference to the worker until `finished` or `failed` arrived (or `wait()`)."""

    progress = Signal(object)  # core.progress.Progress, at most ~10 a second
    log = Signal(str, str)  # level, message
    finished = Signal(object)  # core.models.ScanSummary (status ok | cancelled)
    failed = Signal(str)  # the scan could not run (e.g. the case database is not writable)

    def __init__(
        self,
        case_dir: Path,
        paths: list[Path],
        options: ScanOptions | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.case_dir = Path(case_dir)
        self.paths = [Path(p) for p in paths]
        self.options = options or ScanOptions()
        self._cancel = CancelToken()
        self._thread: _ScanThread | None = None

    def start(self) -> None:
        if self.is_running():
            return
        self._cancel = CancelToken()
        self._thread = _ScanThread(self)
        self._thread.start()

    def cancel(self) -> None:
        """Thread-safe: the engine checks the token between files and batches."""
        self._cancel.cancel()

    def is_cancelled(self) -> bool:
        return self._cancel.cancelled

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, ms: int = -1) -> bool:
        """Block until the scan thread ended (True) or `ms` passed (False); -1 waits forever."""
        if self._thread is None:
            return True
        if ms < 0:
            return bool(self._thread.wait())
        return bool(self._thread.wait(ms))

    def _run(self) -> None:
        sink = ThrottledSink(_SignalSink(self), rate=10.0)
        try:
            summary = scan(self.case_dir, self.paths, self.options, sink, self._cancel)
        except Exception as exc:  # the thread's guard: any error must reach the UI, not stderr
            log.exception("scan of %s failed", self.case_dir)
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished.emit(summary)


class _StageRow:
    """One line of the panel: stage name, progress bar, detail text."""

    def __init__(self, label: str, grid: QGridLayout, row: int) -> None:
        self.label = QLabel(label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.detail = QLabel("")
        self.detail.setMinimumWidth(260)
        grid.addWidget(self.label, row, 0)
        grid.addWidget(self.bar, row, 1)
        grid.addWidget(self.detail, row, 2)

    def running(self, done: int | None, total: int | None, text: str) -> None:
        if total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(min(1000, int(1000 * (done or 0) / total)))
        else:
            self.bar.setRange(0, 0)  # busy indicator: the total is not known
        self.detail.setText(text)

    def complete(self, text: str | None = None) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        if text is not None:
            self.detail.setText(text)

    def stop(self) -> None:
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
            self.bar.setValue(0)


class ScanPanel(QWidget):
    """Progress of one scan: `ScanPanel(worker, parent)`, or `attach(worker)` later; either
    before `worker.start()`."""

    cancel_requested = Signal()

    def __init__(self, worker: ScanWorker | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker: ScanWorker | None = None
        self._started = time.monotonic()
        self._stage = ""
        self._bytes_base = 0  # bytes of evidence items already indexed (per-item counters)
        self._last_bytes = 0
        self._findings = 0
        self._search_started = 0.0
        self._build()
        if worker is not None:
            self.attach(worker)

    def _build(self) -> None:
        names = (self.tr("Index"), self.tr("Hash"), self.tr("Parse"), self.tr("Search"))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self._rows = {
            s: _StageRow(n, grid, i) for i, (s, n) in enumerate(zip(STAGES, names, strict=True))
        }
        self.status = QLabel(self.tr("Waiting to start…"))
        self.totals = QLabel("")
        self.findings = QLabel(self.tr("Findings: %1").replace("%1", "0"))
        self.cancel_button = QPushButton(self.tr("Cancel scan"))
        self.cancel_button.clicked.connect(self._on_cancel)
        for label in (self.status, self.totals, self.findings):
            label.setTextFormat(Qt.TextFormat.PlainText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.totals, 1)
        bottom.addWidget(self.findings)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(grid)
        layout.addLayout(bottom)

    def attach(self, worker: ScanWorker) -> None:
        self._worker = worker
        self._started = time.monotonic()
        self.cancel_button.setEnabled(True)
        worker.progress.connect(self.on_progress)
        worker.finished.connect(self.on_finished)
        worker.failed.connect(self.on_failed)

    def _on_cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling… everything already saved is kept."))
        self.cancel_requested.emit()

    def _total_bytes(self, p: Progress) -> int:
        if p.stage == "index":
            if p.bytes_done < self._last_bytes:  # the next evidence item starts from zero
                self._bytes_base += self._last_bytes
            self._last_bytes = p.bytes_done
        return self._bytes_base + self._last_bytes

    def on_progress(self, p: Progress) -> None:
        if p.stage != self._stage:
            self._enter(p.stage)
        total_bytes = self._total_bytes(p)
        self._findings = max(self._findings, p.findings)
        self.findings.setText(self.tr("Findings: %1").replace("%1", _num(self._findings)))
        if p.stage == "open":
            self.status.setText(self.tr("Opening %1").replace("%1", p.message))
        elif p.stage == "index":
            self._show_index(p, total_bytes)
        elif p.stage == "parse":
            text = self.tr("%1 parser runs, %2 records")
            text = text.replace("%1", _num(p.files_done)).replace("%2", _num(p.findings))
            self._rows["parse"].running(None, None, text)
        elif p.stage == "search":
            self._show_search(p)

    def _enter(self, stage: str) -> None:
        order = {"open": 0, "index": 0, "parse": 2, "search": 3}
        for i, name in enumerate(STAGES):
            if i < order.get(stage, 0):
                self._rows[name].complete()
        if stage == "search":
            self._search_started = time.monotonic()
        titles = {
            "open": self.tr("Opening evidence…"),
            "index": self.tr("Indexing and hashing files…"),
            "parse": self.tr("Parsing artifacts…"),
            "search": self.tr("Searching records…"),
        }
        self.status.setText(titles.get(stage, stage))
        self._stage = stage

    def _show_index(self, p: Progress, total_bytes: int) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-3)
        rate = total_bytes / elapsed
        self._rows["index"].running(
            p.files_done, p.files_total, self.tr("%1 files").replace("%1", _num(p.files_done))
        )
        hashed = _size(p.bytes_done)
        if p.bytes_total:
            hashed = self.tr("%1 of %2").replace("%1", hashed).replace("%2", _size(p.bytes_total))
        self._rows["hash"].running(p.bytes_done, p.bytes_total, hashed)
        text = self.tr("%1 hashed, %2/s").replace("%1", _size(total_bytes))
        text = text.replace("%2", _size(int(rate)))
        if p.bytes_total and rate > 0 and p.bytes_done < p.bytes_total:
            eta = (p.bytes_total - p.bytes_done) / rate
            text += "  " + self.tr("ETA %1").replace("%1", _duration(eta))
        self.totals.setText(text)

    def _show_search(self, p: Progress) -> None:
        text = self.tr("%1 records searched").replace("%1", _num(p.files_done))
        self._rows["search"].running(p.files_done, p.files_total, text)
        elapsed = time.monotonic() - self._search_started
        if p.files_total and p.files_done and elapsed >= 1.0:  # too early for a rate
            rate = p.files_done / elapsed
            eta = (p.files_total - p.files_done) / rate
            line = self.tr("%1 records/s, ETA %2").replace("%1", _num(int(rate)))
            self.totals.setText(line.replace("%2", _duration(eta)))

    def on_finished(self, summary: ScanSummary) -> None:
        self.cancel_button.setEnabled(False)
        self._findings = max(self._findings, summary.artifacts)
        self.findings.setText(self.tr("Findings: %1").replace("%1", _num(self._findings)))
        totals = self.tr("%1 files, %2 hashed in %3")
        totals = totals.replace("%1", _num(summary.files)).replace(
            "%2", _size(summary.bytes_hashed)
        )
        self.totals.setText(totals.replace("%3", _duration(summary.seconds)))
        if summary.status == "cancelled":
            for row in self._rows.values():
                row.stop()
            self.status.setText(self.tr("Scan cancelled. Scan again to resume where it stopped."))
            return
        for row in self._rows.values():
            row.complete()
        if summary.failed_evidence:
            text = self.tr("Scan finished; %1 evidence item(s) NOT read or verified.")
            self.status.setText(text.replace("%1", str(len(summary.failed_evidence))))
        else:
            self.status.setText(self.tr("Scan finished."))

    def on_failed(self, message: str) -> None:
        self.cancel_button.setEnabled(False)
        for row in self._rows.values():
            row.stop()
        self.status.setText(self.tr("Scan failed: %1").replace("%1", message))


def _num(n: int) -> str:
    return QLocale().toString(n)


def _size(n: int) -> str:
    return QLocale().formattedDataSize(max(0, n), 1, QLocale.DataSizeFormat.DataSizeSIFormat)


def _duration(seconds: float) -> str:
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"
