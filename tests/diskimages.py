"""Build small disk images for tests with userspace tools only (no loop mounts, no root).

Every builder writes into a directory it is given and returns the image path together with
the facts a scan must reproduce: partition offsets, file system types, the exact set of
paths per volume (TSK's virtual files included), which entries are deleted and the MD5 of
every regular file's content. File contents, names, partition layouts, volume ids and file
times are fixed, so the facts are the same on every run; the image bytes can still differ
in directory timestamps that mtools takes from the clock.

Tools (Debian packages): mkfs.fat (dosfstools), mcopy/mmd/mdel (mtools), mke2fs/debugfs
(e2fsprogs), sfdisk (fdisk), sgdisk (gdisk), ewfacquire (ewf-tools), split (coreutils),
gzip (gzip) and, only as an optional oracle, fls (sleuthkit). A missing tool skips the
test that needs it with the tool and package named.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SECTOR = 512
MIB = 1024 * 1024
FIXED_MTIME = 1614834368  # 2021-03-04T05:06:08Z (even seconds: FAT keeps 2 s resolution)
FIXED_MTIME_ISO = "2021-03-04T05:06:08Z"
FIXED_UUID = "2f1e0d1c-3b4a-4c5d-8e6f-708192a3b4c5"
DISK_GUID = "5a17e0c4-1b2d-4e3f-9a8b-7c6d5e4f3a2b"
PART_GUIDS = (
    "0b5e1c2d-3f4a-4b6c-8d7e-9f0a1b2c3d41",
    "0b5e1c2d-3f4a-4b6c-8d7e-9f0a1b2c3d42",
    "0b5e1c2d-3f4a-4b6c-8d7e-9f0a1b2c3d43",
)

PACKAGES = {
    "mkfs.fat": "dosfstools",
    "mcopy": "mtools",
    "mmd": "mtools",
    "mdel": "mtools",
    "mke2fs": "e2fsprogs",
    "debugfs": "e2fsprogs",
    "sfdisk": "fdisk",
    "sgdisk": "gdisk",
    "ewfacquire": "ewf-tools",
    "split": "coreutils",
    "fls": "sleuthkit",
}
# Directories Debian keeps file system tools in, not always on a non-root PATH.
_SBIN = ("/usr/sbin", "/sbin")

# FAT sizes in sectors: FAT12 < 4085 clusters, FAT16 >= 4085, FAT32 >= 65525 (TSK refuses
# a FAT32 with fewer clusters), with one 512-byte sector per cluster.
FAT_SECTORS = {12: 2048, 16: 6144, 32: 69632}
FAT_TSK_NAME = {12: "FAT12", 16: "FAT16", 32: "FAT32"}
MBR_FAT_TYPE = {12: "1", 16: "6", 32: "c"}
EXT4_SECTORS = 8192


def tool(name: str) -> str:
    """The tool's full path, or skip the calling test naming the Debian package."""
    found = shutil.which(name) or shutil.which(name, path=os.pathsep.join(_SBIN))
    if found is None:
        pytest.skip(f"{name} not installed (Debian package {PACKAGES.get(name, '?')})")
    return found


def have(name: str) -> bool:
    return bool(shutil.which(name) or shutil.which(name, path=os.pathsep.join(_SBIN)))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # mtools converts long names through the locale; it must be UTF-8 for Arabic/Cyrillic.
    env.update(
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        MTOOLS_SKIP_CHECK="1",
        MTOOLSRC=os.devnull,
        E2FSPROGS_FAKE_TIME=str(FIXED_MTIME),
        SOURCE_DATE_EPOCH=str(FIXED_MTIME),
        TZ="UTC",
    )
    return env


def run(*args: str | Path, stdin: bytes | None = None, stderr: bool = False) -> bytes:
    """Run a tool (first argument: its name), failing the build loudly with its stderr.

    Returns its stdout, or its stderr when `stderr` is true.
    """
    cmd = [tool(str(args[0])), *(str(a) for a in args[1:])]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, env=_env(), check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}"
        )
    return proc.stderr if stderr else proc.stdout


def pattern(seed: str, size: int) -> bytes:
    """Deterministic pseudo-random bytes."""
    out = bytearray()
    n = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{n}".encode()).digest()
        n += 1
    return bytes(out[:size])


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def file_hashes(path: Path) -> tuple[str, str]:
    """(MD5, SHA-256) of a file."""
    h5, h256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MIB):
            h5.update(chunk)
            h256.update(chunk)
    return h5.hexdigest(), h256.hexdigest()


