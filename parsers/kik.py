"""Kik Messenger: messages and contacts of iOS `kik.sqlite` and Android `kikDatabase.db`.

iOS (com.kik.chat): a Core Data store in the app container's `Documents/kik.sqlite`. Checked
against plaso's `ios/kik.sqlite` (Kik 2015: ZKIKMESSAGE, ZKIKUSER, ZKIKCHAT, ZKIKATTACHMENT and
the chat↔message join table `Z_3MESSAGES`) and a generated store with those columns. The
join table is named after Core Data entity numbers (`Z_<n>MESSAGES` with columns
`Z_<n>CHAT`/`Z_<m>MESSAGES`), so it is found by shape, not by a fixed name.
- ZKIKMESSAGE.ZUSER, ZKIKCHAT.ZUSER → ZKIKUSER.Z_PK (Core Data foreign keys). plaso joins
  ZKIKUSER.ZEXTRA instead, which equals Z_PK for most users of its sample but not all (its
  "Welcome to Kik" message from `kikteam` comes out as from `jon.doh2015`).
- ZTYPE, worked out from the sample and plaso's formatter: 1 received (ZTIMESTAMP = sender's
  server time, shortly before ZRECEIVEDTIMESTAMP; ZSTATE 16), 2 sent (both times equal, the
  local creation; ZSTATE 30/70/78/94 = delivery/read receipts), 3 notice of the owner's own
  group action ("You started a group"), 4 group status ("X has joined the chat"). 3 and 4 are
  not messages anyone wrote: direction null, `system_message` true. ZSTATE is kept raw.
- ZUSER is the correspondent: the sender of a received message, the partner (or the group)
  of a sent one. A message's thread is the chat it is linked to (the one whose user is the
  message's own user when it is linked to several); unlinked, its own user. Identities are
  the Kik username, or the JID for groups (`…@groups.kik.com`), which have none.
- Media: ZKIKATTACHMENT.ZCONTENT is the content id, which names the cached file; ZBODY of a
  media message holds that same id, not text, so the body is null there.
- The account owner is not recorded in this database (it lives in the app's preferences),
  so a sent message has no `sender` and a received one no `recipients`.

Android (kik.android): `databases/kikDatabase.db` (newer versions `<uuid>.kikDatabase.db`),
tables `messagesTable` and `KIKcontactsTable` as created by the app (Kik 15.x schema,
generated in the tests). `was_me` 1 = sent; `bin_id` (newer versions) is the conversation,
`partner_jid` the correspondent (the member who wrote an incoming group message);
`sys_msg`/`stat_msg` are app/group notices (system messages); `content_id` names the cached
media file; `app_id` the Kik media extension (camera, gallery...).

Timestamps: iOS ZRECEIVEDTIMESTAMP (`ts`: arrival on the device, or creation for sent
messages) and ZTIMESTAMP (`sent_ts`) are Cocoa seconds since 2001-01-01 UTC (REAL);
Android `timestamp` is milliseconds since 1970-01-01 UTC.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar, NamedTuple

from triage_app.core.models import Artifact
from triage_app.core.parsing import (
    NotApplicable,
    ParseContext,
    SQLiteParser,
    each_row,
    present,
    require,
    side_table,
)
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_cocoa_s, from_unix_ms, iso
from triage_app.core.values import MESSAGE_KEYS, as_int, compact, text

Tables = dict[str, set[str]]
_IOS_REQUIRED: dict[str, frozenset[str]] = {
    "ZKIKMESSAGE": frozenset({"Z_PK", "ZTYPE", "ZSTATE", "ZUSER", "ZRECEIVEDTIMESTAMP", "ZBODY"}),
    "ZKIKUSER": frozenset({"Z_PK", "ZUSERNAME", "ZDISPLAYNAME", "ZJID"}),
}
_ANDROID_REQUIRED: dict[str, frozenset[str]] = {
    "messagesTable": frozenset({"_id", "body", "partner_jid", "was_me", "timestamp"}),
    "KIKcontactsTable": frozenset({"_id", "jid", "display_name", "user_name"}),
}
# (identifying table, required tables/columns): the iOS store, then the Android database.
_FLAVOURS = (("ZKIKMESSAGE", _IOS_REQUIRED), ("KIKcontactsTable", _ANDROID_REQUIRED))
_IOS_DIRECTIONS = {1: "incoming", 2: "outgoing"}
_IOS_SYSTEM = {3, 4}
_ANDROID_OPTIONAL = ("bin_id", "read_state", "content_id", "app_id", "sys_msg", "stat_msg")
_GROUP_DOMAIN = "@groups.kik.com"
_JOIN_TABLE = re.compile(r"z_\d+messages")


class _User(NamedTuple):
    ident: str | None  # username, or the JID when there is none (groups)
    name: str | None


class Kik(SQLiteParser):
    name = "kik"
    version = "1.0"
    kinds = ("message", "contact")
    path_globs = (
        "*/Documents/kik.sqlite",
        "*/kik.android/databases/*kikDatabase.db",
        "*/kik.sqlite",
        "*kikDatabase.db",
    )
    # Two schemas: identified and checked per platform in check_schema().
    identify: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[dict[str, frozenset[str]]] = {}

    def check_schema(self, conn: sqlite3.Connection) -> Tables:
        tables = table_columns(conn)
        for marker, required in _FLAVOURS:
            if marker.lower() not in tables:
                continue
            require(tables, required)
            return tables
        raise NotApplicable("not a kik database (no table ZKIKMESSAGE or KIKcontactsTable)")

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        if "zkikmessage" in tables:
            yield from _ios_records(conn, ctx, tables)
        else:
            yield from _android_records(conn, ctx, tables)


# --- iOS -------------------------------------------------------------------------------------


def _ios_records(conn: sqlite3.Connection, ctx: ParseContext, tables: Tables) -> Iterator[Artifact]:
    optional = present(tables, "ZKIKUSER", ("ZEMAIL", "ZFIRSTNAME", "ZLASTNAME"))
    columns = ", ".join(["Z_PK", "ZUSERNAME", "ZDISPLAYNAME", "ZJID", *optional])
    user_rows = conn.execute(f"SELECT {columns} FROM ZKIKUSER ORDER BY Z_PK").fetchall()
    users = {
        row["Z_PK"]: _User(text(row["ZUSERNAME"]) or text(row["ZJID"]), text(row["ZDISPLAYNAME"]))
        for row in user_rows
    }
    chat_users, links = _ios_chats(conn, ctx, tables)
    attachments = _ios_attachments(conn, ctx, tables)
    sent = ", ZTIMESTAMP AS sent" if "ztimestamp" in tables["zkikmessage"] else ""
    sql = (
        "SELECT Z_PK AS pk, ZTYPE AS type, ZSTATE AS state, ZUSER AS user,"
        f" ZRECEIVEDTIMESTAMP AS received, ZBODY AS body{sent} FROM ZKIKMESSAGE ORDER BY Z_PK"
    )
    for row in conn.execute(sql):
        ctx.cancel.check()
        chats = [chat_users.get(c) for c in links.get(row["pk"], [])]
        thread = row["user"] if row["user"] in chats or not chats else chats[0]
        try:
            yield _ios_message(row, users, users.get(thread), attachments.get(row["pk"], []))
        except (TypeError, ValueError) as exc:
            ctx.warn(f"ZKIKMESSAGE row {row['pk']!r} skipped: {exc}")
    yield from each_row(ctx, user_rows, "ZKIKUSER", "Z_PK", lambda r: _ios_contact(r, optional))


def _ios_chats(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables
) -> tuple[dict[Any, Any], dict[Any, list[Any]]]:
    """Chat → its user, and message → the chats it belongs to (the Core Data join table)."""
    chat_users: dict[Any, Any] = {}
    if side_table(tables, ctx, "ZKIKCHAT", ("Z_PK", "ZUSER")):
        chat_users = dict(conn.execute("SELECT Z_PK, ZUSER FROM ZKIKCHAT").fetchall())
    links: dict[Any, list[Any]] = {}
    for table, columns in tables.items():
        chat = [c for c in columns if re.fullmatch(r"z_\d+chats?", c)]
        message = [c for c in columns if _JOIN_TABLE.fullmatch(c)]
        if _JOIN_TABLE.fullmatch(table) and chat and message:
            # Names matched by the patterns above: safe to place in the statement.
            sql = f"SELECT {chat[0]}, {message[0]} FROM {table} ORDER BY 1, 2"
            for chat_pk, message_pk in conn.execute(sql):
                links.setdefault(message_pk, []).append(chat_pk)
            return chat_users, links
    ctx.warn("chat-message join table Z_<n>MESSAGES absent: threads taken from ZKIKMESSAGE.ZUSER")
    return chat_users, links


def _ios_attachments(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables
) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = {}
    if side_table(tables, ctx, "ZKIKATTACHMENT", ("Z_PK", "ZMESSAGE", "ZCONTENT")):
        sql = "SELECT ZMESSAGE, ZCONTENT FROM ZKIKATTACHMENT ORDER BY Z_PK"
        for message, content in conn.execute(sql):
            if content is not None:
                found.setdefault(message, []).append(str(text(content)))
    return found


def _ios_message(
    row: sqlite3.Row, users: dict[Any, _User], thread: _User | None, attachments: list[str]
) -> Artifact:
    kind = as_int(row["type"])
    direction = _IOS_DIRECTIONS.get(kind) if kind is not None else None
    user = users.get(row["user"])
    thread_id = thread.ident if thread else None
    body = text(row["body"])
    incoming = direction == "incoming" and user is not None
    fields: dict[str, Any] = {
        "app": "kik",
        "thread": thread_id,
        "sender": user.ident if incoming and user else None,
        "recipients": [thread_id] if direction == "outgoing" and thread_id else [],
        "direction": direction,
        "body": None if body in attachments else body,
        "attachments": attachments,
        "thread_name": thread.name if thread else None,
        "sender_name": user.name if incoming and user else None,
        "message_type": kind,
        "message_state": as_int(row["state"]),
        "system_message": kind in _IOS_SYSTEM,
    }
    if "sent" in row.keys():  # noqa: SIM118 (Row `in` tests values)
        fields["sent_ts"] = iso(from_cocoa_s(row["sent"]))
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_cocoa_s(row["received"]),
        ts_raw=row["received"],
        source_table="ZKIKMESSAGE",
        source_rowid=int(row["pk"]),
    )


def _ios_contact(row: sqlite3.Row, optional: list[str]) -> Artifact:
    def get(column: str) -> str | None:
        return text(row[column]) if column in optional else None

    jid = text(row["ZJID"])
    full = " ".join(p for p in (get("ZFIRSTNAME"), get("ZLASTNAME")) if p) or None
    email = get("ZEMAIL")
    fields: dict[str, Any] = {
        "app": "kik",
        "name": text(row["ZDISPLAYNAME"]) or full or text(row["ZUSERNAME"]),
        "phones": [],
        "emails": [email] if email else [],
        "username": text(row["ZUSERNAME"]) or None,
        "jid": jid,
        "is_group": bool(jid and jid.endswith(_GROUP_DOMAIN)),
    }
    return Artifact(
        kind="contact",
        fields=compact(fields, ("name",)),
        source_table="ZKIKUSER",
        source_rowid=int(row["Z_PK"]),
    )


# --- Android ---------------------------------------------------------------------------------


def _android_records(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables
) -> Iterator[Artifact]:
    optional = present(tables, "KIKcontactsTable", ("local_name", "is_group"))
    columns = ", ".join(["_id", "jid", "display_name", "user_name", *optional])
    contacts = conn.execute(f"SELECT {columns} FROM KIKcontactsTable ORDER BY _id").fetchall()
    names = {
        str(r["jid"]): text(r["display_name"]) or text(r["user_name"])
        for r in contacts
        if r["jid"] is not None
    }
    extra = "".join(f", {c}" for c in present(tables, "messagesTable", _ANDROID_OPTIONAL))
    sql = f"SELECT _id, body, partner_jid, was_me, timestamp{extra} FROM messagesTable"
    rows = conn.execute(sql + " ORDER BY _id")
    yield from each_row(ctx, rows, "messagesTable", "_id", lambda r: _android_message(r, names))
    yield from each_row(
        ctx, contacts, "KIKcontactsTable", "_id", lambda r: _android_contact(r, optional)
    )


def _android_message(row: sqlite3.Row, names: dict[str, str | None]) -> Artifact:
    keys = row.keys()

    def get(column: str) -> str | None:
        return text(row[column]) if column in keys else None

    partner = text(row["partner_jid"])
    thread = get("bin_id") or partner
    body = text(row["body"])
    notice = None if body is not None else get("sys_msg") or get("stat_msg")
    was_me = bool(int(row["was_me"] or 0))
    direction = None if notice else "outgoing" if was_me else "incoming"
    content = get("content_id")
    fields: dict[str, Any] = {
        "app": "kik",
        "thread": thread,
        "sender": partner if direction == "incoming" else None,
        "recipients": [thread] if direction == "outgoing" and thread else [],
        "direction": direction,
        "body": body if notice is None else notice,
        "attachments": [content] if content else [],
        "thread_name": names.get(thread) if thread else None,
        "sender_name": names.get(partner) if partner and direction == "incoming" else None,
        "read_state": as_int(row["read_state"]) if "read_state" in keys else None,
        "media_app": get("app_id"),
        "system_message": notice is not None,
    }
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_unix_ms(row["timestamp"]),
        ts_raw=row["timestamp"],
        source_table="messagesTable",
        source_rowid=int(row["_id"]),
    )


def _android_contact(row: sqlite3.Row, optional: list[str]) -> Artifact:
    jid = text(row["jid"])
    local = text(row["local_name"]) if "local_name" in optional else None
    group = as_int(row["is_group"]) if "is_group" in optional else None
    fields: dict[str, Any] = {
        "app": "kik",
        "name": text(row["display_name"]) or local or text(row["user_name"]),
        "phones": [],
        "emails": [],
        "username": text(row["user_name"]) or None,
        "jid": jid,
        "is_group": bool(group) if group is not None else bool(jid and jid.endswith(_GROUP_DOMAIN)),
        "local_name": local or None,
    }
    return Artifact(
        kind="contact",
        fields=compact(fields, ("name",)),
        source_table="KIKcontactsTable",
        source_rowid=int(row["_id"]),
    )
