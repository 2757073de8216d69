"""A phone file-system extraction folder, or one loose file, as an evidence source.

Nothing is opened for writing. Files and directories are opened with `O_NOATIME` where the
platform and the file's owner allow it, so that reading evidence does not even change its
access times; symbolic links are recorded as links and never followed, and `open()` refuses
any locator that resolves outside the evidence folder.

Times come from `lstat`: on Linux `ctime` is the inode change time and the creation time is
not available (`crtime` None); on Windows `st_ctime` is the creation time and is stored as
`crtime`; on macOS/BSD `st_birthtime` gives `crtime`. Names that are not valid UTF-8 are
recorded with U+FFFD replacements plus the raw bytes in hex (note and locator).
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import stat
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from ..errors import EvidenceError
from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken
from .base import Entry, EvidenceSource, SourceInfo

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOATIME = getattr(os, "O_NOATIME", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a FIFO planted in an extraction must not hang the scan.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_SQLITE_SIBLINGS = ("-wal", "-shm", "-journal")

Listing = list[tuple[str, os.stat_result | OSError]]


def _os_open(path: str, flags: int) -> int:
    """`os.open` with O_NOATIME when allowed (only the owner or CAP_FOWNER may use it)."""
    if not _NOATIME:
        return os.open(path, flags)
    try:
        return os.open(path, flags | _NOATIME)
    except OSError as exc:
        if not isinstance(exc, PermissionError) and exc.errno != errno.EINVAL:
            raise
    return os.open(path, flags)


def open_readonly(path: str | os.PathLike[str], follow: bool = False) -> BinaryIO:
    """Open a regular evidence file read-only; never a link (unless `follow`), FIFO or device."""
    fd = _os_open(os.fspath(path), _READ_FLAGS | (0 if follow else _NOFOLLOW))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _list_dir(path: str, follow: bool = False) -> Listing:
    """Sorted names of a directory with their lstat results (or the error)."""
    if os.scandir not in os.supports_fd:
        with os.scandir(path) as it:
            return [(e.name, _lstat(e.path)) for e in sorted(it, key=lambda e: e.name)]
    # Listing through a descriptor opened with O_NOATIME keeps the directory's atime intact.
    fd = _os_open(path, _DIR_FLAGS | (0 if follow else _NOFOLLOW))
    try:
        with os.scandir(fd) as it:
            names = sorted(e.name for e in it)
        return [(name, _lstat(name, fd)) for name in names]
    finally:
        os.close(fd)


def _lstat(path: str, dir_fd: int | None = None) -> os.stat_result | OSError:
    try:
        return os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        return exc


def _ts(ns: int) -> datetime | None:
    # 0 means "not set" (an extraction tool that did not copy the time), never 1970.
    try:
        return _EPOCH + timedelta(microseconds=ns // 1000) if ns else None
    except OverflowError:
        return None


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "link"
    return "other"


def storable(text: str) -> tuple[str, str | None]:
    """Text safe to store (UTF-8 encodable) and, if it had to change, the raw bytes in hex."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(text)
        return raw.decode("utf-8", "replace"), raw.hex()
    return text, None


