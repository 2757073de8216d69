"""iOS Contacts: `ABPerson` + `ABMultiValue` of `AddressBook.sqlitedb`.

App: the native address book (Contacts framework, com.apple.MobileAddressBook), at
`/private/var/mobile/Library/AddressBook/AddressBook.sqlitedb` (HomeDomain in a backup).
Written against the AddressBook schema of iOS 13-17, whose columns used here are unchanged
since iOS 6: `ABPerson` (one row per contact card: First, Middle, Last, Organization,
Nickname, CreationDate, ModificationDate), `ABMultiValue` (one row per phone number, e-mail,
address, URL... of a card: record_id = ABPerson.ROWID, `property` 3 = phone, 4 = e-mail,
5 = postal address, 13 = instant messaging, 22 = URL, 23 = related name, 46 = social
profile; `label` = ABMultiValueLabel.ROWID) and `ABMultiValueLabel` (label texts; Apple's
built-in labels are stored wrapped as `_$!<Mobile>!$_`, custom labels as typed). No public
test copy exists in the corpus; tests use a generated database with these tables.

One record per ABPerson row. `name` is "First Middle Last", else the Organization (company
cards). Phones and e-mails keep the text as the user typed it (not normalised), in
insertion order; `phone_labels` lists each phone's label (custom labels such as a nickname
for a number are evidence). Contacts from every account (local, iCloud, Exchange, CardDAV)
share these tables. A deleted contact's row and values are removed by the app; only rows
still in the database or its WAL are read (no free-page carving).

Timestamps: CreationDate and ModificationDate are Cocoa seconds since 2001-01-01 UTC
(INTEGER); `ts` is ModificationDate, `created` the creation date. Text that is not valid
UTF-8 is decoded with replacement characters and warned, never the end of the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser
from triage_app.core.sqlite_reader import Utf8Text, table_columns, text_decoder
from triage_app.core.timeconv import from_cocoa_s, iso

PHONE, EMAIL = 3, 4
# ROWID is ABPerson's declared INTEGER PRIMARY KEY, selectable even when not declared.
_PERSONS = """
SELECT ROWID AS rowid, First, Middle, Last, Organization, Nickname, CreationDate,
       ModificationDate
FROM ABPerson ORDER BY ROWID
"""
Values = dict[str, list[Any]]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).strip()
    return text or None


def clean_label(value: Any) -> str | None:
    text = _text(value)
    if text and text.startswith("_$!<") and text.endswith(">!$_"):
        return text[4:-4]
    return text


class IosContacts(SQLiteParser):
    name = "ios_contacts"
    version = "1.0"
    kinds = ("contact",)
    path_globs = ("*/Library/AddressBook/AddressBook.sqlitedb", "*/AddressBook.sqlitedb")
    identify: ClassVar[frozenset[str]] = frozenset({"ABPerson", "ABMultiValue"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "ABPerson": frozenset(
            {"First", "Middle", "Last", "Organization", "Nickname", "CreationDate"}
            | {"ModificationDate"}
        ),
        "ABMultiValue": frozenset({"UID", "record_id", "property", "value"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        decoder = text_decoder(conn)
        values = self._values(conn, ctx, decoder)
        bad = decoder.bad
        for row in conn.execute(_PERSONS):
            ctx.cancel.check()
            if decoder.bad != bad:
                bad = decoder.bad
                ctx.warn(f"ABPerson row {row['rowid']!r}: text not valid UTF-8, replaced")
            try:
                yield self._record(row, values.get(int(row["rowid"]), {}))
            except (TypeError, ValueError) as exc:
                ctx.warn(f"ABPerson row {row['rowid']!r} skipped: {exc}")

    @staticmethod
    def _values(
        conn: sqlite3.Connection, ctx: ParseContext, decoder: Utf8Text
    ) -> dict[int, Values]:
        """Phones and e-mails (with their labels) by ABPerson ROWID."""
        tables = table_columns(conn)
        label = "NULL"
        if "label" not in tables.get("abmultivalue", set()):
            ctx.warn("ABMultiValue.label absent (schema drift): phone labels not read")
        elif "value" not in tables.get("abmultivaluelabel", set()):
            ctx.warn("table ABMultiValueLabel absent (schema drift): phone labels not read")
        else:
            label = "(SELECT l.value FROM ABMultiValueLabel l WHERE l.ROWID = m.label)"
        sql = (
            f"SELECT m.UID AS uid, m.record_id, m.property, m.value, {label} AS label"
            " FROM ABMultiValue m WHERE m.property IN (?, ?) ORDER BY m.UID"
        )
        out: dict[int, Values] = {}
        bad = decoder.bad
        for row in conn.execute(sql, (PHONE, EMAIL)):
            ctx.cancel.check()
            if decoder.bad != bad:
                bad = decoder.bad
                ctx.warn(f"ABMultiValue row {row['uid']!r}: text not valid UTF-8, replaced")
            value = _text(row["value"])
            if value is None:
                continue
            try:
                person = out.setdefault(int(row["record_id"]), {})
            except (TypeError, ValueError) as exc:
                ctx.warn(f"ABMultiValue row {row['uid']!r} skipped: {exc}")
                continue
            if row["property"] == PHONE:
                person.setdefault("phones", []).append(value)
                person.setdefault("phone_labels", []).append(clean_label(row["label"]))
            else:
                person.setdefault("emails", []).append(value)
        return out

    @staticmethod
    def _record(row: sqlite3.Row, values: Values) -> Artifact:
        parts = (_text(row[c]) for c in ("First", "Middle", "Last"))
        organization = _text(row["Organization"])
        modified = row["ModificationDate"]
        fields: dict[str, Any] = {
            "app": "contacts",
            "name": " ".join(p for p in parts if p) or organization,
            "phones": values.get("phones", []),
            "emails": values.get("emails", []),
            "phone_labels": values.get("phone_labels", []),
            "organization": organization,
            "nickname": _text(row["Nickname"]),
            "created": iso(from_cocoa_s(row["CreationDate"])),
        }
        return Artifact(
            kind="contact",
            fields=fields,
            ts=from_cocoa_s(modified),
            ts_raw=modified,
            source_table="ABPerson",
            source_rowid=int(row["rowid"]),
        )
