"""Legacy Android WebView parser: generated databases with the real schema, bad input, corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import RUNS_SQL, dispatched, file_sha256, scan_with, truncated_copy

from parsers.android_webview import AndroidWebview, http_date
from triage_app.core.export import records
from triage_app.core.timeconv import iso

# As created by AOSP WebViewDatabase (database version 10, Android 2.x-4.3); the same tables
# as plaso's `android/webview.db`.
WEBVIEW_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE cookies (_id INTEGER PRIMARY KEY, name TEXT, value TEXT, domain TEXT,"
    " path TEXT, expires INTEGER, secure INTEGER)",
    "CREATE INDEX cookiesIndex ON cookies (path)",
    "CREATE TABLE formurl (_id INTEGER PRIMARY KEY, url TEXT)",
    "CREATE TABLE formdata (_id INTEGER PRIMARY KEY, urlid INTEGER, name TEXT, value TEXT,"
    " UNIQUE (urlid, name, value) ON CONFLICT IGNORE)",
    "CREATE TABLE httpauth (_id INTEGER PRIMARY KEY, host TEXT, realm TEXT, username TEXT,"
    " password TEXT, UNIQUE (host, realm) ON CONFLICT REPLACE)",
    "CREATE TABLE password (_id INTEGER PRIMARY KEY, host TEXT, username TEXT, password TEXT,"
    " UNIQUE (host, username) ON CONFLICT REPLACE)",
    "PRAGMA user_version = 10",
)
# webviewCache.db (CacheManager, database version 3).
CACHE_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE cache (_id INTEGER PRIMARY KEY, url TEXT, filepath TEXT, lastmodify TEXT,"
    " etag TEXT, expires INTEGER, expiresstring TEXT, mimetype TEXT, encoding TEXT,"
    "httpstatus INTEGER, location TEXT, contentlength INTEGER, contentdisposition TEXT,"
    "  UNIQUE (url) ON CONFLICT REPLACE)",
    "CREATE INDEX cacheUrlIndex ON cache (url)",
    "PRAGMA user_version = 3",
)
DB_DIR = "data/data/com.example.shop/databases"
LOGIN = "https://login.example.com/signin?next=%2Fcart"
# (_id, name, value, domain, path, expires ms, secure)
COOKIES = [
    (1, "sid", "a1b2c3d4", ".example.com", "/", 1710408413125, 1),
    (2, "lang", "ar", "shop.example.com", "/cart", None, 0),  # session cookie
    (3, "tz", "<script>alert(1)</script>", ".example.com", "/", 0, 0),
]
FORMS = [(1, 1, "email", "محمد@example.com"), (2, 1, "phone", "+218912345678")]
# (_id, url, filepath, lastmodify, etag, expires ms, expiresstring, mimetype, encoding,
#  httpstatus, location, contentlength, contentdisposition)
CACHE = [
    (
        1,
        "https://cdn.example.com/logo.png",
        "1a2b3c4d",
        "Wed, 13 Mar 2024 08:00:00 GMT",
        '"abc"',
        1710500000000,
        "Fri, 15 Mar 2024 10:53:20 GMT",
        "image/png",
        "",
        200,
        None,
        5120,
        None,
    ),
    (2, "http://example.com/old", "", None, None, 0, None, "text/html", "", 302, "/new", 0, None),
]


def _create(db: Path, schema: Iterable[str]) -> sqlite3.Connection:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    for statement in schema:
        conn.execute(statement)
    return conn


def make_webview(db: Path) -> Path:
    conn = _create(db, WEBVIEW_SCHEMA)
    conn.execute("INSERT INTO android_metadata VALUES ('en_US')")
    conn.executemany("INSERT INTO cookies VALUES (?,?,?,?,?,?,?)", COOKIES)
    conn.execute("INSERT INTO formurl VALUES (1, ?)", (LOGIN,))
    conn.executemany("INSERT INTO formdata VALUES (?,?,?,?)", FORMS)
    conn.execute("INSERT INTO password VALUES (1, 'login.example.com', 'user', 'secret')")
    conn.commit()
    conn.close()
    return db


def make_cache(db: Path) -> Path:
    conn = _create(db, CACHE_SCHEMA)
    conn.executemany("INSERT INTO cache VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", CACHE)
    conn.commit()
    conn.close()
    return db


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [AndroidWebview()], evidence, RUNS, require_ok=True)


def _ok(records_count: int) -> dict[str, Any]:
    return {
        "parser": "android_webview",
        "status": "ok",
        "message": "",
        "records": records_count,
        "warnings": 0,
    }


def test_generated_webview_and_cache(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_webview(root / DB_DIR / "webview.db")
    make_cache(root / DB_DIR / "webviewCache.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [_ok(5), _ok(2)]
    common = {
        "evidence": 1,
        "path": f"/{DB_DIR}/webview.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "webview.db"),
        "parser": "android_webview",
        "deleted": False,
    }
    cookies = list(records(conn, "web_cookie"))
    assert len(cookies) == 3
    assert cookies[0] == {
        "kind": "web_cookie",
        "id": cookies[0]["id"],
        **common,
        "ts": None,  # the classic cookie store keeps no creation or access time
        "ts_raw": None,
        "browser": "android_webview",
        "host": ".example.com",
        "name": "sid",
        "value": "a1b2c3d4",
        "cookie_path": "/",
        "expires": "2024-03-14T09:26:53.125000Z",
        "secure": True,
        "http_only": None,
        "package": "com.example.shop",
        "source_table": "cookies",
        "source_rowid": 1,
    }
    assert cookies[1]["expires"] is None and cookies[1]["secure"] is False  # session cookie
    assert cookies[2]["expires"] is None  # 0 is never 1970
    assert cookies[2]["value"] == "<script>alert(1)</script>"

    forms = list(records(conn, "web_form"))
    assert forms[0] == {
        "kind": "web_form",
        "id": forms[0]["id"],
        **common,
        "ts": None,
        "ts_raw": None,
        "browser": "android_webview",
        "field": "email",
        "value": "محمد@example.com",
        "url": LOGIN,
        "count": None,
        "package": "com.example.shop",
        "source_table": "formdata",
        "source_rowid": 1,
    }
    assert [f["value"] for f in forms] == ["محمد@example.com", "+218912345678"]

    cache = list(records(conn, "web_cache"))
    assert cache[0] == {
        "kind": "web_cache",
        "id": cache[0]["id"],
        **common,
        "path": f"/{DB_DIR}/webviewCache.db",
        "source_sha256": file_sha256(conn, "webviewCache.db"),
        "ts": "2024-03-13T08:00:00Z",  # Last-Modified
        "ts_raw": "Wed, 13 Mar 2024 08:00:00 GMT",
        "browser": "android_webview",
        "url": "https://cdn.example.com/logo.png",
        "mime": "image/png",
        "size": 5120,
        "local_path": "1a2b3c4d",
        "expires": "2024-03-15T10:53:20Z",
        "http_status": 200,
        "package": "com.example.shop",
        "source_table": "cache",
        "source_rowid": 1,
    }
    redirect = cache[1]
    assert redirect["local_path"] is None and redirect["ts"] is None  # a redirect keeps no file
    assert redirect["http_status"] == 302 and "expires" not in redirect


def test_missing_formurl_is_warned_and_forms_kept(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / DB_DIR / "webview.db", WEBVIEW_SCHEMA[:3] + WEBVIEW_SCHEMA[4:])
    conn.executemany("INSERT INTO formdata VALUES (?,?,?,?)", FORMS)
    conn.commit()
    conn.close()
    db, (run,) = scan_with(tmp_path / "case", [AndroidWebview()], tmp_path / "p", RUNS)
    assert run["status"] == "ok" and run["records"] == 2 and run["warnings"] == 1
    assert "formurl" in run["message"]
    assert [f["url"] for f in records(db, "web_form")] == [None, None]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_webview(tmp_path / "src" / "webview.db"), tmp_path / "p" / DB_DIR / "webview.db"
    )
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error" and run["message"], run


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / DB_DIR / "webview.db", [])
    conn.execute("CREATE TABLE cookies (_id INTEGER PRIMARY KEY, name TEXT, value TEXT)")
    conn.execute("INSERT INTO cookies VALUES (1, 'a', 'b')")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error"
    assert "cookies.domain" in run["message"] and "cookies.expires" in run["message"]


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    make_webview(tmp_path / "p" / DB_DIR / "webview.db")
    make_cache(tmp_path / "p" / DB_DIR / "webviewCache.db")
    for name, sql in (
        ("webview.db", "UPDATE cookies SET secure = 'garbage' WHERE _id = 2"),
        ("webviewCache.db", "UPDATE cache SET contentlength = x'00ff' WHERE _id = 2"),
    ):
        conn = sqlite3.connect(tmp_path / "p" / DB_DIR / name)
        conn.execute(sql)
        conn.commit()
        conn.close()
    db, runs = _scan(tmp_path, tmp_path / "p")
    assert [(r["status"], r["records"], r["warnings"]) for r in runs] == [
        ("ok", 4, 1),
        ("ok", 1, 1),
    ]
    assert "cookies row 2 skipped" in runs[0]["message"]
    assert "cache row 2 skipped" in runs[1]["message"]
    assert [c["source_rowid"] for c in records(db, "web_cookie")] == [1, 3]


def test_unrelated_sqlite_named_webview_db_is_skipped(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / DB_DIR / "webview.db", [])
    conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "skipped"
    assert "cookies" in run["message"] and "cache" in run["message"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Thu, 28 Mar 2013 09:48:18 GMT", "2013-03-28T09:48:18Z"),  # RFC 1123
        ("Thursday, 28-Mar-13 09:48:18 GMT", "2013-03-28T09:48:18Z"),  # RFC 850
        ("Thu Mar 28 09:48:18 2013", "2013-03-28T09:48:18Z"),  # asctime
        ("Thu, 28 Mar 2013 11:48:18 +0200", "2013-03-28T09:48:18Z"),
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),  # never 1970
        ("", None),
        ("not a date", None),
        (None, None),
        (1364464098, None),
    ],
)
def test_http_date(header: Any, expected: str | None) -> None:
    assert iso(http_date(header)) == expected


@pytest.mark.parametrize(
    ("path", "chosen"),
    [
        ("/data/data/com.android.browser/databases/webview.db", True),
        ("/data/user/10/com.example/databases/webviewCache.db", True),
        ("/WEBVIEW.DB", True),
        ("/data/data/com.example/databases/webview.db-journal", False),
        ("/data/data/com.example/databases/webviewCookiesChromium.db", False),
    ],
)
def test_path_globs(path: str, chosen: bool) -> None:
    assert dispatched(AndroidWebview(), path) is chosen


def test_corpus_webview_db(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/webview.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [_ok(10)]
    cookies = list(records(conn, "web_cookie"))
    assert len(cookies) == 8  # EXPECTED.md: plaso android_webview.py, 8 events
    # Checked by hand with sqlite3 on a copy: _id 1 = SC / .skype.com / expires 1394031884000.
    assert cookies[0] == {
        "kind": "web_cookie",
        "id": cookies[0]["id"],
        "evidence": 1,
        "path": "/webview.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "webview.db"),
        "parser": "android_webview",
        "ts": None,
        "ts_raw": None,
        "deleted": False,
        "browser": "android_webview",
        "host": ".skype.com",
        "name": "SC",
        "value": "CC=:CCY=:LC=en-us:LIM=:TM=1362495731:TS=1362495680:TZ=:VAT=:VER=",
        "cookie_path": "/",
        "expires": "2014-03-05T15:04:44Z",
        "secure": False,
        "http_only": None,
        "source_table": "cookies",
        "source_rowid": 1,
    }
    assert [c["name"] for c in cookies if c["secure"]] == ["skype-login"]
    assert [c["expires"] for c in cookies if c["expires"]] == [
        "2014-03-05T15:04:44Z",
        "2015-03-05T15:02:47Z",
        "2015-03-05T15:02:48Z",
    ]
    forms = list(records(conn, "web_form"))
    assert [(f["field"], f["value"]) for f in forms] == [
        ("email", "hanklivingston11@gmail.com"),
        ("email", "livingstonhank11@gmail.com"),
    ]
    assert {f["url"] for f in forms} == {
        "https://login.skype.com/account/password-reset-request"
        "?intsrc=client-_-android-_-3.1-_-go-forgotpassword"
    }


def test_corpus_webview_cache_db(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/webviewCache.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [_ok(10)]
    cache = list(records(conn, "web_cache"))
    assert len(cache) == 10
    # No entry has a Last-Modified header, so none has a time of its own.
    assert {c["ts"] for c in cache} == {None}
    first = cache[0]
    assert first["url"] == (
        "https://apps.skypeassets.com/static/skype.skypeloginstatic/css/print.css?_version=1.15"
    )
    assert (first["mime"], first["size"], first["local_path"]) == ("text/css", 1821, "9bde6717")
    # Expires header parsed by CacheManager (matches `expiresstring`).
    assert first["expires"] == "2013-03-28T09:48:18Z"
    # Device clock + max-age: millisecond precision.
    assert cache[2]["expires"] == "2013-03-03T22:52:38.396000Z"
    assert sum(c["size"] for c in cache) == 151751  # sqlite3: SELECT sum(contentlength) FROM cache
    assert {c["mime"] for c in cache} == {"text/css", "application/javascript", "image/png"}
