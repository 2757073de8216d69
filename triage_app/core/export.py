"""Records in the export contract of ARCHITECTURE.md §4, streamed from the case database.

Every record has `kind`, `id`, `evidence`, `path`, `volume`, `source_sha256`, `parser`,
`ts`, `ts_raw`, `deleted` plus its kind's own fields. Rows are read with keyset paging so
memory stays bounded for cases of any size.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

PAGE = 5000
FILE_FIELDS = (
    "name",
    "size",
    "sha256",
    "md5",
    "mime",
    "mtime",
    "atime",
    "ctime",
    "crtime",
    "inode",
)


def _pages(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Iterator[sqlite3.Row]:
    last = 0
    while True:
        rows = conn.execute(sql, (*params, last, PAGE)).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def file_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    sql = "SELECT * FROM files WHERE id > ? ORDER BY id LIMIT ?"
    for row in _pages(conn, sql, ()):
        yield {
            "kind": "file",
            "id": f"file:{row['id']}",
            "evidence": row["evidence_id"],
            "path": row["path"],
            "volume": row["volume"],
            "source_sha256": row["sha256"],
            "parser": "index",
            "ts": row["mtime"],
            "ts_raw": row["mtime"],
            "deleted": bool(row["deleted"]),
            **{f: row[f] for f in FILE_FIELDS},
            "entry_type": row["kind"],
            "note": row["note"],
            "error": row["error"],
        }


def artifact_records(conn: sqlite3.Connection, kind: str | None = None) -> Iterator[dict[str, Any]]:
    where = "a.kind = ? AND " if kind else ""
    sql = (
        "SELECT a.*, f.path, f.volume, f.sha256 FROM artifacts a LEFT JOIN files f"
        f" ON f.id = a.file_id WHERE {where}a.id > ? ORDER BY a.id LIMIT ?"
    )
    for row in _pages(conn, sql, (kind,) if kind else ()):
        yield {
            "kind": row["kind"],
            "id": f"rec:{row['id']}",
            "evidence": row["evidence_id"],
            "path": row["path"],
            "volume": row["volume"],
            "source_sha256": row["sha256"],
            "parser": row["parser"],
            "ts": row["ts"],
            "ts_raw": json.loads(row["ts_raw"]) if row["ts_raw"] is not None else None,
            "deleted": bool(row["deleted"]),
            **json.loads(row["data"]),
            "source_table": row["source_table"],
            "source_rowid": row["source_rowid"],
        }


def records(conn: sqlite3.Connection, kind: str | None = None) -> Iterator[dict[str, Any]]:
    if kind in (None, "file"):
        yield from file_records(conn)
    if kind != "file":
        yield from artifact_records(conn, kind)
