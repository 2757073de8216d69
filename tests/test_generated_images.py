"""Disk images generated with userspace tools (see `diskimages.py`), scanned end to end.

MBR with logical partitions (FAT12/16/32 + FAT16 + ext4), GPT with an empty partition, a
partition table entry past the end of the image, a truncated image, split raw (`.aa`,
`.001`), E01 (single, split, corrupted, a segment missing) and `.raw.gz`. Every path set is
exact (TSK's virtual files included) and cross-checked against `fls -r -p` when installed;
every written file's content MD5 is checked; the evidence is never modified.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import diskimages as di
import pytest
from casehelpers import case_summary, file_records
from click.testing import CliRunner, Result

from triage_app.cli import main
from triage_app.core.engine import scan
from triage_app.core.models import ScanSummary

Watch = Callable[..., None]
Listing = list[tuple[Any, ...]]
EWF_METADATA = {
    "case_number": "CASE-2024-17",
    "evidence_number": "EV-1",
    "examiner": "Examiner Q",
    "description": "generated test disk",
}


# --- image fixtures (built once per session) -------------------------------------------------


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("diskimages")


@pytest.fixture(scope="session")
def mbr(images: Path) -> Callable[[int], di.Disk]:
    """`mbr(bits)`: p1 FAT{bits} primary, p2 FAT16 and p3 ext4 logical; built once per session."""
    built: dict[int, di.Disk] = {}

    def get(bits: int) -> di.Disk:
        if bits not in built:
            built[bits] = di.mbr_disk(images / f"mbr{bits}", bits)
        return built[bits]

    return get


@pytest.fixture(scope="session")
def mbr32(mbr: Callable[[int], di.Disk]) -> di.Disk:
    """The reference disk for the split, E01, gzip and broken-table tests."""
    return mbr(32)


@pytest.fixture(scope="session")
def gpt(images: Path) -> di.Disk:
    return di.gpt_disk(images / "gpt")


@pytest.fixture(scope="session")
def ewf_single(images: Path, mbr32: di.Disk) -> list[Path]:
    segments = di.ewf(mbr32.path, images / "ewf_single")
    assert [p.suffix for p in segments] == [".E01"]
    return segments


@pytest.fixture(scope="session")
def ewf_split(images: Path, mbr32: di.Disk) -> list[Path]:
    segments = di.ewf(mbr32.path, images / "ewf_split", segment="1MiB", sha1=True)
    assert len(segments) > 2 and segments[0].suffix == ".E01" and segments[1].suffix == ".E02"
    return segments


@pytest.fixture(scope="session")
def split_alpha(images: Path, mbr32: di.Disk) -> list[Path]:
    parts = di.split_raw(mbr32.path, images / "split_alpha", numeric=False)
    assert [p.suffix for p in parts[:3]] == [".aa", ".ab", ".ac"]
    return parts


@pytest.fixture(scope="session")
def split_numeric(images: Path, mbr32: di.Disk) -> list[Path]:
    parts = di.split_raw(mbr32.path, images / "split_numeric", numeric=True)
    assert [p.suffix for p in parts[:3]] == [".001", ".002", ".003"]
    return parts


@pytest.fixture(scope="session")
def gz(images: Path, mbr32: di.Disk) -> Path:
    return di.gzip_raw(mbr32.path, images / "gzip")


@pytest.fixture(scope="session")
def raw_listing(images: Path, mbr32: di.Disk) -> Listing:
    """The file list of the unsplit raw image, to compare every other container against."""
    case = images / "reference_case"
    summary = scan(case, [mbr32.path])
    assert summary.status == "ok" and not summary.errors, summary
    assert di.file_hashes(mbr32.path) == (mbr32.md5, mbr32.sha256)
    return listing(file_records(case))


# --- helpers -------------------------------------------------------------------------------


def only_evidence(case: Path) -> dict[str, Any]:
    items: list[dict[str, Any]] = case_summary(case)["evidence"]
    assert len(items) == 1, [(e["label"], e["status"]) for e in items]
    return items[0]


def listing(recs: list[dict[str, Any]]) -> Listing:
    keys = ("volume", "path", "entry_type", "size", "deleted", "md5", "sha256", "inode", "mtime")
    return sorted((tuple(r[k] for k in keys) for r in recs), key=repr)


def container_hash(path: Path) -> dict[str, Any]:
    h5, h256 = di.file_hashes(path)
    return {"path": str(path), "size": path.stat().st_size, "sha256": h256, "md5": h5}


def cli_scan(case: Path, *evidence: Path) -> Result:
    result = CliRunner().invoke(main, ["scan", *map(str, evidence), "--case", str(case), "-q"])
    no_traceback(result)
    return result


def no_traceback(result: Result) -> None:
    """The command ended through its own exit codes, never an unhandled exception."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unhandled exception: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output


