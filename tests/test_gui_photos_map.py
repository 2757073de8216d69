"""Photos and Map views (pytest-qt, offscreen): a phone folder of JPEGs with EXIF GPS scanned
through the real pipeline; thumbnails made in the background, sensitive photos blurred until
revealed, hostile EXIF shown literally; the map draws every located record (20,000 in a
generated case), fits them, answers clicks, and exports KML + GeoJSON."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casehelpers import insert_folder_evidence
from PIL import Image, ImageStat
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from triage_app.core.case import Case
from triage_app.core.casedb import ARTIFACT_COLUMNS
from triage_app.core.engine import scan
from triage_app.core.models import ScanOptions
from triage_app.gui.casedata import CaseData
from triage_app.gui.views.map import MapView
from triage_app.gui.views.photos import SENSITIVE, PhotosView
from triage_app.gui.views.photos import RecordRole as ROLE

HOSTILE_MAKE = "<b>Evil</b><script>alert(1)</script>"
HOSTILE_MODEL = "<img src=x onerror=alert(2)> &amp; <a href='x'>"  # EXIF ASCII: no Arabic
# (file, lat, lon): around the central Mediterranean; the last photo has no position.
PLACES = [
    ("tripoli.jpg", 32.8872, 13.1913),
    ("lampedusa.jpg", 35.5097, 12.6056),
    ("valletta.jpg", 35.8989, 14.5146),
    ("tunis.jpg", 36.8065, 10.1815),
    ("hostile.jpg", 31.2001, 29.9187),
    ("nogps.jpg", None, None),
]


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)


def _photo(path: Path, lat: float | None, lon: float | None, square: int) -> None:
    image = Image.new("RGB", (320, 240), "white")
    for x in range(0, 320, square):
        for y in range(0, 240, square):
            if (x // square + y // square) % 2:
                image.paste((20, 40, 200), (x, y, x + square, y + square))
    exif = Image.Exif()
    hostile = path.name == "hostile.jpg"
    exif[0x010F] = HOSTILE_MAKE if hostile else "Qarina Test"
    exif[0x0110] = HOSTILE_MODEL if hostile else "Cam 1"
    exif.get_ifd(0x8769)[0x9003] = "2024:03:01 22:15:30"
    exif.get_ifd(0x8769)[0x9011] = "+02:00"
    if lat is not None and lon is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
        gps[5], gps[6] = b"\x00", 12.0
    image.save(path, "JPEG", quality=92, exif=exif)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("photos")
    dcim = root / "phone" / "DCIM"
    dcim.mkdir(parents=True)
    for number, (name, lat, lon) in enumerate(PLACES):
        _photo(dcim / name, lat, lon, 8 + 2 * number)
    summary = scan(root / "case", [root / "phone"], ScanOptions(search=False))
    assert summary.status == "ok", summary
    return root / "case"


@pytest.fixture
def case(scanned: Path, tmp_path: Path) -> Iterator[CaseData]:
    """A fresh copy of the scanned case per test: tags and thumbnails never leak across."""
    copy = tmp_path / "case"
    shutil.copytree(scanned, copy)
    data = CaseData(copy)
    yield data
    data.close()


def _generated(case_dir: Path, n: int) -> CaseData:
    """`n` located records without files (media and shared locations), 3 with bad positions,
    2 without any, written straight into a new case."""
    case = Case.open(case_dir, examiner="t")
    db = case.db
    with db.transaction():
        insert_folder_evidence(db)
        rows = []
        for i in range(n + 5):
            kind = "message" if i % 4 == 0 else "media"
            lat: Any = 30 + (i % 200) * 0.05
            lon: Any = 5 + (i // 200) * 0.2
            if i >= n:
                lat, lon = ((200, 10), (10, -181.5), ("x", 1), (None, None), (None, None))[i - n]
            data = {"lat": lat, "lon": lon, "body": f"at {i}", "app": "whatsapp"}
            rows.append((kind, 1, None, "t", None, None, 0, None, None, json.dumps(data)))
        db.insert_many("artifacts", ARTIFACT_COLUMNS, rows)
    case.close()
    return CaseData(case_dir)


def _variance(icon: QIcon, tmp_path: Path) -> float:
    out = tmp_path / "icon.png"
    assert icon.pixmap(128, 128).toImage().save(str(out))
    with Image.open(out) as image:
        return float(ImageStat.Stat(image.convert("L")).var[0])


def _row(view: PhotosView, name: str) -> int:
    for row in range(view.model.rowCount()):
        if str(view.model.index(row).data(Qt.ItemDataRole.ToolTipRole)).startswith("/DCIM/" + name):
            return row
    raise AssertionError(name)


def _photos(qtbot: QtBot, case: CaseData) -> PhotosView:
    view = PhotosView(case)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    return view


def _wait_thumbs(qtbot: QtBot, view: PhotosView) -> None:
    """Until every row has its thumbnail (or a problem) for its current blur state."""

    def ready() -> bool:
        return view.model.rowCount() > 0 and all(
            view.model.key(view.model.index(r).data(ROLE)["id"]) in view.model.ready()
            for r in range(view.model.rowCount())
        )

    qtbot.waitUntil(ready, timeout=15_000)


def test_grid_fills_lazily_and_thumbnails_arrive(qtbot: QtBot, case: CaseData) -> None:
    view = _photos(qtbot, case)
    assert view.model.rowCount() == 0 and view.model.canFetchMore()  # nothing read yet
    assert view.count() == len(PLACES)
    with qtbot.waitSignal(view.thumbnailReady, timeout=15_000) as first:
        view.show()  # the grid asks for its first page, then for the icons on screen
    assert view.model.rowCount() == len(PLACES) and not view.model.canFetchMore()
    assert first.args is not None and first.args[1] is False  # nothing tagged sensitive
    _wait_thumbs(qtbot, view)
    assert sorted(p.name for p in (case.dir / "work" / "thumbs").iterdir()) == sorted(
        f"{r['source_sha256']}.jpg" for r in (view.model.index(i).data(ROLE) for i in range(6))
    )
    icon = view.model.index(_row(view, "tunis.jpg")).data(Qt.ItemDataRole.DecorationRole)
    assert icon.pixmap(256, 256).size().width() == 256  # the 320 × 240 photo, not a tile


def test_sensitive_photo_blurred_until_revealed(
    qtbot: QtBot, case: CaseData, tmp_path: Path
) -> None:
    target = next(r for r in _ids(case) if r[1].endswith("valletta.jpg"))[0]
    case.tag(target, SENSITIVE)
    view = _photos(qtbot, case)
    view.show()
    _wait_thumbs(qtbot, view)
    row = _row(view, "valletta.jpg")
    assert view.model.key(target) == (target, True)
    blurred = _variance(view.model.index(row).data(Qt.ItemDataRole.DecorationRole), tmp_path)
    plain_row = _row(view, "lampedusa.jpg")
    other = _variance(view.model.index(plain_row).data(Qt.ItemDataRole.DecorationRole), tmp_path)
    view.select_row(row)
    assert view.reveal.isEnabled() and view.reveal.text() == "Reveal"
    with qtbot.waitSignal(view.thumbnailReady, timeout=15_000) as got:
        view.toggle_reveal()
    assert got.args == [target, False]
    revealed = _variance(view.model.index(row).data(Qt.ItemDataRole.DecorationRole), tmp_path)
    assert blurred * 20 < revealed and blurred * 20 < other, (blurred, revealed, other)
    assert [t.tag for t in case.tags(target)] == [SENSITIVE]  # the reveal is recorded nowhere
    view.toggle_reveal()  # blur again: the cached blurred icon, at once
    again = _variance(view.model.index(row).data(Qt.ItemDataRole.DecorationRole), tmp_path)
    assert again == pytest.approx(blurred)


def _ids(case: CaseData) -> list[tuple[str, str]]:
    rows = case.conn.execute(
        "SELECT a.id, f.path FROM artifacts a JOIN files f ON f.id = a.file_id"
        " WHERE a.kind = 'media' ORDER BY a.id"
    )
    return [(f"rec:{r[0]}", r[1]) for r in rows]


def test_exif_panel_plain_text_and_tag_actions(
    qtbot: QtBot, case: CaseData, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    view = _photos(qtbot, case)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == len(PLACES))
    view.select_row(_row(view, "hostile.jpg"))
    assert isinstance(view.panel, QPlainTextEdit) and view.panel.isReadOnly()
    text = view.panel.toPlainText()
    assert f"Make: {HOSTILE_MAKE}\n" in text and f"Model: {HOSTILE_MODEL}\n" in text
    assert "Latitude: 31.2001" in text and "Longitude: 29.9187" in text
    assert "Taken (camera clock): 2024-03-01T22:15:30+02:00" in text
    assert "Taken (UTC): 2024-03-01T20:15:30Z" in text
    assert "Path: /DCIM/hostile.jpg" in text and "Evidence: 1" in text
    record = view.current()
    assert record is not None and f"Record: {record['id']}" in text
    view.tag_current("suspect", "seen at the port")
    view.bookmark.click()
    assert "Tags: bookmark, suspect" in view.panel.toPlainText()
    assert view.mark.text() == "Mark sensitive" and not view.reveal.isEnabled()
    view.mark.click()
    assert record["id"] in view.model.sensitive and view.model.key(record["id"])[1]
    assert view.mark.text() == "Not sensitive" and view.reveal.isEnabled()
    view.tag_current("not a tag!")  # refused by the engine: a message, nothing written
    assert "not a tag!" not in {t.tag for t in case.tags(record["id"])}
    assert len(warnings) == 1 and "letters, digits" in warnings[0]


def test_missing_file_gives_problem_text_and_pages(qtbot: QtBot, tmp_path: Path) -> None:
    case = _generated(tmp_path / "gen", 450)
    view = _photos(qtbot, case)
    view.model.fetchMore()
    assert view.model.rowCount() == 200 and view.model.canFetchMore()  # one page, not all
    with qtbot.waitSignal(view.thumbnailReady, timeout=15_000):
        view.show()
    qtbot.waitUntil(lambda: view.model.problem(view.model.index(0).data(ROLE)["id"]) is not None)
    first = view.model.index(0)
    assert first.data() == "rec:2\nno SHA-256 recorded for this file"  # rec:1 is a message
    view.select_row(0)
    assert "Thumbnail: no SHA-256 recorded for this file" in view.panel.toPlainText()
    case.close()


def test_map_points_fit_click_and_export(qtbot: QtBot, case: CaseData, tmp_path: Path) -> None:
    view = MapView(case)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    with qtbot.waitSignal(view.loaded, timeout=15_000) as got:
        view.show()
    located = [(n, lat, lon) for n, lat, lon in PLACES if lat is not None and lon is not None]
    assert got.args == [len(located)] and view.count() == len(located)
    visible = view.canvas.mapToScene(view.canvas.viewport().rect()).boundingRect()
    for _, lat, lon in located:
        assert visible.contains(QPointF(lon, -lat))
    assert visible.width() < 40  # fitted to the points, not the world (360°)
    _, lat, lon = located[2]
    view.show_point(QPointF(lon + 0.01, -lat), 0.05)
    assert "path: /DCIM/valletta.jpg" in view.panel.toPlainText()
    view.show_point(QPointF(0, 0), 0.05)  # nothing there: the panel keeps its record
    assert "valletta" in view.panel.toPlainText()
    with qtbot.waitSignal(view.exported, timeout=15_000) as done:
        view.export_kml(tmp_path / "out")
    assert done.args is not None
    assert [Path(p).name for p in done.args[0]] == ["locations.geojson", "locations.kml"]
    kml = (tmp_path / "out" / "locations.kml").read_text(encoding="utf-8")
    assert kml.count("<Placemark>") == len(located) and "<script>" not in kml
    geo = json.loads((tmp_path / "out" / "locations.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(located)


def test_map_twenty_thousand_points(qtbot: QtBot, tmp_path: Path) -> None:
    case = _generated(tmp_path / "gen", 20_000)
    view = MapView(case)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    with qtbot.waitSignal(view.loaded, timeout=60_000) as got:
        view.show()
    assert got.args == [20_000]
    assert view.found is not None and view.found.skipped == 3  # lat 200, lon -181.5, text
    assert "3 with an invalid position not drawn" in view.status.text()
    started = time.perf_counter()
    image = view.grab()
    assert time.perf_counter() - started < 2.0 and not image.isNull()
    started = time.perf_counter()
    view.show_point(QPointF(5 + 0.2 * 7, -(30 + 0.05 * 11)), 0.01)  # record 7 * 200 + 11
    assert time.perf_counter() - started < 0.1
    assert "body: at 1411" in view.panel.toPlainText()
    view.canvas.zoom(4)
    assert view.canvas.user_zoomed
    view.fit()
    assert not view.canvas.user_zoomed
    case.close()


@pytest.mark.parametrize(
    "direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft]
)
def test_screenshots(
    qtbot: QtBot, case: CaseData, tmp_path: Path, direction: Qt.LayoutDirection
) -> None:
    """Both views at 1100 × 700; QARINA_SCREENSHOTS=/tmp keeps them for a person to look at."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    folder = Path(os.environ.get("QARINA_SCREENSHOTS") or tmp_path)
    suffix = "ar" if direction == Qt.LayoutDirection.RightToLeft else "en"
    case.tag(_ids(case)[2][0], SENSITIVE)
    app.setLayoutDirection(direction)
    try:
        photos = _photos(qtbot, case)
        photos.show()
        _wait_thumbs(qtbot, photos)
        photos.select_row(_row(photos, "hostile.jpg"))
        assert photos.grab().save(str(folder / f"gui-photos-{suffix}.png"))
        view = MapView(case)
        qtbot.addWidget(view)
        view.resize(1100, 700)
        with qtbot.waitSignal(view.loaded, timeout=15_000):
            view.show()
        assert view.found is not None
        view.show_point(QPointF(view.found.lon[0], -view.found.lat[0]), 0.01)
        assert view.grab().save(str(folder / f"gui-map-{suffix}.png"))
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
