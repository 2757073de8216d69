"""Chromium Cookies parser: generated stores with the real schemas, bad input, the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import RUNS_SQL, dispatched, file_sha256, scan_with, truncated_copy

from parsers.chromium_cookies import ChromiumCookies
from triage_app.core.export import records

META = "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)"
# Cookie store version 24 (current): net/extras/sqlite/sqlite_persistent_cookie_store.cc,
# CreateV24Schema.
V24_SCHEMA = (
    META,
    "CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,"
    "top_frame_site_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,"
    "encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,"
    "is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,"
    "has_expires INTEGER NOT NULL,is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,"
    "samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,source_port INTEGER NOT NULL,"
    "last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,"
    "has_cross_site_ancestor INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key,"
    " has_cross_site_ancestor, name, path, source_scheme, source_port)",
)
# Version 10 (Chrome 66-72), as in plaso's `Cookies-68.0.3440.106`.
V10_SCHEMA = (
    META,
    "CREATE TABLE cookies (creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,"
    "name TEXT NOT NULL,value TEXT NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,"
    "is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,"
    " has_expires INTEGER NOT NULL DEFAULT 1, is_persistent INTEGER NOT NULL DEFAULT 1,"
    "priority INTEGER NOT NULL DEFAULT 1,encrypted_value BLOB DEFAULT '',"
    "firstpartyonly INTEGER NOT NULL DEFAULT 0,UNIQUE (host_key, name, path))",
)
# Version 3 (2009): no has_expires/persistent yet; macOS/Linux times were 1970-based.
V3_SCHEMA = (
    META,
    "CREATE TABLE cookies (creation_utc INTEGER NOT NULL UNIQUE PRIMARY KEY,"
    "host_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,path TEXT NOT NULL,"
    "expires_utc INTEGER NOT NULL,secure INTEGER NOT NULL,httponly INTEGER NOT NULL,"
    "last_access_utc INTEGER NOT NULL)",
)
PROFILE = "Users/amal/AppData/Local/Google/Chrome/User Data/Profile 1"
ANDROID = "data/data/com.android.chrome/app_chrome/Default"
# WebKit µs; fractions exact in binary so the expected strings do not depend on arithmetic.
T1, T2, T3 = 13354882013125000, 13354882073500000, 13354882138750000
T_EXP = T1 + 400 * 86_400_000_000
SECRET = b"v10" + bytes(range(12)) + b"\x8f\x00\xffciphertext"
# Column values a cookie row takes unless it says otherwise (a secure HTTPS cookie).
V24_DEFAULTS: dict[str, Any] = {
    "top_frame_site_key": "",
    "encrypted_value": b"",
    "path": "/",
    "expires_utc": T_EXP,
    "is_secure": 1,
    "is_httponly": 0,
    "has_expires": 1,
    "is_persistent": 1,
    "priority": 1,
    "samesite": -1,
    "source_scheme": 2,
    "source_port": 443,
    "last_update_utc": 0,
    "source_type": 1,
    "has_cross_site_ancestor": 0,
}
V24_ROWS: list[dict[str, Any]] = [
    # Encrypted: value empty, encrypted_value set (os_crypt v10).
    {
        "creation_utc": T1,
        "host_key": ".example.com",
        "name": "SID",
        "value": "",
        "encrypted_value": SECRET,
        "is_httponly": 1,
        "last_access_utc": T2,
        "last_update_utc": T3,
    },
    # A partitioned (CHIPS) cookie with a plain value.
    {
        "creation_utc": T2,
        "host_key": "embed.example.net",
        "top_frame_site_key": "https://news.example.org",
        "name": "__Host-p",
        "value": "ok",
        "last_access_utc": T2,
        "samesite": 0,
        "has_cross_site_ancestor": 1,
    },
    # A session cookie over HTTP: no expiry, never updated.
    {
        "creation_utc": T3,
        "host_key": "shop.example.com",
        "name": "lang",
        "value": "ar",
        "path": "/cart",
        "expires_utc": 0,
        "is_secure": 0,
        "last_access_utc": T3,
        "has_expires": 0,
        "is_persistent": 0,
        "source_scheme": 1,
        "source_port": 80,
    },
]


def _create(db: Path, schema: Iterable[str], version: int) -> sqlite3.Connection:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    for statement in schema:
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("mmap_status", "-1"), ("version", str(version)), ("last_compatible_version", "1")],
    )
    return conn


def make_v24(db: Path) -> Path:
    conn = _create(db, V24_SCHEMA, 24)
    for values in V24_ROWS:
        row = {**V24_DEFAULTS, **values}
        names = ", ".join(row)
        conn.execute(
            f"INSERT INTO cookies ({names}) VALUES ({', '.join('?' * len(row))})", [*row.values()]
        )
    conn.commit()
    conn.close()
    return db


def make_v10(db: Path) -> Path:
    conn = _create(db, V10_SCHEMA, 10)
    conn.execute(
        "INSERT INTO cookies VALUES (?, '.google.com', 'NID', '', '/', ?, 1, 1, ?, 1, 1, 1, ?, 0)",
        (T1, T_EXP, T2, SECRET),
    )
    conn.execute(
        "INSERT INTO cookies VALUES (?, 'm.example.com', 'pref', 'dark', '/', 0, 0, 0, ?, 0, 0, 1,"
        " '', 0)",
        (T2, T2),
    )
    conn.commit()
    conn.close()
    return db


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [ChromiumCookies()], evidence, RUNS, require_ok=True)


def _ok(count: int) -> dict[str, Any]:
    return {
        "parser": "chromium_cookies",
        "status": "ok",
        "message": "",
        "records": count,
        "warnings": 0,
    }


def test_current_schema_in_network_folder(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "disk"
    make_v24(root / PROFILE / "Network" / "Cookies")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [_ok(3)]
    cookies = list(records(conn, "web_cookie"))
    assert cookies[0] == {
        "kind": "web_cookie",
        "id": cookies[0]["id"],
        "evidence": 1,
        "path": f"/{PROFILE}/Network/Cookies",
        "volume": None,
        "source_sha256": file_sha256(conn, "Cookies"),
        "parser": "chromium_cookies",
        "ts": "2024-03-14T09:26:53.125000Z",
        "ts_raw": T1,
        "deleted": False,
        "browser": "chrome",
        "host": ".example.com",
        "name": "SID",
        "value": None,  # stored encrypted; not decrypted
        "cookie_path": "/",
        "expires": "2025-04-18T09:26:53.125000Z",
        "secure": True,
        "http_only": True,
        "encrypted": True,
        "profile": "Profile 1",  # the folder above Network/
        "last_access": "2024-03-14T09:27:53.500000Z",
        "last_update": "2024-03-14T09:28:58.750000Z",
        "source_table": "cookies",
        "source_rowid": 1,
    }
    partitioned = cookies[1]
    assert partitioned["top_frame_site_key"] == "https://news.example.org"
    assert (partitioned["value"], partitioned["encrypted"]) == ("ok", False)
    assert "last_update" not in partitioned  # 0 = never updated
    session = cookies[2]
    assert session["expires"] is None and session["secure"] is False
    assert session["cookie_path"] == "/cart" and "top_frame_site_key" not in session


def test_chrome_68_schema_on_android(tmp_path: Path) -> None:
    make_v10(tmp_path / "phone" / ANDROID / "Cookies")
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs == [_ok(2)]
    encrypted, plain = records(conn, "web_cookie")
    assert (encrypted["browser"], encrypted["profile"], encrypted["package"]) == (
        "chrome",
        "Default",
        "com.android.chrome",
    )
    assert (encrypted["value"], encrypted["encrypted"]) == (None, True)
    assert (plain["value"], plain["encrypted"], plain["expires"]) == ("dark", False, None)
    assert plain["ts"] == plain["last_access"] == "2024-03-14T09:27:53.500000Z"


def test_version_3_linux_times_are_unix_microseconds(tmp_path: Path) -> None:
    db = tmp_path / "home" / "u" / ".config" / "google-chrome" / "Default" / "Cookies"
    conn = _create(db, V3_SCHEMA, 3)
    # 2009-08-01T12:00:00.5Z as µs since 1970, expiring a year later.
    conn.execute(
        "INSERT INTO cookies VALUES (1249128000500000, '.example.com', 'id', 'x', '/',"
        " 1280664000000000, 0, 1, 1249128000500000)"
    )
    conn.commit()
    conn.close()
    db_conn, runs = _scan(tmp_path, tmp_path / "home")
    assert runs == [_ok(1)]
    (cookie,) = records(db_conn, "web_cookie")
    assert cookie["ts"] == "2009-08-01T12:00:00.500000Z"
    assert cookie["expires"] == "2010-08-01T12:00:00Z"
    assert (cookie["secure"], cookie["http_only"], cookie["encrypted"]) == (False, True, False)


def test_classic_webview_chromium_stores(tmp_path: Path) -> None:
    folder = tmp_path / "phone" / "data" / "data" / "com.android.browser" / "databases"
    make_v10(folder / "webviewCookiesChromium.db")
    make_v10(folder / "webviewCookiesChromiumPrivate.db")
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs == [_ok(2), _ok(2)]
    cookies = list(records(conn, "web_cookie"))
    assert {(c["browser"], c.get("profile"), c["package"]) for c in cookies} == {
        ("android_webview", None, "com.android.browser")
    }
    assert [c.get("incognito") for c in cookies] == [None, None, True, True]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(make_v24(tmp_path / "src" / "Cookies"), tmp_path / "p" / PROFILE / "Cookies")
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error" and run["message"], run


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / PROFILE / "Cookies", [META], 24)
    conn.execute("CREATE TABLE cookies (creation_utc INTEGER, name TEXT, value TEXT, path TEXT)")
    conn.execute("INSERT INTO cookies VALUES (1, 'a', 'b', '/')")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error"
    assert "cookies.expires_utc" in run["message"] and "cookies.host_key" in run["message"]


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db_path = make_v24(tmp_path / "p" / PROFILE / "Cookies")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE cookies SET is_secure = 'garbage' WHERE rowid = 2")
    conn.execute("UPDATE cookies SET creation_utc = -5, name = x'd982d8a7ff' WHERE rowid = 3")
    conn.commit()
    conn.close()
    db, (run,) = _scan(tmp_path, tmp_path / "p")
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 2, 1)
    assert "cookies row 2 skipped" in run["message"]
    _, third = records(db, "web_cookie")
    assert third["source_rowid"] == 3
    assert third["ts"] is None and third["ts_raw"] == -5  # never 1970
    assert third["name"] == "قا\ufffd"  # a BLOB name stays readable


def test_unrelated_cookies_database_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "p" / "data" / "data" / "com.example" / "databases" / "cookies.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE cookies (id INTEGER PRIMARY KEY, url TEXT, cookie TEXT)")
    conn.execute("INSERT INTO cookies VALUES (1, 'https://x.example/', 'a=b')")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "skipped" and "meta" in run["message"]


@pytest.mark.parametrize(
    ("path", "chosen"),
    [
        (f"/{PROFILE}/Network/Cookies", True),
        (f"/{PROFILE}/Cookies", True),
        (f"/{PROFILE}/Extension Cookies", True),
        (f"/{ANDROID}/Cookies", True),
        ("/data/data/com.example/app_webview/Default/Cookies", True),
        ("/data/data/com.example/databases/webviewCookiesChromium.db", True),
        ("/Cookies-68.0.3440.106", True),
        ("/cookies.db", True),
        # Firefox and Safari stores belong to other parsers.
        ("/Users/a/AppData/Roaming/Mozilla/Firefox/Profiles/x.default/cookies.sqlite", False),
        ("/Users/a/AppData/Roaming/Mozilla/Firefox/Profiles/x.default/cookies.sqlite-wal", False),
        ("/Users/a/Library/Cookies/Cookies.binarycookies", False),
        (f"/{PROFILE}/Network/Cookies-journal", True),  # a glob match; the signature decides
    ],
)
def test_path_globs(path: str, chosen: bool) -> None:
    assert dispatched(ChromiumCookies(), path) is chosen


def test_corpus_old_cookies_db(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/chrome/cookies.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [_ok(560)]
    cookies = list(records(conn, "web_cookie"))
    assert len(cookies) == 560
    assert not any(c["encrypted"] for c in cookies)  # version 5: no encrypted_value yet
    assert sum(1 for c in cookies if c["value"] == "") == 6
    assert [c["name"] for c in cookies if c["secure"]] == ["token"]  # sqlite3: WHERE secure = 1
    assert sum(1 for c in cookies if c["http_only"]) == 13
    times = sorted(c["ts"] for c in cookies)
    assert (times[0], times[-1]) == ("2011-08-15T14:19:42.318795Z", "2012-04-06T13:55:38.574445Z")
    first = cookies[0]  # rowid order = creation_utc, the old primary key
    assert (first["host"], first["name"], first["cookie_path"]) == (
        ".tools.google.com",
        "__utma",
        "/chrome/intl/en/",
    )
    assert first["value"] == "21104190.1037945573.1313417982.1313417982.1313417982.1"
    assert first["expires"] == "2013-08-14T14:19:42Z"


def test_corpus_chrome_68(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/chrome/Cookies-68.0.3440.106")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [_ok(5)]
    cookies = list(records(conn, "web_cookie"))
    # Checked by hand with sqlite3 on a copy: rowid 1841, value '', encrypted_value 'v11'...
    assert cookies[0] == {
        "kind": "web_cookie",
        "id": cookies[0]["id"],
        "evidence": 1,
        "path": "/Cookies-68.0.3440.106",
        "volume": None,
        "source_sha256": file_sha256(conn, "Cookies-68.0.3440.106"),
        "parser": "chromium_cookies",
        "ts": "2018-08-14T15:03:43.650324Z",
        "ts_raw": 13178732623650324,
        "deleted": False,
        "browser": "chromium",
        "host": ".google.com",
        "name": "__utma",
        "value": None,
        "cookie_path": "/gmail/about/",
        "expires": "2020-08-13T15:03:45Z",
        "secure": False,
        "http_only": False,
        "encrypted": True,
        "last_access": "2018-08-14T15:03:45.489599Z",
        "source_table": "cookies",
        "source_rowid": 1841,
    }
    assert all(c["encrypted"] and c["value"] is None for c in cookies)
    assert [c["host"] for c in cookies] == [
        ".google.com",
        ".twitter.com",
        "projects.fivethirtyeight.com",
        ".fbi.gov",
        ".twitter.com",
    ]
    # expires_utc 265034982388000000 is in the year 9999: out of range, never a date.
    assert cookies[2]["expires"] is None
    assert [c["name"] for c in cookies if c["http_only"]] == ["__cfduid"]
