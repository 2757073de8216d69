"""Phone extractions delivered as zip or tar (plain, gzip, bzip2 or xz) archives.

The format is recognised by content, never by extension. Zip and plain tar are read in place;
a compressed tar is decompressed once into the case work area as a plain tar (written under
a temporary name, renamed when complete, reused on the next open) and then read in place.
Nothing is extracted, so hostile member names cannot escape anywhere; they are still
sanitised for the record (backslashes, drive letters, leading "/", "." and "..", control
characters) and the original name is kept in the note and in the locator.

Safety limits (`ArchiveLimits`): too many members or too many declared bytes refuse the whole
archive (a decompression bomb); one member that is too big or too compressed is listed
without content. Reading a member never returns more than its declared size.

Times: tar mtime (and pax atime/ctime) are Unix seconds, UTC. Zip times come from the NTFS
extra field (UTC, with access and creation times) or the Info-ZIP extended timestamp (UTC)
when present. Otherwise only the DOS date/time exists: the local wall-clock time of the
device that made the archive, with no zone recorded. It is stored as if it were UTC, so it
may be off by that device's UTC offset. A time of 0 means "not set" and is stored as None.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import io
import lzma
import os
import re
import stat
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

from ..errors import ArchiveLimitExceeded, EvidenceError, UnsupportedFormat
from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken
from .base import Entry, EvidenceSource, SourceInfo
from .directory import open_readonly

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_1601 = datetime(1601, 1, 1, tzinfo=UTC)
_MAGIC = ((b"\x1f\x8b", "tar.gz"), (b"BZh", "tar.bz2"), (b"\xfd7zXZ\x00", "tar.xz"))
_STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
_READ_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError)
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_RATIO_MIN_SIZE = 1024**2
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_IMPLIED = "directory implied by member paths (no entry of its own in the archive)"
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


def sanitise_name(raw: str) -> tuple[str, str | None]:
    """The member name as a safe relative POSIX path, and a note when it had to change."""
    text = raw.replace("\\", "/")
    unsafe = bool(_DRIVE.match(text) or _CONTROL.search(text))
    text = _DRIVE.sub("", text)
    unsafe = unsafe or text.startswith("/")
    parts = []
    for part in text.split("/"):
        unsafe = unsafe or part == ".."
        if part not in ("", ".", ".."):
            parts.append(_CONTROL.sub("\ufffd", part))
    cleaned = "/".join(parts)
    if unsafe:
        return cleaned, f"unsafe member name sanitised: {raw!r}"
    if cleaned != raw.rstrip("/"):
        return cleaned, f"member name normalised: {raw!r}"
    return cleaned, None


def _name_key(name: str) -> str:
    # tar names keep undecodable bytes as lone surrogates, which cannot be stored as UTF-8.
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


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


def is_tar_header(block: bytes) -> bool:
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except (tarfile.HeaderError, ValueError):
        return False
    return True


def _decompressor(fmt: str, raw: BinaryIO) -> io.BufferedIOBase:
    if fmt == "tar.gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return bz2.BZ2File(raw) if fmt == "tar.bz2" else lzma.LZMAFile(raw)


def detect_format(path: Path) -> str:
    """zip, tar, tar.gz, tar.bz2 or tar.xz, from the content."""
    try:
        with open_readonly(path, follow=True) as fh:
            head = fh.read(512)
            fmt = "tar" if is_tar_header(head) else None
            fmt = fmt or next((f for magic, f in _MAGIC if head.startswith(magic)), None)
            fmt = fmt or ("zip" if zipfile.is_zipfile(fh) else None)
    except OSError as exc:
        raise EvidenceError(f"{path.name}: cannot read: {exc}") from exc
    if fmt not in (None, "tar", "zip"):
        _check_compressed_tar(path, fmt)
    if fmt is not None:
        return fmt
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise EvidenceError(f"{path.name}: zip without a readable central directory (truncated?)")
    raise UnsupportedFormat(f"{path.name}: not a zip or tar archive")


def _check_compressed_tar(path: Path, fmt: str) -> None:
    try:
        with open_readonly(path, follow=True) as raw, _decompressor(fmt, raw) as src:
            block = src.read(512)
    except _STREAM_ERRORS as exc:
        raise EvidenceError(f"{path.name}: corrupt {fmt[4:]} stream: {exc}") from exc
    if not is_tar_header(block):
        raise UnsupportedFormat(f"{path.name}: {fmt[4:]}-compressed data is not a tar archive")


def spool(path: Path, fmt: str, workdir: Path, limit: int, cancel: CancelToken) -> Path:
    """Decompress a compressed tar once into `workdir`; reuse a complete earlier copy.

    The copy is named after the evidence's path, size and mtime, and written under a
    temporary name renamed only when complete, so a cancelled or refused spool never leaves
    a truncated tar that a later open would take for the whole extraction.
    """
    st = path.stat()
    identity = f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "replace")
    safe = re.sub(r"[^\w.-]", "_", path.name)[:80]
    target = workdir / f"{safe}-{hashlib.sha256(identity).hexdigest()[:16]}.tar"
    if target.is_file():
        return target
    workdir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=workdir, prefix=f"{safe}-", suffix=".partial")
    written = 0
    try:
        with (
            os.fdopen(fd, "wb") as dst,
            open_readonly(path, follow=True) as raw,
            _decompressor(fmt, raw) as src,
        ):
            while chunk := src.read(4 * 1024**2):
                cancel.check()
                written += len(chunk)
                if written > limit:
                    raise ArchiveLimitExceeded(
                        f"{path.name}: decompresses to more than {limit} bytes "
                        f"(max_total_bytes); {_BOMB}"
                    )
                dst.write(chunk)
        os.replace(tmp, target)
    except _STREAM_ERRORS as exc:
        Path(tmp).unlink(missing_ok=True)
        raise EvidenceError(f"{path.name}: cannot decompress into the work area: {exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


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
        self.names = [i.filename for i in self.members]
        self.declared_total = sum(i.file_size for i in self.members)

    def describe(self, index: int) -> _Member:
        info = self.members[index]
        kind, note = _zip_kind(info)
        skip = self._skip_reason(info) if kind == "file" else None
        mtime, atime, crtime = _zip_times(info)
        size = info.file_size if kind == "file" else 0
        ref = FileRef("", Locator(()), size, kind, mtime=mtime, atime=atime, crtime=crtime)
        return _Member(info.filename, replace(ref, note=_notes(note, skip)), skip is None)

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


class ArchiveSource(EvidenceSource):
    """A zip or tar archive, read in place (a compressed tar through one spooled copy)."""

    def __init__(
        self,
        path: Path,
        workdir: Path,
        limits: ArchiveLimits | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self._path = Path(path)
        self._limits = limits = limits or ArchiveLimits()
        fmt = detect_format(self._path)
        self.info = SourceInfo(kind="archive", format=fmt, container_files=[self._path])
        self._reader: _ZipReader | _TarReader
        if fmt == "zip":
            self._reader = _ZipReader(self._path, limits)
        else:
            tar_path = self._path
            if fmt != "tar":
                cap = limits.max_total_bytes
                tar_path = spool(self._path, fmt, Path(workdir), cap, cancel or CancelToken())
                self.info.metadata["spooled_copy"] = str(tar_path)
            self._reader = _TarReader(tar_path, limits, cancel or CancelToken())
        try:
            self._check_limits()
        except BaseException:
            self._reader.close()
            raise
        self._explicit = {"/" + sanitise_name(n)[0] for n in self._reader.names}
        self.info.warnings.extend(self._reader.warnings)

    def _check_limits(self) -> None:
        name, limits, total = self._path.name, self._limits, self._reader.declared_total
        if len(self._reader.names) > limits.max_members:
            raise ArchiveLimitExceeded(_too_many(self._path, limits))
        if total > limits.max_total_bytes:
            raise ArchiveLimitExceeded(
                f"{name}: members declare {total} bytes, more than {limits.max_total_bytes} "
                f"(max_total_bytes); {_BOMB}"
            )

    def volumes(self) -> list[VolumeInfo]:
        return []

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        implied: set[str] = set()
        for index in range(len(self._reader.names)):
            cancel.check()
            entry = self._entry(index)
            if entry is None:
                continue
            for parent in _parents(entry.ref.path):
                if parent not in self._explicit and parent not in implied:
                    implied.add(parent)
                    locator = Locator((("dir", parent),))
                    yield Entry(FileRef(parent, locator, kind="dir", note=_IMPLIED))
            yield entry

    def _entry(self, index: int) -> Entry | None:
        member = self._reader.describe(index)
        cleaned, name_note = sanitise_name(member.original)
        if not cleaned and member.ref.kind == "dir":
            return None  # "./" or "/": the archive's own root, not an entry in it
        if not cleaned:
            cleaned = f"unnamed member {index}"
            name_note = name_note or f"member without a name: {member.original!r}"
        ref = replace(
            member.ref,
            path="/" + cleaned,
            locator=Locator((("member", str(index)), ("name", _name_key(member.original)))),
            note=_notes(name_note, member.ref.note),
        )
        if not member.readable or ref.kind != "file":
            return Entry(ref)
        return Entry(ref, functools.partial(self._open_member, index, member))

    def open(self, locator: Locator) -> BinaryIO:
        text = locator.value("member") or ""
        index = int(text) if text.isascii() and text.isdigit() else -1
        if not 0 <= index < len(self._reader.names):
            raise EvidenceError(f"no archive member for {locator.serialize()}")
        member = self._reader.describe(index)
        if _name_key(member.original) != locator.value("name"):
            raise EvidenceError(f"locator {locator.serialize()} does not match this archive")
        if not member.readable or member.ref.kind != "file":
            reason = member.ref.note or f"member is a {member.ref.kind}"
            raise EvidenceError(f"no content for {locator.serialize()}: {reason}")
        return self._open_member(index, member)

    def _open_member(self, index: int, member: _Member) -> BinaryIO:
        try:
            inner, closers = self._reader.open(index)
        except _READ_ERRORS as exc:
            raise OSError(f"archive member {member.original!r}: {exc}") from exc
        stream = _MemberStream(inner, member.ref.size, member.original, closers)
        return io.BufferedReader(stream)

    def close(self) -> None:
        self._reader.close()


def _parents(path: str) -> list[str]:
    """`/a/b/c` -> `["/a", "/a/b"]`."""
    parts = path.split("/")[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]
