"""Discord for iOS: messages from the app's cached API answers, and its HTTP cache entries.

App: Discord (com.hammerandchisel.discord). The app keeps its chats in memory and in a store
this parser does not read; what survives in its NSURLCache is the REST API's answers:
`Library/Caches/com.hammerandchisel.discord/Cache.db` (request URL in
`cfurl_cache_response.request_key`, body inline in `cfurl_cache_receiver_data` or, when
`isDataOnFS` = 1, in the file `fsCachedData/<UUID>` beside Cache.db; see
`triage_app.core.nsurlcache`). Checked against iLEAPP's test case
`discord_cache.josh_ios15_ffs` (Discord 174.0 on iOS 15.3.1, 2023: 65 cache entries, 6 message
pages in fsCachedData, 2 sent messages inline) and Discord's API documentation of the message
object (API v9/v10: `id`, `channel_id`, `author` {`id`, `username`, `global_name`,
`discriminator`}, `content`, `timestamp`, `edited_timestamp`, `attachments` [{`url`,
`filename`}], `embeds`, `type`, `call`, `message_reference`).

Records:
- `web_cache`: one per Cache.db entry (`browser` "discord"), as the `safari_cache` parser
  makes them: what the app fetched, including attachments, avatars and profiles of other users.
- `message`: one per message object in a cached answer of `/api/v*/channels/<id>/messages`
  (a page, a single message, or the answer to a sent message), `/channels/<id>/pins` and the
  message search; in an fsCachedData file, recognised by shape (a message object or a list of
  them; anything else, images included, is `skipped`). `thread` = `channel_id`, `sender` =
  the author's user id (a snowflake, stable while usernames change), `sender_name` =
  `global_name` or else `username`, `username` = the legacy `name#1234` tag where the account
  still had one, `attachments` = the attachments' URLs (file name when no URL). `direction` is
  known only in Cache.db, where the account is named by the `auth/login` answer (`user_id`),
  the `users/@me` answer or the answer to a message it sent; an fsCachedData file names no
  account, so its messages have a null direction. `recipients` is empty: a message does not
  name its channel's members (a call's `call_participants` do). The same message cached by
  several overlapping pages gives one record per copy (`message_id` tells them apart).

Timestamps: `timestamp`, `edited_timestamp` and `call.ended_timestamp` are ISO-8601 text with
an offset (`2023-04-24T20:23:11.853000+00:00`), kept as UTC; `ts_raw` is the text. The cache's
own times are described in `triage_app.core.nsurlcache`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.nsurlcache import (
    IDENTIFY,
    WEB_CACHE_REQUIRED,
    CachedApi,
    Where,
    as_bytes,
    cache_records,
    inline_bodies,
    is_cache_db,
    load_json,
)
from triage_app.core.parsing import (
    FileInfo,
    ParseContext,
    Parser,
    SQLiteParser,
)
from triage_app.core.timeconv import from_unix_us, iso
from triage_app.core.values import MESSAGE_KEYS, compact

APP = "discord"
_API = r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/(?:v\d+/)?"
_CHANNEL = _API + r"channels/\d+/"
_MESSAGES_URL = re.compile(
    _CHANNEL + r"(?:messages(?:/\d+)?|pins)(?:\?.*)?$"
    r"|" + _API + r"(?:guilds|channels)/\d+/messages/search(?:\?.*)?$"
)
# A single message answered here (not a page) is the answer to a message the account sent.
_SENT_URL = re.compile(_CHANNEL + r"messages$")
_LOGIN_URL = re.compile(_API + r"auth/login$")
_ME_URL = re.compile(_API + r"users/@me$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TYPES = {
    0: "default", 1: "recipient_add", 2: "recipient_remove", 3: "call",
    4: "channel_name_change", 5: "channel_icon_change", 6: "channel_pinned_message",
    7: "user_join", 18: "thread_created", 19: "reply", 20: "chat_input_command",
    21: "thread_starter_message", 23: "context_menu_command",
}  # fmt: skip


class _CacheDb(SQLiteParser):
    """The Cache.db half: every entry, and the messages of inline bodies."""

    name = "discord_ios"
    version = "1.0"
    kinds = ("message", "web_cache")
    identify: ClassVar[frozenset[str]] = IDENTIFY
    required: ClassVar[dict[str, frozenset[str]]] = WEB_CACHE_REQUIRED
    reads: ClassVar[frozenset[str]] = frozenset({"cfurl_cache_blob_data"})

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        yield from cache_records(conn, ctx, APP)
        owners = _owners(conn, ctx)
        found = _API_CACHE.inline_items(conn, ctx)
        yield from _API_CACHE.checked(found, ctx, lambda item, where: _message(item, owners, where))


class DiscordIos(Parser):
    name = "discord_ios"
    version = "1.0"
    kinds = ("message", "web_cache")
    path_globs = (
        "*/com.hammerandchisel.discord/Cache.db",
        "*/com.hammerandchisel.discord/fsCachedData/*",
    )

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        if is_cache_db(file, ctx):
            yield from _CACHE_DB.parse(file, ctx)
        else:
            # A file names neither its URL nor the account: no direction can be told.
            found = _API_CACHE.file_items(file, ctx)
            none: frozenset[str] = frozenset()
            yield from _API_CACHE.checked(
                found, ctx, lambda item, where: _message(item, none, where)
            )


_CACHE_DB = _CacheDb()


def _owners(conn: sqlite3.Connection, ctx: ParseContext) -> frozenset[str]:
    """User ids of the account(s) signed in, from the answers that name them."""
    owners: set[str] = set()
    for row in inline_bodies(conn, ctx, (_LOGIN_URL, _ME_URL, _SENT_URL)):
        value = load_json(as_bytes(row["data"]))
        if not isinstance(value, dict):
            continue
        url = str(row["url"])
        if _LOGIN_URL.match(url):
            found = value.get("user_id")
        elif _ME_URL.match(url):
            found = value.get("id")
        else:
            author = value.get("author") if _is_message(value) else None
            found = author.get("id") if isinstance(author, dict) else None
        if isinstance(found, str | int) and str(found):
            owners.add(str(found))
    return frozenset(owners)


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and {"id", "channel_id", "author", "timestamp"} <= value.keys()


def _items(value: Any) -> list[Any]:
    """The message objects of an answer: a page (list), one message, or a search result
    (`messages`: a list of lists, each a hit with its context)."""
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        found: list[Any] = []
        for group in value["messages"]:
            found.extend(group if isinstance(group, list) else [group])
        return found
    return value if isinstance(value, list) else [value]


_API_CACHE = CachedApi("Discord", _MESSAGES_URL, _is_message, _items)


def _message_of_unknown_account(item: dict[str, Any], where: Where) -> Artifact:
    return _message(item, frozenset(), where)


def _message(item: dict[str, Any], owners: frozenset[str], where: Where) -> Artifact:
    author = item["author"]
    if not isinstance(author, dict):
        raise ValueError("author is not an object")
    sender = _str(author.get("id"))
    stamp = item.get("timestamp")
    call = item["call"] if isinstance(item.get("call"), dict) else {}
    reference = item.get("message_reference")
    fields: dict[str, Any] = {
        "app": APP,
        "thread": _str(item.get("channel_id")),
        "sender": sender,
        "recipients": [],
        "direction": _direction(sender, owners),
        "body": item["content"] if isinstance(item.get("content"), str) else None,
        "attachments": _attachments(item.get("attachments")),
        "message_id": _str(item.get("id")),
        "sender_name": _str(author.get("global_name")) or _str(author.get("username")),
        "username": _username(author),
        "message_type": _type(item.get("type")),
        "edited": iso(_time(item.get("edited_timestamp"), "edited_timestamp")),
        "call_ended": iso(_time(call.get("ended_timestamp"), "call.ended_timestamp")),
        "call_participants": _ids(call.get("participants")),
        "reply_to": _str(reference.get("message_id")) if isinstance(reference, dict) else None,
        "embeds": _embeds(item.get("embeds")),
        "guild_id": _str(item.get("guild_id")),
        "cache_url": where.url,
        "cache_item": where.item,
    }
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=_time(stamp, "timestamp"),
        ts_raw=stamp,
        source_table=where.table,
        source_rowid=where.entry,
    )


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _time(value: Any, what: str) -> datetime | None:
    """An ISO-8601 time of the API as UTC (null for null); ValueError when not such a text."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} {value!r} is not an ISO-8601 text")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO-8601 text") from None
    if parsed.tzinfo is None:  # the API always sends +00:00; a bare time is taken as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return from_unix_us((parsed - _EPOCH) // timedelta(microseconds=1))


def _direction(sender: str | None, owners: frozenset[str]) -> str | None:
    if not owners or sender is None:
        return None
    return "outgoing" if sender in owners else "incoming"


def _username(author: dict[str, Any]) -> str | None:
    name = _str(author.get("username"))
    tag = _str(author.get("discriminator"))
    # "0" marks an account moved to the unique usernames of 2023 (no more #1234 tag).
    if name and tag and tag.strip("0"):
        return f"{name}#{tag}"
    return name


def _type(value: Any) -> str | None:
    if value is None:
        return None
    return _TYPES.get(value, f"type_{value}") if isinstance(value, int) else str(value)


def _attachments(value: Any) -> list[str]:
    found = []
    for attachment in value if isinstance(value, list) else ():
        if isinstance(attachment, dict):
            link = _str(attachment.get("url")) or _str(attachment.get("filename"))
            if link:
                found.append(link)
    return found


def _ids(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [str(v) for v in value if isinstance(v, str | int)] or None


def _embeds(value: Any) -> list[str] | None:
    found = []
    for embed in value if isinstance(value, list) else ():
        if isinstance(embed, dict):
            link = _str(embed.get("url")) or _str(embed.get("title"))
            if link:
                found.append(link)
    return found or None
