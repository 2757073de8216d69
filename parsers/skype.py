"""Skype classic chats, contacts and calls from `main.db`.

App: Skype desktop ≤ 7 (Windows/macOS/Linux) and the classic Android (`com.skype.raider`)
and iOS apps, which share the SkypeKit `main.db` schema. Checked against plaso's
`skype_main.db` (desktop, 2013), IPED's `test_skypeMain.db` (Skype 7/Android era, 2021)
and the SkypeKit schema of those two files (`Messages`, `Accounts`, `Participants`,
`Contacts`, `Calls`, `CallMembers`). Skype 8+ (Electron, `s4l-*.db`) and Skype for
Business are different formats: their files have no `Messages`/`Accounts` tables and are
recorded as skipped (e.g. IPED's `test_skypeDatabase.db`, an empty Chromium WebSQL
`Databases.db` index, not a chat database).

Timestamps: `Messages.timestamp` and `Calls.begin_timestamp` = seconds since 1970-01-01
UTC. Corrupt values occur (plaso's message 61, an SMS, stores 13727168620 = year 2404): they
give a null `ts` and keep `ts_raw`.

Direction: a message is outgoing when its `author` is one of the `Accounts.skypename`
values, else incoming (null when the database names no account). `body_xml` is Skype's
XML-ish markup (`&apos;`, `<a href>`, `<ss>` emoticons, `<URIObject>` shared media, `<sms>`,
`<files>`): it is reduced to text by a small linear tokenizer that drops tags, decodes HTML
character references only (never a DTD's entities) and loads nothing; the raw markup is kept
as `body_xml` when it differs from the text. Calls: `missed` when `Calls.is_unseen_missed` is
set or an incoming call never connected (no duration); Skype's numeric `status`/
`failurereason` codes are not publicly documented and are kept raw (`call_status`,
`failure_reason`).

`Contacts`, `Calls`, `CallMembers` and `Participants` are read when present: a missing one is
a warning (schema drift), never the end of the messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.markup import body_text
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present, side_table
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_s
from triage_app.core.values import MESSAGE_KEYS, as_int, compact, row_values, text

_CONTACT_COLUMNS = ("id", "skypename", "fullname", "displayname", "emails")
_CONTACT_PHONES = ("phone_home", "phone_office", "phone_mobile")
_CONTACT_OPTIONAL = ("pstnnumber", "assigned_phone1", "assigned_phone2", "assigned_phone3")
_CALL_COLUMNS = ("id", "begin_timestamp", "duration", "is_incoming", "host_identity")
_CALL_OPTIONAL: tuple[str, ...] = ("name", "is_unseen_missed", "status", "failurereason")
_CALL_OPTIONAL += ("partner_handle", "partner_dispname")
Member = tuple[str, str | None, int | None]  # identity, display name, call_duration


class Skype(SQLiteParser):
    name = "skype"
    version = "1.0"
    kinds = ("message", "contact", "call")
    path_globs = (
        "*/Skype/*/main.db",
        "*/com.skype.raider/files/*/main.db",
        "*/main.db",
        "*skype*.db",
    )
    identify: ClassVar[frozenset[str]] = frozenset({"Messages", "Accounts"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "Messages": frozenset(
            {"id", "convo_id", "chatname", "author", "from_dispname", "timestamp", "type"}
            | {"body_xml"}
        ),
        "Accounts": frozenset({"skypename"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        accounts = {
            str(r[0]) for r in conn.execute("SELECT skypename FROM Accounts") if r[0] is not None
        }
        if not accounts:
            ctx.warn("Accounts names no skypename: message directions unknown")
        yield from self._messages(conn, ctx, tables, accounts)
        yield from self._contacts(conn, ctx, tables)
        yield from self._calls(conn, ctx, tables, accounts)

    def _messages(
        self,
        conn: sqlite3.Connection,
        ctx: ParseContext,
        tables: dict[str, set[str]],
        accounts: set[str],
    ) -> Iterator[Artifact]:
        participants: dict[Any, list[str]] = {}
        if side_table(tables, ctx, "Participants", ("convo_id", "identity")):
            sql = "SELECT convo_id, identity FROM Participants ORDER BY id"
            for convo_id, identity in conn.execute(sql):
                if identity is not None:
                    participants.setdefault(convo_id, []).append(str(identity))
        # Newer main.db files leave `chatname` empty; the conversation's identity (partner
        # skypename or group thread id) is what names the chat outside this database.
        conversations: dict[Any, str] = {}
        if {"id", "identity"} <= tables.get("conversations", set()):
            for convo_id, identity in conn.execute("SELECT id, identity FROM Conversations"):
                if identity:
                    conversations[convo_id] = str(identity)
        extra = "".join(f", {c}" for c in present(tables, "Messages", ("dialog_partner",)))
        sql = (
            "SELECT id, convo_id, chatname, author, from_dispname, timestamp, type, body_xml"
            f"{extra} FROM Messages ORDER BY id"
        )
        yield from each_row(
            ctx,
            conn.execute(sql),
            "Messages",
            "id",
            lambda row: _message(row, accounts, participants, conversations),
        )

    def _contacts(
        self, conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
    ) -> Iterator[Artifact]:
        if not side_table(tables, ctx, "Contacts", _CONTACT_COLUMNS + _CONTACT_PHONES):
            return
        columns = [*_CONTACT_COLUMNS, *_CONTACT_PHONES]
        columns += present(tables, "Contacts", (*_CONTACT_OPTIONAL, "given_displayname"))
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM Contacts ORDER BY id")
        yield from each_row(ctx, rows, "Contacts", "id", _contact)

    def _calls(
        self,
        conn: sqlite3.Connection,
        ctx: ParseContext,
        tables: dict[str, set[str]],
        accounts: set[str],
    ) -> Iterator[Artifact]:
        if not side_table(tables, ctx, "Calls", _CALL_COLUMNS):
            return
        by_id, by_name = _call_members(conn, ctx, tables)
        columns = [*_CALL_COLUMNS, *present(tables, "Calls", _CALL_OPTIONAL)]
        for row in conn.execute(f"SELECT {', '.join(columns)} FROM Calls ORDER BY id"):
            ctx.cancel.check()
            keys = row.keys()
            name = row["name"] if "name" in keys else None
            members = by_id.get(row["id"]) or by_name.get(name) or []
            try:
                yield _call(row, [m for m in members if m[0] not in accounts], accounts)
            except (TypeError, ValueError) as exc:
                ctx.warn(f"Calls row {row['id']!r} skipped: {exc}")


def _message(
    row: sqlite3.Row,
    accounts: set[str],
    participants: dict[Any, list[str]],
    conversations: dict[Any, str],
) -> Artifact:
    kind = as_int(row["type"])
    author = text(row["author"])
    direction = None
    if accounts and author:
        direction = "outgoing" if author in accounts else "incoming"
    # `dialog_partner` is the message's own counterpart (the number of an SMS, the partner
    # of a 1:1 chat); group messages have none, so the conversation's participants are used.
    has_partner = "dialog_partner" in row.keys()  # noqa: SIM118 (Row `in` tests values)
    partner = text(row["dialog_partner"]) if has_partner else None
    if partner and partner != author:
        recipients = [partner]
    else:
        recipients = [p for p in participants.get(row["convo_id"], []) if p != author]
    raw = text(row["body_xml"])
    body, attachments = body_text(raw) if raw is not None else (None, [])
    chatname = text(row["chatname"])
    convo = row["convo_id"]
    fields: dict[str, Any] = {
        "app": "skype",
        "thread": chatname or (str(convo) if convo is not None else None),
        "sender": author,
        "recipients": recipients,
        "direction": direction,
        "body": body,
        "attachments": attachments,
        "conversation": conversations.get(convo),
        "sender_name": text(row["from_dispname"]),
        "message_type": kind,
    }
    if raw is not None and raw != body:
        fields["body_xml"] = raw
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_unix_s(row["timestamp"]),
        ts_raw=row["timestamp"],
        source_table="Messages",
        source_rowid=int(row["id"]),
    )


def _split_emails(value: Any) -> list[str]:
    joined = text(value) or ""
    return [e for e in joined.replace(",", " ").replace(";", " ").split() if e]


def _contact(row: sqlite3.Row) -> Artifact:
    keys = row.keys()
    phones: list[str] = []
    for column in (*_CONTACT_PHONES, *_CONTACT_OPTIONAL):
        value = (text(row[column]) or "").strip() if column in keys else ""
        if value and value not in phones:
            phones.append(value)
    given = text(row["given_displayname"]) if "given_displayname" in keys else None
    fields: dict[str, Any] = {
        "app": "skype",
        "name": text(row["fullname"]) or text(row["displayname"]) or given,
        "phones": phones,
        "emails": _split_emails(row["emails"]),
        "skypename": text(row["skypename"]),
    }
    if given:
        fields["given_name"] = given
    return Artifact(
        kind="contact", fields=fields, source_table="Contacts", source_rowid=int(row["id"])
    )


def _call_members(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
) -> tuple[dict[Any, list[Member]], dict[Any, list[Member]]]:
    """CallMembers by `call_db_id` (newer schemas) and by `call_name` (= `Calls.name`)."""
    by_id: dict[Any, list[Member]] = {}
    by_name: dict[Any, list[Member]] = {}
    if not side_table(tables, ctx, "CallMembers", ("identity", "dispname", "call_name")):
        return by_id, by_name
    optional = present(tables, "CallMembers", ("call_db_id", "call_duration"))
    columns = ", ".join(["identity", "dispname", "call_name", *optional])
    for row in conn.execute(f"SELECT {columns} FROM CallMembers ORDER BY id"):
        if row["identity"] is None:
            continue
        try:
            duration = as_int(row["call_duration"]) if "call_duration" in optional else None
        except (TypeError, ValueError):
            duration = None  # the call row still has its own duration
        member: Member = (str(row["identity"]), text(row["dispname"]), duration)
        if "call_db_id" in optional and row["call_db_id"] is not None:
            by_id.setdefault(row["call_db_id"], []).append(member)
        elif row["call_name"] is not None:
            by_name.setdefault(row["call_name"], []).append(member)
    return by_id, by_name


def _call_direction(incoming: int | None, missed: bool, duration: int | None) -> str | None:
    if missed or (incoming == 1 and not duration):
        return "missed"
    return {1: "incoming", 0: "outgoing"}.get(incoming) if incoming is not None else None


def _call(row: sqlite3.Row, others: list[Member], accounts: set[str]) -> Artifact:
    opt = row_values(row, _CALL_OPTIONAL)
    duration = as_int(row["duration"])
    if duration is None:
        durations = [m[2] for m in others if m[2] is not None]
        duration = max(durations) if durations else None
    host = text(row["host_identity"])
    number = others[0][0] if others else text(opt["partner_handle"])
    if number is None and host and host not in accounts:
        number = host
    name = others[0][1] if others else text(opt["partner_dispname"])
    incoming = as_int(row["is_incoming"])
    fields: dict[str, Any] = {
        "app": "skype",
        "number": number,
        "name": name,
        "direction": _call_direction(incoming, bool(as_int(opt["is_unseen_missed"])), duration),
        "duration_s": duration,
    }
    if len(others) > 1:
        fields["participants"] = [m[0] for m in others]
    for key, column in (("call_status", "status"), ("failure_reason", "failurereason")):
        if opt[column] is not None:
            fields[key] = as_int(opt[column])
    return Artifact(
        kind="call",
        fields=fields,
        ts=from_unix_s(row["begin_timestamp"]),
        ts_raw=row["begin_timestamp"],
        source_table="Calls",
        source_rowid=int(row["id"]),
    )
