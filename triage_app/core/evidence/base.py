"""The interface every evidence source implements.

A source is opened read-only from one or more paths, reports its container files
(hashed for custody), optional media stream (hashed, and verified against stored
acquisition hashes for E01), its volumes, and walks its entries. Content is read
through `Entry.open()` during the walk and through `EvidenceSource.open()` later
(parsers, previews), both returning a read-only binary stream.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken


@dataclass(frozen=True)
class Entry:
    """A walked entry plus a way to read its content without a second lookup."""

    ref: FileRef
    opener: Callable[[], BinaryIO] | None = None


@dataclass
class SourceInfo:
    """What an evidence item is, as shown by `qarina info` and stored in the case."""

    kind: str  # disk_image | directory | zip | tar | file
    format: str  # raw | split_raw | ewf | gzip_raw | directory | zip | tar | tar.gz | file
    container_files: list[Path]
    media_size: int | None = None
    stored_md5: str | None = None
    stored_sha1: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class EvidenceSource(ABC):
    """Base class of all sources. Never opens anything for writing."""

    info: SourceInfo

    @abstractmethod
    def volumes(self) -> list[VolumeInfo]:
        """Partitions/file systems found (empty for non-disk sources)."""

    @abstractmethod
    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        """Every entry, directories included, deleted ones flagged."""

    @abstractmethod
    def open(self, locator: Locator) -> BinaryIO:
        """Reopen a walked file's content by its locator."""

    def media_stream(self) -> BinaryIO | None:
        """The acquired media as one stream (disk images), else None."""
        return None

    def exclude_volumes(self, indexes: Collection[str]) -> list[str]:
        """Leave these partitions out of the walk (the examiner's choice); the indexes
        actually left out. Sources without partitions have none to leave out."""
        return []

    def close(self) -> None:
        return None

    def __enter__(self) -> EvidenceSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReadAtStream(io.RawIOBase):
    """A read-only, seekable stream over a `read_at(offset, size)` function."""

    def __init__(
        self,
        read_at: Callable[[int, int], bytes],
        size: int,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._read_at = read_at
        self._size = size
        self._pos = 0
        self._on_close = on_close

    def close(self) -> None:
        if not self.closed and self._on_close is not None:
            self._on_close()
        super().close()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        data = self._read_at(self._pos, want)
        n = len(data)
        view[:n] = data
        self._pos += n
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        size = min(size, self._size - self._pos)
        if size <= 0:
            return b""
        data = self._read_at(self._pos, size)
        self._pos += len(data)
        return data
