"""Burner for iOS: messages, calls and voicemails from the app's HTTP cache.

App: Burner (second phone numbers, com.adhoclabs.burner). The app keeps no message database;
what survives is its NSURLCache, `Library/Caches/com.adhoclabs.burner/Cache.db` (tables
`cfurl_cache_response`: request URL in `request_key`; `cfurl_cache_receiver_data`: the
response body, inline in `receiver_data` or, when `isDataOnFS` = 1, in a file
`fsCachedData/<UUID>` next to Cache.db whose name `receiver_data` holds). Checked against
iLEAPP's test case `burnerCache.burnerCache_messages.josh_ios15_ffs` (Burner on iOS 15, 2023:
one message inline in Cache.db entry 31, seventeen in fsCachedData/34A0C948-…) and the JSON of
the phoenix.burnerapp.com API seen there and in iLEAPP's burnerCache module (app 4.x-5.x).

Two inputs, one record per message object in a cached response:
- Cache.db: inline bodies of the message endpoints (`/user/<id>/messages` POST answers,
  `/user/<id>/messages?…contactPhoneNumber=…` pages, `/burners/<id>/conversations/<c>/messages`).
  Thread listings (`messageThreads`), contacts and the burners list are not messages; the
  burners and contacts answers name the numbers (`burner_number`, `contact_name`). A body
  stored on the file system is read when the engine hands this parser that fsCachedData file.
- fsCachedData/<UUID>: a file whose JSON is a Burner message object or a list of them
  (recognised by shape: `burnerId`, `direction`, `dateCreated`); anything else (images,
  voicemail audio, other API answers) is `skipped`. Such a file does not name its URL, so
  a thread listing stored on the file system would be read as messages too.
The same message cached by two responses gives two records (`message_id` tells them apart,
as in iLEAPP's output).

Timestamps: `dateCreated` = milliseconds since 1970-01-01 UTC. Shapes: the v1/v2 message
object (`direction` 1 incoming / 2 outgoing, `messageType` 1 voice / 2 text, `state` 3
completed call, 4 missed call, 5 voicemail, `message`, `assetUrl`, `voiceUrl`) and the v3
conversation object (`direction` `Inbound`/`Outbound`, `messageType` `Voice`/`Text`,
`state` `CallCompleted`/`CallMissed`/`Voicemail`, `text`, `mediaUrl`, `voicemail.audioUrl`,
`conversation.conversationId`). Calls and voicemails are records of this kind too (their
`call_event` says what happened), so the count matches the app's own list.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.nsurlcache import IDENTIFY, REQUIRED, CachedApi, Where, is_cache_db
from triage_app.core.nsurlcache import as_bytes as _bytes
from triage_app.core.nsurlcache import inline_bodies as _inline
from triage_app.core.nsurlcache import load_json as _loads
from triage_app.core.parsing import (
    FileInfo,
    ParseContext,
    Parser,
    SQLiteParser,
)
from triage_app.core.timeconv import from_unix_ms

_UUID = r"[0-9a-fA-F-]{36}"
_API = r"https://phoenix\.burnerapp\.com(?:/v\d+)?/user/" + _UUID
_MESSAGES_URL = re.compile(
    _API + r"(?:/messages(?:$|\?.*contactPhoneNumber=.+)"
    r"|/burners/" + _UUID + r"/conversations/.+/messages(?:$|\?.*pageSize=.+))"
)
_BURNERS_URL = re.compile(_API + r"/burners(?:/" + _UUID + r")?$")
_CONTACTS_URL = re.compile(_API + r"/contacts\?.+")
_CALL_EVENTS = {
    ("incoming", "completed"): "Completed incoming call",
    ("outgoing", "completed"): "Completed outgoing call",
    ("incoming", "missed"): "Missed incoming call",
    ("outgoing", "missed"): "Missed outgoing call",
    ("incoming", "voicemail"): "Missed incoming call with voicemail",
    ("outgoing", "voicemail"): "Missed outgoing call with voicemail",
}
_V1_STATE: dict[Any, str] = {3: "completed", 4: "missed", 5: "voicemail"}
_V3_STATE = {"CallCompleted": "completed", "CallMissed": "missed", "Voicemail": "voicemail"}
_V1_DIRECTION: dict[Any, str] = {1: "incoming", 2: "outgoing"}
_V3_DIRECTION = {"Inbound": "incoming", "Outbound": "outgoing"}
Names = dict[str, str]


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and {"burnerId", "direction", "dateCreated"} <= value.keys()


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_API_CACHE = CachedApi("Burner", _MESSAGES_URL, _is_message, _items)


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


class _CacheDb(SQLiteParser):
    """The Cache.db half: inline response bodies of the message endpoints."""

    name = "burner_ios"
    version = "1.0"
    kinds = ("message",)
    identify: ClassVar[frozenset[str]] = IDENTIFY
    required: ClassVar[dict[str, frozenset[str]]] = REQUIRED

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        names: Names = {}
        for row in _inline(conn, ctx, (_BURNERS_URL, _CONTACTS_URL)):
            _names(_loads(_bytes(row["data"])), names)
        found = _API_CACHE.inline_items(conn, ctx)
        yield from _API_CACHE.checked(found, ctx, lambda item, where: _message(item, names, where))


class BurnerIos(Parser):
    name = "burner_ios"
    version = "1.0"
    kinds = ("message",)
    path_globs = (
        "*/com.adhoclabs.burner/Cache.db",
        "*/com.adhoclabs.burner/fsCachedData/*",
    )

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        if is_cache_db(file, ctx):
            yield from _CACHE_DB.parse(file, ctx)
        else:
            # No URL and no burners/contacts answers beside a file: numbers stay unnamed.
            found = _API_CACHE.file_items(file, ctx)
            yield from _API_CACHE.checked(found, ctx, lambda item, where: _message(item, {}, where))


_CACHE_DB = _CacheDb()


def _names(value: Any, names: Names) -> None:
    """Numbers named by the burners (`settings.name`) and contacts (`name`) answers."""
    for item in _items(value):
        if not isinstance(item, dict):
            continue
        settings = item.get("settings")
        label = settings.get("name") if isinstance(settings, dict) else item.get("name")
        number, key = item.get("phoneNumber"), item.get("id")
        if isinstance(key, str) and isinstance(number, str):
            names["id:" + key] = number
        if isinstance(number, str) and isinstance(label, str) and label:
            names[number] = label


def _message(item: dict[str, Any], names: Names, where: Where) -> Artifact:
    v3 = isinstance(item.get("conversation"), dict)
    parsed = _v3(item) if v3 else _v1(item)
    direction, state, text, media, contact = parsed
    burner_number = names.get("id:" + str(item.get("burnerId")))
    event = _CALL_EVENTS.get((direction or "", state or ""))
    fields: dict[str, Any] = {
        "app": "burner",
        "thread": contact,
        "sender": contact if direction == "incoming" else burner_number,
        "recipients": _recipients(direction, contact, burner_number),
        "direction": direction,
        "body": text,
        "attachments": [media] if media else [],
        "message_id": _str(item.get("id")),
        "message_type": _kind(item.get("messageType"), state, media),
        "burner_id": _str(item.get("burnerId")),
        "burner_number": burner_number,
        "burner_name": names.get(burner_number or ""),
        "contact_name": names.get(contact or ""),
        "call_event": event,
        "read": item.get("read") if isinstance(item.get("read"), bool) else None,
        "cache_url": where.url,
        "cache_item": where.item,
    }
    if item.get("messageDuration") is not None:
        fields["duration_s"] = float(item["messageDuration"])
    stamp = item.get("dateCreated")
    if stamp is not None and not isinstance(stamp, int | float):
        raise ValueError(f"dateCreated {stamp!r} is not a number")
    return Artifact(
        kind="message",
        fields={k: v for k, v in fields.items() if v is not None or k in _MESSAGE_KEYS},
        ts=from_unix_ms(stamp),
        ts_raw=stamp,
        source_table=where.table,
        source_rowid=where.entry,
    )


_MESSAGE_KEYS = frozenset(
    {"app", "thread", "sender", "recipients", "direction", "body", "attachments"}
)
Parsed = tuple[str | None, str | None, str | None, str | None, str | None]


def _v1(item: dict[str, Any]) -> Parsed:
    direction = _V1_DIRECTION.get(item.get("direction"))
    state = _V1_STATE.get(item.get("state")) if item.get("messageType") == 1 else None
    media = _str(item.get("assetUrl")) or _str(item.get("voiceUrl"))
    return direction, state, _str(item.get("message")), media, _str(item.get("contactPhoneNumber"))


def _v3(item: dict[str, Any]) -> Parsed:
    direction = _V3_DIRECTION.get(str(item.get("direction")))
    state = _V3_STATE.get(str(item.get("state"))) if item.get("messageType") == "Voice" else None
    voicemail = item.get("voicemail")
    audio = voicemail.get("audioUrl") if isinstance(voicemail, dict) else None
    media = _str(item.get("mediaUrl")) or _str(audio)
    contact = _str(item["conversation"].get("conversationId"))
    return direction, state, _str(item.get("text")), media, contact


def _recipients(direction: str | None, contact: str | None, burner: str | None) -> list[str]:
    if direction == "incoming":
        return [burner] if burner else []
    return [contact] if contact else []


def _kind(message_type: Any, state: str | None, media: str | None) -> str | None:
    if state is not None:
        return "voicemail" if state == "voicemail" else "call"
    if message_type in (1, "Voice"):
        return "call"
    if message_type in (2, "Text"):
        return "picture" if media else "text"
    return None
