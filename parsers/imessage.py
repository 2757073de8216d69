"""Apple Messages (iMessage, SMS, MMS) from macOS `chat.db` and iOS `sms.db`.

App: Messages.app (macOS 10.8+) and the iOS Messages app (iOS 6+), which share one schema
family: `message`, `handle`, `chat`, `chat_message_join`, `chat_handle_join`, `attachment`,
`message_attachment_join`. Checked against plaso's `imessage_chat.db` (macOS 10.11,
`_ClientVersion` 9005, whose `attributedBody` blobs the decoder below reproduces) and a
generated database with that schema, nanosecond dates and NULL-`text` rows as macOS 13 /
iOS 16 write them. Group messages: incoming ones list the chat's other members as
recipients. The iOS ≤ 5 `sms.db` (tables `message`/`msg_group`, no `handle`) is a different
format and is recorded as skipped; `deleted_messages` (GUIDs only) is not read.

`app` is "sms" for messages whose `service` is SMS, MMS or RCS (carrier messaging shown in
the same app) and "imessage" otherwise (iMessage, or no service recorded); the raw value is
kept as `service`.

Timestamps: `message.date` = Cocoa time since 2001-01-01 UTC, in SECONDS up to iOS 10 /
macOS 10.12 and in NANOSECONDS from iOS 11 / macOS 10.13. A database upgraded in place can
hold both, so the unit is decided per value: above 1e11 it is nanoseconds (1e11 seconds
would be the year 5170; 1e11 nanoseconds is 100 s after the epoch).

Body: `text`, or when it is NULL (macOS 13 / iOS 16 store many messages only there) the
NSString inside the `attributedBody` typedstream blob, decoded best-effort without any
Objective-C archive machinery; such records carry `body_from: "attributedBody"`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_cocoa_ns, from_cocoa_s
from triage_app.core.values import row_values, text

_NS_THRESHOLD = 1e11
_CARRIER_SERVICES = frozenset({"sms", "mms", "rcs"})
_OPTIONAL = ("service", "attributedbody", "is_read", "subject")
_NSSTRING = b"NSString"
# The NSString's bytes follow its class reference within a few bytes ("\x01\x95\x84\x01+").
_NSSTRING_WINDOW = 64

Chat = tuple[str | None, str | None, list[str]]  # chat_identifier, display_name, handles


def cocoa_date(value: Any) -> datetime | None:
    """`message.date`: Cocoa seconds (older OS) or nanoseconds (iOS 11+/macOS 10.13+)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return from_cocoa_ns(value) if number > _NS_THRESHOLD else from_cocoa_s(value)


def attributed_text(blob: Any) -> str | None:
    """The text of an `attributedBody` typedstream (NSAttributedString archive), or None.

    After the NSString class marker comes the type "+" and a length: one byte below 0x80,
    or 0x81 + 2 bytes / 0x82 + 4 bytes little-endian, then that many UTF-8 bytes. A
    truncated blob gives the part that is present.
    """
    if not isinstance(blob, bytes):
        return None
    start = blob.find(_NSSTRING)
    if start < 0:
        return None
    plus = blob.find(b"\x01+", start + len(_NSSTRING), start + _NSSTRING_WINDOW)
    if plus < 0 or plus + 2 >= len(blob):
        return None
    pos = plus + 2
    lead = blob[pos]
    if lead < 0x80:
        length, pos = lead, pos + 1
    elif lead in (0x81, 0x82):
        width = 2 if lead == 0x81 else 4
        length = int.from_bytes(blob[pos + 1 : pos + 1 + width], "little")
        pos += 1 + width
    else:
        return None
    decoded = blob[pos : pos + length].decode("utf-8", errors="replace")
    return decoded or None


def _has(tables: dict[str, set[str]], table: str, columns: set[str]) -> bool:
    return columns <= tables.get(table, set())


