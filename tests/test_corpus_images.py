"""Acceptance tests of the evidence engine against the disk images of the public corpus.

Everything goes through the real pipeline (`engine.scan` or the `qarina` CLI) and is read
back from the case as the export contract (ARCHITECTURE.md §4) and `caseinfo.summary`.
File listings are checked against The Sleuth Kit's own `fls -r -p` (see helpers_fls.py);
facts come from corpus/EXPECTED.md section A. Every test checks that the evidence it scans
is byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from casehelpers import case_summary, file_records
from click.testing import CliRunner, Result
from helpers_fls import Listing, missing_tools, require_tsk, sanitize, tsk_listing

from triage_app.cli import main
from triage_app.core.engine import scan
from triage_app.core.models import ScanSummary
from triage_app.core.progress import CancelToken

pytestmark = pytest.mark.corpus

Corpus = Callable[[str], Path]
Watch = Callable[..., None]
Unpack = Callable[[Path], Path]

SCAN_TIMEOUT = 120.0
DFVFS = "dfvfs/test_data"
TSK_IMG = "sleuthkit/tests/data/img"
NTFS_DATA = "dfir_ntfs/test_data"

A_FILE_MD5 = "85bebf486af24792085f769afa46717d"
ANOTHER_FILE_MD5 = "d54ff73404ed6041a3bd66850b061bff"
PASSWORDS_MD5 = "39cb097008d17660abd0539891a672af"
EXT2_MEDIA_MD5 = "196066add11fb71c4c49cf1bb50d6d24"
IMAGE_DD_MD5 = "a528fc1bec79f4fef062f2bf1008c045"
IMAGE_E01_MD5 = "d73c51f10c7ee6a681b7b619ccc6f1c4"

FILE_KEYS = {
    "kind", "id", "evidence", "path", "volume", "source_sha256", "parser", "ts", "ts_raw",
    "deleted", "name", "size", "sha256", "md5", "mime", "mtime", "atime", "ctime", "crtime",
    "inode",
}  # fmt: skip

# Every disk image TSK can read (one tuple = one evidence item, all its parts).
FLS_IMAGES: list[tuple[str, ...]] = [
    (f"{DFVFS}/image.E01",),
    (f"{DFVFS}/ext2.E01",),
    (f"{DFVFS}/ext2.split.E01", f"{DFVFS}/ext2.split.E02"),
    (f"{DFVFS}/ext2.splitraw.000", f"{DFVFS}/ext2.splitraw.001"),
    (f"{DFVFS}/image.raw.000", f"{DFVFS}/image.raw.001"),
    (f"{DFVFS}/image.dd",),
    (f"{DFVFS}/ímynd.dd",),
    (f"{DFVFS}/syslog_image.dd",),
    (f"{DFVFS}/mbr.raw.gz",),
    (f"{DFVFS}/tsk_volume_system.raw",),
    (f"{DFVFS}/image-split.E01", f"{DFVFS}/image-split.E02"),
    (f"{DFVFS}/iso9660.raw",),
    (f"{DFVFS}/hfsplus.raw",),
    (f"{TSK_IMG}/image.dd",),
    (f"{TSK_IMG}/image.E01",),
    (f"{TSK_IMG}/image.iso",),
    (f"{NTFS_DATA}/fat12.raw.gz",),
    (f"{NTFS_DATA}/fat16.raw.gz",),
    (f"{NTFS_DATA}/fat_lfn_test.raw.gz",),
    (f"{NTFS_DATA}/ntfs3.raw.gz",),
    (f"{NTFS_DATA}/ntfs3_attrlist.raw.gz",),
    (f"{NTFS_DATA}/ntfs_index.raw.gz",),
    (f"{NTFS_DATA}/exfat_lin_part.raw.gz",),
    # fat32_loop.raw.gz (a FAT cluster-chain loop) has its own test with a hang guard.
]

UNSUPPORTED: list[tuple[str, str]] = [
    (f"{DFVFS}/ext2.qcow2", "QCOW"),
    (f"{DFVFS}/image.qcow2", "QCOW"),
    (f"{DFVFS}/ext2.vmdk", "VMDK"),
    (f"{TSK_IMG}/image.vmdk", "VMDK"),
    (f"{TSK_IMG}/image.qcow", "QCOW"),
    (f"{DFVFS}/image.vhd", "VHD"),
    (f"{DFVFS}/fat-differential.vhd", "VHD"),
    (f"{DFVFS}/aff4/dream.aff4", "AFF4"),
    (f"{DFVFS}/aff4/Base-Linear.aff4", "AFF4"),
    (f"{DFVFS}/hfsplus_zlib.dmg", "DMG"),
    (f"{DFVFS}/hfsplus.hdd/DiskDescriptor.xml", "DiskDescriptor"),
    (f"{DFVFS}/lvmtest.qcow2", "QCOW"),
    (f"{DFVFS}/vsstest.qcow2", "QCOW"),
    (f"{DFVFS}/windows_volume.qcow2", "QCOW"),
]

CORRUPT: list[tuple[str, str]] = [
    (f"{DFVFS}/bogus.001", r"no partition table or file system"),
    (f"{DFVFS}/corrupt1.gz", r"corrupt(.*)gzip"),
    ("plaso/test_data/empty_file", r"empty file \(0 bytes\)"),
    (f"{NTFS_DATA}/fat32_small.raw.gz", r"no partition table or file system"),
]


def _id(parts: tuple[str, ...]) -> str:
    return "+".join(Path(p).name for p in parts)


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unpack(tmp_path_factory: pytest.TempPathFactory) -> Unpack:
    """Gunzip a corpus `.gz` image once per module (for the fls oracle only)."""
    root = tmp_path_factory.mktemp("gunzipped")
    cache: dict[Path, Path] = {}

    def get(path: Path) -> Path:
        if path not in cache:
            target = root / path.name.removesuffix(".gz")
            with gzip.open(path, "rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            cache[path] = target
        return cache[path]

    return get


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def evidence_parts(corpus: Corpus, watch: Watch, rels: tuple[str, ...]) -> list[Path]:
    paths = [corpus(r) for r in rels]
    watch(*paths)
    return paths


def guarded_scan(case: Path, paths: list[Path], timeout: float = SCAN_TIMEOUT) -> ScanSummary:
    """`engine.scan` on a daemon thread; fail (and cancel it) if it runs past `timeout`."""
    cancel = CancelToken()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["summary"] = scan(case, paths, cancel=cancel)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="guarded-scan", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        cancel.cancel()
        pytest.fail(f"scan of {[p.name for p in paths]} still running after {timeout:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    summary: ScanSummary = outcome["summary"]
    return summary


def cli(runner: CliRunner, *args: str | Path) -> Result:
    result = runner.invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def cli_scan(runner: CliRunner, case: Path, paths: list[Path]) -> Result:
    return cli(runner, "scan", "-q", "--case", case, *paths)


def by_path(recs: list[dict[str, Any]], volume: str | None = None) -> dict[str, dict[str, Any]]:
    return {r["path"]: r for r in recs if r["volume"] == volume}


def our_listing(recs: list[dict[str, Any]]) -> Listing:
    listing: Listing = {}
    for r in recs:
        listing.setdefault(r["volume"], set()).add((sanitize(r["path"]), r["deleted"]))
    return listing


def oracle_parts(paths: list[Path], unpack: Unpack) -> list[Path]:
    return [unpack(p) for p in paths] if paths[0].suffix == ".gz" else paths


def assert_matches_fls(paths: list[Path], recs: list[dict[str, Any]], unpack: Unpack) -> None:
    expected = tsk_listing(oracle_parts(paths, unpack))
    got = our_listing(recs)
    problems = []
    for volume in sorted(set(expected) | set(got), key=str):
        want, have = expected.get(volume, set()), got.get(volume, set())
        if volume not in expected:
            problems.append(f"volume {volume!r}: not in fls/mmls, we list {len(have)} entries")
        missing, extra = sorted(want - have), sorted(have - want)
        if missing:
            problems.append(f"volume {volume!r}: listed by fls but not by us: {missing}")
        if extra:
            problems.append(f"volume {volume!r}: listed by us but not by fls: {extra}")
    assert not problems, "\n".join(problems)


def audit_entries(case: Path) -> list[dict[str, Any]]:
    lines = (case / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- 1. file lists equal `fls -r -p` -------------------------------------------------------


@pytest.mark.parametrize("rels", FLS_IMAGES, ids=[_id(r) for r in FLS_IMAGES])
def test_file_list_matches_fls(
    rels: tuple[str, ...], corpus: Corpus, unchanged: Watch, unpack: Unpack, tmp_path: Path
) -> None:
    require_tsk()
    paths = evidence_parts(corpus, unchanged, rels)
    summary = guarded_scan(tmp_path / "case", paths)
    assert summary.status == "ok"
    assert not summary.failed_evidence, summary.evidence
    assert len(summary.evidence) == 1, "a split/segment set must be one evidence item"
    assert_matches_fls(paths, file_records(tmp_path / "case"), unpack)


# --- 2. facts from EXPECTED.md section A ---------------------------------------------------


def test_image_e01_files_hashes_and_ewf_metadata(
    corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (f"{DFVFS}/image.E01",))
    case = tmp_path / "case"
    assert cli_scan(runner, case, paths).exit_code == 0

    files = by_path(file_records(case))
    for path, md5, inode, size in [
        ("/a_directory/a_file", A_FILE_MD5, 14, 53),
        ("/a_directory/another_file", ANOTHER_FILE_MD5, 16, 22),
        ("/passwords.txt", PASSWORDS_MD5, 15, 116),
    ]:
        rec = files[path]
        assert (rec["md5"], rec["inode"], rec["size"], rec["deleted"]) == (md5, inode, size, False)
    assert files["/passwords.txt"]["mtime"] == "2012-05-25T16:00:53Z"
    for name in ("/a_directory/.another_file.swp", "/a_directory/another_file~"):
        assert files[name]["deleted"] is True
    assert files["/lost+found"]["deleted"] is False

    (evidence,) = case_summary(case)["evidence"]
    assert evidence["status"] == "ok"
    assert evidence["format"] == "ewf"
    assert evidence["stored_md5"] == IMAGE_E01_MD5
    assert evidence["verification"] == "verified"
    assert evidence["md5"] == evidence["media_md5"] == IMAGE_E01_MD5
    assert evidence["media_size"] == 102400
    meta = evidence["metadata"]
    assert meta["case_number"] == "PyVFS"
    assert meta["examiner"] == "John Doe"
    assert meta["description"] == "Test image for PyVFS"
    assert meta["evidence_number"] == "image.dd"
    assert [v["fs_type"] for v in evidence["volumes"]] == ["ext2"]


# Orphan inodes (in TSK's virtual $OrphanFiles) still have metadata and, here, content:
# `istat`/`icat` read them (EXPECTED.md A.1; CATALOG: syslog_image.dd "deleted-file
# recovery test"). (image, orphan path, size, md5 of `icat`, mtime from `istat`).
ORPHANS: list[tuple[str, str, int, str, str]] = [
    (f"{DFVFS}/image.E01", "/$OrphanFiles/OrphanFile-13", 0, "d41d8cd98f00b204e9800998ecf8427e",
     "2012-05-25T15:59:34Z"),
    (f"{DFVFS}/syslog_image.dd", "/$OrphanFiles/OrphanFile-14", 53, A_FILE_MD5,
     "2012-05-25T15:59:14Z"),
    (f"{DFVFS}/syslog_image.dd", "/$OrphanFiles/OrphanFile-15", 116, PASSWORDS_MD5,
     "2012-05-25T16:00:53Z"),
    (f"{DFVFS}/syslog_image.dd", "/$OrphanFiles/OrphanFile-16", 22, ANOTHER_FILE_MD5,
     "2012-05-25T15:59:23Z"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "path", "size", "md5", "mtime"),
    ORPHANS,
    ids=[f"{Path(o[0]).name}:{o[1]}" for o in ORPHANS],
)
def test_orphan_files_keep_metadata_and_content(
    rel: str,
    path: str,
    size: int,
    md5: str,
    mtime: str,
    corpus: Corpus,
    unchanged: Watch,
    tmp_path: Path,
) -> None:
    paths = evidence_parts(corpus, unchanged, (rel,))
    guarded_scan(tmp_path / "case", paths)
    rec = by_path(file_records(tmp_path / "case"))[path]
    got = {k: rec[k] for k in ("entry_type", "deleted", "size", "md5", "mtime")}
    assert got == {"entry_type": "file", "deleted": True, "size": size, "md5": md5, "mtime": mtime}


@pytest.mark.parametrize(
    ("rels", "fmt", "verification"),
    [
        ((f"{DFVFS}/ext2.split.E01", f"{DFVFS}/ext2.split.E02"), "ewf", "verified"),
        ((f"{DFVFS}/ext2.E01",), "ewf", "verified"),
        ((f"{DFVFS}/ext2.splitraw.000", f"{DFVFS}/ext2.splitraw.001"), "split_raw", None),
    ],
    ids=["ext2.split.E01+E02", "ext2.E01", "ext2.splitraw"],
)
def test_ext2_media_md5(
    rels: tuple[str, ...],
    fmt: str,
    verification: str | None,
    corpus: Corpus,
    unchanged: Watch,
    runner: CliRunner,
    tmp_path: Path,
) -> None:
    paths = evidence_parts(corpus, unchanged, rels)
    case = tmp_path / "case"
    assert cli_scan(runner, case, paths).exit_code == 0
    (evidence,) = case_summary(case)["evidence"]
    assert evidence["status"] == "ok"
    assert evidence["format"] == fmt
    assert evidence["media_size"] == 4 * 1024 * 1024
    assert evidence["md5"] == evidence["media_md5"] == EXT2_MEDIA_MD5
    assert sorted(Path(p).name for p in evidence["paths"]) == sorted(p.name for p in paths)
    if verification:
        assert evidence["stored_md5"] == EXT2_MEDIA_MD5
        assert evidence["verification"] == verification
    files = by_path(file_records(case))
    assert files["/a_directory/a_file"]["md5"] == A_FILE_MD5
    assert files["/passwords.txt"]["md5"] == PASSWORDS_MD5
    assert files["/passwords.txt"]["inode"] == 14


def test_split_raw_image_media_md5_equals_image_dd(
    corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    split = evidence_parts(corpus, unchanged, (f"{DFVFS}/image.raw.000", f"{DFVFS}/image.raw.001"))
    single = evidence_parts(corpus, unchanged, (f"{DFVFS}/image.dd",))
    case = tmp_path / "case"
    assert cli_scan(runner, case, [*split, *single]).exit_code == 0
    evidence = {e["label"]: e for e in case_summary(case)["evidence"]}
    assert set(evidence) == {"image.raw.000", "image.dd"}
    assert evidence["image.raw.000"]["format"] == "split_raw"
    for e in evidence.values():
        assert e["md5"] == e["media_md5"] == IMAGE_DD_MD5
        assert e["media_size"] == 102400


def test_mbr_two_volumes(
    corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (f"{DFVFS}/mbr.raw.gz",))
    case = tmp_path / "case"
    assert cli_scan(runner, case, paths).exit_code == 0
    info = cli(runner, "info", "--case", case, "--json")
    assert info.exit_code == 0, info.output
    (evidence,) = json.loads(info.stdout)["evidence"]
    assert evidence["format"] == "gzip_raw"
    volumes = {v["idx"]: v for v in evidence["volumes"]}
    assert set(volumes) == {"p1", "p2"}
    assert volumes["p1"]["fs_type"] in {"ext2", "ext3", "ext4"}
    assert volumes["p2"]["fs_type"] == "ext4"
    assert (volumes["p1"]["offset"], volumes["p2"]["offset"]) == (512, 131 * 512)
    assert all(v["status"] == "ok" for v in volumes.values())
    recs = file_records(case)
    for volume in ("p1", "p2"):
        files = by_path(recs, volume)
        assert files["/a_directory/a_file"]["md5"] == A_FILE_MD5
        assert files["/passwords.txt"]["md5"] == PASSWORDS_MD5
        assert files["/a_link"]["entry_type"] == "link"


def test_partition_without_file_system_is_recorded(
    corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (f"{DFVFS}/tsk_volume_system.raw",))
    case = tmp_path / "case"
    result = cli_scan(runner, case, paths)
    assert result.exit_code == 0, result.output
    (evidence,) = case_summary(case)["evidence"]
    assert evidence["status"] == "ok"
    volumes = {v["idx"]: v for v in evidence["volumes"]}
    assert set(volumes) == {"p1", "p2"}
    assert volumes["p1"]["status"] == "no_filesystem"
    assert volumes["p1"]["fs_type"] is None
    assert volumes["p1"]["message"]
    assert (volumes["p1"]["offset"], volumes["p1"]["length"]) == (512, 350 * 512)
    assert (volumes["p2"]["status"], volumes["p2"]["fs_type"]) == ("ok", "ext2")
    assert volumes["p2"]["offset"] == 352 * 512
    recs = file_records(case)
    assert "/lost+found" in by_path(recs, "p2")
    assert not by_path(recs, "p1")


def test_ntfs3_large_file(corpus: Corpus, unchanged: Watch, tmp_path: Path) -> None:
    paths = evidence_parts(corpus, unchanged, (f"{NTFS_DATA}/ntfs3.raw.gz",))
    guarded_scan(tmp_path / "case", paths)
    files = by_path(file_records(tmp_path / "case"))
    rec = files["/test/1.txt"]
    assert (rec["size"], rec["md5"], rec["inode"]) == (
        286671,
        "361141d999b6eb9de0af34c1ab0411e6",
        28,
    )
    assert (files["/test/2.txt"]["size"], files["/test/2.txt"]["inode"]) == (0, 29)
    (evidence,) = case_summary(tmp_path / "case")["evidence"]
    assert [v["fs_type"] for v in evidence["volumes"]] == ["NTFS"]


@pytest.mark.parametrize(
    ("name", "fs"), [("apfs.raw", "APFS"), ("hfsplus.raw", "HFS+")], ids=["apfs", "hfsplus"]
)
def test_apple_passwords_txt(
    name: str, fs: str, corpus: Corpus, unchanged: Watch, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (f"{DFVFS}/{name}",))
    summary = guarded_scan(tmp_path / "case", paths)
    assert not summary.failed_evidence, summary.evidence
    recs = file_records(tmp_path / "case")
    passwords = [r for r in recs if r["path"] == "/passwords.txt"]
    assert len(passwords) == 1
    assert (passwords[0]["md5"], passwords[0]["size"]) == (PASSWORDS_MD5, 116)
    assert {r["path"] for r in recs if r["md5"] == A_FILE_MD5} == {"/a_directory/a_file"}
    (evidence,) = case_summary(tmp_path / "case")["evidence"]
    assert [v["fs_type"] for v in evidence["volumes"]] == [fs]


# --- 3. an incomplete EWF set --------------------------------------------------------------


def test_missing_e02_is_reported(
    corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    alone = tmp_path / "evidence" / "ext2.split.E01"
    alone.parent.mkdir()
    shutil.copyfile(corpus(f"{DFVFS}/ext2.split.E01"), alone)
    unchanged(alone, corpus(f"{DFVFS}/ext2.split.E01"))
    case = tmp_path / "case"

    result = cli_scan(runner, case, [alone])
    assert result.exit_code == 1, result.output
    assert re.search(r"missing|incomplete", result.output, re.I), result.output

    (evidence,) = case_summary(case)["evidence"]
    assert evidence["status"] == "error"
    assert re.search(r"segment", evidence["message"], re.I)
    assert re.search(r"missing", evidence["message"], re.I)
    assert evidence["files"] == 0

    info = cli(runner, "info", "--case", case)
    assert info.exit_code == 1
    assert "ext2.split.E01" in info.output
    assert evidence["message"] in info.output

    errors = [e for e in audit_entries(case) if e["action"] == "evidence_error"]
    assert len(errors) == 1
    assert errors[0]["details"]["path"] == str(alone.resolve())
    assert "segment" in errors[0]["details"]["error"]

    verify = cli(runner, "verify", "--case", case)
    assert verify.exit_code == 0, verify.output


# --- 4. recognised but unsupported formats -------------------------------------------------


@pytest.mark.parametrize(("rel", "label"), UNSUPPORTED, ids=[Path(r).name for r, _ in UNSUPPORTED])
def test_unsupported_format(
    rel: str, label: str, corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (rel,))
    case = tmp_path / "case"
    result = cli_scan(runner, case, paths)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"{paths[0].name}: unsupported format: " in result.output
    (evidence,) = case_summary(case)["evidence"]
    assert evidence["status"] == "error"
    assert evidence["message"].startswith(f"{paths[0].name}: unsupported format: ")
    assert label in evidence["message"]
    assert evidence["files"] == 0


# --- 5. corrupt and edge cases -------------------------------------------------------------


@pytest.mark.parametrize(("rel", "pattern"), CORRUPT, ids=[Path(r).name for r, _ in CORRUPT])
def test_corrupt_input_is_a_clear_error(
    rel: str, pattern: str, corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (rel,))
    case = tmp_path / "case"
    result = cli_scan(runner, case, paths)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    (evidence,) = case_summary(case)["evidence"]
    assert evidence["status"] == "error"
    assert re.search(pattern, evidence["message"], re.I), evidence["message"]
    assert evidence["message"] in result.output
    assert evidence["files"] == 0
    info = cli(runner, "info", "--case", case)
    assert info.exit_code == 1
    assert evidence["message"] in info.output
    assert any(e["action"] == "evidence_error" for e in audit_entries(case))
    assert cli(runner, "verify", "--case", case).exit_code == 0


def test_fat32_cluster_loop_finishes(
    corpus: Corpus, unchanged: Watch, unpack: Unpack, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (f"{NTFS_DATA}/fat32_loop.raw.gz",))
    summary = guarded_scan(tmp_path / "case", paths, timeout=SCAN_TIMEOUT)
    assert summary.status == "ok"
    assert not summary.failed_evidence, summary.evidence
    recs = file_records(tmp_path / "case")
    # CATALOG.md: "fls -r entries=97 (deleted 1)".
    assert (len(recs), sum(r["deleted"] for r in recs)) == (97, 1)
    require_tsk()
    assert_matches_fls(paths, recs, unpack)


def test_good_and_bad_evidence_in_one_command(
    corpus: Corpus, unchanged: Watch, runner: CliRunner, unpack: Unpack, tmp_path: Path
) -> None:
    good = evidence_parts(corpus, unchanged, (f"{DFVFS}/image.dd",))
    bad = evidence_parts(corpus, unchanged, (f"{DFVFS}/bogus.001", f"{DFVFS}/corrupt1.gz"))
    case = tmp_path / "case"
    result = cli_scan(runner, case, [bad[0], *good, bad[1]])
    assert result.exit_code == 1, result.output
    evidence = {e["label"]: e for e in case_summary(case)["evidence"]}
    assert {k: v["status"] for k, v in evidence.items()} == {
        "bogus.001": "error",
        "image.dd": "ok",
        "corrupt1.gz": "error",
    }
    assert evidence["image.dd"]["md5"] == IMAGE_DD_MD5
    recs = [r for r in file_records(case) if r["evidence"] == evidence["image.dd"]["id"]]
    assert by_path(recs)["/passwords.txt"]["md5"] == PASSWORDS_MD5
    if not missing_tools():
        assert_matches_fls(good, recs, unpack)


# --- 6. export contract --------------------------------------------------------------------


def _export_lines(runner: CliRunner, case: Path) -> Iterator[dict[str, Any]]:
    result = cli(runner, "export", "--case", case, "--kind", "file")
    assert result.exit_code == 0, result.output
    for line in result.stdout.splitlines():
        if line.strip():
            yield json.loads(line)


@pytest.mark.parametrize(
    "rel",
    [f"{DFVFS}/image.E01", f"{DFVFS}/mbr.raw.gz", f"{NTFS_DATA}/ntfs3.raw.gz", f"{DFVFS}/apfs.raw"],
    ids=["image.E01", "mbr.raw.gz", "ntfs3.raw.gz", "apfs.raw"],
)
def test_export_file_records_follow_the_contract(
    rel: str, corpus: Corpus, unchanged: Watch, runner: CliRunner, tmp_path: Path
) -> None:
    paths = evidence_parts(corpus, unchanged, (rel,))
    case = tmp_path / "case"
    assert cli_scan(runner, case, paths).exit_code == 0
    exported = list(_export_lines(runner, case))
    assert len(exported) == len(file_records(case)) > 0
    volumes = {v["idx"] or None for v in case_summary(case)["evidence"][0]["volumes"]}
    for rec in exported:
        assert rec.keys() >= FILE_KEYS, FILE_KEYS - rec.keys()
        assert rec["kind"] == "file"
        assert rec["id"].startswith("file:")
        assert isinstance(rec["evidence"], int)
        assert rec["path"].startswith("/"), rec
        assert rec["name"] == rec["path"].rsplit("/", 1)[-1]
        assert rec["volume"] in volumes
        assert isinstance(rec["deleted"], bool)
        assert rec["source_sha256"] == rec["sha256"]
        for key in ("ts", "mtime", "atime", "ctime", "crtime"):
            value = rec[key]
            assert value is None or (value.endswith("Z") and datetime.fromisoformat(value)), rec
        assert rec["sha256"] is None or re.fullmatch(r"[0-9a-f]{64}", rec["sha256"])
        assert rec["md5"] is None or re.fullmatch(r"[0-9a-f]{32}", rec["md5"])
