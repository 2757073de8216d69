"""Google Hangouts for Android: messages and participants of `babel<N>.db`.

App: com.google.android.talk; one database per signed-in Google account (`babel0.db`,
`babel1.db`, …; plaso's sample is called `babel.db`). Checked against plaso's test database
`android/babel.db` (Hangouts 2017, 14 messages) and the generated fixture built with its table
definitions: `messages` (one row per chat event), `participants` (everyone the account talked
to, the account itself included), `conversation_participants` (who is in which conversation)
and `conversations` (`name` set by the user, `generated_name` made from the members).

Timestamps: `messages.timestamp` = microseconds since 1970-01-01 UTC.

Direction: `messages.type` 1 = sent by this account, 2 = received (plaso's Hangouts
formatter; in the sample every type-1 row is written by one participant and every type-2 row
by the other). babel.db does not name its own account (that lives in the app's shared
preferences): the account's chat id is taken to be the author of the type-1 messages, which
gives the direction of other event types (author is the account → outgoing) and the
`is_account` mark on that participant's contact. Without any type-1 message the direction of
other types is null. `status` (plaso: 0 unread, 4 read) is kept raw.

Body: Hangouts stores the text HTML-escaped (`It&#39;s`); the body is the text with character
references decoded (nothing else is interpreted) and the stored text is kept as `body_html`
when it differs. Attachments: `local_url` (the file on the phone) or else `remote_url`, with
`attachment_content_type` as `media_mime`; the serialized `attachments` BLOB and
`multipart_attachments` (MMS parts) are not read. Shared places: `latitude`/`longitude`.

Contacts: one `contact` per `participants` row (`full_name`, else `first_name`, else
`fallback_name`; `phone_id` as phone; `fallback_name` as e-mail when it is an address, as for
the sample's account). Extras `chat_id`, `blocked` and `is_account`. Hangouts' copy of the
address book (`merged_contacts`, `suggested_contacts`) is not read. A missing
`conversation_participants` table or missing name columns of `conversations` are a warning:
messages are still read, without recipients or thread names.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.markup import unescape_text
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_us
from triage_app.core.values import as_int, row_values, text

_SENT, _RECEIVED = 1, 2
_URL_COLUMNS = ("local_url", "remote_url", "attachment_content_type")
_MESSAGE_OPTIONAL = (*_URL_COLUMNS, "latitude", "longitude")
_PARTICIPANT_OPTIONAL = ("first_name", "fallback_name", "phone_id", "blocked")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Hangouts(SQLiteParser):
    name = "hangouts"
    version = "1.0"
    kinds = ("message", "contact")
    path_globs = ("*/com.google.android.talk/databases/babel*.db", "*/babel*.db")
    identify: ClassVar[frozenset[str]] = frozenset({"messages", "participants", "conversations"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "messages": frozenset(
            {"_id", "conversation_id", "author_chat_id", "text", "timestamp", "status", "type"}
        ),
        "participants": frozenset({"_id", "chat_id", "full_name"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        account = {
            str(r[0])
            for r in conn.execute(
                "SELECT DISTINCT author_chat_id FROM messages WHERE type = ?", (_SENT,)
            )
            if r[0] is not None
        }
        people = list(self._participants(conn, tables))
        names = {p["chat_id"]: p["name"] for p in people if p["chat_id"]}
        members = _members(conn, ctx, tables)
        threads = _thread_names(conn, ctx, tables)
        optional = present(tables, "messages", _MESSAGE_OPTIONAL)
        sql = (
            "SELECT _id, conversation_id, author_chat_id, text, timestamp, status, type"
            + "".join(f", {c}" for c in optional)
            + " FROM messages ORDER BY _id"
        )
        yield from each_row(
            ctx,
            conn.execute(sql),
            "messages",
            "_id",
            lambda row: _message(row, account, names, members, threads),
        )
        yield from each_row(
            ctx, people, "participants", "_id", lambda person: _contact(person, account)
        )

    @staticmethod
    def _participants(
        conn: sqlite3.Connection, tables: dict[str, set[str]]
    ) -> Iterator[dict[str, Any]]:
        optional = present(tables, "participants", _PARTICIPANT_OPTIONAL)
        sql = "SELECT _id, chat_id, full_name" + "".join(f", {c}" for c in optional)
        for row in conn.execute(sql + " FROM participants ORDER BY _id"):
            person = row_values(row, _PARTICIPANT_OPTIONAL)
            person |= {"_id": row["_id"], "chat_id": text(row["chat_id"])}
            person["name"] = (
                text(row["full_name"])
                or text(person["first_name"])
                or text(person["fallback_name"])
            )
            yield person


def _members(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
) -> dict[str, list[str]]:
    """Chat ids of each conversation's participants, in the app's order."""
    have = tables.get("conversation_participants")
    if have is None or not {"conversation_id", "participant_row_id"} <= have:
        ctx.warn("table conversation_participants absent or incomplete: no recipients")
        return {}
    members: dict[str, list[str]] = {}
    sql = (
        "SELECT cp.conversation_id, p.chat_id FROM conversation_participants cp"
        " JOIN participants p ON p._id = cp.participant_row_id ORDER BY cp._id"
    )
    for conversation, chat_id in conn.execute(sql):
        if conversation is not None and chat_id is not None:
            members.setdefault(str(conversation), []).append(str(chat_id))
    return members


def _thread_names(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
) -> dict[str, str]:
    have = tables.get("conversations", set())
    if not {"conversation_id", "name", "generated_name"} <= have:
        ctx.warn("table conversations incomplete (conversation_id, name, generated_name)")
        return {}
    names: dict[str, str] = {}
    sql = "SELECT conversation_id, name, generated_name FROM conversations ORDER BY _id"
    for conversation, name, generated in conn.execute(sql):
        label = text(name) or text(generated)
        if conversation is not None and label:
            names[str(conversation)] = label
    return names


def _direction(kind: int | None, author: str | None, account: set[str]) -> str | None:
    if kind == _SENT:
        return "outgoing"
    if kind == _RECEIVED:
        return "incoming"
    if account and author:
        return "outgoing" if author in account else "incoming"
    return None


def _media(row: sqlite3.Row) -> tuple[list[str], dict[str, Any]]:
    keys = row.keys()
    get = {c: text(row[c]) if c in keys else None for c in _URL_COLUMNS}
    local, remote = get["local_url"], get["remote_url"]
    extra: dict[str, Any] = {}
    if local or remote:
        extra["media_mime"] = get["attachment_content_type"]
        if local and remote and remote != local:
            extra["media_url"] = remote
    lat = row["latitude"] if "latitude" in keys else None
    lon = row["longitude"] if "longitude" in keys else None
    # Both stored, and not the 0/0 the app writes for "no location": a missing half is never
    # invented as 0 (that would be a real point in the Gulf of Guinea).
    if lat is not None and lon is not None and (lat, lon) != (0, 0):
        extra["lat"], extra["lon"] = float(lat), float(lon)
    url = local or remote
    return ([url] if url else []), extra


def _message(
    row: sqlite3.Row,
    account: set[str],
    names: dict[str, str | None],
    members: dict[str, list[str]],
    threads: dict[str, str],
) -> Artifact:
    kind = as_int(row["type"])
    author = text(row["author_chat_id"])
    thread = text(row["conversation_id"])
    raw = text(row["text"])
    body = unescape_text(raw) if raw is not None else None
    attachments, media = _media(row)
    fields: dict[str, Any] = {
        "app": "hangouts",
        "thread": thread,
        "sender": author,
        "recipients": [m for m in members.get(thread or "", []) if m != author],
        "direction": _direction(kind, author, account),
        "body": body,
        "attachments": attachments,
        "thread_name": threads.get(thread or ""),
        "sender_name": names.get(author) if author else None,
        "message_type": kind,
        "status": as_int(row["status"]),
        **{k: v for k, v in media.items() if v is not None},
    }
    if raw != body:
        fields["body_html"] = raw
    return Artifact(
        kind="message",
        fields=fields,
        ts=from_unix_us(row["timestamp"]),
        ts_raw=row["timestamp"],
        source_table="messages",
        source_rowid=int(row["_id"]),
    )


def _contact(person: dict[str, Any], account: set[str]) -> Artifact:
    fallback = text(person["fallback_name"]) or ""
    phone = text(person["phone_id"])
    fields: dict[str, Any] = {
        "app": "hangouts",
        "name": person["name"],
        "phones": [phone] if phone else [],
        "emails": [fallback] if _EMAIL.fullmatch(fallback) else [],
        "chat_id": person["chat_id"],
    }
    if as_int(person["blocked"]):
        fields["blocked"] = True
    if person["chat_id"] in account:
        fields["is_account"] = True
    return Artifact(
        kind="contact",
        fields=fields,
        source_table="participants",
        source_rowid=int(person["_id"]),
    )
