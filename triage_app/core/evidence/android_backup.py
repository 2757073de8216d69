"""Android `adb backup` files (`.ab`: plain, compressed, or encrypted with a password).

Format (AOSP `BackupManagerService` / `PerformAdbBackupTask`, described publicly by Nikolay
Elenkov, "Unpacking Android backups", 2012): text header lines ending in "\\n"

    ANDROID BACKUP
    <format version: 1 (4.0) … 5 (9 and later)>
    <compressed: 0 | 1>
    <encryption: none | AES-256>
    (AES-256 only) <user password salt, hex> <master key checksum salt, hex>
                   <PBKDF2 rounds> <user key IV, hex> <encrypted master key blob, hex>

then the payload: a tar of `apps/<package>/<token>/…` (and `shared/<user>/…` for `-shared`),
deflated with a zlib header when compressed, AES-256-CBC/PKCS#7 encrypted when encrypted.
The crypto is in `android_backup_crypto.py`.

The payload is decompressed (and decrypted) once into the case work area as a plain tar,
with the same safety as compressed tars (`spool.py`: size cap, temporary name, reused when
complete), then read by an `ArchiveSource` (limits, hostile member names, truncation). A
reused copy needs no password, so hash worker processes and resumed scans can open an
encrypted backup after the examiner unlocked it once; a password given is always checked.

Member paths are presented where the data lives on the device, so that the parsers written
for file-system extractions run unchanged (tokens from AOSP `FullBackup`):

    apps/<pkg>/a/<x>                  → /data/app/<pkg>/<x>  (the APK: base.apk)
    apps/<pkg>/r/<x>                  → /data/data/<pkg>/<x>
    apps/<pkg>/f, db, sp, c, nb/<x>   → /data/data/<pkg>/files, databases, shared_prefs,
                                        cache, no_backup/<x>
    apps/<pkg>/d_r, d_f, d_db, …/<x>  → /data/user_de/0/<pkg>/… (device-protected storage)
    apps/<pkg>/ef/<x>                 → /storage/emulated/0/Android/data/<pkg>/<x>
    apps/<pkg>/obb/<x>                → /storage/emulated/0/Android/obb/<pkg>/<x>
    shared/<user>/<x>                 → /storage/emulated/<user>/<x>

Anything else (`apps/<pkg>/_manifest`, key/value data under `k/`) keeps its path in the
backup. The locator keeps the tar member's index and original name.
"""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..errors import EvidenceError, UnsupportedFormat
from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken
from .android_backup_crypto import MAGIC as MAGIC
from .android_backup_crypto import AbHeader, PayloadStream, read_header, unlock
from .archive import ArchiveLimits, ArchiveSource
from .base import Entry, EvidenceSource, SourceInfo
from .directory import open_readonly
from .spool import spool, spool_target

log = logging.getLogger(__name__)

_DATA = "/data/data/"
_DE = "/data/user_de/0/"
_EXTERNAL = "/storage/emulated/0/Android/"
# token → (prefix before the package name, suffix after it)
_APP_DIRS: dict[str, tuple[str, str]] = {
    "a": ("/data/app/", ""),
    "r": (_DATA, ""),
    "f": (_DATA, "/files"),
    "db": (_DATA, "/databases"),
    "sp": (_DATA, "/shared_prefs"),
    "c": (_DATA, "/cache"),
    "nb": (_DATA, "/no_backup"),
    "d_r": (_DE, ""),
    "d_f": (_DE, "/files"),
    "d_db": (_DE, "/databases"),
    "d_sp": (_DE, "/shared_prefs"),
    "d_c": (_DE, "/cache"),
    "d_nb": (_DE, "/no_backup"),
    "ef": (_EXTERNAL + "data/", ""),
    "obb": (_EXTERNAL + "obb/", ""),
}
_IMPLIED = "directory implied by the device paths of the backup's members"


