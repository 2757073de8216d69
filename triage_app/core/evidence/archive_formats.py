"""Zip and tar member readers behind `ArchiveSource`, and the bounded member stream.

Each reader lists an archive's members, describes one as a `_Member` (kind, size, times,
and why its content is withheld, if it is) and opens its content. `ArchiveLimits` and
`_Member` live here so that `archive.py` can import them without a cycle; `archive.py`
re-exports `ArchiveLimits`. Time conventions are described in `archive.py`.
"""

from __future__ import annotations

import io
import itertools
import lzma
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from ..errors import ArchiveLimitExceeded, EvidenceError
from ..models import FileRef, Locator
from ..progress import CancelToken
from .directory import open_readonly

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_1601 = datetime(1601, 1, 1, tzinfo=UTC)
_READ_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError)
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_RATIO_MIN_SIZE = 1024**2
_BOMB = "refused as a possible decompression bomb"


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 1_000_000
    max_total_bytes: int = 64 * 1024**3  # sum of declared uncompressed sizes
    max_ratio: float = 200.0  # per zip member larger than 1 MiB
    max_member_bytes: int = 16 * 1024**3


@dataclass(frozen=True)
class _Member:
    """A member as its reader sees it: `ref` lacks path and locator; `readable` is False for
    members listed without content (encrypted, over a limit, unsupported method)."""

    original: str
    ref: FileRef
    readable: bool


