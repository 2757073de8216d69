"""Tango for Android: chat messages of `tc.db` and cached profiles of `tango_profile.db`.

App: Tango (com.sgiggle.production). Two SQLite databases in the app's files folder, told apart
by their tables (both keep a key/value `profiles` table with the app's `DB_VERSION`):

- `tc.db` (DB_VERSION 11 in the corpus): `messages` (msg_id, conv_id, type, create_time,
  send_time, direction, del_status, payload) and `conversations` (conv_id, payload). Checked
  against plaso's `tango_android_tc.db` (Tango 2016) and a generated database with its tables.
- `tango_profile.db` (DB_VERSION 28): `profiletable`, one row per Tango profile the app cached:
  the account's own (`profiles.keyCurrentUserId`), friends, people the user sent a friend
  request to, and people merely shown by Tango's discovery. Checked against plaso's
  `android/tango_profile.db` (57 rows) and a generated database with its table.

`payload` columns are base64 text of an undocumented protobuf, decoded best effort without a
schema: only top-level fields (nested ones on demand, one level), bounded in size and count; a
payload cut short gives the fields read so far and a warning, never an exception. Field
numbers, inferred from the corpus: message 4 = text, 76 = the notice Tango generates ("…
liked the video."), 5 = media download URL, 7 = local media file path, 8 = media size (bytes),
21 = the sender (its field 3 = account id) on incoming rows; conversation 2 = a peer (its field
3 = account id). `profiletable` names, status and friend request text are base64 UTF-8.

Records. `message`, one per `messages` row: `thread` = conv_id (a one-to-one conversation's id
is the peer's account id); `direction` 2 = incoming, 1 = outgoing (the friend requests the
account sent are direction 1; the sender block 21 appears only on direction 2); `sender` the
payload's sender account id on incoming rows, null on outgoing ones (tc.db does not name the
account), whose `recipients` are the conversation's peers. `body` = the text; a generated
notice keeps `body` null and goes to extra `activity`. `attachments` = the local media path as
stored (else the download URL). Extras: `message_type` (Tango's numeric type: 0 text, 1 video,
3 picture, 30 music, 61 like, others raw), `del_status` (raw: 2 on the five friend-request
rows whose conversations have `conv_del_status` 2 and no last message; the meaning of the code
is not documented, so `deleted` stays false), `sent`, `media_id`, `media_url`, `media_size`.

`contact`, one per `profiletable` row: `name` = first and last name, `phones`/`emails` empty
(Tango does not store them here); extras `user_id`, `account_owner`, `is_friend`,
`is_blocked`, `status_text`, `birthday`, `gender`, `last_active`, `friend_request_type`
(`outRequest` = sent by the account, `noRequest`), `friend_request_message`,
`friend_request_time`. A friend request's text is also a message row of `tc.db`, so it is not
repeated as a message here.

Timestamps: `create_time`, `send_time`, `itemFriendRequestTime`, `itemLastActiveTime` and
`itemLastLocalAccessTime` are milliseconds since 1970-01-01 UTC. A message's `ts` is
create_time; a contact's `ts` is its friend request time, else the time this device last
stored the profile (`itemLastLocalAccessTime`).
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.errors import ParserError
from triage_app.core.models import Artifact
from triage_app.core.parsing import (
    NotApplicable,
    ParseContext,
    SQLiteParser,
    each_row,
    present,
    schema_gaps,
)
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms, iso
from triage_app.core.values import MESSAGE_KEYS, as_int, compact, row_values

# A message payload is a few hundred bytes; bound the decoder's work on a hostile one.
MAX_PAYLOAD_BYTES = 1 << 20
MAX_FIELDS = 4096
Fields = dict[int, list[int | bytes]]

_TC: dict[str, frozenset[str]] = {
    "messages": frozenset({"msg_id", "conv_id", "type", "create_time", "direction", "payload"}),
    "conversations": frozenset(),
    "profiles": frozenset(),
}
_PROFILE: dict[str, frozenset[str]] = {
    "profiletable": frozenset(
        {"itemUserId", "itemFirstName", "itemLastName", "itemStatus", "itemIsFriend"}
        | {"itemFriendRequestType", "itemFriendRequestMessage", "itemFriendRequestTime"}
        | {"itemLastLocalAccessTime"}
    ),
    "profiles": frozenset(),
}
_MESSAGE_OPTIONAL = ("send_time", "del_status", "media_id")
_PROFILE_OPTIONAL = ("itemIsBlocked", "itemBirthday", "itemGender", "itemLastActiveTime")
_DIRECTIONS = {1: "outgoing", 2: "incoming"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise ValueError("varint cut short")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
    raise ValueError("varint too long")


def _field(data: bytes, pos: int) -> tuple[int, int | bytes, int]:
    key, pos = _varint(data, pos)
    number, wire = key >> 3, key & 7
    value: int | bytes
    if number == 0:
        raise ValueError("field number 0")
    if wire == 0:
        value, pos = _varint(data, pos)
        return number, value, pos
    if wire == 2:
        size, pos = _varint(data, pos)
    elif wire in (1, 5):
        size = 8 if wire == 1 else 4
    else:
        raise ValueError(f"wire type {wire}")
    if pos + size > len(data):
        raise ValueError("field cut short")
    return number, data[pos : pos + size], pos + size


def decode_fields(data: bytes) -> tuple[Fields, bool]:
    """Top-level protobuf fields, and whether all of `data` was read (False: partial)."""
    fields: Fields = {}
    pos, count = 0, 0
    try:
        while pos < len(data) and count < MAX_FIELDS:
            number, value, pos = _field(data, pos)
            fields.setdefault(number, []).append(value)
            count += 1
    except ValueError:
        return fields, False
    return fields, pos >= len(data)


def payload_bytes(value: Any) -> bytes:
    """The protobuf bytes of a payload column: base64 text (as Tango writes it), else raw."""
    raw = value.encode("utf-8", errors="replace") if isinstance(value, str) else value
    if not isinstance(raw, bytes):
        return b""
    try:
        return base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        return raw


def _text(fields: Fields, number: int) -> str | None:
    values = fields.get(number)
    value = values[0] if values else None
    if not isinstance(value, bytes) or not value:
        return None
    return value.decode("utf-8", errors="replace")


def _number(fields: Fields, number: int) -> int | None:
    values = fields.get(number)
    value = values[0] if values else None
    return value if isinstance(value, int) else None


def _sub(fields: Fields, number: int) -> list[Fields]:
    return [decode_fields(v)[0] for v in fields.get(number, []) if isinstance(v, bytes)]


def _has(tables: dict[str, set[str]], schema: dict[str, frozenset[str]]) -> bool:
    return all(t in tables for t in schema)


class TangoAndroid(SQLiteParser):
    name = "tango_android"
    version = "1.0"
    kinds = ("message", "contact")
    path_globs = ("*/com.sgiggle.production/*.db", "*tango*.db", "*/tc.db")
    # The table both databases share; check_schema picks the database by its other tables.
    identify: ClassVar[frozenset[str]] = frozenset({"profiles"})

    def check_schema(self, conn: sqlite3.Connection) -> dict[str, set[str]]:
        tables = table_columns(conn)
        schemas = [s for s in (_TC, _PROFILE) if _has(tables, s)]
        if not schemas:
            raise NotApplicable(
                "not a Tango database (neither messages/conversations/profiles"
                " nor profiletable/profiles)"
            )
        missing = [m for s in schemas for m in schema_gaps(tables, s)]
        if missing:
            raise ParserError("schema not as expected, missing: " + ", ".join(missing))
        return tables

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        if _has(tables, _TC):
            yield from self._messages(conn, ctx, tables)
        if _has(tables, _PROFILE):
            yield from self._contacts(conn, ctx, tables)

    def _messages(
        self, conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
    ) -> Iterator[Artifact]:
        peers = _peers(conn, ctx, tables)
        optional = present(tables, "messages", _MESSAGE_OPTIONAL)
        columns = ", ".join(["msg_id", "conv_id", "type", "create_time", "direction"])
        columns += "".join(f", {c}" for c in optional) + ", payload"
        rows = conn.execute(f"SELECT {columns} FROM messages ORDER BY msg_id")
        yield from each_row(ctx, rows, "messages", "msg_id", lambda r: _message(r, peers, ctx))

    def _contacts(
        self, conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
    ) -> Iterator[Artifact]:
        owner = None
        if {"key", "value"} <= tables["profiles"]:
            sql = "SELECT value FROM profiles WHERE key = 'keyCurrentUserId'"
            found = conn.execute(sql).fetchone()
            owner = str(found[0]) if found and found[0] is not None else None
        columns = sorted(_PROFILE["profiletable"])
        columns += present(tables, "profiletable", _PROFILE_OPTIONAL)
        sql = f"SELECT rowid AS rid, {', '.join(columns)} FROM profiletable ORDER BY rowid"
        rows = conn.execute(sql)
        yield from each_row(ctx, rows, "profiletable", "rid", lambda r: _contact(r, owner, ctx))


def _peers(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
) -> dict[str, list[str]]:
    """Account ids of each conversation's peers (conversations.payload field 2 → 3)."""
    if not {"conv_id", "payload"} <= tables["conversations"]:
        ctx.warn("table conversations not read, missing: conv_id or payload")
        return {}
    peers: dict[str, list[str]] = {}
    for conv_id, payload in conn.execute("SELECT conv_id, payload FROM conversations"):
        ctx.cancel.check()
        data = payload_bytes(payload)[:MAX_PAYLOAD_BYTES]
        fields, _ = decode_fields(data)
        ids = [i for i in (_text(peer, 3) for peer in _sub(fields, 2)) if i]
        peers[str(conv_id)] = list(dict.fromkeys(ids))
    return peers