def parts_hashes(parts: Sequence[Path]) -> tuple[str, str]:
    """(MD5, SHA-256) of the concatenation of files."""
    h5, h256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    for p in parts:
        with open(p, "rb") as f:
            while chunk := f.read(MIB):
                h5.update(chunk)
                h256.update(chunk)
    return h5.hexdigest(), h256.hexdigest()


@dataclass(frozen=True)
class Volume:
    """What a scan must report for one partition."""

    index: str  # "p1", ...
    offset: int  # bytes
    length: int  # bytes
    fs_type: str | None
    status: str  # "ok" | "no_filesystem"
    paths: dict[str, bool] = field(default_factory=dict)  # path → deleted
    md5: dict[str, str] = field(default_factory=dict)  # regular file path → content MD5
    dirs: frozenset[str] = frozenset()
    mtime: dict[str, str] = field(default_factory=dict)  # path → exact ISO mtime


@dataclass(frozen=True)
class Disk:
    path: Path
    size: int
    md5: str
    sha256: str
    volumes: tuple[Volume, ...]

    def volume(self, index: str) -> Volume:
        return next(v for v in self.volumes if v.index == index)


@dataclass(frozen=True)
class Tree:
    """The content put into one file system: live files, directories, deleted files."""

    files: dict[str, bytes]
    deleted: dict[str, bytes] = field(default_factory=dict)

    @property
    def dirs(self) -> list[str]:
        out: set[str] = set()
        for path in [*self.files, *self.deleted]:
            parts = path.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                out.add("/" + "/".join(parts[:i]))
        return sorted(out, key=lambda d: (d.count("/"), d))


FAT_TREE = Tree(
    files={
        "/رسالة.txt": "مرحبا، هذه رسالة سرية من طرابلس.\n".encode(),
        "/docs/документ.txt": "Совершенно секретно: документ номер 7.\n".encode(),
        "/docs/inner/deep.bin": pattern("deep", 5000),  # spans ten 512-byte clusters
        "/docs/inner/empty.txt": b"",
        "/docs/ملفات عربية/تقرير نهائي.txt": "التقرير النهائي\n".encode() * 40,
        "/README.TXT": b"plain 8.3 name\n",
    },
    deleted={
        # A short all-lower-case name has no long-name entry: TSK replaces its first character.
        "/secret.txt": b"top secret, deleted with mdel\n" * 60,
        # A long name survives deletion in its LFN entries.
        "/محذوف.txt": pattern("deleted-arabic", 3000),
    },
)
LOGICAL_FAT_TREE = Tree(
    files={
        "/logical/ملف.txt": "ملف في قسم منطقي\n".encode(),
        "/logical/файл.txt": "файл в логическом разделе\n".encode(),
    },
    deleted={"/gone.bin": pattern("gone", 1200)},
)
EXT4_TREE = Tree(
    files={
        "/notes/ملاحظة.txt": "ملاحظة على ext4\n".encode(),
        "/отчёт.txt": "Отчёт на ext4\n".encode(),
        "/data/blob.bin": pattern("ext4-blob", 70000),
    },
    deleted={"/removed.txt": b"removed with debugfs rm\n"},
)


def fat_deleted_name(path: str) -> str:
    """The path TSK reports for a file deleted from FAT (see FAT_TREE's comments)."""
    head, _, name = path.rpartition("/")
    stem, _, ext = name.partition(".")
    short = len(stem) <= 8 and len(ext) <= 3 and name.isascii() and name == name.lower()
    return f"{head}/_{name[1:]}" if short else path


def _fat_label_entry(label: str) -> str:
    return f"/{label.ljust(11)} (Volume Label Entry)"


