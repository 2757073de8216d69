"""WhatsApp Android: msgstore.db (both schemas, calls) and wa.db, generated and from the corpus."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import RUNS_SQL, file_sha256, scan_with, truncated_copy
from fixtures_whatsapp import (
    GROUP,
    GROUP_SUBJECT,
    HOSTILE,
    IMAGE_PATH,
    LEGACY_ADMIN,
    LEGACY_GROUP,
    MEMBER,
    PEER,
    W4B_DIR,
    WA_DIR,
    make_current_msgstore,
    make_legacy_msgstore,
    make_wa_db,
)

from parsers.whatsapp_android import WhatsappAndroid
from parsers.whatsapp_android_contacts import WhatsappAndroidContacts
from triage_app.core.export import records
from triage_app.core.parsing import Parser
from triage_app.core.values import phone_from_jid


def _both() -> list[Parser]:
    return [WhatsappAndroid(), WhatsappAndroidContacts()]


RUNS = RUNS_SQL + " ORDER BY parser"


def _scan(
    tmp_path: Path, evidence: Path, parsers: list[Parser] | None = None
) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", parsers or _both(), evidence, RUNS, require_ok=True)


def test_current_schema_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_current_msgstore(tmp_path / "phone" / WA_DIR)
    unchanged(tmp_path / "phone")
    conn, runs = _scan(tmp_path, tmp_path / "phone", [WhatsappAndroid()])
    assert runs == [
        {"parser": "whatsapp_android", "status": "ok", "message": "", "records": 8, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 6  # 7 rows less WhatsApp's placeholder row
    image = messages[3]
    assert image == {
        "kind": "message",
        "id": image["id"],
        "evidence": 1,
        "path": f"/{WA_DIR}/msgstore.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "msgstore.db"),
        "parser": "whatsapp_android",
        "ts": "2023-11-14T22:16:20Z",
        "ts_raw": 1700000180000,
        "deleted": False,
        "app": "whatsapp",
        "thread": GROUP,
        "sender": MEMBER,
        "recipients": [],
        "direction": "incoming",
        "body": "الصورة من الميناء",
        "attachments": [IMAGE_PATH],
        "media_mime": "image/jpeg",
        "media_size": 48213,
        "message_type": "image",
        "key_id": "3EB0G2",
        "thread_name": GROUP_SUBJECT,
        "source_table": "message",
        "source_rowid": 5,
    }
    incoming, outgoing, system, _, group_out, status = messages
    assert (incoming["sender"], incoming["direction"], incoming["ts"]) == (
        PEER,
        "incoming",
        "2023-11-14T22:13:20.123000Z",
    )
    assert "thread_name" not in incoming and "system" not in incoming
    assert outgoing["body"] == HOSTILE
    assert (outgoing["sender"], outgoing["recipients"], outgoing["direction"]) == (
        None,
        [PEER],
        "outgoing",
    )
    assert (system["system"], system["system_action"], system["direction"]) == (True, 11, None)
    assert (system["sender"], system["body"], system["message_type"]) == (MEMBER, None, "system")
    assert group_out["recipients"] == [GROUP] and group_out["thread_name"] == GROUP_SUBJECT
    assert status["status_update"] is True and status["sender"] == MEMBER


def test_current_schema_calls(tmp_path: Path) -> None:
    make_current_msgstore(tmp_path / "phone" / WA_DIR)
    conn, _ = _scan(tmp_path, tmp_path / "phone", [WhatsappAndroid()])
    missed, video = records(conn, "call")
    assert video == {
        "kind": "call",
        "id": video["id"],
        "evidence": 1,
        "path": f"/{WA_DIR}/msgstore.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "msgstore.db"),
        "parser": "whatsapp_android",
        "ts": "2023-11-14T22:21:40Z",
        "ts_raw": 1700000500000,
        "deleted": False,
        "app": "whatsapp",
        "number": "+218912345678",
        "name": None,
        "direction": "outgoing",
        "duration_s": 95,
        "video": True,
        "jid": PEER,
        "call_result": "connected",
        "source_table": "call_log",
        "source_rowid": 2,
    }
    assert (missed["direction"], missed["duration_s"], missed["video"]) == ("missed", 0, False)
    assert missed["call_result"] == "missed" and missed["ts"] == "2023-11-14T22:20:00Z"


def test_legacy_schema_whatsapp_business(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_legacy_msgstore(tmp_path / "phone" / W4B_DIR)
    unchanged(tmp_path / "phone")
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs[0] == {
        "parser": "whatsapp_android",
        "status": "ok",
        "message": "",
        "records": 5,
        "warnings": 0,
    }
    # the contacts parser's renamed-copy glob matches every database under com.whatsapp*
    assert runs[1]["status"] == "skipped" and "does not accept" in runs[1]["message"]
    created, salam, group_in, image, status = records(conn, "message")
    assert created["system"] is True and created["system_action"] == 11
    assert (created["body"], created["direction"], created["sender"]) == (
        "Zuwara",
        None,
        LEGACY_ADMIN,
    )
    assert (created["thread"], created["thread_name"]) == (LEGACY_GROUP, "Zuwara")
    assert (salam["sender"], salam["direction"], salam["ts"]) == (
        MEMBER,
        "incoming",
        "2020-09-13T12:27:40Z",
    )
    assert (group_in["sender"], group_in["body"]) == (LEGACY_ADMIN, "نلتقي في الميناء")
    assert image["recipients"] == [MEMBER] and image["body"] == "the boat"
    assert image["attachments"] == ["IMG-20200913-WA0003.jpg"]
    assert (image["media_mime"], image["media_size"]) == ("image/jpeg", 52000)
    assert image["source_table"] == "messages" and image["source_rowid"] == 5
    assert status["status_update"] is True and status["sender"] == MEMBER


def test_renamed_copy_with_both_schemas_reads_the_populated_one(tmp_path: Path) -> None:
    db = make_legacy_msgstore(tmp_path / "loose", name="Export_MsgStore_copy.db", both=True)
    conn, runs = _scan(tmp_path, db)
    assert runs == [
        {"parser": "whatsapp_android", "status": "ok", "message": "", "records": 5, "warnings": 0}
    ]
    assert {m["source_table"] for m in records(conn, "message")} == {"messages"}


def test_loose_file_names_like_the_corpus(tmp_path: Path) -> None:
    make_current_msgstore(tmp_path / "loose", name="test_whatsAppMsgStore.db")
    make_wa_db(tmp_path / "loose", name="test_whatsApp.db")
    conn, _ = _scan(tmp_path, tmp_path / "loose")
    sql = (
        "SELECT f.path, r.parser, r.status, r.records FROM parser_runs r"
        " JOIN files f ON f.id = r.file_id"
    )
    assert {tuple(r) for r in conn.execute(sql)} == {
        ("/test_whatsAppMsgStore.db", "whatsapp_android", "ok", 8),
        ("/test_whatsAppMsgStore.db", "whatsapp_android_contacts", "skipped", 0),
        ("/test_whatsApp.db", "whatsapp_android_contacts", "ok", 3),
    }


def _write_truncated(tmp_path: Path, kind: str) -> Path:
    src = (make_current_msgstore if kind == "msgstore" else make_wa_db)(tmp_path / "src")
    return truncated_copy(src, tmp_path / "phone" / WA_DIR / src.name)


@pytest.mark.parametrize("kind", ["msgstore", "wa"])
def test_truncated_database_is_an_error(tmp_path: Path, kind: str) -> None:
    target = _write_truncated(tmp_path, kind)
    _, runs = _scan(tmp_path, tmp_path / "phone")
    mine = [r for r in runs if r["status"] != "skipped"]
    assert len(mine) == 1 and mine[0]["status"] == "error" and mine[0]["message"], runs
    parser = {"msgstore.db": "whatsapp_android", "wa.db": "whatsapp_android_contacts"}
    assert mine[0]["parser"] == parser[target.name]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    directory = tmp_path / "phone" / WA_DIR
    directory.mkdir(parents=True)
    conn = sqlite3.connect(directory / "msgstore.db")
    conn.execute("CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER, key_id TEXT)")
    conn.execute("CREATE TABLE jid (_id INTEGER PRIMARY KEY, user TEXT, server TEXT)")
    conn.execute("INSERT INTO message VALUES (2, 1, 'X')")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(directory / "wa.db")
    conn.execute("CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY, jid TEXT, number TEXT)")
    conn.commit()
    conn.close()
    _, rows = _scan(tmp_path, tmp_path / "phone")
    runs = {(r["parser"], r["status"]): r["message"] for r in rows}
    message = str(runs[("whatsapp_android", "error")])
    for name in ("message.text_data", "message.from_me", "jid.raw_string", "table chat"):
        assert name in message
    assert "wa_contacts.display_name" in str(runs[("whatsapp_android_contacts", "error")])


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    db = make_current_msgstore(tmp_path / "phone" / WA_DIR)
    make_wa_db(db.parent)
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type,"
        " text_data) VALUES (8, 1, 'garbage', 'K8', 1700000600000, 0, x'00ff')"
    )
    conn.execute(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type,"
        " text_data) VALUES (9, 1, 0, 'K9', -5, 0, x'e2809c6869e2809d')"
    )
    conn.commit()
    conn.close()
    conn = sqlite3.connect(db.parent / "wa.db")
    conn.execute("INSERT INTO wa_contacts (_id, jid, is_whatsapp_user) VALUES (50, 12345, 1)")
    conn.commit()
    conn.close()
    case, rows = _scan(tmp_path, tmp_path / "phone")
    runs = {(r["parser"], r["status"]): r for r in rows}
    messages_run = runs[("whatsapp_android", "ok")]
    assert messages_run["records"] == 9 and messages_run["warnings"] == 1
    assert "message row 8" in messages_run["message"]
    contacts_run = runs[("whatsapp_android_contacts", "ok")]
    assert contacts_run["records"] == 3 and contacts_run["warnings"] == 1
    assert "wa_contacts row 50" in contacts_run["message"]
    last = list(records(case, "message"))[-1]
    assert last["body"] == "\u201chi\u201d"  # a BLOB in a text column, decoded
    assert last["ts"] is None and last["ts_raw"] == -5  # never 1970


def test_unrelated_databases_are_skipped(tmp_path: Path) -> None:
    directory = tmp_path / "phone" / WA_DIR
    directory.mkdir(parents=True)
    for name in ("msgstore.db", "wa.db"):
        conn = sqlite3.connect(directory / name)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.commit()
        conn.close()
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert [r["status"] for r in runs] == ["skipped"] * 3, runs
    assert any("no table messages" in r["message"] for r in runs)


def test_contacts(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_wa_db(tmp_path / "phone" / WA_DIR)
    unchanged(tmp_path / "phone")
    conn, runs = _scan(tmp_path, tmp_path / "phone", [WhatsappAndroidContacts()])
    assert runs == [
        {
            "parser": "whatsapp_android_contacts",
            "status": "ok",
            "message": "",
            "records": 3,  # the group and status@broadcast rows are not people
            "warnings": 0,
        }
    ]
    first, karim, jean = records(conn, "contact")
    assert first == {
        "kind": "contact",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{WA_DIR}/wa.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "wa.db"),
        "parser": "whatsapp_android_contacts",
        "ts": None,
        "ts_raw": None,
        "deleted": False,
        "app": "whatsapp",
        "name": "أبو محمد",
        "phones": ["+218912345678", "091-234-5678"],
        "emails": [],
        "jid": PEER,
        "whatsapp_user": True,
        "status": "متاح",
        "status_ts": "2023-11-14T22:13:20Z",
        "source_table": "wa_contacts",
        "source_rowid": 3,
    }
    assert (karim["name"], karim["phones"]) == ("Karim", ["+21650111222"])
    assert "status_ts" not in karim  # 0 means not set
    assert (jean["name"], jean["phones"], jean["whatsapp_user"]) == (
        "Jean Dupont",
        ["+33612345678"],  # the address-book form has the same digits
        False,
    )


def test_phone_from_jid() -> None:
    assert phone_from_jid("556183125151@s.whatsapp.net") == "+556183125151"
    assert phone_from_jid("556183125151:12@s.whatsapp.net") == "+556183125151"
    assert phone_from_jid(GROUP) is None
    assert phone_from_jid("status@broadcast") is None
    assert phone_from_jid("123456789012345678@lid") is None
    assert phone_from_jid(None) is None


def test_corpus_msgstore(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("IPED/test-files/test_whatsAppMsgStore.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0] == {
        "parser": "whatsapp_android",
        "status": "ok",
        "message": "",
        "records": 74,
        "warnings": 0,
    }
    assert runs[1]["parser"] == "whatsapp_android_contacts" and runs[1]["status"] == "skipped"
    messages = list(records(conn, "message"))
    # 75 legacy rows less the placeholder row (IPED: 74); `message` holds only its placeholder.
    assert len(messages) == 74 and {m["source_table"] for m in messages} == {"messages"}
    assert sum(bool(m.get("system")) for m in messages) == 70
    assert sum(m["body"] is not None for m in messages) == 22
    assert [m["direction"] for m in messages if not m.get("system")] == ["outgoing"] * 3 + [
        "incoming"
    ]
    by_body = {m["body"]: m for m in messages}
    first = by_body["This is a test for the IPED Whatsapp Parser."]
    assert first["ts"] == "2021-06-14T18:55:54.096000Z"
    assert first["recipients"] == ["556183125151@s.whatsapp.net"]
    assert by_body["Would you still say you love me"]["ts"] == "2021-06-14T19:02:25.247000Z"
    newest = max(messages, key=lambda m: m["ts"] or "")
    assert (newest["body"], newest["sender"], newest["direction"], newest["ts"]) == (
        "Teste",
        "556183125151@s.whatsapp.net",
        "incoming",
        "2021-06-16T17:01:34Z",
    )
    oldest = min((m for m in messages if m["ts"]), key=lambda m: m["ts"])
    assert oldest["ts"] == "2016-04-29T21:15:08Z"
    lar = [m for m in messages if m["thread"] == "556185747642-1461964508@g.us"]
    assert {m["thread_name"] for m in lar} == {"Lar"}
    assert json.loads(json.dumps(first)) == first
    assert list(records(conn, "call")) == []


def test_corpus_wa_db(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("IPED/test-files/test_whatsApp.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    contacts = list(records(conn, "contact"))
    # 389 rows - 18 groups - status@broadcast; IPED's 384 = 365 distinct person JIDs + 19
    assert len(contacts) == 370
    assert len({c["jid"] for c in contacts}) == 365
    by_jid = {c["jid"]: c for c in contacts}
    unnamed = by_jid["556192644086@s.whatsapp.net"]
    assert (unnamed["name"], unnamed["phones"]) == (None, ["+556192644086"])
    nwi = by_jid["556133223200@s.whatsapp.net"]
    assert (nwi["name"], nwi["phones"]) == ("Nwi Fibra Ótica", ["+556133223200", "06133223200"])
    assert sum(c["name"] is None for c in contacts) == 82
    assert runs == [
        {
            "parser": "whatsapp_android_contacts",
            "status": "ok",
            "message": "",
            "records": 370,
            "warnings": 0,
        }
    ]
