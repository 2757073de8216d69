"""Optional encryption of the case database at rest (SQLCipher, through `sqlcipher3`).

For laptops without disk encryption: `qarina scan --encrypt` creates `case.sqlite` encrypted
with a passphrase (AES-256, SQLCipher 4 defaults: PBKDF2-HMAC-SHA512, 256,000 iterations, a
random salt in the file's first 16 bytes). The passphrase is never stored: each process that
opens the case asks for it once (`unlock`), derives the raw key as SQLCipher does, and keeps
only that key, in memory, for the connections it opens; report worker processes are handed
the key (`keys` / `adopt`), never the passphrase. Without the passphrase the database is
random bytes: `qarina info` says the case is encrypted and asks for it.

What this does not cover (docs/EXAMINER.md): the audit log (`audit.jsonl`: actions, evidence
paths and hashes, no content) stays readable so custody can be checked without the
passphrase; copies of evidence databases under `work/` exist in clear while a parser reads
them (deleted after); the thumbnail cache `work/thumbs/` and exported reports are plain files.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import CaseDBError

SQLITE_MAGIC = b"SQLite format 3\x00"
PASSPHRASE_ENV = "QARINA_CASE_PASSPHRASE"  # how scripts and tests give it without a prompt
KDF_ITERATIONS = 256_000  # SQLCipher 4's default
_KEYS: dict[str, bytes] = {}  # resolved database path → raw key, this process only
_ASK: list[Callable[[Path], str | None]] = []  # how this program asks for a passphrase


class CaseLocked(CaseDBError):
    """An encrypted case and no (or a wrong) passphrase."""


try:
    import sqlcipher3.dbapi2 as _cipher
except ImportError:  # an install without the optional package: plain cases only
    _cipher = None

# What a case database raises: the standard library's errors, and SQLCipher's (its classes do
# not derive from sqlite3's).
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,) + (
    (_cipher.Error,) if _cipher is not None else ()
)


def available() -> bool:
    return _cipher is not None


def is_encrypted(path: Path) -> bool:
    """A case database that is not a plain SQLite file (an empty or absent one is not)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CaseDBError(f"cannot read case database {path}: {exc}") from exc
    return len(head) == 16 and head != SQLITE_MAGIC


def from_environment() -> str | None:
    return os.environ.get(PASSPHRASE_ENV)


def set_asker(ask: Callable[[Path], str | None]) -> None:
    """How `connect` asks for the passphrase of an encrypted case it has no key for (the CLI
    prompts or reads QARINA_CASE_PASSPHRASE; the GUI shows a dialog)."""
    _ASK[:] = [ask]


def create(path: Path, passphrase: str) -> None:
    """Start an encrypted database at `path` (absent or empty): SQLCipher picks the salt."""
    if not passphrase:
        raise CaseDBError("an encrypted case needs a passphrase that is not empty")
    module = _module()
    conn = module.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_quoted(passphrase)}")
        conn.execute("PRAGMA user_version = 0")  # writes the first page: salt and header
    finally:
        conn.close()
    unlock(path, passphrase)


def unlock(path: Path, passphrase: str) -> None:
    """Check `passphrase` on the encrypted database at `path` and keep its key in memory."""
    with open(path, "rb") as handle:
        salt = handle.read(16)
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS, 32)
    try:
        conn = _open(path, key, readonly=True)
        conn.close()
    except CaseLocked:
        raise CaseLocked("wrong passphrase for this encrypted case") from None
    _KEYS[_name(path)] = key


def has_key(path: Path) -> bool:
    return _name(path) in _KEYS


def keys() -> dict[str, bytes]:
    """The keys this process holds, for a worker process that opens the same cases."""
    return dict(_KEYS)


def adopt(keys: Mapping[str, bytes]) -> None:
    _KEYS.update(keys)


def connect(path: Path, readonly: bool) -> Any:
    """A connection to the encrypted database at `path` (asking for its passphrase once)."""
    key = _KEYS.get(_name(path))
    if key is None:
        passphrase = _ASK[0](path) if _ASK else None
        if not passphrase:
            raise CaseLocked(
                f"{path.parent} is an encrypted case: its passphrase is needed "
                "(QARINA_CASE_PASSPHRASE, or the prompt)"
            )
        unlock(path, passphrase)
        key = _KEYS[_name(path)]
    return _open(path, key, readonly)


def _open(path: Path, key: bytes, readonly: bool) -> Any:
    module = _module()
    try:
        if readonly:
            conn = module.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = module.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our error, not stderr's
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.DatabaseError as exc:
        raise CaseLocked(f"cannot open encrypted case database {path}: {exc}") from exc
    conn.row_factory = module.Row
    return conn


def _module() -> Any:
    if _cipher is None:
        raise CaseDBError(
            "encrypted cases need the sqlcipher3 package (pip install sqlcipher3), "
            "which this installation does not have"
        )
    return _cipher


def _name(path: Path) -> str:
    return str(Path(path).resolve())


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
