"""Firefox history and downloads from `places.sqlite` and the older `downloads.sqlite`.

App: Mozilla Firefox desktop (Windows/macOS/Linux profiles), Firefox for Android "Fennec"
(Gecko profile under `files/mozilla/<profile>/`) and the current Android Firefox "Fenix",
whose `places.sqlite` is written by Mozilla application-services. Checked against plaso's
test files `firefox/places.sqlite` (Firefox <= 23 schema: `moz_places` with `frecency`, no
`url_hash`, no `moz_origins`) and `firefox/downloads.sqlite` (Firefox 3.5-25 `moz_downloads`),
and against generated databases with the schema of Firefox 115+ `nsPlacesTables.h`
(`url_hash`, `origin_id`, `moz_origins`, `source`, `triggeringPlaceId`) and of
application-services `create_shared_schema.sql` (`visit_count_local`/`_remote`, `is_local`).

Records:
- `web_visit`: one per `moz_historyvisits` row, joined to `moz_places` for url, title and
  the URL's total `visit_count` (Fenix: local + remote visits). `profile` is the profile
  folder the database sits in (e.g. `abcd1234.default-release`), null for a loose file.
- `web_download` (Firefox >= 26): downloads are page annotations in `moz_annos` — the
  `downloads/destinationFileURI` anno holds the target as a `file://` URI (decoded to a
  native path; Windows drives keep backslashes), `downloads/metaData` a JSON object with
  `state`, `endTime` and `fileSize`; the annotated place's url is the source.
- `web_download` (Firefox <= 25): one per `moz_downloads` row of `downloads.sqlite`.

Timestamps: `visit_date`, annotation `dateAdded`, `moz_downloads.startTime`/`endTime` are
PRTime, microseconds since 1970-01-01 UTC; the metaData `endTime` is a JavaScript time,
milliseconds since 1970. Fenix (application-services) stores `visit_date` in milliseconds
since 1970. 0 means "not set". Download state numbers follow nsIDownloadManager (the
metaData states reuse them): 1 finished, 2 failed, 3 canceled, 4 paused, 6 blocked by
parental controls, 8 blocked by the reputation check (malware verdict).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from triage_app.core.models import Artifact
from triage_app.core.parsing import NotApplicable, ParseContext, SQLiteParser, each_row, require
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms, from_unix_us, iso

_BROWSER = "firefox"
_DEST_ANNO = "downloads/destinationFileURI"
_META_ANNO = "downloads/metaData"
# nsINavHistoryService TRANSITION_* values.
_VISIT_TYPES = {
    1: "link",
    2: "typed",
    3: "bookmark",
    4: "embed",
    5: "redirect_permanent",
    6: "redirect_temporary",
    7: "download",
    8: "framed_link",
    9: "reload",
}
# nsIDownloadManager DOWNLOAD_* values, also used by the downloads/metaData annotation.
_DOWNLOAD_STATES = {
    -1: "not_started",
    0: "downloading",
    1: "finished",
    2: "failed",
    3: "canceled",
    4: "paused",
    5: "queued",
    6: "blocked_parental",
    7: "scanning",
    8: "blocked_dirty",
    9: "blocked_policy",
}
_PLACES = frozenset({"id", "url", "title"})
_VISITS = frozenset({"id", "place_id", "visit_date"})
_ANNOS = {
    "moz_annos": frozenset({"id", "place_id", "anno_attribute_id", "content", "dateadded"}),
    "moz_anno_attributes": frozenset({"id", "name"}),
}
_DOWNLOADS = frozenset({"id", "source", "target", "starttime"})
_OPTIONAL_DOWNLOAD_COLS = ("endTime", "state", "currBytes", "maxBytes", "mimeType", "referrer")
_WINDOWS_DRIVE = re.compile(r"^/[A-Za-z][:|]")


class FirefoxHistory(SQLiteParser):
    name = "firefox_history"
    version = "1.0"
    kinds = ("web_visit", "web_download")
    path_globs = (
        "*/Firefox/Profiles/*/places.sqlite",
        "*/.mozilla/firefox/*/places.sqlite",
        "*/org.mozilla.*/files/mozilla/*/places.sqlite",
        "*/org.mozilla.*/files/places.sqlite",
        "*/places.sqlite",
        "*/downloads.sqlite",
    )
    # Either a places database or an old downloads database: identified in check_schema.
    identify: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[dict[str, frozenset[str]]] = {}

    def check_schema(self, conn: sqlite3.Connection) -> dict[str, set[str]]:
        tables = table_columns(conn)
        require(tables, _required_for(tables))
        return tables

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        profile = profile_of(ctx.file.path)
        if "moz_places" in tables:
            yield from _visits(conn, ctx, tables, profile)
            if "moz_annos" in tables and "moz_anno_attributes" in tables:
                yield from _annotation_downloads(conn, ctx, profile)
        if "moz_downloads" in tables:
            yield from _old_downloads(conn, ctx, tables["moz_downloads"], profile)


def _required_for(tables: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Tables/columns (lower-case) the queries for this kind of database use."""
    if "moz_places" not in tables and "moz_downloads" not in tables:
        raise NotApplicable("not a firefox_history database (no table moz_places or moz_downloads)")
    required: dict[str, frozenset[str]] = {}
    if "moz_places" in tables:
        counts = {"visit_count"}
        if _is_app_services(tables):
            counts = {"visit_count_local", "visit_count_remote"}
        required["moz_places"] = _PLACES | counts
        required["moz_historyvisits"] = _VISITS
        if "moz_annos" in tables or "moz_anno_attributes" in tables:
            required.update(_ANNOS)
    if "moz_downloads" in tables:
        required["moz_downloads"] = _DOWNLOADS
    return required


