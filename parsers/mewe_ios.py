"""MeWe for iOS: chat messages of `sgrouplesdb.sqlite` (Core Data store).

App: MeWe (made by Sgrouples, hence the file name); the store is `Documents/sgrouplesdb.sqlite`
in the app's data container. Checked against iLEAPP's test case
`meWe.meWeMessages.josh_ios17_ffs` (MeWe on iOS 17.3, 53 messages in 4 threads, store with its
WAL) and the Core Data schema of that file: ZCHATMESSAGE (one row per message: ZTHREADID,
ZSENDER = MeWe user id, ZTEXT, ZMESSAGEID), ZCHATTHREAD (ZTHREADID, ZCHATTYPE: `UserChat` in
that file), ZUSER (ZUSERID → ZNAME, first/last name, ZHANDLE; ZCURRENTUSER = 1 marks the
account holder), ZCHATATTACHMENT (ZCHATMESSAGE → ZATYPE, ZFILENAME, ZURL) and the thread ↔ user
join table `Z_<n>PARTICIPATINGUSERS` (the entity numbers in its name change with the app's
model version, so it is found by shape).

Timestamps: ZDATE and ZEDITEDDATE are Cocoa seconds since 2001-01-01 UTC (REAL, sometimes
with a fraction).

Direction: outgoing when ZSENDER is the account holder's user id (ZUSER.ZCURRENTUSER = 1),
else incoming; null when the store names no account holder. Recipients are the thread's
participants other than the sender. Shared locations are stored as OpenStreetMap links in the
text (`...?mlat=35.66&mlon=-78.87...`); the coordinates become `lat`/`lon`. A reply keeps a
copy of the message it quotes as a separate ZCHATMESSAGE row (same ZMESSAGEID as the original,
ZREPLYMESSAGEID = the reply's id, ZDATE = the reply's date): it is kept, as iLEAPP does, and
marked with `quoted_by_message_id`. Side tables that are missing are warnings, never the end
of the messages.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present, side_table
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_cocoa_s, iso
from triage_app.core.values import MESSAGE_KEYS, compact, row_values, text

_MESSAGE_COLUMNS = ("Z_PK", "ZDATE", "ZTEXT", "ZSENDER", "ZTHREADID", "ZMESSAGEID")
_OPTIONAL = (
    "ZEDITEDDATE",
    "ZORIGINALTEXT",
    "ZREPLYMESSAGEID",
    "ZREPLYTARGET",
    "ZDELETEDBYSENDER",
    "ZEVENTTYPE",
    "ZCALLDURATION",
    "ZCALLHASVIDEO",
)
_USER_COLUMNS = ("ZUSERID", "ZNAME", "ZFIRSTNAME", "ZLASTNAME", "ZHANDLE", "ZCURRENTUSER")
# Bounded: the coordinates sit in the first part of a short link.
_DEGREES = r"(-?\d{1,3}(?:\.\d+)?)"
_OSM = re.compile(rf"[?&](?:amp;)?mlat={_DEGREES}&(?:amp;)?mlon={_DEGREES}")
_MAX_LINK_SCAN = 2048


def _location(body: str | None) -> tuple[float, float] | None:
    if not body or "openstreetmap" not in body[:_MAX_LINK_SCAN]:
        return None
    match = _OSM.search(body[:_MAX_LINK_SCAN])
    if match is None:
        return None
    lat, lon = float(match[1]), float(match[2])
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


class _Store:
    """Side tables read once: users, account holder, threads, participants, attachments."""

    def __init__(
        self, conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
    ) -> None:
        self.names: dict[str, str] = {}
        self.me: str | None = None
        self.chat_types: dict[str, str] = {}
        self.participants: dict[str, list[str]] = {}
        self.attachments: dict[int, list[tuple[str | None, str | None, str | None]]] = {}
        self.pk_to_message_id: dict[int, str] = {}
        if side_table(tables, ctx, "ZUSER", _USER_COLUMNS):
            self._users(conn)
        if side_table(tables, ctx, "ZCHATTHREAD", ("Z_PK", "ZTHREADID", "ZCHATTYPE")):
            self._threads(conn, tables)
        attachment_cols = ("ZCHATMESSAGE", "ZATYPE", "ZFILENAME", "ZURL")
        if side_table(tables, ctx, "ZCHATATTACHMENT", attachment_cols):
            sql = "SELECT ZCHATMESSAGE, ZATYPE, ZFILENAME, ZURL FROM ZCHATATTACHMENT ORDER BY Z_PK"
            for message, kind, filename, url in conn.execute(sql):
                if isinstance(message, int):
                    item = (text(kind), text(filename), text(url))
                    self.attachments.setdefault(message, []).append(item)

    def _users(self, conn: sqlite3.Connection) -> None:
        sql = "SELECT ZUSERID, ZNAME, ZFIRSTNAME, ZLASTNAME, ZHANDLE, ZCURRENTUSER FROM ZUSER"
        for user_id, name, first, last, handle, current in conn.execute(sql):
            if user_id is None:
                continue
            full = " ".join(p for p in (text(first), text(last)) if p)
            label = text(name) or full or text(handle)
            if label:
                self.names[str(user_id)] = label
            if current == 1:
                self.me = str(user_id)

    def _threads(self, conn: sqlite3.Connection, tables: dict[str, set[str]]) -> None:
        by_pk: dict[int, str] = {}
        for pk, thread_id, chat_type in conn.execute(
            "SELECT Z_PK, ZTHREADID, ZCHATTYPE FROM ZCHATTHREAD"
        ):
            if thread_id is not None:
                by_pk[pk] = str(thread_id)
                if chat_type is not None:
                    self.chat_types[str(thread_id)] = str(chat_type)
        join = _participants_table(tables)
        if join is None or "zuserid" not in tables.get("zuser", set()):
            return
        table, thread_col, user_col = join
        sql = (
            f'SELECT j."{thread_col}", u.ZUSERID FROM "{table}" j'
            f' JOIN ZUSER u ON u.Z_PK = j."{user_col}" ORDER BY u.Z_PK'
        )
        for thread_pk, user_id in conn.execute(sql):
            if thread_pk in by_pk and user_id is not None:
                self.participants.setdefault(by_pk[thread_pk], []).append(str(user_id))

    def reply_targets(self, conn: sqlite3.Connection) -> None:
        sql = (
            "SELECT Z_PK, ZMESSAGEID FROM ZCHATMESSAGE WHERE Z_PK IN"
            " (SELECT ZREPLYTARGET FROM ZCHATMESSAGE) AND ZMESSAGEID IS NOT NULL"
        )
        for pk, message_id in conn.execute(sql):
            self.pk_to_message_id[pk] = str(message_id)

    def thread_name(self, thread: str | None) -> str | None:
        others = [p for p in self.participants.get(thread or "", []) if p != self.me]
        names = [self.names.get(p, p) for p in others]
        return ", ".join(names) if names else None


def _participants_table(tables: dict[str, set[str]]) -> tuple[str, str, str] | None:
    """Core Data's many-to-many table ChatThread.participatingUsers ↔ User."""
    for name, cols in sorted(tables.items()):
        if not re.fullmatch(r"z_\d+participatingusers", name):
            continue
        threads = [c for c in cols if re.fullmatch(r"z_\d+threads", c)]
        users = [c for c in cols if re.fullmatch(r"z_\d+participatingusers", c)]
        if len(threads) == 1 and len(users) == 1:
            return name, threads[0], users[0]
    return None


