"""The case database: explicit schema created by numbered migrations, one writer.

`case.sqlite` runs in WAL mode with `synchronous=FULL` so a committed batch survives power
loss, and readers (GUI views, `info`, `export`) can read committed batches during a scan.
The schema is never inferred from data: every table and column is declared here.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from . import casecrypt
from .casecrypt import DB_ERRORS
from .errors import CaseDBError

DB_NAME = "case.sqlite"

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE case_info (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        identity TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        format TEXT NOT NULL,
        paths TEXT NOT NULL,
        size INTEGER,
        sha256 TEXT,
        md5 TEXT,
        container_hashes TEXT,
        media_size INTEGER,
        media_sha256 TEXT,
        media_md5 TEXT,
        stored_md5 TEXT,
        stored_sha1 TEXT,
        verification TEXT,
        verification_message TEXT,
        metadata TEXT,
        added_at TEXT NOT NULL,
        examiner TEXT,
        status TEXT NOT NULL,
        message TEXT,
        walk_complete INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE volumes (
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        idx TEXT NOT NULL,
        offset INTEGER NOT NULL,
        length INTEGER,
        description TEXT,
        fs_type TEXT,
        status TEXT NOT NULL,
        message TEXT,
        PRIMARY KEY (evidence_id, idx)
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        volume TEXT,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime TEXT,
        atime TEXT,
        ctime TEXT,
        crtime TEXT,
        inode INTEGER,
        deleted INTEGER NOT NULL,
        locator TEXT NOT NULL,
        sha256 TEXT,
        md5 TEXT,
        mime TEXT,
        note TEXT,
        error TEXT,
        UNIQUE (evidence_id, locator)
    );
    CREATE INDEX files_by_path ON files (evidence_id, path);
    CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        file_id INTEGER REFERENCES files(id),
        parser TEXT NOT NULL,
        ts TEXT,
        ts_raw TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        source_table TEXT,
        source_rowid INTEGER,
        data TEXT NOT NULL
    );
    CREATE INDEX artifacts_by_kind ON artifacts (kind, id);
    CREATE INDEX artifacts_by_source ON artifacts (parser, file_id);
    CREATE TABLE parser_runs (
        parser TEXT NOT NULL,
        file_id INTEGER NOT NULL REFERENCES files(id),
        version TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT,
        records INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        started TEXT,
        finished TEXT,
        PRIMARY KEY (parser, file_id)
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        action TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,
        summary TEXT
    );
    """,
    # 2: apps found on devices ("installed but not parsed" coverage)
    """
    CREATE TABLE apps (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        platform TEXT NOT NULL,
        app_id TEXT NOT NULL,
        name TEXT,
        category TEXT,
        container TEXT NOT NULL,
        volume TEXT,
        found_by TEXT NOT NULL
    );
    CREATE INDEX apps_by_evidence ON apps (evidence_id);
    """,
    # 3: search — rule packs used, record text index, identifiers, hash sets
    """
    CREATE TABLE rule_packs (
        id INTEGER PRIMARY KEY,
        scan_id INTEGER NOT NULL REFERENCES scans(id),
        pack TEXT NOT NULL,
        version TEXT,
        kind TEXT NOT NULL,
        manifest_sha256 TEXT,
        files TEXT NOT NULL,
        source TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE record_text USING fts5(text, tokenize = 'trigram');
    CREATE TABLE search_progress (stage TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        subtype TEXT,
        UNIQUE (type, value)
    );
    CREATE TABLE entity_refs (
        entity_id INTEGER NOT NULL REFERENCES entities(id),
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        artifact_id INTEGER REFERENCES artifacts(id),
        file_id INTEGER REFERENCES files(id),
        field TEXT,
        raw TEXT
    );
    CREATE INDEX entity_refs_by_entity ON entity_refs (entity_id, evidence_id);
    CREATE TABLE hashsets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        category TEXT NOT NULL,
        format TEXT NOT NULL,
        source TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        entries INTEGER NOT NULL,
        bad_lines INTEGER NOT NULL,
        imported TEXT NOT NULL
    );
    CREATE TABLE hashset_entries (
        set_id INTEGER NOT NULL REFERENCES hashsets(id),
        algo TEXT NOT NULL,
        value TEXT NOT NULL,
        category TEXT,
        name TEXT
    );
    CREATE INDEX hashset_entries_by_value ON hashset_entries (value, algo);
    CREATE TABLE hashset_hits (
        file_id INTEGER NOT NULL REFERENCES files(id),
        set_id INTEGER NOT NULL REFERENCES hashsets(id),
        algo TEXT NOT NULL,
        category TEXT,
        UNIQUE (file_id, set_id)
    );
    """,
    # 4: bookmarks and tags on records (report selection and redaction)
    """
    CREATE TABLE tags (
        record_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        note TEXT,
        examiner TEXT,
        created TEXT NOT NULL,
        PRIMARY KEY (record_id, tag)
    );
    CREATE INDEX tags_by_tag ON tags (tag, record_id);
    """,
    # 5: browsing by time (GUI tables, timeline) without sorting a million rows per page
    """
    CREATE INDEX artifacts_by_kind_ts ON artifacts (kind, ts, id);
    CREATE INDEX artifacts_by_ts ON artifacts (ts, id);
    CREATE INDEX artifacts_by_thread ON artifacts (kind, evidence_id,
        coalesce(json_extract(data, '$.app'), ''), coalesce(json_extract(data, '$.thread'), ''),
        ts, id);
    """,
]

