"""Firefox form history: what was typed into web form fields and the search bar.

App: Mozilla Firefox desktop and Gecko-based Firefox for Android, profile file
`formhistory.sqlite` (toolkit/components/satchel, `FormHistory.sys.mjs`). Checked against
generated databases with the schema of `FormHistory.sys.mjs` schema version 5 (table
`moz_formhistory` with `guid`, `moz_deleted_formhistory`, and `moz_sources` +
`moz_history_to_sources` of bug 1654862) and of version 4 (no source tables). The corpus has
no formhistory.sqlite.

Records: one `web_form` per `moz_formhistory` row: `field` = `fieldname` (the form field's
name or id; `searchbar-history` for the search bar), `value` as typed, `count` = `timesUsed`.
The table stores no page address, so `url` is always null. `profile` is the profile folder
the database sits in (null for a loose file). `sources` lists the `moz_sources.source`
strings linked to the entry, when the database has the source tables. Not read:
`moz_deleted_formhistory` (Android only) holds just a guid and a deletion time, no value.

Timestamps: `firstUsed` and `lastUsed` are PRTime, microseconds since 1970-01-01 UTC; `ts` is
`lastUsed` (`firstUsed` when no last use is stored), `first_used` keeps `firstUsed`. 0 means
"not set".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from parsers.firefox_history import profile_of
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_us, iso
from triage_app.core.values import strict_int, text

_BROWSER = "firefox"
_SOURCE_TABLES = {
    "moz_sources": ("id", "source"),
    "moz_history_to_sources": ("history_id", "source_id"),
}
_SOURCES_SQL = (
    "SELECT h.history_id, s.source FROM moz_history_to_sources h"
    " JOIN moz_sources s ON s.id = h.source_id ORDER BY h.history_id, s.source"
)
_ROW_ERRORS = (TypeError, ValueError, OverflowError)


class FirefoxFormHistory(SQLiteParser):
    name = "firefox_formhistory"
    version = "1.0"
    kinds = ("web_form",)
    path_globs = ("*/formhistory.sqlite", "*formhistory.sqlite")
    identify: ClassVar[frozenset[str]] = frozenset({"moz_formhistory"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "moz_formhistory": frozenset({"id", "fieldname", "value", "timesUsed", "lastUsed"}),
    }
    # Read when present; moz_deleted_formhistory is not (no values), so deletions in a
    # database without entries are named by the engine's unread-tables check.
    reads: ClassVar[frozenset[str]] = frozenset(_SOURCE_TABLES)

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        optional = present(tables, "moz_formhistory", ("firstUsed",))
        sql = (
            "SELECT id, fieldname, value, timesUsed, lastUsed"
            + "".join(f", {c}" for c in optional)
            + " FROM moz_formhistory ORDER BY id"
        )
        sources = _sources(conn) if _has_sources(tables, ctx) else {}
        profile = profile_of(ctx.file.path)
        yield from each_row(
            ctx,
            conn.execute(sql),
            "moz_formhistory",
            "id",
            lambda row: _entry(row, profile, sources),
            _ROW_ERRORS,
        )


def _has_sources(tables: dict[str, set[str]], ctx: ParseContext) -> bool:
    """Whether the source tables (schema 5) can be joined. Both absent is an older profile,
    not drift; one without the other, or a missing column, is warned and skipped."""
    have = [t for t in _SOURCE_TABLES if t in tables]
    if not have:
        return False
    missing = [f"table {t}" for t in _SOURCE_TABLES if t not in tables]
    for table, columns in _SOURCE_TABLES.items():
        if table in tables:
            missing += [f"{table}.{c}" for c in columns if c not in tables[table]]
    if missing:
        ctx.warn("form entry sources not read, missing: " + ", ".join(missing))
        return False
    return True


def _sources(conn: sqlite3.Connection) -> dict[Any, list[str]]:
    """moz_formhistory id → the source strings linked to it (sorted)."""
    linked: dict[Any, list[str]] = {}
    for history_id, source in conn.execute(_SOURCES_SQL):
        if source is not None:
            linked.setdefault(history_id, []).append(text(source) or "")
    return linked


def _entry(row: sqlite3.Row, profile: str | None, sources: dict[Any, list[str]]) -> Artifact:
    keys = row.keys()
    first = strict_int(row["firstUsed"]) if "firstUsed" in keys else None
    last = strict_int(row["lastUsed"])
    # The last use; the first use only when no last use is stored.
    stamp = last if last or not first else first
    extra = {
        "first_used": iso(from_unix_us(first)),
        "sources": sources.get(row["id"]),
    }
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "field": text(row["fieldname"]),
        "value": text(row["value"]),
        "url": None,
        "count": strict_int(row["timesUsed"]),
        "profile": profile,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_form",
        fields=fields,
        ts=from_unix_us(stamp),
        ts_raw=stamp,
        source_table="moz_formhistory",
        source_rowid=strict_int(row["id"]),
    )
