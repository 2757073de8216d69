"""ArchiveSource: zip and tar extractions read in place, hostile names, bombs, corruption."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import struct
import tarfile
import warnings
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage_app.core.errors import (
    ArchiveLimitExceeded,
    Cancelled,
    EvidenceError,
    UnsupportedFormat,
)
from triage_app.core.evidence.archive import ArchiveLimits, ArchiveSource, sanitise_name
from triage_app.core.evidence.base import Entry, EvidenceSource
from triage_app.core.models import Locator
from triage_app.core.progress import CancelToken

Watch = Callable[..., None]


@pytest.fixture(autouse=True)
def _evidence_never_changes(monkeypatch: pytest.MonkeyPatch, unchanged: Watch) -> None:
    """Every archive opened in this module is hashed first and checked again at teardown."""
    real_init = ArchiveSource.__init__

    def init(self: ArchiveSource, path: Path, *args: object, **kwargs: object) -> None:
        if Path(path).is_file():
            unchanged(path)
        real_init(self, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ArchiveSource, "__init__", init)


def walk_all(source: EvidenceSource) -> list[Entry]:
    return list(source.walk(CancelToken()))


def by_path(source: EvidenceSource) -> dict[str, Entry]:
    return {e.ref.path: e for e in walk_all(source)}


def read(entry: Entry) -> bytes:
    assert entry.opener is not None, entry.ref.path
    with entry.opener() as f:
        return f.read()


def make_zip(
    path: Path, members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are deliberate
        with zipfile.ZipFile(path, "w", method) as z:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=(2023, 5, 17, 14, 30, 2))
                info.compress_type = method
                z.writestr(info, data)
    return path


def tar_member(
    name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE
) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mtime = 1_684_333_802
    return info, data


def make_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]], mode: str = "w") -> Path:
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as t:  # type: ignore[call-overload]
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def patch_central(path: Path, name: bytes, offset: int, fmt: str, value: int) -> None:
    """Overwrite one field of a member's central directory header (offsets from PK\\1\\2)."""
    data = bytearray(path.read_bytes())
    pos = 0
    while True:
        pos = data.index(b"PK\x01\x02", pos)
        (name_len,) = struct.unpack_from("<H", data, pos + 28)
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            break
        pos += 4
    struct.pack_into(fmt, data, pos + offset, value)
    path.write_bytes(bytes(data))


# --- zip -------------------------------------------------------------------------------------


def test_zip_in_place_with_times_and_synthesised_dirs(tmp_path: Path, unchanged: Watch) -> None:
    z = make_zip(
        tmp_path / "ext.zip", [("sdcard/DCIM/a.jpg", b"\xff\xd8\xffjpeg"), ("top.txt", b"t")]
    )
    unchanged(z)
    work = tmp_path / "work"
    with ArchiveSource(z, work) as source:
        assert source.info.kind == "archive"
        assert source.info.format == "zip"
        assert source.info.container_files == [z]
        assert source.volumes() == []
        entries = walk_all(source)
        assert [e.ref.path for e in entries] == [
            "/sdcard",
            "/sdcard/DCIM",
            "/sdcard/DCIM/a.jpg",
            "/top.txt",
        ]
        implied = entries[0].ref
        assert implied.kind == "dir"
        assert implied.note is not None and "implied" in implied.note
        photo = entries[2]
        assert photo.ref.kind == "file"
        assert photo.ref.size == 7
        assert photo.ref.note is None
        assert photo.ref.deleted is False
        assert photo.ref.locator == Locator((("member", "0"), ("name", "sdcard/DCIM/a.jpg")))
        # DOS time: local wall-clock of the archiving device, stored as if UTC.
        assert photo.ref.mtime == datetime(2023, 5, 17, 14, 30, 2, tzinfo=UTC)
        assert read(photo) == b"\xff\xd8\xffjpeg"
        with source.open(Locator.parse(photo.ref.locator.serialize())) as f:
            assert f.read() == b"\xff\xd8\xffjpeg"
        with pytest.raises(EvidenceError):
            source.open(implied.locator)
    assert not work.exists(), "a zip is read in place, nothing is spooled"


