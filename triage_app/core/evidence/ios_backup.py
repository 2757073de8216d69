"""iTunes/Finder backups of iPhones and iPads (iOS 10 and later, indexed by `Manifest.db`).

Layout (the public iOS backup format, as read by iLEAPP and mvt): table `Files(fileID,
domain, relativePath, flags, file)` lists every item; flags 1 = file, 2 = directory,
4 = symbolic link; a file's content is `<backup>/<fileID[:2]>/<fileID>` (fileID = SHA-1 of
"<domain>-<relativePath>"); `file` is an NSKeyedArchiver binary plist of an `MBFile` with
Size, LastModified, LastStatusChange and Birth (Unix seconds), InodeNumber, Mode, Target
(links), ProtectionClass and EncryptionKey (encrypted backups). Manifest.plist, Info.plist
and Status.plist describe the backup and the device; they are also indexed at "/".

Each item is presented at its path on the device, so that the parsers written for iOS full
file-system extractions run unchanged. Domains and their roots:

    HomeDomain, MediaDomain, CameraRollDomain,  /private/var/mobile/  (their relative paths
    KeyboardDomain, HomeKitDomain               start with Library/… or Media/…)
    HealthDomain                     /private/var/mobile/Library/  (relative: Health/…)
    WirelessDomain                   /private/var/wireless/
    SystemPreferencesDomain          /private/var/preferences/
    RootDomain                       /private/var/root/
    KeychainDomain                   /private/var/Keychains/
    DatabaseDomain                   /private/var/db/
    ManagedPreferencesDomain         /private/var/Managed Preferences/
    AppDomain-<id>                   /private/var/mobile/Containers/Data/Application/<id>/
    AppDomainGroup-<id>              /private/var/mobile/Containers/Shared/AppGroup/<id>/
    AppDomainPlugin-<id>             /private/var/mobile/Containers/Data/PluginKitPlugin/<id>/
    SysContainerDomain-<id>          /private/var/containers/Data/System/<id>/
    SysSharedContainerDomain-<id>    /private/var/containers/Shared/SystemGroup/<id>/
    any other domain                 /<domain>/

On a device app containers are named by UUID; a backup has no UUID, so the bundle id is
the folder name. The locator keeps fileID, domain and relativePath. Manifest.db is copied
(with its -wal/-shm) into the case work area and only the copy is opened, read-only.
Times come from the MBFile record (Unix seconds, UTC; 0 = not set); without a readable
record, from the content file (the time of the backup, not of the device: noted).
"""

from __future__ import annotations

import functools
import logging
import os
import plistlib
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers.expat import ExpatError

from ..errors import EvidenceError, PasswordNeeded
from ..models import FileRef, Locator, VolumeInfo
from ..progress import CancelToken
from ..timeconv import iso
from .base import Entry, EvidenceSource, SourceInfo
from .directory import open_readonly, stat_ref
from .ios_backup_crypto import BackupKeys, CbcFile
from .ios_backup_manifest import Manifest, Record, content_ref, record_of

log = logging.getLogger(__name__)

TOP_FILES = ("Manifest.plist", "Info.plist", "Status.plist", "Manifest.db")
_SQLITE_SIBLINGS = ("-wal", "-shm")
_MAX_PLIST = 64 * 1024**2  # Info.plist carries app icons and iTunes data: a few MB
_FILE_ID = re.compile(r"[0-9a-f]{40}")
_INFO_KEYS = (
    "Device Name", "Display Name", "Product Type", "Product Version", "Build Version",
    "Serial Number", "IMEI", "MEID", "ICCID", "Phone Number", "Last Backup Date",
    "Unique Identifier", "Target Identifier",
)  # fmt: skip
_MANIFEST_KEYS = ("IsEncrypted", "Version", "Date", "WasPasscodeSet", "SystemDomainsVersion")
_PLIST_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, OverflowError)
_IMPLIED = "directory implied by the device paths of the backup's items"


