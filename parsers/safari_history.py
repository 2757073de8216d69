"""Safari history from `History.db` (macOS and iOS).

App: Apple Safari, macOS (`~/Library/Safari/History.db`, Safari 8+) and iOS MobileSafari
(`/private/var/mobile/Library/Safari/History.db`, or the app data container of
com.apple.mobilesafari on newer iOS; in backups `HomeDomain`/`AppDomain-com.apple.mobilesafari`
`Library/Safari/History.db`). Checked against plaso's test database `safari/History.db`
(macOS, 2017: `history_items`, `history_visits`, `history_tombstones` with a `url` column)
and a generated database with the same schema plus the newer `history_items.status_code`.

Records:
- `web_visit`: one per `history_visits` row, joined to `history_items` for the url and the
  URL's total `visit_count`; the title is the visit's own (`history_visits.title`, the page
  title at that visit). `profile` is null (Safari has one history per user account).
  Extras: `load_successful`, `redirect_source`/`redirect_destination` (ids of the
  `history_visits` rows this visit was redirected from/to) and `origin` (forensic
  write-ups report 0 = visited on this device, 1 = synced from another device via iCloud).
- `history_tombstones` (history the user deleted): each row is also a `web_visit` with
  `deleted` true and the extra `tombstone: true`, so deletion shows up on the timeline.
  `ts` = `end_time` (the end of the deleted range, at or just before the deletion);
  `deleted_from` = `start_time` (null when it is Safari's "distant past", year 1, i.e. "clear
  all history"). `url` is set when one item was deleted and null when a time range was
  cleared; `title` and `visit_count` are null. A database without the table gives none.

Timestamps: `visit_time`, `start_time`, `end_time` are Cocoa time, seconds (REAL, with
sub-second digits) since 2001-01-01 UTC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_cocoa_s, iso

_BROWSER = "safari"
_OPTIONAL_VISIT_COLS = ("load_successful", "redirect_source", "redirect_destination", "origin")


class SafariHistory(SQLiteParser):
    name = "safari_history"
    version = "1.0"
    kinds = ("web_visit",)
    path_globs = (
        "*/Library/Safari/History.db",
        "*/com.apple.mobilesafari/*History.db",
        "*/History.db",
    )
    identify: ClassVar[frozenset[str]] = frozenset({"history_items", "history_visits"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "history_items": frozenset({"id", "url", "visit_count"}),
        "history_visits": frozenset({"id", "history_item", "visit_time", "title"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        yield from _visits(conn, ctx, tables["history_visits"])
        tombstones = tables.get("history_tombstones")
        if tombstones is not None and {"id", "start_time", "end_time"} <= tombstones:
            yield from _tombstones(conn, ctx, "url" in tombstones)


def _visits(conn: sqlite3.Connection, ctx: ParseContext, have: set[str]) -> Iterator[Artifact]:
    optional = [c for c in _OPTIONAL_VISIT_COLS if c in have]
    sql = (
        "SELECT v.id, v.visit_time, v.title, i.url, i.visit_count"
        + "".join(f", v.{c}" for c in optional)
        + " FROM history_visits v LEFT JOIN history_items i ON i.id = v.history_item"
        " ORDER BY v.id"
    )
    yield from each_row(ctx, conn.execute(sql), "history_visits", "id", _visit)


def _visit(row: sqlite3.Row) -> Artifact:
    keys = row.keys()

    def get(column: str) -> Any:
        return row[column] if column in keys else None

    loaded = get("load_successful")
    extra = {
        "load_successful": bool(int(loaded)) if loaded is not None else None,
        "redirect_source": _row_id(get("redirect_source")),
        "redirect_destination": _row_id(get("redirect_destination")),
        "origin": int(get("origin")) if get("origin") is not None else None,
    }
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "profile": None,
        "url": row["url"],
        "title": row["title"],
        "visit_count": row["visit_count"],
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_visit",
        fields=fields,
        ts=from_cocoa_s(row["visit_time"]),
        ts_raw=row["visit_time"],
        source_table="history_visits",
        source_rowid=int(row["id"]),
    )


def _row_id(value: Any) -> int | None:
    return None if value is None else int(value)


def _tombstones(conn: sqlite3.Connection, ctx: ParseContext, has_url: bool) -> Iterator[Artifact]:
    url = "url" if has_url else "NULL AS url"
    sql = f"SELECT id, start_time, end_time, {url} FROM history_tombstones ORDER BY id"
    yield from each_row(ctx, conn.execute(sql), "history_tombstones", "id", _tombstone)


def _tombstone(row: sqlite3.Row) -> Artifact:
    url = row["url"]
    if url is not None and not isinstance(url, str):
        raise ValueError(f"url is not text: {type(url).__name__}")
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "profile": None,
        "url": url,
        "title": None,
        "visit_count": None,
        "tombstone": True,
        "deleted_from": iso(from_cocoa_s(row["start_time"])),
    }
    return Artifact(
        kind="web_visit",
        fields=fields,
        ts=from_cocoa_s(row["end_time"]),
        ts_raw=row["end_time"],
        deleted=True,
        source_table="history_tombstones",
        source_rowid=int(row["id"]),
    )
