"""Questions asked of a scanned case: full-text search over records, shared identifiers.

Search normalises the query like the index (Arabic letter variants, harakat, tatweel,
digits, case) and matches it as a substring of a record's text (FTS5 trigram index; a query
of fewer than three characters, which trigrams cannot index, is answered by a scan of the
indexed text). Several words must all occur, in any order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from ..core.export import artifact_records_by_id
from .arabic import normalise

MAX_RESULTS = 1000


def _fts_query(words: list[str]) -> str:
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def search_records(
    conn: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 100
) -> Iterator[dict[str, Any]]:
    """Records whose text contains every word of `query`, newest id first."""
    words = [w for w in normalise(query).split() if w]
    if not words:
        return
    limit = max(1, min(limit, MAX_RESULTS))
    if all(len(w) >= 3 for w in words):
        sql = "SELECT rowid FROM record_text WHERE record_text MATCH ? ORDER BY rowid DESC"
        params: list[Any] = [_fts_query(words)]
    else:
        sql = "SELECT rowid FROM record_text WHERE " + " AND ".join(
            "instr(text, ?) > 0" for _ in words
        )
        sql += " ORDER BY rowid DESC"
        params = list(words)
    ids: list[int] = []
    for (rowid,) in conn.execute(sql, params):
        ids.append(int(rowid))
        if kind is None and len(ids) >= limit:
            break
    found = 0
    for record in artifact_records_by_id(conn, ids):
        if kind is not None and record["kind"] != kind:
            continue
        yield record
        found += 1
        if found >= limit:
            return


def shared_identifiers(
    conn: sqlite3.Connection, kind: str | None = None, minimum: int = 2
) -> Iterator[dict[str, Any]]:
    """Identifiers found on at least `minimum` evidence items, with every occurrence."""
    where = "WHERE e.type = ?" if kind else ""
    sql = (
        "SELECT e.id, e.type, e.value, count(DISTINCT r.evidence_id) AS items FROM entities e"
        f" JOIN entity_refs r ON r.entity_id = e.id {where} GROUP BY e.id"
        " HAVING items >= ? ORDER BY items DESC, e.type, e.value"
    )
    params: tuple[Any, ...] = (kind, minimum) if kind else (minimum,)
    for row in conn.execute(sql, params).fetchall():
        occurrences = [
            {
                "evidence": r["evidence_id"],
                "record": f"rec:{r['artifact_id']}" if r["artifact_id"] else None,
                "file": f"file:{r['file_id']}" if r["file_id"] else None,
                "path": r["path"],
                "field": r["field"],
                "raw": r["raw"],
            }
            for r in conn.execute(
                "SELECT r.evidence_id, r.artifact_id, r.file_id, r.field, r.raw, f.path"
                " FROM entity_refs r LEFT JOIN artifacts a ON a.id = r.artifact_id"
                " LEFT JOIN files f ON f.id = coalesce(r.file_id, a.file_id)"
                " WHERE r.entity_id = ? ORDER BY r.evidence_id, r.rowid",
                (row["id"],),
            )
        ]
        yield {
            "type": row["type"],
            "value": row["value"],
            "evidence_ids": sorted({o["evidence"] for o in occurrences}),
            "occurrences": occurrences,
        }
