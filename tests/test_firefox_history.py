"""Firefox places.sqlite / downloads.sqlite parser: generated fixtures with the real schemas
(Firefox 115+ nsPlacesTables.h, Firefox <= 23, Firefox 3.5-25 downloads.sqlite, Fenix
application-services), bad input, and the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from casehelpers import db_with_live_wal, file_sha256, scan_with, truncated_copy

from parsers.firefox_history import FirefoxHistory, file_uri_to_path
from triage_app.core.export import records

LINUX_PROFILE = "home/amal/.mozilla/firefox/abcd1234.default-release"
WINDOWS_PROFILE = "Users/amal/AppData/Roaming/Mozilla/Firefox/Profiles/x1y2z3.default"
FENIX_FILES = "data/data/org.mozilla.firefox/files"

# Firefox 115+ (toolkit/components/places/nsPlacesTables.h), tables this parser touches.
MODERN_SCHEMA = [
    "CREATE TABLE moz_origins ( id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT NULL,"
    " frecency INTEGER NOT NULL, recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER,"
    " recalc_alt_frecency INTEGER NOT NULL DEFAULT 0, UNIQUE (prefix, host) )",
    "CREATE TABLE moz_places (   id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,"
    " rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,"
    " typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,"
    " last_visit_date INTEGER , guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL,"
    " url_hash INTEGER DEFAULT 0 NOT NULL , description TEXT, preview_image_url TEXT,"
    " site_name TEXT, origin_id INTEGER REFERENCES moz_origins(id),"
    " recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER,"
    " recalc_alt_frecency INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE moz_historyvisits (  id INTEGER PRIMARY KEY, from_visit INTEGER,"
    " place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER,"
    " source INTEGER DEFAULT 0 NOT NULL, triggeringPlaceId INTEGER)",
    "CREATE TABLE moz_annos (  id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL,"
    " anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0,"
    " expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0,"
    " lastModified INTEGER DEFAULT 0)",
    "CREATE TABLE moz_anno_attributes (  id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL)",
]
# Firefox <= 23 (the layout of plaso's firefox/places.sqlite).
OLD_SCHEMA = [
    "CREATE TABLE moz_places (   id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,"
    " rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,"
    " typed INTEGER DEFAULT 0 NOT NULL, favicon_id INTEGER, frecency INTEGER DEFAULT -1 NOT NULL,"
    " last_visit_date INTEGER )",
    "CREATE TABLE moz_historyvisits (  id INTEGER PRIMARY KEY, from_visit INTEGER,"
    " place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER)",
    "CREATE TABLE moz_annos (  id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL,"
    " anno_attribute_id INTEGER, mime_type VARCHAR(32) DEFAULT NULL, content LONGVARCHAR,"
    " flags INTEGER DEFAULT 0, expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0,"
    " dateAdded INTEGER DEFAULT 0, lastModified INTEGER DEFAULT 0)",
    "CREATE TABLE moz_anno_attributes (  id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL)",
]
# Firefox 3.5-25 downloads.sqlite.
DOWNLOADS_SCHEMA = (
    "CREATE TABLE moz_downloads (id INTEGER PRIMARY KEY, name TEXT, source TEXT, target TEXT,"
    " tempPath TEXT, startTime INTEGER, endTime INTEGER, state INTEGER, referrer TEXT,"
    " entityID TEXT, currBytes INTEGER NOT NULL DEFAULT 0, maxBytes INTEGER NOT NULL DEFAULT -1,"
    " mimeType TEXT, preferredApplication TEXT, preferredAction INTEGER NOT NULL DEFAULT 0,"
    " autoResume INTEGER NOT NULL DEFAULT 0)"
)
# Fenix: mozilla/application-services components/places/sql/create_shared_schema.sql.
FENIX_SCHEMA = [
    "CREATE TABLE moz_places ( id INTEGER PRIMARY KEY, url LONGVARCHAR NOT NULL,"
    " title LONGVARCHAR, visit_count_local INTEGER NOT NULL DEFAULT 0,"
    " visit_count_remote INTEGER NOT NULL DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,"
    " typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,"
    " last_visit_date_local INTEGER NOT NULL DEFAULT 0,"
    " last_visit_date_remote INTEGER NOT NULL DEFAULT 0, guid TEXT NOT NULL UNIQUE,"
    " foreign_count INTEGER DEFAULT 0 NOT NULL, url_hash INTEGER DEFAULT 0 NOT NULL,"
    " description TEXT, preview_image_url TEXT, origin_id INTEGER,"
    " sync_status TINYINT NOT NULL DEFAULT 1, sync_change_counter INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE moz_historyvisits ( id INTEGER PRIMARY KEY, is_local INTEGER NOT NULL,"
    " from_visit INTEGER, place_id INTEGER NOT NULL, visit_date INTEGER NOT NULL,"
    " visit_type INTEGER NOT NULL)",
]

PLACES = [
    (1, "https://example.org/route?q=Zuwara", "Itinéraire — Zuwara", 2),
    (2, "https://dl.example.org/files/manifest%20list.pdf", "manifest list.pdf", 1),
]
# (id, from_visit, place_id, visit_date µs, visit_type)
VISITS = [
    (1, 0, 1, 1700000000123456, 2),
    (2, 1, 1, 1700000060000000, 1),
    (3, 2, 2, 1700000120000000, 7),
]
TARGET_URI = "file:///home/amal/T%C3%A9l%C3%A9chargements/manifest%20list.pdf"
METADATA = '{"state":1,"endTime":1700000125000,"fileSize":48213}'


def _values(table: str, rows: Sequence[tuple[Any, ...]], columns: str) -> list[str]:
    def lit(v: Any) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return str(v)

    return [f"INSERT INTO {table} ({columns}) VALUES ({', '.join(map(lit, r))})" for r in rows]


def make_modern_places(folder: Path, visit_types: Sequence[Any] = (2, 1, 7)) -> Path:
    visits = [(*v[:4], t, 0) for v, t in zip(VISITS, visit_types, strict=True)]
    statements = [
        *MODERN_SCHEMA,
        "INSERT INTO moz_origins (id, prefix, host, frecency) VALUES (1, 'https://', "
        "'example.org', 200), (2, 'https://', 'dl.example.org', 100)",
        *_values(
            "moz_places", [(*p, p[0]) for p in PLACES], "id, url, title, visit_count, origin_id"
        ),
        *_values(
            "moz_historyvisits",
            visits[:2],
            "id, from_visit, place_id, visit_date, visit_type, source",
        ),
        "INSERT INTO moz_anno_attributes VALUES (1, 'downloads/destinationFileURI'),"
        " (2, 'downloads/metaData')",
        *_values(
            "moz_annos",
            [
                (1, 2, 1, TARGET_URI, 0, 4, 3, 1700000120500000, 1700000120500000),
                (2, 2, 2, METADATA, 0, 4, 3, 1700000125000000, 1700000125000000),
            ],
            "id, place_id, anno_attribute_id, content, flags, expiration, type, dateAdded,"
            " lastModified",
        ),
    ]
    wal = _values(
        "moz_historyvisits", visits[2:], "id, from_visit, place_id, visit_date, visit_type, source"
    )[0]
    return db_with_live_wal(folder / "places.sqlite", statements, wal_last=wal)


RUNS = (
    "SELECT f.path, r.parser, r.status, r.message, r.records, r.warnings"
    " FROM parser_runs r JOIN files f ON f.id = r.file_id ORDER BY f.path"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [FirefoxHistory()], evidence, RUNS, require_ok=True)


def test_modern_profile_with_live_wal(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_modern_places(tmp_path / "disk" / LINUX_PROFILE)
    unchanged(tmp_path / "disk")
    conn, runs = _scan(tmp_path, tmp_path / "disk")
    assert runs == [
        {
            "path": f"/{LINUX_PROFILE}/places.sqlite",
            "parser": "firefox_history",
            "status": "ok",
            "message": "",
            "records": 4,
            "warnings": 0,
        }
    ]
    visits = list(records(conn, "web_visit"))
    assert len(visits) == 3  # the last visit lives only in the WAL
    first = visits[0]
    assert first == {
        "kind": "web_visit",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{LINUX_PROFILE}/places.sqlite",
        "volume": None,
        "source_sha256": file_sha256(conn, "places.sqlite"),
        "parser": "firefox_history",
        "ts": "2023-11-14T22:13:20.123456Z",
        "ts_raw": 1700000000123456,
        "deleted": False,
        "browser": "firefox",
        "profile": "abcd1234.default-release",
        "url": "https://example.org/route?q=Zuwara",
        "title": "Itinéraire — Zuwara",
        "visit_count": 2,
        "visit_type": "typed",
        "source_table": "moz_historyvisits",
        "source_rowid": 1,
    }
    assert visits[1]["from_visit"] == 1 and visits[1]["visit_type"] == "link"
    assert visits[2]["visit_type"] == "download"
    downloads = list(records(conn, "web_download"))
    assert downloads == [
        {
            "kind": "web_download",
            "id": downloads[0]["id"],
            "evidence": 1,
            "path": f"/{LINUX_PROFILE}/places.sqlite",
            "volume": None,
            "source_sha256": file_sha256(conn, "places.sqlite"),
            "parser": "firefox_history",
            "ts": "2023-11-14T22:15:20.500000Z",
            "ts_raw": 1700000120500000,
            "deleted": False,
            "browser": "firefox",
            "url": "https://dl.example.org/files/manifest%20list.pdf",
            "target_path": "/home/amal/Téléchargements/manifest list.pdf",
            "size": 48213,
            "state": "finished",
            "end_ts": "2023-11-14T22:15:25Z",
            "profile": "abcd1234.default-release",
            "source_table": "moz_annos",
            "source_rowid": 1,
        }
    ]


def _old_profile(folder: Path) -> None:
    db_with_live_wal(
        folder / "places.sqlite",
        [
            *OLD_SCHEMA,
            "INSERT INTO moz_places (id, url, title, rev_host, visit_count, typed, frecency,"
            " last_visit_date) VALUES (1, 'http://news.example/', 'News', 'elpmaxe.swen.', 1, 1,"
            " 2000, 1309518981371935)",
            "INSERT INTO moz_historyvisits VALUES (1, 0, 1, 1309518981371935, 2, 2)",
            "INSERT INTO moz_anno_attributes VALUES (1, 'Places/SmartBookmark')",
        ],
    )
    db_with_live_wal(
        folder / "downloads.sqlite",
        [
            DOWNLOADS_SCHEMA,
            "INSERT INTO moz_downloads (id, name, source, target, startTime, endTime, state,"
            " referrer, currBytes, maxBytes, mimeType) VALUES (1, 'app setup.exe',"
            " 'https://dl.example/app%20setup.exe', 'file:///C:/Users/amal/Downloads/app%20setup.exe',"
            " 1374173999312000, 1374174078578000, 1, 'https://example/page', 1000, 1000,"
            " 'application/x-msdownload')",
            "INSERT INTO moz_downloads (id, name, source, target, startTime, endTime, state,"
            " currBytes, maxBytes) VALUES (2, 'big.iso', 'https://dl.example/big.iso',"
            " 'file:///C:/Users/amal/Downloads/big.iso', 1374175000000000, 0, 3, 4096, -1)",
        ],
    )


def test_old_windows_profile_with_downloads_sqlite(
    tmp_path: Path, unchanged: Callable[..., None]
) -> None:
    _old_profile(tmp_path / "C" / WINDOWS_PROFILE)
    unchanged(tmp_path / "C")
    conn, runs = _scan(tmp_path, tmp_path / "C")
    assert [
        (r["path"].rsplit("/", 1)[1], r["status"], r["records"], r["warnings"]) for r in runs
    ] == [
        ("downloads.sqlite", "ok", 2, 0),
        ("places.sqlite", "ok", 1, 0),
    ]
    (visit,) = records(conn, "web_visit")
    assert visit["profile"] == "x1y2z3.default" and visit["ts"] == "2011-07-01T11:16:21.371935Z"
    done, canceled = records(conn, "web_download")
    assert done == {
        "kind": "web_download",
        "id": done["id"],
        "evidence": 1,
        "path": f"/{WINDOWS_PROFILE}/downloads.sqlite",
        "volume": None,
        "source_sha256": file_sha256(conn, "downloads.sqlite"),
        "parser": "firefox_history",
        "ts": "2013-07-18T18:59:59.312000Z",
        "ts_raw": 1374173999312000,
        "deleted": False,
        "browser": "firefox",
        "url": "https://dl.example/app%20setup.exe",
        "target_path": "C:\\Users\\amal\\Downloads\\app setup.exe",
        "size": 1000,
        "state": "finished",
        "end_ts": "2013-07-18T19:01:18.578000Z",
        "received_bytes": 1000,
        "mime_type": "application/x-msdownload",
        "referrer": "https://example/page",
        "profile": "x1y2z3.default",
        "source_table": "moz_downloads",
        "source_rowid": 1,
    }
    # No total length from the server: the size is what reached the disk; endTime 0 = not set.
    assert canceled["size"] == 4096 and canceled["state"] == "canceled"
    assert "end_ts" not in canceled


def test_fenix_places_in_milliseconds(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "phone" / FENIX_FILES / "places.sqlite",
        [
            *FENIX_SCHEMA,
            "INSERT INTO moz_places (id, url, title, visit_count_local, visit_count_remote, guid)"
            " VALUES (1, 'https://example.org/', 'Example', 1, 2, 'aaaaaaaaaaaa')",
            "INSERT INTO moz_historyvisits VALUES (1, 1, NULL, 1, 1700000000123, 1)",
            "INSERT INTO moz_historyvisits VALUES (2, 0, NULL, 1, 1699990000000, 2)",
        ],
    )
    conn, _ = _scan(tmp_path, tmp_path / "phone")
    local, synced = records(conn, "web_visit")
    assert local["ts"] == "2023-11-14T22:13:20.123000Z" and local["ts_raw"] == 1700000000123
    assert local["visit_count"] == 3 and local["profile"] is None and local["is_local"] is True
    assert synced["is_local"] is False and synced["visit_type"] == "typed"


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_modern_places(tmp_path / "src"), tmp_path / "disk" / LINUX_PROFILE / "places.sqlite"
    )
    _, runs = _scan(tmp_path, tmp_path / "disk")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db_with_live_wal(
        tmp_path / "disk" / LINUX_PROFILE / "places.sqlite",
        [
            "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR)",
            "CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, place_id INTEGER)",
        ],
    )
    _, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "error"
    for name in ("moz_places.title", "moz_places.visit_count", "moz_historyvisits.visit_date"):
        assert name in run["message"]


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "disk" / LINUX_PROFILE
    make_modern_places(folder, visit_types=(2, "garbage", 7))
    conn = sqlite3.connect(folder / "places.sqlite")
    # An unreadable metaData annotation: the download is kept without size/state, and warned.
    conn.execute("UPDATE moz_annos SET content = '{not json' WHERE id = 2")
    conn.execute("INSERT INTO moz_historyvisits VALUES (4, 0, 1, -5, 1, 0, 0, NULL)")
    conn.commit()
    conn.close()
    db, (run,) = _scan(tmp_path, tmp_path / "disk")
    assert run["status"] == "ok" and run["records"] == 4 and run["warnings"] == 2, run
    assert "moz_historyvisits row 2" in run["message"] and "moz_annos row 1" in run["message"]
    visits = list(records(db, "web_visit"))
    assert [v["source_rowid"] for v in visits] == [1, 3, 4]
    assert visits[2]["ts"] is None and visits[2]["ts_raw"] == -5  # never 1970
    (download,) = records(db, "web_download")
    assert download["size"] is None and "state" not in download
    assert download["target_path"] == "/home/amal/Téléchargements/manifest list.pdf"


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "disk" / "some" / "app"
    db_with_live_wal(folder / "places.sqlite", ["CREATE TABLE places (id INTEGER, name TEXT)"])
    db_with_live_wal(folder / "downloads.sqlite", ["CREATE TABLE downloads (id INTEGER, url TEXT)"])
    _, runs = _scan(tmp_path, tmp_path / "disk")
    assert [r["status"] for r in runs] == ["skipped", "skipped"]
    assert "moz_places" in runs[0]["message"]


def test_empty_places_is_no_data(tmp_path: Path) -> None:
    db_with_live_wal(tmp_path / "disk" / LINUX_PROFILE / "places.sqlite", MODERN_SCHEMA)
    _, runs = _scan(tmp_path, tmp_path / "disk")
    assert runs[0]["status"] == "no_data"


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        (
            "file:///D:/plaso-static-1.0.1-win32-vs2008.zip",
            "D:\\plaso-static-1.0.1-win32-vs2008.zip",
        ),
        ("file:///home/u/%D9%85%D9%84%D9%81.pdf", "/home/u/ملف.pdf"),
        ("file://server/share/a%20b.txt", "\\\\server\\share\\a b.txt"),
        ("file://localhost/Users/u/x.dmg", "/Users/u/x.dmg"),
        ("C:\\plain\\path.exe", "C:\\plain\\path.exe"),
        (None, None),
    ],
)
def test_file_uri_to_path(uri: str | None, path: str | None) -> None:
    assert file_uri_to_path(uri) == path


def test_corpus_places_before_firefox_24(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/firefox/places.sqlite")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert [(r["status"], r["warnings"]) for r in runs] == [("ok", 0)]
    (visit,) = records(conn, "web_visit")
    assert visit["ts"] == "2011-07-01T11:16:21.371935Z"
    assert visit["ts_raw"] == 1309518981371935
    assert visit["url"] == "http://news.google.com/" and visit["title"] == "Google News"
    assert visit["visit_count"] == 1 and visit["visit_type"] == "typed"
    assert visit["profile"] is None  # a loose file: no profile folder
    assert list(records(conn, "web_download")) == []


def test_corpus_downloads_sqlite(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/firefox/downloads.sqlite")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert [(r["status"], r["warnings"]) for r in runs] == [("ok", 0)]
    (download,) = records(conn, "web_download")
    assert download["url"] == (
        "https://plaso.googlecode.com/files/plaso-static-1.0.1-win32-vs2008.zip"
    )
    assert download["target_path"] == "D:\\plaso-static-1.0.1-win32-vs2008.zip"
    assert download["ts"] == "2013-07-18T18:59:59.312000Z"
    assert download["end_ts"] == "2013-07-18T19:01:18.578000Z"
    assert download["size"] == 15974599 and download["state"] == "finished"
    assert download["mime_type"] == "application/zip"
    assert list(records(conn, "web_visit")) == []
