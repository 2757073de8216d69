"""The sample's FAT32 and GPT writers, checked by independent readers: pytsk3 (paths, deleted
flags, content of live and deleted files, times, 8.3 aliases, partitions), `fsck.fat -n`,
`sgdisk -v` and `fls`. The images are built once per module (about 40 MiB each)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import diskimages as di
import pytest
import pytsk3

from triage_app.sample.fat32 import build_fat32
from triage_app.sample.fsmodel import FsFile, FsTree
from triage_app.sample.gpt import (
    LINUX_FILESYSTEM_DATA,
    MICROSOFT_BASIC_DATA,
    GptPartition,
    write_gpt_disk,
)

MIB = 1024 * 1024
FAT_SIZE = 40 * MIB
WHEN = datetime(2024, 2, 1, 8, 30, 0, tzinfo=UTC)
T_EVEN = datetime(2024, 3, 5, 10, 11, 12, tzinfo=UTC)
T_ODD = datetime(2024, 3, 6, 23, 59, 59, tzinfo=UTC)  # FAT keeps 23:59:58
ARABIC = "/Documents/دفتر الحسابات.txt"
HOSTILE = ("/Downloads/<script>alert(1).html", "/Downloads/invoice\u202egpj.exe")
TREE = FsTree(
    files=(
        FsFile(ARABIC, "دفتر الحسابات: ٥٠٠ دينار\n".encode("utf-16"), T_EVEN),
        FsFile("/Documents/Quarterly Report Final.docx", di.pattern("final", 3000), T_ODD),
        FsFile("/Documents/Quarterly Report Draft.docx", di.pattern("draft", 700), T_EVEN),
        FsFile("/Documents/Invoices/2024/INV0042.PDF", di.pattern("inv", 5000), T_EVEN),
        FsFile("/README.TXT", b"plain 8.3 name\n", T_EVEN),
        FsFile("/notes.txt", b"", T_EVEN),
        FsFile("/Pictures/IMG_0001.JPG", di.pattern("jpeg", 20_000), T_ODD),
        FsFile(HOSTILE[0], b"<script>alert(1)</script>", T_EVEN),
        FsFile(HOSTILE[1], b"MZ not really", T_EVEN),
        FsFile("/Deleted Ledger Copy.xlsx", di.pattern("ledger", 4100), T_ODD, deleted=True),
        FsFile("/Documents/Invoices/old.txt", b"old invoice\n" * 100, T_EVEN, deleted=True),
    ),
    dirs=("/Empty Folder",),
)
# TSK names a deleted file by its long name; an 8.3-only name loses its first character.
TSK_PATH = {"/Documents/Invoices/old.txt": "/Documents/Invoices/_ld.txt"}
LABEL_ENTRY = "/QARINA      (Volume Label Entry)"
VIRTUAL = {"$MBR", "$FAT1", "$FAT2", "$OrphanFiles"}
DISK_GUID = uuid.UUID("5a17e0c4-1b2d-4e3f-9a8b-7c6d5e4f3a2b")
PART_NAMES = ("Basic data partition", "بيانات لينكس")


@dataclass(frozen=True)
class Seen:
    """What pytsk3 reports for one name."""

    deleted: bool
    is_dir: bool
    data: bytes
    mtime: int
    short: str


def build() -> bytes:
    return build_fat32(
        TREE, size_bytes=FAT_SIZE, label="Qarina", volume_id=0x5A4B3C2D, when=WHEN,
        hidden_sectors=2048,
    )  # fmt: skip


def walk(fs: pytsk3.FS_Info, directory: str = "/") -> Iterator[tuple[str, Seen]]:
    for entry in fs.open_dir(path=directory):
        name = entry.info.name.name.decode("utf-8")
        if name in (".", "..") or (directory == "/" and name in VIRTUAL):
            continue
        path = directory.rstrip("/") + "/" + name
        meta = entry.info.meta
        is_dir = meta.type == pytsk3.TSK_FS_META_TYPE_DIR
        data = b"" if is_dir or meta.size == 0 else entry.read_random(0, meta.size)
        deleted = bool(entry.info.name.flags & pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
        short = (entry.info.name.shrt_name or b"").decode("ascii")
        yield path, Seen(deleted, is_dir, data, meta.mtime, short)
        if is_dir:
            yield from walk(fs, path)


def tsk_walk(image: Path, offset: int = 0) -> dict[str, Seen]:
    """pytsk3's view; FAT times are local, TSK converts them with the process's zone."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        time.tzset()
        try:
            fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)), offset=offset)
            return dict(walk(fs))
        finally:
            mp.undo()
            time.tzset()


