"""Android SMS from the telephony provider's `mmssms.db`.

App: com.android.providers.telephony (AOSP), table `sms`. Checked against plaso's test
database `android/mmssms.db` (Android 4.x era) and the AOSP schema of Android 4-14, whose
`sms` columns used here have not changed. MMS (`pdu`/`part`/`addr`) is not read here.

Timestamps: `date` = when the message was received (incoming) or stored (outgoing),
milliseconds since 1970-01-01 UTC; `date_sent` = sender's clock, milliseconds, 0 when unknown.
`type`: 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued (AOSP Telephony.TextBasedSmsColumns).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms, iso

_INCOMING = {1}
_OUTGOING = {2, 3, 4, 5, 6}
_TYPE_NAMES = {1: "inbox", 2: "sent", 3: "draft", 4: "outbox", 5: "failed", 6: "queued"}


class AndroidSms(SQLiteParser):
    name = "android_sms"
    version = "1.0"
    kinds = ("message",)
    path_globs = ("*/com.android.providers.telephony/databases/mmssms.db", "*/mmssms.db")
    required: ClassVar[dict[str, frozenset[str]]] = {
        "sms": frozenset({"_id", "thread_id", "address", "date", "type", "body"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: Any) -> Iterator[Artifact]:
        optional = present(table_columns(conn), "sms", ("date_sent", "read", "status", "subject"))
        sql = (
            "SELECT _id, thread_id, address, date, type, body"
            + "".join(f", {c}" for c in optional)
            + " FROM sms ORDER BY _id"
        )
        errors = (TypeError, ValueError, IndexError)
        yield from each_row(ctx, conn.execute(sql), "sms", "_id", self._record, errors)

    @staticmethod
    def _record(row: sqlite3.Row) -> Artifact:
        kind = row["type"]
        kind = int(kind) if kind is not None else None
        address = row["address"]
        direction = "incoming" if kind in _INCOMING else "outgoing" if kind in _OUTGOING else None
        keys = row.keys()
        extra = {
            "sms_type": _TYPE_NAMES.get(kind, str(kind)) if kind is not None else None,
            "read": row["read"] if "read" in keys else None,
            "sent_ts": iso(from_unix_ms(row["date_sent"])) if "date_sent" in keys else None,
            "subject": row["subject"] if "subject" in keys else None,
        }
        fields: dict[str, Any] = {
            "app": "sms",
            "thread": str(row["thread_id"]) if row["thread_id"] is not None else None,
            "sender": address if direction == "incoming" else None,
            "recipients": [address] if direction == "outgoing" and address else [],
            "direction": direction,
            "body": row["body"],
            "attachments": [],
            **{k: v for k, v in extra.items() if v is not None},
        }
        return Artifact(
            kind="message",
            fields=fields,
            ts=from_unix_ms(row["date"]),
            ts_raw=row["date"],
            source_table="sms",
            source_rowid=int(row["_id"]),
        )