def assert_volumes(evidence: dict[str, Any], disk: di.Disk) -> None:
    got = {v["idx"]: v for v in evidence["volumes"]}
    assert sorted(got) == sorted(v.index for v in disk.volumes)
    for vol in disk.volumes:
        row = got[vol.index]
        assert (row["offset"], row["length"], row["fs_type"], row["status"]) == (
            vol.offset,
            vol.length,
            vol.fs_type,
            vol.status,
        ), row
        if vol.status != "ok":
            assert row["message"], row


def assert_volume_files(
    recs: list[dict[str, Any]], disk: di.Disk, vol: di.Volume, label: str | None = None
) -> None:
    """Exact paths, deleted flags, MD5s, kinds and (ext4) mtimes of one volume.

    `label`: the volume label in the records when it differs from the disk facts' index.
    """
    mine = [r for r in recs if r["volume"] == (label or vol.index)]
    dups = [p for p, n in Counter(r["path"] for r in mine).items() if n > 1]
    assert not dups, f"{vol.index}: paths listed twice: {dups}"
    got = {r["path"]: r["deleted"] for r in mine}
    assert got == vol.paths, f"{vol.index}: {sorted(set(got) ^ set(vol.paths))}"
    fls = di.fls_entries(disk.path, vol.offset)
    if fls is not None:
        assert got == fls, (
            f"{vol.index} differs from fls: {sorted(set(got.items()) ^ set(fls.items()))}"
        )
    by_path = {r["path"]: r for r in mine}
    for path, md5 in vol.md5.items():
        assert by_path[path]["md5"] == md5, (vol.index, path, by_path[path])
        assert by_path[path]["entry_type"] == "file", (vol.index, path)
        assert by_path[path]["error"] is None, (vol.index, path, by_path[path]["error"])
    for path in vol.dirs:
        assert by_path[path]["entry_type"] == "dir", (vol.index, path)
    for path, mtime in vol.mtime.items():
        assert by_path[path]["mtime"] == mtime, (vol.index, path)
    assert all(r["path"].startswith("/") for r in mine)


def assert_disk_files(recs: list[dict[str, Any]], disk: di.Disk) -> None:
    assert {r["volume"] for r in recs} == {v.index for v in disk.volumes if v.paths}
    assert {r["evidence"] for r in recs} == {1}
    for vol in disk.volumes:
        if vol.paths:
            assert_volume_files(recs, disk, vol)


def assert_ok(summary: ScanSummary) -> None:
    assert summary.status == "ok", summary
    assert summary.errors == [], summary.errors
    assert [e["status"] for e in summary.evidence] == ["ok"], summary.evidence


# --- 1. MBR with logical partitions ---------------------------------------------------------


