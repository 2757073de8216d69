"""DirectorySource (extraction folders) and LooseFileSource (one file plus SQLite siblings)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage_app.core.errors import Cancelled, EvidenceError
from triage_app.core.evidence import directory
from triage_app.core.evidence.base import Entry
from triage_app.core.evidence.directory import DirectorySource, LooseFileSource
from triage_app.core.models import Locator
from triage_app.core.progress import CancelToken

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file system features")
Watch = Callable[..., None]


@pytest.fixture(autouse=True)
def _evidence_never_changes(monkeypatch: pytest.MonkeyPatch, unchanged: Watch) -> None:
    """Every folder or file opened in this module is hashed first and checked at teardown."""
    for cls in (DirectorySource, LooseFileSource):
        real_init = cls.__init__

        def init(self: object, path: Path, _real: Callable[..., None] = real_init) -> None:
            if Path(path).exists():
                unchanged(path)
            _real(self, path)

        monkeypatch.setattr(cls, "__init__", init)


def walk_all(source: DirectorySource | LooseFileSource) -> dict[str, Entry]:
    return {e.ref.path: e for e in source.walk(CancelToken())}


def read(entry: Entry) -> bytes:
    assert entry.opener is not None, entry.ref.path
    with entry.opener() as f:
        return f.read()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "extraction"
    (root / "data" / "data" / "com.app" / "databases").mkdir(parents=True)
    (root / "data" / "data" / "com.app" / "databases" / "app.db").write_bytes(b"SQLite format 3\0")
    (root / "sdcard" / "DCIM").mkdir(parents=True)
    (root / "sdcard" / "DCIM" / "b.jpg").write_bytes(b"\xff\xd8\xff" + b"b" * 10)
    (root / "sdcard" / "DCIM" / "a.jpg").write_bytes(b"\xff\xd8\xff" + b"a" * 20)
    (root / "empty").mkdir()
    (root / "top.txt").write_text("top")
    return root


def test_walk_nested_sorted_with_metadata(tree: Path, unchanged: Watch) -> None:
    unchanged(tree)
    source = DirectorySource(tree)
    assert source.info.kind == "directory"
    assert source.info.format == "directory"
    assert source.info.container_files == []
    assert source.volumes() == []
    entries = list(source.walk(CancelToken()))
    assert [e.ref.path for e in entries] == [
        "/data",
        "/data/data",
        "/data/data/com.app",
        "/data/data/com.app/databases",
        "/data/data/com.app/databases/app.db",
        "/empty",
        "/sdcard",
        "/sdcard/DCIM",
        "/sdcard/DCIM/a.jpg",
        "/sdcard/DCIM/b.jpg",
        "/top.txt",
    ]
    by_path = {e.ref.path: e for e in entries}
    photo = by_path["/sdcard/DCIM/a.jpg"]
    st = os.lstat(tree / "sdcard" / "DCIM" / "a.jpg")
    assert photo.ref.kind == "file"
    assert photo.ref.size == 23
    assert photo.ref.locator == Locator((("path", "sdcard/DCIM/a.jpg"),))
    assert photo.ref.inode == st.st_ino
    assert photo.ref.deleted is False
    assert photo.ref.mtime == datetime.fromtimestamp(st.st_mtime_ns // 1000 / 1e6, UTC)
    assert photo.ref.mtime is not None and photo.ref.mtime.tzinfo is UTC
    assert photo.ref.atime is not None and photo.ref.ctime is not None
    assert read(photo) == b"\xff\xd8\xff" + b"a" * 20
    assert by_path["/sdcard"].ref.kind == "dir"
    assert by_path["/sdcard"].opener is None
    with source.open(photo.ref.locator) as f:
        assert f.read() == b"\xff\xd8\xff" + b"a" * 20
    with pytest.raises(EvidenceError, match="dir"):
        source.open(by_path["/sdcard"].ref.locator)


def test_walk_is_deterministic(tree: Path) -> None:
    first = [e.ref for e in DirectorySource(tree).walk(CancelToken())]
    second = [e.ref for e in DirectorySource(tree).walk(CancelToken())]
    assert first == second


@posix_only
def test_symlink_out_of_root_recorded_never_followed(tmp_path: Path, unchanged: Watch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("host file, not evidence")
    root = tmp_path / "root"
    root.mkdir()
    (root / "inside.txt").write_text("inside")
    (root / "to_file").symlink_to(outside / "secret.txt")
    (root / "to_dir").symlink_to(outside)
    (root / "relative").symlink_to("../outside/secret.txt")
    (root / "ok_link").symlink_to("inside.txt")
    unchanged(root, outside)
    source = DirectorySource(root)
    entries = walk_all(source)
    assert sorted(entries) == ["/inside.txt", "/ok_link", "/relative", "/to_dir", "/to_file"]
    for name in ("/to_file", "/to_dir", "/relative", "/ok_link"):
        ref = entries[name].ref
        assert ref.kind == "link"
        assert entries[name].opener is None
        assert ref.size == 0
        assert ref.note is not None and "not followed" in ref.note
    assert str(outside / "secret.txt") in (entries["/to_file"].ref.note or "")
    for rel in ("to_file", "relative", "to_dir/secret.txt"):
        with pytest.raises(EvidenceError, match="outside the evidence folder"):
            source.open(Locator((("path", rel),)))
    with pytest.raises(EvidenceError, match="link"):
        source.open(entries["/ok_link"].ref.locator)


@pytest.mark.parametrize(
    "rel", ["../outside/secret.txt", "a/../../outside/secret.txt", "/etc/passwd", "", "./x"]
)
def test_open_refuses_unsafe_locators(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "x").write_text("x")
    with pytest.raises(EvidenceError):
        DirectorySource(root).open(Locator((("path", rel),)))
    with pytest.raises(EvidenceError):
        DirectorySource(root).open(Locator((("inode", "1"),)))


def test_arabic_and_cyrillic_names_round_trip(tmp_path: Path, unchanged: Watch) -> None:
    root = tmp_path / "root"
    (root / "Документы").mkdir(parents=True)
    (root / "Документы" / "отчёт.txt").write_text("Привет", encoding="utf-8")
    (root / "رسائل").mkdir()
    (root / "رسائل" / "محمد.db").write_bytes(b"arabic")
    unchanged(root)
    source = DirectorySource(root)
    entries = walk_all(source)
    assert set(entries) == {"/Документы", "/Документы/отчёт.txt", "/رسائل", "/رسائل/محمد.db"}
    ref = entries["/رسائل/محمد.db"].ref
    assert ref.name == "محمد.db"
    assert ref.note is None
    restored = Locator.parse(ref.locator.serialize())
    assert restored == ref.locator
    with source.open(restored) as f:
        assert f.read() == b"arabic"
    with source.open(entries["/Документы/отчёт.txt"].ref.locator) as f:
        assert f.read().decode("utf-8") == "Привет"


@pytest.mark.skipif(sys.platform != "linux", reason="Linux accepts any bytes in names")
def test_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    raw = os.fsencode(str(root)) + b"/caf\xe9.txt"
    with open(raw, "wb") as f:
        f.write(b"latin-1 name")
    source = DirectorySource(root)
    (entry,) = list(source.walk(CancelToken()))
    assert entry.ref.path == "/caf\ufffd.txt"
    assert entry.ref.note == "name bytes are not valid UTF-8: 636166e92e747874"
    assert read(entry) == b"latin-1 name"
    with source.open(Locator.parse(entry.ref.locator.serialize())) as f:
        assert f.read() == b"latin-1 name"


def test_cancel_before_walk(tree: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(DirectorySource(tree).walk(token))


def test_cancel_during_walk(tree: Path) -> None:
    token = CancelToken()
    seen = []
    with pytest.raises(Cancelled):
        for entry in DirectorySource(tree).walk(token):
            seen.append(entry.ref.path)
            token.cancel()
    assert seen == ["/data"]


def test_unlistable_directory_logged_and_skipped(
    tree: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = directory._list_dir
    blocked = str(tree / "sdcard")

    def fake(path: str, follow: bool = False) -> directory.Listing:
        if path == blocked:
            raise PermissionError(13, "Permission denied", path)
        return real(path, follow)

    monkeypatch.setattr(directory, "_list_dir", fake)
    with caplog.at_level(logging.WARNING, logger="triage_app.core.evidence.directory"):
        entries = walk_all(DirectorySource(tree))
    assert "/sdcard" in entries
    assert entries["/sdcard"].ref.note == "cannot list directory: Permission denied"
    assert not any(p.startswith("/sdcard/") for p in entries)
    assert "/top.txt" in entries
    assert "cannot list directory /sdcard" in caplog.text


def test_missing_root_is_an_evidence_error(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError):
        DirectorySource(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(EvidenceError):
        DirectorySource(tmp_path / "file")


@pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="O_NOATIME is Linux-only")
def test_reading_keeps_access_times(tree: Path) -> None:
    source = DirectorySource(tree)  # hashes the tree first (see the autouse fixture)
    old = 1_000_000_000
    paths = [tree / "top.txt", tree / "sdcard" / "DCIM", tree / "sdcard" / "DCIM" / "a.jpg"]
    for p in paths:
        st = os.stat(p)
        os.utime(p, ns=(old * 10**9, st.st_mtime_ns))
    for entry in source.walk(CancelToken()):
        if entry.opener is not None:
            read(entry)
    for p in paths:
        assert os.stat(p).st_atime_ns == old * 10**9, p


@pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="O_NOATIME is Linux-only")
def test_noatime_refused_falls_back(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open
    calls: list[bool] = []

    def fake_open(path: str, flags: int, *args: int) -> int:
        calls.append(bool(flags & os.O_NOATIME))
        if flags & os.O_NOATIME:
            raise PermissionError(1, "Operation not permitted", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", fake_open)
    entries = walk_all(DirectorySource(tree))
    assert read(entries["/top.txt"]) == b"top"
    assert True in calls and False in calls


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_other_and_never_opened(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    os.mkfifo(root / "pipe")
    source = DirectorySource(root)
    (entry,) = list(source.walk(CancelToken()))
    assert entry.ref.kind == "other"
    assert entry.opener is None
    with pytest.raises(EvidenceError, match="other"):
        source.open(entry.ref.locator)


def test_loose_file_with_sqlite_siblings(tmp_path: Path, unchanged: Watch) -> None:
    db = tmp_path / "mmssms.db"
    db.write_bytes(b"SQLite format 3\0main")
    (tmp_path / "mmssms.db-wal").write_bytes(b"wal frames")
    (tmp_path / "mmssms.db-journal").write_bytes(b"journal")
    (tmp_path / "other.db").write_bytes(b"not part of it")
    unchanged(tmp_path)
    source = LooseFileSource(db)
    assert source.info.kind == "file"
    assert source.info.format == "file"
    assert source.info.container_files == [
        db,
        tmp_path / "mmssms.db-wal",
        tmp_path / "mmssms.db-journal",
    ]
    assert source.volumes() == []
    entries = walk_all(source)
    assert list(entries) == ["/mmssms.db", "/mmssms.db-wal", "/mmssms.db-journal"]
    wal = entries["/mmssms.db-wal"]
    assert wal.ref.locator == Locator((("path", "mmssms.db-wal"),))
    assert wal.ref.size == 10
    assert wal.ref.kind == "file"
    assert read(wal) == b"wal frames"
    with source.open(entries["/mmssms.db"].ref.locator) as f:
        assert f.read() == b"SQLite format 3\0main"
    with pytest.raises(EvidenceError):
        source.open(Locator((("path", "other.db"),)))
    with pytest.raises(EvidenceError):
        source.open(Locator((("path", "../mmssms.db"),)))


def test_loose_file_alone_and_missing(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(b"\xff\xd8\xff\xe0")
    source = LooseFileSource(photo)
    assert source.info.container_files == [photo]
    assert [e.ref.path for e in source.walk(CancelToken())] == ["/IMG_0001.JPG"]
    with pytest.raises(EvidenceError):
        LooseFileSource(tmp_path / "missing.db")
    with pytest.raises(EvidenceError):
        LooseFileSource(tmp_path)


def test_entry_that_cannot_be_stat_is_recorded(
    tree: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = directory._lstat

    def fake(path: str, dir_fd: int | None = None) -> os.stat_result | OSError:
        if path.endswith("top.txt"):
            return PermissionError(13, "Permission denied", path)
        return real(path, dir_fd)

    monkeypatch.setattr(directory, "_lstat", fake)
    with caplog.at_level(logging.WARNING, logger="triage_app.core.evidence.directory"):
        entries = walk_all(DirectorySource(tree))
    top = entries["/top.txt"]
    assert top.ref.kind == "other"
    assert top.ref.note == "cannot stat: Permission denied"
    assert top.opener is None
    assert "/sdcard/DCIM/a.jpg" in entries
    assert "cannot stat /top.txt" in caplog.text