def test_zip_slip_and_hostile_names_sanitised(tmp_path: Path, unchanged: Watch) -> None:
    z = make_zip(
        tmp_path / "evil.zip",
        [
            ("../../evil.txt", b"evil"),
            ("/etc/x", b"abs"),
            ("C:\\win\\x", b"drive"),
            ("bell\x07name.txt", b"ctl"),
            ("dup.txt", b"first"),
            ("dup.txt", b"second"),
        ],
    )
    unchanged(z)
    source = ArchiveSource(z, tmp_path / "work")
    entries = walk_all(source)
    paths = [e.ref.path for e in entries]
    assert paths == [
        "/evil.txt",
        "/etc",
        "/etc/x",
        "/win",
        "/win/x",
        "/bell\ufffdname.txt",
        "/dup.txt",
        "/dup.txt",
    ]
    got = {e.ref.path: e for e in entries if e.ref.kind == "file"}
    assert got["/evil.txt"].ref.note == "unsafe member name sanitised: '../../evil.txt'"
    assert got["/etc/x"].ref.note == "unsafe member name sanitised: '/etc/x'"
    assert got["/win/x"].ref.note == "unsafe member name sanitised: 'C:\\\\win\\\\x'"
    assert (
        got["/bell\ufffdname.txt"].ref.note == "unsafe member name sanitised: 'bell\\x07name.txt'"
    )
    assert read(got["/evil.txt"]) == b"evil"
    assert read(got["/win/x"]) == b"drive"
    dups = [e for e in entries if e.ref.path == "/dup.txt"]
    assert dups[0].ref.locator != dups[1].ref.locator
    assert [read(d) for d in dups] == [b"first", b"second"]
    assert source.open(dups[1].ref.locator).read() == b"second"
    assert not (tmp_path.parent / "evil.txt").exists()
    source.close()


@pytest.mark.parametrize(
    ("raw", "cleaned", "note"),
    [
        ("a/b.txt", "a/b.txt", None),
        ("a/dir/", "a/dir", None),
        ("./a/./b", "a/b", "member name normalised: './a/./b'"),
        ("a\\b", "a/b", "member name normalised: 'a\\\\b'"),
        ("a/../../b", "a/b", "unsafe member name sanitised: 'a/../../b'"),
        (
            "\\\\server\\share\\f",
            "server/share/f",
            "unsafe member name sanitised: '\\\\\\\\server\\\\share\\\\f'",
        ),
        ("nul\x00byte", "nul\ufffdbyte", "unsafe member name sanitised: 'nul\\x00byte'"),
        ("..", "", "unsafe member name sanitised: '..'"),
        ("رسائل/Привет.txt", "رسائل/Привет.txt", None),
    ],
)
def test_sanitise_name(raw: str, cleaned: str, note: str | None) -> None:
    assert sanitise_name(raw) == (cleaned, note)


def test_zip_unicode_names(tmp_path: Path, unchanged: Watch) -> None:
    z = make_zip(tmp_path / "u.zip", [("رسائل/محمد.txt", b"ar"), ("Документы/файл.txt", b"ru")])
    unchanged(z)
    entries = by_path(ArchiveSource(z, tmp_path / "w"))
    assert read(entries["/رسائل/محمد.txt"]) == b"ar"
    assert read(entries["/Документы/файл.txt"]) == b"ru"
    assert entries["/رسائل/محمد.txt"].ref.note is None


def test_zip_flat_bomb_member_skipped(tmp_path: Path, unchanged: Watch) -> None:
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("zeros.bin", bytes(50 * 1024**2))
        out.writestr("normal.txt", b"hello " * 100)
    unchanged(z)
    source = ArchiveSource(z, tmp_path / "w")
    entries = by_path(source)
    bomb = entries["/zeros.bin"]
    assert bomb.opener is None
    assert bomb.ref.size == 50 * 1024**2
    assert bomb.ref.note is not None
    assert bomb.ref.note.startswith("skipped: compression ratio ")
    assert bomb.ref.note.endswith(" exceeds limit 200")
    with pytest.raises(EvidenceError, match="compression ratio"):
        source.open(bomb.ref.locator)
    # Small members are not judged by ratio: text compresses well and is harmless.
    assert read(entries["/normal.txt"]) == b"hello " * 100


def test_zip_member_over_size_limit_skipped(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "a.zip", [("big.bin", b"x" * 5000), ("small.bin", b"y" * 10)])
    entries = by_path(ArchiveSource(z, tmp_path / "w", ArchiveLimits(max_member_bytes=1000)))
    assert entries["/big.bin"].opener is None
    assert entries["/big.bin"].ref.note == "skipped: size 5000 exceeds limit 1000"
    assert read(entries["/small.bin"]) == b"y" * 10


