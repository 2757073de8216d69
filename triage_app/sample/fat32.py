"""A FAT32 file system written byte for byte, for the sample laptop's data partition.

Follows Microsoft's "FAT: General Overview of On-Disk Format" 1.03 (cited below as "spec",
by section title): "Boot Sector and BPB", "FAT Data Structure", "FAT32 FSInfo Sector
Structure and Backup Boot Sector", "FAT Directory Structure" (entries and their dates),
"FAT Long Directory Entries" (VFAT names and their checksum) and Windows' 8.3 alias
generation ("The Basis-Name Generation Algorithm", "The Numeric-Tail Generation
Algorithm"). Everything is laid out in a fixed order (root, directories, files sorted by
path; each contiguous), so a tree always gives the same image. A deleted file is written
like any other, then marked deleted the way Windows leaves it: 0xE5 over the first byte of
its 8.3 entry and of its long-name entries, its FAT chain zeroed, the free count raised —
content left in place, recoverable from the contiguous clusters (as The Sleuth Kit does).

Aliases use ASCII only: a character Windows would map to the OEM code page becomes "_", so
the alias does not depend on the machine's code page (the long name carries the real
name). Long names are written as given, even with characters Windows' own API refuses
(`<`, `>`, `?`...): the sample plants hostile names on purpose and readers must cope.
"""

from __future__ import annotations

import itertools
import string
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from triage_app.sample.fsmodel import FsFile, FsTree

SECTOR = 512
DIR_ENTRY = 32
_RESERVED = 32  # spec "Boot Sector and BPB": the FAT32 norm
_FATS = 2
_ROOT_CLUSTER = 2
_FSINFO_SECTOR = 1
_BACKUP_BOOT = 6
_MIN_CLUSTERS = 65_525  # "FAT Type Determination"; TSK agrees
_MEDIA = 0xF8
_EOC = 0x0FFFFFFF
_ATTR_VOLUME_ID = 0x08
_ATTR_DIRECTORY = 0x10
_ATTR_ARCHIVE = 0x20
_ATTR_LFN = 0x0F
_DELETED = 0xE5
_LFN_LAST = 0x40
_LFN_BYTES = 26  # 13 UTF-16 code units per long-name entry (spec "FAT Long Directory Entries")
_LFN_MAX_UNITS = 255
_CASE_LOWER_BASE = 0x08  # NTRes bits Windows NT sets for an all-lower-case 8.3 part
_CASE_LOWER_EXT = 0x10
# Spec "FAT Volume Initialization", DskTableFAT32: up to so many sectors, so many per cluster.
_SPC_TABLE = ((532_480, 1), (16_777_216, 8), (33_554_432, 16), (67_108_864, 32), (2**32 - 1, 64))
# Spec "FAT Directory Structure": 8.3 name characters besides those >= 0x80 (not used here).
_SHORT_OK = frozenset(string.ascii_uppercase + string.digits + "!#$%&'()-@^_`{}~")


@dataclass(frozen=True)
class _Geometry:
    """Sizes in sectors and the cluster count ("FAT Type Determination")."""

    total: int
    spc: int
    fat_sectors: int
    clusters: int

    @property
    def cluster_bytes(self) -> int:
        return self.spc * SECTOR

    def offset(self, cluster: int) -> int:
        """Byte offset of a data cluster (spec "FAT Data Structure": FirstSectorofCluster)."""
        first_data = _RESERVED + _FATS * self.fat_sectors
        return (first_data + (cluster - 2) * self.spc) * SECTOR


