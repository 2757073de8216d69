"""Pages of records for interactive views: keyset paging, SQL ordering, full-text filter.

A view of a million records asks for one page at a time, starting after the last row it has
(`after`), so each page costs the same however far the user scrolled; nothing is loaded whole.
Ordering by time uses the `(kind, ts, id)` and `(ts, id)` indexes (schema migration 5); the
text filter is the Arabic-normalised FTS5 index of the search stage (`record_text`, rowid =
artifact id). Qt-free: the GUI's table models call it from their fetch methods.
"""

from __future__ import annotations

import re
import sqlite3
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..search.arabic import normalise
from .export import ARTIFACT_SELECT, artifact_record

PAGE = 200
_FIELD = re.compile(r"[a-z_][a-z0-9_]{0,40}")


@dataclass(frozen=True)
class Key:
    """Where a page ends: the last row's sort value and id."""

    value: Any
    id: int


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    last: Key | None  # None when there is nothing more


def _text_filter(query: str) -> tuple[str, list[Any]]:
    words = [w for w in normalise(query).split() if w]
    if not words:
        return "", []
    if all(len(w) >= 3 for w in words):
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
        return " AND a.id IN (SELECT rowid FROM record_text WHERE record_text MATCH ?)", [match]
    # Trigrams cannot index one- or two-letter words: scan the indexed text for them.
    clause = " AND ".join("instr(text, ?) > 0" for _ in words)
    return f" AND a.id IN (SELECT rowid FROM record_text WHERE {clause})", list(words)


def page(
    conn: sqlite3.Connection,
    kinds: Sequence[str] | None,
    *,
    after: Key | None = None,
    order: str = "ts",
    descending: bool = False,
    search: str = "",
    evidence: int | None = None,
    limit: int = PAGE,
    dated_only: bool = False,
    since: str | None = None,
    until: str | None = None,
) -> Page:
    """The next `limit` artifacts of `kinds` (all kinds when None) in `order` ("ts" or
    "id"), after `after`. By time, records without a time come first (last when
    descending), in id order: two index ranges, so paging by time never loses a row;
    `dated_only` leaves them out (a timeline). `since`/`until` (ISO UTC, until exclusive)
    keep records of a time range (and so only dated ones). Ordering by a record's own
    field has no index: see `ordered_ids`."""
    if order not in ("ts", "id"):
        raise ValueError(f"unknown order {order!r}")
    if kinds is not None and len(kinds) > 1:
        # One indexed range per kind, merged: SQLite would otherwise sort every row of the
        # kinds for each page (0.6 s for 100,000 web records).
        pages = [
            page(conn, (kind,), after=after, order=order, descending=descending,
                 search=search, evidence=evidence, limit=limit, dated_only=dated_only,
                 since=since, until=until)
            for kind in dict.fromkeys(kinds)
        ]  # fmt: skip
        return _merge(pages, order, descending, limit)
    base, params = _base(kinds, evidence, search, since, until)
    dated_only = dated_only or since is not None or until is not None
    if order == "id":
        base += " AND a.ts IS NOT NULL" if dated_only else ""
        return _run(conn, base, params, None, after, descending, limit)
    phases = [False, True] if descending else [True, False]  # undated first when ascending
    if dated_only:
        phases = [False]
    if after is not None and (after.value is None) != phases[0]:
        phases = phases[1:]  # the page before ended in the second phase
    records: list[dict[str, Any]] = []
    for undated in phases:
        got = _run(conn, base, params, undated, after, descending, limit - len(records))
        records += got.records
        if got.last is not None:
            return Page(records, got.last)
        after = None  # the next phase starts at its beginning
    return Page(records, None)


def _sort_key(record: dict[str, Any], order: str) -> tuple[Any, ...]:
    if order == "id":
        return (_number(record["id"]),)
    ts = record.get("ts")
    return (ts is not None, ts or "", _number(record["id"]))


def _number(record_id: str) -> int:
    return int(str(record_id).rsplit(":", 1)[-1])


