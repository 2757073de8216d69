"""The main window, the record tables and `qarina gui --screenshot` (pytest-qt, offscreen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casehelpers import insert_folder_evidence
from click.testing import CliRunner
from fixtures_android import make_android_extraction
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from triage_app.cli import main
from triage_app.core.case import Case
from triage_app.core.casedb import ARTIFACT_COLUMNS
from triage_app.core.engine import scan
from triage_app.gui import i18n
from triage_app.gui.casedata import CaseData
from triage_app.gui.record_model import Column, RecordTableModel
from triage_app.gui.views.records import CallsView, ContactsView, TimelineView
from triage_app.report.tables import escape_controls

HOSTILE = '<b>bold</b><img src=x onerror="alert(1)"> \u202egnp.exe'
MILLION = 1_000_000


@pytest.fixture(scope="module")
def phone_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gui")
    case = root / "case"
    assert scan(case, [make_android_extraction(root / "phone")]).status == "ok"
    return case


@pytest.fixture(scope="module")
def big_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case with 1,000,000 contact records (written directly, the real schema)."""
    case_dir = tmp_path_factory.mktemp("big") / "case"
    case = Case.open(case_dir, examiner="t", case_number="BIG")
    db = case.db
    with db.transaction():
        insert_folder_evidence(db)
        data = json.dumps({"app": "contacts", "name": HOSTILE, "phones": ["+218910000000"]})
        rows = (
            ("contact", 1, None, "t", f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z", None,
             0, None, None, data)
            for i in range(MILLION)
        )  # fmt: skip
        db.insert_many("artifacts", ARTIFACT_COLUMNS, rows)
    return case_dir


@pytest.mark.slow
def test_model_pages_lazily_on_a_million_rows(big_case: Path, qtbot: QtBot) -> None:
    case = CaseData(big_case)
    model = RecordTableModel(case, ("contact",), [Column("time", "T"), Column("name", "N")])
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 200  # one page, not the kind
    for _ in range(4):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 1000
    assert model.total() == MILLION
    # Hostile markup is data: the model hands it to the view as plain text, overrides visible.
    shown = model.data(model.index(0, 1))
    assert shown.startswith("<b>bold</b><img src=x onerror=") and "\\u202e" in shown
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 200
    assert model.record(0)["ts"] >= model.record(199)["ts"]
    model.close()


@pytest.mark.slow
def test_view_on_a_million_rows_scrolls_by_pages(big_case: Path, qtbot: QtBot) -> None:
    case = CaseData(big_case)
    view = ContactsView(case)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    assert view.count() == MILLION
    assert 0 < view.model.rowCount() <= 400  # the view asked for what it shows
    bar = view.table.verticalScrollBar()
    for _ in range(3):
        bar.setValue(bar.maximum())
        QApplication.processEvents()
    assert 400 <= view.model.rowCount() <= 2000
    view.table.selectRow(0)
    shown = view.details.toPlainText()
    assert "Provenance" in shown and escape_controls(HOSTILE) in shown and "\u202e" not in shown
    # Sorting a million contacts by name: done once in a worker while the pane says so;
    # asking for another order meanwhile interrupts it and its answer is never shown.
    header = view.table.horizontalHeader()
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # the name column
    assert view.model.sorting_now() and "Sorting" in view.details.toPlainText()
    header.setSortIndicator(4, Qt.SortOrder.DescendingOrder)  # the time column
    assert view.model.order == "ts" and not view.model.sorting_now()
    assert (
        view.model.rowCount() == 200 and view.model.record(0)["ts"] >= view.model.record(199)["ts"]
    )
    header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not view.model.sorting_now(), timeout=60_000)
    assert view.model.order == "field:name" and view.model.rowCount() == 200
    assert view.details.toPlainText() == ""
    ids = [view.model.rows[i].id for i in range(200)]
    assert ids == sorted(ids, reverse=True)  # equal names: then by id, descending
    view.model.fetchMore(QModelIndex())
    assert view.model.rowCount() == 400


def test_tag_from_a_table_is_written_and_shown(phone_case: Path, qtbot: QtBot) -> None:
    case = CaseData(phone_case)
    view = TimelineView(case)
    qtbot.addWidget(view)
    view.table.selectRow(0)
    record = view.selected()
    assert record is not None
    view._tag("suspect", "runs the boats")
    assert [t.tag for t in case.tags(record["id"])] == ["suspect"]
    assert "runs the boats" in view.details.toPlainText()
    records = [view.model.record(i) for i in range(view.model.rowCount())]
    assert all(r and r["ts"] for r in records)  # a timeline holds dated records only
    view.kind_box.setCurrentIndex(view.kind_box.findText("message"))
    kinds = {(view.model.record(i) or {}).get("kind") for i in range(view.model.rowCount())}
    assert kinds == {"message"}


