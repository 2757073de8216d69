"""Every view of the desktop application opens on the workshop sample (three devices, links
between them, deleted files, hostile names) without an error, in English and Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from triage_app.core.engine import scan
from triage_app.gui.main_window import VIEWS, MainWindow
from triage_app.sample import demo, scenario
from triage_app.sample.build import build_sample


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    made = build_sample(root / "evidence")
    case = root / "case"
    assert scan(case, list(made.evidence.values()), demo.OPTIONS).status == "ok"
    return case


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_view_opens_on_the_sample(sample_case: Path, qtbot: QtBot, lang: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if lang == "ar" else Qt.LayoutDirection.LeftToRight
    )
    window = MainWindow(sample_case)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    for name, _module, _cls in VIEWS:
        window.show_view(name)
        QApplication.processEvents()
        assert window.current_view() is not None, name
        assert not window.grab().isNull()
    links = window.views["links"]
    rows = [
        [links.shared.item(r, c).text() for c in range(4)]  # type: ignore[attr-defined]
        for r in range(links.shared.rowCount())  # type: ignore[attr-defined]
    ]
    assert ["wallet", scenario.WALLET, "#1, #2, #3"] in [row[:3] for row in rows]
    app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_start_screen_builds_scans_and_opens_the_sample(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start screen's button: the first time the sample is built in a worker and scanned
    with the usual panel, then marked scanned; the next time it opens at once."""
    from triage_app.gui.start import StartScreen

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    window = MainWindow()
    qtbot.addWidget(window)
    start = window.findChild(StartScreen)
    assert start is not None and not demo.scanned()
    start.sample_button.click()
    qtbot.waitUntil(lambda: window.worker is not None, timeout=60_000)
    with qtbot.waitSignal(window.worker.finished, timeout=120_000):
        pass
    qtbot.waitUntil(demo.scanned, timeout=10_000)
    assert window.case is not None and window.case.dir == demo.case_dir()
    assert window.views  # the first view is open on the sample
    again = MainWindow()
    qtbot.addWidget(again)
    again.open_sample()
    assert again.case is not None and again.case.dir == demo.case_dir() and again.worker is None
