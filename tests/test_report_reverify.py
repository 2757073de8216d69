"""Intake against current evidence hashes: raw, split raw, zip, folder and E01 scanned by the
real pipeline, then changed, deleted or replaced on the test's own copies."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import diskimages as di
import pytest
from conftest import sha256_tree

from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.errors import Cancelled
from triage_app.core.progress import CancelToken
from triage_app.report.reverify import MEDIA_STREAM, EvidenceCheck, reverify

SPLIT_AT = 600_000


@dataclass
class Built:
    case: Path
    raw: Path
    parts: list[Path]
    zip: Path
    folder: Path


def _fat(image: Path, kib: int) -> None:
    """A bare FAT12 file system (no partition table): a disk image the engine opens."""
    di.run("mkfs.fat", "-F", "12", "-s", "2", "-n", "REVERIFY", "-i", "5a4b3c2d",
           "--invariant", "-C", image, str(kib))  # fmt: skip


def _digests(*paths: Path) -> dict[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    for p in paths:
        data = p.read_bytes()
        sha.update(data)
        md5.update(data)
    return {"sha256": sha.hexdigest(), "md5": md5.hexdigest()}


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def built(tmp_path: Path) -> Built:
    ev = tmp_path / "evidence"
    ev.mkdir()
    raw = ev / "disk.dd"
    _fat(raw, 1024)
    data = raw.read_bytes()
    parts = [ev / "split.001", ev / "split.002"]
    parts[0].write_bytes(data[:SPLIT_AT])
    parts[1].write_bytes(data[SPLIT_AT:])
    archive = ev / "extraction.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("data/data/com.example/files/note.txt", "ملاحظة")
        z.writestr("sdcard/readme.txt", "hello")
    folder = ev / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_text("x")
    summary = scan(tmp_path / "case", [raw, parts[0], archive, folder])
    assert [e["status"] for e in summary.evidence] == ["ok"] * 4, summary.evidence
    return Built(tmp_path / "case", raw, parts, archive, folder)


def _checks(case_dir: Path, rehash: bool = True) -> list[EvidenceCheck]:
    conn = connect(case_dir / "case.sqlite", readonly=True)
    try:
        return reverify(conn, rehash=rehash)
    finally:
        conn.close()


def _by_item(checks: list[EvidenceCheck]) -> dict[tuple[int, str, str], EvidenceCheck]:
    return {(c.evidence_id, c.item, c.algorithm): c for c in checks}


def test_unchanged_evidence_matches(built: Built) -> None:
    before = sha256_tree([built.raw.parent])
    checks = _checks(built.case)
    assert [(c.evidence_id, c.item, c.algorithm, c.status) for c in checks] == [
        (1, "disk.dd", "sha256", "match"),
        (1, "disk.dd", "md5", "match"),
        (2, MEDIA_STREAM, "sha256", "match"),
        (2, MEDIA_STREAM, "md5", "match"),
        (3, "extraction.zip", "sha256", "match"),
        (3, "extraction.zip", "md5", "match"),
        (4, "folder", "-", "not_applicable"),
    ]
    expected = {1: _digests(built.raw), 2: _digests(*built.parts), 3: _digests(built.zip)}
    for c in checks[:6]:
        assert c.intake == c.current == expected[c.evidence_id][c.algorithm], c
    # Raw and split raw are the same bytes: the media stream hash, not the parts' own.
    assert expected[1] == expected[2]
    assert checks[6].intake is None and checks[6].current is None
    assert "hashed" in checks[6].message
    assert str(built.parts[1]) in checks[2].message
    assert checks == _checks(built.case)  # deterministic
    assert sha256_tree([built.raw.parent]) == before  # nothing written to the evidence


@pytest.mark.parametrize(
    ("target", "key"),
    [("raw", (1, "disk.dd")), ("part2", (2, MEDIA_STREAM)), ("zip", (3, "extraction.zip"))],
)
def test_one_changed_byte_is_a_mismatch(built: Built, target: str, key: tuple[int, str]) -> None:
    path = {"raw": built.raw, "part2": built.parts[1], "zip": built.zip}[target]
    intake = _digests(path)
    _flip(path, path.stat().st_size // 2)
    found = _by_item(_checks(built.case))
    for algo in ("sha256", "md5"):
        check = found[(*key, algo)]
        assert check.status == "MISMATCH", check
        assert check.current == _digests(*([*built.parts] if target == "part2" else [path]))[algo]
        assert check.current != check.intake
        assert str(path) in check.message and "differs" in check.message
        if target != "part2":
            assert check.intake == intake[algo]
    others = [c for c in found.values() if c.evidence_id != key[0]]
    assert {c.status for c in others} == {"match", "not_applicable"}


def test_size_change_is_stated(built: Built) -> None:
    with open(built.zip, "ab") as f:
        f.write(b"appended")
    check = _by_item(_checks(built.case))[(3, "extraction.zip", "sha256")]
    assert check.status == "MISMATCH"
    assert f"now {built.zip.stat().st_size}" in check.message


@pytest.mark.parametrize(
    ("target", "key"),
    [("raw", (1, "disk.dd")), ("part2", (2, MEDIA_STREAM)), ("zip", (3, "extraction.zip"))],
)
def test_deleted_evidence_is_unavailable(built: Built, target: str, key: tuple[int, str]) -> None:
    path = {"raw": built.raw, "part2": built.parts[1], "zip": built.zip}[target]
    path.unlink()
    found = _by_item(_checks(built.case))
    for algo in ("sha256", "md5"):
        check = found[(*key, algo)]
        assert (check.status, check.current) == ("unavailable", None), check
        assert check.intake is not None
        assert path.name in check.message


def test_fifo_in_place_of_evidence_is_refused(built: Built) -> None:
    built.zip.unlink()
    os.mkfifo(built.zip)  # nobody writes: reading it would hang
    check = _by_item(_checks(built.case))[(3, "extraction.zip", "sha256")]
    assert check.status == "unavailable"
    assert "not a regular file" in check.message


def test_rehash_false_is_skipped_without_reading(built: Built) -> None:
    intake = _by_item(_checks(built.case))
    built.raw.unlink()
    shutil.rmtree(built.folder)
    checks = _checks(built.case, rehash=False)
    assert [c.status for c in checks] == ["skipped"] * 6 + ["not_applicable"]
    for c in checks[:6]:
        assert c.current is None
        assert c.intake == intake[(c.evidence_id, c.item, c.algorithm)].intake


def test_cancel_stops(built: Built) -> None:
    token = CancelToken()
    token.cancel()
    conn = connect(built.case / "case.sqlite", readonly=True)
    try:
        with pytest.raises(Cancelled):
            reverify(conn, cancel=token)
    finally:
        conn.close()


def _insert(case_dir: Path, rows: list[tuple[object, ...]]) -> None:
    case = Case.open(case_dir)
    try:
        with case.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO evidence (id, label, identity, kind, format, paths, container_hashes,"
                " sha256, md5, status, message, added_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?, '2024-01-01T00:00:00Z')",
                rows,
            )
    finally:
        case.close()


def test_hostile_or_damaged_records_do_not_raise(tmp_path: Path) -> None:
    big = "[" * 100_000 + "]" * 100_000
    nul = '[{"path": "/tmp/a\\u0000b", "sha256": "ab", "md5": "cd"}]'
    real = tmp_path / "x.dd"
    real.write_bytes(b"raw bytes")
    _insert(tmp_path / "case", [
        (1, "bad json", "i1", "archive", "zip", "[]", "{not json", None, None, "ok", None),
        (2, "deep json", "i2", "archive", "zip", "[]", big, None, None, "ok", None),
        (3, "nul path", "i3", "archive", "zip", "[]", nul, None, None, "ok", None),
        (4, "odd hashes", "i4", "disk_image", "raw", f'["{real}"]', None, 7, b"x",
         "ok", None),
        (5, "not opened", "i5", "unknown", "unknown", '["/x"]', None, None, None, "error",
         "x: empty file"),
        (6, "wrong shape", "i6", "archive", "zip", "[]", '[{"path": 3}]', None, None, "ok", None),
    ])  # fmt: skip
    found = {c.evidence_id: c for c in _checks(tmp_path / "case")}
    assert found[1].status == found[2].status == found[6].status == "unavailable"
    assert "damaged" in found[1].message
    assert found[3].status == "unavailable"
    odd = _by_item(_checks(tmp_path / "case"))
    assert odd[(4, "x.dd", "sha256")].status == "MISMATCH"  # the number became the text "7"
    assert odd[(4, "x.dd", "sha256")].current == _digests(real)["sha256"]
    assert odd[(4, "x.dd", "md5")].status == "unavailable"  # a blob is not a hash
    assert "no MD5 was recorded" in odd[(4, "x.dd", "md5")].message
    assert found[5].status == "not_applicable" and "empty file" in found[5].message


# -- E01 ------------------------------------------------------------------------------------


@pytest.fixture
def e01(tmp_path: Path) -> Iterator[tuple[Path, list[Path]]]:
    di.tool("ewfacquire")  # skips naming the Debian package (ewf-tools) when missing
    raw = tmp_path / "disk.raw"
    _fat(raw, 3072)
    segments = di.ewf(raw, tmp_path / "ewf", segment="1MiB", sha1=True)
    assert len(segments) > 1
    summary = scan(tmp_path / "case", [segments[0]])
    assert summary.evidence[0]["verification"] == "verified", summary.evidence
    yield tmp_path / "case", segments


def test_e01_segments_and_verification(e01: tuple[Path, list[Path]]) -> None:
    case_dir, segments = e01
    checks = _checks(case_dir)
    names = sorted(p.name for p in segments)
    assert [c.item for c in checks] == sorted(
        [f"E01 stored {n}" for n in ("MD5", "SHA-1")] + names * 2
    )
    found = _by_item(checks)
    for p in segments:
        for algo in ("sha256", "md5"):
            assert found[(1, p.name, algo)].status == "match"
            assert found[(1, p.name, algo)].current == _digests(p)[algo]
    raw = case_dir.parent / "disk.raw"
    md5 = found[(1, "E01 stored MD5", "md5")]
    sha1 = found[(1, "E01 stored SHA-1", "sha1")]
    assert md5.intake == _digests(raw)["md5"]
    assert sha1.intake == hashlib.sha1(raw.read_bytes()).hexdigest()
    for c in (md5, sha1):
        assert (c.status, c.current) == ("match", None), c
        assert "verified" in c.message

    _flip(segments[1], segments[1].stat().st_size // 2)
    found = _by_item(_checks(case_dir))
    assert found[(1, segments[1].name, "sha256")].status == "MISMATCH"
    assert found[(1, segments[0].name, "sha256")].status == "match"
    assert found[(1, "E01 stored MD5", "md5")].status == "unavailable"

    segments[-1].unlink()
    found = _by_item(_checks(case_dir))
    assert found[(1, segments[-1].name, "md5")].status == "unavailable"
    assert found[(1, "E01 stored SHA-1", "sha1")].status == "unavailable"
    skipped = _checks(case_dir, rehash=False)
    assert {c.status for c in skipped} == {"skipped"}


def test_e01_mismatch_at_intake_is_reported(e01: tuple[Path, list[Path]]) -> None:
    case_dir, _ = e01
    conn = sqlite3.connect(case_dir / "case.sqlite")
    with conn:
        conn.execute("UPDATE evidence SET verification='mismatch', verification_message='MD5 x'")
    conn.close()
    found = _by_item(_checks(case_dir))
    check = found[(1, "E01 stored MD5", "md5")]
    assert check.status == "MISMATCH" and "MD5 x" in check.message