def test_zip_too_many_members_refused(tmp_path: Path, unchanged: Watch) -> None:
    z = make_zip(tmp_path / "many.zip", [(f"f{i}.txt", b"") for i in range(2000)])
    unchanged(z)
    with pytest.raises(ArchiveLimitExceeded, match="more than 1000 members"):
        ArchiveSource(z, tmp_path / "w", ArchiveLimits(max_members=1000))
    assert len(walk_all(ArchiveSource(z, tmp_path / "w"))) == 2000


def test_zip_declared_total_refused(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "t.zip", [("a", b"a" * 600), ("b", b"b" * 600)])
    with pytest.raises(ArchiveLimitExceeded, match="1200 bytes"):
        ArchiveSource(z, tmp_path / "w", ArchiveLimits(max_total_bytes=1000))


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("declared", [50, 200])
def test_zip_lying_about_size(tmp_path: Path, method: int, declared: int) -> None:
    z = make_zip(tmp_path / "lie.zip", [("lie.bin", b"A" * 100), ("ok.bin", b"ok")], method)
    patch_central(z, b"lie.bin", 24, "<I", declared)
    unchanged_bytes = z.read_bytes()
    entries = by_path(ArchiveSource(z, tmp_path / "w"))
    lie = entries["/lie.bin"]
    assert lie.ref.size == declared
    with pytest.raises(OSError, match=r"lie\.bin"):
        read(lie)
    assert read(entries["/ok.bin"]) == b"ok"
    assert z.read_bytes() == unchanged_bytes


def test_zip_bad_crc_raises_oserror_on_read(tmp_path: Path) -> None:
    z = make_zip(
        tmp_path / "crc.zip", [("a.txt", b"content"), ("b.txt", b"fine")], zipfile.ZIP_STORED
    )
    data = z.read_bytes().replace(b"content", b"CONTENT")
    z.write_bytes(data)
    entries = by_path(ArchiveSource(z, tmp_path / "w"))
    with pytest.raises(OSError, match="CRC"):
        read(entries["/a.txt"])
    assert read(entries["/b.txt"]) == b"fine"


def test_zip_encrypted_member(tmp_path: Path, unchanged: Watch) -> None:
    z = make_zip(tmp_path / "enc.zip", [("secret.db", b"x" * 10), ("plain.txt", b"p")])
    patch_central(z, b"secret.db", 8, "<H", 0x1)
    unchanged(z)
    source = ArchiveSource(z, tmp_path / "w")
    entries = by_path(source)
    assert entries["/secret.db"].opener is None
    assert entries["/secret.db"].ref.note == "encrypted member: password needed"
    assert entries["/secret.db"].ref.size == 10
    with pytest.raises(EvidenceError, match="password"):
        source.open(entries["/secret.db"].ref.locator)
    assert read(entries["/plain.txt"]) == b"p"


def test_zip_truncated_is_evidence_error(tmp_path: Path, unchanged: Watch) -> None:
    whole = make_zip(tmp_path / "whole.zip", [(f"f{i}", os.urandom(2000)) for i in range(5)])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    unchanged(cut)
    with pytest.raises(EvidenceError, match="central directory"):
        ArchiveSource(cut, tmp_path / "w")


def test_zip_garbled_central_directory_is_evidence_error(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "g.zip", [("a", b"a"), ("b", b"b")])
    data = z.read_bytes()
    z.write_bytes(data.replace(b"PK\x01\x02", b"XX\x01\x02", 1))
    with pytest.raises(EvidenceError, match="central directory"):
        ArchiveSource(z, tmp_path / "w")


def test_zip_symlink_member_is_link(tmp_path: Path) -> None:
    z = tmp_path / "link.zip"
    with zipfile.ZipFile(z, "w") as out:
        info = zipfile.ZipInfo("sdcard/link")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        out.writestr(info, "/data/data/x")
    source = ArchiveSource(z, tmp_path / "w")
    entry = by_path(source)["/sdcard/link"]
    assert entry.ref.kind == "link"
    assert entry.opener is None
    with pytest.raises(EvidenceError):
        source.open(entry.ref.locator)


