"""What a hostile item is and what a case must say about it: each builder of the corpus
(hostile_archives.py, hostile_media.py) returns a `Hostile`, the evidence path given to
`qarina scan` and the rows the case must then hold (`Expect`). `coverage()` reads a case back
as rows, `unmet()` names the expectations no row satisfies, `reasons()` the rows that state
why. Part of the hostile corpus of tests/hostile.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MIB = 1024**2
WHEN = datetime(2024, 1, 2, tzinfo=UTC)
PAYLOADS = (
    "<script>alert('qarina')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "</title><svg onload=alert(1)>",
)
UNSAFE = "unsafe member name sanitised"
REASON_KINDS = ("evidence", "warning", "volume", "file", "run")


@dataclass(frozen=True)
class Expect:
    """A row the case must hold. `where`: evidence (status: message), warning (of the evidence
    item), volume (idx status: message), file (note; error), run (parser: status: message),
    any (one of those), kind (the file row's kind: listed, never opened) or count (`pattern`
    is the number of file rows). `path`: the file row inside the evidence."""

    where: str
    pattern: str
    path: str | None = None


@dataclass(frozen=True)
class Hostile:
    name: str
    path: Path  # the evidence item given to the scan
    expects: tuple[Expect, ...]
    about: str


@dataclass(frozen=True)
class Row:
    evidence: str  # the evidence item's identity (its absolute path)
    where: str
    path: str | None
    reason: str


def write_file(path: Path, data: bytes) -> Path:
    """`data` written at `path`, its folders made first: how every builder plants a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- reading a case back ---------------------------------------------------------------------


def coverage(conn: sqlite3.Connection) -> list[Row]:
    """Every outcome the case records, one row each with its reason: evidence status and
    warnings, volumes, file notes and errors, file kinds, parser runs."""
    rows: list[Row] = []
    for ident, status, message, verification, meta in conn.execute(
        "SELECT identity, status, message, verification_message, metadata FROM evidence"
    ):
        rows.append(Row(ident, "evidence", None, f"{status}: {message or verification or ''}"))
        rows += [
            Row(ident, "warning", None, str(w))
            for w in json.loads(meta or "{}").get("warnings", [])
        ]
    joined = " JOIN evidence e ON e.id = {}.evidence_id"
    for ident, idx, status, message in conn.execute(
        "SELECT e.identity, v.idx, v.status, v.message FROM volumes v" + joined.format("v")
    ):
        rows.append(Row(ident, "volume", None, f"{idx} {status}: {message or ''}"))
    for ident, path, kind, note, error in conn.execute(
        "SELECT e.identity, f.path, f.kind, f.note, f.error FROM files f" + joined.format("f")
    ):
        rows.append(Row(ident, "kind", path, kind))
        if note or error:
            rows.append(Row(ident, "file", path, "; ".join(filter(None, (note, error)))))
    for ident, path, parser, status, message in conn.execute(
        "SELECT e.identity, f.path, r.parser, r.status, r.message FROM parser_runs r"
        " JOIN files f ON f.id = r.file_id" + joined.format("f")
    ):
        rows.append(Row(ident, "run", path, f"{parser}: {status}: {message or ''}"))
    return rows


def _matches(e: Expect, r: Row) -> bool:
    where = r.where in REASON_KINDS if e.where == "any" else r.where == e.where
    return where and e.path in (None, r.path) and bool(re.search(e.pattern, r.reason, re.I | re.S))


def unmet(item: Hostile, rows: Sequence[Row]) -> list[Expect]:
    """The expectations of `item` that no row of the case satisfies."""
    ident = str(item.path.resolve())
    mine = [r for r in rows if r.evidence == ident]
    listed = sum(r.where == "kind" for r in mine)
    return [
        e
        for e in item.expects
        if not (
            str(listed) == e.pattern if e.where == "count" else any(_matches(e, r) for r in mine)
        )
    ]


def reasons(item: Hostile, rows: Sequence[Row]) -> list[Row]:
    """The rows that state a reason for `item`: they meet one of its expectations and say
    more than a bare `ok`."""
    ident = str(item.path.resolve())
    return [
        r
        for r in rows
        if r.evidence == ident
        and r.where in REASON_KINDS
        and not re.fullmatch(r"(\w+: )?(ok|no_data): ", r.reason)
        and any(_matches(e, r) for e in item.expects)
    ]