def _merge(pages: list[Page], order: str, descending: bool, limit: int) -> Page:
    records = sorted(
        (r for p in pages for r in p.records),
        key=lambda r: _sort_key(r, order), reverse=descending,
    )  # fmt: skip
    more = any(p.last is not None for p in pages) or len(records) > limit
    records = records[:limit]
    if not more or not records:
        return Page(records, None)
    last = records[-1]
    if order == "id":
        return Page(records, Key(_number(last["id"]), _number(last["id"])))
    return Page(records, Key(last.get("ts"), _number(last["id"])))


def _base(
    kinds: Sequence[str] | None, evidence: int | None, search: str,
    since: str | None = None, until: str | None = None,
) -> tuple[str, list[Any]]:  # fmt: skip
    where, params = ["1"], []  # type: list[str], list[Any]
    for bound, op in ((since, ">="), (until, "<")):
        if bound is not None:
            where.append(f"a.ts {op} ?")
            params.append(bound)
    if kinds is not None:
        where.append(f"a.kind IN ({','.join('?' * len(kinds))})")
        params += list(kinds)
    if evidence is not None:
        where.append("a.evidence_id = ?")
        params.append(evidence)
    text, text_params = _text_filter(search)
    return " AND ".join(where) + text, params + text_params


def _run(
    conn: sqlite3.Connection, base: str, params: list[Any], undated: bool | None,
    after: Key | None, descending: bool, limit: int,
) -> Page:  # fmt: skip
    """One index range: by id (`undated` None), undated records by id, or dated by (ts, id)."""
    op, direction = ("<", "DESC") if descending else (">", "ASC")
    where, extra = [base], []  # type: list[str], list[Any]
    if undated is None or undated:
        if undated:
            where.append("a.ts IS NULL")
        sort = f"a.id {direction}"
        if after is not None:
            where.append(f"a.id {op} ?")
            extra.append(after.id)
    else:
        where.append("a.ts IS NOT NULL")
        sort = f"a.ts {direction}, a.id {direction}"
        if after is not None:
            where.append(f"(a.ts, a.id) {op} (?, ?)")
            extra += [after.value, after.id]
    sql = f"{ARTIFACT_SELECT} WHERE {' AND '.join(where)} ORDER BY {sort} LIMIT ?"
    rows = conn.execute(sql, [*params, *extra, limit]).fetchall()
    records = [artifact_record(row) for row in rows]
    if len(rows) < limit or limit <= 0:
        return Page(records, None)
    last = rows[-1]
    value = None if undated in (None, True) else last["ts"]
    if undated is None:
        value = last["id"]
    return Page(records, Key(value, int(last["id"])))


def ordered_ids(
    conn: sqlite3.Connection, kinds: Sequence[str] | None, field: str, *,
    descending: bool = False, search: str = "", evidence: int | None = None,
    since: str | None = None, until: str | None = None, dated_only: bool = False,
) -> array[int]:  # fmt: skip
    """The ids of the matching records ordered by one of their own fields (missing values as
    ''), then id: a snapshot that the caller pages through with `export.artifact_records_by_id`.
    A field has no index, so SQLite sorts every matching row once (2-3 s for 700,000
    messages); callers run it off the UI thread and may `interrupt` the connection."""
    if not _FIELD.fullmatch(field):
        raise ValueError(f"not a record field: {field!r}")
    base, params = _base(kinds, evidence, search, since, until)
    # Unary + keeps SQLite off the ts index: nearly every record is dated, and walking that
    # index to then fetch each row was 2.5 times slower than reading the table.
    base += " AND +a.ts IS NOT NULL" if dated_only else ""
    value = f"COALESCE(json_extract(a.data, '$.{field}'), '')"
    way = "DESC" if descending else "ASC"
    sql = f"SELECT a.id FROM artifacts a WHERE {base} ORDER BY {value} {way}, a.id {way}"
    return array("q", (row[0] for row in conn.execute(sql, params)))


def count(
    conn: sqlite3.Connection, kinds: Sequence[str] | None, evidence: int | None = None
) -> int:
    """Records of `kinds` (index-only count: fast at any size)."""
    where, params = _base(kinds, evidence, "")
    return int(
        conn.execute(f"SELECT count(*) FROM artifacts a WHERE {where}", params).fetchone()[0]
    )