class IMessage(SQLiteParser):
    name = "imessage"
    version = "1.0"
    kinds = ("message",)
    path_globs = (
        "*/Library/Messages/chat.db",
        "*/Library/SMS/sms.db",
        "*/chat.db",
        "*/sms.db",
        "*imessage*.db",
    )
    identify: ClassVar[frozenset[str]] = frozenset({"message", "handle"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "message": frozenset({"ROWID", "text", "handle_id", "date", "is_from_me"}),
        "handle": frozenset({"ROWID", "id"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        chats = self._chats(conn, ctx, tables)
        attachments = self._attachments(conn, ctx, tables)
        optional = present(tables, "message", _OPTIONAL)
        has_join = _has(tables, "chat_message_join", {"chat_id", "message_id"})
        # One chat per message (the lowest id when a message was filed in several); grouped
        # first so SQLite joins through an automatic index instead of a per-row scan.
        join = (
            " LEFT JOIN (SELECT message_id, MIN(chat_id) AS chat_id FROM chat_message_join"
            " GROUP BY message_id) j ON j.message_id = m.ROWID"
            if has_join
            else ""
        )
        sql = (
            "SELECT m.ROWID AS msg_id, m.text, m.handle_id, m.date, m.is_from_me, h.id AS handle"
            + "".join(f", m.{c} AS {c}" for c in optional)
            + (", j.chat_id AS chat_id" if has_join else ", NULL AS chat_id")
            + f" FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id{join}"
            + " ORDER BY m.ROWID"
        )
        rows = conn.execute(sql)
        yield from each_row(
            ctx, rows, "message", "msg_id", lambda row: _record(row, chats, attachments)
        )

    @staticmethod
    def _chats(
        conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
    ) -> dict[Any, Chat]:
        if not _has(tables, "chat", {"rowid", "chat_identifier", "display_name"}):
            ctx.warn("table chat absent or changed (schema drift): no thread names")
            return {}
        handles: dict[Any, list[str]] = {}
        if _has(tables, "chat_handle_join", {"chat_id", "handle_id"}):
            sql = (
                "SELECT c.chat_id, h.id FROM chat_handle_join c JOIN handle h"
                " ON h.ROWID = c.handle_id ORDER BY c.chat_id, h.ROWID"
            )
            for chat_id, handle in conn.execute(sql):
                if handle is not None:
                    handles.setdefault(chat_id, []).append(str(handle))
        else:
            ctx.warn("table chat_handle_join absent (schema drift): no chat members")
        if not _has(tables, "chat_message_join", {"chat_id", "message_id"}):
            ctx.warn("table chat_message_join absent (schema drift): no threads")
        sql = "SELECT ROWID, chat_identifier, display_name FROM chat"
        return {r[0]: (text(r[1]), text(r[2]), handles.get(r[0], [])) for r in conn.execute(sql)}

    @staticmethod
    def _attachments(
        conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
    ) -> dict[Any, list[str]]:
        columns = {"rowid", "filename", "transfer_name", "mime_type"}
        if not (
            _has(tables, "attachment", columns)
            and _has(tables, "message_attachment_join", {"message_id", "attachment_id"})
        ):
            ctx.warn("attachment tables absent or changed (schema drift): no attachments")
            return {}
        sql = (
            "SELECT j.message_id, a.filename, a.transfer_name, a.mime_type"
            " FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id"
            " ORDER BY j.message_id, a.ROWID"
        )
        result: dict[Any, list[str]] = {}
        for message_id, filename, transfer_name, mime in conn.execute(sql):
            label = text(filename) or text(transfer_name) or text(mime)
            if label:
                result.setdefault(message_id, []).append(label)
        return result


def _direction(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return "outgoing" if int(value) else "incoming"


def _record(
    row: sqlite3.Row, chats: dict[Any, Chat], attachments: dict[Any, list[str]]
) -> Artifact:
    opt = row_values(row, _OPTIONAL)
    direction = _direction(row["is_from_me"])
    handle = text(row["handle"])
    thread, thread_name, members = chats.get(row["chat_id"], (None, None, []))
    if direction == "outgoing":
        recipients = members or ([handle] if handle else [])
    else:
        recipients = [m for m in members if m != handle]  # the other members of a group
    body = text(row["text"])
    decoded = attributed_text(opt["attributedbody"]) if body is None else None
    service = text(opt["service"])
    fields: dict[str, Any] = {
        "app": "sms" if (service or "").lower() in _CARRIER_SERVICES else "imessage",
        "thread": thread,
        "sender": handle if direction == "incoming" else None,
        "recipients": recipients,
        "direction": direction,
        "body": body if decoded is None else decoded,
        "attachments": attachments.get(row["msg_id"], []),
    }
    extra = {
        "service": service,
        "thread_name": thread_name or None,
        "read": int(opt["is_read"]) if opt["is_read"] is not None else None,
        "subject": text(opt["subject"]) or None,
        "body_from": "attributedBody" if decoded is not None else None,
    }
    fields.update({k: v for k, v in extra.items() if v is not None})
    return Artifact(
        kind="message",
        fields=fields,
        ts=cocoa_date(row["date"]),
        ts_raw=row["date"],
        source_table="message",
        source_rowid=int(row["msg_id"]),
    )