@pytest.fixture(scope="module")
def fat_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fat32") / "fat32.img"
    path.write_bytes(build())
    return path


@pytest.fixture(scope="module")
def seen(fat_image: Path) -> dict[str, Seen]:
    return tsk_walk(fat_image)


@pytest.fixture(scope="module")
def disk(
    fat_image: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[tuple[int, int]]]:
    path = tmp_path_factory.mktemp("gpt") / "disk.raw"
    spans = write_gpt_disk(path, partitions(fat_image), disk_guid=DISK_GUID)
    return path, spans


def partitions(fat_image: Path) -> list[GptPartition]:
    return [
        GptPartition(PART_NAMES[0], MICROSOFT_BASIC_DATA, uuid.UUID(int=1),
                     fat_image.read_bytes()),
        GptPartition(PART_NAMES[1], LINUX_FILESYSTEM_DATA, uuid.UUID(int=2),
                     di.pattern("ext4-stand-in", 2 * MIB)),
    ]  # fmt: skip


def expected_paths() -> dict[str, bool]:
    """Every path TSK must list (the label entry included) → deleted."""
    out = {d: False for d in TREE.directories()}
    out.update({TSK_PATH.get(f.path, f.path): f.deleted for f in TREE.files})
    out[LABEL_ENTRY] = False
    return out


def test_tsk_lists_every_path_with_its_deleted_flag(seen: dict[str, Seen]) -> None:
    assert {path: s.deleted for path, s in seen.items()} == expected_paths()
    assert {path for path, s in seen.items() if s.is_dir} == set(TREE.directories())


def test_tsk_reads_live_and_deleted_content_and_times(seen: dict[str, Seen]) -> None:
    for f in TREE.files:
        s = seen[TSK_PATH.get(f.path, f.path)]
        assert s.data == f.data, f.path
        # FAT write times have 2-second steps: odd seconds round down.
        assert s.mtime == int(f.mtime.timestamp()) // 2 * 2, f.path
    for d in TREE.directories():
        assert seen[d].mtime == int(WHEN.timestamp())


def test_aliases_are_windows_style(seen: dict[str, Seen]) -> None:
    shorts = {path: s.short for path, s in seen.items()}
    assert shorts[ARABIC] == "______~1.TXT"
    assert shorts["/Documents/Quarterly Report Draft.docx"] == "QUARTE~1.DOC"
    assert shorts["/Documents/Quarterly Report Final.docx"] == "QUARTE~2.DOC"
    assert shorts[HOSTILE[0]] == "_SCRIP~1.HTM"
    assert shorts["/Empty Folder"] == "EMPTYF~1"


def test_hostile_names_survive_as_unicode(seen: dict[str, Seen]) -> None:
    for path in HOSTILE:
        assert path in seen and not seen[path].deleted


def test_build_is_deterministic(fat_image: Path) -> None:
    assert hashlib.sha256(build()).digest() == hashlib.sha256(fat_image.read_bytes()).digest()


def test_fsck_fat_finds_no_error(fat_image: Path) -> None:
    proc = subprocess.run(
        [di.tool("fsck.fat"), "-n", str(fat_image)], capture_output=True, text=True, check=False
    )
    # fsck.fat -n exits 0 after some findings (a wrong long-name checksum), so any line but
    # its banner and the summary is a finding.
    lines = (proc.stdout + proc.stderr).splitlines()
    assert proc.returncode == 0 and len(lines) == 2, lines
    summary = re.fullmatch(r".*: (\d+) files, (\d+)/(\d+) clusters", lines[1])
    assert summary is not None and int(summary[3]) >= 65_525, lines


