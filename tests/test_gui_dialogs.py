"""New case, add evidence, report, settings dialogs and the start screen."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_android import make_android_extraction

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from triage_app.core.audit import verify_chain
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.gui.dialogs import (
    AddEvidenceDialog,
    NewCaseDialog,
    ReportDialog,
    SettingsDialog,
)
from triage_app.gui.start import StartScreen, add_recent_case, recent_cases

SHOTS = Path(os.environ.get("QARINA_GUI_SHOTS", "/tmp"))


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path) -> Iterator[None]:
    """QSettings in the test's folder, never the developer's own."""
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings("Qarina", "Qarina").clear()
    yield
    QSettings("Qarina", "Qarina").clear()


def _shot(widget: QWidget, name: str, size: tuple[int, int] | None = None) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for lang, direction in (("en", Qt.LayoutDirection.LeftToRight),
                            ("ar", Qt.LayoutDirection.RightToLeft)):  # fmt: skip
        app.setLayoutDirection(direction)
        widget.setLayoutDirection(direction)
        if size:
            widget.resize(*size)
        else:
            widget.adjustSize()
        assert widget.grab().save(str(SHOTS / f"gui-dialogs-{name}-{lang}.png"))
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_new_case_dialog_creates_case_with_agency(qtbot: Any, tmp_path: Path) -> None:
    dialog = NewCaseDialog()
    qtbot.addWidget(dialog)
    dialog.accept()  # nothing filled in: refused, with a reason
    assert dialog.result() == 0 and dialog.message.text()
    dialog.case_number.setText("2024/117")
    dialog.examiner.setText("Lt. Amal")
    dialog.agency.setText("Coast Guard")
    dialog.timezone.setCurrentText("Africa/Tripoli")
    dialog.language.setCurrentIndex(dialog.language.findData("ar"))
    dialog.folder.setText(str(tmp_path / "case"))
    values = dialog.values()
    assert values.timezone == "Africa/Tripoli" and values.language == "ar"
    _shot(dialog, "newcase")
    dialog.accept()
    assert dialog.result() == 1 and dialog.created_case() == tmp_path / "case"
    conn = connect(tmp_path / "case" / "case.sqlite", readonly=True)
    info = {r[0]: r[1] for r in conn.execute("SELECT key, value FROM case_info")}
    conn.close()
    assert info["agency"] == "Coast Guard" and info["timezone"] == "Africa/Tripoli"
    assert info["case_number"] == "2024/117" and info["examiner"] == "Lt. Amal"
    lines = (tmp_path / "case" / "audit.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["action"] == "case_info_updated"
    assert verify_chain(tmp_path / "case" / "audit.jsonl").ok
    again = NewCaseDialog()  # the same folder again is refused
    qtbot.addWidget(again)
    again.examiner.setText("x")
    again.folder.setText(str(tmp_path / "case"))
    again.accept()
    assert again.result() == 0 and "already" in again.message.text()


def _wait_detected(qtbot: Any, dialog: AddEvidenceDialog, n: int) -> None:
    qtbot.waitUntil(lambda: len(dialog.detections) == n and not dialog.is_busy(), timeout=30000)


def test_add_evidence_detects_zip_folder_and_corrupt_file(qtbot: Any, tmp_path: Path) -> None:
    folder = make_android_extraction(tmp_path / "phone")
    archive = tmp_path / "phone.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.rglob("*"):
            z.write(f, f.relative_to(folder).as_posix())
    corrupt = tmp_path / "broken.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00garbage" * 20)
    dialog = AddEvidenceDialog(tmp_path / "case")
    qtbot.addWidget(dialog)
    dialog.add_paths([archive, folder, corrupt])
    _wait_detected(qtbot, dialog, 3)
    found = {p.name: d for p, d in dialog.detections.items()}
    assert found["phone.zip"].format == "zip" and found["phone.zip"].error is None
    assert found["phone"].format == "directory"
    assert found["broken.gz"].error
    dialog.items.setCurrentItem(dialog.items.topLevelItem(2))
    assert "Cannot be read" in dialog.details.toPlainText()
    assert dialog.items.topLevelItem(0).text(1) == "zip"
    assert not dialog.password_box.isVisibleTo(dialog)
    paths, password = dialog.result()
    assert sorted(p.name for p in paths) == ["phone", "phone.zip"] and password is None
    _shot(dialog, "addevidence")


def test_add_evidence_asks_for_backup_password(qtbot: Any, tmp_path: Path) -> None:
    backup = tmp_path / "enc.ab"
    salt = "00" * 64
    backup.write_bytes(
        f"ANDROID BACKUP\n5\n1\nAES-256\n{salt}\n{salt}\n10000\n{'00' * 16}\n{'00' * 96}\n"
        .encode() + b"\x00" * 64
    )  # fmt: skip
    dialog = AddEvidenceDialog(tmp_path / "case")
    qtbot.addWidget(dialog)
    dialog.add_paths([backup])
    _wait_detected(qtbot, dialog, 1)
    assert dialog.detections[backup].encrypted and dialog.detections[backup].error
    assert dialog.password_box.isVisibleTo(dialog)
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    dialog.password.setText("wrong")
    dialog.unlock.click()
    _wait_detected(qtbot, dialog, 1)
    assert "password" in (dialog.detections[backup].error or "")
    assert dialog.result() == ([], "wrong")


def test_report_dialog_writes_csv_and_shows_hash(qtbot: Any, tmp_path: Path) -> None:
    case = tmp_path / "case"
    scan(case, [make_android_extraction(tmp_path / "phone")])
    dialog = ReportDialog(case)
    qtbot.addWidget(dialog)
    for fmt, box in dialog.format_boxes.items():
        box.setChecked(fmt == "csv")
    dialog.folder.setText(str(tmp_path / "report"))
    with qtbot.waitSignal(dialog.report_written, timeout=120000) as blocker:
        dialog.write_button.click()
    result = blocker.args[0]
    assert (tmp_path / "report" / "manifest.json").is_file()
    assert dialog.hash_text.text() == result.manifest_sha256 and len(result.manifest_sha256) == 64
    assert dialog.hash_text.isReadOnly() and dialog.open_folder.isVisibleTo(dialog)
    _shot(dialog, "report")
    again = ReportDialog(case)  # a folder that is not empty: the error is shown as text
    qtbot.addWidget(again)
    again.folder.setText(str(tmp_path / "report"))
    again.selection.setCurrentIndex(again.selection.findData("tag"))
    again.selection_arg.setText("suspect")
    assert again.options().selection == "tag:suspect"
    again.start()
    qtbot.waitUntil(lambda: "not written" in again.message.text(), timeout=60000)


def test_settings_dialog_stores_and_sets_case_zone(qtbot: Any, tmp_path: Path) -> None:
    case = tmp_path / "case"
    scan(
        case,
        [make_android_extraction(tmp_path / "phone")],
    )
    hashes = tmp_path / "bad.txt"
    hashes.write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    dialog = SettingsDialog(case)
    qtbot.addWidget(dialog)
    assert dialog.packs.count() > 0
    dialog.examiner.setText("Sgt. Nour")
    dialog.packs.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.case_zone is not None
    dialog.case_zone.setCurrentText("Africa/Tunis")
    dialog.hashsets.name.setText("csam-known")
    dialog.hashsets.start_import(hashes)
    qtbot.waitUntil(lambda: dialog.hashsets.table.topLevelItemCount() == 1, timeout=30000)
    _shot(dialog, "settings")
    dialog.accept()
    s = QSettings("Qarina", "Qarina")
    assert s.value("examiner") == "Sgt. Nour"
    assert s.value("rule_packs_disabled")
    conn = connect(case / "case.sqlite", readonly=True)
    zone = conn.execute("SELECT value FROM case_info WHERE key='timezone'").fetchone()[0]
    conn.close()
    assert zone == "Africa/Tunis"


def test_start_screen_recent_cases(qtbot: Any, tmp_path: Path) -> None:
    case = tmp_path / "old"
    scan(case, [make_android_extraction(tmp_path / "phone")])
    add_recent_case(tmp_path / "gone")
    add_recent_case(case)
    assert recent_cases() == [case.absolute(), (tmp_path / "gone").absolute()]
    screen = StartScreen(None)
    qtbot.addWidget(screen)
    assert screen.recent.count() == 2
    first, missing = screen.recent.item(0), screen.recent.item(1)
    assert first.flags() & Qt.ItemFlag.ItemIsEnabled
    assert not missing.flags() & Qt.ItemFlag.ItemIsEnabled
    assert screen.sample_button.isEnabled() and "fictional" in screen.sample_button.toolTip()
    with qtbot.waitSignal(screen.open_case) as blocker:
        screen.recent.itemActivated.emit(first)
    assert blocker.args[0] == case.absolute()
    with qtbot.waitSignal(screen.new_case_requested):
        screen.new_button.click()
    with qtbot.waitSignal(screen.open_sample):
        screen.sample_button.click()
    _shot(screen, "start", (1366, 768))
