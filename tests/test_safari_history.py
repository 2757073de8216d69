"""Safari History.db parser: generated fixtures with the real schema, bad input, the corpus."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from casehelpers import scan_with, truncated_copy

from parsers.safari_history import SafariHistory
from triage_app.core.export import records
from triage_app.sample.ios_schemas import safari_history as schema

MAC_DIR = "Users/amal/Library/Safari"
IOS_DIR = (
    "private/var/mobile/Containers/Data/Application/6A1B2C3D-0000-4000-8000-00000000AB12"
    "/Library/Safari"
)

ITEMS = [
    (1, "https://maps.example/route?to=Lampedusa", "maps.example", 2),
    (2, "http://bit.example/x", "bit.example", 1),
]
# (id, history_item, visit_time Cocoa s, title, load_successful, redirect_source,
#  redirect_destination, origin)
VISITS: list[tuple[Any, ...]] = [
    (1, 1, 721692800.123456, "Route to Lampedusa — Maps", 1, None, None, 0),
    (2, 2, 721692860.25, None, 1, None, 3, 0),
    (3, 1, 721692860.5, "Route to Lampedusa — Maps", 1, 2, None, 1),
]
TOMBSTONES = [
    (1, 721600000.0, 721603600.0, None, 1),  # "clear the last hour"
    (2, -63114076800.0, 721692900.75, "https://deleted.example/secret?id=7", 3),  # one item
]


def make_history(folder: Path, visits: Sequence[tuple[Any, ...]] = VISITS, **kw: Any) -> Path:
    """A History.db in WAL mode whose last visit lives only in the live `-wal` file."""
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / ".build"
    work.mkdir()
    conn = sqlite3.connect(work / "History.db")
    conn.execute("PRAGMA journal_mode=WAL")
    for statement in schema(**kw):
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO history_items (id, url, domain_expansion, visit_count, daily_visit_counts,"
        " should_recompute_derived_visit_counts, visit_count_score) VALUES (?,?,?,?,x'',0,100)",
        ITEMS,
    )
    insert_visit = (
        "INSERT INTO history_visits (id, history_item, visit_time, title, load_successful,"
        " redirect_source, redirect_destination, origin) VALUES (?,?,?,?,?,?,?,?)"
    )
    conn.executemany(insert_visit, visits[:-1])
    conn.executemany("INSERT INTO history_tombstones VALUES (?,?,?,?,?)", TOMBSTONES)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(insert_visit, visits[-1])
    conn.commit()
    for suffix in ("", "-wal", "-shm"):  # copied while open, as on a seized device
        shutil.copyfile(work / f"History.db{suffix}", folder / f"History.db{suffix}")
    conn.close()
    shutil.rmtree(work)
    return folder / "History.db"


def _plain_db(path: Path, statements: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [SafariHistory()], evidence, require_ok=True)


def test_macos_history_with_live_wal(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_history(tmp_path / "mac" / MAC_DIR)
    unchanged(tmp_path / "mac")
    conn, runs = _scan(tmp_path, tmp_path / "mac")
    assert runs == [
        {"parser": "safari_history", "status": "ok", "message": "", "records": 5, "warnings": 0}
    ]
    rows = list(records(conn, "web_visit"))
    visits = [r for r in rows if not r["deleted"]]
    assert len(visits) == 3  # the last visit lives only in the WAL
    sha = conn.execute("SELECT sha256 FROM files WHERE name='History.db'").fetchone()[0]
    first = visits[0]
    assert first == {
        "kind": "web_visit",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{MAC_DIR}/History.db",
        "volume": None,
        "source_sha256": sha,
        "parser": "safari_history",
        "ts": "2023-11-14T22:13:20.123456Z",
        "ts_raw": 721692800.123456,
        "deleted": False,
        "browser": "safari",
        "profile": None,
        "url": "https://maps.example/route?to=Lampedusa",
        "title": "Route to Lampedusa — Maps",
        "visit_count": 2,
        "load_successful": True,
        "origin": 0,
        "source_table": "history_visits",
        "source_rowid": 1,
    }
    assert visits[1]["redirect_destination"] == 3 and visits[1]["title"] is None
    assert visits[2]["redirect_source"] == 2 and visits[2]["origin"] == 1
    tombstones = [r for r in rows if r["deleted"]]
    assert [t["source_rowid"] for t in tombstones] == [1, 2]
    assert tombstones[0]["url"] is None  # a cleared time range
    assert tombstones[0]["deleted_from"] == "2023-11-13T20:26:40Z"
    assert tombstones[1] == {
        "kind": "web_visit",
        "id": tombstones[1]["id"],
        "evidence": 1,
        "path": f"/{MAC_DIR}/History.db",
        "volume": None,
        "source_sha256": sha,
        "parser": "safari_history",
        "ts": "2023-11-14T22:15:00.750000Z",
        "ts_raw": 721692900.75,
        "deleted": True,
        "browser": "safari",
        "profile": None,
        "url": "https://deleted.example/secret?id=7",
        "title": None,
        "visit_count": None,
        "tombstone": True,
        "deleted_from": None,  # Safari's "distant past": everything before end_time
        "source_table": "history_tombstones",
        "source_rowid": 2,
    }


def test_ios_container_with_newer_schema(tmp_path: Path) -> None:
    make_history(tmp_path / "iphone" / IOS_DIR, status_code=True)
    conn, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok"
    rows = list(records(conn, "web_visit"))
    assert sum(not r["deleted"] for r in rows) == 3 and sum(r["deleted"] for r in rows) == 2


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(make_history(tmp_path / "src"), tmp_path / "mac" / MAC_DIR / "History.db")
    _, runs = _scan(tmp_path, tmp_path / "mac")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    _plain_db(
        tmp_path / "mac" / MAC_DIR / "History.db",
        [
            "CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT, visit_count INTEGER)",
            "CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER)",
        ],
    )
    _, (run,) = _scan(tmp_path, tmp_path / "mac")
    assert run["status"] == "error"
    assert "history_visits.title" in run["message"]
    assert "history_visits.visit_time" in run["message"]


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    visits = [
        VISITS[0],
        (2, 2, 0, None, "garbage", None, None, 0),
        (3, 1, -5.0, "x", 1, *[None] * 2, 0),
    ]
    make_history(tmp_path / "mac" / MAC_DIR, visits=visits)
    conn, (run,) = _scan(tmp_path, tmp_path / "mac")
    assert run["status"] == "ok" and run["records"] == 4 and run["warnings"] == 1, run
    assert "history_visits row 2" in run["message"]
    kept = [r for r in records(conn, "web_visit") if not r["deleted"]]
    assert [r["source_rowid"] for r in kept] == [1, 3]
    assert kept[1]["ts"] is None and kept[1]["ts_raw"] == -5.0  # never a date before 2001


def test_tombstones_without_url_column(tmp_path: Path) -> None:
    _plain_db(
        tmp_path / "mac" / MAC_DIR / "History.db",
        [
            *schema()[:2],
            "CREATE TABLE history_tombstones (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " start_time REAL NOT NULL, end_time REAL NOT NULL)",
            "INSERT INTO history_tombstones VALUES (1, 721600000.0, 721603600.0)",
        ],
    )
    conn, _ = _scan(tmp_path, tmp_path / "mac")
    (tombstone,) = records(conn, "web_visit")
    assert tombstone["deleted"] and tombstone["url"] is None
    assert tombstone["ts"] == "2023-11-13T21:26:40Z"


def test_unrelated_history_db_is_skipped(tmp_path: Path) -> None:
    _plain_db(tmp_path / "app" / "History.db", ["CREATE TABLE history (id INTEGER, q TEXT)"])
    _, (run,) = _scan(tmp_path, tmp_path / "app")
    assert run["status"] == "skipped" and "history_items" in run["message"]


def test_empty_database_is_no_data(tmp_path: Path) -> None:
    _plain_db(tmp_path / "mac" / MAC_DIR / "History.db", schema())
    _, runs = _scan(tmp_path, tmp_path / "mac")
    assert runs[0]["status"] == "no_data"


def test_corpus_history_db(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/safari/History.db")
    unchanged(db)
    conn, (run,) = _scan(tmp_path, db)
    assert run["status"] == "ok" and run["records"] == 31 and run["warnings"] == 0
    rows = list(records(conn, "web_visit"))
    visits = sorted((r for r in rows if not r["deleted"]), key=lambda r: r["ts"])
    assert len(visits) == 25
    first, last = visits[0], visits[-1]
    assert first["ts"] == "2017-11-09T21:23:34.791503Z"
    assert first["url"] == "http://start.ubuntu.com/current/Google/?sourceid=hp"
    assert first["title"] == "Ubuntu Start Page"
    assert last["ts"] == "2017-11-09T21:26:46.056743Z"
    assert last["url"] == "https://www.google.com/?gws_rd=ssl" and last["title"] == "Google"
    assert visits[1]["url"] == "http://facebook.com/" and visits[1]["redirect_destination"] == 38
    assert all(v["browser"] == "safari" and v["profile"] is None for v in visits)
    # history_tombstones: 6 deletions, all time ranges (no url). Two "last hour" clears,
    # four "all history" clears whose start is Safari's distant past.
    tombstones = [r for r in rows if r["deleted"]]
    assert len(tombstones) == 6
    assert all(t["tombstone"] and t["url"] is None for t in tombstones)
    assert [t["ts"] for t in tombstones] == [
        "2017-11-07T19:30:20Z",
        "2017-11-07T19:37:48Z",
        "2017-11-07T23:27:23.583456Z",
        "2017-11-09T21:17:47.967901Z",
        "2017-11-09T21:20:36.375456Z",
        "2017-11-09T21:21:44.286897Z",
    ]
    assert [t["deleted_from"] for t in tombstones[:3]] == [
        "2017-11-07T18:30:20Z",
        "2017-11-07T18:37:48Z",
        None,
    ]
