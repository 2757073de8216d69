"""The Files view: lazy tree per evidence and volume, deleted marks, details, hex/text preview.

One case is scanned through the real pipeline from a generated folder, a zip and (when
mkfs.fat and mtools are installed) a FAT image with deleted files; the previews are read back
from that evidence, which must not change.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import diskimages as di
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from triage_app.core.engine import scan
from triage_app.gui.casedata import CaseData
from triage_app.gui.views.files import FilesView
from triage_app.gui.views.files_model import (
    COLUMNS,
    PAGE,
    FilesModel,
    Node,
    NodeRole,
    content_direction,
    decode_text,
    hex_dump,
)

HOSTILE = "<img src=x onerror=alert(1)>.txt"
SPOOF = "scan_\u202egpj.exe"  # reads "scan_exe.jpg" if the override is obeyed
ARABIC = "تقرير سري.txt"
ARABIC_TEXT = "هذا تقرير سري من طرابلس.\n".encode()
BIG = 3000
HAVE_FAT = all(di.have(t) for t in ("mkfs.fat", "mcopy", "mmd", "mdel"))


@dataclass(frozen=True)
class Built:
    case: Path
    evidence: list[Path]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("files")
    folder = root / "ev" / "folder"
    (folder / "docs" / "inner").mkdir(parents=True)
    (folder / "docs" / "inner" / "deep.bin").write_bytes(bytes(range(256)) * 2)
    (folder / "docs" / ARABIC).write_bytes(ARABIC_TEXT)
    (folder / HOSTILE).write_text("<b>not bold</b>\n")
    (folder / "utf16.txt").write_bytes("\ufeffUTF-16 نص".encode("utf-16-le"))
    big = folder / "many"
    big.mkdir()
    for n in range(BIG):
        (big / f"f{n:05}.txt").write_bytes(b"%d\n" % n)
    archive = root / "ev" / "phone.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("sdcard/DCIM/a.txt", "zip member")
        z.writestr("data/x.db", b"SQLite format 3\x00")
    evidence = [folder, archive]
    if HAVE_FAT:
        image = root / "ev" / "fat.img"
        di.make_fat(image, 12, di.FAT_TREE, "QFILES", 0, root / "work")
        evidence.append(image)
    summary = scan(root / "case", evidence)
    assert [e["status"] for e in summary.evidence] == ["ok"] * len(evidence), summary.evidence
    return Built(root / "case", evidence)


@pytest.fixture
def view(qtbot: object, built: Built) -> Iterator[FilesView]:
    case = CaseData(built.case)
    widget = FilesView(case)
    qtbot.addWidget(widget)  # type: ignore[attr-defined]
    yield widget
    widget.shutdown()
    widget.model.close()
    case.close()


def _fetch_all(model: FilesModel, index: QModelIndex) -> None:
    while model.canFetchMore(index):
        model.fetchMore(index)


def _child(model: FilesModel, parent: QModelIndex, name: str) -> QModelIndex:
    _fetch_all(model, parent)
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == name or index.data().startswith(name + " — "):
            return index
    names = [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]
    raise AssertionError(f"{name!r} not among {names}")


def _walk(model: FilesModel, *names: str) -> QModelIndex:
    index = QModelIndex()
    for name in names:
        index = _child(model, index, name)
    return index


def _cell(model: FilesModel, index: QModelIndex, column: str) -> object:
    return model.index(index.row(), COLUMNS.index(column), index.parent()).data()


def test_top_level_is_evidence_then_folders(view: FilesView, built: Built) -> None:
    model = view.model
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels == [p.name for p in built.evidence]
    folder = _walk(model, "folder")
    _fetch_all(model, folder)
    names = {model.index(r, 0, folder).data() for r in range(model.rowCount(folder))}
    assert names == {"docs", "many", HOSTILE, "utf16.txt"}
    arabic = _walk(model, "folder", "docs", ARABIC)
    assert _cell(model, arabic, "size") == f"{len(ARABIC_TEXT):,}"
    assert _cell(model, arabic, "type") == "text/plain"
    assert len(str(_cell(model, arabic, "sha256"))) == 64
    assert _cell(model, arabic, "deleted") == ""
    assert _cell(model, _walk(model, "folder", "docs", "inner"), "type") == "folder"
    member = _walk(model, "phone.zip", "sdcard", "DCIM", "a.txt")
    assert member.data(NodeRole).data["path"] == "/sdcard/DCIM/a.txt"


def test_count_is_regular_files(view: FilesView, built: Built) -> None:
    expected = sqlite3.connect(built.case / "case.sqlite").execute(
        "SELECT count(*) FROM files WHERE kind = 'file'"
    )
    assert view.count() == expected.fetchone()[0]
    assert view.count() >= BIG + 5
    assert view.title() == "Files"


def test_big_folder_is_paged(view: FilesView) -> None:
    model = view.model
    many = _walk(model, "folder", "many")
    assert model.rowCount(many) == 0 and model.canFetchMore(many)
    model.fetchMore(many)
    assert 0 < model.rowCount(many) <= PAGE
    assert model.canFetchMore(many)
    _fetch_all(model, many)
    names = [model.index(r, 0, many).data() for r in range(model.rowCount(many))]
    assert len(names) == BIG and len(set(names)) == BIG
    assert names == sorted(names)


def test_hostile_and_arabic_names_are_plain_text(qtbot: object, view: FilesView) -> None:
    model = view.model
    hostile = _walk(model, "folder", HOSTILE)
    assert hostile.data() == HOSTILE
    view.select(hostile)
    assert f"/{HOSTILE}" in view.details.toPlainText()
    with qtbot.waitSignal(view.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
        view.select(_walk(model, "folder", "docs", ARABIC))
    assert f"/docs/{ARABIC}" in view.details.toPlainText()
    assert view.text_view.toPlainText() == ARABIC_TEXT.decode()
    option = view.text_view.document().defaultTextOption()
    assert option.textDirection() == Qt.LayoutDirection.RightToLeft


def test_preview_hex_and_text(
    qtbot: object, view: FilesView, built: Built, unchanged: Callable[..., None]
) -> None:
    unchanged(*built.evidence)
    deep = _walk(view.model, "folder", "docs", "inner", "deep.bin")
    with qtbot.waitSignal(view.preview_ready, timeout=10_000) as blocker:  # type: ignore[attr-defined]
        view.select(deep)
    assert blocker.args == [deep.data(NodeRole).file_id]
    lines = view.hex_view.toPlainText().splitlines()
    assert len(lines) == 512 // 16
    assert lines[0] == "00000000  " + " ".join(f"{b:02x}" for b in range(16)) + "  " + "." * 16
    assert lines[2].endswith("  " + "".join(chr(c) for c in range(0x20, 0x30)))
    assert lines[-1].startswith("000001f0  f0 f1")
    with qtbot.waitSignal(view.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
        view.select(_walk(view.model, "folder", "utf16.txt"))
    assert view.text_view.toPlainText() == "UTF-16 نص"
    assert "UTF-16LE" in view.tabs.tabText(1)
    with qtbot.waitSignal(view.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
        view.select(_walk(view.model, "phone.zip", "data", "x.db"))
    assert view.hex_view.toPlainText().startswith("00000000  53 51 4c 69 74 65")


def test_newer_selection_wins(qtbot: object, view: FilesView) -> None:
    first = _walk(view.model, "folder", "docs", "inner", "deep.bin")
    second = _walk(view.model, "folder", HOSTILE)
    with qtbot.waitSignal(  # type: ignore[attr-defined]
        view.preview_ready,
        timeout=10_000,
        check_params_cb=lambda i: i == second.data(NodeRole).file_id,
    ):
        view.select(first)
        view.select(second)
    qtbot.wait(200)  # type: ignore[attr-defined]
    assert view.text_view.toPlainText() == "<b>not bold</b>\n"


@pytest.mark.skipif(not HAVE_FAT, reason="mkfs.fat/mtools not installed")
def test_fat_volume_and_deleted_file(
    qtbot: object, view: FilesView, built: Built, unchanged: Callable[..., None]
) -> None:
    unchanged(*built.evidence)
    model = view.model
    fat = _walk(model, "fat.img")
    _fetch_all(model, fat)
    assert model.rowCount(fat) == 1
    volume = model.index(0, 0, fat)
    assert "FAT12" in str(_cell(model, volume, "type"))
    gone = _child(model, volume, di.fat_deleted_name("/secret.txt").lstrip("/"))
    assert _cell(model, gone, "deleted") == "deleted"  # words, not colour alone
    assert gone.data(Qt.ItemDataRole.ForegroundRole) is not None
    live = _child(model, volume, "README.TXT")
    assert _cell(model, live, "deleted") == ""
    assert live.data(Qt.ItemDataRole.ForegroundRole) is None
    with qtbot.waitSignal(view.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
        view.select(gone)
    assert view.text_view.toPlainText().startswith("top secret, deleted with mdel\n")
    assert "inode: 6" in view.details.toPlainText()
    arabic = _walk(model, "fat.img", "whole image", "docs", "ملفات عربية", "تقرير نهائي.txt")
    assert _cell(model, arabic, "size") == "1,200"


def test_unreadable_evidence_shows_the_reason(qtbot: object, tmp_path: Path) -> None:
    archive = tmp_path / "gone.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "soon gone")
    scan(tmp_path / "case", [archive])
    archive.unlink()
    case = CaseData(tmp_path / "case")
    view = FilesView(case)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    try:
        with qtbot.waitSignal(view.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
            view.select(_walk(view.model, "gone.zip", "a.txt"))
        shown = view.text_view.toPlainText()
        assert shown.startswith("This file cannot be read from its evidence:")
        assert "gone.zip" in shown
    finally:
        view.shutdown()
        view.model.close()
        case.close()


def test_bidi_override_in_a_name_is_shown_not_obeyed(qtbot: object, tmp_path: Path) -> None:
    archive = tmp_path / "spoof.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(SPOOF, "MZ")
    scan(tmp_path / "case", [archive])
    case = CaseData(tmp_path / "case")
    view = FilesView(case)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    try:
        model = view.model
        root = _walk(model, "spoof.zip")
        _fetch_all(model, root)
        names = [model.index(r, 0, root).data() for r in range(model.rowCount(root))]
        assert names == ["scan_\\u202egpj.exe"]
        view.select(model.index(0, 0, root))
        assert "scan_\\u202egpj.exe" in view.details.toPlainText()
        assert "\u202e" not in view.details.toPlainText()
    finally:
        view.shutdown()
        view.model.close()
        case.close()


def test_tag_and_bookmark(view: FilesView, built: Built, tmp_path: Path) -> None:
    index = _walk(view.model, "folder", "utf16.txt")
    view.select(index)
    view.bookmark_current()
    view.tag_current("suspect", "found in the field")
    record = f"file:{index.data(NodeRole).file_id}"
    tags = {t.tag: t.note for t in view.case.tags(record)}
    assert tags == {"bookmark": None, "suspect": "found in the field"}
    assert "suspect (found in the field)" in view.details.toPlainText()
    for tag in tags:
        view.case.untag(record, tag)


def test_implied_folders_and_volume_filter(tmp_path: Path) -> None:
    """Volumes split an evidence's files; a folder without its own row still appears."""
    folder = tmp_path / "ev"
    folder.mkdir()
    (folder / "x.txt").write_text("x")
    scan(tmp_path / "case", [folder])
    db = sqlite3.connect(tmp_path / "case" / "case.sqlite")
    rows = [("p1", "/ghost/a.txt"), ("p2", "/ghost/b.txt"), ("p2:Data", "/c.txt")]
    for n, (volume, path) in enumerate(rows):
        db.execute(
            "INSERT INTO files (evidence_id, volume, path, name, kind, size, deleted, locator)"
            " VALUES (1, ?, ?, ?, 'file', 1, 0, ?)",
            (volume, path, path.rsplit("/", 1)[1], f'[["test","{n}"]]'),
        )
    for idx in ("p1", "p2"):
        db.execute("INSERT INTO volumes VALUES (1, ?, 0, 1, 'part', 'FAT12', 'ok', '')", (idx,))
    db.commit()
    db.close()
    case = CaseData(tmp_path / "case")
    model = FilesModel(case)
    try:
        ev = _walk(model, "ev")
        _fetch_all(model, ev)
        assert [model.index(r, 0, ev).data() for r in range(2)] == ["p1 — part", "p2 — part"]

        def names(*path: str) -> list[str]:
            index = _walk(model, *path)
            _fetch_all(model, index)
            return [model.index(r, 0, index).data() for r in range(model.rowCount(index))]

        assert names("ev", "p1") == ["ghost"]
        assert names("ev", "p1", "ghost") == ["a.txt"]
        assert names("ev", "p2") == ["c.txt", "ghost"]
        assert names("ev", "p2", "ghost") == ["b.txt"]
        ghost = _walk(model, "ev", "p1", "ghost")
        node = ghost.data(NodeRole)
        assert isinstance(node, Node) and node.data.get("implied") and node.file_id is None
    finally:
        model.close()
        case.close()


