"""The sample's pure-Python ext4 writer (`triage_app/sample/ext4.py`) against independent
readers: e2fsprogs' `e2fsck -fn` (no complaint) and `dumpe2fs -h` (label, UUID, features),
The Sleuth Kit through pytsk3 (type ext4, every path with its deleted flag, every live
file's bytes and times, the deleted inodes as the kernel leaves them) and `fls -r -p`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import diskimages as di
import pytest
import pytsk3
from helpers_fls import fls_entries, fs_type, require_tsk

from triage_app.sample.ext4 import build_ext4
from triage_app.sample.fsmodel import FsFile, FsTree

MIB = 1024 * 1024
WHEN = datetime(2024, 3, 10, 18, 30, 0, tzinfo=UTC)
VOLUME_UUID = uuid.UUID("6d3f2a1b-8c4e-4f5a-9b7c-0d1e2f3a4b5c")
LABEL = "omar-home"


def _t(day: int, hour: int) -> datetime:
    return datetime(2024, 3, day, hour, 0, 0, tzinfo=UTC)


TREE = FsTree(
    files=(
        FsFile("/home/omar/ملاحظات.txt", "الدفعة القادمة يوم الخميس في زوارة\n".encode(), _t(1, 9)),
        # Deleted between two live names of the same directory.
        FsFile("/home/omar/secret.txt", b"meet at the port, 02:00\n" * 50, _t(2, 9), deleted=True),
        FsFile("/home/omar/empty.txt", b"", _t(3, 9)),
        FsFile(
            "/home/omar/Documents/تقرير الرحلة.txt",
            "\ufeffتقرير الرحلة: صبراتة - لامبيدوزا\r\n".encode("utf-16-le"),
            _t(4, 9),
        ),
        FsFile("/home/omar/Documents/ledger.csv", b"date,amount\n2024-03-01,1500\n", _t(5, 9)),
        FsFile("/home/omar/Documents/draft.txt", b"", _t(5, 10), deleted=True),
        FsFile("/home/omar/Downloads/route.bin", di.pattern("route", 70_000), _t(6, 9)),
        # Deleted, alone in a subfolder: the entry before it is '..'.
        FsFile("/home/omar/Documents/old/payments.csv", b"old,payments\n" * 40, _t(7, 9), True),
    ),
    dirs=("/home/omar/Pictures",),
)
LIVE = {f.path: f for f in TREE.files if not f.deleted}
DELETED = {f.path: f for f in TREE.files if f.deleted}
DIRS = {"/lost+found", *TREE.directories()}


def _build(tree: FsTree = TREE, size: int = 16 * MIB) -> bytes:
    return build_ext4(tree, size_bytes=size, label=LABEL, uuid=VOLUME_UUID, when=WHEN)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ext4") / "home.img"
    path.write_bytes(_build())
    return path


@pytest.fixture(scope="module")
def fs(image: Path) -> Any:
    return pytsk3.FS_Info(pytsk3.Img_Info(str(image)))


def _e2fsprogs(name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    if not di.have(name):
        pytest.skip(f"{name} not installed (Debian package e2fsprogs)")
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    cmd = [di.tool(name), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


def _assert_e2fsck_clean(image: Path) -> None:
    result = _e2fsprogs("e2fsck", "-fn", image)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(":")[0] for line in lines[:5]] == [f"Pass {n}" for n in range(1, 6)]
    assert len(lines) == 6, result.stdout  # the five passes and the summary, nothing else
    assert result.stderr.startswith("e2fsck ") and result.stderr.count("\n") == 1


def _walk(fs: Any, path: str = "/") -> dict[str, Any]:
    """Every name under `path` (deleted ones included) to its pytsk3 entry, as `fls -r`."""
    found: dict[str, Any] = {}
    for entry in fs.open_dir(path=path):
        name = entry.info.name.name.decode()
        if name in (".", "..") or name == "$OrphanFiles":
            continue
        full = f"{path.rstrip('/')}/{name}"
        found[full] = entry
        deleted = entry.info.name.flags & pytsk3.TSK_FS_NAME_FLAG_UNALLOC
        if entry.info.name.type == pytsk3.TSK_FS_NAME_TYPE_DIR and not deleted:
            found |= _walk(fs, full)
    return found


def _deleted(entry: Any) -> bool:
    return bool(entry.info.name.flags & pytsk3.TSK_FS_NAME_FLAG_UNALLOC)


def test_e2fsck_finds_nothing_to_fix(image: Path) -> None:
    _assert_e2fsck_clean(image)
    summary = _e2fsprogs("e2fsck", "-fn", image).stdout.splitlines()[-1]
    # the reserved inodes 1-10, lost+found, the tree's directories and live files
    in_use = 10 + 1 + len(TREE.directories()) + len(LIVE)
    assert summary.startswith(f"{LABEL}: {in_use}/4096 files")


def test_dumpe2fs_shows_label_uuid_features(image: Path) -> None:
    out = _e2fsprogs("dumpe2fs", "-h", image).stdout
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    header = {key: value.strip() for key, value in fields.items()}
    assert header["Filesystem volume name"] == LABEL
    assert header["Filesystem UUID"] == str(VOLUME_UUID)
    assert header["Filesystem magic number"] == "0xEF53"
    assert header["Filesystem revision #"] == "1 (dynamic)"
    assert set(header["Filesystem features"].split()) == {
        "ext_attr", "dir_index", "filetype", "extent", "sparse_super", "large_file",
        "huge_file", "dir_nlink", "extra_isize",
    }  # fmt: skip
    assert header["Filesystem state"] == "clean"
    assert header["Block size"] == "4096"
    assert header["Inode size"] == "256"
    assert header["Block count"] == str(16 * MIB // 4096)
    for key in ("Filesystem created", "Last write time", "Last mount time", "Last checked"):
        assert header[key] == time.asctime(WHEN.utctimetuple()), key
    seed = header["Directory Hash Seed"]
    assert seed not in (str(VOLUME_UUID), str(uuid.UUID(int=0)))


def test_tsk_reads_it_as_ext4(fs: Any) -> None:
    assert fs.info.ftype == pytsk3.TSK_FS_TYPE_EXT4
    assert fs.info.block_size == 4096


def test_tsk_lists_every_path_with_its_deleted_flag(fs: Any) -> None:
    listed = {path: _deleted(entry) for path, entry in _walk(fs).items()}
    expected = {p: False for p in [*DIRS, *LIVE]} | {p: True for p in DELETED}
    assert listed == expected


def test_tsk_reads_live_files_bytes_and_times(fs: Any) -> None:
    entries = _walk(fs)
    for path, f in LIVE.items():
        meta = entries[path].info.meta
        assert meta.type == pytsk3.TSK_FS_META_TYPE_REG
        handle = fs.open(path)
        data = handle.read_random(0, meta.size) if meta.size else b""
        assert data == f.data, path
        stamp = int(f.mtime.timestamp())
        assert (meta.mtime, meta.atime, meta.ctime, meta.crtime) == (stamp,) * 4, path
        assert (meta.uid, meta.gid, meta.mode, meta.nlink) == (1000, 1000, 0o644, 1), path
    for path in TREE.directories():
        meta = entries[path].info.meta
        assert (meta.mtime, meta.mode, meta.uid) == (int(WHEN.timestamp()), 0o755, 1000), path
    assert entries["/home/omar"].info.meta.nlink == 2 + 3  # Documents, Downloads, Pictures


def test_deleted_inodes_are_left_as_the_kernel_leaves_them(fs: Any, image: Path) -> None:
    """Unlinked and truncated: size 0, no extent, links 0, dtime/ctime = deletion time,
    mtime too when there were blocks to truncate; the bytes stay in freed blocks."""
    entries = _walk(fs)
    raw = image.read_bytes()
    deleted_at = int(WHEN.timestamp())
    for path, f in DELETED.items():
        meta = entries[path].info.meta
        assert meta.flags & pytsk3.TSK_FS_META_FLAG_UNALLOC, path
        assert (meta.size, meta.nlink, meta.ctime) == (0, 0, deleted_at), path
        assert meta.mtime == (deleted_at if f.data else int(f.mtime.timestamp())), path
        assert meta.crtime == int(f.mtime.timestamp()), path
        assert f.data in raw, path  # only carving finds it
    # The first live name after the deleted '/home/omar/secret.txt' is still reached.
    assert not _deleted(entries["/home/omar/empty.txt"])


def test_fls_agrees(image: Path) -> None:
    require_tsk()
    assert fs_type([image]) == "ext4"
    expected = {(p, False) for p in [*DIRS, *LIVE]} | {(p, True) for p in DELETED}
    assert fls_entries([image]) == expected | {("/$OrphanFiles", False)}


def test_istat_shows_the_deletion_time(fs: Any, image: Path) -> None:
    require_tsk()
    entries = _walk(fs)
    for path in DELETED:
        addr = str(entries[path].info.meta.addr)
        out = subprocess.run(
            ["istat", str(image), addr], capture_output=True, text=True, check=True,
            env=dict(os.environ, TZ="UTC"),
        ).stdout  # fmt: skip
        assert "Not Allocated" in out and "num of links: 0" in out, path
        assert "Deleted:\t2024-03-10 18:30:00 (UTC)" in out, path


def test_same_tree_gives_the_same_bytes(image: Path) -> None:
    again = _build()
    assert hashlib.sha256(again).digest() == hashlib.sha256(image.read_bytes()).digest()
    assert len(again) == 16 * MIB


def test_directory_over_several_blocks(tmp_path: Path) -> None:
    """150 entries of 56 bytes: three directory blocks; deleted names right after '..', at
    the start of the second block (its inode becomes 0, as the kernel does), next to it,
    and last."""
    gone = {0, 72, 73, 149}
    files = tuple(
        FsFile(f"/many/f{i:03d}-" + "x" * 40, f"file {i}\n".encode(), _t(8, 9), i in gone)
        for i in range(150)
    )
    image = tmp_path / "many.img"
    image.write_bytes(_build(FsTree(files), size=8 * MIB))
    _assert_e2fsck_clean(image)
    require_tsk()
    listed = {(p, d) for p, d in fls_entries([image]) if not p.startswith("/$OrphanFiles")}
    assert listed == {("/many", False)} | {("/lost+found", False)} | {
        ("/" + f.path.lstrip("/"), f.deleted) for f in files
    }


@pytest.mark.parametrize(
    ("tree", "size", "label"),
    [
        (TREE, 128 * 1024, LABEL),  # smaller than its own inode table and data
        (TREE, 129 * MIB, LABEL),  # more than one block group
        (TREE, 16 * MIB, "x" * 17),
        (FsTree((FsFile("/" + "n" * 256, b"", WHEN),)), 16 * MIB, LABEL),
        (FsTree((FsFile("/a", b"", WHEN), FsFile("/a/b", b"", WHEN))), 16 * MIB, LABEL),
        (FsTree((FsFile("/a", b"1", WHEN), replace(LIVE["/home/omar/empty.txt"], path="/a"))),
         16 * MIB, LABEL),
    ],
)  # fmt: skip
def test_rejects_what_ext4_cannot_hold(tree: FsTree, size: int, label: str) -> None:
    with pytest.raises(ValueError):
        build_ext4(tree, size_bytes=size, label=label, uuid=VOLUME_UUID, when=WHEN)
