"""WhatsApp Android contacts from `wa.db`.

App: WhatsApp (com.whatsapp) and WhatsApp Business (com.whatsapp.w4b), table `wa_contacts`: one
row per JID and address-book entry (the same JID appears once per raw contact that holds its
number). Checked against IPED's test file `test_whatsApp.db` (user_version 44, WhatsApp 2.21,
June 2021) and the generated fixture built with that table definition.

Records: one `contact` per row whose JID is a person. Rows of groups (`…@g.us`), broadcast
lists and status (`…@broadcast`) and channels (`…@newsletter`) are not people and are left out
without a warning (the group subjects reach the messages through `msgstore.db`). The IPED
file's 389 rows give 370 contacts: 18 group rows and `status@broadcast` are left out. IPED
reports 384 "contacts" because it keys them by JID and keeps the groups and the broadcast:
384 = 365 distinct person JIDs + 18 + 1. Here the 5 rows that repeat a JID under another
address-book entry (e.g. "Mariana Putini" and "Mari") stay separate records: each is evidence.

Fields: `name` = `display_name` (the phone's address-book name), else `wa_name` (the name the
user set in WhatsApp), else `given_name` + `family_name`; null when none (82 rows of the IPED
file: WhatsApp users not in the address book). `phones` = "+<digits>" of a phone JID
(`…@s.whatsapp.net`), then `number` as stored in the address book (e.g. "06133223200") when its
digits differ. `emails` is always empty (wa.db keeps none). Extras: `jid`, `whatsapp_user`
(`is_whatsapp_user`), `status` (the "about" text) and `status_ts`.

Timestamps: `status_timestamp` = when the contact set the "about" text, milliseconds since
1970-01-01 UTC (0 = not set), kept as the extra `status_ts`; a contact row has no time of its
own, so `ts` is null.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, ParseContext, SQLiteParser, each_row
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms, iso
from triage_app.core.values import phone_from_jid, strict_int, text

_NOT_PEOPLE = ("@g.us", "@broadcast", "@newsletter")
_OPTIONAL = ("is_whatsapp_user", "status", "status_timestamp")


class WhatsappAndroidContacts(SQLiteParser):
    name = "whatsapp_android_contacts"
    version = "1.0"
    kinds = ("contact",)
    path_globs = (
        "*/com.whatsapp/databases/wa.db",
        "*/com.whatsapp.w4b/databases/wa.db",
        "*/wa.db",
        "*/*whatsapp*.db",  # renamed copies; other WhatsApp databases are skipped by `identify`
    )
    identify: ClassVar[frozenset[str]] = frozenset({"wa_contacts"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "wa_contacts": frozenset(
            {"_id", "jid", "display_name", "wa_name", "given_name", "family_name", "number"}
        ),
    }

    def accepts(self, file: FileInfo, ctx: ParseContext) -> bool:
        # The renamed-copy glob also matches every database under com.whatsapp/ (msgstore.db,
        # axolotl.db ...): only a file named like a contacts database is opened.
        name = file.name.casefold()
        return name == "wa.db" or "whatsapp" in name

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        have = table_columns(conn)["wa_contacts"]
        optional = ", ".join(c if c in have else f"NULL AS {c}" for c in _OPTIONAL)
        sql = (
            "SELECT _id, jid, display_name, wa_name, given_name, family_name, number,"
            f" {optional} FROM wa_contacts ORDER BY _id"
        )
        yield from each_row(ctx, conn.execute(sql), "wa_contacts", "_id", _record)


def _record(row: sqlite3.Row) -> Artifact | None:
    jid = row["jid"]
    if not isinstance(jid, str) or "@" not in jid:
        raise ValueError(f"not a JID: {jid!r}")
    if jid.endswith(_NOT_PEOPLE):
        return None
    user = strict_int(row["is_whatsapp_user"])
    fields: dict[str, Any] = {
        "app": "whatsapp",
        "name": _name(row),
        "phones": _phones(jid, text(row["number"])),
        "emails": [],
        "jid": jid,
        "whatsapp_user": None if user is None else user == 1,
    }
    status = text(row["status"])
    if status:
        fields["status"] = status
    status_ts = iso(from_unix_ms(row["status_timestamp"]))
    if status_ts:
        fields["status_ts"] = status_ts
    return Artifact(
        kind="contact", fields=fields, source_table="wa_contacts", source_rowid=int(row["_id"])
    )


def _name(row: sqlite3.Row) -> str | None:
    for column in ("display_name", "wa_name"):
        value = text(row[column])
        if value and value.strip():
            return value
    parts = (text(row["given_name"]), text(row["family_name"]))
    return " ".join(p for p in parts if p and p.strip()) or None


def _phones(jid: str, number: str | None) -> list[str]:
    phones = []
    own = phone_from_jid(jid)
    if own:
        phones.append(own)
    if number and number.strip():
        digits = "".join(ch for ch in number if ch.isdigit())
        if own is None or digits != own[1:]:
            phones.append(number)
    return phones
