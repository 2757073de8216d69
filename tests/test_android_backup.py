"""Android `adb backup` (.ab) files: plain, compressed and encrypted, generated here.

The encrypting side below is written from the published format (AOSP BackupManagerService):
PBKDF2-HMAC-SHA1 user key, AES-256-CBC master key blob, checksum over the master key widened
to Java chars, AES-256-CBC payload, zlib. It shares no code with the reader.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fixtures_android import MESSAGES, make_mmssms

from triage_app.cli import main
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.errors import EvidenceError, PasswordNeeded, UnsupportedFormat
from triage_app.core.evidence import open_evidence
from triage_app.core.evidence.android_backup import AndroidBackupSource, device_path
from triage_app.core.evidence.android_backup_crypto import _key_as_chars
from triage_app.core.evidence.base import Entry
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.core.progress import CancelToken

Watch = Callable[..., None]
SMS_MEMBER = "apps/com.android.providers.telephony/db/mmssms.db"
SMS_PATH = "/data/data/com.android.providers.telephony/databases/mmssms.db"
# A master key straddling 0x80, so that Java's signed byte → char widening matters.
MASTER_KEY = bytes(range(0x70, 0x90))


def _members(tmp_path: Path) -> dict[str, bytes]:
    db = make_mmssms(tmp_path / "build")
    files = {
        SMS_MEMBER: db.read_bytes(),
        SMS_MEMBER + "-wal": Path(f"{db}-wal").read_bytes(),
        "apps/com.example.chat/_manifest": b"1\ncom.example.chat\n",
        "apps/com.example.chat/a/base.apk": b"PK\x03\x04 not really an apk",
        "apps/com.example.chat/f/notes.txt": "ملاحظة\n".encode(),
        "apps/com.example.chat/sp/prefs.xml": b"<map/>",
        "apps/com.example.chat/r/app_webview/Cookies": b"cookies",
        "apps/com.example.chat/c/tmp.bin": b"\x00" * 700,
        "apps/com.example.chat/ef/media/a.jpg": b"\xff\xd8\xff\xe0 jpeg",
        "apps/com.example.chat/d_db/de.db": b"device protected",
        "apps/com.example.chat/k/keyvalue": b"kv",
        "shared/0/DCIM/Camera/IMG_1.jpg": b"\xff\xd8\xff\xe1 camera",
    }
    return files


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _java_chars(data: bytes) -> list[int]:
    """`(char) b` in Java: the signed byte sign-extended to 16 bits."""
    return [v & 0xFFFF for v in struct.unpack(f"{len(data)}b", data)]


def _pbkdf2_java(chars: list[int], salt: bytes, rounds: int, version: int) -> bytes:
    # v1 "PBKDF2WithHmacSHA1And8bit" keeps the low 8 bits; v2+ encodes the chars as UTF-8.
    if version == 1:
        secret = bytes(c & 0xFF for c in chars)
    else:
        secret = "".join(map(chr, chars)).encode("utf-8")
    return hashlib.pbkdf2_hmac("sha1", secret, salt, rounds, 32)


def _aes_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def make_ab(
    tar: bytes, *, version: int = 5, compressed: bool = True, password: str | None = None
) -> bytes:
    payload = zlib.compress(tar) if compressed else tar
    head = f"ANDROID BACKUP\n{version}\n{int(compressed)}\n".encode()
    if password is None:
        return head + b"none\n" + payload
    rounds, user_salt, ck_salt = 1000, os.urandom(64), os.urandom(64)
    user_iv, master_iv = os.urandom(16), os.urandom(16)
    user_key = _pbkdf2_java([ord(c) for c in password], user_salt, rounds, version)
    checksum = _pbkdf2_java(_java_chars(MASTER_KEY), ck_salt, rounds, version)
    blob = bytes([16]) + master_iv + bytes([32]) + MASTER_KEY + bytes([32]) + checksum
    lines = [user_salt.hex(), ck_salt.hex(), str(rounds), user_iv.hex()]
    lines.append(_aes_cbc(user_key, user_iv, blob).hex())
    head += ("AES-256\n" + "\n".join(lines) + "\n").upper().encode()
    return head + _aes_cbc(MASTER_KEY, master_iv, payload)


def _write(tmp_path: Path, data: bytes, name: str = "backup.ab") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _walk(source: AndroidBackupSource) -> dict[str, Entry]:
    return {e.ref.path: e for e in source.walk(CancelToken())}


def _read(entry: Entry) -> bytes:
    assert entry.opener is not None, entry.ref.path
    with entry.opener() as f:
        return f.read()


EXPECTED_PATHS = {
    SMS_MEMBER: SMS_PATH,
    SMS_MEMBER + "-wal": SMS_PATH + "-wal",
    "apps/com.example.chat/_manifest": "/apps/com.example.chat/_manifest",
    "apps/com.example.chat/a/base.apk": "/data/app/com.example.chat/base.apk",
    "apps/com.example.chat/f/notes.txt": "/data/data/com.example.chat/files/notes.txt",
    "apps/com.example.chat/sp/prefs.xml": "/data/data/com.example.chat/shared_prefs/prefs.xml",
    "apps/com.example.chat/r/app_webview/Cookies": (
        "/data/data/com.example.chat/app_webview/Cookies"
    ),
    "apps/com.example.chat/c/tmp.bin": "/data/data/com.example.chat/cache/tmp.bin",
    "apps/com.example.chat/ef/media/a.jpg": (
        "/storage/emulated/0/Android/data/com.example.chat/media/a.jpg"
    ),
    "apps/com.example.chat/d_db/de.db": "/data/user_de/0/com.example.chat/databases/de.db",
    "apps/com.example.chat/k/keyvalue": "/apps/com.example.chat/k/keyvalue",
    "shared/0/DCIM/Camera/IMG_1.jpg": "/storage/emulated/0/DCIM/Camera/IMG_1.jpg",
}


@pytest.mark.parametrize(
    ("version", "compressed", "password"),
    [
        (5, True, None),
        (1, False, None),
        (5, True, "123456"),
        (2, False, "pässwörd"),
        (1, True, "x"),
    ],
)
def test_walk_maps_members_to_device_paths_with_right_content(
    tmp_path: Path, unchanged: Watch, version: int, compressed: bool, password: str | None
) -> None:
    members = _members(tmp_path)
    path = _write(tmp_path, make_ab(_tar(members), version=version, compressed=compressed,
                                    password=password))  # fmt: skip
    unchanged(path)
    with AndroidBackupSource(path, tmp_path / "work", password) as source:
        walked = _walk(source)
        files = {p: e for p, e in walked.items() if e.ref.kind == "file"}
        assert set(files) == set(EXPECTED_PATHS.values())
        for member, device in EXPECTED_PATHS.items():
            entry = files[device]
            assert entry.ref.locator.value("name") == member
            assert entry.ref.size == len(members[member])
            assert _read(entry) == members[member]
            with source.open(entry.ref.locator) as f:
                assert hashlib.sha256(f.read()).digest() == hashlib.sha256(members[member]).digest()
        assert walked["/data/data/com.example.chat"].ref.kind == "dir"  # implied parents
        assert "/apps/com.android.providers.telephony" not in walked  # tar layout not shown
        meta = source.info.metadata
        assert meta["backup_version"] == version and meta["compressed"] is compressed
        assert meta["encryption"] == ("none" if password is None else "AES-256")
        assert source.info.kind == "android_backup" and source.info.container_files == [path]


def test_java_char_widening_of_key_bytes() -> None:
    # (char) 0x80 is U+FF80 (sign extension), three bytes in UTF-8: the checksum quirk.
    assert _key_as_chars(bytes([0x7F, 0x80, 0xFF])).encode() == b"\x7f\xef\xbe\x80\xef\xbf\xbf"


def test_wrong_and_missing_password_are_clear_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, make_ab(_tar({"apps/x/f/a": b"a"}), password="123456"))
    with pytest.raises(PasswordNeeded, match=r"^wrong backup password$"):
        AndroidBackupSource(path, tmp_path / "work", "654321")
    with pytest.raises(PasswordNeeded, match=r"password needed \(--password\)"):
        AndroidBackupSource(path, tmp_path / "work")
    assert not list((tmp_path / "work").rglob("*.tar"))


def test_unlocked_copy_is_reused_and_a_given_password_still_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, make_ab(_tar({"apps/x/f/a": b"a"}), password="123456"))
    work = tmp_path / "work"
    AndroidBackupSource(path, work, "123456").close()
    # Hash workers and resumed scans reopen without the password: the decrypted copy serves.
    with AndroidBackupSource(path, work) as again:
        assert "/data/data/x/files/a" in _walk(again)
    with pytest.raises(EvidenceError, match="wrong backup password"):
        AndroidBackupSource(path, work, "bad")


@pytest.mark.parametrize("password", [None, "123456"])
def test_truncated_payload_is_a_clear_error_and_leaves_no_copy(
    tmp_path: Path, password: str | None
) -> None:
    big = {f"apps/x/f/{i}": os.urandom(4000) for i in range(20)}
    data = make_ab(_tar(big), password=password)
    path = _write(tmp_path, data[: len(data) - 3000])
    with pytest.raises(EvidenceError, match="truncated"):
        AndroidBackupSource(path, tmp_path / "work", password)
    assert not [p for p in (tmp_path / "work").rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        (b"ANDROID BACKUP\nfive\n1\nnone\n", EvidenceError, "version"),
        (b"ANDROID BACKUP\n9\n1\nnone\n", UnsupportedFormat, "version 9"),
        (b"ANDROID BACKUP\n5\n2\nnone\n", EvidenceError, "compression flag"),
        (b"ANDROID BACKUP\n5\n1\nROT13\n", UnsupportedFormat, "encryption"),
        (b"ANDROID BACKUP\n5\n1", EvidenceError, "compression flag line missing"),
        (b"ANDROID BACKUP\n5\n1\nAES-256\nzz\n", EvidenceError, "not hex"),
        (b"ANDROID BACKUP\n5\n1\nAES-256\n00\n00\n99999999999\n", EvidenceError, "rounds"),
        (b"ANDROID BACKUP\n5\n1\nnone\nnot zlib at all", EvidenceError, "corrupt or truncated"),
        (b"ANDROID BACKUP\n" + b"5" * 5000, EvidenceError, "too long"),
    ],
)
def test_corrupt_header_or_payload_is_a_clear_error(
    tmp_path: Path, data: bytes, error: type[Exception], match: str
) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(error, match=match):
        AndroidBackupSource(path, tmp_path / "work")


def test_empty_backup_has_no_entries_and_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path, make_ab(_tar({})))
    with AndroidBackupSource(path, tmp_path / "work") as source:
        assert _walk(source) == {}
        assert source.info.warnings == ["the backup holds no files"]


def test_hostile_member_names_stay_inside(tmp_path: Path) -> None:
    members = {"apps/com.evil/f/../../../../etc/passwd": b"x", "/apps/a/db/b.db": b"y"}
    path = _write(tmp_path, make_ab(_tar(members)))
    with AndroidBackupSource(path, tmp_path / "work") as source:
        files = {p: e for p, e in _walk(source).items() if e.ref.kind == "file"}
    assert set(files) == {"/data/data/com.evil/files/etc/passwd", "/data/data/a/databases/b.db"}
    assert all("sanitised" in (e.ref.note or "") for e in files.values())


def test_device_path_leaves_unknown_layouts_alone() -> None:
    assert device_path("/apps/p/zz/x") == "/apps/p/zz/x"
    assert device_path("/apps/p") == "/apps/p"
    assert device_path("/shared/10/Download/a") == "/storage/emulated/10/Download/a"
    assert device_path("/shared/x/a") == "/shared/x/a"


def test_detected_by_content_and_scanned_through_the_pipeline(
    tmp_path: Path, unchanged: Watch
) -> None:
    members = _members(tmp_path)
    path = _write(tmp_path, make_ab(_tar(members), password="123456"), name="evidence.bin")
    unchanged(path)
    source = open_evidence(path, tmp_path / "w", CancelToken(), password="123456")
    assert isinstance(source, AndroidBackupSource)
    source.close()
    case = tmp_path / "case"
    summary = scan(case, [path], ScanOptions(password="123456"))
    assert summary.status == "ok" and not summary.failed_evidence, summary.evidence
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        by_path = {r["path"]: r for r in records(conn, "file")}
        messages = list(records(conn, "message"))
    finally:
        conn.close()
    assert by_path[SMS_PATH]["sha256"] == hashlib.sha256(members[SMS_MEMBER]).hexdigest()
    assert len(messages) == len(MESSAGES)  # the android_sms parser ran on the mapped path
    assert {m["path"] for m in messages} == {SMS_PATH}


def test_scan_without_password_records_a_clear_evidence_error(tmp_path: Path) -> None:
    path = _write(tmp_path, make_ab(_tar({"apps/x/f/a": b"a"}), password="123456"))
    summary = scan(tmp_path / "case", [path], ScanOptions(password="nope"))
    assert summary.failed_evidence[0]["message"] == "backup.ab: wrong backup password"


def test_cli_password_option_and_environment_variable(tmp_path: Path) -> None:
    path = _write(tmp_path, make_ab(_tar({"apps/x/f/a": b"a"}), password="123456"))
    runner = CliRunner()
    ok = runner.invoke(main, ["scan", str(path), "--case", str(tmp_path / "c1"), "-q",
                              "--password", "123456"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    env = {"QARINA_BACKUP_PASSWORD": "123456"}
    ok = runner.invoke(main, ["scan", str(path), "--case", str(tmp_path / "c2"), "-q"], env=env)
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(main, ["scan", str(path), "--case", str(tmp_path / "c3"), "-q"])
    assert bad.exit_code == 1 and "password needed (--password)" in bad.output
    assert "123456" not in (tmp_path / "c1" / "audit.jsonl").read_text(encoding="utf-8")