def test_zip_extended_timestamp_is_utc(tmp_path: Path) -> None:
    z = tmp_path / "ut.zip"
    with zipfile.ZipFile(z, "w") as out:
        info = zipfile.ZipInfo("a.txt", date_time=(2020, 1, 1, 3, 0, 0))
        info.extra = struct.pack("<HHBI", 0x5455, 5, 1, 1_577_836_800)  # 2020-01-01T00:00Z
        out.writestr(info, b"a")
    (entry,) = walk_all(ArchiveSource(z, tmp_path / "w"))
    assert entry.ref.mtime == datetime(2020, 1, 1, tzinfo=UTC)


def test_open_rejects_foreign_locators(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "a.zip", [("a.txt", b"a")])
    source = ArchiveSource(z, tmp_path / "w")
    for locator in (
        Locator((("member", "0"), ("name", "other.txt"))),
        Locator((("member", "7"), ("name", "a.txt"))),
        Locator((("member", "-1"), ("name", "a.txt"))),
        Locator((("path", "a.txt"),)),
    ):
        with pytest.raises(EvidenceError):
            source.open(locator)


def test_not_an_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"just text, named like a zip" * 40)
    with pytest.raises(UnsupportedFormat):
        ArchiveSource(junk, tmp_path / "w")
    gz = tmp_path / "disk.raw.gz"
    gz.write_bytes(gzip.compress(b"\x00\x01" * 5000))
    with pytest.raises(UnsupportedFormat, match="not a tar"):
        ArchiveSource(gz, tmp_path / "w")


# --- tar -------------------------------------------------------------------------------------


def test_tar_links_devices_and_dotdot(tmp_path: Path, unchanged: Watch) -> None:
    sym, _ = tar_member("data/link", kind=tarfile.SYMTYPE)
    sym.linkname = "../../../etc/passwd"
    hard, _ = tar_member("data/hard", kind=tarfile.LNKTYPE)
    hard.linkname = "data/real.txt"
    t = make_tar(
        tmp_path / "ext.tar",
        [
            tar_member("data", kind=tarfile.DIRTYPE),
            tar_member("data/real.txt", b"real"),
            (sym, b""),
            (hard, b""),
            tar_member("../escape.txt", b"escaped?"),
            tar_member("dev/null", kind=tarfile.CHRTYPE),
            tar_member("fifo", kind=tarfile.FIFOTYPE),
        ],
    )
    unchanged(t)
    source = ArchiveSource(t, tmp_path / "w")
    assert source.info.format == "tar"
    assert source.info.warnings == []
    entries = by_path(source)
    assert list(entries) == [
        "/data",
        "/data/real.txt",
        "/data/link",
        "/data/hard",
        "/escape.txt",
        "/dev",
        "/dev/null",
        "/fifo",
    ]
    link = entries["/data/link"]
    assert link.ref.kind == "link"
    assert link.opener is None
    assert link.ref.note == "symbolic link to '../../../etc/passwd' (not followed)"
    with pytest.raises(EvidenceError):
        source.open(link.ref.locator)
    assert entries["/data/hard"].ref.kind == "link"
    assert entries["/data/hard"].opener is None
    assert entries["/data/hard"].ref.note == "hard link to 'data/real.txt' (not followed)"
    escape = entries["/escape.txt"]
    assert escape.ref.note == "unsafe member name sanitised: '../escape.txt'"
    assert read(escape) == b"escaped?"
    assert escape.ref.mtime == datetime.fromtimestamp(1_684_333_802, UTC)
    assert entries["/dev/null"].ref.kind == "other"
    assert entries["/fifo"].ref.kind == "other"
    assert entries["/dev"].ref.kind == "dir"
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "w").exists()


def test_tar_dot_slash_root_and_seekable_member(tmp_path: Path) -> None:
    content = bytes(range(256)) * 40
    t = make_tar(
        tmp_path / "dot.tar",
        [tar_member("./", kind=tarfile.DIRTYPE), tar_member("./a.db", content)],
    )
    source = ArchiveSource(t, tmp_path / "w")
    entries = walk_all(source)
    assert [e.ref.path for e in entries] == ["/a.db"]
    assert entries[0].ref.note == "member name normalised: './a.db'"
    assert entries[0].opener is not None
    with entries[0].opener() as f:
        f.seek(5000)
        assert f.read(3) == content[5000:5003]
        f.seek(256)
        assert f.read(4) == b"\x00\x01\x02\x03"
        f.seek(0)
        assert f.read() == content


