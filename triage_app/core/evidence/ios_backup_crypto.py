"""Encrypted iTunes/Finder backups: unlock the keybag, then decrypt files on demand.

The key handling is the maintained PyPI library `iphone_backup_decrypt` (MIT; iOS 10.2 and
later backups): the `BackupKeyBag` of Manifest.plist is unlocked with the password (PBKDF2-
SHA256 over DPSL/DPIC, then PBKDF2-SHA1 over SALT/ITER, bounded iteration counts), which
unwraps (RFC 3394) the protection class keys. A class key unwraps each file's own key (the
`EncryptionKey` of its Manifest.db record) and the `ManifestKey` of Manifest.db; both are
4 bytes of protection class (little-endian) followed by the 40-byte wrapped key.

Content is AES-256-CBC with a zero IV and PKCS#7 padding. CBC decrypts any block from the
ciphertext block before it, so files are decrypted with random access while they are read,
and nothing decrypted is written to disk except the Manifest.db index (case work area).
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from iphone_backup_decrypt import utils as ibd

from ..errors import EvidenceError, PasswordNeeded
from .base import ReadAtStream
from .directory import open_readonly

_BLOCK = 16
_KEYBAG_ERRORS = (ValueError, KeyError, TypeError, IndexError, struct.error)


class BackupKeys:
    """The unlocked class keys of one backup."""

    def __init__(self, keybag: bytes, password: str) -> None:
        try:
            self._bag = ibd.BackupKeyBag(keybag)
            unlocked = self._bag.unlock_with_passphrase(password.encode("utf-8"))
        except _KEYBAG_ERRORS as exc:
            raise EvidenceError(f"unreadable backup keybag in Manifest.plist: {exc}") from exc
        if not unlocked:
            raise PasswordNeeded("wrong backup password")

    def unwrap(self, class_and_key: bytes) -> bytes:
        """A file or manifest key from its `<class, 4 bytes LE><wrapped key>` form."""
        if len(class_and_key) != 44:
            raise ValueError(f"wrapped key of {len(class_and_key)} bytes (expected 44)")
        protection_class = struct.unpack("<l", class_and_key[:4])[0]
        return bytes(self._bag.unwrap_key_for_class(protection_class, class_and_key[4:]))


class CbcFile:
    """Random-access plaintext of one encrypted backup file (zero IV, PKCS#7)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self._fh = open_readonly(path)
        try:
            self._key = key
            total = os.fstat(self._fh.fileno()).st_size
            if total == 0 or total % _BLOCK:
                raise ValueError(f"encrypted size {total} is not a positive multiple of 16")
            self._blocks = total // _BLOCK
            last = self._decrypt(self._blocks - 1, self._blocks)
            pad = last[-1]
            if not 1 <= pad <= _BLOCK or last[-pad:] != bytes([pad]) * pad:
                raise ValueError("bad padding after decryption (wrong key or corrupt file)")
            self.size = total - pad
        except BaseException:
            self._fh.close()
            raise

    def _decrypt(self, first: int, end: int) -> bytes:
        start = first * _BLOCK
        self._fh.seek(start - _BLOCK if first else start)
        iv = self._fh.read(_BLOCK) if first else bytes(_BLOCK)
        data = self._fh.read((end - first) * _BLOCK)
        if len(iv) != _BLOCK or len(data) != (end - first) * _BLOCK:
            raise OSError("short read of encrypted backup file")
        return bytes(Cipher(algorithms.AES(self._key), modes.CBC(iv)).decryptor().update(data))

    def read_at(self, offset: int, size: int) -> bytes:
        first = offset // _BLOCK
        end = min(-(-(offset + size) // _BLOCK), self._blocks)
        skip = offset - first * _BLOCK
        return self._decrypt(first, end)[skip : skip + size]

    def stream(self) -> BinaryIO:
        return io.BufferedReader(ReadAtStream(self.read_at, self.size, self._fh.close))

    def close(self) -> None:
        self._fh.close()


def decrypt_to(source: Path, key: bytes, target: Path) -> None:
    """Decrypt a whole file (Manifest.db) into the case work area."""
    reader = CbcFile(source, key)
    with reader.stream() as src, open(target, "wb") as dst:
        while chunk := src.read(1024**2):
            dst.write(chunk)
