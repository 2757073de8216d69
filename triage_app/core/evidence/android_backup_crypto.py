"""The `.ab` header, password check and payload stream (decrypt → inflate) of Android backups.

Written from the published format (AOSP `BackupManagerService`/`PasswordUtils`, and the
description by N. Elenkov that `android-backup-extractor` follows), not from its code:

- user key = PBKDF2-HMAC-SHA1(password, user salt, rounds, 256 bits);
- master key blob = AES-256-CBC(user key, user IV, PKCS#7) of
  `[len][master IV][len][master key][len][checksum]` (one length byte each);
- checksum = PBKDF2-HMAC-SHA1(master key "as chars", checksum salt, rounds, 256 bits);
- payload = AES-256-CBC(master key, master IV, PKCS#7), then zlib when compressed.

Java quirk: PBKDF2 takes `char[]`. Format version 1 (Android 4.0–4.3) used the
"PBKDF2WithHmacSHA1And8bit" key factory, which keeps the low 8 bits of each char; version 2
onwards uses "PBKDF2WithHmacSHA1", which encodes the chars as UTF-8. For the checksum the
master key bytes are first widened to chars with Java's sign extension (`(char) b`), so a byte
≥ 0x80 becomes U+FF80…U+FFFF, i.e. three UTF-8 bytes EF BE/BF xx. Both conversions are
tried for the checksum and for non-ASCII passwords (a match either way is equally conclusive),
the version's own first. A wrong password fails the padding, the blob layout or the checksum
and is reported as "wrong backup password".
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..errors import EvidenceError, PasswordNeeded, UnsupportedFormat

MAGIC = b"ANDROID BACKUP\n"
KNOWN_VERSIONS = range(1, 6)
MAX_ROUNDS = 10_000_000  # Android uses 10,000; a hostile header must not hang the open
_MAX_LINE = 1024
_CHUNK = 1024**2


@dataclass(frozen=True)
class AbHeader:
    version: int
    compressed: bool
    encryption: str  # "none" | "AES-256"
    payload_offset: int
    user_salt: bytes = b""
    checksum_salt: bytes = b""
    rounds: int = 0
    user_iv: bytes = b""
    master_blob: bytes = b""


def _line(fh: BinaryIO, what: str) -> str:
    raw = fh.readline(_MAX_LINE + 1)
    if not raw.endswith(b"\n") or len(raw) > _MAX_LINE:
        raise EvidenceError(f"corrupt Android backup header: {what} line missing or too long")
    try:
        return raw[:-1].decode("ascii")
    except UnicodeDecodeError as exc:
        raise EvidenceError(f"corrupt Android backup header: {what} is not ASCII") from exc


def _hex(fh: BinaryIO, what: str) -> bytes:
    try:
        return bytes.fromhex(_line(fh, what))
    except ValueError as exc:
        raise EvidenceError(f"corrupt Android backup header: {what} is not hex") from exc


def read_header(fh: BinaryIO) -> AbHeader:
    """Parse the header; `fh` is left at the start of the payload."""
    if fh.read(len(MAGIC)) != MAGIC:
        raise EvidenceError("not an Android backup (no 'ANDROID BACKUP' header)")
    version_text = _line(fh, "version")
    if not (version_text.isascii() and version_text.isdigit()):
        raise EvidenceError(f"corrupt Android backup header: version {version_text!r}")
    version = int(version_text)
    if version not in KNOWN_VERSIONS:
        raise UnsupportedFormat(f"Android backup format version {version} (known: 1 to 5)")
    compressed = _line(fh, "compression flag")
    if compressed not in ("0", "1"):
        raise EvidenceError(f"corrupt Android backup header: compression flag {compressed!r}")
    encryption = _line(fh, "encryption")
    if encryption == "none":
        return AbHeader(version, compressed == "1", encryption, fh.tell())
    if encryption != "AES-256":
        raise UnsupportedFormat(f"Android backup encryption {encryption!r} (known: AES-256)")
    user_salt, checksum_salt = _hex(fh, "user salt"), _hex(fh, "checksum salt")
    rounds_text = _line(fh, "PBKDF2 rounds")
    if not (rounds_text.isascii() and rounds_text.isdigit()) or not (
        0 < int(rounds_text) <= MAX_ROUNDS
    ):
        raise EvidenceError(f"corrupt Android backup header: PBKDF2 rounds {rounds_text!r}")
    user_iv, blob = _hex(fh, "user IV"), _hex(fh, "master key blob")
    if len(user_iv) != 16 or not blob or len(blob) % 16:
        raise EvidenceError("corrupt Android backup header: bad IV or master key blob size")
    return AbHeader(
        version, compressed == "1", encryption, fh.tell(),
        user_salt, checksum_salt, int(rounds_text), user_iv, blob,
    )  # fmt: skip


def _java_chars_utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _java_chars_8bit(text: str) -> bytes:
    # The low byte of each UTF-16 code unit, as the "And8bit" key factory does.
    return text.encode("utf-16-be", "surrogatepass")[1::2]


def _key_as_chars(key: bytes) -> str:
    """`(char) b` for each byte: Java bytes are signed, so 0x80-0xFF widen to U+FF80-U+FFFF."""
    return "".join(chr(b | 0xFF00) if b & 0x80 else chr(b) for b in key)


def _pbkdf2(secret: bytes, salt: bytes, rounds: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha1", secret, salt, rounds, 32)


def _cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes | None:
    """AES-256-CBC with PKCS#7 padding; None when the padding is wrong (wrong key)."""
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(decryptor.update(data) + decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        return None


def _split_blob(blob: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(master IV, master key, checksum) from the length-prefixed blob, None if malformed."""
    fields, pos = [], 0
    for _ in range(3):
        if pos >= len(blob):
            return None
        size = blob[pos]
        fields.append(blob[pos + 1 : pos + 1 + size])
        pos += 1 + size
        if len(fields[-1]) != size:
            return None
    iv, key, checksum = fields
    if len(iv) != 16 or len(key) != 32:
        return None
    return iv, key, checksum


def _try_password(h: AbHeader, secret: bytes) -> tuple[bytes, bytes] | None:
    plain = _cbc_decrypt(_pbkdf2(secret, h.user_salt, h.rounds), h.user_iv, h.master_blob)
    parts = _split_blob(plain) if plain is not None else None
    if parts is None:
        return None
    iv, key, checksum = parts
    chars = _key_as_chars(key)
    for convert in (_java_chars_utf8, _java_chars_8bit):
        if _pbkdf2(convert(chars), h.checksum_salt, h.rounds) == checksum:
            return key, iv
    return None


def unlock(h: AbHeader, password: str | None) -> tuple[bytes, bytes]:
    """(master key, master IV) of an encrypted backup, or a clear error."""
    if password is None:
        raise PasswordNeeded("encrypted Android backup: password needed (--password)")
    first, second = _java_chars_utf8, _java_chars_8bit
    if h.version == 1:
        first, second = second, first
    secrets = dict.fromkeys((first(password), second(password)))
    for secret in secrets:
        keys = _try_password(h, secret)
        if keys is not None:
            return keys
    raise PasswordNeeded("wrong backup password")


class PayloadStream(io.RawIOBase):
    """The payload after the header: decrypted and inflated as needed, read forward only.

    Truncation or corruption raises EOFError/zlib.error, which the spooler reports as a
    corrupt or truncated stream (never a silently short tar)."""

    def __init__(self, raw: BinaryIO, h: AbHeader, keys: tuple[bytes, bytes] | None) -> None:
        super().__init__()
        raw.seek(h.payload_offset)
        self._raw = raw
        self._decryptor: Any = None
        self._unpadder: Any = None
        if keys is not None:
            key, iv = keys
            self._decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
            self._unpadder = padding.PKCS7(128).unpadder()
        self._inflater = zlib.decompressobj() if h.compressed else None
        self._pending = b""  # input the inflater has not consumed yet
        self._input_done = False
        self._out = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _plain(self) -> tuple[bytes, bool]:
        """The next decrypted chunk of the payload, and whether it was the last."""
        data = self._raw.read(_CHUNK)
        if self._decryptor is None:
            return data, not data
        if data:
            return self._unpadder.update(self._decryptor.update(data)), False
        try:
            tail = self._unpadder.update(self._decryptor.finalize())
            return tail + self._unpadder.finalize(), True
        except ValueError as exc:
            raise EOFError("encrypted payload truncated or corrupt (bad final block)") from exc

    def _produce(self) -> bytes:
        if self._inflater is None:
            data, self._done = self._plain()
            return data
        while not self._inflater.eof:
            if not self._pending:
                if self._input_done:
                    raise EOFError("payload ends inside its zlib stream (truncated)")
                self._pending, self._input_done = self._plain()
            # Bounded output per call: a tiny highly compressed input must not fill memory.
            out = self._inflater.decompress(self._pending, _CHUNK)
            self._pending = self._inflater.unconsumed_tail
            if out:
                return out
        self._done = True
        return b""

    def readinto(self, buffer: Any) -> int:
        while not self._out and not self._done:
            self._out = self._produce()
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self._out))
        view[:n] = self._out[:n]
        self._out = self._out[n:]
        return n