@pytest.mark.parametrize(
    ("mode", "fmt"), [("w:gz", "tar.gz"), ("w:bz2", "tar.bz2"), ("w:xz", "tar.xz")]
)
def test_compressed_tar_spooled_once(tmp_path: Path, unchanged: Watch, mode: str, fmt: str) -> None:
    # No telling extension: detection is by content.
    t = make_tar(tmp_path / "extraction.bin", [tar_member("sdcard/a.txt", b"alpha")], mode)
    unchanged(t)
    work = tmp_path / "work"
    with ArchiveSource(t, work) as source:
        assert source.info.format == fmt
        assert source.info.container_files == [t]
        entries = by_path(source)
        assert read(entries["/sdcard/a.txt"]) == b"alpha"
    spooled = sorted(work.iterdir())
    assert len(spooled) == 1 and spooled[0].suffix == ".tar"
    assert source.info.metadata["spooled_copy"] == str(spooled[0])
    before = spooled[0].stat()
    with ArchiveSource(t, work) as again:
        assert read(by_path(again)["/sdcard/a.txt"]) == b"alpha"
    after = spooled[0].stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(work.iterdir()) == spooled


def test_compressed_tar_spool_limit(tmp_path: Path, unchanged: Watch) -> None:
    t = make_tar(tmp_path / "bomb.tgz", [tar_member("zeros", bytes(4 * 1024**2))], "w:gz")
    unchanged(t)
    work = tmp_path / "work"
    with pytest.raises(ArchiveLimitExceeded, match="decompression bomb"):
        ArchiveSource(t, work, ArchiveLimits(max_total_bytes=1024**2))
    assert list(work.iterdir()) == [], "no partial spool is left behind"


def test_compressed_tar_spool_cancel(tmp_path: Path) -> None:
    t = make_tar(tmp_path / "a.tar.gz", [tar_member("a", b"a" * 1000)], "w:gz")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        ArchiveSource(t, tmp_path / "work", cancel=token)
    assert list((tmp_path / "work").iterdir()) == []


def test_corrupt_gzip_is_evidence_error(tmp_path: Path) -> None:
    good = gzip.compress(
        make_tar(tmp_path / "x.tar", [tar_member("a", os.urandom(50000))]).read_bytes()
    )
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(EvidenceError, match=r"bad\.tar\.gz"):
        ArchiveSource(bad, tmp_path / "work")
    assert list((tmp_path / "work").iterdir()) == []


def test_other_compressions_detected_by_magic(tmp_path: Path) -> None:
    raw = make_tar(tmp_path / "x.tar", [tar_member("a", b"a")]).read_bytes()
    for data, fmt in ((bz2.compress(raw), "tar.bz2"), (lzma.compress(raw), "tar.xz")):
        p = tmp_path / f"y.{fmt}"
        p.write_bytes(data)
        assert ArchiveSource(p, tmp_path / "work").info.format == fmt


def test_tar_too_many_members_refused(tmp_path: Path) -> None:
    t = make_tar(tmp_path / "many.tar", [tar_member(f"f{i}") for i in range(2000)])
    with pytest.raises(ArchiveLimitExceeded, match="max_members"):
        ArchiveSource(t, tmp_path / "w", ArchiveLimits(max_members=1000))


def test_tar_truncated_member(tmp_path: Path, unchanged: Watch) -> None:
    whole = make_tar(
        tmp_path / "whole.tar", [tar_member("a", b"a" * 600), tar_member("b", os.urandom(20000))]
    )
    data = whole.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[:10000])
    unchanged(cut)
    source = ArchiveSource(cut, tmp_path / "w")
    assert any("truncated" in w for w in source.info.warnings)
    entries = by_path(source)
    assert read(entries["/a"]) == b"a" * 600
    with pytest.raises(OSError):
        read(entries["/b"])


def test_tar_garbled_later_header_is_a_warning(tmp_path: Path) -> None:
    whole = make_tar(tmp_path / "x.tar", [tar_member("a", b"a" * 600), tar_member("b", b"b")])
    data = bytearray(whole.read_bytes())
    data[1536 + 148 : 1536 + 156] = b"1234567\0"  # checksum of the second header
    bad = tmp_path / "bad.tar"
    bad.write_bytes(bytes(data))
    source = ArchiveSource(bad, tmp_path / "w")
    assert source.info.warnings == ["unreadable header at offset 1536: members may be missing"]
    assert [e.ref.path for e in walk_all(source)] == ["/a"]
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole.read_bytes()[:1536])
    source = ArchiveSource(cut, tmp_path / "w")
    assert source.info.warnings == ["no end-of-archive marker: the archive may be truncated"]


