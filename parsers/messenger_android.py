"""Facebook Messenger for Android: messages and contacts of `threads_db2` and `msys_database_*`.

App: com.facebook.orca. Two generations of database live in `databases/`, told apart by their
tables, not their names:

- legacy `threads_db2` (Messenger up to ~2020): `messages` (`msg_id`, `thread_key`,
  `timestamp_ms`, `text`, `sender` = JSON `{"user_key": "FACEBOOK:<id>", "name": ...}`,
  `attachments` = JSON list of objects with `filename`/`mime_type`, `msg_type`),
  `thread_users` (`user_key`, `name`, `username`), `threads` (`thread_key`, `name`).
  Recognised by `messages` with `thread_users`.
- current `msys_database_<fbid>` (the "MSYS" rewrite, 2020+): `messages` (`message_id`,
  `thread_key`, `timestamp_ms`, `text`, `sender_id`), `contacts` (`id`, `name`), `threads`
  (`thread_key`, `thread_name`), `attachments` (`message_id`, `filename`, `playable_url`,
  `preview_url`, `attachment_type`), `participants` (`thread_key`, `contact_id`).
  Recognised by `messages` with `contacts`.

No real database was available: both schemas are the columns ALEAPP's `fbmessenger.py`
artifact queries (threads_db2 and msys_database) and were written from that knowledge into
the generated test fixtures; only those columns are required, any other is tolerated.
The mlite (com.facebook.mlite) schema is not handled.

Timestamps: `messages.timestamp_ms` = milliseconds since 1970-01-01 UTC in both.

Direction: msys — outgoing when `sender_id` is the account's fbid, which is the number in the
file name `msys_database_<fbid>`, else incoming; a file not named so gives null. threads_db2
keeps no account id in the tables read here (it lives in the app's shared prefs), so its
direction is always null rather than guessed. JSON columns are read with `json.loads`
(at most 1 MB each); an unreadable `sender`/`attachments` value leaves that field empty and is
kept raw as `sender_raw`/`attachments_raw`, the message is still reported. Missing side tables
(`threads`, `attachments`, `participants`) are warnings.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

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
from triage_app.core.timeconv import from_unix_ms
from triage_app.core.values import MESSAGE_KEYS, as_int, compact, text

Tables = dict[str, set[str]]
APP = "messenger"
MAX_JSON = 1_000_000
_FB_PREFIX = "FACEBOOK:"
_MSYS_NAME = re.compile(r"msys_database_(\d+)", re.IGNORECASE)
_LEGACY_REQUIRED = {
    "messages": ("msg_id", "thread_key", "timestamp_ms", "text", "sender"),
    "thread_users": ("user_key", "name"),
}
_MSYS_REQUIRED = {
    "messages": ("message_id", "thread_key", "timestamp_ms", "text", "sender_id"),
    "contacts": ("id", "name"),
}


def _is_legacy(tables: Tables) -> bool:
    return "messages" in tables and "thread_users" in tables


def _is_msys(tables: Tables) -> bool:
    return "messages" in tables and "contacts" in tables


def _json(value: Any) -> Any:
    """The decoded JSON of a column, None when empty, too large or not JSON."""
    raw = text(value)
    if not raw or len(raw) > MAX_JSON:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _user_id(user_key: str | None) -> str | None:
    if user_key and user_key.upper().startswith(_FB_PREFIX):
        return user_key[len(_FB_PREFIX) :]
    return user_key or None


def _str_key(value: Any) -> str | None:
    """A key column (thread_key, ids: INTEGER in msys) as text."""
    return text(value) if value is not None else None


class MessengerAndroid(SQLiteParser):
    name = "messenger_android"
    version = "1.0"
    kinds = ("message", "contact")
    path_globs = (
        "*/com.facebook.orca/databases/threads_db2",
        "*/com.facebook.orca/databases/msys_database_*",
        "*/threads_db2",
        "*/msys_database_*",
    )

    def check_schema(self, conn: sqlite3.Connection) -> Tables:
        # Two generations: which columns are required depends on which tables are there.
        tables = table_columns(conn)
        if _is_legacy(tables):
            require(tables, _LEGACY_REQUIRED, sort=False)
        elif _is_msys(tables):
            require(tables, _MSYS_REQUIRED, sort=False)
        else:
            raise NotApplicable(
                "not a messenger database (no table messages with thread_users or contacts)"
            )
        return tables

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        if _is_legacy(tables):
            yield from _legacy(conn, ctx, tables)
        else:
            match = _MSYS_NAME.search(ctx.file.name)
            yield from _msys(conn, ctx, tables, match.group(1) if match else None)


def _rowid(conn: sqlite3.Connection, table: str) -> str:
    """`rowid`, or NULL for a WITHOUT ROWID table (the record then has no source_rowid)."""
    try:
        conn.execute(f"SELECT rowid FROM {table} LIMIT 0")
    except sqlite3.OperationalError:
        return "NULL AS _rowid"
    return "rowid AS _rowid"


def _row_id(value: Any) -> int | None:
    return int(value) if value is not None else None


def _thread_names(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, column: str
) -> dict[str, str]:
    names: dict[str, str] = {}
    if side_table(tables, ctx, "threads", ("thread_key", column)):
        for key, name in conn.execute(f"SELECT thread_key, {column} FROM threads"):
            if text(name):
                names[str(_str_key(key))] = str(text(name))
    return names


# --- threads_db2 -------------------------------------------------------------------------


def _legacy(conn: sqlite3.Connection, ctx: ParseContext, tables: Tables) -> Iterator[Artifact]:
    threads = _thread_names(conn, ctx, tables, "name")
    optional = present(tables, "messages", ("attachments", "msg_type"))
    columns = ", ".join([_rowid(conn, "messages"), *_LEGACY_REQUIRED["messages"], *optional])
    rows = conn.execute(f"SELECT {columns} FROM messages ORDER BY timestamp_ms")
    yield from each_row(ctx, rows, "messages", "msg_id", lambda r: _legacy_message(r, threads))
    users = present(tables, "thread_users", ("username",))
    columns = ", ".join([_rowid(conn, "thread_users"), "user_key", "name", *users])
    rows = conn.execute(f"SELECT {columns} FROM thread_users")
    yield from each_row(ctx, rows, "thread_users", "user_key", _legacy_contact)


def _legacy_sender(raw: Any) -> tuple[str | None, str | None]:
    sender = _json(raw)
    if not isinstance(sender, dict):
        return None, None
    key, name = sender.get("user_key"), sender.get("name")
    return _user_id(key if isinstance(key, str) else None), name if isinstance(name, str) else None


def _legacy_attachments(raw: Any) -> tuple[list[str], list[str]]:
    """File names and MIME types of an `attachments` JSON list."""
    names: list[str] = []
    mimes: list[str] = []
    items = _json(raw)
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("filename"), str):
            names.append(item["filename"])
            if isinstance(item.get("mime_type"), str):
                mimes.append(item["mime_type"])
    return names, mimes


def _legacy_message(row: sqlite3.Row, threads: dict[str, str]) -> Artifact:
    keys = row.keys()
    raw_attachments = row["attachments"] if "attachments" in keys else None
    sender, sender_name = _legacy_sender(row["sender"])
    attachments, mimes = _legacy_attachments(raw_attachments)
    thread = _str_key(row["thread_key"])
    fields: dict[str, Any] = {
        "app": APP,
        "thread": thread,
        "sender": sender,
        "recipients": [],
        "direction": None,  # no account id in this database: see the module docstring
        "body": text(row["text"]) or None,
        "attachments": attachments,
        "thread_name": threads.get(thread or ""),
        "sender_name": sender_name,
        "media_mime": mimes[0] if mimes else None,
        "message_type": as_int(row["msg_type"]) if "msg_type" in keys else None,
        "message_id": text(row["msg_id"]),
    }
    if sender is None and text(row["sender"]):
        fields["sender_raw"] = text(row["sender"])
    if not attachments and text(raw_attachments) not in (None, "", "[]"):
        fields["attachments_raw"] = text(raw_attachments)
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS | {"thread_name", "sender_name"}),
        ts=from_unix_ms(row["timestamp_ms"]),
        ts_raw=row["timestamp_ms"],
        source_table="messages",
        source_rowid=_row_id(row["_rowid"]),
    )


def _legacy_contact(row: sqlite3.Row) -> Artifact:
    keys = row.keys()
    fields: dict[str, Any] = {
        "app": APP,
        "name": text(row["name"]) or None,
        "phones": [],
        "emails": [],
        "user_id": _user_id(text(row["user_key"])),
        "username": text(row["username"]) or None if "username" in keys else None,
    }
    return Artifact(
        kind="contact",
        fields=compact(fields, {"app", "name", "phones", "emails", "user_id"}),
        source_table="thread_users",
        source_rowid=_row_id(row["_rowid"]),
    )


# --- msys_database_<fbid> ----------------------------------------------------------------


class _Msys:
    """Side tables of an msys database: thread names, members, attachments, contact names."""

    def __init__(self, conn: sqlite3.Connection, ctx: ParseContext, tables: Tables) -> None:
        self.threads = _thread_names(conn, ctx, tables, "thread_name")
        self.names = {
            str(_str_key(i)): str(text(n))
            for i, n in conn.execute("SELECT id, name FROM contacts")
            if i is not None and text(n)
        }
        self.members: dict[str, list[str]] = {}
        if side_table(tables, ctx, "participants", ("thread_key", "contact_id")):
            sql = "SELECT thread_key, contact_id FROM participants"
            for thread, contact in conn.execute(sql):
                if contact is not None:
                    self.members.setdefault(str(_str_key(thread)), []).append(str(contact))
        self.files: dict[str, list[tuple[str, str | None]]] = {}
        if side_table(tables, ctx, "attachments", ("message_id",)):
            self._attachments(conn, tables)

    def _attachments(self, conn: sqlite3.Connection, tables: Tables) -> None:
        wanted = ("filename", "playable_url", "preview_url", "playable_url_mime_type")
        optional = present(tables, "attachments", wanted)
        sql = f"SELECT {', '.join(['message_id', *optional])} FROM attachments"
        for row in conn.execute(sql):
            keys = row.keys()
            values = [text(row[c]) for c in wanted[:3] if c in keys]
            name = next((v for v in values if v), None)
            mime = text(row[wanted[3]]) if wanted[3] in keys else None
            if name:
                self.files.setdefault(str(text(row["message_id"])), []).append((name, mime))


def _msys(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, owner: str | None
) -> Iterator[Artifact]:
    side = _Msys(conn, ctx, tables)
    columns = ", ".join([_rowid(conn, "messages"), *_MSYS_REQUIRED["messages"]])
    rows = conn.execute(f"SELECT {columns} FROM messages ORDER BY timestamp_ms")
    yield from each_row(
        ctx, rows, "messages", "message_id", lambda r: _msys_message(r, side, owner)
    )
    rows = conn.execute(f"SELECT {_rowid(conn, 'contacts')}, id, name FROM contacts")
    yield from each_row(ctx, rows, "contacts", "id", lambda r: _msys_contact(r, owner))


def _msys_message(row: sqlite3.Row, side: _Msys, owner: str | None) -> Artifact:
    sender_id = as_int(row["sender_id"])  # an INTEGER fbid: anything else is a bad row
    sender = str(sender_id) if sender_id is not None else None
    direction = None
    if owner and sender:
        direction = "outgoing" if sender == owner else "incoming"
    thread = _str_key(row["thread_key"])
    members = side.members.get(thread or "", [])
    files = side.files.get(str(text(row["message_id"])), [])
    mimes = [m for _, m in files if m]
    fields: dict[str, Any] = {
        "app": APP,
        "thread": thread,
        "sender": sender,
        "recipients": list(dict.fromkeys(m for m in members if m != sender)),
        "direction": direction,
        "body": text(row["text"]) or None,
        "attachments": [name for name, _ in files],
        "thread_name": side.threads.get(thread or ""),
        "sender_name": side.names.get(sender or ""),
        "media_mime": mimes[0] if mimes else None,
        "message_id": text(row["message_id"]),
    }
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS | {"thread_name", "sender_name"}),
        ts=from_unix_ms(row["timestamp_ms"]),
        ts_raw=row["timestamp_ms"],
        source_table="messages",
        source_rowid=_row_id(row["_rowid"]),
    )


def _msys_contact(row: sqlite3.Row, owner: str | None) -> Artifact:
    user_id = _str_key(row["id"])
    fields: dict[str, Any] = {
        "app": APP,
        "name": text(row["name"]) or None,
        "phones": [],
        "emails": [],
        "user_id": user_id,
    }
    if owner and user_id == owner:
        fields["is_account"] = True
    return Artifact(
        kind="contact",
        fields=fields,
        source_table="contacts",
        source_rowid=_row_id(row["_rowid"]),
    )