def test_sort_by_a_field_on_a_small_case(phone_case: Path, qtbot: QtBot) -> None:
    case = CaseData(phone_case)
    view = TimelineView(case)
    qtbot.addWidget(view)
    view.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.AscendingOrder)  # Text
    qtbot.waitUntil(lambda: not view.model.sorting_now())
    bodies = [(view.model.record(i) or {}).get("body") for i in range(view.model.rowCount())]
    texts = [b or "" for b in bodies]
    assert view.model.order == "field:body" and texts == sorted(texts) and len(texts) > 1


def test_timeline_time_range(phone_case: Path, qtbot: QtBot) -> None:
    from PySide6.QtCore import QDate, QDateTime, QTime

    case = CaseData(phone_case)
    view = TimelineView(case)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 3  # the three SMS of 2023-11-14 (UTC)
    view.start.setDateTime(QDateTime(QDate(2023, 11, 14), QTime(22, 14)))
    view.end.setDateTime(QDateTime(QDate(2023, 11, 14), QTime(23, 0)))
    view.range_on.setChecked(True)
    ids = [(view.model.record(i) or {}).get("id") for i in range(view.model.rowCount())]
    assert ids == ["rec:12", "rec:13"]  # 22:14:20 and 22:15:20; 22:13:20 is before the range
    view.range_on.setChecked(False)
    assert view.model.rowCount() == 3


def test_search_filters_the_table(phone_case: Path, qtbot: QtBot) -> None:
    case = CaseData(phone_case)
    view = TimelineView(case)
    qtbot.addWidget(view)
    view.model.set_search("القآرب")  # hamza-less/alef variants match
    assert [(view.model.record(0) or {}).get("id")] == ["rec:11"] and view.model.rowCount() == 1


def test_arabic_mirrors_the_main_window(phone_case: Path, qtbot: QtBot) -> None:
    from triage_app.gui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    i18n.apply(app, "ar")
    try:
        window = MainWindow(phone_case)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show_view("timeline")
        window.show()
        QApplication.processEvents()
        assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
        nav = window.nav.mapTo(window, window.nav.rect().topLeft())
        stack = window.stack.mapTo(window, window.stack.rect().topLeft())
        assert nav.x() > stack.x()  # navigation on the right
    finally:
        i18n.apply(app, "en")
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_new_case_scan_shows_counts(tmp_path: Path, qtbot: QtBot) -> None:
    """New case → add generated evidence → scan to completion → counts in the navigation."""
    from triage_app.core.models import ScanOptions
    from triage_app.gui.main_window import MainWindow

    Case.open(tmp_path / "case", examiner="t", case_number="T-1").close()
    window = MainWindow(tmp_path / "case")
    qtbot.addWidget(window)
    assert window.nav.item(0).text() == "Messages  (0)"
    window.start_scan([make_android_extraction(tmp_path / "phone")], ScanOptions())
    with qtbot.waitSignal(window.worker.finished, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: window.nav.item(0).text() == "Messages  (3)", timeout=10_000)
    assert window.nav.item(10).text().startswith("Coverage")
    qtbot.waitUntil(lambda: not window.scanning(), timeout=10_000)


def test_live_refresh_does_not_move_a_reader(tmp_path: Path, qtbot: QtBot) -> None:
    case_dir = tmp_path / "case"
    case = Case.open(case_dir, examiner="t")
    data = json.dumps({"app": "phone", "number": "+218910000001", "direction": "missed"})

    def add(n: int) -> None:
        with case.db.transaction():
            case.db.insert_many("artifacts", ARTIFACT_COLUMNS, [
                ("call", 1, None, "t", f"2024-01-01T00:00:{i:02d}Z", None, 0, None, None, data)
                for i in range(n)
            ])  # fmt: skip

    with case.db.transaction():
        insert_folder_evidence(case.db)
    add(2)
    view = CallsView(CaseData(case_dir))
    qtbot.addWidget(view)
    assert view.model.rowCount() == 2
    add(3)
    view.live_refresh()
    assert view.model.rowCount() == 5  # at the top, nothing selected: new records shown
    view.table.selectRow(0)
    add(1)
    view.live_refresh()
    assert view.model.rowCount() == 5  # a record is selected: the reader is not moved
    view.refresh()
    assert view.model.rowCount() == 6
    case.close()


def test_keyboard_switches_views(phone_case: Path, qtbot: QtBot) -> None:
    from triage_app.gui.main_window import MainWindow

    window = MainWindow(phone_case)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentRow() == 2  # calls
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view().NAME == "files"  # type: ignore[union-attr]


def test_screenshot_command(phone_case: Path, tmp_path: Path, qtbot: QtBot) -> None:
    png = tmp_path / "shot.png"
    result = CliRunner().invoke(
        main, ["gui", str(phone_case), "--screenshot", str(png), "--view", "calls"]
    )
    assert result.exit_code == 0, result.output
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1366, 768)
    assert CliRunner().invoke(main, ["gui", "--view", "calls"]).exit_code == 2
