"""Burner iOS: the app's NSURLCache (Cache.db + fsCachedData) generated with Apple's schema and
the Burner API's JSON, bad input, and iLEAPP's test case compared with iLEAPP's own rows."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import scan_records, truncated_copy, unrelated_db

from parsers.burner_ios import BurnerIos

CACHES = (
    "private/var/mobile/Containers/Data/Application/43637BC0-0000-4000-8000-000000000001"
    "/Library/Caches/com.adhoclabs.burner"
)
# NSURLCache's tables as CFNetwork creates them (iOS 15; verbatim from the Burner Cache.db of
# iLEAPP's josh_ios15_ffs case).
SCHEMA = [
    "CREATE TABLE cfurl_cache_response(entry_ID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE,"
    " \t version INTEGER, hash_value INTEGER, storage_policy INTEGER, request_key TEXT UNIQUE,"
    " \t time_stamp NOT NULL DEFAULT CURRENT_TIMESTAMP, partition TEXT)",
    "CREATE TABLE cfurl_cache_blob_data(entry_ID INTEGER PRIMARY KEY, response_object BLOB,"
    " request_object BLOB, \t\t\t  proto_props BLOB, user_info BLOB)",
    "CREATE TABLE cfurl_cache_receiver_data(entry_ID INTEGER PRIMARY KEY, isDataOnFS INTEGER,"
    " receiver_data BLOB)",
    "CREATE INDEX request_key_index ON cfurl_cache_response(request_key)",
    "CREATE INDEX time_stamp_index ON cfurl_cache_response(time_stamp)",
]
USER = "21d2ca9c-0000-4000-8000-00000000000a"
BURNER = "3419959a-0000-4000-8000-00000000000b"
API = f"https://phoenix.burnerapp.com/user/{USER}"
PAGE_UUID = "34A0C948-0000-4000-8000-00000000000C"
PHOTO_UUID = "54F501A4-0000-4000-8000-00000000000D"
SMUGGLER = "+21891234567"
MINE = "+18285550100"
PHOTO_URL = "https://s3.amazonaws.com/burner-mms/prod/7022ba63.jpg"
VOICE_URL = "https://s3.amazonaws.com/burner-voicemail/prod/e22e2267.wav"


def message(**values: Any) -> dict[str, Any]:
    """A message object of the v1/v2 API (the keys and order the app's cache holds)."""
    base: dict[str, Any] = {
        "assetUrl": None, "autoReply": None, "burnerId": BURNER, "connected": False,
        "contactBurnerId": None, "contactId": None, "contactPhoneNumber": SMUGGLER,
        "dateCreated": 1683568731554, "direction": 2, "duration": None, "id": "m-sent",
        "lastUpdatedDate": 1683568731554, "message": "", "messageDuration": None,
        "messageType": 2, "read": True, "sid": None, "state": 1, "userId": USER,
        "voiceUrl": None,
    }  # fmt: skip
    base.update(values)
    return base


SENT = message(message="القارب جاهز الساعة 3", id="m-sent", contactId="c-1")
PAGE = [
    message(
        id="m-voice", direction=1, messageType=1, state=5, messageDuration=9.0,
        voiceUrl=VOICE_URL, dateCreated=1683568881293,
    ),
    message(id="m-photo", direction=1, assetUrl=PHOTO_URL, dateCreated=1683568235624),
    SENT,
]  # fmt: skip
CONVERSATION = {
    "id": "v3-1", "burnerId": BURNER, "conversation": {"conversationId": SMUGGLER},
    "dateCreated": 1700000000000, "direction": "Outbound", "messageType": "Voice",
    "state": "CallCompleted", "read": False, "text": None, "mediaUrl": None,
}  # fmt: skip
BURNERS = [{"id": BURNER, "phoneNumber": MINE, "settings": {"name": "Work line"}}]
CONTACTS = [{"id": "c-1", "name": "Hajj", "phoneNumber": SMUGGLER, "burnerIds": []}]
THREADS = [message(id="m-thread", message="last message of the thread")]


def _entries(page_on_fs: bool = True) -> list[tuple[str, bool, bytes]]:
    page = PAGE_UUID.encode() if page_on_fs else json.dumps(PAGE).encode()
    return [
        ("https://api2.amplitude.com/", False, b"success"),
        (f"https://phoenix.burnerapp.com/v3/user/{USER}/burners", False, _json(BURNERS)),
        (f"{API}/contacts?pageSize=200&page=1&named=true", False, _json(CONTACTS)),
        (f"{API}/messageThreads?filtered=false&pageSize=50&page=1", False, _json(THREADS)),
        (f"{API}/messages", False, _json(SENT)),
        (f"{API}/messages?contactPhoneNumber=%2B21891234567&burnerId={BURNER}", page_on_fs, page),
        (f"{API}/messages/confirm", False, b'{"burnerId":"x"}'),
        (
            f"https://phoenix.burnerapp.com/v3/user/{USER}/burners/{BURNER}/conversations"
            f"/{SMUGGLER}/messages?pageSize=25",
            False,
            _json([CONVERSATION]),
        ),
        (PHOTO_URL, True, PHOTO_UUID.encode()),
    ]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def make_cache(folder: Path, entries: list[tuple[str, bool, bytes]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "Cache.db")
    for stmt in SCHEMA:
        conn.execute(stmt)
    for n, (url, on_fs, data) in enumerate(entries or _entries(), start=1):
        conn.execute(
            "INSERT INTO cfurl_cache_response (entry_ID, version, hash_value, storage_policy,"
            " request_key, time_stamp) VALUES (?, 0, ?, 0, ?, '2023-05-08 17:28:39')",
            (n, -n, url),
        )
        conn.execute("INSERT INTO cfurl_cache_blob_data (entry_ID) VALUES (?)", (n,))
        conn.execute("INSERT INTO cfurl_cache_receiver_data VALUES (?,?,?)", (n, int(on_fs), data))
    conn.commit()
    conn.close()
    (folder / "fsCachedData").mkdir(exist_ok=True)
    (folder / "fsCachedData" / PAGE_UUID).write_text(json.dumps(PAGE), encoding="utf-8")
    (folder / "fsCachedData" / PHOTO_UUID).write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    return folder / "Cache.db"


RUNS = (
    "SELECT f.path, r.status, r.records, r.warnings, r.message FROM parser_runs r"
    " JOIN files f ON f.id = r.file_id"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    messages, rows = scan_records(tmp_path / "case", [BurnerIos()], evidence, "message", RUNS)
    runs = {
        r["path"].rsplit("/", 1)[-1]: {
            k: r[k] for k in ("status", "records", "warnings", "message")
        }
        for r in rows
    }
    return messages, runs


def test_cache_and_fs_cached_pages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_cache(tmp_path / "iphone" / CACHES)
    unchanged(tmp_path / "iphone")
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs == {
        "Cache.db": {"status": "ok", "records": 2, "warnings": 0, "message": ""},
        PAGE_UUID: {"status": "ok", "records": 3, "warnings": 0, "message": ""},
        PHOTO_UUID: {
            "status": "skipped", "records": 0, "warnings": 0,
            "message": "not a cached Burner message response",
        },
    }  # fmt: skip
    sent = next(m for m in messages if m["source_rowid"] == 5)
    assert {k: v for k, v in sent.items() if k not in ("id", "source_sha256")} == {
        "kind": "message", "evidence": 1, "path": f"/{CACHES}/Cache.db", "volume": None,
        "parser": "burner_ios", "ts": "2023-05-08T17:58:51.554000Z", "ts_raw": 1683568731554,
        "deleted": False, "app": "burner", "thread": SMUGGLER, "sender": MINE,
        "recipients": [SMUGGLER], "direction": "outgoing", "body": "القارب جاهز الساعة 3",
        "attachments": [], "message_id": "m-sent", "message_type": "text", "burner_id": BURNER,
        "burner_number": MINE, "burner_name": "Work line", "contact_name": "Hajj", "read": True,
        "cache_url": f"{API}/messages", "cache_item": 0,
        "source_table": "cfurl_cache_receiver_data", "source_rowid": 5,
    }  # fmt: skip
    v3 = next(m for m in messages if m["source_rowid"] == 8)
    assert (v3["direction"], v3["message_type"], v3["body"]) == ("outgoing", "call", None)
    assert v3["call_event"] == "Completed outgoing call" and v3["recipients"] == [SMUGGLER]
    page = [m for m in messages if m["path"].endswith(PAGE_UUID)]
    voice, photo, again = page
    assert voice["call_event"] == "Missed incoming call with voicemail"
    assert voice["attachments"] == [VOICE_URL] and voice["duration_s"] == 9.0
    assert voice["sender"] == SMUGGLER and voice["message_type"] == "voicemail"
    assert photo["attachments"] == [PHOTO_URL] and photo["message_type"] == "picture"
    # The file does not name its URL or the burner's number; the cache entry does.
    assert again["message_id"] == "m-sent" and again["sender"] is None
    assert (again["source_table"], again["source_rowid"], again["cache_item"]) == (None, None, 2)
    assert all(m["message_id"] != "m-thread" for m in messages)  # a thread list, not messages


def test_inline_page(tmp_path: Path) -> None:
    make_cache(tmp_path / "iphone" / CACHES, _entries(page_on_fs=False))
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs["Cache.db"] == {"status": "ok", "records": 5, "warnings": 0, "message": ""}
    inline = [m for m in messages if m["source_rowid"] == 6]
    assert [m["cache_item"] for m in inline] == [0, 1, 2]
    assert inline[0]["recipients"] == [MINE] and inline[0]["contact_name"] == "Hajj"


def test_truncated_cache_is_an_error(tmp_path: Path) -> None:
    truncated_copy(make_cache(tmp_path / "src"), tmp_path / "iphone" / CACHES / "Cache.db")
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs["Cache.db"]["status"] == "error" and runs["Cache.db"]["message"]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_cache(tmp_path / "iphone" / CACHES)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE cfurl_cache_receiver_data RENAME COLUMN isDataOnFS TO onFS")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    run = runs["Cache.db"]
    assert run["status"] == "error" and "cfurl_cache_receiver_data.isDataOnFS" in run["message"]


def test_garbage_is_warned_and_skipped(tmp_path: Path) -> None:
    page = [message(id="ok"), 42, message(id="bad", dateCreated="yesterday")]
    entries = [
        (f"{API}/messages", False, b"<html>502 Bad Gateway</html>"),
        (f"{API}/messages?contactPhoneNumber=%2B1&burnerId={BURNER}", False, _json(page)),
    ]
    folder = tmp_path / "iphone" / CACHES
    make_cache(folder, entries)
    (folder / "fsCachedData" / PAGE_UUID).write_text("[" * 100_000 + "]" * 100_000)
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    run = runs["Cache.db"]
    assert run["status"] == "ok" and run["records"] == 1 and run["warnings"] == 3
    assert "entry 1: body is not JSON" in run["message"]
    assert "entry 2 item 1 skipped: not a message object" in run["message"]
    assert "entry 2 item 2 skipped: dateCreated 'yesterday' is not a number" in run["message"]
    assert [m["message_id"] for m in messages] == ["ok"]
    assert runs[PAGE_UUID]["status"] == "skipped"  # nested past the JSON decoder's depth


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    unrelated_db(tmp_path / "iphone" / CACHES / "Cache.db")
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs["Cache.db"]["status"] == "skipped" and messages == []


ILEAPP = "iLEAPP/admin/test"
CASE_ZIP = (
    f"{ILEAPP}/cases/data/burnerCache/testdata.burnerCache.burnerCache_messages.josh_ios15_ffs.zip"
)
ORACLE = (
    f"{ILEAPP}/results/burnerCache/burnerCache.burnerCache_messages.josh_ios15_ffs"
    ".20250621013336.json"
)


def _number(value: str | None) -> str | None:
    return value.split(" (", 1)[0] if value else None  # "+1919… (This Is DFIR Two)"


def test_corpus_ileapp_case_matches_ileapp_rows(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    """iLEAPP's module returns (rows, rows as HTML): its harness stores that pair as `data`, so
    `number_of_rows` says 2 while each list holds the same 18 messages (1 inline in Cache.db
    entry 31, 17 in fsCachedData/34A0C948-…; message 1e4549e2-… is in both)."""
    evidence = corpus(CASE_ZIP)
    oracle = json.loads(corpus(ORACLE).read_text(encoding="utf-8"))
    unchanged(evidence)
    messages, runs = _scan(tmp_path, evidence)
    assert oracle["metadata"]["number_of_rows"] == len(oracle["data"]) == 2
    rows, html_rows = oracle["data"]
    assert len(rows) == len(html_rows) == len(messages) == 18
    assert runs["Cache.db"] == {"status": "ok", "records": 1, "warnings": 0, "message": ""}
    page = "34A0C948-4FFD-4FA3-B5DC-5DB8ADBD8B0D"
    assert runs[page] == {"status": "ok", "records": 17, "warnings": 0, "message": ""}
    assert sum(r["status"] == "skipped" for r in runs.values()) == 5  # 2 JPEG, 1 WAV, 2 JSON
    col = {name: i for i, name in enumerate(oracle["headers"])}

    def expected(row: list[Any]) -> tuple[Any, ...]:
        return (
            row[col["Sent"]][:19], row[col["Direction"]].lower(), _number(row[col["Thread"]]),
            row[col["Message"]], row[col["Media URL"]], row[col["Message ID"]],
        )  # fmt: skip

    def ours(m: dict[str, Any]) -> tuple[Any, ...]:
        # iLEAPP writes a call's event as its text; here the text stays as stored (none) and
        # the event is `call_event`.
        text = m["body"] or m.get("call_event") or ""
        media = m["attachments"][0] if m["attachments"] else None
        return (m["ts"][:19].replace("T", " "), m["direction"], m["thread"], text, media,
                m["message_id"])  # fmt: skip

    assert Counter(map(ours, messages)) == Counter(map(expected, rows))
    by_id = {(m["message_id"], m["source_table"]): m for m in messages}
    for row in rows:
        if row[col["Direction"]] == "Incoming":
            mine = [m for k, m in by_id.items() if k[0] == row[col["Message ID"]]]
            assert all(m["sender"] == _number(row[col["Sender"]]) for m in mine)
    # The burner's own number (iLEAPP's Sender of outgoing rows) is known only where the cache
    # entry's burners answer is at hand: in Cache.db, not in an fsCachedData file.
    inline = by_id[("1e4549e2-3059-4300-8ee8-44e5a0a2ebb1", "cfurl_cache_receiver_data")]
    assert inline["sender"] == _number(rows[0][col["Sender"]]) == "+18285205789"
    assert (inline["burner_name"], inline["contact_name"]) == ("My New Burner", "This Is DFIR Two")
    assert by_id[("1e4549e2-3059-4300-8ee8-44e5a0a2ebb1", None)]["sender"] is None
    first, last = min(messages, key=lambda m: m["ts"]), max(messages, key=lambda m: m["ts"])
    assert (first["ts"], first["body"]) == ("2023-05-08T17:25:37.113000Z", "You there?")
    assert last["ts"] == "2023-05-08T18:01:21.293000Z" and last["message_type"] == "voicemail"
