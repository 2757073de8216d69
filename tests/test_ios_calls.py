"""iOS CallHistory.storedata: generated Core Data store with the iOS 13-17 CallRecord entity."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import BY_PARSER_SQL, scan_with, truncated_copy
from test_ios_contacts import AB_DIR, make_addressbook

from parsers.ios_calls import IosCalls
from parsers.ios_contacts import IosContacts
from triage_app.core.export import records
from triage_app.sample.ios_schemas import CALL_HISTORY as SCHEMA

CALLS_DIR = "private/var/mobile/Library/CallHistoryDB"
COCOA = 978307200  # seconds from 1970 to 2001
T0 = 1700000000 - COCOA  # 2023-11-14T22:13:20Z as Cocoa seconds
INSERT = (
    "INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZADDRESS, ZNAME, ZDATE, ZDURATION, ZORIGINATED,"
    " ZANSWERED, ZCALLTYPE, ZSERVICE_PROVIDER, ZISO_COUNTRY_CODE, ZLOCATION, ZUNIQUE_ID)"
    " VALUES (?,2,1,?,?,?,?,?,?,?,?,?,?,?)"
)
CALLS: list[tuple[Any, ...]] = [
    # Z_PK, ZADDRESS, ZNAME, ZDATE, ZDURATION, ZORIGINATED, ZANSWERED, ZCALLTYPE,
    # ZSERVICE_PROVIDER, ZISO_COUNTRY_CODE, ZLOCATION, ZUNIQUE_ID
    (1, b"+218912345678", "مصطفى الحاج", T0 + 0.25, 95.7, 0, 1, 1, "com.apple.Telephony",
     "ly", "Libya", "7A1C0D2E-0001"),
    (2, b"+21650111222", None, T0 + 600, 42.0, 1, 1, 1, "com.apple.Telephony", "tn",
     "<<RecentsNumberLocationNotFound>>", "7A1C0D2E-0002"),
    (3, b"hajj@example.org", "مصطفى الحاج", T0 + 900, 310.2, 1, 1, 8, "com.apple.FaceTime",
     None, None, "7A1C0D2E-0003"),
    (4, "+21650111222", None, T0 + 1200, 0.0, 0, 0, 16, "com.apple.FaceTime", "tn", None,
     "7A1C0D2E-0004"),
    (5, b"", None, 0, 0.0, 0, 0, 1, "com.apple.Telephony", None, None, None),  # withheld, no date
    # A missed WhatsApp call that iOS logged through CallKit; it lives only in the WAL.
    (6, b"+218923456789", "Broker", T0 + 1800, 0.0, 0, 0, 0, "net.whatsapp.WhatsApp", "ly",
     None, "7A1C0D2E-0006"),
]  # fmt: skip


def make_callhistory(path: Path, wal_rows: int = 1) -> Path:
    """A CallHistory.storedata whose last `wal_rows` calls exist only in its live `-wal`."""
    work = path.parent / ".build"
    work.mkdir(parents=True)
    db = work / path.name
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.executemany(
        "INSERT INTO Z_PRIMARYKEY VALUES (?,?,0,?)", [(2, "CallRecord", 6), (4, "Handle", 0)]
    )
    conn.executemany(INSERT, CALLS[: len(CALLS) - wal_rows])
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.executemany(INSERT, CALLS[len(CALLS) - wal_rows :])
    conn.commit()
    # Copy while the connection is open: the copies keep a live WAL, as on a seized phone.
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{db}{suffix}", f"{path}{suffix}")
    conn.close()
    shutil.rmtree(work)
    return path


def scan(
    tmp_path: Path, evidence: Path, parsers: list[Any] | None = None
) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", parsers or [IosCalls()], evidence, BY_PARSER_SQL)


def test_calls(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_callhistory(tmp_path / "iphone" / CALLS_DIR / "CallHistory.storedata")
    unchanged(tmp_path / "iphone")
    conn, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs == [
        {"parser": "ios_calls", "status": "ok", "records": 6, "warnings": 0, "message": ""}
    ]
    calls = list(records(conn, "call"))
    first = calls[0]
    assert {k: v for k, v in first.items() if k not in ("id", "source_sha256")} == {
        "kind": "call", "evidence": 1, "path": f"/{CALLS_DIR}/CallHistory.storedata",
        "volume": None, "parser": "ios_calls", "ts": "2023-11-14T22:13:20.250000Z",
        "ts_raw": T0 + 0.25, "deleted": False, "app": "phone", "number": "+218912345678",
        "name": "مصطفى الحاج", "direction": "incoming", "duration_s": 95,
        "call_type": "phone", "service_provider": "com.apple.Telephony", "country": "LY",
        "location": "Libya", "source_table": "ZCALLRECORD", "source_rowid": 1,
    }  # fmt: skip
    assert [
        (c["app"], c["number"], c["direction"], c["duration_s"], c["call_type"]) for c in calls
    ] == [
        ("phone", "+218912345678", "incoming", 95, "phone"),
        ("phone", "+21650111222", "outgoing", 42, "phone"),
        ("facetime", "hajj@example.org", "outgoing", 310, "facetime_video"),
        ("facetime", "+21650111222", "missed", 0, "facetime_audio"),
        ("phone", None, "missed", 0, "phone"),
        ("whatsapp", "+218923456789", "missed", 0, "third_party"),
    ]
    assert calls[1]["location"] is None and calls[1]["country"] == "TN"
    assert calls[4]["ts"] is None and calls[4]["ts_raw"] == 0  # never 2001
    whatsapp = calls[5]
    assert whatsapp["service_provider"] == "net.whatsapp.WhatsApp"
    assert (whatsapp["name"], whatsapp["ts"]) == ("Broker", "2023-11-14T22:43:20Z")


def test_provider_ids_and_old_stores() -> None:
    from parsers.ios_calls import app_of, direction_of

    assert app_of("ph.telegra.Telegraph", 0) == "telegram"
    assert app_of("org.whispersystems.signal", 0) == "signal"
    assert app_of("com.example.VoIP", 0) == "com.example.voip"
    assert app_of(None, 8) == "facetime" and app_of(None, 1) == "phone"
    assert app_of(None, 0) is None and app_of(None, None) is None
    assert direction_of(1, 0) == "outgoing"  # an unanswered outgoing call is still outgoing
    assert direction_of(0, None) == "incoming" and direction_of(None, 0) == "missed"


def test_loose_file(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    db = make_callhistory(tmp_path / "loose" / "CallHistory.storedata")
    unchanged(db.parent)
    conn, runs = scan(tmp_path, db)
    calls = list(records(conn, "call"))
    assert runs[0]["records"] == 6 and calls[0]["path"] == "/CallHistory.storedata"


def test_truncated_copy_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_callhistory(tmp_path / "src" / "CallHistory.storedata", wal_rows=0),
        tmp_path / "iphone" / CALLS_DIR / "CallHistory.storedata",
    )
    _, runs = scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / CALLS_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "CallHistory.storedata")
    conn.execute(
        "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZADDRESS BLOB, ZDATE TIMESTAMP,"
        " ZORIGINATED INTEGER, ZANSWERED INTEGER, ZCALLTYPE INTEGER)"
    )
    conn.commit()
    conn.close()
    _, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error" and "ZCALLRECORD.ZDURATION" in runs[0]["message"]


def test_garbage_rows_are_warned(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / CALLS_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "CallHistory.storedata")
    # A store without the optional columns (before ZSERVICE_PROVIDER existed).
    conn.execute(
        "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZADDRESS BLOB, ZDATE TIMESTAMP,"
        " ZDURATION FLOAT, ZORIGINATED INTEGER, ZANSWERED INTEGER, ZCALLTYPE INTEGER)"
    )
    insert = "INSERT INTO ZCALLRECORD VALUES "
    conn.execute(insert + f"(1, x'2b323138393131313131313131', {T0}, 12.5, 1, 1, 1)")
    conn.execute(insert + f"(2, '+218922222222', {T0}, 'long', 0, 1, 1)")
    conn.execute(insert + "(3, CAST(x'2b3231ff' AS TEXT), 'garbage', 3, 0, 1, 8)")
    conn.commit()
    conn.close()
    conn2, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 2 and runs[0]["warnings"] == 2
    assert "ZCALLRECORD row 2 skipped" in runs[0]["message"]
    assert "ZCALLRECORD row 3: text not valid UTF-8" in runs[0]["message"]
    calls = list(records(conn2, "call"))
    assert [(c["app"], c["number"], c["duration_s"]) for c in calls] == [
        ("phone", "+218911111111", 12),
        ("facetime", "+21\ufffd", 3),
    ]
    assert calls[1]["ts"] is None and calls[1]["ts_raw"] == "garbage"
    assert calls[0]["service_provider"] is None and calls[0]["name"] is None


def test_unrelated_coredata_store_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / CALLS_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "CallHistory.storedata")
    conn.execute("CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    conn.commit()
    conn.close()
    _, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "skipped" and "ZCALLRECORD" in runs[0]["message"]


def test_ios_tree_with_contacts_and_calls(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "iphone"
    make_addressbook(root / AB_DIR / "AddressBook.sqlitedb")
    make_callhistory(root / CALLS_DIR / "CallHistory.storedata")
    (root / AB_DIR / "AddressBookImages.sqlitedb").write_bytes(b"SQLite format 3\x00")
    (root / "private/var/mobile/Media/DCIM").mkdir(parents=True)
    unchanged(root)
    conn, runs = scan(tmp_path, root, parsers=[IosContacts(), IosCalls()])
    assert [(r["parser"], r["status"], r["records"], r["warnings"]) for r in runs] == [
        ("ios_calls", "ok", 6, 0),
        ("ios_contacts", "ok", 4, 0),
    ]
    contacts = {c["name"]: c for c in records(conn, "contact")}
    calls = list(records(conn, "call"))
    # The investigator's join: who is behind the missed FaceTime call from Tunisia.
    tunisian = "".join(ch for ch in contacts["مصطفى الحاج"]["phones"][1] if ch.isdigit())
    assert calls[3]["number"] == f"+{tunisian}" and calls[3]["direction"] == "missed"
    assert {c["parser"] for c in calls} == {"ios_calls"}