def _load_plist(path: Path) -> dict[str, Any]:
    try:
        with open_readonly(path) as fh:
            data = fh.read(_MAX_PLIST + 1)
        if len(data) > _MAX_PLIST:
            raise ValueError(f"larger than {_MAX_PLIST} bytes")
        value = plistlib.loads(data)
    except (*_PLIST_ERRORS, ExpatError, RecursionError) as exc:
        raise EvidenceError(f"{path.name}: unreadable property list: {exc}") from exc
    if not isinstance(value, dict):
        raise EvidenceError(f"{path.name}: property list is not a dictionary")
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime):  # plistlib gives naive datetimes that are UTC
        return iso(value.replace(tzinfo=UTC) if value.tzinfo is None else value)
    return value if isinstance(value, str | int | float | bool) else None


def _metadata(info: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    meta = {k: _scalar(info.get(k)) for k in _INFO_KEYS if _scalar(info.get(k)) is not None}
    for key in _MANIFEST_KEYS:
        if (value := _scalar(manifest.get(key))) is not None:
            meta[f"Manifest {key}"] = value
    return meta


class IosBackupSource(EvidenceSource):
    """An iTunes/Finder backup folder, read in place through a copy of its Manifest.db."""

    def __init__(self, folder: Path, workdir: Path, password: str | None = None) -> None:
        self._root = Path(folder)
        self._work = Path(workdir) / "ios_backup"
        if not (self._root / "Manifest.db").is_file():
            raise EvidenceError(f"{folder}: no Manifest.db: not an iTunes/Finder backup")
        self.info = SourceInfo(kind="ios_backup", format="itunes_backup", container_files=[])
        manifest_plist = self._optional_plist("Manifest.plist")
        info_plist = self._optional_plist("Info.plist")
        self.info.metadata = _metadata(info_plist, manifest_plist)
        self._keys: BackupKeys | None = None
        self._manifest_key: bytes | None = None
        if manifest_plist.get("IsEncrypted") is True:
            self._unlock(manifest_plist, password)
        else:
            self._check_sqlite()
        self.info.metadata["encrypted"] = self._keys is not None
        self._lock = threading.Lock()
        self._manifest: Manifest | None = None
        self._copy_dir: Path | None = None
        self._real_root = os.path.realpath(self._root)
        self._safe_dirs: dict[str, bool] = {}

    def _optional_plist(self, name: str) -> dict[str, Any]:
        """A descriptive plist; without it the backup is still read (Manifest.db decides)."""
        if not (self._root / name).is_file():
            self.info.warnings.append(f"{name} is missing from the backup folder")
            return {}
        try:
            return _load_plist(self._root / name)
        except EvidenceError as exc:
            self.info.warnings.append(str(exc))
            return {}

    def _unlock(self, manifest_plist: dict[str, Any], password: str | None) -> None:
        if password is None:
            raise PasswordNeeded("encrypted iTunes backup: password needed (--password)")
        keybag, wrapped = manifest_plist.get("BackupKeyBag"), manifest_plist.get("ManifestKey")
        if not isinstance(keybag, bytes) or not isinstance(wrapped, bytes):
            raise EvidenceError("encrypted backup: Manifest.plist has no BackupKeyBag/ManifestKey")
        self._keys = keys = BackupKeys(keybag, password)
        try:
            self._manifest_key = keys.unwrap(wrapped)
        except ValueError as exc:
            raise EvidenceError(f"cannot unwrap the Manifest.db key: {exc}") from exc

    def _check_sqlite(self) -> None:
        with open_readonly(self._root / "Manifest.db") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise EvidenceError(
                    "Manifest.db is not a SQLite database (an encrypted backup without its "
                    "Manifest.plist?)"
                )

    def volumes(self) -> list[VolumeInfo]:
        return []

    def walk(self, cancel: CancelToken) -> Iterator[Entry]:
        for name in self._top_names():
            cancel.check()
            path = self._root / name
            yield Entry(stat_ref(path.lstat(), name), functools.partial(open_readonly, path))
        manifest = self._open_manifest()
        explicit = manifest.directory_paths()
        implied: set[str] = set()
        for rows in manifest.pages():
            for row in rows:
                cancel.check()
                record = record_of(row)
                for parent in _parents(record.path):
                    if parent not in explicit and parent not in implied:
                        implied.add(parent)
                        locator = Locator((("dir", parent),))
                        yield Entry(FileRef(parent, locator, kind="dir", note=_IMPLIED))
                yield self._entry(record)

    def _top_names(self) -> list[str]:
        names = [*TOP_FILES, *(f"Manifest.db{s}" for s in _SQLITE_SIBLINGS)]
        return [n for n in names if (self._root / n).is_file()]

    def _entry(self, record: Record) -> Entry:
        if record.kind != "file":
            return Entry(content_ref(record, None, None))
        if not _FILE_ID.fullmatch(record.file_id):
            note = "fileID is not a SHA-1 hex digest: content not looked up"
            return Entry(content_ref(record, None, note))
        try:
            path = self._content_path(record.file_id)
        except EvidenceError as exc:
            return Entry(content_ref(record, None, str(exc)))
        try:
            st = path.lstat()
        except OSError:
            if record.size == 0 and record.readable:
                return Entry(content_ref(record, 0, None))  # empty files have no content file
            return Entry(content_ref(record, None, "content file missing from the backup"))
        if not stat.S_ISREG(st.st_mode):
            return Entry(content_ref(record, None, "content file is not a regular file"))
        if self._keys is None:
            ref = content_ref(record, st.st_size, None, st)
            return Entry(ref, functools.partial(open_readonly, path))
        return self._encrypted_entry(record, path)

    def _content_path(self, file_id: str) -> Path:
        """`<backup>/<fileID[:2]>/<fileID>`, refused when that folder leads out of the backup."""
        sub = file_id[:2]
        if sub not in self._safe_dirs:
            real = os.path.realpath(self._root / sub)
            self._safe_dirs[sub] = os.path.dirname(real) == self._real_root
        if not self._safe_dirs[sub]:
            raise EvidenceError(f"content folder {sub!r} leads outside the backup folder")
        return self._root / sub / file_id

    def _encrypted_entry(self, record: Record, path: Path) -> Entry:
        try:
            key = self._file_key(record.wrapped_key)
            reader = CbcFile(path, key)
        except (OSError, ValueError, EvidenceError) as exc:
            return Entry(content_ref(record, None, f"cannot decrypt: {exc}"))
        reader.close()
        return Entry(content_ref(record, reader.size, None), functools.partial(_cbc, path, key))

    def _file_key(self, wrapped: bytes | None) -> bytes:
        if wrapped is None or self._keys is None:
            raise EvidenceError("no EncryptionKey in the Manifest.db record")
        return self._keys.unwrap(wrapped)

    def _open_manifest(self) -> Manifest:
        with self._lock:
            if self._manifest is None:
                self._work.mkdir(parents=True, exist_ok=True)
                self._copy_dir = Path(tempfile.mkdtemp(prefix="manifest-", dir=self._work))
                self._manifest = Manifest.copy_from(
                    self._root, self._copy_dir, self._manifest_key, self._keys is not None
                )
            return self._manifest

    def open(self, locator: Locator) -> BinaryIO:
        file_id = locator.value("file_id")
        if file_id is None:
            return self._open_top(locator)
        if not _FILE_ID.fullmatch(file_id):
            raise EvidenceError(f"refused locator {locator.serialize()}: bad fileID")
        path = self._content_path(file_id)
        if self._keys is None:
            return open_readonly(path)
        record = self._open_manifest().record(file_id)
        if record is None:
            raise EvidenceError(f"no Manifest.db record for {locator.serialize()}")
        try:
            return _cbc(path, self._file_key(record.wrapped_key))
        except ValueError as exc:
            raise EvidenceError(f"cannot decrypt {locator.serialize()}: {exc}") from exc

    def _open_top(self, locator: Locator) -> BinaryIO:
        name = locator.value("path")
        if name not in self._top_names():
            raise EvidenceError(f"no such file in this backup: {locator.serialize()}")
        return open_readonly(self._root / name)

    def close(self) -> None:
        with self._lock:
            if self._manifest is not None:
                self._manifest.close()
                self._manifest = None
            if self._copy_dir is not None:
                shutil.rmtree(self._copy_dir, ignore_errors=True)
                self._copy_dir = None


def _cbc(path: Path, key: bytes) -> BinaryIO:
    return CbcFile(path, key).stream()


def _parents(path: str) -> list[str]:
    parts = path.split("/")[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]
