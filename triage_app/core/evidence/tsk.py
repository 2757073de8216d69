"""Disk images through The Sleuth Kit (pytsk3). Only module importing pytsk3.

Volumes: the partition table (MBR with extended/logical partitions, GPT, ...) if any, else
a file system at offset 0. Every allocated partition is recorded; one without a file system
TSK recognises is recorded as `no_filesystem`, never an error for the whole image. APFS is
read through `apfs.py` because pytsk3 exposes no pool API.

Walk: like `fls -r`: every name in every directory, deleted names included, plus TSK's
virtual `$OrphanFiles` directory. Directory loops (corrupt or hostile file systems) are cut by
remembering the directory inodes already walked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import pytsk3

from ..errors import EvidenceError
from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken
from .base import Entry, ReadAtStream

log = logging.getLogger(__name__)

_META_KIND = {
    pytsk3.TSK_FS_META_TYPE_REG: "file",
    pytsk3.TSK_FS_META_TYPE_DIR: "dir",
    pytsk3.TSK_FS_META_TYPE_VIRT_DIR: "dir",
    pytsk3.TSK_FS_META_TYPE_LNK: "link",
    pytsk3.TSK_FS_META_TYPE_VIRT: "file",
}
_NAME_KIND = {
    pytsk3.TSK_FS_NAME_TYPE_REG: "file",
    pytsk3.TSK_FS_NAME_TYPE_DIR: "dir",
    pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR: "dir",
    pytsk3.TSK_FS_NAME_TYPE_LNK: "link",
    pytsk3.TSK_FS_NAME_TYPE_VIRT: "file",
}
_FS_NAMES = {
    pytsk3.TSK_FS_TYPE_NTFS: "NTFS",
    pytsk3.TSK_FS_TYPE_FAT12: "FAT12",
    pytsk3.TSK_FS_TYPE_FAT16: "FAT16",
    pytsk3.TSK_FS_TYPE_FAT32: "FAT32",
    pytsk3.TSK_FS_TYPE_EXFAT: "exFAT",
    pytsk3.TSK_FS_TYPE_EXT2: "ext2",
    pytsk3.TSK_FS_TYPE_EXT3: "ext3",
    pytsk3.TSK_FS_TYPE_EXT4: "ext4",
    pytsk3.TSK_FS_TYPE_HFS: "HFS+",
    pytsk3.TSK_FS_TYPE_ISO9660: "ISO9660",
    pytsk3.TSK_FS_TYPE_FFS1: "UFS1",
    pytsk3.TSK_FS_TYPE_FFS2: "UFS2",
    pytsk3.TSK_FS_TYPE_YAFFS2: "YAFFS2",
}
CHUNK = 1024 * 1024
_NTFS_DATA = pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA
_NTFS_IDXROOT = pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT


def tsk_version() -> str:
    return str(pytsk3.TSK_VERSION_STR)


class _CallbackImg(pytsk3.Img_Info):  # type: ignore[misc]
    """Lets TSK read through a Python `read_at` (split raw, EWF)."""

    def __init__(self, read_at: Callable[[int, int], bytes], size: int) -> None:
        self._read_at = read_at
        self._size = size
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        return self._read_at(offset, size)

    def get_size(self) -> int:
        return self._size

    def close(self) -> None:
        return None


def open_image(path: str | None, read_at: Callable[[int, int], bytes], size: int) -> Any:
    """A TSK image: native file access for a single raw file (fast), else callbacks."""
    if path is not None:
        return pytsk3.Img_Info(path)
    return _CallbackImg(read_at, size)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ts(seconds: int, nano: int) -> datetime | None:
    if seconds <= 0:
        return None
    try:
        return _EPOCH + timedelta(seconds=seconds, microseconds=nano // 1000)
    except OverflowError:
        return None


def _decode_name(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), f"name bytes are not valid UTF-8: {raw.hex()}"


def find_volumes(img: Any) -> tuple[list[VolumeInfo], Any]:
    """Partitions with file systems, or a bare file system; returns (volumes, vs_info)."""
    try:
        vs = pytsk3.Volume_Info(img)
    except OSError:
        return [], None
    block = vs.info.block_size
    volumes: list[VolumeInfo] = []
    n = 0
    for part in vs:
        if not part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC:
            continue
        n += 1
        desc = (
            part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else str(part.desc)
        )
        volumes.append(
            VolumeInfo(
                index=f"p{n}",
                offset=part.start * block,
                length=part.len * block,
                description=desc,
                fs_type=None,
                status="pending",
            )
        )
    return volumes, vs


def open_fs(img: Any, offset: int) -> tuple[Any | None, str]:
    try:
        fs = pytsk3.FS_Info(img, offset=offset)
    except OSError as exc:
        return None, str(exc).split("with error: ")[-1]
    return fs, _FS_NAMES.get(fs.info.ftype, f"TSK type {fs.info.ftype}")


class TskFileSystem:
    """One file system inside an image, walked the way `fls -r -p` lists it."""

    def __init__(self, fs: Any, volume: str | None, base: Locator) -> None:
        self._fs = fs
        self._volume = volume
        self._base = base
        self._ntfs = fs.info.ftype == pytsk3.TSK_FS_TYPE_NTFS

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        visited: set[int] = set()
        root = self._fs.open_dir(inode=self._fs.info.root_inum)
        visited.add(self._fs.info.root_inum)
        stack: list[tuple[Any, str]] = [(root, "")]
        while stack:
            cancel.check()
            directory, prefix = stack.pop()
            for entry, child in self._list(directory, prefix):
                if child is not None and entry.ref.inode in visited:
                    # A directory entry pointing at a directory already walked (a crafted or
                    # damaged file system): listed, not descended, and said so.
                    loop = f"directory loop: inode {entry.ref.inode} already listed; not descended"
                    note = "; ".join(n for n in (entry.ref.note, loop) if n)
                    entry, child = Entry(replace(entry.ref, note=note), entry.opener), None
                yield entry
                if child is not None:
                    visited.add(entry.ref.inode or 0)
                    stack.append((child, entry.ref.path))

    def _list(self, directory: Any, prefix: str) -> Iterator[tuple[Entry, Any]]:
        seen: dict[str, int] = {}
        try:
            items = list(directory)
        except OSError as exc:
            log.warning("cannot list directory %s: %s", prefix or "/", exc)
            return
        for f in items:
            raw = f.info.name.name
            if raw in (b".", b".."):
                continue
            name, note = _decode_name(raw)
            path = f"{prefix}/{name}"
            seen[path] = seen.get(path, 0) + 1
            content = self._with_meta(f)
            ref = self._ref(f.info.name, content.info.meta, path, seen[path], note)
            child = None
            if ref.kind == "dir" and ref.inode:
                try:
                    child = f.as_directory()
                except OSError:
                    child = None
            opener = None
            if ref.kind == "file" and ref.size > 0 and content.info.meta is not None and ref.inode:
                opener = _opener(content, ref.size)
            yield Entry(ref, opener), child
            if self._ntfs and content.info.meta is not None:
                for stream in self._named_streams(content, ref):
                    yield stream, None

    def _with_meta(self, f: Any) -> Any:
        # Entries under TSK's virtual $OrphanFiles come without metadata although their inode
        # is known; opening the inode recovers size, times and (often) content.
        if f.info.meta is None and f.info.name.meta_addr:
            try:
                return self._fs.open_meta(inode=f.info.name.meta_addr)
            except OSError:
                return f
        return f

    def _named_streams(self, f: Any, ref: FileRef) -> Iterator[Entry]:
        """NTFS alternate data streams (and named index attributes), listed as `path:name`
        the way `fls` lists them: hidden data lives there (e.g. `Zone.Identifier`)."""
        for attr in f:
            info = attr.info
            attr_name = info.name.decode("utf-8", "replace") if info.name else ""
            if not attr_name or attr_name == "$I30":
                continue
            if info.type not in (_NTFS_DATA, _NTFS_IDXROOT):
                continue
            is_data = info.type == _NTFS_DATA
            if ref.path == "/$BadClus" and attr_name == "$Bad":
                # Sparse stream as long as the volume, listing bad clusters: nothing to hash.
                yield Entry(replace(ref, path=f"{ref.path}:$Bad", size=0, kind="other",
                                    locator=ref.locator.child("attr", f"{info.type}-{info.id}"),
                                    note="NTFS bad-cluster list (sparse, not read)"))  # fmt: skip
                continue
            size = int(info.size) if is_data else 0
            stream = replace(
                ref,
                path=f"{ref.path}:{attr_name}",
                locator=ref.locator.child("attr", f"{info.type}-{info.id}"),
                size=size,
                kind="file" if is_data else "other",
                note=None if is_data else "NTFS index attribute",
            )
            opener = _opener(f, size, info.type, info.id) if is_data and size > 0 else None
            yield Entry(stream, opener)

    def _ref(self, name_info: Any, meta: Any, path: str, nth: int, note: str | None) -> FileRef:
        deleted = bool(name_info.flags & pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
        inode = int(meta.addr) if meta is not None else (int(name_info.meta_addr) or None)
        if meta is not None:
            deleted = deleted or bool(meta.flags & pytsk3.TSK_FS_META_FLAG_UNALLOC)
            kind = _META_KIND.get(meta.type, _NAME_KIND.get(name_info.type, "other"))
        else:
            kind = _NAME_KIND.get(name_info.type, "other")
        locator = self._base.child("inode", str(inode or 0)).child("path", path)
        if nth > 1:
            locator = locator.child("dup", str(nth))
        if meta is None and deleted:
            note = "; ".join(filter(None, [note, "deleted name without metadata: content lost"]))
        return FileRef(
            path=path,
            locator=locator,
            size=int(meta.size) if meta is not None and kind == "file" else 0,
            kind=kind,
            volume=self._volume,
            inode=inode,
            deleted=deleted,
            mtime=_ts(meta.mtime, meta.mtime_nano) if meta is not None else None,
            atime=_ts(meta.atime, meta.atime_nano) if meta is not None else None,
            ctime=_ts(meta.ctime, meta.ctime_nano) if meta is not None else None,
            crtime=_ts(meta.crtime, meta.crtime_nano) if meta is not None else None,
            note=note,
        )

    def open(self, locator: Locator) -> BinaryIO:
        inode = int(locator.value("inode") or 0)
        if inode == 0:
            raise EvidenceError(f"no content for {locator.serialize()}: no metadata entry")
        f = self._fs.open_meta(inode=inode)
        attr = locator.value("attr")
        if attr is None:
            return _opener(f, int(f.info.meta.size))()
        attr_type, attr_id = (int(x) for x in attr.split("-"))
        for a in f:
            if a.info.type == attr_type and a.info.id == attr_id:
                return _opener(f, int(a.info.size), attr_type, attr_id)()
        raise EvidenceError(f"attribute {attr} not found for {locator.serialize()}")


def _opener(
    f: Any, size: int, attr_type: int | None = None, attr_id: int | None = None
) -> Callable[[], BinaryIO]:
    def read_at(offset: int, n: int) -> bytes:
        if attr_type is None:
            return bytes(f.read_random(offset, n))
        return bytes(f.read_random(offset, n, attr_type, attr_id))

    return lambda: ReadAtStream(read_at, size)  # type: ignore[return-value]


def ensure_readable(img: Any) -> None:
    try:
        img.read(0, 512)
    except OSError as exc:
        raise EvidenceError(f"cannot read the image: {exc}") from exc