@pytest.mark.parametrize("bits", [12, 16, 32], ids=["FAT12", "FAT16", "FAT32"])
def test_mbr_with_logical_partitions(
    mbr: Callable[[int], di.Disk], bits: int, tmp_path: Path, unchanged: Watch
) -> None:
    disk = mbr(bits)
    unchanged(disk.path)
    summary = scan(tmp_path / "case", [disk.path])
    assert_ok(summary)
    evidence = only_evidence(tmp_path / "case")
    assert (evidence["kind"], evidence["format"], evidence["status"]) == ("disk_image", "raw", "ok")
    assert (evidence["sha256"], evidence["md5"]) == (disk.sha256, disk.md5)
    assert (evidence["media_sha256"], evidence["media_md5"]) == (disk.sha256, disk.md5)
    assert evidence["container_hashes"] == [container_hash(disk.path)]
    assert evidence["size"] == evidence["media_size"] == disk.size
    assert evidence["verification"] == "not_applicable"
    assert_volumes(evidence, disk)
    assert [v["fs_type"] for v in evidence["volumes"]] == [di.FAT_TSK_NAME[bits], "FAT16", "ext4"]
    recs = file_records(tmp_path / "case")
    assert_disk_files(recs, disk)
    assert evidence["files"] == len(recs) == summary.files

    p1 = {r["path"]: r for r in recs if r["volume"] == "p1"}
    # FAT deleted entries: the short name loses its first character, the long name survives;
    # FAT keeps the clusters, so the content (and its MD5) comes back.
    for written, shown in (("/secret.txt", "/_ecret.txt"), ("/محذوف.txt", "/محذوف.txt")):
        assert p1[shown]["deleted"] is True
        assert p1[shown]["md5"] == di.md5(di.FAT_TREE.deleted[written])
    assert "/secret.txt" not in p1
    assert p1["/رسالة.txt"]["name"] == "رسالة.txt"
    assert p1["/docs/inner/empty.txt"]["md5"] == di.md5(b"")
    assert p1["/docs/документ.txt"]["size"] == len(di.FAT_TREE.files["/docs/документ.txt"])
    p3 = {r["path"]: r for r in recs if r["volume"] == "p3"}
    assert p3["/removed.txt"]["deleted"] is True
    # ext4 may zero a deleted file's extents: its content is not promised, a wrong one is a bug.
    assert p3["/removed.txt"]["md5"] in (None, di.md5(di.EXT4_TREE.deleted["/removed.txt"]))


# --- 2. GPT ---------------------------------------------------------------------------------


def test_gpt_with_empty_partition(gpt: di.Disk, tmp_path: Path, unchanged: Watch) -> None:
    unchanged(gpt.path)
    summary = scan(tmp_path / "case", [gpt.path])
    assert_ok(summary)
    evidence = only_evidence(tmp_path / "case")
    assert_volumes(evidence, gpt)
    empty = next(v for v in evidence["volumes"] if v["idx"] == "p3")
    assert empty["status"] == "no_filesystem" and empty["fs_type"] is None
    assert "no file system" in empty["message"]
    assert [v["description"] for v in evidence["volumes"]] == ["DATA", "LINUX", "EMPTY"]
    recs = file_records(tmp_path / "case")
    assert_disk_files(recs, gpt)
    assert not [r for r in recs if r["volume"] == "p3"]
    assert (evidence["sha256"], evidence["md5"]) == (gpt.sha256, gpt.md5)


# --- 3. broken partition tables -------------------------------------------------------------


def _assert_bad_volume(evidence: dict[str, Any], offset: int) -> None:
    bad = [v for v in evidence["volumes"] if v["offset"] == offset]
    assert len(bad) == 1, evidence["volumes"]
    assert bad[0]["status"] != "ok" and bad[0]["message"], bad[0]


def test_unused_entry_past_end(
    images: Path, mbr32: di.Disk, tmp_path: Path, unchanged: Watch
) -> None:
    disk, bad_offset = di.past_end_disk(mbr32, images / "past_end4", entry=4)
    unchanged(disk.path)
    result = cli_scan(tmp_path / "case", disk.path)
    assert result.exit_code == 0, result.output
    evidence = only_evidence(tmp_path / "case")
    assert evidence["status"] == "ok"
    _assert_bad_volume(evidence, bad_offset)
    good = [v for v in evidence["volumes"] if v["offset"] != bad_offset]
    assert [(v["idx"], v["offset"], v["fs_type"], v["status"]) for v in good] == [
        (v.index, v.offset, v.fs_type, v.status) for v in disk.volumes
    ]
    assert_disk_files(file_records(tmp_path / "case"), disk)


