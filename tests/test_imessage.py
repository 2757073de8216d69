"""Apple Messages parser: generated sms.db/chat.db with the real schema, bad input, the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import scan_with, truncated_copy

from parsers.imessage import IMessage, attributed_text, cocoa_date
from triage_app.core.export import records
from triage_app.sample.ios_schemas import SMS_DB as SCHEMA

SMS_DIR = "private/var/mobile/Library/SMS"
LIBYA, TUNISIA = "+218912345678", "+21650111222"
LONG_ARABIC = "موعد القارب غدا عند الفجر في زوارة، أحضر المال نقدا ولا تخبر أحدا " * 2


# What follows the string: the attribute runs (one run, one dictionary).
TAIL = b"\x86\x84\x02iI\x01\x0e\x92\x84\x84\x84\x0cNSDictionary\x00\x95\x84\x01i\x01\x86"


def typedstream(text: str, version: bytes = b"\x94") -> bytes:
    """An NSAttributedString typedstream as Messages writes `attributedBody` (macOS 13)."""
    data = text.encode("utf-8")
    if len(data) < 0x80:
        length = bytes([len(data)])
    elif len(data) < 0x8000:
        length = b"\x81" + len(data).to_bytes(2, "little")
    else:
        length = b"\x82" + len(data).to_bytes(4, "little")
    head = (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01" + version + b"\x84\x01+"
    )
    return head + length + data + TAIL


_INSERT = (
    "INSERT INTO message (ROWID, guid, text, handle_id, attributedBody, service, date,"
    " is_from_me, is_read, cache_has_attachments) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
# 2023-11-14T22:13:20Z = 721692800 s after 2001-01-01: row 1 in ns (iOS 11+), row 2 in s.
MESSAGE_ROWS: list[tuple[Any, ...]] = [
    (1, "G1", "السلام عليكم", 1, None, "iMessage", 721692800_000000000, 0, 1, 0),
    (2, "G2", "<b>send the money</b>", 0, None, "SMS", 721692860, 1, 1, 1),
    (3, "G3", None, 2, typedstream(LONG_ARABIC), "SMS", 721692920_250000000, 0, 0, 0),
    (
        4,
        "G4",
        None,
        2,
        typedstream("cut here")[: -len(TAIL) - 2],
        "SMS",
        721692980_000000000,
        0,
        0,
        0,
    ),
]


def make_messages_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in SCHEMA:
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO handle (ROWID, id, country, service) VALUES (?,?,?,?)",
        [(1, LIBYA, "ly", "iMessage"), (2, TUNISIA, "tn", "SMS")],
    )
    conn.executemany(
        "INSERT INTO chat (ROWID, guid, style, chat_identifier, service_name, display_name)"
        " VALUES (?,?,?,?,?,?)",
        [
            (1, f"iMessage;-;{LIBYA}", 45, LIBYA, "iMessage", ""),
            (2, "SMS;+;chat7", 43, "chat7", "SMS", "Zuwara crossing"),
        ],
    )
    conn.executemany("INSERT INTO chat_handle_join VALUES (?,?)", [(1, 1), (2, 1), (2, 2)])
    conn.executemany("INSERT INTO chat_message_join VALUES (?,?)", [(1, 1), (2, 2), (2, 3), (2, 4)])
    conn.executemany(_INSERT, MESSAGE_ROWS)
    conn.execute(
        "INSERT INTO attachment (ROWID, guid, filename, uti, mime_type, transfer_name,"
        " total_bytes) VALUES (1, 'A1', '~/Library/SMS/Attachments/0a/10/A1/IMG_0001.HEIC',"
        " 'public.heic', 'image/heic', 'IMG_0001.HEIC', 912345)"
    )
    conn.execute("INSERT INTO message_attachment_join VALUES (2, 1)")
    conn.commit()
    conn.close()
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [IMessage()], evidence)


def test_ios_extraction(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "iphone"
    make_messages_db(root / SMS_DIR / "sms.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"parser": "imessage", "status": "ok", "message": "", "records": 4, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    sha = conn.execute("SELECT sha256 FROM files WHERE path LIKE '%/sms.db'").fetchone()[0]
    sent = messages[1]
    assert sent == {
        "kind": "message",
        "id": sent["id"],
        "evidence": 1,
        "path": f"/{SMS_DIR}/sms.db",
        "volume": None,
        "source_sha256": sha,
        "parser": "imessage",
        "ts": "2023-11-14T22:14:20Z",
        "ts_raw": 721692860,
        "deleted": False,
        "app": "sms",
        "thread": "chat7",
        "sender": None,
        "recipients": [LIBYA, TUNISIA],
        "direction": "outgoing",
        "body": "<b>send the money</b>",
        "attachments": ["~/Library/SMS/Attachments/0a/10/A1/IMG_0001.HEIC"],
        "service": "SMS",
        "thread_name": "Zuwara crossing",
        "read": 1,
        "source_table": "message",
        "source_rowid": 2,
    }
    first = messages[0]
    assert (first["app"], first["sender"], first["recipients"], first["thread"]) == (
        "imessage",
        LIBYA,
        [],
        LIBYA,
    )
    assert first["ts"] == "2023-11-14T22:13:20Z" and first["direction"] == "incoming"
    decoded = messages[2]
    assert decoded["body"] == LONG_ARABIC and decoded["body_from"] == "attributedBody"
    assert decoded["sender"] == TUNISIA and decoded["recipients"] == [LIBYA]
    assert decoded["ts"] == "2023-11-14T22:15:20.250000Z"
    assert messages[3]["body"] == "cut he"  # a truncated blob gives what is there


def test_attributed_text_is_best_effort() -> None:
    assert attributed_text(typedstream("hi", b"\x95")) == "hi"
    long = "x" * 70000
    assert attributed_text(typedstream(long)) == long  # 0x82: four-byte length
    blob = typedstream(LONG_ARABIC)
    for cut in range(len(blob)):
        attributed_text(blob[:cut])  # never raises
    assert (attributed_text(blob[:120]) or "").startswith("موعد")
    assert attributed_text(b"no class marker") is None
    assert attributed_text("not bytes") is None
    assert attributed_text(b"NSString\x01\x94\x84\x01+\xff") is None


def test_cocoa_date_unit_per_value() -> None:
    assert cocoa_date(721692800) == cocoa_date(721692800_000000000)
    assert cocoa_date(0) is None and cocoa_date(None) is None and cocoa_date("x") is None


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_messages_db(tmp_path / "src" / "sms.db"), tmp_path / "iphone" / SMS_DIR / "sms.db"
    )
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "mac" / "Library" / "Messages" / "chat.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(SCHEMA[0])
    conn.execute("CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, handle_id INTEGER)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "mac")
    assert runs[0]["status"] == "error"
    assert "message.date" in runs[0]["message"] and "message.is_from_me" in runs[0]["message"]


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_messages_db(tmp_path / "loose" / "chat.db")
    conn = sqlite3.connect(db)
    conn.execute(_INSERT, (5, "G5", "x", 1, None, "iMessage", 1, "garbage", 0, 0))
    conn.execute(_INSERT, (6, "G6", b"\x00\xff", 99, b"\x00", None, -5, None, None, 0))
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 5 and runs[0]["warnings"] == 1
    assert "row 5" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert last["source_rowid"] == 6 and last["ts"] is None and last["ts_raw"] == -5
    assert (last["direction"], last["sender"], last["body"]) == (None, None, "\x00\ufffd")


def test_unrelated_chat_db_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "loose" / "chat.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "skipped" and "handle" in runs[0]["message"]


def test_corpus_imessage_chat(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/sqlite/imessage_chat.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 0
    messages = sorted(records(conn, "message"), key=lambda m: m["ts"])
    assert len(messages) == 10
    assert messages[0]["ts"] == "2015-11-22T18:09:46Z"
    assert messages[-1]["ts"] == "2015-12-02T19:24:53Z"
    first = messages[0]
    assert (first["sender"], first["app"], first["direction"]) == (
        "447775455555",
        "imessage",
        "incoming",
    )
    assert first["body"].startswith("Hey Kenneth, it's Eireanne! ")
    asked = next(m for m in messages if m["body"] == "Did you try to send me a message?")
    assert asked["sender"] == "xxxxxx2015@icloud.com" and asked["ts"] == "2015-11-30T10:48:40Z"
    assert sum(m["direction"] == "outgoing" for m in messages) == 5
