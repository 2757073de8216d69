"""Open an evidence item by its content, never by its file name extension alone.

The extension is only used to find the other parts of a split set (`.001`, `.aa`, `.E02`).
Formats that are recognised but cannot be read (virtual disks, AFF4, DMG, BitLocker, ...)
raise `UnsupportedFormat` naming the format, so the examiner knows what to convert.
"""

from __future__ import annotations

import gzip
import shutil
import zlib
from pathlib import Path

from ..errors import EvidenceError, UnsupportedFormat
from ..progress import CancelToken
from .archive import is_tar_header
from .base import EvidenceSource, SourceInfo
from .directory import open_readonly

EWF_MAGIC = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\r\n\x81\x00", b"LVF\x09\x0d\x0a\xff\x00")
ANDROID_BACKUP_MAGIC = b"ANDROID BACKUP\n"
MAX_GZIP_BYTES = 1024**4  # 1 TiB: also bounded by free space in the case folder

# (offset from start, magic, format name). Offsets < 0 count from the end of the file.
_UNSUPPORTED: tuple[tuple[int, bytes, str], ...] = (
    (0, b"QFI\xfb", "QCOW/QCOW2 virtual disk (convert with `qemu-img convert -O raw`)"),
    (0, b"conectix", "VHD virtual disk (dynamic/differencing)"),
    (-512, b"conectix", "VHD virtual disk"),
    (0, b"vhdxfile", "VHDX virtual disk"),
    (0, b"KDMV", "VMDK sparse virtual disk"),
    (0, b"# Disk DescriptorFile", "VMDK descriptor"),
    (0, b"COWD", "VMware COWD virtual disk"),
    (-512, b"koly", "Apple disk image (DMG)"),
    (3, b"-FVE-FS-", "BitLocker-encrypted volume"),
    (0, b"LUKS\xba\xbe", "LUKS-encrypted volume"),
    (0, b"AFF", "AFF forensic image"),
    (0, b"\x7fELF", "executable file, not an evidence container"),
)
_LOOSE_FILE_MAGIC = (
    b"SQLite format 3\x00", b"\xff\xd8\xff", b"\x89PNG", b"bplist00", b"%PDF", b"<?xml",
    b"cook",  # Apple Cookies.binarycookies
)  # fmt: skip
_PARALLELS = b"<Parallels_disk_image"


def _head_tail(path: Path) -> tuple[bytes, bytes, int]:
    from .directory import open_readonly

    size = path.stat().st_size
    with open_readonly(path, follow=True) as f:
        head = f.read(4096)
        tail = b""
        if size >= 512:
            f.seek(size - 512)
            tail = f.read(512)
    return head, tail, size


def _unsupported(head: bytes, tail: bytes) -> str | None:
    if head.startswith(b"<?xml") and _PARALLELS in head:
        return "Parallels disk image descriptor (DiskDescriptor.xml) without its data file"
    for offset, magic, name in _UNSUPPORTED:
        data = tail[offset + 512 :] if offset < 0 else head[offset:]
        if data.startswith(magic):
            return name
    return None


