"""Discord iOS: the app's NSURLCache (Cache.db + fsCachedData) generated with Apple's schema and
the Discord API's message JSON, bad input, and iLEAPP's discord_cache test case compared with
iLEAPP's own rows."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import dispatched, scan_with, truncated_copy, unrelated_db
from test_safari_cache import Entry, make_cache, request_blob, response_blob

from parsers.discord_ios import DiscordIos
from triage_app.core.export import records

CACHES = (
    "private/var/mobile/Containers/Data/Application/FC296D69-0000-4000-8000-000000000001"
    "/Library/Caches/com.hammerandchisel.discord"
)
API = "https://discord.com/api/v9"
OWNER, PEER = "1000000000000000001", "2000000000000000002"
CHANNEL = "3000000000000000003"
PAGE_UUID = "B8251F6E-0000-4000-8000-00000000000A"
AVATAR_UUID = "00C9E14E-0000-4000-8000-00000000000B"
PHOTO = f"https://cdn.discordapp.com/attachments/{CHANNEL}/4000000000000000004/IMG_0040.jpg"
AVATAR = f"https://cdn.discordapp.com/avatars/{PEER}/fe5b265e.webp?size=256"


def user(uid: str, name: str, tag: str = "0", global_name: str | None = None) -> dict[str, Any]:
    return {
        "id": uid, "username": name, "global_name": global_name, "display_name": None,
        "avatar": "fe5b265e41d9be1d8d37fc1588f09219", "discriminator": tag, "public_flags": 0,
        "avatar_decoration": None,
    }  # fmt: skip


ME = user(OWNER, "boatman", "6767")
THEM = user(PEER, "hajj_77", global_name="الحاج")


def message(
    mid: str, author: dict[str, Any], content: str, stamp: str, **more: Any
) -> dict[str, Any]:
    """A message object of the REST API (v9), with the keys and order the app's cache holds."""
    value: dict[str, Any] = {
        "id": mid, "type": 0, "content": content, "channel_id": CHANNEL, "author": author,
        "attachments": [], "embeds": [], "mentions": [], "mention_roles": [], "pinned": False,
        "mention_everyone": False, "tts": False, "timestamp": stamp, "edited_timestamp": None,
        "flags": 0, "components": [],
    }  # fmt: skip
    value.update(more)
    return value


PHOTO_MSG = message(
    "1100124380626964662", THEM, "الصورة", "2023-04-24T18:21:31.664000+00:00",
    type=19, edited_timestamp="2023-04-24T18:22:00.000000+00:00",
    attachments=[{
        "id": "4000000000000000004", "filename": "IMG_0040.jpg", "size": 111627,
        "url": PHOTO, "proxy_url": PHOTO.replace("cdn.discordapp.com", "media.discordapp.net"),
        "width": 500, "height": 852, "content_type": "image/jpeg",
    }],
    embeds=[{"type": "link", "url": "https://maps.example.org/?q=32.9,13.1", "title": "Port"}],
    message_reference={"channel_id": CHANNEL, "message_id": "1100124000000000000"},
)  # fmt: skip
CALL_MSG = message(
    "1100159997117214820", ME, "", "2023-04-24T20:43:03.297000+00:00", type=3,
    call={"ended_timestamp": "2023-04-24T20:44:38.830000+00:00", "participants": [PEER, OWNER]},
)  # fmt: skip
SENT = message(
    "1100154999838867627", ME, "القارب جاهز الساعة 3", "2023-04-24T20:23:11.853000+00:00"
)
FS_PAGE = [
    message("1100160000000000001", THEM, "ok", "2023-04-24T20:45:00.000000+00:00"),
    SENT,
]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _entry(url: str, body: Any, on_fs: bool = False, method: str = "GET") -> Entry:
    data = body if isinstance(body, str | bytes) else _json(body)
    mime = "image/webp" if "avatars" in url else "application/json"
    headers = {"Content-Type": mime, "Content-Encoding": "br"}
    length = None if on_fs and mime != "application/json" else len(data)
    return Entry(
        url, "2023-04-24 18:00:58", on_fs, data,
        response_blob(url, 704051779.54411, headers, length, mime), request_blob(url, method),
    )  # fmt: skip


ACK = {"token": None}


def _entries(login: bool = True) -> list[Entry]:
    entries = [
        _entry(f"{API}/auth/login", {"token": "redacted", "user_id": OWNER}, method="POST"),
        _entry(f"{API}/channels/{CHANNEL}/messages?limit=50", [CALL_MSG, PHOTO_MSG]),
        _entry(f"{API}/channels/{CHANNEL}/messages", SENT, method="POST"),
        _entry(f"{API}/channels/{CHANNEL}/messages/{SENT['id']}/ack", ACK, method="POST"),
        _entry(f"{API}/channels/{CHANNEL}/messages?limit=25", PAGE_UUID, on_fs=True),
        _entry(AVATAR, AVATAR_UUID, on_fs=True),
        _entry(f"{API}/users/@me/affinities/guilds", {"guild_affinities": []}),
    ]  # fmt: skip
    return entries if login else entries[1:]