def _is_app_services(tables: dict[str, set[str]]) -> bool:
    # Fenix's places.sqlite splits visit counts by origin and stores times in milliseconds.
    return "visit_count_local" in tables.get("moz_places", set())


def profile_of(path: str) -> str | None:
    parts = path.rstrip("/").split("/")
    if len(parts) < 3:
        return None  # a loose file given directly as evidence
    parent = parts[-2]
    # Fenix keeps places.sqlite directly in the app's files folder: no profile folder.
    return None if parent.lower() == "files" else parent


def _visits(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]], profile: str | None
) -> Iterator[Artifact]:
    app_services = _is_app_services(tables)
    have = tables["moz_historyvisits"]
    count = "p.visit_count_local + p.visit_count_remote" if app_services else "p.visit_count"
    optional = [c for c in ("visit_type", "from_visit", "is_local") if c in have]
    sql = (
        f"SELECT v.id, v.visit_date, p.url, p.title, {count} AS visit_count"
        + "".join(f", v.{c}" for c in optional)
        + " FROM moz_historyvisits v LEFT JOIN moz_places p ON p.id = v.place_id ORDER BY v.id"
    )
    yield from each_row(
        ctx,
        conn.execute(sql),
        "moz_historyvisits",
        "id",
        lambda row: _visit(row, profile, app_services),
    )


def _visit(row: sqlite3.Row, profile: str | None, app_services: bool) -> Artifact:
    keys = row.keys()
    visit_type = row["visit_type"] if "visit_type" in keys else None
    from_visit = row["from_visit"] if "from_visit" in keys else None
    extra = {
        "visit_type": _name(_VISIT_TYPES, visit_type),
        "from_visit": int(from_visit) if from_visit else None,  # 0 = no referring visit
        "is_local": bool(row["is_local"]) if "is_local" in keys else None,
    }
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "profile": profile,
        "url": row["url"],
        "title": row["title"],
        "visit_count": row["visit_count"],
        **{k: v for k, v in extra.items() if v is not None},
    }
    convert = from_unix_ms if app_services else from_unix_us
    return Artifact(
        kind="web_visit",
        fields=fields,
        ts=convert(row["visit_date"]),
        ts_raw=row["visit_date"],
        source_table="moz_historyvisits",
        source_rowid=int(row["id"]),
    )


def _name(names: dict[int, str], value: Any) -> str | None:
    if value is None:
        return None
    number = int(value)
    return names.get(number, str(number))