def device_path(member_path: str) -> str:
    """The device path of a (sanitised) tar member path such as `/apps/<pkg>/db/x`."""
    parts = member_path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "apps" and parts[2] in _APP_DIRS:
        prefix, suffix = _APP_DIRS[parts[2]]
        return "/".join([prefix + parts[1] + suffix, *parts[3:]])
    if len(parts) >= 2 and parts[0] == "shared" and parts[1].isascii() and parts[1].isdigit():
        return "/".join([f"/storage/emulated/{parts[1]}", *parts[2:]])
    return member_path


def _parents(path: str) -> list[str]:
    parts = path.split("/")[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


class AndroidBackupSource(EvidenceSource):
    """An `.ab` file, read through its payload decompressed once into the case work area."""

    def __init__(
        self,
        path: Path,
        workdir: Path,
        password: str | None = None,
        cancel: CancelToken | None = None,
        limits: ArchiveLimits | None = None,
    ) -> None:
        self._path = Path(path)
        cancel = cancel or CancelToken()
        limits = limits or ArchiveLimits()
        try:
            with open_readonly(self._path, follow=True) as fh:
                header = read_header(fh)
        except OSError as exc:
            raise EvidenceError(f"{self._path.name}: cannot read: {exc}") from exc
        spool_dir = Path(workdir) / "spool"
        tar = self._payload_tar(header, password, spool_dir, limits, cancel)
        self.info = SourceInfo(
            kind="android_backup",
            format="android_backup",
            container_files=[self._path],
            metadata={
                "backup_version": header.version,
                "compressed": header.compressed,
                "encryption": header.encryption,
                "spooled_copy": str(tar),
            },
        )
        self._archive = self._open_tar(tar, spool_dir, limits, cancel)

    def _payload_tar(
        self,
        header: AbHeader,
        password: str | None,
        spool_dir: Path,
        limits: ArchiveLimits,
        cancel: CancelToken,
    ) -> Path:
        encrypted = header.encryption != "none"
        keys = None
        target = spool_target(self._path, spool_dir, ".tar")
        if encrypted and (password is not None or not target.is_file()):
            keys = unlock(header, password)
        if target.is_file():
            return target
        spool_dir.mkdir(parents=True, exist_ok=True)
        limit = min(limits.max_total_bytes, shutil.disk_usage(spool_dir).free - 64 * 1024**2)

        def payload(raw: BinaryIO) -> io.BufferedIOBase:
            return io.BufferedReader(PayloadStream(raw, header, keys))

        kind = "encrypted Android backup" if encrypted else "Android backup"
        return spool(self._path, payload, ".tar", spool_dir, limit, cancel, kind)

    def _open_tar(
        self, tar: Path, spool_dir: Path, limits: ArchiveLimits, cancel: CancelToken
    ) -> ArchiveSource | None:
        with open(tar, "rb") as fh:
            first = fh.read(512)
        if not first.strip(b"\0"):
            # `adb backup` of nothing (or only of apps that opt out) writes an empty tar.
            self.info.warnings.append("the backup holds no files")
            return None
        try:
            archive = ArchiveSource(tar, spool_dir, limits, cancel)
        except UnsupportedFormat as exc:
            raise EvidenceError(f"backup payload is not a tar archive (corrupt?): {exc}") from exc
        self.info.warnings.extend(archive.info.warnings)
        return archive

    def volumes(self) -> list[VolumeInfo]:
        return []

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        if self._archive is None:
            return
        explicit = {
            device_path(e.ref.path)
            for e in self._archive.walk(cancel)
            if e.ref.kind == "dir" and e.ref.locator.value("dir") is None
        }
        implied: set[str] = set()
        for entry in self._archive.walk(cancel):
            if entry.ref.locator.value("dir") is not None:
                continue  # a parent in the tar's layout; parents are implied again below
            path = device_path(entry.ref.path)
            for parent in _parents(path):
                if parent not in explicit and parent not in implied:
                    implied.add(parent)
                    locator = Locator((("dir", parent),))
                    yield Entry(FileRef(parent, locator, kind="dir", note=_IMPLIED))
            yield Entry(replace(entry.ref, path=path), entry.opener)

    def open(self, locator: Locator) -> BinaryIO:
        if self._archive is None or locator.value("dir") is not None:
            raise EvidenceError(f"no content for {locator.serialize()}")
        return self._archive.open(locator)

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
