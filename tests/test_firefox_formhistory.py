"""Firefox formhistory.sqlite parser: generated databases with the real schema
(FormHistory.sys.mjs schema 5 with source tables, schema 4 without), bad input."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import db_with_live_wal, file_sha256, scan_with, truncated_copy

from parsers.firefox_formhistory import FirefoxFormHistory
from triage_app.core.export import records

LINUX_PROFILE = "home/amal/.mozilla/firefox/abcd1234.default-release"
FENNEC_PROFILE = "data/data/org.mozilla.firefox/files/mozilla/q9w8e7r6.default"

# toolkit/components/satchel/FormHistory.sys.mjs, dbSchema of DB_SCHEMA_VERSION 5.
FORMHISTORY = (
    "CREATE TABLE moz_formhistory (id INTEGER PRIMARY KEY, fieldname TEXT NOT NULL,"
    " value TEXT NOT NULL, timesUsed INTEGER, firstUsed INTEGER, lastUsed INTEGER, guid TEXT)"
)
INDEXES = (
    "CREATE INDEX moz_formhistory_index ON moz_formhistory (fieldname)",
    "CREATE INDEX moz_formhistory_lastused_index ON moz_formhistory (lastUsed)",
    "CREATE INDEX moz_formhistory_guid_index ON moz_formhistory (guid)",
)
DELETED = (
    "CREATE TABLE moz_deleted_formhistory (id INTEGER PRIMARY KEY, timeDeleted INTEGER, guid TEXT)"
)
SOURCES = "CREATE TABLE moz_sources (id INTEGER PRIMARY KEY, source TEXT NOT NULL)"
HISTORY_TO_SOURCES = (
    "CREATE TABLE moz_history_to_sources (history_id INTEGER, source_id INTEGER,"
    " PRIMARY KEY (history_id, source_id),"
    " FOREIGN KEY (history_id) REFERENCES moz_formhistory(id) ON DELETE CASCADE,"
    " FOREIGN KEY (source_id) REFERENCES moz_sources(id) ON DELETE CASCADE)"
)
SCHEMA_5 = ("PRAGMA user_version = 5", FORMHISTORY, *INDEXES, DELETED, SOURCES, HISTORY_TO_SOURCES)
SCHEMA_4 = ("PRAGMA user_version = 4", FORMHISTORY, *INDEXES, DELETED)

# (id, fieldname, value, timesUsed, firstUsed µs, lastUsed µs, guid)
ENTRIES: list[tuple[Any, ...]] = [
    (1, "searchbar-history", "عبّارة زوارة", 3, 1733990400123456, 1733994000500000,
     "pG7rnc2lT0KmYw9h"),
    (2, "email", "amal@example.org", 1, 1733990460000000, 1733990460000000, "a8K2mQ0xZ3fXb1Yw"),
    (3, "tel", "+218 91 234 5678", 2, 1733990520000000, 1734001000000000, "Q2w3E4r5T6y7U8i9"),
]  # fmt: skip


def _insert(row: tuple[Any, ...]) -> str:
    values = ", ".join(
        "'" + v.replace("'", "''") + "'" if isinstance(v, str) else str(v) for v in row
    )
    return f"INSERT INTO moz_formhistory VALUES ({values})"


def make_formhistory(folder: Path, schema: tuple[str, ...] = SCHEMA_5) -> Path:
    """Three entries, the last only in the live `-wal` file; the search-bar entry linked to
    two sources when the schema has the source tables."""
    statements = [*schema, *(_insert(e) for e in ENTRIES[:2])]
    if HISTORY_TO_SOURCES in schema:
        statements += [
            "INSERT INTO moz_sources VALUES (1, 'Google'), (2, 'DuckDuckGo')",
            "INSERT INTO moz_history_to_sources VALUES (1, 2), (1, 1)",
        ]
    return db_with_live_wal(folder / "formhistory.sqlite", statements, wal_last=_insert(ENTRIES[2]))


RUNS = (
    "SELECT f.path, r.parser, r.status, r.message, r.records, r.warnings"
    " FROM parser_runs r JOIN files f ON f.id = r.file_id ORDER BY f.path"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [FirefoxFormHistory()], evidence, RUNS, require_ok=True)


def test_current_profile_with_sources_and_live_wal(
    tmp_path: Path, unchanged: Callable[..., None]
) -> None:
    make_formhistory(tmp_path / "disk" / LINUX_PROFILE)
    unchanged(tmp_path / "disk")
    conn, runs = _scan(tmp_path, tmp_path / "disk")
    assert runs == [
        {
            "path": f"/{LINUX_PROFILE}/formhistory.sqlite",
            "parser": "firefox_formhistory",
            "status": "ok",
            "message": "",
            "records": 3,
            "warnings": 0,
        }
    ]
    entries = list(records(conn, "web_form"))
    assert len(entries) == 3  # the last one lives only in the WAL
    assert entries[0] == {
        "kind": "web_form",
        "id": entries[0]["id"],
        "evidence": 1,
        "path": f"/{LINUX_PROFILE}/formhistory.sqlite",
        "volume": None,
        "source_sha256": file_sha256(conn, "formhistory.sqlite"),
        "parser": "firefox_formhistory",
        "ts": "2024-12-12T09:00:00.500000Z",
        "ts_raw": 1733994000500000,
        "deleted": False,
        "browser": "firefox",
        "field": "searchbar-history",
        "value": "عبّارة زوارة",
        "url": None,
        "count": 3,
        "profile": "abcd1234.default-release",
        "first_used": "2024-12-12T08:00:00.123456Z",
        "sources": ["DuckDuckGo", "Google"],
        "source_table": "moz_formhistory",
        "source_rowid": 1,
    }
    assert "sources" not in entries[1]  # no source linked
    assert entries[2]["value"] == "+218 91 234 5678" and entries[2]["count"] == 2
    assert entries[2]["ts"] == "2024-12-12T10:56:40Z"


def test_schema_4_without_source_tables(tmp_path: Path) -> None:
    make_formhistory(tmp_path / "phone" / FENNEC_PROFILE, SCHEMA_4)
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert [(r["status"], r["records"], r["warnings"]) for r in runs] == [("ok", 3, 0)]
    entries = list(records(conn, "web_form"))
    assert all("sources" not in e for e in entries)
    assert {e["profile"] for e in entries} == {"q9w8e7r6.default"}


def test_last_use_not_set_falls_back_to_first_use(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / LINUX_PROFILE / "formhistory.sqlite",
        [
            *SCHEMA_5,
            "INSERT INTO moz_formhistory VALUES (1, 'q', 'x', 1, 1733990400123456, 0, 'g')",
        ],
    )
    conn, _ = _scan(tmp_path, tmp_path / "disk")
    (entry,) = records(conn, "web_form")
    assert entry["ts"] == "2024-12-12T08:00:00.123456Z" and entry["ts_raw"] == 1733990400123456


def test_half_of_the_source_tables_is_warned(tmp_path: Path) -> None:
    schema = tuple(s for s in SCHEMA_5 if s != HISTORY_TO_SOURCES)
    make_formhistory(tmp_path / "disk" / LINUX_PROFILE, schema)
    _, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "ok" and run["records"] == 3 and run["warnings"] == 1
    assert "table moz_history_to_sources" in run["message"]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_formhistory(tmp_path / "src"),
        tmp_path / "disk" / LINUX_PROFILE / "formhistory.sqlite",
    )
    _, runs = _scan(tmp_path, tmp_path / "disk")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / LINUX_PROFILE / "formhistory.sqlite",
        ["CREATE TABLE moz_formhistory (id INTEGER PRIMARY KEY, fieldname TEXT, value TEXT)"],
    )
    _, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "error"
    assert "moz_formhistory.timesUsed" in run["message"]
    assert "moz_formhistory.lastUsed" in run["message"]


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "disk" / LINUX_PROFILE
    make_formhistory(folder)
    conn = sqlite3.connect(folder / "formhistory.sqlite")
    conn.execute("UPDATE moz_formhistory SET timesUsed = 'often' WHERE id = 2")
    conn.execute("UPDATE moz_formhistory SET lastUsed = -5, firstUsed = NULL WHERE id = 3")
    conn.commit()
    conn.close()
    db, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "ok" and run["records"] == 2 and run["warnings"] == 1, run
    assert "moz_formhistory row 2 skipped" in run["message"]
    first, third = records(db, "web_form")
    assert first["source_rowid"] == 1
    assert third["ts"] is None and third["ts_raw"] == -5  # never 1970
    assert "first_used" not in third


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / "some" / "app" / "formhistory.sqlite",
        ["CREATE TABLE history (id INTEGER, value TEXT)"],
    )
    _, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "skipped" and "moz_formhistory" in run["message"]