FILE_COLUMNS = (
    "evidence_id", "volume", "path", "name", "kind", "size", "mtime", "atime", "ctime",
    "crtime", "inode", "deleted", "locator", "sha256", "md5", "mime", "note", "error",
)  # fmt: skip
ARTIFACT_COLUMNS = (
    "kind", "evidence_id", "file_id", "parser", "ts", "ts_raw", "deleted",
    "source_table", "source_rowid", "data",
)  # fmt: skip


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection to a case database, plain or encrypted (`casecrypt`: SQLCipher's
    connection class has the same interface; its errors are in `DB_ERRORS`)."""
    try:
        if casecrypt.is_encrypted(path):
            conn: sqlite3.Connection = casecrypt.connect(path, readonly)
        elif readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except DB_ERRORS as exc:
        raise CaseDBError(f"cannot open case database {path}: {exc}") from exc
    return conn


class CaseDB:
    """The single writer of a case database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)
        self.db = sqlite_utils.Database(self.conn)
        self._migrate()

    def _migrate(self) -> None:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise CaseDBError(
                f"case database schema v{version} is newer than this Qarina (v{len(MIGRATIONS)})"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in filter(str.strip, script.split(";")):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={number}")

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except DB_ERRORS as exc:
            raise CaseDBError(f"case database error: {exc}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self.execute(sql, params))

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        marks = ",".join("?" * len(columns))
        sql = f"INSERT OR IGNORE INTO {table} ({','.join(columns)}) VALUES ({marks})"
        try:
            self.conn.executemany(sql, rows)
        except DB_ERRORS as exc:
            raise CaseDBError(f"case database write failed: {exc}") from exc

    def set_info(self, values: dict[str, str | None]) -> None:
        with self.transaction():
            for key, value in values.items():
                if value is not None:
                    self.execute("INSERT OR REPLACE INTO case_info VALUES (?, ?)", (key, value))

    def info(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.query("SELECT key, value FROM case_info")}

    def close(self) -> None:
        self.conn.close()


class _Transaction:
    """`BEGIN IMMEDIATE … COMMIT`: every batch is atomic; an error rolls it back."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except DB_ERRORS as exc:
            raise CaseDBError(f"cannot start a case database transaction: {exc}") from exc
        return self._conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        except DB_ERRORS as err:
            raise CaseDBError(f"case database commit failed: {err}") from err


def rows_as_dicts(rows: Iterable[sqlite3.Row]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield dict(row)


def dumps(value: Any) -> str:
    """Canonical JSON of a record's fields. A NaN or infinite float (Python's json would
    write the non-JSON token Infinity, which SQLite's json functions refuse) becomes its
    text ("inf", "nan")."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, sort_keys=True, default=str)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