def test_first_entry_past_end(
    images: Path, mbr32: di.Disk, tmp_path: Path, unchanged: Watch
) -> None:
    """p1's entry moved past the end: the logical partitions must still be indexed."""
    disk, bad_offset = di.past_end_disk(mbr32, images / "past_end1", entry=1)
    unchanged(disk.path)
    result = cli_scan(tmp_path / "case", disk.path)
    evidence = only_evidence(tmp_path / "case")
    assert evidence["status"] == "ok", (result.exit_code, evidence["message"])
    _assert_bad_volume(evidence, bad_offset)
    recs = file_records(tmp_path / "case")
    for vol in disk.volumes[1:]:
        row = next(v for v in evidence["volumes"] if v["offset"] == vol.offset)
        assert (row["fs_type"], row["status"]) == (vol.fs_type, "ok")
        assert_volume_files(recs, disk, vol, label=row["idx"])


def test_truncated_image_flags_overrunning_partition(
    images: Path, mbr32: di.Disk, tmp_path: Path, unchanged: Watch
) -> None:
    """An acquisition that stopped inside p3: p1/p2 intact; the examiner is told that p3 runs
    past the end of the image (on the volume, or as a warning of the evidence item)."""
    disk = di.truncated_disk(mbr32, images / "truncated", keep=mbr32.volume("p3").offset + di.MIB)
    unchanged(disk.path)
    summary = scan(tmp_path / "case", [disk.path])
    assert summary.status == "ok"
    evidence = only_evidence(tmp_path / "case")
    assert evidence["media_size"] == disk.size
    recs = file_records(tmp_path / "case")
    for vol in disk.volumes[:2]:
        assert_volume_files(recs, disk, vol)
    p3 = next(v for v in evidence["volumes"] if v["idx"] == "p3")
    assert p3["offset"] + p3["length"] > disk.size
    told = [p3["message"] or "", *summary.evidence[0].get("warnings", [])]
    assert any(re.search(r"end of the (image|media)|beyond|past|truncat", t) for t in told), (
        p3,
        summary.evidence,
    )


# --- 4. split raw ---------------------------------------------------------------------------


@pytest.mark.parametrize("naming", ["alpha", "numeric"])
def test_split_raw_first_part(
    request: pytest.FixtureRequest,
    mbr32: di.Disk,
    raw_listing: Listing,
    naming: str,
    tmp_path: Path,
    unchanged: Watch,
) -> None:
    parts: list[Path] = request.getfixturevalue(f"split_{naming}")
    unchanged(*parts)
    summary = scan(tmp_path / "case", [parts[0]])
    assert_ok(summary)
    evidence = only_evidence(tmp_path / "case")
    assert evidence["format"] == "split_raw"
    assert evidence["paths"] == [str(p) for p in parts]
    assert (evidence["md5"], evidence["sha256"]) == (mbr32.md5, mbr32.sha256)
    assert (evidence["media_md5"], evidence["media_sha256"]) == (mbr32.md5, mbr32.sha256)
    assert evidence["media_size"] == evidence["size"] == mbr32.size
    # The whole stream is the container of a split image: its parts are listed with their
    # sizes and not hashed one by one (that would hash every byte twice).
    assert evidence["container_hashes"] == [
        {"path": str(p), "size": p.stat().st_size} for p in parts
    ]
    assert_volumes(evidence, mbr32)
    recs = file_records(tmp_path / "case")
    assert_disk_files(recs, mbr32)
    assert listing(recs) == raw_listing


@pytest.mark.parametrize("order", ["given", "reversed"])
def test_split_raw_all_parts_on_command_line(
    split_numeric: list[Path], mbr32: di.Disk, order: str, tmp_path: Path, unchanged: Watch
) -> None:
    parts = split_numeric
    unchanged(*parts)
    given = parts if order == "given" else parts[::-1]
    result = cli_scan(tmp_path / "case", *given)
    assert result.exit_code == 0, result.output
    evidence = only_evidence(tmp_path / "case")
    assert evidence["identity"] == str(parts[0].resolve())
    assert evidence["paths"] == [str(p) for p in parts]
    assert evidence["sha256"] == mbr32.sha256


