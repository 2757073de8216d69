"""Android contacts (contacts2.db) and call log (calllog.db / contacts2.db)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import BY_PARSER_SQL, scan_with

from parsers.android_calls import AndroidCalls
from parsers.android_contacts import AndroidContacts
from triage_app.core.export import records
from triage_app.sample.android_schemas import CALLS_SCHEMA, CONTACTS_SCHEMA

DB_DIR = "data/data/com.android.providers.contacts/databases"


def _contacts_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    for stmt in CONTACTS_SCHEMA:
        conn.execute(stmt)
    conn.executemany(
        "INSERT INTO mimetypes (_id, mimetype) VALUES (?, ?)",
        [
            (1, "vnd.android.cursor.item/name"),
            (5, "vnd.android.cursor.item/phone_v2"),
            (6, "vnd.android.cursor.item/email_v2"),
        ],
    )
    conn.execute("INSERT INTO accounts VALUES (1, 'WhatsApp', 'com.whatsapp', NULL)")
    conn.execute("INSERT INTO accounts VALUES (2, 'Phone', 'vnd.sec.contact.phone', NULL)")
    conn.execute(
        "INSERT INTO contacts (_id, contact_last_updated_timestamp) VALUES (1, 1700000000000)"
    )
    conn.execute(
        "INSERT INTO raw_contacts (_id, account_id, contact_id, deleted, display_name,"
        " last_time_contacted, starred) VALUES (1, 1, 1, 0, 'الحاج مصطفى', 1699990000000, 1)"
    )
    conn.execute(
        "INSERT INTO raw_contacts (_id, account_id, contact_id, deleted, display_name)"
        " VALUES (2, 2, NULL, 1, 'Passeur Zuwara')"
    )
    conn.executemany(
        "INSERT INTO data (mimetype_id, raw_contact_id, data1) VALUES (?, ?, ?)",
        [
            (1, 1, "الحاج مصطفى"),
            (5, 1, "+218 91-234-5678"),
            (5, 1, "0912345678"),
            (6, 1, "hajj@example.org"),
            (5, 2, "+216 50 111 222"),
        ],
    )
    conn.commit()
    conn.close()


def _calllog_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(CALLS_SCHEMA)
    conn.executemany(
        "INSERT INTO calls (_id, number, date, duration, type, name, countryiso)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            (1, "+218912345678", 1700000000000, 95, 1, "الحاج مصطفى", "LY"),
            (2, "+21650111222", 1700000600000, 0, 3, None, "TN"),
            (3, "+21650111222", 1700000700000, 0, 5, None, "TN"),
            (4, "+39333000111", 1700000800000, 30, 2, None, "IT"),
        ],
    )
    conn.commit()
    conn.close()


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(
        tmp_path / "case", [AndroidContacts(), AndroidCalls()], evidence, BY_PARSER_SQL
    )


def test_contacts_and_calls(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    folder = tmp_path / "phone" / DB_DIR
    folder.mkdir(parents=True)
    _contacts_db(folder / "contacts2.db")
    _calllog_db(folder / "calllog.db")
    unchanged(tmp_path / "phone")
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert sorted((r["parser"], r["status"], r["records"], r["warnings"]) for r in runs) == [
        ("android_calls", "ok", 4, 0),  # calllog.db
        ("android_calls", "skipped", 0, 0),  # contacts2.db of Android 7+ has no calls table
        ("android_contacts", "ok", 2, 0),
    ]
    contacts = list(records(conn, "contact"))
    first = contacts[0]
    assert {k: first[k] for k in first if k not in ("id", "source_sha256")} == {
        "kind": "contact", "evidence": 1, "volume": None, "parser": "android_contacts",
        "path": f"/{DB_DIR}/contacts2.db", "ts": "2023-11-14T22:13:20Z",
        "ts_raw": 1700000000000, "deleted": False, "app": "contacts", "name": "الحاج مصطفى",
        "phones": ["+218 91-234-5678", "0912345678"], "emails": ["hajj@example.org"],
        "account_name": "WhatsApp", "account_type": "com.whatsapp", "starred": 1,
        "times_contacted": 0, "last_contacted": "2023-11-14T19:26:40Z",
        "source_table": "raw_contacts", "source_rowid": 1,
    }  # fmt: skip
    assert contacts[1]["deleted"] is True and contacts[1]["ts"] is None
    calls = list(records(conn, "call"))
    assert [(c["number"], c["direction"], c["call_type"], c["duration_s"]) for c in calls] == [
        ("+218912345678", "incoming", "incoming", 95),
        ("+21650111222", "missed", "missed", 0),
        ("+21650111222", "missed", "rejected", 0),
        ("+39333000111", "outgoing", "outgoing", 30),
    ]
    assert calls[0]["ts"] == "2023-11-14T22:13:20Z" and calls[0]["name"] == "الحاج مصطفى"
    assert calls[0]["countryiso"] == "LY"


def test_missing_column_and_garbage_row(tmp_path: Path) -> None:
    folder = tmp_path / "phone" / DB_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "calllog.db")
    conn.execute("CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, date INTEGER)")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(folder / "contacts2.db")
    conn.execute(CALLS_SCHEMA)
    conn.execute("INSERT INTO calls (_id, number, date, duration, type) VALUES (1, '1', 5, 1, 'x')")
    conn.execute("INSERT INTO calls (_id, number, date, duration, type) VALUES (2, '2', 5, 1, 2)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "phone")
    by_status = {r["status"]: r for r in runs if r["parser"] == "android_calls"}
    assert "calls.duration" in by_status["error"]["message"]
    assert by_status["ok"]["records"] == 1 and by_status["ok"]["warnings"] == 1


def test_corpus_contacts2_calls(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/contacts2.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert {(r["parser"], r["status"]) for r in runs} == {
        ("android_calls", "ok"), ("android_contacts", "skipped"),
    }  # fmt: skip
    calls = list(records(conn, "call"))
    assert [(c["ts"], c["direction"], c["duration_s"]) for c in calls] == [
        ("2013-11-06T21:17:16.690000Z", "missed", 0),
        ("2013-11-06T21:18:53.283000Z", "outgoing", 126),
        ("2013-11-07T00:03:36.690000Z", "incoming", 639),
    ]
    assert {c["number"] for c in calls} == {"5404561685"} and calls[0]["name"] == "Barney"
