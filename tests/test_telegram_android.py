"""Telegram Android: generated cache4.db (both message tables) and userconfing.xml; corpus."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from casehelpers import (
    BY_PARSER_SQL,
    OUTCOME_SQL,
    RUNS_SQL,
    scan_records,
    scan_with,
    truncated_copy,
    unrelated_db,
)
from fixtures_telegram import (
    ACTION_CHAT_CREATE,
    MEDIA_PHOTO,
    PEER_CHANNEL,
    PEER_CHAT,
    PEER_USER,
    PEER_USER_OLD,
    REASON_HANGUP,
    REASON_MISSED,
    channel,
    chat,
    geo_media,
    message,
    message_layer_12x,
    peer,
    phone_call,
    service,
    u32,
    user,
    write_cache4,
)

from parsers.telegram_android import TelegramAndroid, decode_message, decode_user
from parsers.telegram_android_account import TelegramAndroidAccount
from triage_app.core.export import records

ME, AHMED, SALMA, GROUP, CHANNEL_ID = 5000001, 7100200300, 6200, 4001, 1777000
DB = "data/data/org.telegram.messenger/files/cache4.db"
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z
PHONE = "218911234567"
ARABIC = "القارب يغادر من زوارة الليلة، السعر ١٥٠٠ دينار"


def _messages() -> list[tuple[object, ...]]:
    """(mid, uid, date, blob, out) rows: private chat with Ahmed, a group, a channel."""
    me, ahmed = peer(PEER_USER, ME), peer(PEER_USER, AHMED)
    group, news = peer(PEER_CHAT, GROUP), peer(PEER_CHANNEL, CHANNEL_ID)
    missed = phone_call(9, reason=REASON_MISSED, duration=None)
    answered = phone_call(10, reason=REASON_HANGUP, duration=95)
    at = [T0 + 60 * i for i in range(10)]
    blobs = [
        message(1, at[0], ARABIC, to=me, sender=ahmed),
        message(2, at[1], "ok", to=ahmed, sender=me, out=True),
        # forwarded: the header's own (different) date comes first in the blob
        message(3, at[2], "fwd", to=me, sender=ahmed, fwd_date=T0 - 9),
        message(4, at[3], "", to=me, sender=ahmed, media=u32(MEDIA_PHOTO)),
        message(5, at[4], "here", to=me, sender=ahmed, media=geo_media(32.9312, 12.0819)),
        service(6, at[5], missed, to=me, sender=ahmed),
        service(7, at[6], answered, to=ahmed, sender=me),
        message(8, at[7], "group hi", to=group, sender=peer(PEER_USER, SALMA)),
        service(9, at[8], u32(ACTION_CHAT_CREATE) + u32(0), to=group, sender=me),
        message(10, at[9], "news", to=news),
    ]
    dialogs = [AHMED] * 7 + [-GROUP, -GROUP, -CHANNEL_ID]
    outgoing = {2, 7, 9}
    mids = [*range(1, 10), 10 | CHANNEL_ID << 32]  # Telegram 7.x: channel id in the high bits
    return [
        (mid, did, date, blob, int(n in outgoing))
        for n, (mid, did, date, blob) in enumerate(zip(mids, dialogs, at, blobs, strict=True), 1)
    ]


def _fill(path: Path, current: bool = True) -> Path:
    rows = _messages()
    write_cache4(path, current=current, rows=rows)
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO users(uid, name, status, data) VALUES (?, ?, ?, ?)",
        [
            (
                AHMED,
                "ahmed ali;;;ahmed_ly",
                T0 - 5,
                user(AHMED, "Ahmed", "Ali", "ahmed_ly", "218911234567"),
            ),
            (SALMA, "salma", -100, user(SALMA, "Salma", layer_12x=True)),
            (ME, "me", 0, user(ME, "Owner", phone="218920000000")),
        ],
    )
    conn.executemany(
        "INSERT INTO chats(uid, name, data) VALUES (?, ?, ?)",
        [
            (GROUP, "crossing", chat(GROUP, "Crossing")),
            (CHANNEL_ID, "news", channel(CHANNEL_ID, "News")),
        ],
    )
    conn.execute("INSERT INTO contacts VALUES (?, 1)", (AHMED,))
    conn.execute("INSERT INTO user_contacts_v7 VALUES ('k1', ?, 'أحمد', 'المهرب', 1)", (AHMED,))
    conn.executemany(
        "INSERT INTO user_phones_v7 VALUES ('k1', ?, ?, 0)",
        [("+218 91 123 4567", "218911234567"), ("0911234567", "911234567")],
    )
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("current", [True, False], ids=["messages_v2", "messages_v78"])
def test_messages_calls_contacts(tmp_path: Path, current: bool) -> None:
    _fill(tmp_path / "ev" / DB, current)
    conn, runs = scan_with(tmp_path / "case", [TelegramAndroid()], tmp_path / "ev", OUTCOME_SQL)
    try:
        messages = list(records(conn, "message"))
        calls = list(records(conn, "call"))
        contacts = list(records(conn, "contact"))
    finally:
        conn.close()
    assert runs == [{"status": "ok", "records": 14, "warnings": 0, "message": ""}]
    assert len(messages) == 8 and len(calls) == 2 and len(contacts) == 4
    first = messages[0]
    table = "messages_v2" if current else "messages"
    assert {k: first[k] for k in first if k not in ("id", "evidence", "source_sha256")} == {
        "kind": "message",
        "path": "/" + DB,
        "volume": None,
        "parser": "telegram_android",
        "ts": "2023-11-14T22:13:20Z",
        "ts_raw": T0,
        "deleted": False,
        "app": "telegram",
        "thread": str(AHMED),
        "sender": str(AHMED),
        "recipients": [],
        "direction": "incoming",
        "body": ARABIC,
        "attachments": [],
        "thread_name": "Ahmed Ali",
        "chat_type": "private",
        "sender_name": "Ahmed Ali",
        "sender_phone": "+218911234567",
        "message_id": 1,
        "source_table": table,
        "source_rowid": 1,
    }
    by_id = {m["message_id"]: m for m in messages}
    assert by_id[2]["direction"] == "outgoing" and by_id[2]["recipients"] == [str(AHMED)]
    assert by_id[2]["sender"] == str(ME) and by_id[2]["sender_phone"] == "+218920000000"
    assert by_id[3]["body"] == "fwd"
    assert by_id[4]["body"] is None and by_id[4]["attachments"] == ["photo"]
    assert (by_id[5]["lat"], by_id[5]["lon"], by_id[5]["attachments"]) == (
        32.9312,
        12.0819,
        ["location"],
    )
    assert (by_id[8]["thread_name"], by_id[8]["chat_type"], by_id[8]["sender"]) == (
        "Crossing",
        "group",
        str(SALMA),
    )
    assert by_id[8]["sender_name"] == "Salma"
    assert by_id[9]["service"] == "chat_create" and by_id[9]["body"] is None
    assert (by_id[10]["thread_name"], by_id[10]["chat_type"], by_id[10]["sender"]) == (
        "News",
        "channel",
        None,
    )
    assert [(c["direction"], c["duration_s"], c["number"], c["reason"]) for c in calls] == [
        ("missed", None, "+218911234567", "missed"),
        ("outgoing", 95, "+218911234567", "hangup"),
    ]
    ahmed = next(c for c in contacts if c.get("user_id") == AHMED and "source" not in c)
    assert (ahmed["name"], ahmed["phones"], ahmed["username"], ahmed["in_contacts"]) == (
        "Ahmed Ali",
        ["+218911234567"],
        "ahmed_ly",
        True,
    )
    assert ahmed["last_seen"] == "2023-11-14T22:13:15Z"
    book = next(c for c in contacts if c.get("source") == "address_book")
    assert (book["name"], book["phones"], book["user_id"]) == (
        "أحمد المهرب",
        ["+218 91 123 4567", "0911234567"],
        AHMED,
    )


def test_layer_12x_message_and_unknown_layout(tmp_path: Path) -> None:
    old = message_layer_12x(
        11, T0, "old layer", to=peer(PEER_USER_OLD, ME), sender=peer(PEER_USER_OLD, SALMA)
    )
    decoded = decode_message(old, 11, T0)
    assert (decoded.body, decoded.sender) == ("old layer", ("user", SALMA))
    # A layout whose text cannot be located is a record without text and a warning.
    rows: list[tuple[object, ...]] = [
        (1, SALMA, T0, old, 0),
        (2, SALMA, T0 + 1, u32(0x12345678) + b"\x00" * 40, 0),
    ]
    write_cache4(tmp_path / "ev" / DB, current=True, rows=rows)
    found, runs = scan_records(tmp_path / "case", [TelegramAndroid()], tmp_path / "ev", "message")
    assert [m["body"] for m in found] == ["old layer", None]
    assert found[1]["decoded"] is False
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 1
    assert "1 of 2 message(s) in messages_v2 not decoded" in runs[0]["message"]


def test_user_decoding_is_anchored_on_the_row_id() -> None:
    blob = user(AHMED, "Ahmed", phone="218911234567")
    assert decode_user(blob, AHMED) is not None
    assert decode_user(blob, AHMED + 1) is None
    assert decode_user(user(SALMA, "Salma", layer_12x=True), SALMA).first_name == "Salma"  # type: ignore[union-attr]


def test_undecodable_user_falls_back_to_search_name(tmp_path: Path) -> None:
    path = write_cache4(tmp_path / "ev" / DB, current=True)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO users VALUES (42, 'x y;;;xy', 0, X'00010203')")
    conn.commit()
    conn.close()
    found, runs = scan_records(tmp_path / "case", [TelegramAndroid()], tmp_path / "ev", "contact")
    assert [(c["name"], c["username"]) for c in found] == [("x y", "xy")]
    assert runs[0]["warnings"] == 1 and "1 user record(s) not decoded" in runs[0]["message"]


def test_garbage_row_truncated_missing_column_and_unrelated(tmp_path: Path) -> None:
    path = _fill(tmp_path / "ev" / DB)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO messages_v2(mid, uid, date, data, out) VALUES ('x', 1, 2, 3, 0)")
    conn.commit()
    conn.close()
    _, runs = scan_records(tmp_path / "c1", [TelegramAndroid()], tmp_path / "ev", "message")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 14
    assert "row 'x' skipped" in runs[0]["message"]

    truncated_copy(path, tmp_path / "trunc" / DB, extra=0)
    _, runs = scan_records(tmp_path / "c2", [TelegramAndroid()], tmp_path / "trunc", "message")
    assert runs[0]["status"] == "error"

    drifted = write_cache4(tmp_path / "drift" / DB, current=True)
    conn = sqlite3.connect(drifted)
    conn.executescript("DROP TABLE users; CREATE TABLE users(uid INTEGER PRIMARY KEY, data BLOB);")
    conn.close()
    _, runs = scan_records(tmp_path / "c3", [TelegramAndroid()], tmp_path / "drift", "message")
    assert runs[0]["status"] == "error" and "users.name" in runs[0]["message"]

    unrelated_db(tmp_path / "other" / "files" / "cache4.db")
    _, runs = scan_records(tmp_path / "c4", [TelegramAndroid()], tmp_path / "other", "message")
    assert runs[0]["status"] == "skipped"


def _prefs(path: Path, user_blob: bytes | None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = ""
    if user_blob is not None:
        entry = f'<string name="user">{base64.encodebytes(user_blob).decode()}</string>'
    path.write_text(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
        f'<int name="lastContactsSyncTime" value="1623265029" />{entry}\n</map>\n'
    )
    return path


def test_account_owner_from_userconfig(tmp_path: Path) -> None:
    prefs = tmp_path / "ev" / "data/data/org.telegram.messenger/shared_prefs"
    _prefs(prefs / "userconfing.xml", user(ME, "Owner", "Name", "boss", "218920000000"))
    _prefs(prefs / "userconfig1.xml", None)  # a second account slot, not logged in
    found, runs = scan_records(
        tmp_path / "case", [TelegramAndroidAccount()], tmp_path / "ev", "contact", RUNS_SQL
    )
    assert sorted(r["status"] for r in runs) == ["no_data", "ok"]
    (owner,) = found
    assert {
        k: owner[k] for k in ("name", "phones", "user_id", "username", "account_owner", "account")
    } == {
        "name": "Owner Name",
        "phones": ["+218920000000"],
        "user_id": ME,
        "username": "boss",
        "account_owner": True,
        "account": 0,
    }


def test_account_hostile_and_broken_prefs(tmp_path: Path) -> None:
    prefs = tmp_path / "ev" / "shared_prefs"
    prefs.mkdir(parents=True)
    (prefs / "userconfing.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<map><string name='user'>&b;</string></map>"
    )
    (prefs / "userconfig2.xml").write_text("<map><string name='user'>AAAA////</string></map>")
    _, runs = scan_with(tmp_path / "case", [TelegramAndroidAccount()], tmp_path / "ev")
    outcome: dict[str, Any] = {r["status"]: r["message"] for r in runs}
    assert set(outcome) == {"skipped", "error"}
    assert "not a SharedPreferences XML file" in outcome["skipped"]
    assert "user object not decoded" in outcome["error"]


CORPUS_TG = "IPED/test-files/org.telegram.messenger.web"


def test_corpus_userconfing_owner(corpus: Any, unchanged: Any, tmp_path: Path) -> None:
    source = corpus("IPED/test-files/test_telegramUserConfing.xml")
    unchanged(source)
    found, runs = scan_records(
        tmp_path / "case", [TelegramAndroidAccount()], source, "contact", OUTCOME_SQL
    )
    assert runs == [{"status": "ok", "records": 1, "warnings": 0, "message": ""}]
    owner = found[0]
    assert (owner["name"], owner["phones"], owner["user_id"], owner["username"]) == (
        "Guilherme Andreúce",
        ["+5561986143035"],
        140478504,
        "guileb",
    )


def test_corpus_cache4_without_messages(corpus: Any, unchanged: Any, tmp_path: Path) -> None:
    """The corpus databases hold their schema in the WAL and no messages (not logged in):
    read without error, and recorded as holding no data rather than as unparsed."""
    folder = corpus(CORPUS_TG)
    unchanged(folder)
    _, runs = scan_with(
        tmp_path / "case", [TelegramAndroid(), TelegramAndroidAccount()], folder, BY_PARSER_SQL
    )
    outcomes = sorted((r["parser"], r["status"], r["records"], r["warnings"]) for r in runs)
    assert outcomes == [
        ("telegram_android", "no_data", 0, 0),
        ("telegram_android", "no_data", 0, 0),
        ("telegram_android_account", "no_data", 0, 0),
        ("telegram_android_account", "no_data", 0, 0),
        ("telegram_android_account", "ok", 1, 0),
    ]
