"""An unencrypted iTunes/Finder backup folder (iOS 10+), written deterministically.

Layout (the public iOS backup format, as iLEAPP, mvt and Qarina's `ios_backup.py` read it):
`Manifest.db` has a table `Files(fileID, domain, relativePath, flags, file)` listing every
item, flags 1 = file, 2 = directory, 4 = symbolic link; fileID is the SHA-1 of
"<domain>-<relativePath>" and a file's content is stored at `<backup>/<fileID[:2]>/<fileID>`;
`file` is an NSKeyedArchiver binary property list of an `MBFile` (Size, LastModified,
LastStatusChange and Birth in Unix seconds, InodeNumber, Mode, UserID/GroupID, Flags,
ProtectionClass; Target for links and EncryptionKey in encrypted backups). Beside it lie
Manifest.plist, Info.plist and Status.plist (given by the caller: they describe the device).

Every directory of a domain gets its own row, as iTunes writes them. Rows are sorted by
domain and path, inodes numbered in that order, and every file and folder of the backup gets
the backup's time as its mtime, so two runs give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from .ios_schemas import sqlite_bytes

MANIFEST_DB = (
    "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER,"
    " file BLOB)",
    "CREATE INDEX FilesDomainIdx ON Files(domain)",
    "CREATE INDEX FilesRelativePathIdx ON Files(relativePath)",
    "CREATE INDEX FilesFlagsIdx ON Files(flags)",
    "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)",
)
FILE, DIRECTORY, LINK = 1, 2, 4
FILE_MODE, DIR_MODE = 0o100644, 0o040755
MOBILE_UID = 501  # the `mobile` user that owns app data on iOS
_FIRST_INODE = 100_001
_INSERT = "INSERT INTO Files (fileID, domain, relativePath, flags, file) VALUES (?,?,?,?,?)"


def file_id(domain: str, relative: str) -> str:
    """The fileID of an item: SHA-1 hex of "<domain>-<relativePath>"."""
    return hashlib.sha1(f"{domain}-{relative}".encode()).hexdigest()


def mbfile(
    relative: str,
    size: int,
    *,
    mtime: int,
    birth: int,
    changed: int,
    inode: int,
    mode: int = FILE_MODE,
    encryption_key: bytes | None = None,
    target: str | None = None,
) -> bytes:
    """The `file` column of a Files row: an NSKeyedArchiver archive of one MBFile, whose
    object table holds the record, its relative path and class, then the optional
    EncryptionKey (NSMutableData) and link Target. Times are Unix seconds."""
    uid = plistlib.UID
    record: dict[str, object] = {
        "$class": uid(3), "Size": size, "LastModified": mtime, "Birth": birth,
        "LastStatusChange": changed, "InodeNumber": inode, "Mode": mode,
        "UserID": MOBILE_UID, "GroupID": MOBILE_UID, "ProtectionClass": 3, "Flags": 0,
        "RelativePath": uid(2),
    }  # fmt: skip
    objects: list[object] = [
        "$null", record, relative,
        {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]},
    ]  # fmt: skip
    if encryption_key is not None:
        record["EncryptionKey"] = uid(len(objects))
        data_class = {"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSObject"]}
        objects += [{"NS.data": encryption_key, "$class": uid(len(objects) + 1)}, data_class]
    if target is not None:
        record["Target"] = uid(len(objects))
        objects.append(target)
    archive = {"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": {"root": uid(1)},
               "$objects": objects}  # fmt: skip
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


@dataclass(frozen=True)
class BackupFile:
    """One file of the device: where it lives (domain, path relative to the domain's root),
    its bytes, and its times on the device (UTC)."""

    domain: str
    relative: str
    data: bytes
    mtime: datetime
    birth: datetime


@dataclass(frozen=True)
class _Item:
    domain: str
    relative: str
    flags: int
    size: int
    mtime: int
    birth: int


def _file_item(f: BackupFile) -> _Item:
    mtime, birth = int(f.mtime.timestamp()), int(f.birth.timestamp())
    return _Item(f.domain, f.relative, FILE, len(f.data), mtime, birth)


def _items(files: Sequence[BackupFile]) -> list[_Item]:
    """The files and every folder above them in their domain (the domain's root is ""),
    sorted; a folder's mtime is the latest of what it holds, its birth the earliest."""
    items = {(f.domain, f.relative): _file_item(f) for f in files}
    if len(items) != len(files):
        raise ValueError("two backup files share a domain and path")
    for f in files:
        for parent in PurePosixPath(f.relative).parents:
            key = (f.domain, "" if str(parent) == "." else str(parent))
            held = items[(f.domain, f.relative)]
            old = items.get(key)
            if old is not None and old.flags == FILE:
                raise ValueError(f"{f.domain} {key[1]!r} is a file and a folder")
            mtime = max(held.mtime, old.mtime) if old else held.mtime
            birth = min(held.birth, old.birth) if old else held.birth
            items[key] = _Item(f.domain, key[1], DIRECTORY, 0, mtime, birth)
    return [items[key] for key in sorted(items)]


def _rows(items: list[_Item]) -> list[tuple[str, str, str, int, bytes]]:
    rows = []
    for inode, item in enumerate(items, _FIRST_INODE):
        mode = FILE_MODE if item.flags == FILE else DIR_MODE
        record = mbfile(
            item.relative, item.size, mtime=item.mtime, birth=item.birth, changed=item.mtime,
            inode=inode, mode=mode,
        )  # fmt: skip
        rows.append((file_id(item.domain, item.relative), item.domain, item.relative,
                     item.flags, record))  # fmt: skip
    return rows


def _write(path: Path, data: bytes, when: int) -> None:
    path.write_bytes(data)
    os.utime(path, (when, when))


def write_backup(
    out: Path, files: Sequence[BackupFile], plists: dict[str, bytes], written: datetime
) -> Path:
    """Write the backup folder `out` (created; it must not hold anything yet): each file at
    `xx/<fileID>`, Manifest.db, and the `plists` (name → bytes: Manifest.plist, Info.plist,
    Status.plist). `written` is the time of the backup: the mtime of everything in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    when = int(written.timestamp())
    for f in sorted(files, key=lambda f: (f.domain, f.relative)):
        fid = file_id(f.domain, f.relative)
        (out / fid[:2]).mkdir(exist_ok=True)
        _write(out / fid[:2] / fid, f.data, when)
    _write(out / "Manifest.db", sqlite_bytes(MANIFEST_DB, [(_INSERT, _rows(_items(files)))]), when)
    for name in sorted(plists):
        _write(out / name, plists[name], when)
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        os.utime(folder, (when, when))
    os.utime(out, (when, when))
    return out
