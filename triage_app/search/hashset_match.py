"""Hash sets in a case: import (hashed and logged) and matching against the indexed files.

A set is imported once into the case (`hashsets` + `hashset_entries`), with the SHA-256 of
the file it came from, its format, category and the number of malformed lines, so a report
can name exactly what a file was compared with. An NSRL RDS v3 database is too large to
copy: it is recorded by path and hash and queried in place at each match.

Matching runs at import and at the end of every scan (for the files that scan added) and
fills `hashset_hits`; files are matched by SHA-256 and MD5 (Qarina computes both). SHA-1-only
entries cannot match, since files are not hashed with SHA-1; the import says how many there
are.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..core.case import Case
from ..core.casedb import now_iso
from ..core.progress import CancelToken
from .hashsets import HashSetError, read_hashset
from .nsrl import NsrlLookup

log = logging.getLogger(__name__)
CATEGORIES = ("known_bad", "known_good", "other")
NSRL_FORMAT = "nsrl-rds3"
_BATCH = 20_000
_LOOKUP_BATCH = 5_000


@dataclass(frozen=True)
class ImportResult:
    set_id: int
    name: str
    format: str
    entries: int
    sha1_only: int
    bad_lines: int
    warnings: list[str]
    matches: int


def _sha256_of(path: Path, cancel: CancelToken) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            cancel.check()
    return digest.hexdigest()


def import_hashset(
    case: Case, path: Path, name: str, category: str, cancel: CancelToken | None = None
) -> ImportResult:
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
    cancel = cancel or CancelToken()
    path = path.absolute()
    reader = read_hashset(path)
    if reader.format == NSRL_FORMAT:
        _check_nsrl(path)
    source_sha256 = _sha256_of(path, cancel)
    entries = sha1_only = 0
    with case.db.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO hashsets (name, category, format, source, source_sha256, entries,"
            " bad_lines, imported) VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
            (name, category, reader.format, str(path), source_sha256, now_iso()),
        )
        set_id = int(cur.lastrowid or 0)
        if reader.format != NSRL_FORMAT:
            batch: list[tuple[int, str, str, str | None, str | None]] = []
            for entry in reader:
                batch.append((set_id, entry.algo, entry.value, entry.category, entry.name))
                entries += 1
                sha1_only += entry.algo == "sha1"
                if len(batch) >= _BATCH:
                    _insert_entries(conn, batch)
                    cancel.check()
            _insert_entries(conn, batch)
        conn.execute(
            "UPDATE hashsets SET entries = ?, bad_lines = ? WHERE id = ?",
            (entries, reader.bad, set_id),
        )
    case.audit.append(
        "hashset_imported", name=name, category=category, format=reader.format,
        source=str(path), source_sha256=source_sha256, entries=entries, bad_lines=reader.bad,
    )  # fmt: skip
    matches = match_hashsets(case)
    return ImportResult(
        set_id, name, reader.format, entries, sha1_only, reader.bad, list(reader.warnings), matches
    )


def _insert_entries(
    conn: sqlite3.Connection, batch: list[tuple[int, str, str, str | None, str | None]]
) -> None:
    conn.executemany(
        "INSERT INTO hashset_entries (set_id, algo, value, category, name) VALUES (?,?,?,?,?)",
        batch,
    )
    batch.clear()


def _check_nsrl(path: Path) -> None:
    """An RDS is matched by SHA-256 (what Qarina and the minimal RDS sets index); a copy
    without that index would need a full scan per lookup: refused before anything is stored."""
    lookup = NsrlLookup(path)
    try:
        if "sha256" not in lookup.indexed_algos:
            raise HashSetError(
                f"{path.name}: this RDS has no index on sha256 (a full RDS set): create it on a"
                " copy (CREATE INDEX file_sha256 ON METADATA(sha256)) and import that copy"
            )
    finally:
        lookup.close()


def match_hashsets(case: Case) -> int:
    """Record hits of every set on files not yet matched with it; the number of new hits.
    An NSRL database that can no longer be read (moved, unplugged) is logged and audited as
    not matched; it never ends the scan that calls this."""
    before = int(case.db.query("SELECT count(*) FROM hashset_hits")[0][0])
    sets = case.db.query("SELECT id, name, format, source FROM hashsets")
    failed: list[tuple[str, str]] = []
    with case.db.transaction() as conn:
        for row in sets:
            if row["format"] == NSRL_FORMAT:
                try:
                    _match_nsrl(conn, int(row["id"]), Path(row["source"]))
                except (HashSetError, OSError, sqlite3.Error) as exc:
                    log.warning("hash set %s not matched: %s", row["name"], exc)
                    failed.append((row["name"], str(exc)))
                continue
            for algo, column in (("sha256", "sha256"), ("md5", "md5")):
                conn.execute(
                    "INSERT OR IGNORE INTO hashset_hits (file_id, set_id, algo, category)"
                    f" SELECT f.id, e.set_id, e.algo, e.category FROM files f"
                    f" JOIN hashset_entries e ON e.value = f.{column} AND e.algo = ?"
                    " WHERE e.set_id = ?",
                    (algo, row["id"]),
                )
    for name, reason in failed:  # the audit log writes its own transaction
        case.audit.append("hashset_not_matched", name=name, reason=reason)
    return int(case.db.query("SELECT count(*) FROM hashset_hits")[0][0]) - before


def _match_nsrl(conn: sqlite3.Connection, set_id: int, path: Path) -> None:
    lookup = NsrlLookup(path)
    try:
        rows = conn.execute(
            "SELECT id, sha256 FROM files WHERE sha256 IS NOT NULL AND id NOT IN"
            " (SELECT file_id FROM hashset_hits WHERE set_id = ?)",
            (set_id,),
        ).fetchall()
        for start in range(0, len(rows), _LOOKUP_BATCH):
            chunk = rows[start : start + _LOOKUP_BATCH]
            known = lookup.lookup_many("sha256", [r[1] for r in chunk])
            conn.executemany(
                "INSERT OR IGNORE INTO hashset_hits (file_id, set_id, algo, category)"
                " VALUES (?, ?, 'sha256', NULL)",
                [(r[0], set_id) for r in chunk if r[1] in known],
            )
    finally:
        lookup.close()