def _decoded_payload(row: sqlite3.Row, ctx: ParseContext) -> Fields:
    data = payload_bytes(row["payload"])
    if len(data) > MAX_PAYLOAD_BYTES:
        ctx.warn(f"messages row {row['msg_id']!r}: payload of {len(data)} bytes not decoded")
        return {}
    fields, complete = decode_fields(data)
    if not complete:
        what = "partly decoded" if fields else "not decodable"
        ctx.warn(f"messages row {row['msg_id']!r}: payload {what}")
    return fields


def _message(row: sqlite3.Row, peers: dict[str, list[str]], ctx: ParseContext) -> Artifact:
    keys = row.keys()
    msg_id = int(row["msg_id"])
    payload = _decoded_payload(row, ctx)
    thread = str(row["conv_id"]) if row["conv_id"] is not None else None
    direction = _DIRECTIONS.get(as_int(row["direction"]) or 0)
    senders = _sub(payload, 21)
    sender = _text(senders[0], 3) if senders and direction == "incoming" else None
    path, url = _text(payload, 7), _text(payload, 5)
    fields: dict[str, Any] = {
        "app": "tango",
        "thread": thread,
        "sender": sender,
        "recipients": peers.get(thread or "", []) if direction == "outgoing" else [],
        "direction": direction,
        "body": _text(payload, 4),
        "attachments": [path] if path else ([url] if url else []),
        "message_type": as_int(row["type"]),
        "del_status": as_int(row["del_status"]) if "del_status" in keys else None,
        "sent": iso(from_unix_ms(row["send_time"])) if "send_time" in keys else None,
        "media_id": (row["media_id"] or None) if "media_id" in keys else None,
        "media_url": url,
        "media_size": _number(payload, 8) if (path or url) else None,
        "activity": _text(payload, 76),
    }
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_unix_ms(row["create_time"]),
        ts_raw=row["create_time"],
        source_table="messages",
        source_rowid=msg_id,
    )