def test_hex_dump_and_decode() -> None:
    assert hex_dump(b"AB\x00") == "00000000  41 42 00" + " " * 39 + "  AB."
    assert hex_dump(b"") == ""
    assert decode_text(b"ok \xff\x00") == ("ok \ufffd\u2400", "UTF-8")
    arabic = "رسالة من طرابلس 2024"
    assert decode_text(arabic.encode("utf-16-le")) == (arabic, "UTF-16LE")
    assert decode_text("text".encode("utf-16-be")) == ("text", "UTF-16BE")
    assert decode_text(b"\xef\xbb\xbfhi") == ("hi", "UTF-8")
    assert content_direction("123 نص") == Qt.LayoutDirection.RightToLeft
    assert content_direction("abc نص") == Qt.LayoutDirection.LeftToRight
    assert content_direction("123") == Qt.LayoutDirection.LayoutDirectionAuto


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_screenshot(qtbot: object, view: FilesView, direction: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    rtl = direction == "rtl"
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    )
    try:
        view.resize(1100, 700)
        view.show()
        for path in (("folder",), ("folder", "docs"), ("fat.img",) if HAVE_FAT else ("phone.zip",)):
            view.tree.expand(_walk(view.model, *path))
        if HAVE_FAT:
            view.tree.expand(_walk(view.model, "fat.img", "whole image"))
        target = _walk(view.model, "folder", "docs", ARABIC)
        with qtbot.waitSignal(view.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
            view.select(target)
        if rtl:
            view.tabs.setCurrentIndex(1)
        out = Path(f"/tmp/gui-files-{'ar' if rtl else 'en'}.png")
        assert view.grab().save(str(out))
        assert out.stat().st_size > 10_000
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_encrypted_backup_preview_after_password(
    qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An encrypted iTunes backup is unlocked again to preview one of its files: without the
    password the preview says how to give it; given in Case › Backup password…, it reads."""
    from PySide6.QtWidgets import QInputDialog
    from test_ios_backup import CONTENT, make_backup

    from triage_app.core.engine import ScanOptions
    from triage_app.gui.passwords import ask_backup_password, encrypted_items

    folder = make_backup(tmp_path / "backup", password="pw")
    assert not scan(tmp_path / "case", [folder], ScanOptions(password="pw")).failed_evidence
    case = CaseData(tmp_path / "case")
    widget = FilesView(case)
    qtbot.addWidget(widget)  # type: ignore[attr-defined]
    sms = _walk(widget.model, "backup", "private", "var", "mobile", "Library", "SMS", "sms.db")
    with qtbot.waitSignal(widget.preview_ready, timeout=10_000):  # type: ignore[attr-defined]
        widget.select(sms)
    shown = widget.hex_view.toPlainText()
    assert "password needed" in shown and "Backup password" in shown
    assert encrypted_items(case) == [(1, str(folder.resolve()))]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("pw", True))
    assert ask_backup_password(case, widget)
    assert case.passwords == {str(folder.resolve()): "pw"}
    assert case.passwords_by_id() == {1: "pw"}
    with qtbot.waitSignal(widget.preview_ready, timeout=20_000):  # type: ignore[attr-defined]
        widget.passwords_changed()
    expected = CONTENT["Library/SMS/sms.db"]
    assert widget.hex_view.toPlainText().startswith(
        "00000000  " + " ".join(f"{b:02x}" for b in expected[:16])
    )
    widget.shutdown()
    widget.model.close()
    case.close()