class MeweIos(SQLiteParser):
    name = "mewe_ios"
    version = "1.0"
    kinds = ("message",)
    path_globs = ("*/Documents/sgrouplesdb.sqlite", "*/sgrouplesdb.sqlite")
    identify: ClassVar[frozenset[str]] = frozenset({"ZCHATMESSAGE", "ZCHATTHREAD"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "ZCHATMESSAGE": frozenset(_MESSAGE_COLUMNS),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        store = _Store(conn, ctx, tables)
        if store.me is None:
            ctx.warn("ZUSER names no account holder (ZCURRENTUSER): directions unknown")
        optional = present(tables, "ZCHATMESSAGE", _OPTIONAL)
        sql = f"SELECT {', '.join((*_MESSAGE_COLUMNS, *optional))} FROM ZCHATMESSAGE ORDER BY Z_PK"
        if "ZREPLYTARGET" in optional:
            store.reply_targets(conn)
        rows = conn.execute(sql)
        yield from each_row(ctx, rows, "ZCHATMESSAGE", "Z_PK", lambda row: _message(row, store))


def _message(row: sqlite3.Row, store: _Store) -> Artifact:
    opt = row_values(row, _OPTIONAL)
    sender = text(row["ZSENDER"])
    thread = text(row["ZTHREADID"])
    direction = None
    if store.me is not None and sender is not None:
        direction = "outgoing" if sender == store.me else "incoming"
    body = text(row["ZTEXT"])
    items = store.attachments.get(int(row["Z_PK"]), [])
    fields: dict[str, Any] = {
        "app": "mewe",
        "thread": thread,
        "sender": sender,
        "recipients": [p for p in store.participants.get(thread or "", []) if p != sender],
        "direction": direction,
        "body": body,
        "attachments": [url or name for _, name, url in items if url or name],
        "thread_name": store.thread_name(thread),
        "chat_type": store.chat_types.get(thread or ""),
        "sender_name": store.names.get(sender or ""),
        "message_id": text(row["ZMESSAGEID"]),
    }
    fields.update(_extras(opt, store, items))
    location = _location(body)
    if location is not None:
        fields["lat"], fields["lon"] = location
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_cocoa_s(row["ZDATE"]),
        ts_raw=row["ZDATE"],
        source_table="ZCHATMESSAGE",
        source_rowid=int(row["Z_PK"]),
    )


def _extras(
    opt: dict[str, Any], store: _Store, items: list[tuple[str | None, str | None, str | None]]
) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    types = [kind for kind, _, _ in items if kind]
    if types:
        extras["attachment_types"] = types
    names = [name for _, name, _ in items if name]
    if names:
        extras["attachment_names"] = names
    extras.update(_reply(opt, store))
    extras.update(_events(opt))
    return extras


def _reply(opt: dict[str, Any], store: _Store) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    target = opt["ZREPLYTARGET"]
    if isinstance(target, int) and target in store.pk_to_message_id:
        extras["reply_to_message_id"] = store.pk_to_message_id[target]
    if opt["ZREPLYMESSAGEID"] is not None:
        extras["quoted_by_message_id"] = text(opt["ZREPLYMESSAGEID"])
    return extras


def _events(opt: dict[str, Any]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    edited = from_cocoa_s(opt["ZEDITEDDATE"])
    if edited is not None:
        extras["edited"] = iso(edited)
    if opt["ZORIGINALTEXT"] is not None:
        extras["original_text"] = text(opt["ZORIGINALTEXT"])
    if opt["ZDELETEDBYSENDER"]:
        extras["deleted_by_sender"] = bool(int(opt["ZDELETEDBYSENDER"]))
    if opt["ZEVENTTYPE"] is not None:
        extras["event_type"] = text(opt["ZEVENTTYPE"])
    if opt["ZCALLDURATION"]:
        extras["call_duration_s"] = int(opt["ZCALLDURATION"])
    if opt["ZCALLHASVIDEO"]:
        extras["call_has_video"] = bool(int(opt["ZCALLHASVIDEO"]))
    return extras
