"""Records in the export contract of ARCHITECTURE.md §4, streamed from the case database.

Every record has `kind`, `id`, `evidence`, `path`, `volume`, `source_sha256`, `parser`,
`ts`, `ts_raw`, `deleted` plus its kind's own fields. Rows are read with keyset paging so
memory stays bounded for cases of any size.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

PAGE = 5000
KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")  # kinds safe as file names and labels
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


def _hashset_hits(conn: sqlite3.Connection, first: int, last: int) -> dict[int, list[str]]:
    hits: dict[int, list[str]] = {}
    rows = conn.execute(
        "SELECT h.file_id, s.name, s.category FROM hashset_hits h JOIN hashsets s"
        " ON s.id = h.set_id WHERE h.file_id BETWEEN ? AND ? ORDER BY h.file_id, s.name",
        (first, last),
    )
    for file_id, name, category in rows:
        hits.setdefault(file_id, []).append(f"{name} ({category})")
    return hits


def file_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    sql = "SELECT * FROM files WHERE id > ? ORDER BY id LIMIT ?"
    hits: dict[int, list[str]] = {}
    loaded_to = 0
    for row in _pages(conn, sql, ()):
        if row["id"] > loaded_to:  # hash set matches, one query per window of ids
            loaded_to = row["id"] + PAGE
            hits = _hashset_hits(conn, row["id"], loaded_to)
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
            "hashsets": hits.get(row["id"], []),
        }


ARTIFACT_SELECT = (
    "SELECT a.*, f.path, f.volume, f.sha256 FROM artifacts a LEFT JOIN files f ON f.id = a.file_id"
)


def artifact_record(row: sqlite3.Row) -> dict[str, Any]:
    return {
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


# Records that state a position (lat or lon), found by SQLite without decoding every row.
LOCATED = "(json_extract(a.data, '$.lat') IS NOT NULL OR json_extract(a.data, '$.lon') IS NOT NULL)"


def artifact_records(
    conn: sqlite3.Connection, kind: str | None = None, located: bool = False
) -> Iterator[dict[str, Any]]:
    where = "a.kind = ? AND " if kind else ""
    where += f"{LOCATED} AND " if located else ""
    sql = f"{ARTIFACT_SELECT} WHERE {where}a.id > ? ORDER BY a.id LIMIT ?"
    for row in _pages(conn, sql, (kind,) if kind else ()):
        yield artifact_record(row)


def artifact_records_by_id(
    conn: sqlite3.Connection, ids: Sequence[int]
) -> Iterator[dict[str, Any]]:
    """The records with these ids, in the order given."""
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = {
            r["id"]: r for r in conn.execute(f"{ARTIFACT_SELECT} WHERE a.id IN ({marks})", chunk)
        }
        for record_id in chunk:
            if record_id in rows:
                yield artifact_record(rows[record_id])


def entity_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """One record per identifier: where it occurs is `qarina links`' business; here the
    count of occurrences and the evidence items holding it."""
    sql = (
        "SELECT e.id, e.type, e.value, e.subtype, count(*) AS n,"
        " group_concat(DISTINCT r.evidence_id) AS evidence_ids FROM entities e"
        " JOIN entity_refs r ON r.entity_id = e.id WHERE e.id > ? GROUP BY e.id"
        " ORDER BY e.id LIMIT ?"
    )
    for row in _pages(conn, sql, ()):
        evidence_ids = sorted(int(x) for x in str(row["evidence_ids"]).split(","))
        record: dict[str, Any] = {
            "kind": "entity",
            "id": f"ent:{row['id']}",
            "evidence": evidence_ids[0] if len(evidence_ids) == 1 else None,
            "path": None,
            "volume": None,
            "source_sha256": None,
            "parser": "identifiers",
            "ts": None,
            "ts_raw": None,
            "deleted": False,
            "type": row["type"],
            "value": row["value"],
            "count": row["n"],
            "evidence_ids": evidence_ids,
        }
        if row["subtype"]:
            record["subtype"] = row["subtype"]
        yield record


def records(conn: sqlite3.Connection, kind: str | None = None) -> Iterator[dict[str, Any]]:
    if kind in (None, "file"):
        yield from file_records(conn)
    if kind not in ("file", "entity"):
        yield from artifact_records(conn, kind)
    if kind in (None, "entity"):
        yield from entity_records(conn)


def present_kinds(conn: sqlite3.Connection) -> list[str]:
    """Candidate kinds, sorted: `file`, `entity` and each artifact kind in the case (found by
    walking the kind index one value at a time, not by reading the rows)."""
    kinds = {"file", "entity"}
    last = ""
    while True:
        row = conn.execute("SELECT min(kind) FROM artifacts WHERE kind > ?", (last,)).fetchone()
        if row is None or row[0] is None:
            break
        last = str(row[0])
        kinds.add(last)
    return sorted(k for k in kinds if KIND_NAME.fullmatch(k))