def _notes(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


def _unix(seconds: float | None) -> datetime | None:
    try:
        return _EPOCH + timedelta(seconds=seconds) if seconds else None
    except (OverflowError, ValueError):
        return None


def _filetime(value: int) -> datetime | None:
    try:
        return _EPOCH_1601 + timedelta(microseconds=value // 10) if value else None
    except OverflowError:
        return None


def _zip_times(info: zipfile.ZipInfo) -> tuple[datetime | None, ...]:
    """(mtime, atime, crtime): NTFS FILETIMEs, else Info-ZIP Unix mtime, else DOS time."""
    extra, pos = info.extra, 0
    fields: dict[int, bytes] = {}
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        fields.setdefault(tag, extra[pos + 4 : pos + 4 + size])
        pos += 4 + size
    ntfs, ut = fields.get(0x000A, b""), fields.get(0x5455, b"")
    if len(ntfs) >= 32 and ntfs[4:8] == b"\x01\x00\x18\x00":
        return tuple(_filetime(t) for t in struct.unpack_from("<QQQ", ntfs, 8))
    if len(ut) >= 5 and ut[0] & 1:
        return _unix(struct.unpack_from("<I", ut, 1)[0]), None, None
    try:
        return datetime(*info.date_time, tzinfo=UTC), None, None
    except ValueError:
        return None, None, None


def _zip_kind(info: zipfile.ZipInfo) -> tuple[str, str | None]:
    if info.is_dir():
        return "dir", None
    # Archives made on Unix (create_system 3) carry st_mode in the high 16 bits.
    mode = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
    if mode == stat.S_IFLNK:
        return "link", "symbolic link member (not followed)"
    if mode == stat.S_IFDIR:
        return "dir", None
    return ("file", None) if mode in (0, stat.S_IFREG) else ("other", None)


def _overlapping(members: list[zipfile.ZipInfo]) -> str | None:
    """Why the members' data overlap, if they do: several central-directory entries pointing
    into one local member is the "overlapping" zip bomb (each entry inflates the same bytes)."""
    ordered = sorted((i for i in members if i.compress_size or i.file_size),
                     key=lambda i: i.header_offset)  # fmt: skip
    for first, second in itertools.pairwise(ordered):
        if first.header_offset + first.compress_size > second.header_offset:
            return (
                f"members {first.orig_filename!r} and {second.orig_filename!r} overlap at "
                f"offset {second.header_offset}"
            )
    return None


class _ZipReader:
    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self._limits = limits
        self._fh = open_readonly(path, follow=True)
        self.warnings: list[str] = []
        try:
            self._zip = zipfile.ZipFile(self._fh)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
            self._fh.close()
            raise EvidenceError(f"{path.name}: unreadable zip central directory: {exc}") from exc
        self.members = self._zip.infolist()
        # The name as stored: zipfile's `filename` is cut at a NUL ("invoice.pdf\0.exe" would
        # pass for "invoice.pdf"); `sanitise_name` flags what the stored name holds.
        self.names = [i.orig_filename for i in self.members]
        self.declared_total = sum(i.file_size for i in self.members)
        # What would be inflated: members not already withheld one by one (encrypted, over a
        # size or ratio limit).
        self.readable_total = sum(
            i.file_size for i in self.members if not i.is_dir() and self._skip_reason(i) is None
        )
        overlap = _overlapping(self.members)
        if overlap:
            self.close()
            raise ArchiveLimitExceeded(f"{path.name}: {overlap}; {_BOMB}")

    def describe(self, index: int) -> _Member:
        info = self.members[index]
        kind, note = _zip_kind(info)
        skip = self._skip_reason(info) if kind == "file" else None
        mtime, atime, crtime = _zip_times(info)
        size = info.file_size if kind == "file" else 0
        ref = FileRef("", Locator(()), size, kind, mtime=mtime, atime=atime, crtime=crtime)
        return _Member(info.orig_filename, replace(ref, note=_notes(note, skip)), skip is None)

    def _skip_reason(self, info: zipfile.ZipInfo) -> str | None:
        limits = self._limits
        ratio = info.file_size / max(info.compress_size, 1)
        if info.flag_bits & 0x1:
            return "encrypted member: password needed"
        if info.compress_type not in _ZIP_METHODS:
            return f"unsupported compression method {info.compress_type}: content not read"
        if info.file_size > limits.max_member_bytes:
            return f"skipped: size {info.file_size} exceeds limit {limits.max_member_bytes}"
        if info.file_size > _RATIO_MIN_SIZE and ratio > limits.max_ratio:
            return f"skipped: compression ratio {ratio:.0f} exceeds limit {limits.max_ratio:g}"
        return None

    def open(self, index: int) -> tuple[IO[bytes], list[Any]]:
        return self._zip.open(self.members[index]), []

    def close(self) -> None:
        self._zip.close()
        self._fh.close()


class _TarReader:
    def __init__(self, path: Path, limits: ArchiveLimits, cancel: CancelToken) -> None:
        self._path = path
        self._limits = limits
        self._fh = open_readonly(path, follow=True)
        self.warnings: list[str] = []
        try:
            self._tar = tarfile.TarFile(fileobj=self._fh, mode="r")
            self.members = self._list(cancel)
        except tarfile.TarError as exc:
            self._fh.close()
            raise EvidenceError(f"{path.name}: unreadable first tar header: {exc}") from exc
        except BaseException:
            self._fh.close()
            raise
        self.names = [m.name for m in self.members]
        self.declared_total = sum(m.size for m in self.members)
        self.readable_total = self.declared_total

    def _list(self, cancel: CancelToken) -> list[tarfile.TarInfo]:
        members: list[tarfile.TarInfo] = []
        while True:
            if len(members) % 1000 == 0:
                cancel.check()
            try:
                member = self._tar.next()
            except tarfile.TarError as exc:
                self.warnings.append(f"listing stopped after {len(members)} members: {exc}")
                break
            if member is None:
                break
            members.append(member)
            if len(members) > self._limits.max_members:
                raise ArchiveLimitExceeded(_too_many(self._path, self._limits))
        self._check_end(members[-1] if members else None)
        return members

    def _check_end(self, last: tarfile.TarInfo | None) -> None:
        # tarfile stops silently at a truncated or garbled header; the examiner must know
        # that members after that point may be missing.
        self._fh.seek(self._tar.offset)
        block = self._fh.read(512)
        if last is not None and last.offset_data + last.size > os.fstat(self._fh.fileno()).st_size:
            self.warnings.append(f"archive truncated: member {last.name!r} ends past end of file")
        elif not block:
            self.warnings.append("no end-of-archive marker: the archive may be truncated")
        elif block.strip(b"\0"):
            offset = self._tar.offset
            self.warnings.append(f"unreadable header at offset {offset}: members may be missing")

    def describe(self, index: int) -> _Member:
        m = self.members[index]
        kind, note = "other", None
        if m.isreg():
            kind = "file"
        elif m.isdir():
            kind = "dir"
        elif m.issym() or m.islnk():
            kind = "link"
            note = f"{'symbolic' if m.issym() else 'hard'} link to {m.linkname!r} (not followed)"
        skip = None
        if kind == "file" and m.size > self._limits.max_member_bytes:
            skip = f"skipped: size {m.size} exceeds limit {self._limits.max_member_bytes}"
        atime, ctime = (_unix(_pax_float(m.pax_headers, k)) for k in ("atime", "ctime"))
        size = m.size if kind == "file" else 0
        ref = FileRef("", Locator(()), size, kind, mtime=_unix(m.mtime), atime=atime, ctime=ctime)
        return _Member(m.name, replace(ref, note=_notes(note, skip)), skip is None)

    def open(self, index: int) -> tuple[IO[bytes], list[Any]]:
        # Each stream gets its own descriptor so parallel readers never share a file position.
        fh = open_readonly(self._path, follow=True)
        try:
            tar = tarfile.TarFile(fileobj=fh, mode="r")
            stream = tar.extractfile(self.members[index])
            if stream is None:
                raise tarfile.ExtractError("member has no content")
        except BaseException:
            fh.close()
            raise
        return stream, [tar, fh]

    def close(self) -> None:
        self._tar.close()
        self._fh.close()


def _pax_float(pax: Mapping[str, str], key: str) -> float | None:
    try:
        return float(pax[key])
    except (KeyError, ValueError):
        return None


def _too_many(path: Path, limits: ArchiveLimits) -> str:
    return f"{path.name}: more than {limits.max_members} members (max_members); {_BOMB}"


class _MemberStream(io.RawIOBase):
    """A member's content that never yields more than its declared size."""

    def __init__(self, inner: IO[bytes], size: int, name: str, closers: list[Any]) -> None:
        super().__init__()
        self._inner, self._size, self._name, self._closers = inner, size, name, closers
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._inner.seekable()

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        try:
            self._pos = self._inner.seek(offset, whence)
        except _READ_ERRORS as exc:
            raise OSError(f"archive member {self._name!r}: {exc}") from exc
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._inner.read(len(view))
        except _READ_ERRORS as exc:
            raise OSError(f"archive member {self._name!r}: {exc}") from exc
        n, name, size = len(data), self._name, self._size
        if self._pos + n > size:
            raise OSError(f"archive member {name!r} yields more than its declared {size} bytes")
        if n == 0 and len(view) > 0 and self._pos < size:
            raise OSError(f"archive member {name!r} ends at {self._pos} of its declared {size}")
        view[:n] = data
        self._pos += n
        return n

    def close(self) -> None:
        if not self.closed:
            for item in (self._inner, *self._closers):
                item.close()
        super().close()