def test_tar_garbage_header_is_evidence_error(tmp_path: Path) -> None:
    data = bytearray(make_tar(tmp_path / "x.tar", [tar_member("a", b"a")]).read_bytes())
    data[148:156] = b"9999999\0"  # header checksum
    bad = tmp_path / "bad.tar"
    bad.write_bytes(bytes(data))
    with pytest.raises(EvidenceError):
        ArchiveSource(bad, tmp_path / "w")


def test_walk_cancel(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "a.zip", [("a", b"a"), ("b", b"b")])
    token = CancelToken()
    source = ArchiveSource(z, tmp_path / "w")
    with pytest.raises(Cancelled):
        for _ in source.walk(token):
            token.cancel()


# --- public corpus (dfvfs test data) ---------------------------------------------------------


@pytest.mark.corpus
def test_corpus_zip_with_directory(
    corpus: Callable[[str], Path], unchanged: Watch, tmp_path: Path
) -> None:
    path = corpus("dfvfs/test_data/zip/with_directory.zip")
    unchanged(path)
    with ArchiveSource(path, tmp_path / "w") as source:
        assert source.info.format == "zip"
        entries = by_path(source)
        assert sorted(entries) == ["/folder", "/folder/syslog", "/folder/wtmp.1"]
        assert entries["/folder"].ref.kind == "dir"
        assert entries["/folder"].ref.note is None
        assert entries["/folder/syslog"].ref.size == 1247
        assert entries["/folder/wtmp.1"].ref.size == 1537
        assert len(read(entries["/folder/syslog"])) == 1247
        assert len(read(entries["/folder/wtmp.1"])) == 1537


@pytest.mark.corpus
def test_corpus_tar_with_directory(
    corpus: Callable[[str], Path], unchanged: Watch, tmp_path: Path
) -> None:
    path = corpus("dfvfs/test_data/tar/with_directory.tar")
    unchanged(path)
    with ArchiveSource(path, tmp_path / "w") as source:
        assert source.info.format == "tar"
        assert source.info.warnings == []
        entries = by_path(source)
        assert sorted(entries) == ["/folder", "/folder/syslog", "/folder/wtmp.1"]
        syslog = entries["/folder/syslog"].ref
        assert syslog.size == 1247
        assert syslog.mtime is not None and syslog.mtime.date().isoformat() == "2012-07-24"
        assert len(read(entries["/folder/syslog"])) == 1247
        assert len(read(entries["/folder/wtmp.1"])) == 1537


@pytest.mark.corpus
def test_corpus_missing_directory_entries(
    corpus: Callable[[str], Path], unchanged: Watch, tmp_path: Path
) -> None:
    path = corpus("dfvfs/test_data/missing_directory_entries.tar")
    unchanged(path)
    with ArchiveSource(path, tmp_path / "w") as source:
        entries = walk_all(source)
    assert [(e.ref.path, e.ref.kind) for e in entries] == [
        ("/File System", "dir"),
        ("/File System/Recordings", "dir"),
        ("/File System/Recordings/AssetManifest.plist", "file"),
        ("/Non Missing Directory Entry", "dir"),
        ("/Non Missing Directory Entry/test_file.txt", "file"),
    ]
    synthesised = [e.ref for e in entries[:2]]
    assert all(r.note is not None and "implied" in r.note for r in synthesised)
    assert entries[3].ref.note is None
    assert entries[2].ref.size == 181
    assert len(read(entries[2])) == 181


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_parallel_member_reads(tmp_path: Path, kind: str) -> None:
    blobs = {f"m{i}.bin": os.urandom(300_000 + i) for i in range(8)}
    if kind == "zip":
        path = make_zip(tmp_path / "p.zip", list(blobs.items()))
    else:
        path = make_tar(tmp_path / "p.tar", [tar_member(n, d) for n, d in blobs.items()])
    source = ArchiveSource(path, tmp_path / "w")
    entries = walk_all(source)

    def chunked(entry: Entry) -> bytes:
        assert entry.opener is not None
        out = bytearray()
        with entry.opener() as f:
            while chunk := f.read(4096):
                out += chunk
        return bytes(out)

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = dict(zip([e.ref.name for e in entries], pool.map(chunked, entries), strict=True))
    assert got == blobs