@pytest.mark.parametrize(
    ("tree", "size", "error"),
    [
        (TREE, 32 * MIB, "clusters"),
        (FsTree((FsFile("/a.txt", b"", T_EVEN), FsFile("/A.TXT", b"", T_EVEN))), FAT_SIZE, "case"),
        (FsTree((FsFile("/big.bin", bytes(40 * MIB), T_EVEN),)), FAT_SIZE, "needs"),
        (FsTree((FsFile("/old.txt", b"", datetime(1979, 12, 31, tzinfo=UTC)),)), FAT_SIZE, "1980"),
    ],
)
def test_impossible_volumes_are_refused(tree: FsTree, size: int, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        build_fat32(tree, size_bytes=size, label="X", volume_id=1, when=WHEN)


def test_gpt_partitions_are_where_returned(disk: tuple[Path, list[tuple[int, int]]]) -> None:
    path, spans = disk
    assert spans == [(2048, 2048 + FAT_SIZE // 512 - 1), (2048 + FAT_SIZE // 512, 88063)]
    volume = pytsk3.Volume_Info(pytsk3.Img_Info(str(path)))
    found = [
        (p.start, p.start + p.len - 1, p.desc.decode("utf-8"))
        for p in volume
        if p.flags == pytsk3.TSK_VS_PART_FLAG_ALLOC
    ]
    assert found == [(a, b, name) for (a, b), name in zip(spans, PART_NAMES, strict=True)]


def test_gpt_disk_is_deterministic(
    disk: tuple[Path, list[tuple[int, int]]], fat_image: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.raw"
    write_gpt_disk(again, partitions(fat_image), disk_guid=DISK_GUID)
    assert di.file_hashes(again) == di.file_hashes(disk[0])


def test_sgdisk_verifies_the_gpt(disk: tuple[Path, list[tuple[int, int]]]) -> None:
    proc = subprocess.run(
        [di.tool("sgdisk"), "-v", str(disk[0])], capture_output=True, text=True, check=False
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "No problems found" in out, out
    assert "Caution" not in out and "Warning" not in out, out
    codes = subprocess.run(
        [di.tool("sgdisk"), "-p", str(disk[0])], capture_output=True, text=True, check=True
    ).stdout
    assert f"0700  {PART_NAMES[0]}" in codes and f"8300  {PART_NAMES[1]}" in codes, codes


def test_file_system_inside_the_disk(
    disk: tuple[Path, list[tuple[int, int]]], seen: dict[str, Seen]
) -> None:
    path, spans = disk
    start = spans[0][0]
    assert tsk_walk(path, start * 512) == seen
    listing = subprocess.run(
        [di.tool("fls"), "-r", "-p", "-o", str(start), str(path)],
        capture_output=True, check=True,
    ).stdout.decode("utf-8")  # fmt: skip
    names = {"/" + line.split("\t", 1)[1] for line in listing.splitlines()}
    assert set(expected_paths()) <= names


def test_odd_sized_partitions_start_on_mib_boundaries(tmp_path: Path) -> None:
    parts = [
        GptPartition(f"p{n}", LINUX_FILESYSTEM_DATA, uuid.UUID(int=10 + n), b"\x01" * size)
        for n, size in enumerate((1, MIB + 1, 3))
    ]
    path = tmp_path / "odd.raw"
    spans = write_gpt_disk(path, parts, disk_guid=DISK_GUID, size_bytes=12 * MIB)
    assert spans == [(2048, 2048), (4096, 6144), (8192, 8192)]
    assert path.stat().st_size == 12 * MIB
    volume = pytsk3.Volume_Info(pytsk3.Img_Info(str(path)))
    found = [(p.start, p.len) for p in volume if p.flags == pytsk3.TSK_VS_PART_FLAG_ALLOC]
    assert found == [(2048, 1), (4096, 2049), (8192, 1)]
    with path.open("rb") as f:
        f.seek(4096 * 512 + MIB)
        assert f.read(2) == b"\x01\x00"  # the image, then zeros to the end of its last sector
    with pytest.raises(ValueError, match="at least"):
        write_gpt_disk(tmp_path / "small.raw", parts, disk_guid=DISK_GUID, size_bytes=4 * MIB)
