"""Manifest.db of an iTunes/Finder backup: the copy in the work area, its records, their paths.

The domain → device path map and the record format are described in `ios_backup.py`.
Everything read here is evidence content: domains and relative paths are sanitised into
safe path components (the original values stay in the locator), the MBFile records are
parsed defensively (a bad record loses its times, never the file), and queries on the copy
are paged and time-bounded.
"""

from __future__ import annotations

import os
import plistlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import DISK_FULL, CaseDBError, EvidenceError, ParserError
from ..models import FileRef, Locator
from ..sqlite_reader import copy_database, open_copy, table_columns
from ..timeconv import from_unix_ns, from_unix_s
from .archive import sanitise_name
from .directory import open_readonly

_MOBILE = "/private/var/mobile"
DOMAIN_ROOTS = {
    "HomeDomain": _MOBILE,
    "MediaDomain": _MOBILE,
    "CameraRollDomain": _MOBILE,
    "KeyboardDomain": _MOBILE,
    "HomeKitDomain": _MOBILE,
    "HealthDomain": _MOBILE + "/Library",
    "WirelessDomain": "/private/var/wireless",
    "SystemPreferencesDomain": "/private/var/preferences",
    "RootDomain": "/private/var/root",
    "KeychainDomain": "/private/var/Keychains",
    "DatabaseDomain": "/private/var/db",
    "ManagedPreferencesDomain": "/private/var/Managed Preferences",
}
DOMAIN_PREFIXES = (
    ("AppDomain-", _MOBILE + "/Containers/Data/Application/"),
    ("AppDomainGroup-", _MOBILE + "/Containers/Shared/AppGroup/"),
    ("AppDomainPlugin-", _MOBILE + "/Containers/Data/PluginKitPlugin/"),
    ("SysContainerDomain-", "/private/var/containers/Data/System/"),
    ("SysSharedContainerDomain-", "/private/var/containers/Shared/SystemGroup/"),
)
_KINDS = {1: "file", 2: "dir", 4: "link"}
_MAX_RECORD = 256 * 1024  # MBFile records are 0.5-3 KiB
_PAGE = 2000
_QUERY_SECONDS = 120.0
_COLUMNS = {"fileid", "domain", "relativepath", "flags", "file"}
_PLIST_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


def _component(text: str) -> tuple[str, bool]:
    """One safe path component for a domain name or bundle id, and whether it changed."""
    cleaned = sanitise_name(text)[0].replace("/", "_") or "_"
    return cleaned, cleaned != text


def _domain_root(domain: str) -> tuple[str, bool]:
    if domain in DOMAIN_ROOTS:
        return DOMAIN_ROOTS[domain], False
    for prefix, base in DOMAIN_PREFIXES:
        if domain.startswith(prefix) and len(domain) > len(prefix):
            name, changed = _component(domain[len(prefix) :])
            return base + name, changed
    name, changed = _component(domain)
    return "/" + name, changed


def virtual_path(domain: str, relative: str) -> tuple[str, str | None]:
    """The device path of a backup item, and a note when domain or path had to be cleaned."""
    root, domain_changed = _domain_root(domain)
    rel, rel_note = sanitise_name(relative)
    notes = []
    if domain_changed:
        notes.append(f"domain sanitised: {domain!r}")
    if rel_note is not None and rel != relative.rstrip("/"):
        notes.append(f"relativePath sanitised: {relative!r}")
    return (f"{root}/{rel}" if rel else root), "; ".join(notes) or None


@dataclass(frozen=True)
class Record:
    """One row of `Files`, with its MBFile fields (None where the record is unreadable)."""

    file_id: str
    domain: str
    relative: str
    path: str
    kind: str
    size: int = 0
    mtime: datetime | None = None
    ctime: datetime | None = None
    crtime: datetime | None = None
    inode: int | None = None
    wrapped_key: bytes | None = None
    target: str | None = None
    readable: bool = False
    note: str | None = None


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _mbfile(blob: Any) -> tuple[dict[str, Any], list[Any]] | None:
    """The MBFile dictionary of an NSKeyedArchiver record and the archive's object table."""
    if not isinstance(blob, bytes) or len(blob) > _MAX_RECORD:
        return None
    try:
        archive = plistlib.loads(blob, fmt=plistlib.FMT_BINARY)
        objects = archive["$objects"]
        record = objects[archive["$top"]["root"].data]
    except (*_PLIST_ERRORS, RecursionError):
        return None
    if not isinstance(record, dict) or not isinstance(objects, list):
        return None
    return record, objects


def _deref(objects: list[Any], value: Any) -> Any:
    if isinstance(value, plistlib.UID) and 0 <= value.data < len(objects):
        return objects[value.data]
    return value


