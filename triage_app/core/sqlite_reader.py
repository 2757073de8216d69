"""Safe copy-then-open of SQLite databases found in evidence.

Opening an evidence database in place is a bug: `sqlite3.connect(path)` checkpoints the WAL
into it (its hash changes), `?mode=ro` still writes `-shm`, and `?immutable=1` silently drops
rows that live only in the WAL. So the database and its `-wal`, `-shm`, `-journal` siblings
are copied from the evidence into the case work area, the copy is checked against the hash
recorded at indexing time, and only the copy is opened, read-only, with the evidence's own
schema code (views, triggers) untrusted.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import ParserError

SIBLING_SUFFIXES = ("-wal", "-shm", "-journal")
DEFAULT_TIME_LIMIT_S = 600.0


def copy_database(
    open_member: Callable[[str], BinaryIO | None],
    name: str,
    expected_sha256: str | None,
    dest_dir: Path,
) -> Path:
    """Copy `name` and its siblings (opened through `open_member(suffix)`) into `dest_dir`.

    `open_member("")` opens the database itself, `open_member("-wal")` its WAL, and so on;
    it returns None when that sibling does not exist in the evidence.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / name
    for suffix in ("", *SIBLING_SUFFIXES):
        stream = open_member(suffix)
        if stream is None:
            (dest_dir / f"{name}{suffix}").unlink(missing_ok=True)
            continue
        digest = _copy(stream, dest_dir / f"{name}{suffix}")
        if suffix == "" and expected_sha256 and digest != expected_sha256:
            raise ParserError(
                f"copy of {name} does not match the hash recorded at indexing "
                f"({digest} != {expected_sha256}); the evidence read is unstable"
            )
    return target


def _copy(stream: BinaryIO, target: Path) -> str:
    sha = hashlib.sha256()
    with stream, open(target, "wb") as out:
        while chunk := stream.read(1024 * 1024):
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest()


def check_not_truncated(path: Path) -> None:
    """Refuse a database shorter than its header says (SQLite reads missing pages as zeros,
    which yields plausible-looking empty rows instead of an error)."""
    if Path(f"{path}-wal").exists():
        return  # the WAL may legitimately hold pages beyond the main file's end
    with open(path, "rb") as f:
        header = f.read(100)
        size = f.seek(0, 2)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise ParserError("not a SQLite database (bad header)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The in-header page count is only valid when "version-valid-for" equals the change counter.
    if header[92:96] == header[24:28] and pages and size < pages * page_size:
        raise ParserError(
            f"database file is truncated: {size} bytes, header says {pages} pages of {page_size}"
        )


class Utf8Text:
    """sqlite3 text factory: invalid UTF-8 is replaced (and counted) instead of aborting the
    whole query, so one corrupt or hostile value costs a warning, not the file."""

    def __init__(self) -> None:
        self.bad = 0
        self.claimed = False  # a parser reports bad values row by row itself

    def __call__(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.bad += 1
            return data.decode("utf-8", errors="replace")


def text_decoder(conn: sqlite3.Connection) -> Utf8Text:
    """The connection's decoder, for parsers that warn per row; the base class then stays
    silent about the total."""
    decoder = conn.text_factory
    if not isinstance(decoder, Utf8Text):
        decoder = Utf8Text()
        conn.text_factory = decoder
    decoder.claimed = True
    return decoder


def open_copy(path: Path, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> sqlite3.Connection:
    """Open a copied database read-only, with the evidence's schema code untrusted."""
    check_not_truncated(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA query_only=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        # UnicodeDecodeError: SQLite's own message quotes a schema name that is not UTF-8
        raise ParserError(f"not a readable SQLite database: {exc}") from exc
    deadline = time.monotonic() + time_limit_s
    # A hostile or corrupt database can make a query run for ever; abort past the limit.
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 100_000)
    conn.row_factory = sqlite3.Row
    conn.text_factory = Utf8Text()
    return conn


def table_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Real tables (never views) and their columns, lower-cased."""
    tables: dict[str, set[str]] = {}
    names = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    for (name,) in names:
        try:
            cols = conn.execute("SELECT name FROM pragma_table_info(?)", (name,)).fetchall()
        except sqlite3.Error:
            continue
        tables[str(name).lower()] = {str(c[0]).lower() for c in cols}
    return tables


def remove_copy(dest_dir: Path) -> None:
    shutil.rmtree(dest_dir, ignore_errors=True)
