"""Viber for Android: calls and contacts of `viber_data`, messages of `viber_messages`.

App: com.viber.voip. Since Viber split its database (2013, contacts DB version 33) two files
live in `databases/`: `viber_data` (`calls`; `phonebookcontact` + `phonebookdata`, Viber's copy
of the phone's address book; `vibernumbers`, the numbers known to use Viber) and
`viber_messages` (`messages`, `conversations`, `participants` = who is in which conversation,
`participants_info` = one row per person, the account itself with `participant_type` 0). The
file is recognised by its tables, not its name: `calls` with `phonebookcontact` or
`vibernumbers` → calls and contacts; `messages` with `participants_info` → messages and
contacts; neither → skipped. Checked against plaso's `android/viber_data` (Viber 2022: 4
calls, 5 address-book contacts, 1 Viber number) and, for messages, a generated database with
the table definitions of Viber's ViberMessagesHelper (Viber 10-era `msg_date`/`send_type`
schema, unchanged in the columns used here). The pre-2013 single database (`messages.date`/
`type`) is not supported: its missing `msg_date`/`send_type` are reported as an error.

Timestamps: `calls.date` and `messages.msg_date` = milliseconds since 1970-01-01 UTC;
`calls.duration` in seconds.

Calls: `type` 1 incoming, 2 outgoing, 3 missed (the codes of Autopsy's Viber module; ALEAPP
reads 2 as outgoing and anything else as incoming); another value gives a null direction, the
raw code is always kept as `call_type`. `viber_call_type` 1 audio, 4 video → extra `video`.
`name` comes from the address-book copy (`phonebookdata.data2`, the canonized number, or
`data1`), else `vibernumbers.viber_name`. Contacts: one per `phonebookcontact` row, phones from
its `phonebookdata` rows with `mime_type` 0 (the only type in the sample, all phone numbers;
other types are not read), `viber_user` = its `viber` flag (the number uses Viber), `deleted`
= its `deleted` flag. `vibernumbers` (Viber users among those numbers) only names calls.

Messages: `send_type` 1 outgoing, 0 incoming. An outgoing message's sender is the account;
an incoming one's is `participant_id` → `participants._id` → `participant_info_id` →
`participants_info` (`number`, else `member_id` for Viber users whose number is hidden). The
recipients are the conversation's other members (plus `conversations.participant_id_1`, the
partner of a one-to-one chat, and the account). Body: `body`, else `description` (a media
caption); attachment: `extra_uri` as stored; `extra_mime` (Viber's media type code) kept raw as
`message_type`; `messages.deleted` = 1 (deleted in the app, row still present) → `deleted`.
Contacts: one per `participants_info` row (`display_name`, else `contact_name`, else
`viber_name`), the account marked `is_account`. A missing side table (`conversations`,
`phonebookcontact`, `phonebookdata`, `vibernumbers`) is a warning, never the end of the file.
"""

from __future__ import annotations

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
from triage_app.core.values import as_int, row_values

Tables = dict[str, set[str]]
_CALL_TYPES = {1: "incoming", 2: "outgoing", 3: "missed"}
_VIDEO = {1: False, 4: True}
_DATA_REQUIRED = {"calls": ("_id", "number", "date", "duration", "type")}
_MESSAGES_REQUIRED = {
    "messages": ("_id", "conversation_id", "participant_id", "msg_date", "send_type", "body"),
    "participants": ("_id", "conversation_id", "participant_info_id"),
    "participants_info": ("_id", "number"),
}
_MESSAGE_OPTIONAL = ("extra_uri", "extra_mime", "description", "deleted")
_INFO_OPTIONAL = ("display_name", "contact_name", "viber_name", "member_id", "participant_type")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    text = str(value)
    return text or None


def _keys(row: sqlite3.Row) -> list[str]:
    return row.keys()  # `in row` would test the values, not the column names


def _is_data(tables: Tables) -> bool:
    return "calls" in tables and ("phonebookcontact" in tables or "vibernumbers" in tables)


def _is_messages(tables: Tables) -> bool:
    return "messages" in tables and "participants_info" in tables


