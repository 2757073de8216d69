"""Google Hangouts parser: generated babel0.db with the app's schema, bad input, the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import scan_with, truncated_copy

from parsers.hangouts import Hangouts
from triage_app.core.export import records

# Tables as Hangouts (com.google.android.talk, 2017) creates them: names, types and order verbatim
# from plaso's babel.db; `messages` is cut after `longitude` and `conversations` after
# `generated_name` (the last columns the parser reads; the real tables run to ~70 columns).
MESSAGES = (
    "CREATE TABLE messages (_id INTEGER PRIMARY KEY, message_id TEXT, message_type INT,"
    " conversation_id TEXT, author_chat_id TEXT, author_gaia_id TEXT, text TEXT, timestamp INT,"
    " delete_after_read_timetamp INT, status INT, type INT, local_url TEXT, remote_url TEXT,"
    " attachment_content_type TEXT, width_pixels INT, height_pixels INT, stream_id TEXT,"
    " image_id TEXT, album_id TEXT, latitude DOUBLE, longitude DOUBLE)"
)
PARTICIPANTS = (
    "CREATE TABLE participants (_id INTEGER PRIMARY KEY, participant_type INT DEFAULT 1, gaia_id"
    " TEXT, chat_id TEXT, phone_id TEXT, circle_id TEXT, first_name TEXT, full_name TEXT,"
    " fallback_name TEXT, profile_photo_url TEXT, batch_gebi_tag STRING DEFAULT('-1'), blocked"
    " INT DEFAULT(0), in_users_domain BOOLEAN, UNIQUE (circle_id) ON CONFLICT REPLACE, UNIQUE"
    " (chat_id) ON CONFLICT REPLACE, UNIQUE (gaia_id) ON CONFLICT REPLACE)"
)
CONVERSATION_PARTICIPANTS = (
    "CREATE TABLE conversation_participants (_id INTEGER PRIMARY KEY, participant_row_id INT,"
    " participant_type INT, conversation_id TEXT, sequence INT, active INT, invitation_status"
    " INT DEFAULT(0), UNIQUE (conversation_id,participant_row_id) ON CONFLICT REPLACE)"
)
CONVERSATIONS = (
    "CREATE TABLE conversations (_id INTEGER PRIMARY KEY, conversation_id TEXT,"
    " conversation_type INT, latest_message_timestamp INT DEFAULT(0),"
    " latest_message_expiration_timestamp INT, metadata_present INT,notification_level INT,"
    " name TEXT, generated_name TEXT, UNIQUE (conversation_id ))"
)
ALL_TABLES = (MESSAGES, PARTICIPANTS, CONVERSATION_PARTICIPANTS, CONVERSATIONS)
TALK_DIR = "data/data/com.google.android.talk/databases"
ONE, GROUP = "UgwPRIVATEchat4AaABAQ", "UgzGROUPchat4AaABAg"
ME, YUSUF, KARIM = "101010101010101010101", "202020202020202020202", "303030303030303030303"
PHOTO = "https://lh3.googleusercontent.com/-abc/photo.jpg"
IMAGE = "content://media/external/images/9"
_MSG = (
    "INSERT INTO messages (_id, message_id, conversation_id, author_chat_id, author_gaia_id, text,"
    " timestamp, status, type, local_url, remote_url, attachment_content_type, latitude,"
    " longitude) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
# (_id, conversation, author, text, timestamp µs, status, type, local, remote, mime, lat, lon)
MESSAGE_ROWS: list[tuple[Any, ...]] = [
    (1, ONE, YUSUF, "غدا صباحا في الميناء &amp; لا تتأخر", 1700000000123456, 4, 2) + (None,) * 5,
    (2, ONE, ME, "It&#39;s ready &lt;b&gt;", 1700000060000000, 4, 1) + (None,) * 5,
    (3, GROUP, KARIM, None, 1700000120000000, 0, 2, IMAGE, PHOTO, "image/jpeg", None, None),
    (4, GROUP, ME, "here", 1700000180000000, 4, 1, None, None, None, 32.8872, 13.1913),
    (5, GROUP, KARIM, None, 1700000240000000, 4, 4) + (None,) * 5,  # not a user message
]


def make_babel(path: Path, tables: tuple[str, ...] = ALL_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(
        _MSG,
        [(r[0], f"8V6{r[0]:03}", r[1], r[2], r[2], *r[3:]) for r in MESSAGE_ROWS],
    )
    conn.executemany(
        "INSERT INTO participants (_id, gaia_id, chat_id, phone_id, first_name, full_name,"
        " fallback_name, blocked) VALUES (?,?,?,?,?,?,?,?)",
        [
            (1, ME, ME, None, "Amira", "Amira K", "amira.k@gmail.com", 0),
            (2, YUSUF, YUSUF, "+218912345678", "Yusuf", "Yusuf Haddad", "Yusuf Haddad", 1),
            (3, KARIM, KARIM, None, None, None, "Karim", 0),
        ],
    )
    if CONVERSATION_PARTICIPANTS in tables:
        conn.executemany(
            "INSERT INTO conversation_participants (_id, participant_row_id, conversation_id,"
            " sequence, active) VALUES (?,?,?,1,1)",
            [(1, 2, ONE), (2, 1, ONE), (3, 1, GROUP), (4, 2, GROUP), (5, 3, GROUP)],
        )
    conn.executemany(
        "INSERT INTO conversations (_id, conversation_id, conversation_type, name,"
        " generated_name) VALUES (?,?,?,?,?)",
        [(1, ONE, 1, None, "Yusuf Haddad"), (2, GROUP, 2, "the crossing", "Yusuf, Karim")],
    )
    conn.commit()
    conn.close()
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [Hangouts()], evidence)


def test_extraction(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_babel(root / TALK_DIR / "babel0.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"parser": "hangouts", "status": "ok", "message": "", "records": 8, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 5
    sha = conn.execute("SELECT sha256 FROM files WHERE path LIKE '%/babel0.db'").fetchone()[0]
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{TALK_DIR}/babel0.db",
        "volume": None,
        "source_sha256": sha,
        "parser": "hangouts",
        "ts": "2023-11-14T22:13:20.123456Z",
        "ts_raw": 1700000000123456,
        "deleted": False,
        "app": "hangouts",
        "thread": ONE,
        "sender": YUSUF,
        "recipients": [ME],
        "direction": "incoming",
        "body": "غدا صباحا في الميناء & لا تتأخر",
        "attachments": [],
        "thread_name": "Yusuf Haddad",
        "sender_name": "Yusuf Haddad",
        "message_type": 2,
        "status": 4,
        "body_html": "غدا صباحا في الميناء &amp; لا تتأخر",
        "source_table": "messages",
        "source_rowid": 1,
    }
    sent = messages[1]
    assert (sent["direction"], sent["sender"], sent["recipients"]) == ("outgoing", ME, [YUSUF])
    # Character references are decoded to the literal text; markup is never interpreted.
    assert sent["body"] == "It's ready <b>" and sent["body_html"] == "It&#39;s ready &lt;b&gt;"
    photo = messages[2]
    assert photo["thread_name"] == "the crossing" and photo["sender_name"] == "Karim"
    assert photo["recipients"] == [ME, YUSUF] and photo["body"] is None
    assert photo["attachments"] == [IMAGE]
    assert (photo["media_mime"], photo["media_url"]) == ("image/jpeg", PHOTO)
    assert (messages[3]["lat"], messages[3]["lon"]) == (32.8872, 13.1913)
    # Type 4 is no user message: its direction comes from the author vs. the account.
    assert (messages[4]["message_type"], messages[4]["direction"]) == (4, "incoming")


def test_participants_are_contacts(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_babel(tmp_path / "loose" / "babel1.db"))
    contacts = list(records(conn, "contact"))
    assert [
        (c["name"], c["phones"], c["emails"], c["chat_id"], c.get("blocked"), c.get("is_account"))
        for c in contacts
    ] == [
        ("Amira K", [], ["amira.k@gmail.com"], ME, None, True),
        ("Yusuf Haddad", ["+218912345678"], [], YUSUF, True, None),
        ("Karim", [], [], KARIM, None, None),
    ]
    assert contacts[0]["ts"] is None and contacts[0]["source_table"] == "participants"


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_babel(tmp_path / "src" / "babel0.db"), tmp_path / "phone" / TALK_DIR / "babel0.db"
    )
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "phone" / TALK_DIR / "babel0.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(PARTICIPANTS)
    conn.execute(CONVERSATIONS)
    conn.execute("CREATE TABLE messages (_id INTEGER PRIMARY KEY, conversation_id TEXT, text TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs[0]["status"] == "error"
    assert "messages.timestamp" in runs[0]["message"]
    assert "messages.author_chat_id" in runs[0]["message"]


def test_missing_side_table_is_a_warning(tmp_path: Path) -> None:
    tables = (MESSAGES, PARTICIPANTS, CONVERSATIONS)
    conn, runs = _scan(tmp_path, make_babel(tmp_path / "phone" / "babel0.db", tables))
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 8 and runs[0]["warnings"] == 1
    assert "conversation_participants" in runs[0]["message"]
    assert all(m["recipients"] == [] for m in records(conn, "message"))


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_babel(tmp_path / "phone" / "babel0.db")
    conn = sqlite3.connect(db)
    conn.execute(_MSG, (6, "x", ONE, YUSUF, YUSUF, "??", 1, 4, "garbage", *(None,) * 5))
    conn.execute(_MSG, (7, "y", ONE, YUSUF, YUSUF, b"\xff", 99999999999999999, 4, 2, *(None,) * 5))
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 9 and runs[0]["warnings"] == 1
    assert "row 6" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert last["source_rowid"] == 7 and last["ts"] is None
    assert last["ts_raw"] == 99999999999999999 and last["body"] == "\ufffd"


def test_unrelated_babel_db_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "phone" / "babel0.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "skipped" and "participants" in runs[0]["message"]


def test_corpus_plaso_babel(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/babel.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 0
    messages = list(records(conn, "message"))
    assert len(messages) == 14
    stamps = sorted(m["ts"] for m in messages)
    assert (stamps[0], stamps[-1]) == ("2017-07-17T04:39:08.448375Z", "2017-07-17T06:05:40.361830Z")
    second = messages[1]
    assert (second["body"], second["sender_name"], second["direction"]) == (
        "How are you?",
        "John Macron",
        "incoming",
    )
    assert second["ts"] == "2017-07-17T04:41:54.326967Z"
    assert [m["direction"] for m in messages].count("outgoing") == 6
    assert {m["sender_name"] for m in messages if m["direction"] == "outgoing"} == {"Hallym Betty"}
    assert messages[6]["body"] == "It's too late now! U promised"
    contacts = list(records(conn, "contact"))
    assert [(c["name"], c["emails"], c.get("is_account"), c.get("blocked")) for c in contacts] == [
        ("Hallym Betty", ["bettyhallym@gmail.com"], True, None),
        ("John Macron", [], None, True),
    ]
