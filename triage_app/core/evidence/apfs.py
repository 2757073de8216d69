"""APFS containers through libfsapfs (pyfsapfs). Only module importing pyfsapfs.

pytsk3 exposes no pool API, so `disk.py` hands every APFS container (a partition, or a whole
image without a partition table) to this adapter. libfsapfs reads the container through a
read-only file-like object over the caller's `read_at`, restricted to the container's bytes.

Walk: like `fls -r`: every entry of every volume, directories included, the root itself
excluded. Directory loops (corrupt or hostile file systems) are cut by remembering the
directory identifiers already walked; an entry that cannot be read is logged and skipped.

Checked against pyfsapfs 20260921 (PyPI libfsapfs-python) and dfvfs `test_data/apfs.raw`
(one volume `apfs_test`, no partition table). APFS timestamps are 64-bit nanoseconds since
1970-01-01 UTC; they are read as integers (pyfsapfs's own datetimes are naive) and kept to
the microsecond.

Limits:
- Deleted entries are not supported: libfsapfs reads only the current file system tree, so
  every entry has `deleted=False`. Snapshots are not walked.
- Encrypted volumes (FileVault) need a password, which this adapter does not take. They are
  skipped with a warning (listed in `ApfsContainer.skipped`); `UnsupportedFormat` is raised
  when no volume of the container is readable.
- Extended attributes, including resource forks (`com.apple.ResourceFork`), are not walked:
  a file's content is its data fork as decoded by libfsapfs (which handles decmpfs
  compression; no compressed sample was checked).
- Fusion containers (spread over two devices) are not supported.
- libfsapfs and its file-like object are not thread-safe, so every call into pyfsapfs holds
  one lock per container; openers may be used from worker threads.
"""

from __future__ import annotations

import logging
import stat
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import pyfsapfs

from ..errors import EvidenceError, UnsupportedFormat
from ..models import FileRef, Locator
from ..progress import CancelToken
from .base import Entry, ReadAtStream

log = logging.getLogger(__name__)

# nx_superblock_t: a 32-byte object header, then nx_magic, nx_block_size, nx_block_count.
_NX_MAGIC = b"NXSB"
_NX_MAGIC_OFFSET = 32
_NX_HEADER = struct.Struct("<4sIQ")
_MIN_BLOCK, _MAX_BLOCK = 4096, 65536
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KINDS = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "link"}
# libyal bindings raise OSError for read/format errors, ValueError (UnicodeDecodeError) for
# names that are not valid UTF-8, MemoryError for absurd sizes in corrupt structures.
_LIB_ERRORS = (OSError, ValueError, MemoryError)


def pyfsapfs_version() -> str:
    return str(pyfsapfs.get_version())


def is_container(read_at: Callable[[int, int], bytes], offset: int) -> bool:
    """True when an APFS container superblock (magic `NXSB`) starts at `offset`."""
    try:
        return read_at(offset + _NX_MAGIC_OFFSET, len(_NX_MAGIC)) == _NX_MAGIC
    except (OSError, ValueError):
        return False


def volume_label(volume: str | None, apfs_name: str, count: int) -> str | None:
    """`FileRef.volume` for a file of APFS volume `apfs_name` in a container of `count`."""
    if count == 1:
        return volume
    return f"{volume}:{apfs_name}" if volume else apfs_name


def _superblock_size(read_at: Callable[[int, int], bytes], offset: int) -> int:
    """Container size (block size x block count) for a container of unknown length."""
    try:
        head = read_at(offset + _NX_MAGIC_OFFSET, _NX_HEADER.size)
    except OSError as exc:
        raise EvidenceError(f"cannot read the APFS superblock at offset {offset}: {exc}") from exc
    if len(head) < _NX_HEADER.size:
        raise EvidenceError(f"APFS superblock at offset {offset} is truncated")
    magic, block_size, block_count = _NX_HEADER.unpack(head)
    if magic != _NX_MAGIC:
        raise EvidenceError(f"no APFS container superblock at offset {offset}")
    if not _MIN_BLOCK <= block_size <= _MAX_BLOCK or block_count == 0:
        raise EvidenceError(
            f"APFS superblock at offset {offset} has an invalid geometry "
            f"(block size {block_size}, block count {block_count})"
        )
    return int(block_size) * int(block_count)