def _join_notes(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


def stat_ref(st: os.stat_result, rel: str, note: str | None = None) -> FileRef:
    """A FileRef for `rel` (POSIX path relative to the evidence root) from its lstat."""
    shown, raw_hex = storable(rel)
    steps: tuple[tuple[str, str], ...] = (("path", shown),)
    if raw_hex is not None:
        steps += (("path_bytes", raw_hex),)
        note = _join_notes(f"name bytes are not valid UTF-8: {raw_hex}", note)
    if sys.platform == "win32":
        # Windows reports the creation time in st_ctime; there is no inode change time.
        ctime, crtime = None, _ts(st.st_ctime_ns)
    else:
        birth = getattr(st, "st_birthtime", None)
        ctime = _ts(st.st_ctime_ns)
        crtime = _ts(int(birth * 1_000_000_000)) if birth is not None else None
    kind = _kind(st.st_mode)
    return FileRef(
        path="/" + shown,
        locator=Locator(steps),
        size=st.st_size if kind == "file" else 0,
        kind=kind,
        inode=st.st_ino or None,
        mtime=_ts(st.st_mtime_ns),
        atime=_ts(st.st_atime_ns),
        ctime=ctime,
        crtime=crtime,
        note=note,
    )


class DirectorySource(EvidenceSource):
    """Every entry under `root`, depth first in sorted name order, links never followed."""

    def __init__(self, root: Path) -> None:
        self._root = os.path.abspath(root)
        self._real_root = os.path.realpath(self._root)
        if not os.path.isdir(self._root):
            raise EvidenceError(f"{root}: not a directory")
        try:
            with os.scandir(self._root):
                pass
        except OSError as exc:
            raise EvidenceError(f"{root}: cannot list the evidence folder: {exc}") from exc
        self.info = SourceInfo(kind="directory", format="directory", container_files=[])

    def volumes(self) -> list[VolumeInfo]:
        return []

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        cancel.check()
        stack: list[tuple[str, Iterator[tuple[str, os.stat_result | OSError]]]] = [
            ("", iter(_list_dir(self._root, follow=True)))
        ]
        while stack:
            prefix, items = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
                continue
            name, st = item
            rel = f"{prefix}{name}"
            if isinstance(st, OSError):
                log.warning("cannot stat /%s: %s", rel, st)
                shown, _ = storable(rel)
                note = f"cannot stat: {st.strerror or st}"
                yield Entry(
                    FileRef("/" + shown, Locator((("path", shown),)), kind="other", note=note)
                )
                continue
            entry, listing = self._entry(rel, st, cancel)
            yield entry
            if listing is not None:
                stack.append((rel + "/", iter(listing)))

    def _entry(
        self, rel: str, st: os.stat_result, cancel: CancelToken
    ) -> tuple[Entry, Listing | None]:
        path = os.path.join(self._root, *rel.split("/"))
        note = None
        listing = None
        opener: Callable[[], BinaryIO] | None = None
        if stat.S_ISDIR(st.st_mode):
            cancel.check()
            try:
                listing = _list_dir(path)
            except OSError as exc:
                log.warning("cannot list directory /%s: %s", rel, exc)
                note = f"cannot list directory: {exc.strerror or exc}"
        elif stat.S_ISLNK(st.st_mode):
            note = _link_note(path)
        elif stat.S_ISREG(st.st_mode):
            opener = functools.partial(open_readonly, path)
        return Entry(stat_ref(st, rel, note), opener), listing

    def open(self, locator: Locator) -> BinaryIO:
        path = self._resolve(locator)
        try:
            st = os.lstat(path)
        except OSError as exc:
            raise EvidenceError(f"cannot open {locator.serialize()}: {exc}") from exc
        if not stat.S_ISREG(st.st_mode):
            kind = _kind(st.st_mode)
            raise EvidenceError(f"no content for {locator.serialize()}: it is a {kind}")
        return open_readonly(path)

    def _resolve(self, locator: Locator) -> str:
        rel = locator.value("path")
        raw_hex = locator.value("path_bytes")
        if raw_hex is not None:
            try:
                rel = os.fsdecode(bytes.fromhex(raw_hex))
            except ValueError as exc:
                raise EvidenceError(f"refused locator {locator.serialize()}: {exc}") from exc
        parts = (rel or "").split("/")
        if not rel or "\x00" in rel or any(p in ("", ".", "..") for p in parts):
            raise EvidenceError(f"refused locator {locator.serialize()}: not a plain relative path")
        path = os.path.join(self._root, *parts)
        if not _inside(os.path.realpath(path), self._real_root):
            raise EvidenceError(
                f"refused locator {locator.serialize()}: resolves outside the evidence folder"
            )
        return path


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives on Windows
        return False


def _link_note(path: str) -> str:
    try:
        target, _ = storable(os.readlink(path))
    except OSError as exc:
        return f"symbolic link, target unreadable: {exc.strerror or exc}"
    return f"symbolic link to {target!r} (not followed)"


class LooseFileSource(EvidenceSource):
    """One file given as evidence, with its SQLite `-wal`/`-shm`/`-journal` siblings.

    The siblings are part of the evidence: a database's newest rows may live only in its WAL.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        if not self._path.is_file():
            raise EvidenceError(f"{path}: not a regular file")
        self._files = [self._path]
        for suffix in _SQLITE_SIBLINGS:
            sibling = self._path.with_name(self._path.name + suffix)
            if sibling.is_file():
                self._files.append(sibling)
        self.info = SourceInfo(kind="file", format="file", container_files=list(self._files))

    def volumes(self) -> list[VolumeInfo]:
        return []

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        for path in self._files:
            cancel.check()
            try:
                st = os.stat(path)
            except OSError as exc:
                log.warning("cannot stat %s: %s", path, exc)
                continue
            yield Entry(stat_ref(st, path.name), functools.partial(open_readonly, path, True))

    def open(self, locator: Locator) -> BinaryIO:
        for path in self._files:
            if storable(path.name)[0] == locator.value("path"):
                return open_readonly(path, follow=True)
        raise EvidenceError(f"no such file in this evidence: {locator.serialize()}")
