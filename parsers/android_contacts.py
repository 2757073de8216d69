"""Android contacts: `raw_contacts` + `data` + `mimetypes` of `contacts2.db`.

App: com.android.providers.contacts (AOSP ContactsProvider2). Written against the AOSP schema
of Android 5-14 (the `accounts` table appeared in Android 5; older versions keep
`account_name`/`account_type` on `raw_contacts`, which is also read). One record per raw
contact, i.e. per account copy: the same person synced by WhatsApp, Google and the SIM gives
several records, each naming its `account_type` (e.g. `com.whatsapp`), which is evidence in
itself. `raw_contacts.deleted = 1` marks a contact deleted on the phone but not yet synced
away: kept, with `deleted = true`.

Timestamps: `raw_contacts.last_time_contacted` (before Android 10) and
`contacts.contact_last_updated_timestamp`, milliseconds since 1970-01-01 UTC; the record's
`ts` is the last update when present, else the last contact time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row
from triage_app.core.timeconv import from_unix_ms, iso

PHONE = "vnd.android.cursor.item/phone_v2"
EMAIL = "vnd.android.cursor.item/email_v2"
NAME = "vnd.android.cursor.item/name"


class AndroidContacts(SQLiteParser):
    name = "android_contacts"
    version = "1.0"
    kinds = ("contact",)
    path_globs = ("*/com.android.providers.contacts/databases/contacts2.db", "*/contacts2.db")
    identify: ClassVar[frozenset[str]] = frozenset({"raw_contacts", "data", "mimetypes"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "raw_contacts": frozenset({"_id", "display_name", "deleted"}),
        "data": frozenset({"raw_contact_id", "mimetype_id", "data1"}),
        "mimetypes": frozenset({"_id", "mimetype"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        details = self._details(conn)
        yield from each_row(
            ctx,
            conn.execute(self._contacts_sql(conn)),
            "raw_contacts",
            "_id",
            lambda row: self._record(row, details.get(int(row["_id"]), {})),
        )

    @staticmethod
    def _contacts_sql(conn: sqlite3.Connection) -> str:
        tables = {r[0].lower() for r in conn.execute("SELECT name FROM sqlite_master")}
        raw_cols = {r[1].lower() for r in conn.execute("PRAGMA table_info(raw_contacts)")}
        cols = ["r._id", "r.display_name", "r.deleted"]
        joins = ""
        for col in ("starred", "times_contacted", "last_time_contacted", "contact_id"):
            cols.append(f"r.{col}" if col in raw_cols else f"NULL AS {col}")
        if "accounts" in tables and "account_id" in raw_cols:
            joins += " LEFT JOIN accounts a ON a._id = r.account_id"
            cols += ["a.account_name", "a.account_type"]
        else:
            cols += [
                f"r.{c}" if c in raw_cols else f"NULL AS {c}"
                for c in ("account_name", "account_type")
            ]
        contact_cols = (
            {r[1].lower() for r in conn.execute("PRAGMA table_info(contacts)")}
            if "contacts" in tables
            else set()
        )
        if "contact_last_updated_timestamp" in contact_cols and "contact_id" in raw_cols:
            joins += " LEFT JOIN contacts c ON c._id = r.contact_id"
            cols.append("c.contact_last_updated_timestamp AS updated")
        else:
            cols.append("NULL AS updated")
        return f"SELECT {', '.join(cols)} FROM raw_contacts r{joins} ORDER BY r._id"

    @staticmethod
    def _details(conn: sqlite3.Connection) -> dict[int, dict[str, list[str]]]:
        out: dict[int, dict[str, list[str]]] = {}
        rows = conn.execute(
            "SELECT d.raw_contact_id, m.mimetype, d.data1 FROM data d"
            " JOIN mimetypes m ON m._id = d.mimetype_id"
            " WHERE m.mimetype IN (?, ?, ?) AND d.data1 IS NOT NULL ORDER BY d._id",
            (PHONE, EMAIL, NAME),
        )
        for raw_id, mimetype, value in rows:
            key = {PHONE: "phones", EMAIL: "emails", NAME: "names"}[mimetype]
            if not isinstance(raw_id, int):  # a damaged row: its detail belongs to no contact
                continue
            out.setdefault(raw_id, {}).setdefault(key, []).append(str(value))
        return out

    @staticmethod
    def _record(row: sqlite3.Row, details: dict[str, list[str]]) -> Artifact:
        updated, contacted = row["updated"], row["last_time_contacted"]
        name = row["display_name"] or next(iter(details.get("names", [])), None)
        fields: dict[str, Any] = {
            "app": "contacts",
            "name": name,
            "phones": details.get("phones", []),
            "emails": details.get("emails", []),
            "account_name": row["account_name"],
            "account_type": row["account_type"],
            "starred": row["starred"],
            "times_contacted": row["times_contacted"],
            "last_contacted": iso(from_unix_ms(contacted)),
        }
        return Artifact(
            kind="contact",
            fields=fields,
            ts=from_unix_ms(updated) or from_unix_ms(contacted),
            ts_raw=updated if updated else contacted,
            deleted=bool(row["deleted"]),
            source_table="raw_contacts",
            source_rowid=int(row["_id"]),
        )