def _select(conn: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[sqlite3.Row]:
    yield from conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY _id")


class Viber(SQLiteParser):
    name = "viber"
    version = "1.0"
    kinds = ("message", "contact", "call")
    path_globs = (
        "*/com.viber.voip/databases/viber_data",
        "*/com.viber.voip/databases/viber_messages",
        "*/viber_data",
        "*/viber_messages",
    )

    def check_schema(self, conn: sqlite3.Connection) -> Tables:
        # Two databases of one app: which tables are required depends on which file this is.
        tables = table_columns(conn)
        required: dict[str, tuple[str, ...]] = {}
        if _is_data(tables):
            required |= _DATA_REQUIRED
        if _is_messages(tables):
            required |= _MESSAGES_REQUIRED
        if not required:
            raise NotApplicable(
                "not a viber database (no table calls with phonebookcontact/vibernumbers,"
                " nor messages with participants_info)"
            )
        require(tables, required, sort=False)
        return tables

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        if _is_data(tables):
            phones, names = _phonebook(conn, ctx, tables)
            yield from _calls(conn, ctx, tables, names)
            yield from _book_contacts(conn, ctx, tables, phones)
        if _is_messages(tables):
            people = _People(conn, ctx, tables)
            yield from _messages(conn, ctx, tables, people)
            yield from people.contacts(ctx)


# --- viber_data --------------------------------------------------------------------------


def _phonebook(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables
) -> tuple[dict[Any, list[str]], dict[str, str]]:
    """Phones of each address-book contact, and a name for each number (for calls)."""
    phones: dict[Any, list[str]] = {}
    book: dict[str, str] = {}
    viber: dict[str, str] = {}
    if side_table(tables, ctx, "vibernumbers", ("_id", "canonized_number", "viber_name")):
        for row in _select(conn, "vibernumbers", ["canonized_number", "viber_name"]):
            number, name = _text(row["canonized_number"]), _text(row["viber_name"])
            if number and name:
                viber.setdefault(number, name)
    contact_cols = ("_id", "display_name")
    data_cols = ("contact_id", "data1", "data2", "mime_type")
    if not side_table(tables, ctx, "phonebookcontact", contact_cols) or not side_table(
        tables, ctx, "phonebookdata", data_cols
    ):
        return phones, viber
    names = {r[0]: _text(r[1]) for r in _select(conn, "phonebookcontact", [*contact_cols])}
    sql = "SELECT contact_id, data1, data2 FROM phonebookdata WHERE mime_type = 0 ORDER BY _id"
    for contact_id, data1, data2 in conn.execute(sql):
        numbers = [n for n in (_text(data2), _text(data1)) if n]
        if numbers and numbers[0] not in phones.setdefault(contact_id, []):
            phones[contact_id].append(numbers[0])
        for number in numbers:
            if names.get(contact_id):
                book.setdefault(number, str(names[contact_id]))
    return phones, viber | book


def _calls(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, names: dict[str, str]
) -> Iterator[Artifact]:
    optional = present(tables, "calls", ("canonized_number", "viber_call_type"))
    rows = _select(conn, "calls", [*_DATA_REQUIRED["calls"], *optional])
    yield from each_row(ctx, rows, "calls", "_id", lambda row: _call(row, names))


def _call(row: sqlite3.Row, names: dict[str, str]) -> Artifact:
    keys = row.keys()
    number = _text(row["number"])
    canonized = _text(row["canonized_number"]) if "canonized_number" in keys else None
    kind = as_int(row["type"])
    fields: dict[str, Any] = {
        "app": "viber",
        "number": number or canonized,
        "name": names.get(canonized or "") or names.get(number or ""),
        "direction": _CALL_TYPES.get(kind) if kind is not None else None,
        "duration_s": as_int(row["duration"]),
        "call_type": kind,
    }
    if canonized and canonized != fields["number"]:
        fields["canonized_number"] = canonized
    if "viber_call_type" in keys and as_int(row["viber_call_type"]) in _VIDEO:
        fields["video"] = _VIDEO[int(row["viber_call_type"])]
    return Artifact(
        kind="call",
        fields=fields,
        ts=from_unix_ms(row["date"]),
        ts_raw=row["date"],
        source_table="calls",
        source_rowid=int(row["_id"]),
    )


def _book_contacts(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, phones: dict[Any, list[str]]
) -> Iterator[Artifact]:
    if not {"_id", "display_name"} <= tables.get("phonebookcontact", set()):
        return  # already warned by _phonebook
    optional = present(tables, "phonebookcontact", ("viber", "deleted"))
    yield from each_row(
        ctx,
        _select(conn, "phonebookcontact", ["_id", "display_name", *optional]),
        "phonebookcontact",
        "_id",
        lambda row: _book_contact(row, phones.get(row["_id"], [])),
    )


def _book_contact(row: sqlite3.Row, phones: list[str]) -> Artifact:
    keys = row.keys()
    fields: dict[str, Any] = {
        "app": "viber",
        "name": _text(row["display_name"]),
        "phones": list(phones),
        "emails": [],
    }
    if "viber" in keys and row["viber"] is not None:
        fields["viber_user"] = bool(as_int(row["viber"]))
    return Artifact(
        kind="contact",
        fields=fields,
        deleted=bool(as_int(row["deleted"])) if "deleted" in keys else False,
        source_table="phonebookcontact",
        source_rowid=int(row["_id"]),
    )


# --- viber_messages ----------------------------------------------------------------------


class _People:
    """participants_info rows, conversation members and the account, from viber_messages."""

    def __init__(self, conn: sqlite3.Connection, ctx: ParseContext, tables: Tables) -> None:
        columns = ["_id", "number", *present(tables, "participants_info", _INFO_OPTIONAL)]
        self.rows = list(_select(conn, "participants_info", columns))
        self.info: dict[Any, sqlite3.Row] = {r["_id"]: r for r in self.rows}
        keys = set(columns)
        self.account = [
            r["_id"] for r in self.rows if "participant_type" in keys and r["participant_type"] == 0
        ]
        self.part: dict[Any, Any] = {}
        self.members: dict[Any, list[Any]] = {}
        sql = "SELECT _id, conversation_id, participant_info_id FROM participants ORDER BY _id"
        for pid, conversation, info_id in conn.execute(sql):
            self.part[pid] = info_id
            self.members.setdefault(conversation, []).append(info_id)
        self.threads: dict[Any, str] = {}
        conv_cols = ("_id", "name")
        if side_table(tables, ctx, "conversations", conv_cols):
            partner = present(tables, "conversations", ("participant_id_1",))
            for row in _select(conn, "conversations", [*conv_cols, *partner]):
                if _text(row["name"]):
                    self.threads[row["_id"]] = str(_text(row["name"]))
                if partner and row["participant_id_1"]:
                    self.members.setdefault(row["_id"], []).append(row["participant_id_1"])

    def ident(self, info_id: Any) -> str | None:
        row = self.info.get(info_id)
        if row is None:
            return None
        member = _text(row["member_id"]) if "member_id" in _keys(row) else None
        return _text(row["number"]) or member

    def name(self, info_id: Any) -> str | None:
        row = self.info.get(info_id)
        if row is None:
            return None
        keys = row.keys()
        columns = ("display_name", "contact_name", "viber_name")
        return next((_text(row[c]) for c in columns if c in keys and _text(row[c])), None)

    def contacts(self, ctx: ParseContext) -> Iterator[Artifact]:
        yield from each_row(ctx, self.rows, "participants_info", "_id", self._contact)

    def _contact(self, row: sqlite3.Row) -> Artifact:
        number = _text(row["number"])
        fields: dict[str, Any] = {
            "app": "viber",
            "name": self.name(row["_id"]),
            "phones": [number] if number else [],
            "emails": [],
        }
        member = _text(row["member_id"]) if "member_id" in _keys(row) else None
        if member:
            fields["member_id"] = member
        if row["_id"] in self.account:
            fields["is_account"] = True
        return Artifact(
            kind="contact",
            fields=fields,
            source_table="participants_info",
            source_rowid=int(row["_id"]),
        )


def _messages(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, people: _People
) -> Iterator[Artifact]:
    optional = present(tables, "messages", _MESSAGE_OPTIONAL)
    rows = _select(conn, "messages", [*_MESSAGES_REQUIRED["messages"], *optional])
    yield from each_row(ctx, rows, "messages", "_id", lambda row: _message(row, people))


def _message(row: sqlite3.Row, people: _People) -> Artifact:
    get = row_values(row, _MESSAGE_OPTIONAL)
    send_type = as_int(row["send_type"])
    direction = {1: "outgoing", 0: "incoming"}.get(send_type) if send_type is not None else None
    # The account sent every outgoing message, whichever participant row the app linked.
    if direction == "outgoing" and people.account:
        author = people.account[0]
    else:
        author = people.part.get(row["participant_id"])
    conversation = row["conversation_id"]
    others = [*people.members.get(conversation, []), *people.account]
    recipients: list[str] = []
    for info_id in others:
        ident = people.ident(info_id)
        if info_id != author and ident and ident not in recipients:
            recipients.append(ident)
    uri = _text(get["extra_uri"])
    fields: dict[str, Any] = {
        "app": "viber",
        "thread": str(conversation) if conversation is not None else None,
        "sender": people.ident(author),
        "recipients": recipients,
        "direction": direction,
        "body": _text(row["body"]) or _text(get["description"]),
        "attachments": [uri] if uri else [],
        "thread_name": people.threads.get(conversation),
        "sender_name": people.name(author),
        "message_type": as_int(get["extra_mime"]),
    }
    return Artifact(
        kind="message",
        fields=fields,
        ts=from_unix_ms(row["msg_date"]),
        ts_raw=row["msg_date"],
        deleted=bool(as_int(get["deleted"])),
        source_table="messages",
        source_rowid=int(row["_id"]),
    )
