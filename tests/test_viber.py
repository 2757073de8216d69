"""Viber parser: generated viber_data and viber_messages with the app's schema, bad input,
the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import file_sha256, scan_with, truncated_copy

from parsers.viber import Viber
from triage_app.core.export import records

# viber_data tables verbatim as Viber (2022) creates them (the same definitions are in plaso's
# android/viber_data and in Viber's ViberContactsHelper).
CALLS = (
    "CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT,call_id LONG NOT NULL,"
    "aggregate_hash LONG NOT NULL,number TEXT NOT NULL,canonized_number TEXT NOT NULL,viber_call"
    " BOOLEAN DEFAULT TRUE,viber_call_type INTEGER DEFAULT 1, date LONG NOT NULL,duration LONG"
    " NOT NULL,type INT NOT NULL,end_reason INT DEFAULT 0,start_reason INT DEFAULT 0,token LONG"
    " DEFAULT 0,looked BOOLEAN DEFAULT TRUE,conference_info TEXT,group_id LONG DEFAULT 0,flags"
    " INTEGER DEFAULT 0)"
)
PHONEBOOK_CONTACT = (
    "CREATE TABLE phonebookcontact (_id INTEGER PRIMARY KEY NOT NULL,native_id INTEGER DEFAULT"
    " 0,display_name TEXT,phonetic_name TEXT,phone_label TEXT,low_display_name TEXT,starred"
    " BOOLEAN, viber BOOLEAN, contact_lookup_key TEXT, contact_hash LONG, version INTEGER"
    " DEFAULT 0, has_number BOOLEAN, has_name BOOLEAN, native_photo_id LONG DEFAULT 0,"
    " recently_joined_date LONG DEFAULT 0, joined_date LONG DEFAULT 0, numbers_name TEXT"
    " DEFAULT '', deleted BOOLEAN, flags INTEGER DEFAULT 0,  UNIQUE (_id) ON CONFLICT REPLACE)"
)
PHONEBOOK_DATA = (
    "CREATE TABLE phonebookdata (_id INTEGER PRIMARY KEY AUTOINCREMENT,native_id INTEGER DEFAULT"
    " 0,contact_id INTEGER NOT NULL,raw_id INTEGER NOT NULL,data1 TEXT, data2 TEXT, data3 TEXT,"
    " data4 TEXT, data5 TEXT, int_data1 INTEGER DEFAULT 0, int_data2 INTEGER DEFAULT 0,"
    " mime_type INTEGER, clear INTEGER DEFAULT 0)"
)
VIBER_NUMBERS = (
    "CREATE TABLE vibernumbers (_id INTEGER PRIMARY KEY AUTOINCREMENT,canonized_number TEXT NOT"
    " NULL,photo TEXT DEFAULT '', viber_name TEXT, clear BOOLEAN, member_id TEXT NOT NULL,"
    " encrypted_member_id TEXT NOT NULL, viber_id TEXT, date_of_birth TEXT)"
)
DATA_TABLES = (CALLS, PHONEBOOK_CONTACT, PHONEBOOK_DATA, VIBER_NUMBERS)

# viber_messages tables verbatim from Viber's ViberMessagesHelper.onCreate (Viber 10 era, the
# msg_date/send_type schema still used by current versions); `conversations` is cut after
# `participant_id_1`, the last column the parser reads.
CONVERSATIONS = (
    "CREATE TABLE IF NOT EXISTS conversations (_id INTEGER PRIMARY KEY autoincrement,"
    "conversation_type INTEGER DEFAULT 0,group_id INTEGER DEFAULT 0,application_id INTEGER"
    " DEFAULT 0,share_location INTEGER DEFAULT 0,message_draft TEXT,msg_draft_spans TEXT DEFAULT"
    " '',deleted INTEGER DEFAULT 0,delete_token INTEGER DEFAULT 0,name TEXT,group_role INTEGER"
    " DEFAULT 1,icon_id TEXT,background_landscape TEXT, background_portrait TEXT,"
    " background_text_color INTEGER, smart_notification INTEGER,smart_event_date INTEGER DEFAULT"
    " 0, mute_notification INTEGER, favourite_conversation INTEGER DEFAULT 0, flags INTEGER"
    " DEFAULT 0,date INTEGER DEFAULT 0,bot_reply TEXT DEFAULT '', timebomb_time INTEGER DEFAULT"
    " 60,read_notification_token INTEGER DEFAULT 0,participant_id_1 INTEGER DEFAULT 0)"
)
PARTICIPANTS = (
    "CREATE TABLE IF NOT EXISTS participants (_id INTEGER PRIMARY KEY autoincrement,"
    "conversation_id INTEGER DEFAULT 0,participant_info_id INTEGER DEFAULT 0,last_message_id"
    " INTEGER DEFAULT 0,active INTEGER DEFAULT TRUE, group_role INTEGER DEFAULT 1,"
    " group_role_local INTEGER DEFAULT 1)"
)
PARTICIPANTS_INFO = (
    "CREATE TABLE IF NOT EXISTS participants_info (_id INTEGER PRIMARY KEY autoincrement,number"
    " TEXT,encrypted_number TEXT,display_name TEXT,contact_name TEXT,contact_id INTEGER DEFAULT"
    " 0,viber_id TEXT,viber_name TEXT,viber_image TEXT,participant_type INTEGER DEFAULT 1,"
    " has_contact_name INTEGER DEFAULT 0, native_photo_id INTEGER DEFAULT 0, has_photo INTEGER"
    " DEFAULT 0, member_id TEXT, encrypted_member_id TEXT, participant_info_flags INTEGER DEFAULT"
    " 0, up_date INTEGER DEFAULT 0)"
)
MESSAGES = (
    "CREATE TABLE IF NOT EXISTS messages (_id INTEGER PRIMARY KEY autoincrement,conversation_id"
    " INTEGER DEFAULT 0,order_key INTEGER,msg_date INTEGER NOT NULL,token INTEGER,"
    "conversation_type INTEGER DEFAULT 0,participant_id INTEGER DEFAULT 0,unread INTEGER DEFAULT"
    " 0,flag INTEGER DEFAULT 0,group_id INTEGER DEFAULT 0,extra_flags INTEGER DEFAULT 0,deleted"
    " INTEGER DEFAULT 0,send_type INTEGER NOT NULL,extra_mime INTEGER,user_id TEXT NOT NULL,seq"
    " INTEGER,status INTEGER DEFAULT 0,opened INTEGER DEFAULT 0,sync_read INTEGER DEFAULT 0,"
    "location_lat INTEGER,location_lng INTEGER,extra_uri TEXT,extra_status INTEGER,"
    "message_global_id INTEGER,extra_upload_id INTEGER,extra_download_id TEXT,extra_bucket_name"
    " TEXT,extra_duration INTEGER,body TEXT,description TEXT,msg_info TEXT,event_count INTEGER"
    " DEFAULT 1,likes_count INTEGER DEFAULT 0,spans TEXT,encryption_params TEXT,timebomb INTEGER"
    " DEFAULT 0,read_message_time INTEGER DEFAULT 0,scroll_pos INTEGER DEFAULT 0,"
    "broadcast_msg_id INTEGER DEFAULT 0,quoted_message_data TEXT)"
)
MESSAGE_TABLES = (CONVERSATIONS, PARTICIPANTS, PARTICIPANTS_INFO, MESSAGES)

VIBER_DIR = "data/data/com.viber.voip/databases"
OWNER, ABU, HIDDEN = "+218910000001", "+218912345678", "Zx9+QwMember="
IMAGE = "file:///storage/emulated/0/Viber/media/Viber Images/IMG-20231114-V0001.jpg"
_MSG = (
    "INSERT INTO messages (_id, conversation_id, msg_date, participant_id, send_type, user_id,"
    " body, description, extra_uri, extra_mime, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
# (_id, conversation, msg_date ms, participant row, send_type, user_id, body, description,
#  extra_uri, extra_mime, deleted)
MESSAGE_ROWS: list[tuple[Any, ...]] = [
    (100, 10, 1700000000123, 1, 0, ABU, "غدا صباحا في الميناء", None, None, 0, 0),
    (101, 10, 1700000060000, 5, 1, OWNER, "OK, 5 o'clock", None, None, 0, 0),
    (102, 11, 1700000120000, 4, 0, HIDDEN, "", "the boat", IMAGE, 1, 0),
    (103, 11, 1700000180000, 2, 1, OWNER, "<script>alert(1)</script>", None, None, 0, 1),
]


def make_viber_data(path: Path, tables: tuple[str, ...] = DATA_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO calls (_id, call_id, aggregate_hash, number, canonized_number,"
        " viber_call_type, date, duration, type) VALUES (?,-1,0,?,?,?,?,?,?)",
        [
            (1, ABU, ABU, 1, 1700000300000, 95, 2),
            (2, "0912345678", ABU, 4, 1700000400000, 61, 1),
            (3, "+21650111222", "+21650111222", 1, 1700000500000, 0, 3),
        ],
    )
    if PHONEBOOK_CONTACT in tables:
        conn.executemany(
            "INSERT INTO phonebookcontact (_id, native_id, display_name, viber, deleted)"
            " VALUES (?,?,?,?,?)",
            [(1, 1, "Abu Salem", 1, None), (2, 2, "Old friend", 0, 1)],
        )
    if PHONEBOOK_DATA in tables:
        conn.executemany(
            "INSERT INTO phonebookdata (_id, contact_id, raw_id, data1, data2, data3, data4,"
            " mime_type) VALUES (?,1,?,'0912345678',?,?,'2',0)",
            [(11, 1, ABU, "091-234-5678"), (12, 2, ABU, "0912345678")],
        )
    conn.executemany(
        "INSERT INTO vibernumbers (canonized_number, viber_name, member_id, encrypted_member_id)"
        " VALUES (?,?,?,?)",
        [(ABU, "salem", "AbCdEf==", "em:AQA1"), ("+21650111222", "Karim T", "Qw12==", "em:AQA2")],
    )
    conn.commit()
    conn.close()
    return path


def make_viber_messages(path: Path, tables: tuple[str, ...] = MESSAGE_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO participants_info (_id, number, display_name, contact_name, viber_name,"
        " participant_type, member_id) VALUES (?,?,?,?,?,?,?)",
        [
            (1, OWNER, None, None, "Omar", 0, "OwnerMember="),
            (2, ABU, "Abu Salem", "Abu Salem", "salem", 1, "AbCdEf=="),
            (3, "", None, None, "Karim", 1, HIDDEN),
        ],
    )
    if CONVERSATIONS in tables:
        conn.executemany(
            "INSERT INTO conversations (_id, conversation_type, group_id, name, participant_id_1)"
            " VALUES (?,?,?,?,?)",
            [(10, 0, 0, None, 2), (11, 1, 5551234, "the crossing", 0)],
        )
    conn.executemany(
        "INSERT INTO participants (_id, conversation_id, participant_info_id) VALUES (?,?,?)",
        [(1, 10, 2), (2, 11, 1), (3, 11, 2), (4, 11, 3), (5, 10, 1)],
    )
    if MESSAGES in tables:
        conn.executemany(_MSG, MESSAGE_ROWS)
    conn.commit()
    conn.close()
    return path


RUNS = (
    "SELECT p.parser, f.name, p.status, p.message, p.records, p.warnings FROM parser_runs p"
    " JOIN files f ON f.id = p.file_id ORDER BY f.name"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [Viber()], evidence, RUNS)


def test_extraction_both_databases(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_viber_data(root / VIBER_DIR / "viber_data")
    make_viber_messages(root / VIBER_DIR / "viber_messages")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    ok = {"parser": "viber", "status": "ok", "message": "", "warnings": 0}
    assert runs == [
        {**ok, "name": "viber_data", "records": 5},
        {**ok, "name": "viber_messages", "records": 7},
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 4
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{VIBER_DIR}/viber_messages",
        "volume": None,
        "source_sha256": file_sha256(conn, "viber_messages"),
        "parser": "viber",
        "ts": "2023-11-14T22:13:20.123000Z",
        "ts_raw": 1700000000123,
        "deleted": False,
        "app": "viber",
        "thread": "10",
        "sender": ABU,
        "recipients": [OWNER],
        "direction": "incoming",
        "body": "غدا صباحا في الميناء",
        "attachments": [],
        "thread_name": None,
        "sender_name": "Abu Salem",
        "message_type": 0,
        "source_table": "messages",
        "source_rowid": 100,
    }
    calls = list(records(conn, "call"))
    assert len(calls) == 3
    assert calls[0] == {
        "kind": "call",
        "id": calls[0]["id"],
        "evidence": 1,
        "path": f"/{VIBER_DIR}/viber_data",
        "volume": None,
        "source_sha256": file_sha256(conn, "viber_data"),
        "parser": "viber",
        "ts": "2023-11-14T22:18:20Z",
        "ts_raw": 1700000300000,
        "deleted": False,
        "app": "viber",
        "number": ABU,
        "name": "Abu Salem",
        "direction": "outgoing",
        "duration_s": 95,
        "call_type": 2,
        "video": False,
        "source_table": "calls",
        "source_rowid": 1,
    }


def test_messages_details(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_viber_messages(tmp_path / "loose" / "viber_messages"))
    messages = list(records(conn, "message"))
    sent = messages[1]
    assert (sent["direction"], sent["sender"], sent["sender_name"]) == ("outgoing", OWNER, "Omar")
    assert sent["recipients"] == [ABU]
    photo = messages[2]
    assert (photo["sender"], photo["sender_name"], photo["thread_name"]) == (
        HIDDEN,
        "Karim",
        "the crossing",
    )
    assert photo["recipients"] == [OWNER, ABU]
    assert (photo["body"], photo["attachments"], photo["message_type"]) == ("the boat", [IMAGE], 1)
    deleted = messages[3]
    assert deleted["deleted"] is True and deleted["body"] == "<script>alert(1)</script>"
    assert deleted["recipients"] == [ABU, HIDDEN]
    contacts = list(records(conn, "contact"))
    assert [(c["name"], c["phones"], c["member_id"], c.get("is_account")) for c in contacts] == [
        ("Omar", [OWNER], "OwnerMember=", True),
        ("Abu Salem", [ABU], "AbCdEf==", None),
        ("Karim", [], HIDDEN, None),
    ]


def test_calls_and_address_book(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_viber_data(tmp_path / "loose" / "viber_data"))
    calls = list(records(conn, "call"))
    assert [(c["number"], c["name"], c["direction"], c["duration_s"]) for c in calls] == [
        (ABU, "Abu Salem", "outgoing", 95),
        ("0912345678", "Abu Salem", "incoming", 61),
        ("+21650111222", "Karim T", "missed", 0),  # name from vibernumbers only
    ]
    assert calls[1]["canonized_number"] == ABU and calls[1]["video"] is True
    contacts = list(records(conn, "contact"))
    assert [(c["name"], c["phones"], c["viber_user"], c["deleted"]) for c in contacts] == [
        ("Abu Salem", [ABU], True, False),
        ("Old friend", [], False, True),
    ]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_viber_messages(tmp_path / "src" / "viber_messages"),
        tmp_path / "phone" / VIBER_DIR / "viber_messages",
    )
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    # The pre-2013 single database kept `date`/`type` in `messages`: not this schema.
    old = "CREATE TABLE messages (_id INTEGER PRIMARY KEY, conversation_id INTEGER, body TEXT,"
    old += " participant_id INTEGER, date INTEGER, type INTEGER)"
    db = make_viber_messages(tmp_path / "phone" / "viber_messages", (*MESSAGE_TABLES[:3], old))
    _, runs = _scan(tmp_path, db.parent)
    assert runs[0]["status"] == "error"
    assert "messages.msg_date" in runs[0]["message"] and "messages.send_type" in runs[0]["message"]


def test_missing_side_tables_are_warnings(tmp_path: Path) -> None:
    root = tmp_path / "phone"
    make_viber_messages(root / "viber_messages", MESSAGE_TABLES[1:])
    make_viber_data(root / "viber_data", (CALLS, PHONEBOOK_CONTACT, VIBER_NUMBERS))
    conn, rows = _scan(tmp_path, root)
    runs = {r["name"]: r for r in rows}
    assert (runs["viber_messages"]["status"], runs["viber_messages"]["warnings"]) == ("ok", 1)
    assert "conversations" in runs["viber_messages"]["message"]
    assert (runs["viber_data"]["status"], runs["viber_data"]["warnings"]) == ("ok", 1)
    assert "phonebookdata" in runs["viber_data"]["message"]
    calls = list(records(conn, "call"))
    assert [c["name"] for c in calls] == ["salem", "salem", "Karim T"]
    assert {m["thread_name"] for m in records(conn, "message")} == {None}


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_viber_messages(tmp_path / "phone" / "viber_messages")
    conn = sqlite3.connect(db)
    conn.execute(_MSG, (104, 10, 1700000200000, 1, "garbage", ABU, "x", None, None, 0, 0))
    conn.execute(_MSG, (105, 10, 99999999999999, 1, 0, ABU, b"\xff", None, None, 0, 0))
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 8 and runs[0]["warnings"] == 1
    assert "row 104" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert last["source_rowid"] == 105 and last["ts"] is None
    assert last["ts_raw"] == 99999999999999 and last["body"] == "\ufffd"


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "phone"
    root.mkdir()
    for name, ddl in (
        ("viber_data", "CREATE TABLE calls (id INTEGER PRIMARY KEY, who TEXT)"),
        ("viber_messages", "CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)"),
    ):
        conn = sqlite3.connect(root / name)
        conn.execute(ddl)
        conn.commit()
        conn.close()
    _, runs = _scan(tmp_path, root)
    assert [(r["name"], r["status"]) for r in runs] == [
        ("viber_data", "skipped"),
        ("viber_messages", "skipped"),
    ]
    assert "not a viber database" in runs[0]["message"]


def test_corpus_plaso_viber_data(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/viber_data")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert (runs[0]["status"], runs[0]["records"], runs[0]["warnings"]) == ("ok", 9, 0)
    calls = list(records(conn, "call"))
    assert [
        (c["ts"][:10], c["number"], c["duration_s"], c["direction"], c["video"]) for c in calls
    ] == [
        ("2022-11-25", "+19198887386", 98, "incoming", False),
        ("2022-11-25", "+19198887386", 100, "outgoing", False),
        ("2022-11-25", "+19198887386", 95, "incoming", True),
        ("2022-11-25", "+19198887386", 105, "outgoing", True),
    ]
    assert calls[0]["ts"] == "2022-11-25T20:34:25.582000Z" and calls[0]["ts_raw"] == 1669408465582
    assert {c["name"] for c in calls} == {"This Is DFIR Two"}
    # The address-book copy: 5 contacts, the caller the only Viber user among them.
    contacts = list(records(conn, "contact"))
    assert [(c["name"], c["phones"], c["viber_user"]) for c in contacts] == [
        ("ThisIs DFIRThree", [], False),
        ("Josh Hickman", ["+19195790479", "+19193912507"], False),
        ("Liz", ["+19192084530"], False),
        ("This Is DFIR Two", ["+19198887386"], True),
        ("Thom De'Fer", ["+19198027080"], False),
    ]
    assert list(records(conn, "message")) == []
