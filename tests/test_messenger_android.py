"""Messenger for Android parser: generated threads_db2 and msys_database_<fbid>, bad input.

No real database is available. The tables below are the columns ALEAPP's `fbmessenger.py`
queries read (threads_db2: messages/thread_users/threads; msys: messages/contacts/threads/
attachments/participants), written from that knowledge and cut short: a real database has many
more columns, which the parser tolerates.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import file_sha256, scan_with, truncated_copy

from parsers.messenger_android import MessengerAndroid
from triage_app.core.export import records

ORCA = "data/data/com.facebook.orca/databases"
OWNER, ABU, KARIM = "100001234", "100005678", "100009999"
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'

LEGACY_MESSAGES = (
    "CREATE TABLE messages (msg_id TEXT PRIMARY KEY, thread_key TEXT, action_id INTEGER, text"
    " TEXT, sender TEXT, is_not_forwardable INTEGER, timestamp_ms INTEGER, timestamp_sent_ms"
    " INTEGER, attachments TEXT, shares TEXT, msg_type INTEGER, affected_users TEXT, coordinates"
    " TEXT, offline_threading_id TEXT, source TEXT, send_error TEXT, pending_send_media_attachment"
    " TEXT, generic_admin_message_extensible_data TEXT)"
)
THREAD_USERS = (
    "CREATE TABLE thread_users (user_key TEXT PRIMARY KEY, first_name TEXT, last_name TEXT,"
    " name TEXT, username TEXT, profile_pic_square TEXT, is_messenger_user INTEGER)"
)
LEGACY_THREADS = (
    "CREATE TABLE threads (thread_key TEXT PRIMARY KEY, thread_fbid TEXT, name TEXT, senders"
    " TEXT, snippet TEXT, timestamp_ms INTEGER)"
)
LEGACY_TABLES = (LEGACY_MESSAGES, THREAD_USERS, LEGACY_THREADS)
_LEGACY_MSG = (
    "INSERT INTO messages (msg_id, thread_key, text, sender, timestamp_ms, attachments, msg_type)"
    " VALUES (?,?,?,?,?,?,?)"
)


def _sender(user_id: str, name: str) -> str:
    return json.dumps({"user_key": f"FACEBOOK:{user_id}", "name": name}, ensure_ascii=False)


PHOTO = json.dumps([{"id": "a1", "filename": "image-7281.jpg", "mime_type": "image/jpeg"}])
LEGACY_ROWS: list[tuple[Any, ...]] = [
    ("m_1", f"ONE_TO_ONE:{ABU}:{OWNER}", "غدا صباحا في الميناء", _sender(ABU, "أبو سالم"),
     1700000000123, "[]", 0),
    ("m_2", "GROUP:7788", None, _sender(OWNER, "عمر"), 1700000060000, PHOTO, 0),
    ("m_3", "GROUP:7788", HOSTILE, _sender(KARIM, "كريم"), 1700000120000, None, 0),
]  # fmt: skip


def make_threads_db2(path: Path, tables: tuple[str, ...] = LEGACY_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(_LEGACY_MSG, LEGACY_ROWS)
    conn.executemany(
        "INSERT INTO thread_users (user_key, name, username) VALUES (?,?,?)",
        [(f"FACEBOOK:{ABU}", "أبو سالم", "abu.salem"), (f"FACEBOOK:{KARIM}", "كريم", None)],
    )
    if LEGACY_THREADS in tables:
        conn.execute("INSERT INTO threads (thread_key, name) VALUES ('GROUP:7788', 'العبور')")
    conn.commit()
    conn.close()
    return path


MSYS_MESSAGES = (
    "CREATE TABLE messages (thread_key INTEGER NOT NULL, timestamp_ms INTEGER NOT NULL,"
    " message_id TEXT NOT NULL, offline_threading_id TEXT, sender_id INTEGER NOT NULL, text"
    " TEXT, is_admin_message INTEGER, send_status INTEGER, PRIMARY KEY (thread_key,"
    " timestamp_ms, message_id))"
)
CONTACTS = (
    "CREATE TABLE contacts (id INTEGER PRIMARY KEY, profile_picture_url TEXT, name TEXT,"
    " normalized_name_for_search TEXT, is_messenger_user INTEGER)"
)
MSYS_THREADS = (
    "CREATE TABLE threads (thread_key INTEGER PRIMARY KEY, thread_type INTEGER, thread_name"
    " TEXT, last_activity_timestamp_ms INTEGER)"
)
ATTACHMENTS = (
    "CREATE TABLE attachments (thread_key INTEGER, message_id TEXT, attachment_fbid TEXT,"
    " filename TEXT, filesize INTEGER, attachment_type INTEGER, playable_url TEXT,"
    " playable_url_mime_type TEXT, preview_url TEXT)"
)
PARTICIPANTS = "CREATE TABLE participants (thread_key INTEGER, contact_id INTEGER)"
MSYS_TABLES = (MSYS_MESSAGES, CONTACTS, MSYS_THREADS, ATTACHMENTS, PARTICIPANTS)
_MSYS_MSG = (
    "INSERT INTO messages (thread_key, timestamp_ms, message_id, sender_id, text)"
    " VALUES (?,?,?,?,?)"
)
VIDEO = "https://video.xx.fbcdn.net/v/t42/crossing.mp4"
MSYS_ROWS: list[tuple[Any, ...]] = [
    (5678, 1700000000123, "mid.$a1", int(ABU), "غدا صباحا في الميناء"),
    (5678, 1700000060000, "mid.$a2", int(OWNER), "حسنا"),
    (7788, 1700000120000, "mid.$a3", int(KARIM), None),
    (7788, 1700000180000, "mid.$a4", int(KARIM), HOSTILE),
]


def make_msys(path: Path, tables: tuple[str, ...] = MSYS_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(_MSYS_MSG, MSYS_ROWS)
    conn.executemany(
        "INSERT INTO contacts (id, name) VALUES (?,?)",
        [(int(OWNER), "عمر"), (int(ABU), "أبو سالم"), (int(KARIM), "كريم")],
    )
    if MSYS_THREADS in tables:
        conn.executemany(
            "INSERT INTO threads (thread_key, thread_type, thread_name) VALUES (?,?,?)",
            [(5678, 1, None), (7788, 2, "العبور")],
        )
    if ATTACHMENTS in tables:
        conn.execute(
            "INSERT INTO attachments (thread_key, message_id, filename, playable_url,"
            " playable_url_mime_type, attachment_type) VALUES (7788, 'mid.$a3', NULL, ?,"
            " 'video/mp4', 4)",
            (VIDEO,),
        )
    if PARTICIPANTS in tables:
        conn.executemany(
            "INSERT INTO participants (thread_key, contact_id) VALUES (?,?)",
            [(5678, int(OWNER)), (5678, int(ABU)), (7788, int(OWNER)), (7788, int(ABU)),
             (7788, int(KARIM))],
        )  # fmt: skip
    conn.commit()
    conn.close()
    return path


RUNS = (
    "SELECT f.name, p.status, p.message, p.records, p.warnings FROM parser_runs p"
    " JOIN files f ON f.id = p.file_id ORDER BY f.name"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [MessengerAndroid()], evidence, RUNS)


def test_msys_extraction(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_msys(root / ORCA / f"msys_database_{OWNER}")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    name = f"msys_database_{OWNER}"
    assert runs == [{"name": name, "status": "ok", "message": "", "records": 7, "warnings": 0}]
    messages = list(records(conn, "message"))
    assert len(messages) == 4
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{ORCA}/{name}",
        "volume": None,
        "source_sha256": file_sha256(conn, name),
        "parser": "messenger_android",
        "ts": "2023-11-14T22:13:20.123000Z",
        "ts_raw": 1700000000123,
        "deleted": False,
        "app": "messenger",
        "thread": "5678",
        "sender": ABU,
        "recipients": [OWNER],
        "direction": "incoming",
        "body": "غدا صباحا في الميناء",
        "attachments": [],
        "thread_name": None,
        "sender_name": "أبو سالم",
        "message_id": "mid.$a1",
        "source_table": "messages",
        "source_rowid": 1,
    }
    assert (messages[1]["direction"], messages[1]["sender_name"]) == ("outgoing", "عمر")
    assert messages[1]["recipients"] == [ABU]
    video = messages[2]
    assert (video["thread_name"], video["body"], video["attachments"]) == ("العبور", None, [VIDEO])
    assert video["media_mime"] == "video/mp4" and video["recipients"] == [OWNER, ABU]
    assert messages[3]["body"] == HOSTILE  # stored text, verbatim; never rendered here
    contacts = list(records(conn, "contact"))
    assert contacts[0] == {
        "kind": "contact",
        "id": contacts[0]["id"],
        "evidence": 1,
        "path": f"/{ORCA}/{name}",
        "volume": None,
        "source_sha256": file_sha256(conn, name),
        "parser": "messenger_android",
        "ts": None,
        "ts_raw": None,
        "deleted": False,
        "app": "messenger",
        "name": "عمر",
        "phones": [],
        "emails": [],
        "user_id": OWNER,
        "is_account": True,
        "source_table": "contacts",
        "source_rowid": int(OWNER),
    }
    assert [(c["name"], c.get("is_account")) for c in contacts[1:]] == [
        ("أبو سالم", None),
        ("كريم", None),
    ]


def test_msys_without_fbid_in_name_has_no_direction(tmp_path: Path) -> None:
    conn, runs = _scan(tmp_path, make_msys(tmp_path / "loose" / "msys_database_copy"))
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 0
    assert {m["direction"] for m in records(conn, "message")} == {None}


def test_threads_db2_extraction(tmp_path: Path) -> None:
    root = tmp_path / "phone"
    make_threads_db2(root / ORCA / "threads_db2")
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"name": "threads_db2", "status": "ok", "message": "", "records": 5, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{ORCA}/threads_db2",
        "volume": None,
        "source_sha256": file_sha256(conn, "threads_db2"),
        "parser": "messenger_android",
        "ts": "2023-11-14T22:13:20.123000Z",
        "ts_raw": 1700000000123,
        "deleted": False,
        "app": "messenger",
        "thread": f"ONE_TO_ONE:{ABU}:{OWNER}",
        "sender": ABU,
        "recipients": [],
        "direction": None,
        "body": "غدا صباحا في الميناء",
        "attachments": [],
        "thread_name": None,
        "sender_name": "أبو سالم",
        "message_type": 0,
        "message_id": "m_1",
        "source_table": "messages",
        "source_rowid": 1,
    }
    photo = messages[1]
    assert (photo["thread_name"], photo["attachments"], photo["media_mime"]) == (
        "العبور",
        ["image-7281.jpg"],
        "image/jpeg",
    )
    assert messages[2]["body"] == HOSTILE
    contacts = list(records(conn, "contact"))
    assert contacts[0] == {
        "kind": "contact",
        "id": contacts[0]["id"],
        "evidence": 1,
        "path": f"/{ORCA}/threads_db2",
        "volume": None,
        "source_sha256": file_sha256(conn, "threads_db2"),
        "parser": "messenger_android",
        "ts": None,
        "ts_raw": None,
        "deleted": False,
        "app": "messenger",
        "name": "أبو سالم",
        "phones": [],
        "emails": [],
        "user_id": ABU,
        "username": "abu.salem",
        "source_table": "thread_users",
        "source_rowid": 1,
    }
    assert "username" not in contacts[1]


def test_bad_json_columns_keep_the_message(tmp_path: Path) -> None:
    db = make_threads_db2(tmp_path / "phone" / "threads_db2")
    conn = sqlite3.connect(db)
    deep = "[" * 100000  # RecursionError territory; also not JSON
    conn.execute(_LEGACY_MSG, ("m_9", "GROUP:7788", "x", "{not json", 1700000200000, deep, 0))
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 0 and runs[0]["records"] == 6
    last = list(records(case, "message"))[-1]
    assert (last["sender"], last["sender_raw"], last["attachments"]) == (None, "{not json", [])
    assert last["attachments_raw"] == deep


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_msys(tmp_path / "src" / f"msys_database_{OWNER}"),
        tmp_path / "phone" / ORCA / f"msys_database_{OWNER}",
    )
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    old = "CREATE TABLE messages (message_id TEXT, thread_key INTEGER, text TEXT)"
    db = make_msys_bare(tmp_path / "phone" / f"msys_database_{OWNER}", old)
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "error"
    assert "messages.timestamp_ms" in runs[0]["message"]
    assert "messages.sender_id" in runs[0]["message"]


def make_msys_bare(path: Path, messages_ddl: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(messages_ddl)
    conn.execute(CONTACTS)
    conn.commit()
    conn.close()
    return path


def test_missing_side_tables_are_warnings(tmp_path: Path) -> None:
    root = tmp_path / "phone"
    make_msys(root / f"msys_database_{OWNER}", (MSYS_MESSAGES, CONTACTS))
    make_threads_db2(root / "threads_db2", (LEGACY_MESSAGES, THREAD_USERS))
    conn, rows = _scan(tmp_path, root)
    runs = {r["name"]: r for r in rows}
    msys = runs[f"msys_database_{OWNER}"]
    assert (msys["status"], msys["records"], msys["warnings"]) == ("ok", 7, 3)
    assert "attachments" in msys["message"] and "participants" in msys["message"]
    legacy = runs["threads_db2"]
    assert (legacy["status"], legacy["records"], legacy["warnings"]) == ("ok", 5, 1)
    assert "threads" in legacy["message"]
    assert {m["thread_name"] for m in records(conn, "message")} == {None}


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_msys(tmp_path / "phone" / f"msys_database_{OWNER}")
    conn = sqlite3.connect(db)
    conn.execute(_MSYS_MSG, (5678, 1700000300000, "mid.$bad", "garbage", "x"))
    conn.execute(_MSYS_MSG, (5678, 99999999999999, "mid.$far", int(ABU), b"\xff"))
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 8 and runs[0]["warnings"] == 1
    assert "mid.$bad" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert last["message_id"] == "mid.$far" and last["ts"] is None
    assert last["ts_raw"] == 99999999999999 and last["body"] == "\ufffd"


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "phone"
    root.mkdir()
    for name in ("threads_db2", "msys_database_42"):
        conn = sqlite3.connect(root / name)
        conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)")
        conn.commit()
        conn.close()
    _, runs = _scan(tmp_path, root)
    assert [(r["name"], r["status"]) for r in runs] == [
        ("msys_database_42", "skipped"),
        ("threads_db2", "skipped"),
    ]
    assert "not a messenger database" in runs[0]["message"]