def _is_aff4(path: Path) -> bool:
    import zipfile

    try:
        with open_readonly(path, follow=True) as fh, zipfile.ZipFile(fh) as z:
            return any(n.endswith(("information.turtle", "information.yaml")) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _gzip_payload_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as f:
            return f.read(1024)
    except (OSError, EOFError, zlib.error) as exc:
        raise EvidenceError(f"{path.name}: corrupt gzip stream: {exc}") from exc


def open_evidence(
    path: Path, workdir: Path, cancel: CancelToken, password: str | None = None
) -> EvidenceSource:
    """Pick and open the right source for `path` (a folder, an archive or an image).

    `password` unlocks an encrypted iTunes/Finder or Android backup; other sources ignore it.
    """
    path = Path(path).absolute()  # case records name evidence by absolute path
    if path.is_dir():
        return _open_folder(path, workdir, password)
    if not path.is_file():
        raise EvidenceError(f"{path}: no such file or folder")
    head, tail, size = _head_tail(path)
    if size == 0:
        raise EvidenceError(f"{path.name}: empty file (0 bytes), nothing to examine")
    try:
        if head.startswith(ANDROID_BACKUP_MAGIC):
            from .android_backup import AndroidBackupSource

            return AndroidBackupSource(path, workdir, password, cancel)
        return _open_file(path, head, tail, workdir, cancel)
    except EvidenceError as exc:
        if str(exc).startswith(path.name):
            raise
        raise type(exc)(f"{path.name}: {exc}") from exc


def _open_folder(path: Path, workdir: Path, password: str | None) -> EvidenceSource:
    if (path / "Manifest.db").is_file():
        from .ios_backup import IosBackupSource

        try:
            return IosBackupSource(path, workdir, password)
        except EvidenceError as exc:
            raise type(exc)(f"{path.name}: {exc}") from exc
    if (path / "Manifest.mbdb").is_file():
        raise UnsupportedFormat(
            f"{path.name}: unsupported format: iTunes backup of iOS < 10 (Manifest.mbdb)"
        )
    from .directory import DirectorySource

    return DirectorySource(path)


def _open_file(
    path: Path, head: bytes, tail: bytes, workdir: Path, cancel: CancelToken
) -> EvidenceSource:
    if head.startswith(EWF_MAGIC):
        return _open_ewf(path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if _is_aff4(path):
            raise UnsupportedFormat(f"{path.name}: unsupported format: AFF4 forensic container")
        return _open_archive(path, workdir, cancel)
    if is_tar_header(head[:512]) or head.startswith((b"BZh", b"\xfd7zXZ\x00")):
        return _open_archive(path, workdir, cancel)
    if head.startswith(b"\x1f\x8b"):
        if is_tar_header(_gzip_payload_head(path)[:512]):
            return _open_archive(path, workdir, cancel)
        return _open_gzip_raw(path, workdir, cancel)
    if name := _unsupported(head, tail):
        raise UnsupportedFormat(f"{path.name}: unsupported format: {name}")
    if head.startswith(_LOOSE_FILE_MAGIC):
        from .directory import LooseFileSource

        return LooseFileSource(path)
    return _open_raw(path)


def _open_ewf(path: Path) -> EvidenceSource:
    from .disk import DiskSource
    from .ewf import EwfMedia

    media = EwfMedia(path)
    info = SourceInfo(
        kind="disk_image",
        format="ewf",
        container_files=media.container_files,
        media_size=media.size,
        stored_md5=media.stored_md5,
        stored_sha1=media.stored_sha1,
        metadata=media.metadata,
    )
    try:
        return DiskSource(media, info)
    except BaseException:
        media.close()
        raise


def _open_raw(path: Path, container: list[Path] | None = None) -> EvidenceSource:
    from .disk import DiskSource
    from .media import RawMedia, split_set

    media = RawMedia(split_set(path))
    info = SourceInfo(
        kind="disk_image",
        format=media.format,
        container_files=container or media.container_files,
        media_size=media.size,
    )
    native = str(media.single_path) if media.single_path else None
    try:
        return DiskSource(media, info, native_path=native)
    except BaseException:
        media.close()
        raise


def _open_gzip_raw(path: Path, workdir: Path, cancel: CancelToken) -> EvidenceSource:
    from .spool import spool

    spool_dir = workdir / "spool"
    spool_dir.mkdir(parents=True, exist_ok=True)
    limit = min(MAX_GZIP_BYTES, shutil.disk_usage(spool_dir).free - 64 * 1024**2)
    spooled = spool(
        path, lambda raw: gzip.GzipFile(fileobj=raw), ".raw", spool_dir, limit, cancel, "gzip"
    )
    source = _open_raw(spooled, container=[path])
    source.info.format = "gzip_raw"
    return source


def _open_archive(path: Path, workdir: Path, cancel: CancelToken) -> EvidenceSource:
    from .archive import ArchiveSource

    return ArchiveSource(path, workdir / "spool", cancel=cancel)


def first_segments(paths: list[Path]) -> list[Path]:
    """Drop later parts of split sets whose first part is also given (`x.001 x.002` → `x.001`)."""
    from .media import split_set

    given = [Path(p) for p in paths]
    resolved = {p.resolve() for p in given if p.is_file()}
    later: set[Path] = set()
    for p in given:
        if not p.is_file():
            continue
        later.update(q.resolve() for q in split_set(p)[1:])
        suffix = p.suffix
        if len(suffix) == 4 and suffix[1] in "eE" and suffix[2:].isdigit() and suffix[2:] != "01":
            first = p.with_suffix(suffix[:2] + "01").resolve()
            if first in resolved:
                later.add(p.resolve())
    return [p for p in given if p.resolve() not in later]
