"""ScanWorker and ScanPanel: a real scan on a generated extraction, cancel and resume."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures_android import make_android_extraction

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from triage_app.cli import main
from triage_app.core.casedb import connect
from triage_app.core.models import ScanOptions, ScanSummary
from triage_app.core.progress import Progress
from triage_app.gui.scan import ScanPanel, ScanWorker

SHOTS = Path(os.environ.get("QARINA_GUI_SHOTS", "/tmp"))


def _records(case: Path) -> int:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return int(conn.execute("SELECT count(*) FROM artifacts").fetchone()[0])
    finally:
        conn.close()


def _many_files(root: Path, n: int = 3000) -> Path:
    make_android_extraction(root)
    bulk = root / "sdcard" / "bulk"
    bulk.mkdir(parents=True)
    for i in range(n):
        (bulk / f"f{i:05d}.txt").write_text(f"file {i} +21891234{i:04d}\n" * (i % 5 + 1))
    return root


def test_worker_scans_to_completion_with_progress(qtbot: Any, tmp_path: Path) -> None:
    evidence = make_android_extraction(tmp_path / "phone")
    worker = ScanWorker(tmp_path / "case", [evidence], ScanOptions(examiner="T"))
    panel = ScanPanel(worker)
    qtbot.addWidget(panel)
    seen: list[Progress] = []
    worker.progress.connect(seen.append)
    with qtbot.waitSignal(worker.finished, timeout=60000) as blocker:
        worker.start()
    assert worker.wait(10000)
    summary: ScanSummary = blocker.args[0]
    assert summary.status == "ok" and summary.artifacts > 0
    assert {p.stage for p in seen} >= {"open", "index", "parse"}
    assert not worker.is_running()
    assert _records(tmp_path / "case") >= summary.artifacts == 3  # + search findings
    assert panel.findings.text().endswith(str(summary.artifacts))
    assert panel._rows["parse"].bar.value() == panel._rows["parse"].bar.maximum()
    assert not panel.cancel_button.isEnabled()


def test_cancel_mid_scan_then_resume(qtbot: Any, tmp_path: Path) -> None:
    evidence = _many_files(tmp_path / "phone")
    reference = ScanWorker(tmp_path / "reference", [evidence])
    with qtbot.waitSignal(reference.finished, timeout=120000):
        reference.start()
    reference.wait(10000)
    expected = _records(tmp_path / "reference")

    case = tmp_path / "case"
    worker = ScanWorker(case, [evidence])
    panel = ScanPanel(worker)
    qtbot.addWidget(panel)

    def maybe_cancel(p: Progress) -> None:
        if p.stage == "index" and p.files_done >= 200:
            panel.cancel_button.click()  # the button calls worker.cancel() directly

    worker.progress.connect(maybe_cancel)
    with qtbot.waitSignal(worker.finished, timeout=120000) as blocker:
        worker.start()
    worker.wait(10000)
    assert blocker.args[0].status == "cancelled"
    assert worker.is_cancelled()
    assert "cancel" in panel.status.text().lower()
    assert _records(case) < expected
    result = CliRunner().invoke(main, ["verify", "--case", str(case)])
    assert result.exit_code == 0, result.output

    again = ScanWorker(case, [evidence])
    with qtbot.waitSignal(again.finished, timeout=120000) as blocker:
        again.start()
    again.wait(10000)
    assert blocker.args[0].status == "ok"
    assert _records(case) == expected


def test_worker_reports_failure(qtbot: Any, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    worker = ScanWorker(blocked / "case", [tmp_path])
    with qtbot.waitSignal(worker.failed, timeout=30000) as blocker:
        worker.start()
    worker.wait(10000)
    assert "case" in blocker.args[0].lower()


@pytest.mark.parametrize("rtl", [False, True])
def test_panel_screenshot(qtbot: Any, tmp_path: Path, rtl: bool) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    )
    try:
        panel = ScanPanel()
        qtbot.addWidget(panel)
        panel.resize(1100, 200)
        panel.on_progress(Progress("index", files_done=1200, bytes_done=3_500_000_000,
                                   bytes_total=16_000_000_000))  # fmt: skip
        panel.on_progress(Progress("parse", files_done=52, findings=18234))
        panel.on_progress(Progress("search", files_done=5000, files_total=18234))
        panel.show()
        qtbot.waitExposed(panel)
        name = "ar" if rtl else "en"
        assert panel.grab().save(str(SHOTS / f"gui-dialogs-scanpanel-{name}.png"))
        assert "18" in panel.findings.text()
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