@dataclass(frozen=True)
class _Entry:
    """One name in a directory: its long name, 8.3 alias and what it points to."""

    name: str
    short: bytes  # 11 bytes, space padded, no dot
    case: int  # NTRes case bits when the alias alone carries the name
    lfn: bool  # whether long-name entries precede the 8.3 entry
    path: str
    file: FsFile | None  # None for a directory

    @property
    def slots(self) -> int:
        units = len(self.name.encode("utf-16-le"))
        return 1 + (-(-units // _LFN_BYTES) if self.lfn else 0)


def build_fat32(
    tree: FsTree,
    *,
    size_bytes: int,
    label: str,
    volume_id: int,
    when: datetime,
    hidden_sectors: int = 0,
) -> bytes:
    """The FAT32 image of `tree`, `size_bytes` long (a multiple of 512).

    `when` dates the directories and the volume label; `hidden_sectors` is the partition's
    start LBA (BPB_HiddSec). Raises ValueError for a size too small for 65,525 clusters, a
    tree that does not fit, bad names or label, or a date outside 1980-2107.
    """
    geo = _geometry(size_bytes)
    label11 = _label(label)
    if not 0 <= volume_id <= 0xFFFFFFFF or not 0 <= hidden_sectors <= 0xFFFFFFFF:
        raise ValueError("volume_id and hidden_sectors must fit in 32 bits")
    listing = _listing(tree)
    runs = _allocate(tree, listing, geo)
    image = bytearray(size_bytes)
    live = _write_fats(image, geo, runs, frozenset(f.path for f in tree.files if f.deleted))
    for path, entries in listing.items():
        first, _ = runs[path]
        data = _directory_bytes(path, entries, runs, label11, when)
        image[geo.offset(first) : geo.offset(first) + len(data)] = data
    for f in tree.files:
        if f.data:
            start = geo.offset(runs[f.path][0])
            image[start : start + len(f.data)] = f.data
    after_last = max(first + count for first, count in runs.values())
    _write_boot(image, geo, label11, volume_id, hidden_sectors)
    hint = (
        after_last if after_last < geo.clusters + 2 else 0xFFFFFFFF
    )  # "unknown", per the FSInfo section
    _write_fsinfo(image, geo.clusters - live, hint)
    return bytes(image)


def _geometry(size_bytes: int) -> _Geometry:
    """Sectors per cluster from the spec's DskTableFAT32 (1 up to 260 MiB), then the FAT size."""
    if size_bytes <= 0 or size_bytes % SECTOR or size_bytes // SECTOR > 0xFFFFFFFF:
        raise ValueError(f"size_bytes must be a positive multiple of {SECTOR} below 2 TiB")
    total = size_bytes // SECTOR
    spc = next(s for limit, s in _SPC_TABLE if total <= limit)
    # Spec "FAT Volume Initialization", FATSz: never too small, at most a sector too large.
    fat = -(-(total - _RESERVED) // (128 * spc + 1))
    clusters = (total - _RESERVED - _FATS * fat) // spc
    if clusters < _MIN_CLUSTERS:
        raise ValueError(
            f"{size_bytes} bytes give {clusters} clusters; FAT32 needs {_MIN_CLUSTERS} "
            "(about 33 MiB with 512-byte clusters)"
        )
    return _Geometry(total, spc, fat, clusters)


def _label(label: str) -> bytes:
    """The 11-byte volume label: upper case, 8.3 characters and spaces (as for 8.3 names)."""
    upper = label.upper()
    if not upper.strip() or len(upper) > 11 or any(c not in _SHORT_OK | {" "} for c in upper):
        raise ValueError(f"bad FAT volume label {label!r}")
    return upper.ljust(11).encode("ascii")


def _listing(tree: FsTree) -> dict[str, list[_Entry]]:
    """Every directory ("/" first, then `tree.directories()`) with its entries by name."""
    dirs = tree.directories()
    children: dict[str, list[tuple[str, str, FsFile | None]]] = {d: [] for d in ["/", *dirs]}
    items: list[tuple[str, FsFile | None]] = [(d, None) for d in dirs]
    items += [(f.path, f) for f in tree.files]
    for path, file in items:
        pure = PurePosixPath(path)
        if str(pure) != path or not pure.is_absolute() or ".." in pure.parts or path == "/":
            raise ValueError(f"not a canonical absolute path: {path!r}")
        if file is not None and path in children:
            raise ValueError(f"{path!r} is both a file and a directory")
        children[str(pure.parent)].append((pure.name, path, file))
    listing: dict[str, list[_Entry]] = {}
    for directory, kids in children.items():
        kids.sort(key=lambda kid: kid[0])
        aliases = _aliases([name for name, _, _ in kids])
        listing[directory] = [
            _Entry(name, *aliases[name], path=path, file=file) for name, path, file in kids
        ]
    return listing


def _aliases(names: Sequence[str]) -> dict[str, tuple[bytes, int, bool]]:
    """name → (8.3 alias, case bits, needs long-name entries), like Windows assigns them.

    Names that are valid 8.3 names up to case keep themselves first; the others get the
    spec's basis name with the lowest free "~n" tail ("The Numeric-Tail Generation Algorithm").
    """
    for name in names:
        _check_name(name)
    if len({n.upper() for n in names}) != len(names):
        raise ValueError(f"names differing only in case in one directory: {sorted(names)}")
    out: dict[str, tuple[bytes, int, bool]] = {}
    for name in names:
        if _fits_83(name):
            base, _, ext = name.partition(".")
            case = _case_bits(base, ext)
            out[name] = (_pack83(base.upper(), ext.upper()), case or 0, case is None)
    taken = {short for short, _, _ in out.values()}
    for name in names:
        if name not in out:
            primary, ext = _basis(name)
            for n in itertools.count(1):
                tail = f"~{n}"
                short = _pack83(primary[: 8 - len(tail)] + tail, ext)
                if short not in taken:
                    break
            taken.add(short)
            out[name] = (short, 0, True)
    return out


def _check_name(name: str) -> None:
    units = len(name.encode("utf-16-le")) // 2
    if name in ("", ".", "..") or "\x00" in name or "/" in name or units > _LFN_MAX_UNITS:
        raise ValueError(f"not a FAT long name: {name!r}")


def _fits_83(name: str) -> bool:
    """Whether the name is its own 8.3 alias up to case (no tail, no lossy conversion)."""
    base, dot, ext = name.partition(".")
    return (
        1 <= len(base) <= 8
        and len(ext) <= 3
        and (not dot or bool(ext))
        and all(c.upper() in _SHORT_OK and c.isascii() for c in base + ext)
    )


def _case_bits(base: str, ext: str) -> int | None:
    """NTRes bits for a name each part of which is in one case; None for mixed case."""
    if any(part not in (part.upper(), part.lower()) for part in (base, ext)):
        return None
    lower_base = _CASE_LOWER_BASE if base != base.upper() else 0
    return lower_base | (_CASE_LOWER_EXT if ext != ext.upper() else 0)


def _basis(name: str) -> tuple[str, str]:
    """Spec "The Basis-Name Generation Algorithm": upper case, characters invalid in an alias become
    "_", spaces and leading periods go, the primary part stops at a period or 8 characters,
    the extension is up to 3 characters after the last period."""
    oem = "".join(
        "" if c == " " else c if c == "." else (c.upper() if c.upper() in _SHORT_OK else "_")
        for c in name
    ).lstrip(".")
    primary = oem.split(".", 1)[0][:8] or "_"
    ext = oem.rsplit(".", 1)[1][:3] if "." in oem else ""
    return primary, ext


def _pack83(base: str, ext: str) -> bytes:
    return (base.ljust(8) + ext.ljust(3)).encode("ascii")


def _allocate(
    tree: FsTree, listing: dict[str, list[_Entry]], geo: _Geometry
) -> dict[str, tuple[int, int]]:
    """path → (first cluster, cluster count): the root at cluster 2, then the directories
    parents first, then the files by path, each contiguous (empty files get none)."""
    runs: dict[str, tuple[int, int]] = {}
    cursor = _ROOT_CLUSTER
    for path, entries in listing.items():
        fixed = 1 if path == "/" else 2  # the volume label, or "." and ".."
        size = (fixed + sum(e.slots for e in entries)) * DIR_ENTRY
        count = max(1, -(-size // geo.cluster_bytes))
        runs[path] = (cursor, count)
        cursor += count
    for f in sorted(tree.files, key=lambda f: f.path):
        if f.data:
            count = -(-len(f.data) // geo.cluster_bytes)
            runs[f.path] = (cursor, count)
            cursor += count
    if cursor - _ROOT_CLUSTER > geo.clusters:
        raise ValueError(f"the tree needs {cursor - 2} clusters, the volume has {geo.clusters}")
    return runs


def _write_fats(
    image: bytearray, geo: _Geometry, runs: dict[str, tuple[int, int]], deleted: frozenset[str]
) -> int:
    """Both FATs ("FAT Data Structure"): entries 0 and 1 reserved, a chain per live run. Returns the
    number of clusters in use. A deleted file's chain stays zero (free), as Windows leaves it."""
    fat = bytearray(geo.fat_sectors * SECTOR)
    struct.pack_into("<II", fat, 0, 0x0FFFFF00 | _MEDIA, _EOC)  # EOC with clean-shutdown bits
    used = 0
    for path, (first, count) in runs.items():
        if path in deleted:
            continue
        links = [*range(first + 1, first + count), _EOC]
        struct.pack_into(f"<{count}I", fat, first * 4, *links)
        used += count
    for n in range(_FATS):
        start = (_RESERVED + n * geo.fat_sectors) * SECTOR
        image[start : start + len(fat)] = fat
    return used


def _directory_bytes(
    path: str,
    entries: Sequence[_Entry],
    runs: dict[str, tuple[int, int]],
    label11: bytes,
    when: datetime,
) -> bytes:
    """A directory's entries ("FAT Directory Structure"): the label in the root, "." and
    ".." elsewhere, then each child's long-name entries and 8.3 entry."""
    if path == "/":
        out = [_short_entry(label11, _ATTR_VOLUME_ID, 0, 0, 0, when)]
    else:
        parent = str(PurePosixPath(path).parent)
        parent_cluster = 0 if parent == "/" else runs[parent][0]  # 0 means the root (spec)
        out = [
            _short_entry(_pack83(".", ""), _ATTR_DIRECTORY, 0, runs[path][0], 0, when),
            _short_entry(_pack83("..", ""), _ATTR_DIRECTORY, 0, parent_cluster, 0, when),
        ]
    for e in entries:
        first = runs[e.path][0] if e.path in runs else 0
        if e.file is None:
            slots = [_short_entry(e.short, _ATTR_DIRECTORY, e.case, first, 0, when)]
        else:
            size = len(e.file.data)
            slots = [_short_entry(e.short, _ATTR_ARCHIVE, e.case, first, size, e.file.mtime)]
        if e.lfn:
            slots = _lfn_entries(e.name, e.short) + slots
        if e.file is not None and e.file.deleted:
            slots = [bytes([_DELETED]) + slot[1:] for slot in slots]
        out += slots
    return b"".join(out)


def _short_entry(short: bytes, attr: int, case: int, first: int, size: int, t: datetime) -> bytes:
    """A 32-byte 8.3 entry ("FAT Directory Structure"): created, written and accessed at
    `t`. The write time keeps 2-second steps; the creation tenths byte keeps the odd second."""
    date, time = _dos_datetime(t)
    tenths = (_fat_local(t).second % 2) * 100
    return struct.pack(
        "<11s3B7HI", short, attr, case, tenths, time, date, date,
        first >> 16, time, date, first & 0xFFFF, size,
    )  # fmt: skip


def _lfn_entries(name: str, short: bytes) -> list[bytes]:
    """The long-name entries before an 8.3 entry, last part first ("FAT Long Directory
    Entries"): UTF-16LE, 13 units each, NUL-terminated and 0xFFFF-padded unless the name
    fills the last one."""
    units = name.encode("utf-16-le")
    count = -(-len(units) // _LFN_BYTES)
    if len(units) % _LFN_BYTES:
        units = (units + b"\0\0").ljust(count * _LFN_BYTES, b"\xff")
    checksum = _lfn_checksum(short)
    out = []
    for n in range(count, 0, -1):
        part = units[(n - 1) * _LFN_BYTES : n * _LFN_BYTES]
        order = n | (_LFN_LAST if n == count else 0)
        attr_type_sum = bytes((_ATTR_LFN, 0, checksum))
        out.append(bytes([order]) + part[:10] + attr_type_sum + part[10:22] + b"\0\0" + part[22:])
    return out


def _lfn_checksum(short: bytes) -> int:
    """The spec's ChkSum() ("FAT Long Directory Entries"): rotate right by one, add the
    next byte of the 11-byte alias."""
    total = 0
    for byte in short:
        total = (((total & 1) << 7) + (total >> 1) + byte) & 0xFF
    return total


def _fat_local(t: datetime) -> datetime:
    """FAT stores local time without a zone; the sample's convention is local = UTC."""
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo is not None else t


def _dos_datetime(t: datetime) -> tuple[int, int]:
    """(date, time) words ("FAT Directory Structure", date and time formats): years since
    1980, 2-second time steps."""
    local = _fat_local(t)
    if not 1980 <= local.year <= 2107:
        raise ValueError(f"FAT cannot date {t.isoformat()} (1980-2107 only)")
    date = (local.year - 1980) << 9 | local.month << 5 | local.day
    return date, local.hour << 11 | local.minute << 5 | local.second // 2


def _write_boot(
    image: bytearray, geo: _Geometry, label11: bytes, volume_id: int, hidden: int
) -> None:
    """The boot sector with the FAT32 BPB ("Boot Sector and BPB"), and its copy at sector 6."""
    boot = bytearray(SECTOR)
    struct.pack_into(
        "<3s8sHBHBHHBHHHIIIHHIHH12sBBBI11s8s", boot, 0,
        b"\xeb\x58\x90", b"MSWIN4.1", SECTOR, geo.spc, _RESERVED, _FATS, 0, 0, _MEDIA, 0,
        63, 255, hidden, geo.total, geo.fat_sectors, 0, 0, _ROOT_CLUSTER, _FSINFO_SECTOR,
        _BACKUP_BOOT, b"", 0x80, 0, 0x29, volume_id, label11, b"FAT32   ",
    )  # fmt: skip
    boot[510:512] = b"\x55\xaa"
    for sector in (0, _BACKUP_BOOT):
        image[sector * SECTOR : (sector + 1) * SECTOR] = boot


def _write_fsinfo(image: bytearray, free: int, next_free: int) -> None:
    """FSInfo ("FAT32 FSInfo Sector Structure and Backup Boot Sector") at sector 1, its copy
    at sector 7 after the backup boot sector: the free-cluster count and where to look for
    free clusters, past every file (deleted ones too: a driver would not reuse them first)."""
    info = bytearray(SECTOR)
    struct.pack_into("<I", info, 0, 0x41615252)
    struct.pack_into("<III", info, 484, 0x61417272, free, next_free)
    struct.pack_into("<I", info, 508, 0xAA550000)
    for sector in (_FSINFO_SECTOR, _BACKUP_BOOT + _FSINFO_SECTOR):
        image[sector * SECTOR : (sector + 1) * SECTOR] = info
