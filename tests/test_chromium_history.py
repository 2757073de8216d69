"""Chromium History parser: generated databases with the real schema, bad input, the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import RUNS_SQL, dispatched, scan_with, truncated_copy

from parsers.chromium_history import ChromiumHistory, Origin
from triage_app.core.export import records
from triage_app.sample.chromium import HISTORY_SCHEMA as MODERN_SCHEMA

# History meta version 20 (2011), as in plaso's `chrome/History`.
V20_SCHEMA = (
    "CREATE TABLE urls(id INTEGER PRIMARY KEY,url LONGVARCHAR,title LONGVARCHAR,"
    "visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,"
    "last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL,"
    "favicon_id INTEGER DEFAULT 0 NOT NULL)",
    "CREATE TABLE visits(id INTEGER PRIMARY KEY,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,"
    "from_visit INTEGER,transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,"
    "is_indexed BOOLEAN)",
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY,full_path LONGVARCHAR NOT NULL,"
    "url LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,received_bytes INTEGER NOT NULL,"
    "total_bytes INTEGER NOT NULL,state INTEGER NOT NULL)",
    "CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,"
    "lower_term LONGVARCHAR NOT NULL,term LONGVARCHAR NOT NULL)",
)

ANDROID_DIR = "data/data/com.android.chrome/app_chrome/Default"
SEARCH_URL = (
    "https://www.google.com/search?q=%D9%82%D8%A7%D8%B1%D8%A8+%D9%84%D9%84%D8%A8%D9%8A%D8%B9"
)
HOSTILE_URL = "javascript:alert(document.cookie)//<script>x</script>"
# WebKit µs; fractions that are exact in binary, so the expected strings do not depend on
# how the converter does its arithmetic.
T1, T2, T3, T4 = 13354882013125000, 13354882073500000, 13354882138750000, 13354882313250000
T_DL, T_DL_END = 13354882315000000, 13354882317500000

# (id, url, title, visit_count, typed_count, last_visit_time)
URLS = [
    (1, SEARCH_URL, "قارب للبيع - بحث Google", 2, 0, T2),
    (2, HOSTILE_URL, "<img src=x onerror=alert(1)>", 1, 1, T3),
    (3, "https://example.org/ferry-times", "Horaires des traversées", 1, 0, T4),
]
# (id, url, visit_time, from_visit, transition, visit_duration µs)
VISITS = [
    (1, 1, T1, 0, 0x30000001, 65_250_000),  # typed | CHAIN_START | CHAIN_END
    (2, 1, T2, 1, 0x30000000, 0),
    (3, 2, T3, 0, 0x30000001, 0),
    (4, 3, T4, 2, 0x30000007, 1_500_000),  # form_submit
]


def _create(db: Path, schema: Iterable[str]) -> sqlite3.Connection:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    for statement in schema:
        conn.execute(statement)
    return conn


def make_modern_history(db: Path, with_downloads: bool = True) -> Path:
    schema = MODERN_SCHEMA if with_downloads else [s for s in MODERN_SCHEMA if "downloads" not in s]
    conn = _create(db, schema)
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("mmap_status", "-1"), ("version", "70"), ("last_compatible_version", "16")],
    )
    conn.executemany(
        "INSERT INTO urls (id, url, title, visit_count, typed_count, last_visit_time)"
        " VALUES (?,?,?,?,?,?)",
        URLS,
    )
    conn.executemany(
        "INSERT INTO visits (id, url, visit_time, from_visit, transition, visit_duration)"
        " VALUES (?,?,?,?,?,?)",
        VISITS,
    )
    conn.execute("INSERT INTO keyword_search_terms VALUES (2, 1, 'قارب للبيع', 'قارب للبيع')")
    if with_downloads:
        target = "/storage/emulated/0/Download/خريطة.pdf"
        conn.execute(
            "INSERT INTO downloads VALUES (1, 'C1A5E4A8-3B47-4C55-9C2E-2F1D7B0E8A11', ?, ?, ?,"
            " 48213, 48213, 1, 0, 0, x'', ?, 0, 0, 0, 'https://example.org/ferry-times', '',"
            " '', 'https://example.org/ferry-times', '', 'GET', '', '', '', '', '',"
            " 'application/pdf', 'application/pdf')",
            (target, target, T_DL, T_DL_END),
        )
        conn.executemany(
            "INSERT INTO downloads_url_chains VALUES (1, ?, ?)",
            [(0, "https://example.org/dl?id=7"), (1, "https://cdn.example.net/files/map.pdf")],
        )
    conn.commit()
    conn.close()
    return db


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [ChromiumHistory()], evidence, RUNS, require_ok=True)


def _sha(conn: sqlite3.Connection, suffix: str) -> str:
    row = conn.execute("SELECT sha256 FROM files WHERE path LIKE ?", (f"%{suffix}",)).fetchone()
    return str(row["sha256"])


def test_modern_android_history(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_modern_history(root / ANDROID_DIR / "History")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"parser": "chromium_history", "status": "ok", "message": "", "records": 6, "warnings": 0}
    ]
    visits = list(records(conn, "web_visit"))
    assert len(visits) == 4
    common = {
        "evidence": 1,
        "path": f"/{ANDROID_DIR}/History",
        "volume": None,
        "source_sha256": _sha(conn, "/History"),
        "parser": "chromium_history",
        "deleted": False,
    }
    assert visits[0] == {
        "kind": "web_visit",
        "id": visits[0]["id"],
        **common,
        "ts": "2024-03-14T09:26:53.125000Z",
        "ts_raw": T1,
        "browser": "chrome",
        "profile": "Default",
        "url": SEARCH_URL,
        "title": "قارب للبيع - بحث Google",
        "visit_count": 2,
        "package": "com.android.chrome",
        "transition": "typed",
        "visit_duration_s": 65.25,
        "source_table": "visits",
        "source_rowid": 1,
    }
    hostile = visits[2]
    assert hostile["url"] == HOSTILE_URL
    assert hostile["title"] == "<img src=x onerror=alert(1)>"
    assert "visit_duration_s" not in hostile  # 0 = not recorded
    assert visits[3]["transition"] == "form_submit" and visits[3]["from_visit"] == 2

    (download,) = records(conn, "web_download")
    assert download == {
        "kind": "web_download",
        "id": download["id"],
        **common,
        "ts": "2024-03-14T09:31:55Z",
        "ts_raw": T_DL,
        "browser": "chrome",
        "url": "https://example.org/dl?id=7",
        "target_path": "/storage/emulated/0/Download/خريطة.pdf",
        "size": 48213,
        "profile": "Default",
        "package": "com.android.chrome",
        "final_url": "https://cdn.example.net/files/map.pdf",
        "state": "complete",
        "danger_type": 0,
        "received_bytes": 48213,
        "end_ts": "2024-03-14T09:31:57.500000Z",
        "mime_type": "application/pdf",
        "source_table": "downloads",
        "source_rowid": 1,
    }
    (search,) = records(conn, "web_search")
    assert search == {
        "kind": "web_search",
        "id": search["id"],
        **common,
        "ts": "2024-03-14T09:27:53.500000Z",  # the search URL's last_visit_time
        "ts_raw": T2,
        "browser": "chrome",
        "term": "قارب للبيع",
        "url": SEARCH_URL,
        "profile": "Default",
        "package": "com.android.chrome",
        "source_table": "keyword_search_terms",
        "source_rowid": 1,
    }


def test_old_schema_download_times_are_unix_seconds(tmp_path: Path) -> None:
    conn = _create(tmp_path / "loose" / "History", V20_SCHEMA)
    conn.execute("INSERT INTO urls VALUES (1, 'http://a.example/', 'A', 1, 0, ?, 0, 0)", (T1,))
    conn.execute("INSERT INTO visits VALUES (1, 1, ?, 0, 805306368, 0, 1)", (T1,))
    conn.execute(
        "INSERT INTO downloads VALUES (1, '/home/john/Downloads/x.exe',"
        " 'http://b.example/x.exe', 1306139730, 10, 10, 1)"
    )
    conn.commit()
    conn.close()
    db, runs = _scan(tmp_path, tmp_path / "loose" / "History")
    assert runs[0]["warnings"] == 0
    (download,) = records(db, "web_download")
    assert download["ts"] == "2011-05-23T08:35:30Z" and download["ts_raw"] == 1306139730
    assert download["url"] == "http://b.example/x.exe"
    assert download["target_path"] == "/home/john/Downloads/x.exe"
    (visit,) = records(db, "web_visit")
    assert visit["browser"] == "chromium" and visit["profile"] is None  # loose file
    assert visit["transition"] == "link"


def test_archived_history_without_downloads(tmp_path: Path) -> None:
    profile = "Users/bob/AppData/Local/Google/Chrome/User Data/Profile 1"
    conn = _create(tmp_path / "c" / profile / "Archived History", V20_SCHEMA[:2])
    conn.execute("INSERT INTO urls VALUES (1, 'http://old.example/', 'Old', 1, 0, ?, 0, 0)", (T1,))
    conn.execute("INSERT INTO visits VALUES (1, 1, ?, 0, 1, 0, 1)", (T1,))
    conn.commit()
    conn.close()
    db, runs = _scan(tmp_path, tmp_path / "c")
    assert runs == [
        {"parser": "chromium_history", "status": "ok", "message": "", "records": 1, "warnings": 0}
    ]
    (visit,) = records(db, "web_visit")
    assert (visit["browser"], visit["profile"], visit["url"]) == (
        "chrome",
        "Profile 1",
        "http://old.example/",
    )


def test_missing_downloads_table_is_warned_and_visits_kept(tmp_path: Path) -> None:
    make_modern_history(tmp_path / "p" / ANDROID_DIR / "History", with_downloads=False)
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "ok" and run["records"] == 5 and run["warnings"] == 1
    assert "no table downloads" in run["message"]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_modern_history(tmp_path / "src" / "History"),
        tmp_path / "phone" / ANDROID_DIR / "History",
    )
    _, (run,) = _scan(tmp_path, tmp_path / "phone")
    assert run["status"] == "error" and run["message"], run


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / ANDROID_DIR / "History", [MODERN_SCHEMA[1]])
    conn.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, transition INTEGER)")
    conn.execute("INSERT INTO visits VALUES (1, 1, 0)")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error"
    assert "visits.visit_time" in run["message"]


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db_path = make_modern_history(tmp_path / "p" / ANDROID_DIR / "History")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE visits SET transition = 'garbage' WHERE id = 2")
    conn.execute("UPDATE visits SET visit_time = -5 WHERE id = 3")
    conn.execute("UPDATE urls SET title = x'd982d8a7ff' WHERE id = 3")
    conn.commit()
    conn.close()
    db, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "ok" and run["records"] == 5 and run["warnings"] == 1
    assert "visits row 2 skipped" in run["message"]
    visits = list(records(db, "web_visit"))
    assert [v["source_rowid"] for v in visits] == [1, 3, 4]
    assert visits[1]["ts"] is None and visits[1]["ts_raw"] == -5  # never 1970
    assert visits[2]["title"] == "قا\ufffd"  # a BLOB title stays readable


def test_unrelated_sqlite_named_history_is_skipped(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / "home" / "u" / ".config" / "app" / "History", [])
    conn.execute("CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO history_items VALUES (1, 'https://x.example/')")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "skipped"
    assert "urls" in run["message"] and "visits" in run["message"]


@pytest.mark.parametrize(
    ("path", "browser", "profile", "package"),
    [
        (
            "/Users/a/AppData/Local/Microsoft/Edge/User Data/Profile 1/History",
            "edge",
            "Profile 1",
            None,
        ),
        (
            "/Users/a/Library/Application Support/Google/Chrome/Default/History",
            "chrome",
            "Default",
            None,
        ),
        (
            "/Users/a/Library/Application Support/Microsoft Edge/Default/History",
            "edge",
            "Default",
            None,
        ),
        ("/home/u/.config/BraveSoftware/Brave-Browser/Default/History", "brave", "Default", None),
        ("/home/u/.config/google-chrome/Profile 2/History", "chrome", "Profile 2", None),
        ("/home/u/.config/chromium/Default/History", "chromium", "Default", None),
        ("/home/u/.config/vivaldi/Default/History", "vivaldi", "Default", None),
        (
            "/Users/a/AppData/Roaming/Opera Software/Opera Stable/History",
            "opera",
            "Opera Stable",
            None,
        ),
        ("/data/data/com.opera.browser/app_opera/History", "opera", None, "com.opera.browser"),
        (
            "/data/user/0/com.sec.android.app.sbrowser/app_sbrowser/Default/History",
            "samsung_internet",
            "Default",
            "com.sec.android.app.sbrowser",
        ),
        (
            "/data/data/com.example.app/app_webview/Default/History",
            "android_webview",
            "Default",
            "com.example.app",
        ),
        ("/History", "chromium", None, None),
        # The folder nearest to the file decides, not a case folder higher up.
        (
            "/cases/opera/Users/x/AppData/Local/Google/Chrome/User Data/Default/History",
            "chrome",
            "Default",
            None,
        ),
    ],
)
def test_browser_profile_and_package_from_path(
    path: str, browser: str, profile: str | None, package: str | None
) -> None:
    assert Origin.from_path(path) == Origin(browser, profile, package)


@pytest.mark.parametrize(
    ("path", "chosen"),
    [
        ("/Users/a/AppData/Local/Google/Chrome/User Data/Default/History", True),
        ("/data/data/com.android.chrome/app_chrome/Default/History", True),
        ("/data/data/com.example/app_webview/History", True),
        ("/HISTORY", True),
        ("/History-59.0.3071.86", True),
        ("/Library/Safari/History.db", False),
        ("/Default/History Provider Cache", False),
    ],
)
def test_path_globs(path: str, chosen: bool) -> None:
    assert dispatched(ChromiumHistory(), path) is chosen


def test_corpus_history_v20(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/chrome/History")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [
        {"parser": "chromium_history", "status": "ok", "message": "", "records": 74, "warnings": 0}
    ]
    visits = list(records(conn, "web_visit"))
    assert len(visits) == 69 and len({v["url"] for v in visits}) == 55
    first = min(visits, key=lambda v: (v["ts"], v["source_rowid"]))
    assert first["ts"] == "2011-04-07T12:03:11Z"
    assert first["url"] == "http://start.ubuntu.com/10.04/Google/"
    last = max(visits, key=lambda v: v["ts"])
    assert last["ts"][:19] == "2011-05-23T08:37:27"
    assert last["url"] == (
        "https://chrome.google.com/webstore/detail/mfjkgbjaikamkkojmakjclmkianficch?hl=en-US#"
    )
    assert last["title"] == "Download Assistant (by Google) - Chrome Web Store"
    downloads = list(records(conn, "web_download"))
    assert [d["url"] for d in downloads] == [
        "http://fatloss4idiotsx.com/download/funcats/funcats_scr.exe",
        "http://www.photoscreensavers.us/Cats%20Demo.exe",
    ]
    # Version 20 stores download times as time_t seconds.
    assert downloads[0]["ts"] == "2011-05-23T08:35:30Z"
    assert downloads[0]["target_path"] == "/home/john/Downloads/funcats_scr.exe"
    assert downloads[0]["size"] == 1132155
    searches = list(records(conn, "web_search"))
    assert [s["term"] for s in searches] == [
        "funny cats",
        "really really funny cats",
        "funnycats.exe",
    ]


@pytest.mark.parametrize(
    ("name", "visit_ts", "download_ts"),
    [
        ("History-57.0.2987.133", "2018-01-21T14:09:53", "2018-01-21T14:09:53"),
        ("History-58.0.3029.96", "2018-01-21T14:09:27", "2018-01-21T14:09:27"),
        ("History-59.0.3071.86", "2018-01-21T14:08:52", "2018-01-21T14:08:51"),
        ("History-59_added-fake-column", "2018-01-21T14:08:52", "2018-01-21T14:08:51"),
    ],
)
def test_corpus_chrome_57_to_59(
    tmp_path: Path,
    corpus: Callable[[str], Path],
    unchanged: Callable[..., None],
    name: str,
    visit_ts: str,
    download_ts: str,
) -> None:
    db = corpus(f"plaso/test_data/chrome/{name}")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [
        {"parser": "chromium_history", "status": "ok", "message": "", "records": 2, "warnings": 0}
    ]
    (visit,) = records(conn, "web_visit")
    assert visit["ts"][:19] == visit_ts
    assert visit["url"] == (
        "https://raw.githubusercontent.com/dfirlabs/chrome-specimens/master/generate-specimens.sh"
    )
    assert visit["transition"] == "auto_toplevel"
    (download,) = records(conn, "web_download")
    assert download["ts"][:19] == download_ts
    assert download["target_path"] == "/home/ubuntu/Downloads/plaso-20171231.1.win32.msi"
    assert download["size"] == 3080192
    assert download["url"] == (
        "https://raw.githubusercontent.com/log2timeline/l2tbinaries/master/win32/"
        "plaso-20171231.1.win32.msi"
    )


def test_corpus_chrome_folder(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    folder = corpus("plaso/test_data/chrome")
    unchanged(folder)
    conn, runs = _scan(tmp_path, folder)
    assert [r["status"] for r in runs] == ["ok"] * 5
    assert sum(r["warnings"] for r in runs) == 0
    assert len(list(records(conn, "web_visit"))) == 69 + 4
    assert len(list(records(conn, "web_download"))) == 2 + 4
