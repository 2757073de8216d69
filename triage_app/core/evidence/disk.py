"""A disk image (raw, split raw, gzip raw or EWF) as an evidence source.

Chooses the reader for each volume: TSK for the file systems it supports, the APFS adapter
for APFS containers (pytsk3 has no pool API). The media stream is exposed so the engine can
hash the whole acquired image and verify EWF stored hashes in a parallel read.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import BinaryIO, Protocol

from ..errors import EvidenceError
from ..models import Locator, VolumeInfo
from ..progress import CancelToken
from . import apfs, mbr, tsk
from .base import Entry, EvidenceSource, ReadAtStream, SourceInfo

log = logging.getLogger(__name__)


class Media(Protocol):
    size: int
    format: str

    def read_at(self, offset: int, size: int) -> bytes: ...

    def reopen(self) -> Media: ...

    def close(self) -> None: ...


class _FileSystem(Protocol):
    def walk(self, cancel: CancelToken) -> Iterator[Entry]: ...

    def open(self, locator: Locator) -> BinaryIO: ...


class DiskSource(EvidenceSource):
    def __init__(self, media: Media, info: SourceInfo, native_path: str | None = None) -> None:
        self._media = media
        self.info = info
        self._img = tsk.open_image(native_path, media.read_at, media.size)
        tsk.ensure_readable(self._img)
        self._volumes: list[VolumeInfo] = []
        self._fs: dict[str | None, _FileSystem] = {}
        self._discover()

    def _discover(self) -> None:
        candidates, _vs = tsk.find_volumes(self._img)
        if not candidates:
            # No partition table TSK accepts: a file system (or APFS container) at offset 0,
            # else a damaged MBR that TSK refused as a whole.
            fs, vol = self._open_volume(None, 0, self._media.size, "whole image")
            if fs is not None:
                self._volumes.append(vol)
                self._fs[None] = fs
                return
            candidates = self._tolerant_mbr()
            if not candidates:
                raise EvidenceError(
                    "no partition table or file system recognised "
                    f"({vol.message}); unsupported format or not a disk image"
                )
        for cand in candidates:
            fs, vol = self._open_volume(cand.index, cand.offset, cand.length, cand.description)
            self._volumes.append(vol)
            if fs is not None:
                self._fs[cand.index] = fs

    def _tolerant_mbr(self) -> list[VolumeInfo]:
        parts = mbr.read_mbr(self._media.read_at) or []
        if parts:
            self.info.warnings.append(
                "The Sleuth Kit rejected the partition table; partitions were read from the "
                "MBR/EBR entries directly (the table is damaged or points past the image)"
            )
        return [
            VolumeInfo(f"p{n}", p.start, p.length, p.description, None, "pending")
            for n, p in enumerate(parts, start=1)
        ]

    def _open_volume(
        self, index: str | None, offset: int, length: int | None, desc: str
    ) -> tuple[_FileSystem | None, VolumeInfo]:
        base = Locator(()) if index is None else Locator((("vol", index),))
        vol = VolumeInfo(index or "", offset, length, desc, None, "no_filesystem")
        size = self._media.size
        if offset >= size:
            message = f"partition starts past the end of the image (offset {offset}, size {size})"
            self.info.warnings.append(f"volume {index}: {message}")
            return None, replace(vol, status="error", message=message)
        if length is not None and offset + length > size:
            missing = offset + length - size
            warning = (
                f"partition extends {missing} bytes past the end of the image: "
                "the image may be truncated and files in it incomplete"
            )
            self.info.warnings.append(f"volume {index}: {warning}")
            vol = replace(vol, message=warning)
        fs, vol = self._open_fs(base, index, offset, length, vol)
        return fs, vol

    def _open_fs(
        self, base: Locator, index: str | None, offset: int, length: int | None, vol: VolumeInfo
    ) -> tuple[_FileSystem | None, VolumeInfo]:
        if apfs.is_container(self._media.read_at, offset):
            try:
                container = apfs.ApfsContainer(self._media.read_at, offset, length, index, base)
            except EvidenceError as exc:
                return None, replace(vol, fs_type="APFS", status="error", message=str(exc))
            return container, replace(vol, fs_type="APFS", status="ok")
        fs, name_or_error = tsk.open_fs(self._img, offset)
        if fs is None:
            message = "; ".join(
                filter(None, [vol.message, f"no file system found: {name_or_error}"])
            )
            return None, replace(vol, message=message)
        return tsk.TskFileSystem(fs, index, base), replace(vol, fs_type=name_or_error, status="ok")

    def volumes(self) -> list[VolumeInfo]:
        return list(self._volumes)

    def exclude_volumes(self, indexes: Collection[str]) -> list[str]:
        left_out = sorted(i for i in indexes if i in self._fs)
        for index in left_out:
            del self._fs[index]
        self._volumes = [
            replace(v, status="skipped", message="left out by the examiner for this scan")
            if v.index in left_out
            else v
            for v in self._volumes
        ]
        return left_out

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        for index, fs in self._fs.items():
            try:
                yield from fs.walk(cancel)
            except OSError as exc:
                # A corrupt file system stops its own walk, never the other volumes'.
                log.warning("walk of volume %s stopped: %s", index or "(whole image)", exc)
                self._volumes = [
                    replace(v, status="error", message=f"walk stopped: {exc}")
                    if (v.index or None) == index
                    else v
                    for v in self._volumes
                ]

    def open(self, locator: Locator) -> BinaryIO:
        fs = self._fs.get(locator.value("vol"))
        if fs is None:
            raise EvidenceError(f"no file system for {locator.serialize()}")
        return fs.open(locator)

    def media_stream(self) -> BinaryIO:
        """A stream on its own handle (libewf handles are not thread-safe)."""
        media = self._media.reopen()
        return ReadAtStream(media.read_at, media.size, media.close)  # type: ignore[return-value]

    def close(self) -> None:
        self._media.close()
