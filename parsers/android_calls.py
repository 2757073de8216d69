"""Android call log: table `calls` of `calllog.db` (Android 7+) or `contacts2.db` (older).

App: com.android.providers.contacts (AOSP CallLogProvider). Checked against plaso's test
database `android/contacts2.db` (Android 4.x: `calls` inside contacts2.db) and the AOSP
`CallLog.Calls` columns of Android 7-14 (`calllog.db`), whose columns used here are unchanged.

Timestamps: `date` = call start, milliseconds since 1970-01-01 UTC; `duration` in seconds.
`type` (CallLog.Calls): 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked,
7 answered externally. Rejected and blocked calls reached the phone but were not answered, so
their direction is `missed`; the exact type is kept in `call_type`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms

_TYPES: dict[int, tuple[str, str]] = {
    1: ("incoming", "incoming"),
    2: ("outgoing", "outgoing"),
    3: ("missed", "missed"),
    4: ("incoming", "voicemail"),
    5: ("missed", "rejected"),
    6: ("missed", "blocked"),
    7: ("incoming", "answered_externally"),
}
_OPTIONAL = ("name", "countryiso", "geocoded_location", "is_read", "features")


class AndroidCalls(SQLiteParser):
    name = "android_calls"
    version = "1.0"
    kinds = ("call",)
    path_globs = (
        "*/com.android.providers.contacts/databases/calllog.db",
        "*/com.android.providers.contacts/databases/contacts2.db",
        "*/calllog.db",
        "*/contacts2.db",
    )
    identify: ClassVar[frozenset[str]] = frozenset({"calls"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "calls": frozenset({"_id", "number", "date", "duration", "type"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        optional = present(table_columns(conn), "calls", _OPTIONAL)
        sql = "SELECT _id, number, date, duration, type" + "".join(f", {c}" for c in optional)
        rows = conn.execute(sql + " FROM calls ORDER BY _id")
        yield from each_row(ctx, rows, "calls", "_id", lambda row: self._record(row, optional))

    @staticmethod
    def _record(row: sqlite3.Row, optional: list[str]) -> Artifact:
        raw_type = row["type"]
        direction, call_type = _TYPES.get(int(raw_type), (None, f"type {raw_type}"))
        duration = row["duration"]
        fields: dict[str, Any] = {
            "app": "phone",
            "number": row["number"],
            "name": row["name"] if "name" in optional else None,
            "direction": direction,
            "duration_s": int(duration) if duration is not None else None,
            "call_type": call_type,
            **{c: row[c] for c in optional if c != "name" and row[c] is not None},
        }
        return Artifact(
            kind="call",
            fields=fields,
            ts=from_unix_ms(row["date"]),
            ts_raw=row["date"],
            source_table="calls",
            source_rowid=int(row["_id"]),
        )