def _int(record: dict[str, Any], key: str) -> int | None:
    value = record.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def record_of(row: tuple[Any, ...]) -> Record:
    file_id, domain, relative = _text(row[0]), _text(row[1]), _text(row[2])
    path, note = virtual_path(domain, relative)
    flags = row[3] if isinstance(row[3], int) else None
    kind = _KINDS.get(flags or 0, "other")
    base = Record(file_id, domain, relative, path, kind, note=note)
    parsed = _mbfile(row[4])
    if parsed is None:
        return base
    mb, objects = parsed
    key = _deref(objects, mb.get("EncryptionKey"))
    key_data = key.get("NS.data") if isinstance(key, dict) else None
    target = _deref(objects, mb.get("Target"))
    return Record(
        file_id, domain, relative, path, kind,
        size=max(_int(mb, "Size") or 0, 0),
        mtime=from_unix_s(_int(mb, "LastModified")),
        ctime=from_unix_s(_int(mb, "LastStatusChange")),
        crtime=from_unix_s(_int(mb, "Birth")),
        inode=_int(mb, "InodeNumber") or None,
        wrapped_key=key_data if isinstance(key_data, bytes) else None,
        target=target if isinstance(target, str) else None,
        readable=True,
        note=note,
    )  # fmt: skip


def content_ref(
    r: Record, size: int | None, note: str | None, st: os.stat_result | None = None
) -> FileRef:
    """The FileRef of a record; `size` is the content's real size (None: declared size)."""
    locator = Locator((("file_id", r.file_id), ("domain", r.domain), ("relative", r.relative)))
    notes = [r.note]
    if r.kind == "link":
        notes.append(f"symbolic link to {r.target!r} (not followed)")
    mtime, ctime, crtime = r.mtime, r.ctime, r.crtime
    if not r.readable:
        notes.append("Manifest.db record unreadable: times are the backup file's, not the device's")
        mtime = from_unix_ns(st.st_mtime_ns) if st is not None else None
        ctime = crtime = None
    elif size is not None and r.kind == "file" and size != r.size:
        notes.append(f"Manifest.db record says {r.size} bytes")
    notes.append(note)
    real_size = (r.size if size is None else size) if r.kind == "file" else 0
    return FileRef(
        r.path, locator, real_size, r.kind, inode=r.inode,
        mtime=mtime, ctime=ctime, crtime=crtime,
        note="; ".join(n for n in notes if n) or None,
    )  # fmt: skip


class Manifest:
    """The work-area copy of Manifest.db, open read-only."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()  # parsers may open files from several threads

    @classmethod
    def copy_from(cls, root: Path, dest: Path, key: bytes | None, encrypted: bool) -> Manifest:
        try:
            if encrypted and key is not None:
                from .ios_backup_crypto import decrypt_to

                decrypt_to(root / "Manifest.db", key, dest / "Manifest.db")
            else:
                copy_database(lambda s: _open_sibling(root, s), "Manifest.db", None, dest)
            conn = open_copy(dest / "Manifest.db")
        except OSError as exc:
            if exc.errno in DISK_FULL:  # the case's disk, not the backup
                raise CaseDBError(f"the case folder is full: {exc}") from exc
            raise EvidenceError(f"Manifest.db: cannot read: {exc}") from exc
        except (ValueError, ParserError) as exc:
            raise EvidenceError(f"Manifest.db: cannot read: {exc}") from exc
        conn.row_factory = None
        conn.text_factory = lambda b: b.decode("utf-8", "replace")
        columns = table_columns(conn).get("files", set())
        if not columns >= _COLUMNS:
            conn.close()
            raise EvidenceError(f"Manifest.db: no Files table with columns {sorted(_COLUMNS)}")
        return cls(conn)

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + _QUERY_SECONDS
        try:
            with self._lock:
                handler = lambda: int(time.monotonic() > deadline)  # noqa: E731
                self._conn.set_progress_handler(handler, 100_000)
                return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise EvidenceError(f"Manifest.db: query failed: {exc}") from exc

    def directory_paths(self) -> set[str]:
        rows = self._query("SELECT domain, relativePath FROM Files WHERE flags=2")
        return {virtual_path(_text(d), _text(r))[0] for d, r in rows}

    def pages(self) -> Iterator[list[tuple[Any, ...]]]:
        """All rows in rowid order, a page at a time (no cursor is held between pages)."""
        last = -(2**63)
        while True:
            page = self._query(
                "SELECT fileID, domain, relativePath, flags, file, rowid FROM Files"
                " WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, _PAGE),
            )
            if not page:
                return
            last = page[-1][5]
            yield page

    def record(self, file_id: str) -> Record | None:
        rows = self._query(
            "SELECT fileID, domain, relativePath, flags, file FROM Files WHERE fileID=?",
            (file_id,),
        )
        return record_of(rows[0]) if rows else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _open_sibling(root: Path, suffix: str) -> BinaryIO | None:
    path = root / f"Manifest.db{suffix}"
    return open_readonly(path) if path.is_file() else None