def _b64_text(row: sqlite3.Row, column: str, ctx: ParseContext) -> str | None:
    """A base64 UTF-8 text column of profiletable; kept as stored when it is not base64."""
    value = row[column]
    if value is None or value == "":
        return None
    try:
        raw = value.encode("ascii") if isinstance(value, str) else bytes(value)
        return base64.b64decode(raw, validate=True).decode("utf-8") or None
    except (UnicodeError, binascii.Error, ValueError, TypeError):
        ctx.warn(f"profiletable row {row['rid']!r}: {column} is not base64 text, kept as stored")
        return str(value)


def _contact(row: sqlite3.Row, owner: str | None, ctx: ParseContext) -> Artifact:
    opt = row_values(row, _PROFILE_OPTIONAL)
    user_id = str(row["itemUserId"]) if row["itemUserId"] is not None else None
    names = [_b64_text(row, c, ctx) for c in ("itemFirstName", "itemLastName")]
    request_time = row["itemFriendRequestTime"]
    stamp = request_time if from_unix_ms(request_time) else row["itemLastLocalAccessTime"]
    fields: dict[str, Any] = {
        "app": "tango",
        "name": " ".join(n for n in names if n) or None,
        "phones": [],
        "emails": [],
        "user_id": user_id,
        "account_owner": owner is not None and user_id == owner,
        "is_friend": bool(int(row["itemIsFriend"] or 0)),
        "is_blocked": bool(int(opt["itemIsBlocked"] or 0)),
        "status_text": _b64_text(row, "itemStatus", ctx),
        "birthday": opt["itemBirthday"] or None,
        "gender": opt["itemGender"] or None,
        "last_active": iso(from_unix_ms(opt["itemLastActiveTime"])),
        "friend_request_type": row["itemFriendRequestType"] or None,
        "friend_request_message": _b64_text(row, "itemFriendRequestMessage", ctx),
        "friend_request_time": iso(from_unix_ms(request_time)),
    }
    return Artifact(
        kind="contact",
        fields=fields,
        ts=from_unix_ms(stamp),
        ts_raw=stamp,
        source_table="profiletable",
        source_rowid=int(row["rid"]),
    )
