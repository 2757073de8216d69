"""Read-only summaries of a case for `qarina info` (and later the GUI and the report)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from . import apps


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, params)]


def evidence(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    items = _rows(conn, "SELECT * FROM evidence ORDER BY id")
    for item in items:
        for key in ("paths", "container_hashes", "metadata"):
            if item.get(key):
                item[key] = json.loads(item[key])
        item["volumes"] = _rows(
            conn,
            "SELECT idx, offset, length, description, fs_type, status, message FROM volumes"
            " WHERE evidence_id=? ORDER BY offset",
            (item["id"],),
        )
        item["files"] = conn.execute(
            "SELECT COUNT(*) FROM files WHERE evidence_id=?", (item["id"],)
        ).fetchone()[0]
    return items


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    result = {"file": conn.execute("SELECT COUNT(*) FROM files WHERE kind='file'").fetchone()[0]}
    for row in conn.execute(
        "SELECT kind, COUNT(*) AS n FROM artifacts GROUP BY kind ORDER BY kind"
    ):
        result[row["kind"]] = row["n"]
    return result


def coverage(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return _rows(
        conn,
        "SELECT parser, status, COUNT(*) AS files, SUM(records) AS records FROM parser_runs"
        " GROUP BY parser, status ORDER BY parser, status",
    )


def errors(conn: sqlite3.Connection, limit: int = 200) -> list[dict[str, Any]]:
    parser_errors = _rows(
        conn,
        "SELECT 'parser' AS source, r.parser, f.evidence_id, f.path, r.status, r.message"
        " FROM parser_runs r JOIN files f ON f.id=r.file_id"
        " WHERE r.status IN ('error', 'cancelled') ORDER BY f.id LIMIT ?",
        (limit,),
    )
    read_errors = _rows(
        conn,
        "SELECT 'read' AS source, NULL AS parser, evidence_id, path, 'error' AS status,"
        " error AS message FROM files WHERE error IS NOT NULL ORDER BY id LIMIT ?",
        (limit,),
    )
    evidence_errors = _rows(
        conn,
        "SELECT 'evidence' AS source, NULL AS parser, id AS evidence_id, identity AS path,"
        " status, COALESCE(message, verification_message) AS message FROM evidence"
        " WHERE status != 'ok'",
    )
    return evidence_errors + read_errors + parser_errors


def summary(conn: sqlite3.Connection) -> dict[str, Any]:
    info = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM case_info")}
    return {
        "case": info,
        "evidence": evidence(conn),
        "counts": counts(conn),
        "coverage": coverage(conn),
        "apps": apps.coverage(conn),
        "errors": errors(conn),
        "scans": _rows(conn, "SELECT * FROM scans ORDER BY id"),
        "search": search(conn),
    }


def search(conn: sqlite3.Connection) -> dict[str, Any]:
    """Packs used by the latest scan, identifiers (and how many link evidence items), hash
    set matches. Empty for a case written before search existed (schema < 3)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < 3:
        return {"rule_packs": [], "identifiers": 0, "shared_identifiers": 0, "hashsets": []}
    latest = conn.execute("SELECT max(scan_id) FROM rule_packs").fetchone()[0]
    packs = _rows(
        conn,
        "SELECT pack, version, kind, source, manifest_sha256 FROM rule_packs WHERE scan_id = ?"
        " ORDER BY pack",
        (latest,),
    )
    shared = conn.execute(
        "SELECT count(*) FROM (SELECT entity_id FROM entity_refs GROUP BY entity_id"
        " HAVING count(DISTINCT evidence_id) > 1)"
    ).fetchone()[0]
    return {
        "rule_packs": packs,
        "identifiers": conn.execute("SELECT count(*) FROM entities").fetchone()[0],
        "shared_identifiers": shared,
        "hashsets": _rows(
            conn,
            "SELECT s.name, s.category, s.entries, (SELECT count(*) FROM hashset_hits h"
            " WHERE h.set_id = s.id) AS files FROM hashsets s ORDER BY s.id",
        ),
    }