# --- 5. E01 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["single", "split"])
def test_ewf_verified(
    request: pytest.FixtureRequest,
    mbr32: di.Disk,
    raw_listing: Listing,
    kind: str,
    tmp_path: Path,
    unchanged: Watch,
) -> None:
    segments: list[Path] = request.getfixturevalue(f"ewf_{kind}")
    unchanged(*segments)
    result = cli_scan(tmp_path / "case", segments[0])
    assert result.exit_code == 0, result.output
    evidence = only_evidence(tmp_path / "case")
    assert (evidence["format"], evidence["status"]) == ("ewf", "ok")
    assert evidence["verification"] == "verified", evidence["verification_message"]
    assert evidence["stored_md5"] == evidence["media_md5"] == evidence["md5"] == mbr32.md5
    assert evidence["media_sha256"] == evidence["sha256"] == mbr32.sha256
    if kind == "split":
        sha1 = hashlib.sha1(mbr32.path.read_bytes()).hexdigest()
        assert evidence["stored_sha1"] == sha1
        assert "SHA-1" in evidence["verification_message"]
    assert evidence["media_size"] == mbr32.size
    assert evidence["paths"] == [str(p) for p in segments]
    assert evidence["container_hashes"] == [container_hash(p) for p in segments]
    assert {k: evidence["metadata"].get(k) for k in EWF_METADATA} == EWF_METADATA
    assert evidence["metadata"]["segments"] == [p.name for p in segments]
    assert_volumes(evidence, mbr32)
    recs = file_records(tmp_path / "case")
    assert_disk_files(recs, mbr32)
    assert listing(recs) == raw_listing


def test_ewf_corrupted_chunk(
    ewf_single: list[Path], tmp_path: Path, unchanged: Watch, caplog: pytest.LogCaptureFixture
) -> None:
    needle = di.FAT_TREE.files["/docs/inner/deep.bin"][:64]
    bad = di.corrupt_copy(ewf_single[0], tmp_path / "corrupt", needle)
    unchanged(bad)
    result = cli_scan(tmp_path / "case", bad)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in caplog.text
    evidence = only_evidence(tmp_path / "case")
    if evidence["status"] == "error":  # the open itself failed: it must say why
        assert evidence["message"], evidence
    else:
        assert evidence["status"] == "verification_failed", evidence
        assert evidence["verification"] in ("mismatch", "read_error"), evidence
        assert evidence["verification_message"] in result.output


def test_ewf_missing_last_segment(
    ewf_split: list[Path], tmp_path: Path, unchanged: Watch, caplog: pytest.LogCaptureFixture
) -> None:
    copy = tmp_path / "set"
    copy.mkdir()
    for p in ewf_split[:-1]:
        shutil.copy(p, copy / p.name)
    unchanged(copy)
    result = cli_scan(tmp_path / "case", copy / ewf_split[0].name)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in caplog.text
    text = result.output.lower()
    assert "missing" in text and "segment" in text, result.output
    evidence = only_evidence(tmp_path / "case")
    assert evidence["status"] == "error" and "segment" in evidence["message"]
    assert evidence["files"] == 0


# --- 6. gzip raw ----------------------------------------------------------------------------


def test_gzip_raw(
    gz: Path, mbr32: di.Disk, raw_listing: Listing, tmp_path: Path, unchanged: Watch
) -> None:
    unchanged(gz)
    case = tmp_path / "case"
    summary = scan(case, [gz])
    assert_ok(summary)
    evidence = only_evidence(case)
    assert evidence["format"] == "gzip_raw"
    assert evidence["paths"] == [str(gz)]
    assert evidence["size"] == gz.stat().st_size
    # The evidence hash is the media's (the decompressed disk); the .gz is a container hash.
    assert (evidence["sha256"], evidence["md5"]) == (mbr32.sha256, mbr32.md5)
    assert (evidence["media_sha256"], evidence["media_md5"]) == (mbr32.sha256, mbr32.md5)
    assert evidence["media_size"] == mbr32.size
    assert evidence["container_hashes"] == [container_hash(gz)]
    assert evidence["verification"] == "not_applicable"
    spooled = [p for p in (case / "work" / "spool").rglob("*") if p.is_file()]
    assert [di.file_hashes(p)[1] for p in spooled] == [mbr32.sha256], spooled
    assert_volumes(evidence, mbr32)
    recs = file_records(case)
    assert_disk_files(recs, mbr32)
    assert listing(recs) == raw_listing
