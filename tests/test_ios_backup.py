"""iTunes/Finder backups (iOS 10+): generated here with the real Manifest.db schema.

The encrypted variant is built with `cryptography` from the public format (keybag TLV,
PBKDF2-SHA256 then PBKDF2-SHA1, RFC 3394 key wrap, AES-256-CBC with a zero IV); the reader
unlocks it with iphone_backup_decrypt, so the two sides share no code.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.errors import EvidenceError, PasswordNeeded, UnsupportedFormat
from triage_app.core.evidence import open_evidence
from triage_app.core.evidence.base import Entry
from triage_app.core.evidence.directory import DirectorySource
from triage_app.core.evidence.ios_backup import IosBackupSource
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.core.progress import CancelToken
from triage_app.sample.ios_manifest import MANIFEST_DB, file_id, mbfile

Watch = Callable[..., None]
MTIME, BIRTH, CHANGED = 1_700_000_000, 1_690_000_000, 1_700_000_100


@dataclass
class Item:
    domain: str
    relative: str
    flags: int = 1
    content: bytes | None = None
    target: str | None = None
    file_id: str | None = None
    record: bytes | None = None  # a raw `file` column value instead of a generated MBFile

    @property
    def fid(self) -> str:
        return self.file_id or file_id(self.domain, self.relative)


ITEMS = [
    Item("HomeDomain", "", 2),
    Item("HomeDomain", "Library", 2),
    Item("HomeDomain", "Library/SMS", 2),
    Item("HomeDomain", "Library/SMS/sms.db", content=b"SQLite format 3\x00" + b"\x01" * 2000),
    Item("MediaDomain", "Library/SMS/Attachments/ab/01/IMG_1.jpg", content=b"\xff\xd8\xff"),
    Item("CameraRollDomain", "Media/DCIM/100APPLE/IMG_0001.JPG", content=b"\xff\xd8\xff\xe1x"),
    Item("AppDomain-net.whatsapp.WhatsApp", "Documents/x.txt", content=b"doc"),
    Item(
        "AppDomainGroup-group.net.whatsapp.WhatsApp.shared",
        "ChatStorage.sqlite",
        content=b"SQLite format 3\x00chat",
    ),
    Item("WirelessDomain", "Library/Databases/CellularUsage.db", content=b"cell"),
    Item("HealthDomain", "Health/healthdb.sqlite", content=b"health"),
    Item("FooDomain", "bar/baz.plist", content=b"foo"),
    Item("HomeDomain", "Library/Caches/link", 4, target="/private/var/mobile/x"),
    Item("HomeDomain", "Library/empty.txt", content=b""),
]
CONTENT = {i.relative: i.content for i in ITEMS if i.content is not None}


def _mbfile(item: Item, size: int, encryption_key: bytes | None = None) -> bytes:
    return mbfile(
        item.relative, size, mtime=MTIME, birth=BIRTH, changed=CHANGED, inode=4242,
        encryption_key=encryption_key, target=item.target,
    )  # fmt: skip


def _aes(key: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


class Keys:
    """The writer's side of an encrypted backup's keybag."""

    def __init__(self, password: str) -> None:
        salt, dpsl = os.urandom(20), os.urandom(20)
        stage1 = hashlib.pbkdf2_hmac("sha256", password.encode(), dpsl, 10, 32)
        passcode_key = hashlib.pbkdf2_hmac("sha1", stage1, salt, 5, 32)
        self.class_keys = {c: os.urandom(32) for c in (1, 2, 3, 4)}

        def tlv(tag: bytes, value: bytes | int) -> bytes:
            data = struct.pack(">L", value) if isinstance(value, int) else value
            return tag + struct.pack(">L", len(data)) + data

        bag = tlv(b"VERS", 3) + tlv(b"TYPE", 1) + tlv(b"UUID", os.urandom(16))
        bag += tlv(b"HMCK", os.urandom(40)) + tlv(b"WRAP", 0) + tlv(b"SALT", salt)
        bag += tlv(b"ITER", 5) + tlv(b"DPWT", 1) + tlv(b"DPIC", 10) + tlv(b"DPSL", dpsl)
        for cls, key in self.class_keys.items():
            bag += tlv(b"UUID", os.urandom(16)) + tlv(b"CLAS", cls) + tlv(b"WRAP", 2)
            bag += tlv(b"KTYP", 0) + tlv(b"WPKY", aes_key_wrap(passcode_key, key))
        self.keybag = bag

    def wrap(self, cls: int, key: bytes) -> bytes:
        return struct.pack("<l", cls) + aes_key_wrap(self.class_keys[cls], key)


def _manifest_db(path: Path, rows: list[tuple[object, ...]], wal_rows: int = 0) -> None:
    conn = sqlite3.connect(path)
    for sql in MANIFEST_DB:
        conn.execute(sql)
    insert = "INSERT INTO Files VALUES (?,?,?,?,?)"
    conn.executemany(insert, rows[: len(rows) - wal_rows])
    conn.commit()
    if wal_rows:
        # Rows that live only in a live -wal, as when a backup is copied mid-write.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.executemany(insert, rows[len(rows) - wal_rows :])
        conn.commit()
        for suffix in ("", "-wal", "-shm"):
            (path.parent / f"copy{suffix}").write_bytes(Path(f"{path}{suffix}").read_bytes())
    conn.close()
    if wal_rows:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").write_bytes((path.parent / f"copy{suffix}").read_bytes())
            (path.parent / f"copy{suffix}").unlink()


def make_backup(
    folder: Path, items: list[Item] = ITEMS, password: str | None = None, wal_rows: int = 0
) -> Path:
    folder.mkdir(parents=True)
    keys = Keys(password) if password is not None else None
    rows: list[tuple[object, ...]] = []
    for item in items:
        file_key = os.urandom(32)
        wrapped = keys.wrap(3, file_key) if keys is not None and item.content else None
        record = item.record or _mbfile(item, len(item.content or b""), wrapped)
        rows.append((item.fid, item.domain, item.relative, item.flags, record))
        if item.content:
            data = _aes(file_key, item.content) if keys is not None else item.content
            (folder / item.fid[:2]).mkdir(exist_ok=True)
            (folder / item.fid[:2] / item.fid).write_bytes(data)
    _manifest_db(folder / "Manifest.db", rows, wal_rows)
    manifest: dict[str, object] = {
        "IsEncrypted": keys is not None, "Version": "10.0", "WasPasscodeSet": True,
        "Date": datetime(2024, 3, 1, 12, 0, 0), "Lockdown": {"ProductVersion": "17.3"},
    }  # fmt: skip
    if keys is not None:
        manifest_key = os.urandom(32)
        db = folder / "Manifest.db"
        db.write_bytes(_aes(manifest_key, db.read_bytes()))
        manifest.update(BackupKeyBag=keys.keybag, ManifestKey=keys.wrap(4, manifest_key))
    (folder / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    info = {
        "Device Name": "Ahmed's iPhone", "Product Type": "iPhone14,2", "Product Version": "17.3",
        "Serial Number": "F2LXXXXXXX", "IMEI": "356000000000000",
        "Phone Number": "+218 91 234 5678",
        "Last Backup Date": datetime(2024, 3, 1, 12, 5, 0), "Unique Identifier": "00008110-ABC",
        "Applications": {"net.whatsapp.WhatsApp": {"PlaceholderIcon": b"\x89PNG"}},
    }  # fmt: skip
    (folder / "Info.plist").write_bytes(plistlib.dumps(info))
    status = {"IsFullBackup": False, "Version": "3.3", "BackupState": "new",
              "SnapshotState": "finished", "Date": datetime(2024, 3, 1, 12, 5, 0)}  # fmt: skip
    (folder / "Status.plist").write_bytes(plistlib.dumps(status, fmt=plistlib.FMT_BINARY))
    return folder


def _walk(source: IosBackupSource) -> dict[str, Entry]:
    return {e.ref.path: e for e in source.walk(CancelToken())}


def _read(entry: Entry) -> bytes:
    assert entry.opener is not None, entry.ref.path
    with entry.opener() as f:
        return f.read()


EXPECTED = {
    "/private/var/mobile/Library/SMS/sms.db": "Library/SMS/sms.db",
    "/private/var/mobile/Library/SMS/Attachments/ab/01/IMG_1.jpg": (
        "Library/SMS/Attachments/ab/01/IMG_1.jpg"
    ),
    "/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.JPG": "Media/DCIM/100APPLE/IMG_0001.JPG",
    "/private/var/mobile/Containers/Data/Application/net.whatsapp.WhatsApp/Documents/x.txt": (
        "Documents/x.txt"
    ),
    "/private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared/"
    "ChatStorage.sqlite": "ChatStorage.sqlite",
    "/private/var/wireless/Library/Databases/CellularUsage.db": (
        "Library/Databases/CellularUsage.db"
    ),
    "/private/var/mobile/Library/Health/healthdb.sqlite": "Health/healthdb.sqlite",
    "/FooDomain/bar/baz.plist": "bar/baz.plist",
}


@pytest.mark.parametrize("password", [None, "correct horse"])
def test_walk_presents_items_at_device_paths(
    tmp_path: Path, unchanged: Watch, password: str | None
) -> None:
    folder = make_backup(tmp_path / "backup", password=password)
    unchanged(folder)
    with IosBackupSource(folder, tmp_path / "work", password) as source:
        walked = _walk(source)
        for path, relative in EXPECTED.items():
            entry = walked[path]
            assert entry.ref.kind == "file" and entry.ref.size == len(CONTENT[relative])
            assert _read(entry) == CONTENT[relative]
            assert entry.ref.locator.value("relative") == relative
            domain = entry.ref.locator.value("domain")
            fid = hashlib.sha1(f"{domain}-{relative}".encode()).hexdigest()
            assert entry.ref.locator.value("file_id") == fid
            with source.open(entry.ref.locator) as f:
                assert f.read() == CONTENT[relative]
        sms = walked["/private/var/mobile/Library/SMS/sms.db"].ref
        assert (sms.mtime, sms.crtime, sms.ctime, sms.inode, sms.note) == (
            datetime.fromtimestamp(MTIME, UTC), datetime.fromtimestamp(BIRTH, UTC),
            datetime.fromtimestamp(CHANGED, UTC), 4242, None,
        )  # fmt: skip
        assert walked["/private/var/mobile/Library/SMS"].ref.kind == "dir"
        assert walked["/private/var/mobile"].ref.locator.value("domain") == "HomeDomain"
        assert walked["/private/var/mobile/Media"].ref.note  # implied, said so
        link = walked["/private/var/mobile/Library/Caches/link"]
        assert link.ref.kind == "link" and "/private/var/mobile/x" in (link.ref.note or "")
        empty = walked["/private/var/mobile/Library/empty.txt"]
        assert (empty.ref.size, empty.opener, empty.ref.note) == (0, None, None)
        for name in ("Manifest.plist", "Info.plist", "Status.plist", "Manifest.db"):
            top = walked["/" + name]
            assert _read(top) == (folder / name).read_bytes()
            with source.open(top.ref.locator) as f:
                assert f.read() == (folder / name).read_bytes()
        meta = source.info.metadata
        assert meta["Device Name"] == "Ahmed's iPhone" and meta["IMEI"] == "356000000000000"
        assert meta["Last Backup Date"] == "2024-03-01T12:05:00Z"
        assert meta["Manifest IsEncrypted"] is (password is not None)
        assert meta["encrypted"] is (password is not None)
        assert (source.info.kind, source.info.format) == ("ios_backup", "itunes_backup")
        assert source.info.container_files == []
    assert not [p for p in (tmp_path / "work").rglob("*") if p.is_file()]  # copy removed


def test_encrypted_content_reads_at_random_offsets(tmp_path: Path) -> None:
    data = os.urandom(70_001)
    folder = make_backup(tmp_path / "b", [Item("HomeDomain", "big.bin", content=data)], "pw")
    with IosBackupSource(folder, tmp_path / "work", "pw") as source:
        entry = _walk(source)["/private/var/mobile/big.bin"]
        assert entry.ref.size == len(data)
        with source.open(entry.ref.locator) as f:
            for offset, size in ((0, 5), (15, 18), (4096, 10_000), (69_990, 100)):
                f.seek(offset)
                assert f.read(size) == data[offset : offset + size]


def test_wrong_or_missing_password_is_a_clear_error(tmp_path: Path) -> None:
    folder = make_backup(tmp_path / "backup", ITEMS[:4], password="right")
    with pytest.raises(PasswordNeeded, match=r"^wrong backup password$"):
        IosBackupSource(folder, tmp_path / "work", "wrong")
    with pytest.raises(PasswordNeeded, match=r"password needed \(--password\)"):
        open_evidence(folder, tmp_path / "work", CancelToken())
    source = open_evidence(folder, tmp_path / "work", CancelToken(), password="right")
    assert isinstance(source, IosBackupSource)
    source.close()


def test_scan_through_the_pipeline(tmp_path: Path, unchanged: Watch) -> None:
    folder = make_backup(tmp_path / "backup", wal_rows=2)
    unchanged(folder)
    case = tmp_path / "case"
    summary = scan(case, [folder])
    assert summary.status == "ok" and not summary.failed_evidence, summary.evidence
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        by_path = {r["path"]: r for r in records(conn, "file")}
        evidence = conn.execute("SELECT kind, format, metadata FROM evidence").fetchone()
    finally:
        conn.close()
    sms = by_path["/private/var/mobile/Library/SMS/sms.db"]
    assert sms["sha256"] == hashlib.sha256(CONTENT["Library/SMS/sms.db"]).hexdigest()
    assert sms["md5"] == hashlib.md5(CONTENT["Library/SMS/sms.db"]).hexdigest()
    assert sms["mtime"] == "2023-11-14T22:13:20Z" and sms["inode"] == 4242
    for path, relative in EXPECTED.items():
        assert by_path[path]["sha256"] == hashlib.sha256(CONTENT[relative]).hexdigest()
    # The last two rows live only in Manifest.db-wal: read through the copy, not lost.
    assert "/private/var/mobile/Library/empty.txt" in by_path
    assert "/Info.plist" in by_path and "/Manifest.db-wal" in by_path
    assert tuple(evidence[:2]) == ("ios_backup", "itunes_backup")
    assert "Ahmed's iPhone" in evidence[2]


def test_encrypted_scan_with_password(tmp_path: Path, unchanged: Watch) -> None:
    folder = make_backup(tmp_path / "backup", password="pw")
    unchanged(folder)
    case = tmp_path / "case"
    assert not scan(case, [folder], ScanOptions(password="pw")).failed_evidence
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        by_path = {r["path"]: r for r in records(conn, "file")}
    finally:
        conn.close()
    for path, relative in EXPECTED.items():
        assert by_path[path]["sha256"] == hashlib.sha256(CONTENT[relative]).hexdigest()
    failed = scan(tmp_path / "case2", [folder], ScanOptions(password="nope")).failed_evidence
    assert failed[0]["message"] == "backup: wrong backup password"


def test_hostile_and_broken_records(tmp_path: Path) -> None:
    items = [
        Item("HomeDomain", "../../../../etc/passwd", content=b"a"),
        Item("AppDomain-../../evil", "Documents/x", content=b"b"),
        Item("HomeDomain", "bad-id", content=b"c", file_id="../../../../etc/passwd"),
        Item("HomeDomain", "gone.txt", content=b"d"),
        Item("HomeDomain", "garbage-record.txt", content=b"e", record=b"bplist00garbage"),
        Item("HomeDomain", "outside.txt", content=b"f", file_id="ff" + "0" * 38),
    ]
    folder = make_backup(tmp_path / "backup", items)
    gone = items[3].fid
    (folder / gone[:2] / gone).unlink()
    # A content folder that is a link to somewhere else is not followed.
    (folder / "ff").rename(tmp_path / "elsewhere")
    (folder / "ff").symlink_to(tmp_path / "elsewhere")
    (folder / "Info.plist").write_bytes(b"<?xml garbage")
    with IosBackupSource(folder, tmp_path / "work") as source:
        walked = _walk(source)
        assert [w[:37] for w in source.info.warnings] == ["Info.plist: unreadable property list:"]
        outside = walked["/private/var/mobile/outside.txt"]
        assert outside.opener is None and "outside the backup" in (outside.ref.note or "")
        with pytest.raises(EvidenceError, match="outside the backup"):
            source.open(outside.ref.locator)
    passwd = walked["/private/var/mobile/etc/passwd"]
    assert _read(passwd) == b"a" and "sanitised" in (passwd.ref.note or "")
    evil = walked["/private/var/mobile/Containers/Data/Application/evil/Documents/x"]
    assert _read(evil) == b"b" and "domain sanitised" in (evil.ref.note or "")
    bad = walked["/private/var/mobile/bad-id"]
    assert bad.opener is None and "fileID" in (bad.ref.note or "")
    missing = walked["/private/var/mobile/gone.txt"]
    assert missing.opener is None and "missing" in (missing.ref.note or "")
    garbage = walked["/private/var/mobile/garbage-record.txt"]
    assert _read(garbage) == b"e" and "record unreadable" in (garbage.ref.note or "")
    assert garbage.ref.mtime is not None and garbage.ref.inode is None
    with pytest.raises(EvidenceError, match="bad fileID"):
        source.open(bad.ref.locator)


def test_detection_of_backup_folders(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "Manifest.mbdb").write_bytes(b"mbdb\x05\x00")
    with pytest.raises(UnsupportedFormat, match="iOS < 10"):
        open_evidence(old, tmp_path / "w", CancelToken())
    plain = tmp_path / "plain"
    plain.mkdir()
    assert isinstance(open_evidence(plain, tmp_path / "w", CancelToken()), DirectorySource)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "Manifest.db").write_bytes(b"\x00" * 100)
    with pytest.raises(EvidenceError, match="not a SQLite database"):
        open_evidence(broken, tmp_path / "w", CancelToken())