class _ContainerFile(ReadAtStream):
    """The file-like object `pyfsapfs.container.open_file_object` reads through."""

    def get_size(self) -> int:
        return self._size


@dataclass(frozen=True)
class _Volume:
    index: int
    name: str
    label: str | None  # FileRef.volume
    handle: Any
    root: Any


def _ts(handle: Any, getter: str) -> datetime | None:
    try:
        ns = getattr(handle, getter)()
    except _LIB_ERRORS:
        return None
    if not ns or ns <= 0:
        return None
    try:
        return _EPOCH + timedelta(microseconds=int(ns) // 1000)
    except OverflowError:
        return None


def _entry_name(handle: Any, identifier: int) -> tuple[str, str | None]:
    """A path component that cannot change the path's meaning, plus a note when altered."""
    try:
        name = handle.name
    except _LIB_ERRORS as exc:
        return f"$inode-{identifier}", f"name not readable: {exc}"
    if name is None or name in ("", ".", ".."):
        return f"$inode-{identifier}", f"unusable name {name!r} replaced"
    text = str(name)
    if "/" in text or "\x00" in text:
        # Not a valid APFS name: a hostile or corrupt record must not inject path components.
        safe = text.replace("/", "%2F").replace("\x00", "%00")
        return safe, f"name contains '/' or NUL: {text!r}"
    return text, None


def _kind(handle: Any) -> str:
    mode = handle.file_mode
    return _KINDS.get(stat.S_IFMT(mode), "other") if mode is not None else "other"


def _int_step(locator: Locator, kind: str) -> int | None:
    value = locator.value(kind)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class ApfsContainer:
    """One APFS container: all its readable volumes, walked like `fls -r -p` lists them."""

    def __init__(
        self,
        read_at: Callable[[int, int], bytes],
        offset: int,
        length: int | None,
        volume: str | None,
        base: Locator,
    ) -> None:
        self._base = base
        self._lock = threading.RLock()
        self.skipped: list[str] = []
        size = length if length is not None else _superblock_size(read_at, offset)
        self._file = _ContainerFile(lambda pos, n: read_at(offset + pos, n), size)
        self._container = pyfsapfs.container()
        try:
            self._container.open_file_object(self._file)
            locked = bool(self._container.is_locked())
            count = int(self._container.number_of_volumes)
        except _LIB_ERRORS as exc:
            raise EvidenceError(f"cannot open APFS container at offset {offset}: {exc}") from exc
        if locked:
            raise UnsupportedFormat("APFS container is locked; password needed")
        self._volumes = self._open_volumes(volume, count)

    @property
    def volume_names(self) -> list[str]:
        """Names of the APFS volumes that are walked, in container order."""
        return [v.name for v in self._volumes.values()]

    def _open_volumes(self, label: str | None, count: int) -> dict[int, _Volume]:
        volumes: dict[int, _Volume] = {}
        locked: list[str] = []
        failed: list[str] = []
        for index in range(count):
            try:
                volumes[index] = self._open_volume(index, label, count)
            except UnsupportedFormat as exc:
                locked.append(str(exc))
            except EvidenceError as exc:
                failed.append(str(exc))
        self.skipped = locked + failed
        if not volumes:
            if locked:
                raise UnsupportedFormat("; ".join(self.skipped))
            raise EvidenceError("; ".join(failed) or "APFS container has no volumes")
        for message in self.skipped:
            log.warning("%s: volume skipped", message)
        return volumes

    def _open_volume(self, index: int, label: str | None, count: int) -> _Volume:
        try:
            handle = self._container.get_volume(index)
            is_locked = bool(handle.is_locked())
        except _LIB_ERRORS as exc:
            raise EvidenceError(f"cannot open APFS volume {index}: {exc}") from exc
        try:
            name = str(handle.name or f"volume {index}")
        except _LIB_ERRORS:
            name = f"volume {index}"
        if is_locked:
            raise UnsupportedFormat(f"APFS volume '{name}' is encrypted; password needed")
        try:
            root = handle.get_root_directory()
        except _LIB_ERRORS as exc:
            raise EvidenceError(f"cannot read the root of APFS volume '{name}': {exc}") from exc
        return _Volume(index, name, volume_label(label, name, count), handle, root)

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        cancel.check()
        for vol in self._volumes.values():
            yield from self._walk_volume(vol, cancel)

    def _walk_volume(self, vol: _Volume, cancel: CancelToken) -> Iterator[Entry]:
        with self._lock:
            visited: set[int] = {int(vol.root.identifier)}
        stack: list[tuple[Any, str]] = [(vol.root, "")]
        while stack:
            cancel.check()
            directory, prefix = stack.pop()
            for entry, handle in self._list(vol, directory, prefix, cancel):
                yield entry
                inode = entry.ref.inode
                if entry.ref.kind == "dir" and inode is not None and inode not in visited:
                    visited.add(inode)
                    stack.append((handle, entry.ref.path))

    def _list(
        self, vol: _Volume, directory: Any, prefix: str, cancel: CancelToken
    ) -> Iterator[tuple[Entry, Any]]:
        # The lock is taken per entry and never held across a yield: a suspended walk must
        # not block openers running in worker threads.
        try:
            with self._lock:
                count = int(directory.number_of_sub_file_entries)
        except _LIB_ERRORS as exc:
            log.warning("cannot list APFS directory %s: %s", prefix or "/", exc)
            return
        seen: dict[str, int] = {}
        for i in range(count):
            cancel.check()
            try:
                with self._lock:
                    handle = directory.get_sub_file_entry(i)
                    ref = self._ref(vol, handle, prefix, seen)
            except _LIB_ERRORS as exc:
                log.warning("skipped entry %d of APFS directory %s: %s", i, prefix or "/", exc)
                continue
            opener = self._reader(handle, ref.size) if ref.kind == "file" and ref.size else None
            yield Entry(ref, opener), handle

    def _ref(self, vol: _Volume, handle: Any, prefix: str, seen: dict[str, int]) -> FileRef:
        identifier = int(handle.identifier)
        name, note = _entry_name(handle, identifier)
        path = f"{prefix}/{name}"
        seen[path] = seen.get(path, 0) + 1
        kind = _kind(handle)
        locator = (
            self._base.child("apfs_vol", str(vol.index))
            .child("inode", str(identifier))
            .child("path", path)
        )
        if seen[path] > 1:
            locator = locator.child("dup", str(seen[path]))
        return FileRef(
            path=path,
            locator=locator,
            size=int(handle.size or 0) if kind == "file" else 0,
            kind=kind,
            volume=vol.label,
            inode=identifier,
            deleted=False,
            mtime=_ts(handle, "get_modification_time_as_integer"),
            atime=_ts(handle, "get_access_time_as_integer"),
            ctime=_ts(handle, "get_inode_change_time_as_integer"),
            crtime=_ts(handle, "get_creation_time_as_integer"),
            note=note,
        )

    def _reader(self, handle: Any, size: int) -> Callable[[], BinaryIO]:
        lock = self._lock

        def read_at(offset: int, n: int) -> bytes:
            with lock:
                return bytes(handle.read_buffer_at_offset(n, offset))

        return lambda: ReadAtStream(read_at, size)  # type: ignore[return-value]

    def open(self, locator: Locator) -> BinaryIO:
        index = _int_step(locator, "apfs_vol")
        inode = _int_step(locator, "inode")
        vol = self._volumes.get(index) if index is not None else None
        if vol is None or inode is None:
            raise EvidenceError(f"no APFS file for {locator.serialize()}")
        try:
            with self._lock:
                handle = vol.handle.get_file_entry_by_identifier(inode)
                kind = _kind(handle) if handle is not None else "missing"
                size = int(handle.size or 0) if kind == "file" else 0
        except _LIB_ERRORS as exc:
            raise EvidenceError(f"cannot open {locator.serialize()}: {exc}") from exc
        if kind != "file":
            raise EvidenceError(f"no content for {locator.serialize()}: entry is {kind}")
        return self._reader(handle, size)()