def make_fat(
    image: Path, bits: int, tree: Tree, label: str, hidden: int, workdir: Path
) -> tuple[dict[str, bool], dict[str, str]]:
    """A FAT12/16/32 file system image file; returns (paths → deleted, path → MD5)."""
    sectors = FAT_SECTORS[bits]
    image.unlink(missing_ok=True)
    run(
        "mkfs.fat", "-F", str(bits), "-s", "1", "-n", label, "-i", "5a4b3c2d", "-h", str(hidden),
        "--invariant", "-C", image, str(sectors * SECTOR // 1024),
    )  # fmt: skip
    src = workdir / f"{image.name}.src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for d in tree.dirs:
        run("mmd", "-i", image, f"::{d}")
    # All copies first, deletions last: mcopy reuses a deleted entry's slot.
    for n, (path, data) in enumerate(sorted({**tree.files, **tree.deleted}.items())):
        local = src / f"{n}.dat"
        local.write_bytes(data)
        os.utime(local, (FIXED_MTIME, FIXED_MTIME))
        run("mcopy", "-m", "-i", image, local, f"::{path}")
    for path in sorted(tree.deleted):
        run("mdel", "-i", image, f"::{path}")
    shutil.rmtree(src)
    paths = {p: False for p in [*tree.files, *tree.dirs]}
    paths.update({fat_deleted_name(p): True for p in tree.deleted})
    for virtual in ("/$MBR", "/$FAT1", "/$FAT2", "/$OrphanFiles"):
        paths[virtual] = False
    paths[_fat_label_entry(label)] = False
    hashes = {p: md5(d) for p, d in tree.files.items()}
    # FAT keeps a deleted file's clusters; on a fresh file system they are contiguous.
    hashes.update({fat_deleted_name(p): md5(d) for p, d in tree.deleted.items()})
    return paths, hashes


def make_ext4(
    image: Path, tree: Tree, workdir: Path
) -> tuple[dict[str, bool], dict[str, str], dict[str, str]]:
    """An ext4 image populated by `mke2fs -d`; deleted files removed with `debugfs rm`.

    Returns (paths → deleted, path → MD5 of live files, path → mtime). A deleted file's
    content is not promised (ext4 usually zeroes the extents), so it has no MD5 entry.
    """
    src = workdir / f"{image.name}.src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for path, data in {**tree.files, **tree.deleted}.items():
        local = src / path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
    for p in sorted(src.rglob("*"), reverse=True):
        os.utime(p, (FIXED_MTIME, FIXED_MTIME))
    image.unlink(missing_ok=True)
    run(
        "mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", "-L", "QEXT", "-U", FIXED_UUID,
        "-E", f"hash_seed={FIXED_UUID}", "-d", src, image, f"{EXT4_SECTORS * SECTOR // 1024}k",
    )  # fmt: skip
    # mke2fs copies each source file's ctime (the clock's "now"): pin it, then delete.
    script = workdir / f"{image.name}.debugfs"
    lines = [f"sif {p} {f} {v}" for p in [*tree.dirs, *tree.files, *tree.deleted]
             for f, v in (("ctime", f"@{FIXED_MTIME}"), ("ctime_extra", "0"))]  # fmt: skip
    lines += [f"rm {p}" for p in sorted(tree.deleted)]
    assert not any(" " in p for p in [*tree.files, *tree.deleted]), "debugfs splits on spaces"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # debugfs exits 0 even when a command fails; its stderr must hold only its banner.
    errors = [
        line
        for line in run("debugfs", "-w", "-f", script, image, stderr=True).splitlines()
        if line and not line.startswith(b"debugfs ")
    ]
    assert not errors, errors
    script.unlink()
    shutil.rmtree(src)
    paths = {p: False for p in [*tree.files, *tree.dirs, "/lost+found", "/$OrphanFiles"]}
    paths.update({p: True for p in tree.deleted})
    mtimes = {p: FIXED_MTIME_ISO for p in [*tree.files, *tree.dirs]}
    return paths, {p: md5(d) for p, d in tree.files.items()}, mtimes


def _write_at(image: Path, offset: int, fs_image: Path) -> None:
    with open(image, "r+b") as dst, open(fs_image, "rb") as src:
        dst.seek(offset)
        shutil.copyfileobj(src, dst, MIB)


def _sfdisk_starts(image: Path) -> list[tuple[int, int, str]]:
    table = json.loads(run("sfdisk", "-J", image))["partitiontable"]
    return [(p["start"], p["size"], p["type"]) for p in table["partitions"]]


def _disk(path: Path, volumes: Sequence[Volume]) -> Disk:
    h5, h256 = file_hashes(path)
    return Disk(path, path.stat().st_size, h5, h256, tuple(volumes))


def mbr_disk(directory: Path, fat_bits: int) -> Disk:
    """MBR: p1 primary FAT{fat_bits}; an extended partition with two logical partitions,
    p2 FAT16 and p3 ext4."""
    directory.mkdir(parents=True, exist_ok=True)
    image = directory / f"mbr_fat{fat_bits}.raw"
    p1 = FAT_SECTORS[fat_bits]
    p2 = FAT_SECTORS[16]
    p3 = EXT4_SECTORS
    total = 2048 + p1 + 2048 + p2 + 2048 + p3 + 2048
    image.unlink(missing_ok=True)
    with open(image, "wb") as f:
        f.truncate(total * SECTOR)
    script = (
        "label: dos\nlabel-id: 0x51a21a00\nunit: sectors\n\n"
        f"start=2048, size={p1}, type={MBR_FAT_TYPE[fat_bits]}\n"
        f"start={2048 + p1}, type=5\n"
        f"size={p2}, type=6\n"
        f"size={p3}, type=83\n"
    )
    run("sfdisk", "--no-reread", "--no-tell-kernel", image, stdin=script.encode())
    layout = [p for p in _sfdisk_starts(image) if p[2] != "5"]
    assert [size for _, size, _ in layout] == [p1, p2, p3], layout
    (s1, _, _), (s2, _, _), (s3, _, _) = layout

    fat1 = directory / f"mbr_fat{fat_bits}.p1"
    paths1, md5_1 = make_fat(fat1, fat_bits, FAT_TREE, "QARINA", s1, directory)
    fat2 = directory / f"mbr_fat{fat_bits}.p2"
    paths2, md5_2 = make_fat(fat2, 16, LOGICAL_FAT_TREE, "LOGICAL", s2, directory)
    ext = directory / f"mbr_fat{fat_bits}.p3"
    paths3, md5_3, mtimes3 = make_ext4(ext, EXT4_TREE, directory)
    for start, fs_image in ((s1, fat1), (s2, fat2), (s3, ext)):
        _write_at(image, start * SECTOR, fs_image)
        fs_image.unlink()
    volumes = (
        Volume("p1", s1 * SECTOR, p1 * SECTOR, FAT_TSK_NAME[fat_bits], "ok", paths1, md5_1,
               frozenset(FAT_TREE.dirs)),
        Volume("p2", s2 * SECTOR, p2 * SECTOR, "FAT16", "ok", paths2, md5_2,
               frozenset(LOGICAL_FAT_TREE.dirs)),
        Volume("p3", s3 * SECTOR, p3 * SECTOR, "ext4", "ok", paths3, md5_3,
               frozenset([*EXT4_TREE.dirs, "/lost+found"]), mtimes3),
    )  # fmt: skip
    return _disk(image, volumes)


def gpt_disk(directory: Path) -> Disk:
    """GPT: p1 FAT32 (basic data), p2 ext4 (Linux), p3 zeros (Linux type, no file system)."""
    directory.mkdir(parents=True, exist_ok=True)
    image = directory / "gpt.raw"
    p1, p2, p3 = FAT_SECTORS[32], EXT4_SECTORS, 2048
    total = 2048 + p1 + p2 + p3 + 2048
    image.unlink(missing_ok=True)
    with open(image, "wb") as f:
        f.truncate(total * SECTOR)
    s1, s2, s3 = 2048, 2048 + p1, 2048 + p1 + p2
    run(
        "sgdisk", "-o", "-U", DISK_GUID,
        "-n", f"1:{s1}:{s1 + p1 - 1}", "-t", "1:0700", "-c", "1:DATA", "-u", f"1:{PART_GUIDS[0]}",
        "-n", f"2:{s2}:{s2 + p2 - 1}", "-t", "2:8300", "-c", "2:LINUX", "-u", f"2:{PART_GUIDS[1]}",
        "-n", f"3:{s3}:{s3 + p3 - 1}", "-t", "3:8300", "-c", "3:EMPTY", "-u", f"3:{PART_GUIDS[2]}",
        image,
    )  # fmt: skip
    fat = directory / "gpt.p1"
    paths1, md5_1 = make_fat(fat, 32, FAT_TREE, "GPTFAT", s1, directory)
    ext = directory / "gpt.p2"
    paths2, md5_2, mtimes2 = make_ext4(ext, EXT4_TREE, directory)
    for start, fs_image in ((s1, fat), (s2, ext)):
        _write_at(image, start * SECTOR, fs_image)
        fs_image.unlink()
    volumes = (
        Volume("p1", s1 * SECTOR, p1 * SECTOR, "FAT32", "ok", paths1, md5_1,
               frozenset(FAT_TREE.dirs)),
        Volume("p2", s2 * SECTOR, p2 * SECTOR, "ext4", "ok", paths2, md5_2,
               frozenset([*EXT4_TREE.dirs, "/lost+found"]), mtimes2),
        Volume("p3", s3 * SECTOR, p3 * SECTOR, None, "no_filesystem"),
    )  # fmt: skip
    return _disk(image, volumes)


def mbr_entry(index: int) -> int:
    """Byte offset of primary partition table entry `index` (1-4) in the MBR."""
    return 446 + 16 * (index - 1)


def past_end_disk(source: Disk, directory: Path, entry: int) -> tuple[Disk, int]:
    """A copy of an MBR disk whose primary entry `entry` (1-4) starts past the end of the image.

    An unused entry becomes a 1 MiB Linux partition; a used one keeps its type and size.
    Returns the disk (with the facts of the source's volumes) and the bad entry's offset.
    """
    directory.mkdir(parents=True, exist_ok=True)
    image = directory / f"past_end_{entry}.raw"
    shutil.copyfile(source.path, image)
    start = source.size // SECTOR + 4096
    with open(image, "r+b") as f:
        f.seek(mbr_entry(entry))
        old = f.read(16)
        if old == bytes(16):
            new = struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", 0x83, b"\xfe\xff\xff", start, 2048)
        else:
            new = old[:8] + struct.pack("<I", start) + old[12:]
        f.seek(mbr_entry(entry))
        f.write(new)
    return _disk(image, source.volumes), start * SECTOR


def truncated_disk(source: Disk, directory: Path, keep: int) -> Disk:
    """The first `keep` bytes of a disk: an acquisition that stopped early."""
    directory.mkdir(parents=True, exist_ok=True)
    image = directory / f"truncated_{keep}.raw"
    with open(source.path, "rb") as src, open(image, "wb") as dst:
        dst.write(src.read(keep))
    return _disk(image, source.volumes)


def split_raw(image: Path, directory: Path, numeric: bool) -> list[Path]:
    """`split -b 1M` into `NAME.aa, NAME.ab, …` or `NAME.001, NAME.002, …`."""
    directory.mkdir(parents=True, exist_ok=True)
    prefix = directory / f"{image.name}."
    if numeric:
        run("split", "-b", "1M", "-d", "-a", "3", "--numeric-suffixes=1", image, prefix)
    else:
        run("split", "-b", "1M", "-a", "2", image, prefix)
    return sorted(directory.glob(f"{image.name}.*"))


def ewf(image: Path, directory: Path, segment: str | None = None, sha1: bool = False) -> list[Path]:
    """`ewfacquire -u` (uncompressed chunks); with `segment` (e.g. "1MiB") a split set."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / image.stem
    args: list[str | Path] = [
        "ewfacquire", "-u", "-q", "-t", target, "-c", "none", "-f", "encase6",
        "-C", "CASE-2024-17", "-E", "EV-1", "-e", "Examiner Q", "-D", "generated test disk",
        "-N", "notes",
    ]  # fmt: skip
    if segment:
        args += ["-S", segment]
    if sha1:
        args += ["-d", "sha1"]
    run(*args, image)
    return sorted(directory.glob(f"{image.stem}.E[0-9][0-9]"))


def corrupt_copy(segment: Path, directory: Path, needle: bytes) -> Path:
    """A copy of an E01 segment with bytes flipped inside the chunk that holds `needle`."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / segment.name
    data = bytearray(segment.read_bytes())
    at = data.find(needle)
    assert at > 0, "needle not stored verbatim (compressed chunk?)"
    for i in range(at + 8, at + 24):
        data[i] ^= 0xFF
    copy.write_bytes(bytes(data))
    return copy


def gzip_raw(image: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{image.name}.gz"
    # mtime=0 and no file name in the header: the same bytes on every run.
    with (
        open(image, "rb") as src,
        open(out, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1) as gz,
    ):
        shutil.copyfileobj(src, gz, MIB)
    return out


def fls_entries(image: Path, offset: int) -> dict[str, bool] | None:
    """`fls -r -p -o SECTOR` as {"/path": deleted}, or None when fls is not installed."""
    if not have("fls"):
        return None
    out = run("fls", "-r", "-p", "-o", str(offset // SECTOR), image).decode("utf-8")
    entries: dict[str, bool] = {}
    for line in out.splitlines():
        meta, sep, name = line.partition("\t")
        if sep:
            entries["/" + name] = "*" in meta
    return entries