_ANNO_SQL = """
SELECT a.id, a.content AS target, a.dateAdded AS added, p.url,
  (SELECT m.content FROM moz_annos m JOIN moz_anno_attributes n2 ON n2.id = m.anno_attribute_id
   WHERE m.place_id = a.place_id AND n2.name = ? ORDER BY m.id DESC LIMIT 1) AS meta
FROM moz_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id
LEFT JOIN moz_places p ON p.id = a.place_id
WHERE n.name = ? ORDER BY a.id
"""


def _annotation_downloads(
    conn: sqlite3.Connection, ctx: ParseContext, profile: str | None
) -> Iterator[Artifact]:
    for row in conn.execute(_ANNO_SQL, (_META_ANNO, _DEST_ANNO)):
        ctx.cancel.check()
        try:
            meta = _metadata(row["meta"])
        except (TypeError, ValueError) as exc:
            ctx.warn(f"moz_annos row {row['id']!r}: unreadable downloads/metaData: {exc}")
            meta = {}
        try:
            yield _annotation_download(row, meta, profile)
        except (TypeError, ValueError) as exc:
            ctx.warn(f"moz_annos row {row['id']!r} skipped: {exc}")


def _metadata(text: Any) -> dict[str, Any]:
    if text is None:
        return {}  # the download never finished, or predates the metaData annotation
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"not a JSON object: {str(text)[:40]!r}")
    return value


def _annotation_download(row: sqlite3.Row, meta: dict[str, Any], profile: str | None) -> Artifact:
    size = meta.get("fileSize")
    extra = {
        "state": _name(_DOWNLOAD_STATES, meta.get("state")),
        "end_ts": iso(from_unix_ms(meta.get("endTime"))),
        "profile": profile,
    }
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "url": row["url"],
        "target_path": file_uri_to_path(row["target"]),
        "size": size if isinstance(size, int) and not isinstance(size, bool) else None,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_download",
        fields=fields,
        ts=from_unix_us(row["added"]),
        ts_raw=row["added"],
        source_table="moz_annos",
        source_rowid=int(row["id"]),
    )


def _old_downloads(
    conn: sqlite3.Connection, ctx: ParseContext, have: set[str], profile: str | None
) -> Iterator[Artifact]:
    optional = [c for c in _OPTIONAL_DOWNLOAD_COLS if c.lower() in have]
    sql = (
        "SELECT id, source, target, startTime"
        + "".join(f", {c}" for c in optional)
        + " FROM moz_downloads ORDER BY id"
    )
    rows = conn.execute(sql)
    yield from each_row(ctx, rows, "moz_downloads", "id", lambda row: _old_download(row, profile))


def _old_download(row: sqlite3.Row, profile: str | None) -> Artifact:
    keys = row.keys()

    def get(column: str) -> Any:
        return row[column] if column in keys else None

    total, received = get("maxBytes"), get("currBytes")
    # maxBytes is -1 when the server sent no length; currBytes is what reached the disk.
    size = total if isinstance(total, int) and total > 0 else received
    extra = {
        "state": _name(_DOWNLOAD_STATES, get("state")),
        "end_ts": iso(from_unix_us(get("endTime"))),
        "received_bytes": received,
        "mime_type": get("mimeType") or None,
        "referrer": get("referrer") or None,
        "profile": profile,
    }
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "url": row["source"],
        "target_path": file_uri_to_path(row["target"]),
        "size": size if isinstance(size, int) and size > 0 else None,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_download",
        fields=fields,
        ts=from_unix_us(row["startTime"]),
        ts_raw=row["startTime"],
        source_table="moz_downloads",
        source_rowid=int(row["id"]),
    )


def file_uri_to_path(value: Any) -> str | None:
    """`file:///D:/a%20b.zip` → `D:\\a b.zip`; `file:///home/u/x` → `/home/u/x`.

    The same on every platform (never `url2pathname`). A value that is not a file URI
    (some old profiles stored plain paths) is returned unchanged.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"download target is not text: {type(value).__name__}")
    if not value.lower().startswith("file:"):
        return value
    parts = urlsplit(value)
    path = unquote(parts.path)
    host = parts.netloc
    if host and host.lower() != "localhost":
        return "\\\\" + host + path.replace("/", "\\")  # UNC share
    if _WINDOWS_DRIVE.match(path):
        return path[1] + ":" + path[3:].replace("/", "\\")
    return path