def make_discord(folder: Path, entries: list[Entry] | None = None) -> Path:
    db = make_cache(folder, _entries() if entries is None else entries)
    (folder / "fsCachedData").mkdir()
    (folder / "fsCachedData" / PAGE_UUID).write_bytes(_json(FS_PAGE))
    (folder / "fsCachedData" / AVATAR_UUID).write_bytes(b"RIFF\x70\x10\x00\x00WEBPVP8 ")
    return db


RUNS = (
    "SELECT f.path, r.status, r.records, r.warnings, r.message FROM parser_runs r"
    " JOIN files f ON f.id = r.file_id"
)


def _scan(
    tmp_path: Path, evidence: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    conn, rows = scan_with(tmp_path / "case", [DiscordIos()], evidence, RUNS)
    try:
        messages, cached = list(records(conn, "message")), list(records(conn, "web_cache"))
    finally:
        conn.close()
    runs = {
        r["path"].rsplit("/", 1)[-1]: {
            k: r[k] for k in ("status", "records", "warnings", "message")
        }
        for r in rows
    }
    return messages, cached, runs


def _ours(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("id", "source_sha256")}


def test_cache_and_fs_cached_page(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_discord(tmp_path / "iphone" / CACHES)
    unchanged(tmp_path / "iphone")
    messages, cached, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs == {
        "Cache.db": {"status": "ok", "records": 7 + 3, "warnings": 0, "message": ""},
        PAGE_UUID: {"status": "ok", "records": 2, "warnings": 0, "message": ""},
        AVATAR_UUID: {
            "status": "skipped", "records": 0, "warnings": 0,
            "message": "not a cached Discord message response",
        },
    }  # fmt: skip
    photo = next(m for m in messages if m.get("message_id") == PHOTO_MSG["id"])
    assert _ours(photo) == {
        "kind": "message", "evidence": 1, "path": f"/{CACHES}/Cache.db", "volume": None,
        "parser": "discord_ios", "ts": "2023-04-24T18:21:31.664000Z",
        "ts_raw": "2023-04-24T18:21:31.664000+00:00", "deleted": False, "app": "discord",
        "thread": CHANNEL, "sender": PEER, "recipients": [], "direction": "incoming",
        "body": "الصورة", "attachments": [PHOTO], "message_id": PHOTO_MSG["id"],
        "sender_name": "الحاج", "username": "hajj_77", "message_type": "reply",
        "edited": "2023-04-24T18:22:00Z", "reply_to": "1100124000000000000",
        "embeds": ["https://maps.example.org/?q=32.9,13.1"],
        "cache_url": f"{API}/channels/{CHANNEL}/messages?limit=50", "cache_item": 1,
        "source_table": "cfurl_cache_receiver_data", "source_rowid": 2,
    }  # fmt: skip
    call = next(m for m in messages if m.get("message_id") == CALL_MSG["id"])
    assert (call["direction"], call["message_type"], call["body"]) == ("outgoing", "call", "")
    assert call["call_ended"] == "2023-04-24T20:44:38.830000Z"
    assert call["call_participants"] == [PEER, OWNER] and call["username"] == "boatman#6767"
    sent = [m for m in messages if m.get("message_id") == SENT["id"]]
    inline, on_fs = sorted(sent, key=lambda m: m["source_table"] is None)
    assert (inline["direction"], inline["source_rowid"], inline["cache_item"]) == ("outgoing", 3, 0)
    # An fsCachedData file names neither its URL nor the account: no direction there.
    assert (on_fs["direction"], on_fs["source_table"], on_fs["body"]) == (
        None,
        None,
        SENT["content"],
    )
    assert "cache_url" not in on_fs and on_fs["path"].endswith(f"/fsCachedData/{PAGE_UUID}")
    assert len(cached) == 7 and {c["browser"] for c in cached} == {"discord"}
    avatar = next(c for c in cached if c["url"] == AVATAR)
    assert (avatar["local_path"], avatar["mime"], avatar["size"]) == (
        AVATAR_UUID,
        "image/webp",
        None,
    )
    assert [c["method"] for c in cached[:3]] == ["POST", "GET", "POST"]


@pytest.mark.parametrize("login", [True, False])
def test_account_from_login_or_from_a_sent_message(tmp_path: Path, login: bool) -> None:
    """Without the login answer, the answer to a sent message still names the account."""
    make_discord(tmp_path / "iphone" / CACHES, _entries(login=login))
    messages, _, _ = _scan(tmp_path, tmp_path / "iphone")
    inline = {m["message_id"]: m["direction"] for m in messages if m["source_table"]}
    assert inline == {
        CALL_MSG["id"]: "outgoing",
        PHOTO_MSG["id"]: "incoming",
        SENT["id"]: "outgoing",
    }


def test_no_account_no_direction(tmp_path: Path) -> None:
    entries = [e for e in _entries(login=False) if not e.url.endswith("/messages")]
    make_discord(tmp_path / "iphone" / CACHES, entries)
    messages, _, _ = _scan(tmp_path, tmp_path / "iphone")
    assert {m["direction"] for m in messages} == {None} and len(messages) == 4


def test_truncated_cache_is_an_error(tmp_path: Path) -> None:
    source = make_discord(tmp_path / "src")
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    truncated_copy(source, tmp_path / "iphone" / CACHES / "Cache.db", extra=0)
    _, _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs["Cache.db"]["status"] == "error" and runs["Cache.db"]["message"]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_discord(tmp_path / "iphone" / CACHES)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE cfurl_cache_receiver_data RENAME COLUMN isDataOnFS TO onFS")
    conn.commit()
    conn.close()
    _, _, runs = _scan(tmp_path, tmp_path / "iphone")
    run = runs["Cache.db"]
    assert run["status"] == "error" and "cfurl_cache_receiver_data.isDataOnFS" in run["message"]


def test_garbage_is_warned_and_skipped(tmp_path: Path) -> None:
    page = [
        message("1", ME, "kept", "2023-04-24T18:00:00+00:00"),
        42,
        message("2", ME, "bad time", "yesterday"),
        message("3", "not an object", "bad author", "2023-04-24T18:00:00+00:00"),
    ]
    entries = [
        _entry(f"{API}/channels/{CHANNEL}/messages", b"<html>502 Bad Gateway</html>"),
        _entry(f"{API}/channels/{CHANNEL}/messages?limit=50", page),
    ]
    folder = tmp_path / "iphone" / CACHES
    make_discord(folder, entries)
    (folder / "fsCachedData" / PAGE_UUID).write_text("[" * 100_000 + "]" * 100_000)
    messages, cached, runs = _scan(tmp_path, tmp_path / "iphone")
    run = runs["Cache.db"]
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 2 + 1, 4)
    assert "entry 1: body is not JSON" in run["message"]
    assert "entry 2 item 1 skipped: not a message object" in run["message"]
    assert "entry 2 item 2 skipped: timestamp 'yesterday' is not an ISO-8601 text" in run["message"]
    assert "entry 2 item 3 skipped: author is not an object" in run["message"]
    assert [m["body"] for m in messages] == ["kept"] and len(cached) == 2
    assert runs[PAGE_UUID]["status"] == "skipped"  # nested past the JSON decoder's depth


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    unrelated_db(tmp_path / "iphone" / CACHES / "Cache.db")
    messages, cached, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs["Cache.db"]["status"] == "skipped" and messages == cached == []


@pytest.mark.parametrize(
    ("path", "prefix", "chosen"),
    [
        (f"/{CACHES}/Cache.db", b"SQLite format 3\x00", True),
        (f"/{CACHES}/fsCachedData/{PAGE_UUID}", b"[{", True),
        (f"/{CACHES}/Cache.db-wal", b"7\x7f\x06\x82", False),
        ("/private/var/mobile/Library/Caches/com.apple.mobilesafari/Cache.db", b"", False),
    ],
)
def test_path_globs(path: str, prefix: bytes, chosen: bool) -> None:
    assert dispatched(DiscordIos(), path, prefix) is chosen


ILEAPP = "iLEAPP/admin/test"
CASE_ZIP = (
    f"{ILEAPP}/cases/data/discord_cache/testdata.discord_cache.discord_cache.josh_ios15_ffs.zip"
)
ORACLE = (
    f"{ILEAPP}/results/discord_cache/discord_cache.discord_cache.josh_ios15_ffs.20260529215019.json"
)
PAGES = {  # fsCachedData file → message objects in it
    "B8251F6E-2948-4505-87AE-5A6D9C226952": 25, "F861CDFE-87CD-4BC7-9D48-D6F9D86BED0B": 26,
    "F40390DD-BE20-4067-943C-3B35F05540E6": 26, "23AAD8D4-D632-4F99-8E44-152AAB8FA9D6": 26,
    "A4D1D16E-2153-43F9-B647-68AF65A11903": 26, "5E6D5FF5-C4D5-4AD8-B342-2D72EA533BE5": 25,
}  # fmt: skip
_MESSAGE_ENDPOINT = re.compile(r".*/api/v9/channels/\d+/messages(?:\?.*)?$")
_FIRST = re.compile(r'"id": "(\d+)", "type": \d+, "content": "((?:[^"\\]|\\.)*)"')


def test_corpus_ileapp_case_matches_ileapp_rows(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    """iLEAPP's module reports the cache itself: one row per Cache.db entry (65), with its
    payload's first 150 characters. Our `web_cache` records are those 65 rows; our messages
    are the message objects of the 8 entries whose URL is a channel's message endpoint (6
    pages in fsCachedData, 2 sent messages inline), checked against iLEAPP's previews."""
    evidence = corpus(CASE_ZIP)
    oracle = json.loads(corpus(ORACLE).read_text(encoding="utf-8"))
    unchanged(evidence)
    messages, cached, runs = _scan(tmp_path, evidence)
    assert runs.pop("Cache.db") == {"status": "ok", "records": 65 + 2, "warnings": 0, "message": ""}
    for name, count in PAGES.items():
        assert runs.pop(name) == {"status": "ok", "records": count, "warnings": 0, "message": ""}
    # Images (webp, png, jpeg) and other API answers (manifest, experiments, sticker packs,
    # activities) are not message responses.
    assert [r["status"] for r in runs.values()] == ["skipped"] * 7
    col = {name: i for i, name in enumerate(oracle["headers"])}
    assert len(cached) == oracle["metadata"]["number_of_rows"] == len(oracle["data"]) == 65
    by_entry = {c["source_rowid"]: c for c in cached}
    for row in oracle["data"]:
        ours = by_entry[row[col["Cache Entry ID"]]]
        assert (
            ours["ts_raw"], ours["ts"][:19].replace("T", " "), ours["url"],
            ours["local_path"] or "", bool(ours["local_path"]), ours["size"],
        ) == (
            row[col["Cache Timestamp"]], row[col["Cache Timestamp"]], row[col["Request URL"]],
            row[col["Cache Filename"]], bool(row[col["Is Data On Filesystem"]]),
            row[col["Payload Size"]],
        )  # fmt: skip
    endpoints = [r for r in oracle["data"] if _MESSAGE_ENDPOINT.match(r[col["Request URL"]])]
    assert len(endpoints) == 8
    for row in endpoints:
        first = _FIRST.search(row[col["Payload Preview"]])
        assert first is not None
        name, entry = row[col["Cache Filename"]], row[col["Cache Entry ID"]]
        ours = next(
            m for m in messages if m["cache_item"] == 0
            and (m["path"].endswith(f"/{name}") if name else m["source_rowid"] == entry)
        )  # fmt: skip
        assert (ours["message_id"], ours["body"]) == (first[1], json.loads(f'"{first[2]}"'))
    _corpus_facts(messages, by_entry)


def _corpus_facts(messages: list[dict[str, Any]], by_entry: dict[int, dict[str, Any]]) -> None:
    assert len(messages) == 156 and len({m["message_id"] for m in messages}) == 60
    assert Counter(m["thread"] for m in messages) == {
        "622810296226152474": 25 + 26 * 4 + 1, "691283137615101955": 25 + 1,
    }  # fmt: skip
    # The account is named by the login answer (entry 11): its two sent messages are inline.
    owner = "672145484864815124"
    inline = [m for m in messages if m["source_table"]]
    assert [(m["source_rowid"], m["direction"], m["sender"]) for m in inline] == [
        (33, "outgoing", owner), (49, "outgoing", owner),
    ]  # fmt: skip
    assert (inline[1]["body"], inline[1]["sender_name"], inline[1]["username"]) == (
        "Deleted.", "ThisIsDFIR", "ThisIsDFIR#6767",
    )  # fmt: skip
    assert {m["direction"] for m in messages if not m["source_table"]} == {None}
    unique = {m["message_id"]: m for m in messages}.values()
    assert Counter(m["sender_name"] for m in unique) == {"ThisIsDFIR": 30, "josh_hickman1": 30}
    assert sum(m["message_type"] == "call" for m in unique) == 8
    assert sum(bool(m["attachments"]) for m in unique) == 9
    first, last = min(unique, key=lambda m: m["ts"]), max(unique, key=lambda m: m["ts"])
    assert first["ts"] == "2021-02-04T16:24:40.539000Z" and first["attachments"] == [
        "https://cdn.discordapp.com/attachments/622810296226152474/806923190387212339/image0.jpg"
    ]
    assert last["ts"] == "2023-04-24T20:49:03.726000Z" and last["body"] == "Deleted."
    # The cache row's time is its creation: the page cached at 18:00:58 (entry 19) was
    # received again at 20:35:26 and holds a message sent at 20:23:11.
    page = by_entry[19]
    assert (page["ts"], page["response_time"][:19]) == (
        "2023-04-24T18:00:58Z",
        "2023-04-24T20:35:26",
    )
