"""Reading a scanned case back in tests."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from triage_app.core import caseinfo
from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.core.engine import Scan
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.core.parsing import Parser

RUNS_SQL = "SELECT parser, status, message, records, warnings FROM parser_runs"
# For one parser on one file: the outcome without the parser's name.
OUTCOME_SQL = "SELECT status, records, warnings, message FROM parser_runs"
# For several parsers: by parser name.
BY_PARSER_SQL = "SELECT parser, status, records, warnings, message FROM parser_runs ORDER BY parser"


def scan_with(
    case_dir: Path,
    parsers: Sequence[Parser],
    evidence: Path,
    runs_sql: str = RUNS_SQL,
    *,
    require_ok: bool = False,
    isolate: bool = True,
) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    """Scan `evidence` into a new case with only `parsers`: the case database, opened
    read-only, and its parser_runs rows as `runs_sql` selects them. With `require_ok` the
    scan itself must end `ok`; `isolate` False parses in this process (for a test that
    monkeypatches a parser module: worker processes do not see the patch)."""
    case = Case.open(case_dir)
    try:
        options = ScanOptions(isolate=isolate)
        summary = Scan(case, options, parsers=list(parsers)).run([evidence])
    finally:
        case.close()
    if require_ok:
        assert summary.status == "ok", summary
    conn = connect(case_dir / "case.sqlite", readonly=True)
    return conn, [dict(r) for r in conn.execute(runs_sql)]


def scan_records(
    case_dir: Path,
    parsers: Sequence[Parser],
    evidence: Path,
    kind: str,
    runs_sql: str = RUNS_SQL,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`scan_with` for a test that reads one kind of record: those records and the runs."""
    conn, runs = scan_with(case_dir, parsers, evidence, runs_sql)
    try:
        return list(records(conn, kind)), runs
    finally:
        conn.close()


def truncated_copy(source: Path, target: Path, extra: int = 100) -> Path:
    """Write the first half of `source` (and `extra` bytes more) to `target`: a file cut short,
    as a copy interrupted mid-way leaves it."""
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data[: len(data) // 2 + extra])
    return target


def file_records(case: Path) -> list[dict[str, Any]]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return list(records(conn, "file"))
    finally:
        conn.close()


def case_summary(case: Path) -> dict[str, Any]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return caseinfo.summary(conn)
    finally:
        conn.close()


def file_sha256(conn: sqlite3.Connection, name: str) -> str:
    """The indexed SHA-256 of the file called `name` (a record's expected `source_sha256`)."""
    return str(conn.execute("SELECT sha256 FROM files WHERE name = ?", (name,)).fetchone()[0])


def db_with_live_wal(
    path: Path, statements: Sequence[str], wal_last: str | Sequence[str] | None = None
) -> Path:
    """Create a database; `wal_last` (one SQL statement or several) is left only in the live
    `-wal` file, as in a copy taken while the app had the database open."""
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.parent / ".build"
    work.mkdir()
    conn = sqlite3.connect(work / path.name)
    conn.execute("PRAGMA journal_mode=WAL")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    if wal_last:
        for statement in [wal_last] if isinstance(wal_last, str) else wal_last:
            conn.execute(statement)
        conn.commit()
    for suffix in ("", "-wal", "-shm"):  # copied while open, as on a seized machine
        if (work / f"{path.name}{suffix}").exists():
            shutil.copyfile(work / f"{path.name}{suffix}", path.parent / f"{path.name}{suffix}")
    conn.close()
    shutil.rmtree(work)
    return path


def dispatched(parser: Parser, path: str, prefix: bytes = b"SQLite format 3\x00") -> bool:
    """Whether the dispatcher offers a file at `path` (content starting with `prefix`) to
    `parser`: the test of a parser's globs and signature."""
    from triage_app.core.dispatch import candidates
    from triage_app.core.parsing import FileInfo

    file = FileInfo(1, 1, None, path, path.rsplit("/", 1)[-1], 100, None, None, False)
    return parser in candidates(file, prefix, [parser])


def unrelated_db(path: Path) -> Path:
    """A SQLite file of some other app at `path`: a parser whose globs it matches must record
    it as `skipped`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
    conn.commit()
    conn.close()
    return path


def insert_folder_evidence(db: Any, evidence_id: int = 1) -> None:
    """An evidence row for records written straight into a case (inside a transaction)."""
    from triage_app.core.casedb import now_iso

    db.execute(
        "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at, status)"
        " VALUES (?, 'p', ?, 'folder', 'folder', '[]', ?, 'ok')",
        (evidence_id, f"/p{evidence_id}", now_iso()),
    )
