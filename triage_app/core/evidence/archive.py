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
import io
import lzma
import re
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..errors import ArchiveLimitExceeded, EvidenceError, UnsupportedFormat
from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken
from .archive_formats import (
    _BOMB,
    _READ_ERRORS,
    _Member,
    _MemberStream,
    _notes,
    _TarReader,
    _too_many,
    _ZipReader,
)
from .archive_formats import ArchiveLimits as ArchiveLimits
from .base import Entry, EvidenceSource, SourceInfo
from .directory import open_readonly
from .spool import STREAM_ERRORS
from .spool import spool as spool_stream

_WHOLE_RATIO_MIN = 64 * 1024**2  # archives declaring less are never refused for their ratio

_MAGIC = ((b"\x1f\x8b", "tar.gz"), (b"BZh", "tar.bz2"), (b"\xfd7zXZ\x00", "tar.xz"))

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_IMPLIED = "directory implied by member paths (no entry of its own in the archive)"


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
    except STREAM_ERRORS as exc:
        raise EvidenceError(f"{path.name}: corrupt {fmt[4:]} stream: {exc}") from exc
    if not is_tar_header(block):
        raise UnsupportedFormat(f"{path.name}: {fmt[4:]}-compressed data is not a tar archive")


def spool(path: Path, fmt: str, workdir: Path, limit: int, cancel: CancelToken) -> Path:
    """Decompress a compressed tar once into `workdir`; reuse a complete earlier copy."""
    compression = {"tar.gz": "gzip", "tar.bz2": "bzip2"}.get(fmt, "xz")
    return spool_stream(
        path, lambda raw: _decompressor(fmt, raw), ".tar", workdir, limit, cancel, compression
    )


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
        size, readable = self._path.stat().st_size, self._reader.readable_total
        # Many small members of zeros pass the per-member ratio check one by one: what would
        # be read must not expand beyond the ratio as a whole either.
        if readable > _WHOLE_RATIO_MIN and readable > limits.max_ratio * max(size, 1):
            raise ArchiveLimitExceeded(
                f"{name}: members to read declare {readable} bytes from {size} bytes, a ratio over "
                f"{limits.max_ratio:g} (max_ratio); {_BOMB}"
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
