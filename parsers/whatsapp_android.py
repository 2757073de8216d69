"""WhatsApp Android messages and calls from `msgstore.db`.

App: WhatsApp (com.whatsapp) and WhatsApp Business (com.whatsapp.w4b), same database. Two
schemas, chosen by the tables present:

- legacy (until 2021): one table `messages` keyed by the chat's JID string
  (`key_remote_jid`), group subjects in `chat_list.subject`. Checked against IPED's test file
  `test_whatsAppMsgStore.db` (WhatsApp 2.21, June 2021) and a generated legacy fixture.
- current (2021+): `message` rows point to `chat` (`chat_row_id`) and `jid` (`sender_jid_row_id`);
  attachments in `message_media`, system-message actions in `message_system`. Checked against
  a generated fixture built with the table definitions of WhatsApp 2.21 (the new-schema tables
  of the IPED file, which holds only the placeholder row in `message`).

A database holding both sets (WhatsApp keeps the other schema's tables during its migration, as
in the IPED file) is read with the current schema when `message` holds a real row, otherwise
with the legacy one. Calls come from `call_log` joined to `jid`, in either schema, when present.

Records. One `message` per row. `thread` is the chat's JID string (`…@s.whatsapp.net`, a group
`…@g.us`, `status@broadcast` for status updates, with extra `status_update: true`); `sender` is
the participant JID in groups and the chat JID in one-to-one chats, null for outgoing rows,
whose `recipients` are `[thread]`. `attachments` lists the media file as WhatsApp stored it
(`message_media.file_path`, relative to the WhatsApp media folder, or the legacy `media_name`),
like every Qarina message parser; extras `media_mime` and `media_size` (bytes) describe it, and
a caption is the body when the message has no text. Extras: `message_type` (the name of WhatsApp's
`message_type`/`media_wa_type` code, or the code itself when unknown), `key_id` (the message
id shared by both phones), `thread_name` (group subject, when known).

System rows (legacy `status` 6, current `message_type` 7: group created, participant added,
security code changed, "messages are end-to-end encrypted", ...) are kept so counts stay honest:
extra `system: true`, `system_action` (the action code; legacy keeps it in `media_size`),
`direction` null (the legacy table stores them with `key_from_me` = 1 whatever their origin),
`sender` the acting participant when stored, `body` the stored text, usually null (the group
subject for "group created" and subject changes). The only row not emitted is WhatsApp's
placeholder row (legacy `key_remote_jid` and `key_id` "-1", current `chat_row_id` -1 and `key_id`
"-1", no text), created with every empty database; IPED drops it too (it reads messages chat by
chat). The IPED file therefore gives 74 messages for its 75 `messages` rows: 70 system rows (18 of
them carry a group subject), 3 outgoing and 1 incoming text; IPED's parser reports the same 74.

Calls: `number` = "+<digits>" for a phone JID (`…@s.whatsapp.net`), else null (extra `jid`
keeps the raw JID); `direction` outgoing when `from_me`, else missed when `call_result` says
missed/rejected/unavailable (4/2/3) or, with no known result, when `duration` is 0; extras
`video` (bool) and `call_result` (connected/missed/rejected/unavailable, or the code).

Timestamps: `messages.timestamp`, `message.timestamp` and `call_log.timestamp` are
milliseconds since 1970-01-01 UTC (0 = not set → null); `call_log.duration` is seconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from triage_app.core.models import Artifact
from triage_app.core.parsing import NotApplicable, ParseContext, SQLiteParser, require
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms
from triage_app.core.values import phone_from_jid, strict_int, text

APP = "whatsapp"
STATUS_JID = "status@broadcast"

_LEGACY_REQUIRED: dict[str, frozenset[str]] = {
    "messages": frozenset(
        {"_id", "key_remote_jid", "key_from_me", "key_id", "status", "data", "timestamp"}
        | {"media_wa_type", "remote_resource"}
    ),
}
_CURRENT_REQUIRED: dict[str, frozenset[str]] = {
    "message": frozenset(
        {"_id", "chat_row_id", "from_me", "key_id", "sender_jid_row_id", "timestamp"}
        | {"message_type", "text_data"}
    ),
    "jid": frozenset({"_id", "raw_string"}),
    "chat": frozenset({"_id", "jid_row_id"}),
}
_CALL_REQUIRED = frozenset({"_id", "jid_row_id", "from_me", "timestamp", "duration", "video_call"})
_LEGACY_MEDIA = ("media_mime_type", "media_size", "media_name", "media_caption")
_MEDIA_COLUMNS = ("file_path", "mime_type", "file_size", "media_name", "media_caption")

# WhatsApp's message_type (current) / media_wa_type (legacy) codes, as IPED and ALEAPP read them.
_TYPE_NAMES = {
    0: "text", 1: "image", 2: "audio", 3: "video", 4: "contact", 5: "location", 7: "system",
    8: "call", 9: "document", 10: "missed_call", 11: "waiting", 13: "gif", 14: "contacts",
    15: "revoked", 16: "live_location", 20: "sticker", 42: "view_once_image",
    43: "view_once_video", 64: "revoked_by_admin", 66: "poll",
}  # fmt: skip
_FILE_TYPES = frozenset({1, 2, 3, 9, 13, 20, 42, 43})
_SYSTEM_TYPE = 7
_LEGACY_SYSTEM_STATUS = 6
_CALL_RESULTS = {2: "rejected", 3: "unavailable", 4: "missed", 5: "connected"}
_NOT_ANSWERED = frozenset({2, 3, 4})
_CONNECTED = 5


class WhatsappAndroid(SQLiteParser):
    name = "whatsapp_android"
    version = "1.0"
    kinds = ("message", "call")
    path_globs = (
        "*/com.whatsapp/databases/msgstore.db",
        "*/com.whatsapp.w4b/databases/msgstore.db",
        "*/msgstore.db",
        "*/*msgstore*.db",  # renamed copies and decrypted backups (msgstore-2021-06-14.1.db)
    )

    def check_schema(self, conn: sqlite3.Connection) -> dict[str, set[str]]:
        tables = table_columns(conn)
        required = _CURRENT_REQUIRED if _schema(conn, tables) == "current" else _LEGACY_REQUIRED
        require(tables, required)
        return tables

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        if _schema(conn, tables) == "current":
            if "message_media" not in tables:
                ctx.warn("table message_media missing: attachments not read")
            yield from _rows(conn, _current_sql(tables), _current_record, "message", ctx)
            if "call_log" not in tables:
                ctx.warn("table call_log missing: calls not read")
        else:
            build = partial(_legacy_record, subjects=_legacy_subjects(conn, tables))
            yield from _rows(conn, _legacy_sql(tables), build, "messages", ctx)
        yield from _calls(conn, tables, ctx)


def _schema(conn: sqlite3.Connection, tables: Mapping[str, set[str]]) -> str:
    current = "message" in tables and "jid" in tables
    legacy = "messages" in tables
    if not (current or legacy):
        raise NotApplicable("not a WhatsApp msgstore.db (no table messages, nor message + jid)")
    if current and legacy:
        return "current" if _has_real_message(conn, tables["message"]) else "legacy"
    return "current" if current else "legacy"


def _has_real_message(conn: sqlite3.Connection, columns: set[str]) -> bool:
    if "key_id" not in columns:
        return True  # let the required-column check name what is missing
    row = conn.execute("SELECT 1 FROM message WHERE key_id IS NOT '-1' LIMIT 1").fetchone()
    return row is not None


def _rows(
    conn: sqlite3.Connection,
    sql: str,
    build: Callable[[tuple[Any, ...]], Artifact | None],
    table: str,
    ctx: ParseContext,
) -> Iterator[Artifact]:
    # Plain tuples, unpacked by position (`_id` first): name lookups in sqlite3.Row cost more
    # than the rest of the row's work on a million-message database.
    cursor = conn.cursor()
    cursor.row_factory = None
    for row in cursor.execute(sql):
        ctx.cancel.check()
        try:
            record = build(row)
        except (TypeError, ValueError) as exc:
            ctx.warn(f"{table} row {row[0]!r} skipped: {exc}")
            continue
        if record is None:
            continue
        if record.kind == "message" and record.fields["thread"] is None:
            ctx.warn(f"{table} row {row[0]!r}: chat not found, thread unknown")
        yield record


# --- legacy schema ------------------------------------------------------------------------


def _legacy_sql(tables: Mapping[str, set[str]]) -> str:
    have = tables["messages"]
    media = ", ".join(c if c in have else f"NULL AS {c}" for c in _LEGACY_MEDIA)
    return (
        "SELECT _id, key_remote_jid, key_from_me, key_id, status, data, timestamp,"
        f" media_wa_type, remote_resource, {media} FROM messages ORDER BY _id"
    )


def _legacy_subjects(conn: sqlite3.Connection, tables: Mapping[str, set[str]]) -> dict[str, str]:
    if {"key_remote_jid", "subject"} <= tables.get("chat_list", set()):
        sql = "SELECT key_remote_jid, subject FROM chat_list WHERE subject IS NOT NULL"
    elif "subject" in tables.get("chat", set()) and "raw_string" in tables.get("jid", set()):
        sql = (
            "SELECT j.raw_string, c.subject FROM chat c JOIN jid j ON j._id = c.jid_row_id"
            " WHERE c.subject IS NOT NULL"
        )
    else:
        return {}
    return {str(jid): str(subject) for jid, subject in conn.execute(sql) if jid and subject}


def _legacy_record(row: tuple[Any, ...], subjects: Mapping[str, str]) -> Artifact | None:
    rowid, chat, from_me, key_id, status, data, ts_raw, kind, actor = row[:9]
    mime, size, media_name, caption = row[9:]
    chat, data, key_id, caption = text(chat), text(data), text(key_id), text(caption)
    if chat == "-1" and key_id == "-1" and data is None:
        return None  # WhatsApp's placeholder row, present in every database
    kind = strict_int(kind)
    system = strict_int(status) == _LEGACY_SYSTEM_STATUS or chat == "-1"
    thread = None if chat == "-1" else chat
    media = _media(media_name, mime, size) if kind in _FILE_TYPES and not system else _NO_MEDIA
    fields = {
        "app": APP,
        "thread": thread,
        **_parties(thread, strict_int(from_me) == 1, system, text(actor)),
        "body": data if data is not None else caption,
        **media,
        **_extras(thread, subjects.get(thread or ""), kind, key_id, system),
    }
    if system:
        fields["system_action"] = strict_int(size)  # legacy keeps the action code in media_size
    return _message(fields, rowid, ts_raw, "messages")


# --- current schema -----------------------------------------------------------------------


def _current_sql(tables: Mapping[str, set[str]]) -> str:
    media_have = tables.get("message_media")
    media = ", ".join(
        f"mm.{c} AS {c}" if media_have and c in media_have else f"NULL AS {c}"
        for c in _MEDIA_COLUMNS
    )
    joins = ""
    if media_have and "message_row_id" in media_have:
        joins += " LEFT JOIN message_media mm ON mm.message_row_id = m._id"
        media = "mm.message_row_id AS media_row, " + media
    else:
        media = "NULL AS media_row, " + media
    action = "NULL"
    if {"message_row_id", "action_type"} <= tables.get("message_system", set()):
        joins += " LEFT JOIN message_system ms ON ms.message_row_id = m._id"
        action = "ms.action_type"
    subject = "c.subject" if "subject" in tables["chat"] else "NULL"
    return (
        "SELECT m._id, m.chat_row_id, m.from_me, m.key_id, m.timestamp, m.message_type,"
        f" m.text_data, cj.raw_string AS chat_jid, {subject} AS subject,"
        f" sj.raw_string AS sender_jid, {action} AS action_type, {media}"
        " FROM message m LEFT JOIN chat c ON c._id = m.chat_row_id"
        " LEFT JOIN jid cj ON cj._id = c.jid_row_id"
        f" LEFT JOIN jid sj ON sj._id = m.sender_jid_row_id{joins} ORDER BY m._id"
    )


def _current_record(row: tuple[Any, ...]) -> Artifact | None:
    rowid, chat_row, from_me, key_id, ts_raw, kind, body, thread, subject, sender = row[:10]
    action, media_row, path, mime, size, media_name, caption = row[10:]
    thread, body, key_id = text(thread), text(body), text(key_id)
    if chat_row == -1 and key_id == "-1" and body is None:
        return None  # WhatsApp's placeholder row, present in every database
    kind = strict_int(kind)
    system = kind == _SYSTEM_TYPE
    media = _NO_MEDIA
    if media_row is not None:
        media = _media(path if path is not None else media_name, mime, size)
    fields = {
        "app": APP,
        "thread": thread,
        **_parties(thread, strict_int(from_me) == 1, system, text(sender)),
        "body": body if body is not None else text(caption),
        **media,
        **_extras(thread, text(subject), kind, key_id, system),
    }
    if system:
        fields["system_action"] = strict_int(action)
    return _message(fields, rowid, ts_raw, "message")


# --- shared -------------------------------------------------------------------------------


def _parties(
    thread: str | None, outgoing: bool, system: bool, sender: str | None
) -> dict[str, Any]:
    if system:
        return {"sender": sender, "recipients": [], "direction": None}
    if outgoing:
        return {"sender": None, "recipients": [thread] if thread else [], "direction": "outgoing"}
    if sender is None and thread and not thread.endswith(("@g.us", "@broadcast")):
        sender = thread  # one-to-one chats store no sender: it is the chat's JID
    return {"sender": sender, "recipients": [], "direction": "incoming"}


def _extras(
    thread: str | None, subject: str | None, kind: int | None, key_id: str | None, system: bool
) -> dict[str, Any]:
    name = "system" if system else _TYPE_NAMES.get(kind, str(kind)) if kind is not None else None
    extra: dict[str, Any] = {"message_type": name, "key_id": key_id}
    if subject:
        extra["thread_name"] = subject
    if system:
        extra["system"] = True
    if thread == STATUS_JID:
        extra["status_update"] = True
    return extra


_NO_MEDIA: dict[str, Any] = {"attachments": []}


def _media(path: Any, mime: Any, size: Any) -> dict[str, Any]:
    name, mime_text, size_int = text(path), text(mime), strict_int(size)
    out: dict[str, Any] = {"attachments": [name] if name else []}
    if mime_text:
        out["media_mime"] = mime_text
    if size_int is not None:
        out["media_size"] = size_int
    return out


def _message(fields: dict[str, Any], rowid: Any, ts_raw: Any, table: str) -> Artifact:
    return Artifact(
        kind="message",
        fields=fields,
        ts=from_unix_ms(ts_raw),
        ts_raw=ts_raw,
        source_table=table,
        source_rowid=int(rowid),
    )


# --- calls --------------------------------------------------------------------------------


def _calls(
    conn: sqlite3.Connection, tables: Mapping[str, set[str]], ctx: ParseContext
) -> Iterator[Artifact]:
    have = tables.get("call_log")
    if have is None or "jid" not in tables:
        return  # legacy databases before 2017 kept no call_log
    missing = sorted(_CALL_REQUIRED - have) + (
        [] if "raw_string" in tables["jid"] else ["jid.raw_string"]
    )
    if missing:
        ctx.warn(f"call_log not read, missing: {', '.join(missing)}")
        return
    result = "c.call_result" if "call_result" in have else "NULL"
    sql = (
        "SELECT c._id, c.from_me, c.timestamp, c.duration, c.video_call,"
        f" {result} AS call_result, j.raw_string AS jid"
        " FROM call_log c LEFT JOIN jid j ON j._id = c.jid_row_id ORDER BY c._id"
    )
    yield from _rows(conn, sql, _call_record, "call_log", ctx)


def _call_record(row: tuple[Any, ...]) -> Artifact:
    rowid, from_me, ts_raw, duration, video, result, jid = row
    result, duration, jid = strict_int(result), strict_int(duration), text(jid)
    if strict_int(from_me) == 1:
        direction = "outgoing"
    elif result in _NOT_ANSWERED or (result != _CONNECTED and not duration):
        direction = "missed"
    else:
        direction = "incoming"
    fields = {
        "app": APP,
        "number": phone_from_jid(jid),
        "name": None,
        "direction": direction,
        "duration_s": duration,
        "video": strict_int(video) == 1,
        "jid": jid,
        "call_result": _CALL_RESULTS.get(result, str(result)) if result is not None else None,
    }
    return Artifact(
        kind="call",
        fields=fields,
        ts=from_unix_ms(ts_raw),
        ts_raw=ts_raw,
        source_table="call_log",
        source_rowid=int(rowid),
    )
