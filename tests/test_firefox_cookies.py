"""Firefox cookies.sqlite parser: generated databases with the real schemas (current Firefox
schema 17, Firefox 4-10 schema 4, Firefox 3.x schema 2), bad input, and the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from casehelpers import db_with_live_wal, file_sha256, scan_with, truncated_copy

from parsers.firefox_cookies import FirefoxCookies
from triage_app.core.export import records

LINUX_PROFILE = "home/amal/.mozilla/firefox/abcd1234.default-release"
WINDOWS_PROFILE = "Users/amal/AppData/Roaming/Mozilla/Firefox/Profiles/x1y2z3.default"

# Current Firefox: netwerk/cookie/CookiePersistentStorage.cpp CreateTableWorker, schema 17.
SCHEMA_17 = (
    "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL"
    " DEFAULT '', name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER,"
    " lastAccessed INTEGER, creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER,"
    " inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0, schemeMap INTEGER"
    " DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0, updateTime INTEGER,"
    " CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes))"
)
COLUMNS_17 = (
    "id, originAttributes, name, value, host, path, expiry, lastAccessed, creationTime,"
    " isSecure, isHttpOnly, inBrowserElement, sameSite, schemeMap, isPartitionedAttributeSet,"
    " updateTime"
)
# Firefox 4-10 (cookie schema 4): baseDomain, no originAttributes/sameSite.
SCHEMA_4 = (
    "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, baseDomain TEXT, name TEXT, value TEXT,"
    " host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER,"
    " isSecure INTEGER, isHttpOnly INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path))"
)
# Firefox 3.x (cookie schema 2): no creationTime.
SCHEMA_2 = (
    "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, name TEXT, value TEXT, host TEXT,"
    " path TEXT,expiry INTEGER, lastAccessed INTEGER, isSecure INTEGER, isHttpOnly INTEGER)"
)

CONTAINER = "^userContextId=2"
PARTITION = "^partitionKey=%28https%2Cnews.example%29"
# Schema 17 rows: expiry in ms, the other times PRTime µs.
ROWS_17: list[tuple[Any, ...]] = [
    (1, "", "SID", "q1w2e3", ".example.org", "/", 1765526400000, 1733994000500000,
     1733990400123456, 1, 1, 0, 1, 2, 0, 1733994000500000),
    (2, CONTAINER, "lang", "عربي", "mail.example.net", "/inbox", 1734000000000,
     1733990460000000, 1733990460000000, 0, 0, 0, 2, 1, 0, 1733990460000000),
    (3, PARTITION, "_ga", "GA1.1.5", ".tracker.example", "/", 1767830400000,
     1733990520000000, 1733990520000000, 1, 0, 0, 0, 2, 1, 1733990520000000),
]  # fmt: skip


def _lit(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def inserts(rows: Sequence[tuple[Any, ...]], columns: str = COLUMNS_17) -> list[str]:
    return [f"INSERT INTO moz_cookies ({columns}) VALUES ({', '.join(map(_lit, r))})" for r in rows]


def make_current(folder: Path) -> Path:
    """Schema 17; the third cookie lives only in the live `-wal` file."""
    statements = ["PRAGMA user_version = 17", SCHEMA_17, *inserts(ROWS_17[:2])]
    return db_with_live_wal(folder / "cookies.sqlite", statements, wal_last=inserts(ROWS_17[2:])[0])


RUNS = (
    "SELECT f.path, r.parser, r.status, r.message, r.records, r.warnings"
    " FROM parser_runs r JOIN files f ON f.id = r.file_id ORDER BY f.path"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [FirefoxCookies()], evidence, RUNS, require_ok=True)


def test_current_profile_with_live_wal(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_current(tmp_path / "disk" / LINUX_PROFILE)
    unchanged(tmp_path / "disk")
    conn, runs = _scan(tmp_path, tmp_path / "disk")
    assert runs == [
        {
            "path": f"/{LINUX_PROFILE}/cookies.sqlite",
            "parser": "firefox_cookies",
            "status": "ok",
            "message": "",
            "records": 3,
            "warnings": 0,
        }
    ]
    cookies = list(records(conn, "web_cookie"))
    assert len(cookies) == 3  # the last one lives only in the WAL
    first = cookies[0]
    assert first == {
        "kind": "web_cookie",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{LINUX_PROFILE}/cookies.sqlite",
        "cookie_path": "/",
        "volume": None,
        "source_sha256": file_sha256(conn, "cookies.sqlite"),
        "parser": "firefox_cookies",
        "ts": "2024-12-12T08:00:00.123456Z",
        "ts_raw": 1733990400123456,
        "deleted": False,
        "browser": "firefox",
        "host": ".example.org",
        "name": "SID",
        "value": "q1w2e3",
        "expires": "2025-12-12T08:00:00Z",  # schema 17: milliseconds
        "secure": True,
        "http_only": True,
        "profile": "abcd1234.default-release",
        "last_access": "2024-12-12T09:00:00.500000Z",
        "same_site": "lax",
        "source_table": "moz_cookies",
        "source_rowid": 1,
    }
    container, partitioned = cookies[1], cookies[2]
    assert container["origin_attributes"] == CONTAINER and container["value"] == "عربي"
    assert container["same_site"] == "strict" and container["secure"] is False
    assert container["expires"] == "2024-12-12T10:40:00Z"
    assert partitioned["origin_attributes"] == PARTITION
    assert partitioned["expires"] == "2026-01-08T00:00:00Z"


def test_firefox_4_to_10_schema_with_base_domain(tmp_path: Path) -> None:
    folder = tmp_path / "C" / WINDOWS_PROFILE
    db_with_live_wal(
        folder / "cookies.sqlite",
        [
            "PRAGMA user_version = 4",
            SCHEMA_4,
            "INSERT INTO moz_cookies VALUES (1, 'example.com', 'PREF', 'ID=1a2b', '.example.com',"
            " '/', 1349536000, 1318000100000000, 1318000000000000, 0, 1)",
        ],
    )
    conn, runs = _scan(tmp_path, tmp_path / "C")
    assert [(r["status"], r["records"], r["warnings"]) for r in runs] == [("ok", 1, 0)]
    (cookie,) = records(conn, "web_cookie")
    assert cookie["expires"] == "2012-10-06T15:06:40Z"  # schema 4: seconds
    assert cookie["ts"] == "2011-10-07T15:06:40Z" and cookie["ts_raw"] == 1318000000000000
    assert cookie["last_access"] == "2011-10-07T15:08:20Z"
    assert (cookie["secure"], cookie["http_only"]) == (False, True)
    assert cookie["profile"] == "x1y2z3.default"
    assert "same_site" not in cookie and "origin_attributes" not in cookie


def test_firefox_3_without_creation_time_uses_last_access(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / LINUX_PROFILE / "cookies.sqlite",
        [
            "PRAGMA user_version = 2",
            SCHEMA_2,
            "INSERT INTO moz_cookies VALUES (1, 'SID', 'x', '.example.com', '/', 1293840000,"
            " 1262304060000000, 1, 0)",
        ],
    )
    conn, runs = _scan(tmp_path, tmp_path / "disk")
    assert [(r["status"], r["warnings"]) for r in runs] == [("ok", 0)]
    (cookie,) = records(conn, "web_cookie")
    assert cookie["ts"] == "2010-01-01T00:01:00Z" and cookie["ts_raw"] == 1262304060000000
    assert cookie["expires"] == "2011-01-01T00:00:00Z"


@pytest.mark.parametrize(("schema", "expiry"), [(15, 1733990400), (16, 1733990400000)])
def test_expiry_unit_follows_the_schema_version(tmp_path: Path, schema: int, expiry: int) -> None:
    row = (1, "", "a", "b", "x.example", "/", expiry, 1, 1, 0, 0, 0, 0, 0, 0, 1)
    db_with_live_wal(
        tmp_path / "disk" / LINUX_PROFILE / "cookies.sqlite",
        [f"PRAGMA user_version = {schema}", SCHEMA_17, *inserts([row])],
    )
    conn, _ = _scan(tmp_path, tmp_path / "disk")
    (cookie,) = records(conn, "web_cookie")
    assert cookie["expires"] == "2024-12-12T08:00:00Z"


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_current(tmp_path / "src"), tmp_path / "disk" / LINUX_PROFILE / "cookies.sqlite"
    )
    _, runs = _scan(tmp_path, tmp_path / "disk")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / LINUX_PROFILE / "cookies.sqlite",
        ["CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, name TEXT, value TEXT, host TEXT)"],
    )
    _, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "error"
    for name in ("moz_cookies.expiry", "moz_cookies.lastAccessed", "moz_cookies.isSecure"):
        assert name in run["message"]


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "disk" / LINUX_PROFILE
    make_current(folder)
    conn = sqlite3.connect(folder / "cookies.sqlite")
    conn.execute("UPDATE moz_cookies SET isSecure = 'yes' WHERE id = 2")
    conn.execute("UPDATE moz_cookies SET creationTime = -5, expiry = NULL WHERE id = 3")
    conn.execute("UPDATE moz_cookies SET value = x'd982d8a7ff' WHERE id = 1")
    conn.commit()
    conn.close()
    db, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "ok" and run["records"] == 2 and run["warnings"] == 1, run
    assert "moz_cookies row 2 skipped" in run["message"]
    first, third = records(db, "web_cookie")
    assert first["value"] == "قا\ufffd"  # a BLOB value stays readable
    assert third["ts"] is None and third["ts_raw"] == -5  # never 1970, never replaced
    assert third["expires"] is None


def test_unrelated_database_named_cookies_is_skipped(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / "some" / "app" / "cookies.sqlite",
        ["CREATE TABLE cookies (host_key TEXT, name TEXT, value TEXT)"],
    )
    _, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "skipped" and "moz_cookies" in run["message"]


def test_corpus_cookies(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/firefox/firefox_10_cookies.sqlite")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert [(r["status"], r["records"], r["warnings"]) for r in runs] == [("ok", 13, 0)]
    cookies = list(records(conn, "web_cookie"))
    assert len(cookies) == 13
    times = sorted(c["ts"] for c in cookies)
    assert times[0] == "2023-05-05T16:00:37.805438Z"  # id 1, GPS
    assert times[-1] == "2023-05-05T16:00:51.807884Z"  # id 17, ST-1tzw2b8
    # Row id 15, read by hand with sqlite3 from a copy of the file (user_version 12: expiry in
    # seconds; lastAccessed after creationTime).
    (pref,) = (c for c in cookies if c["source_rowid"] == 15)
    assert pref == {
        "kind": "web_cookie",
        "id": pref["id"],
        "evidence": 1,
        "path": "/firefox_10_cookies.sqlite",
        "cookie_path": "/",
        "volume": None,
        "source_sha256": "fc6feee4809542a2eb90ef2a33e37a169ba867ad601214cac86258d64c5a8a16",
        "parser": "firefox_cookies",
        "ts": "2023-05-05T16:00:40.561329Z",
        "ts_raw": 1683302440561329,
        "deleted": False,
        "browser": "firefox",
        "host": ".youtube.com",
        "name": "PREF",
        "value": "f6=40000000&tz=UTC",
        "expires": "2025-05-04T16:00:48Z",
        "secure": True,
        "http_only": False,
        "profile": None,  # a loose file: no profile folder
        "last_access": "2023-05-05T16:00:48.981164Z",
        "same_site": "lax",
        "source_table": "moz_cookies",
        "source_rowid": 15,
    }
    assert [c["source_rowid"] for c in cookies] == [1, 2, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 17]
