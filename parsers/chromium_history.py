"""Chromium-family browser history: the profile's `History` SQLite database.

Apps: Chrome, Edge, Brave, Opera, Vivaldi, Yandex, Samsung Internet and other Chromium builds on
Windows, macOS, Linux and Android (desktop `User Data/<profile>/History`, macOS
`Library/Application Support/.../<profile>/History`, Linux `.config/<app>/<profile>/History`,
Android `/data/data/<package>/app_chrome|app_sbrowser|app_webview/.../History`). Also the
`Archived History` of older Chrome releases, which holds only `urls` and `visits`.
Checked against plaso's specimens (meta version 20 of 2011; Chrome 57/58/59 = versions 32/33/36,
and the Chrome 59 copy with an added column) and a generated database with the column set of
recent Chrome (meta version 70: `visits` with `external_referrer_url` ... `app_id`,
`downloads` with `embedder_download_data` and `by_web_app_id`, `keyword_search_terms` with
`normalized_term` instead of `lower_term`).

Records: one `web_visit` per `visits` row (`visit_count` is the URL's total from `urls`), one
`web_download` per `downloads` row, one `web_search` per `keyword_search_terms` row. `browser`
and `profile` come from the file's path (the database does not name its browser).

Timestamps: `visits.visit_time`, `urls.last_visit_time`, `downloads.start_time/end_time` =
microseconds since 1601-01-01 UTC (WebKit/base::Time), 0 = not set. Exception: before history
version 24 (the `downloads` table still has `full_path` and `url`, no `downloads_url_chains`),
download times are seconds since 1970-01-01 UTC (time_t); Chromium's migration to version 24
converts them (download_database.cc, MigrateDownloadsReasonPathsAndDangerType). A search's
time is its URL's `last_visit_time`. `visits.visit_duration` = microseconds, 0 = not recorded.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_s, from_webkit_us, iso
from triage_app.core.values import text

# Core page transition types (ui::PageTransition, low byte of visits.transition).
_TRANSITIONS = (
    "link",
    "typed",
    "auto_bookmark",
    "auto_subframe",
    "manual_subframe",
    "generated",
    "auto_toplevel",
    "form_submit",
    "reload",
    "keyword",
    "keyword_generated",
)
# history::DownloadState; 3 (BUG_140687) was an interrupted download in old profiles.
_DOWNLOAD_STATES = {
    0: "in_progress",
    1: "complete",
    2: "cancelled",
    3: "interrupted",
    4: "interrupted",
}
# Folder names in profile paths, matched as "/<needle>" on the case-folded path; the match
# nearest to the file wins, so a case folder named like a browser does not.
_BROWSERS = (
    ("google/chrome", "chrome"),
    ("google-chrome", "chrome"),
    ("com.android.chrome/", "chrome"),
    ("com.chrome.", "chrome"),  # Android beta/dev/canary
    ("microsoft/edge", "edge"),
    ("microsoft edge", "edge"),  # macOS
    ("microsoft-edge", "edge"),  # Linux
    ("com.microsoft.emmx", "edge"),  # Android
    ("bravesoftware/", "brave"),
    ("com.brave.browser", "brave"),
    ("opera software/", "opera"),  # Windows
    ("opera/", "opera"),  # Linux
    ("com.opera", "opera"),  # Android com.opera.*, macOS com.operasoftware.*
    ("vivaldi/", "vivaldi"),
    ("vivaldi-snapshot/", "vivaldi"),
    ("com.vivaldi.", "vivaldi"),
    ("yandex/yandexbrowser/", "yandex"),
    ("com.yandex.browser", "yandex"),
    ("com.sec.android.app.sbrowser", "samsung_internet"),
    ("app_sbrowser/", "samsung_internet"),
    ("app_webview/", "android_webview"),  # an app's embedded WebView (Android >= 4.4)
)
_ANDROID_PACKAGE = re.compile(r"/data/(?:data|user/\d+|user_de/\d+)/([^/]+)/", re.IGNORECASE)
_ARCHIVED = "archived history"
_ROW_ERRORS = (TypeError, ValueError, OverflowError)


@dataclass(frozen=True)
class Origin:
    """What the path says about a History file: browser, profile folder, Android package."""

    browser: str
    profile: str | None
    package: str | None

    @classmethod
    def from_path(cls, path: str) -> Origin:
        folded = path.casefold()
        browser, best = "chromium", -1
        for needle, name in _BROWSERS:
            pos = folded.rfind("/" + needle)
            if pos > best:
                browser, best = name, pos
        parts = [p for p in path.split("/") if p]
        parent = parts[-2] if len(parts) >= 2 else None
        # Android keeps the profile inside app_chrome/app_sbrowser; older WebView builds put
        # History directly in app_webview, which is a container, not a profile.
        if parent is not None and parent.casefold().startswith("app_"):
            parent = None
        match = _ANDROID_PACKAGE.search(path)
        return cls(browser, parent, match.group(1) if match else None)

    def extras(self) -> dict[str, Any]:
        return {"profile": self.profile, "package": self.package}


class ChromiumHistory(SQLiteParser):
    name = "chromium_history"
    version = "1.0"
    kinds = ("web_visit", "web_download", "web_search")
    path_globs = (
        "*/User Data/*/History",
        "*/Library/Application Support/*/History",
        "*/.config/*/History",
        "*/data/data/*/app_chrome/*/History",
        "*/data/user/*/app_chrome/*/History",
        "*/app_sbrowser/*/History",
        "*/app_webview/*/History",
        "*/app_webview/History",
        "*/Archived History",
        "*/History",
        # Examiners' and tools' exported copies, e.g. plaso's `History-59.0.3071.86`.
        "*/History-*",
    )
    identify: ClassVar[frozenset[str]] = frozenset({"urls", "visits"})
    # Downloads and searches are read when their tables are there; when they are not, a
    # warning names them (schema drift), so the visits are never lost with them.
    required: ClassVar[dict[str, frozenset[str]]] = {
        "urls": frozenset({"id", "url", "title", "visit_count", "last_visit_time"}),
        "visits": frozenset({"id", "url", "visit_time"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        origin = Origin.from_path(ctx.file.path)
        archived = ctx.file.name.casefold() == _ARCHIVED
        yield from _visits(conn, ctx, tables["visits"], origin)
        if not archived or "downloads" in tables:
            yield from _downloads(conn, ctx, tables, origin)
        if not archived or "keyword_search_terms" in tables:
            yield from _searches(conn, ctx, tables, origin)


def _visits(
    conn: sqlite3.Connection, ctx: ParseContext, columns: set[str], origin: Origin
) -> Iterator[Artifact]:
    optional = [c for c in ("transition", "from_visit", "visit_duration") if c in columns]
    sql = (
        "SELECT v.id, v.visit_time, u.url, u.title, u.visit_count"
        + "".join(f", v.{c}" for c in optional)
        + " FROM visits v LEFT JOIN urls u ON u.id = v.url ORDER BY v.id"
    )
    rows = conn.execute(sql)
    yield from each_row(ctx, rows, "visits", 0, lambda row: _visit(row, origin), _ROW_ERRORS)


def _visit(row: sqlite3.Row, origin: Origin) -> Artifact:
    keys = row.keys()
    transition = _int(row["transition"]) if "transition" in keys else None
    duration = _int(row["visit_duration"]) if "visit_duration" in keys else None
    extra = {
        "package": origin.package,
        "transition": _transition_name(transition) if transition is not None else None,
        "visit_duration_s": duration / 1e6 if duration else None,
        "from_visit": (_int(row["from_visit"]) or None) if "from_visit" in keys else None,
    }
    fields: dict[str, Any] = {
        "browser": origin.browser,
        "profile": origin.profile,
        "url": text(row["url"]),
        "title": text(row["title"]),
        "visit_count": _int(row["visit_count"]),
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_visit",
        fields=fields,
        ts=from_webkit_us(row["visit_time"]),
        ts_raw=row["visit_time"],
        source_table="visits",
        source_rowid=_int(row["id"]),
    )


def _transition_name(value: int) -> str:
    core = value & 0xFF
    return _TRANSITIONS[core] if core < len(_TRANSITIONS) else str(core)


def _downloads(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]], origin: Origin
) -> Iterator[Artifact]:
    columns = tables.get("downloads")
    if columns is None:
        ctx.warn("no table downloads: downloads not read")
        return
    chains = "downloads_url_chains" in tables
    path = "target_path" if "target_path" in columns else "full_path"
    missing = [
        f"downloads.{c}" for c in ("id", "start_time", "total_bytes", path) if c not in columns
    ]
    if not chains and "url" not in columns:
        missing.append("downloads_url_chains")
    if missing:
        ctx.warn("downloads not read, missing: " + ", ".join(missing))
        return
    optional = ["url", "received_bytes", "state", "danger_type", "end_time", "mime_type"]
    sql = (
        f"SELECT d.id, d.start_time, d.total_bytes, d.{path} AS path"
        + "".join(f", d.{c}" for c in optional if c in columns)
        + (_CHAIN_SQL if chains else "")
        + " FROM downloads d ORDER BY d.id"
    )
    # Before history version 24 (`full_path`), download times were time_t seconds.
    convert = from_unix_s if path == "full_path" else from_webkit_us
    yield from each_row(
        ctx,
        conn.execute(sql),
        "downloads",
        0,
        lambda r: _download(r, origin, convert),
        _ROW_ERRORS,
    )


_CHAIN_SQL = (
    ", (SELECT c.url FROM downloads_url_chains c WHERE c.id = d.id"
    " ORDER BY c.chain_index LIMIT 1) AS chain_first"
    ", (SELECT c.url FROM downloads_url_chains c WHERE c.id = d.id"
    " ORDER BY c.chain_index DESC LIMIT 1) AS chain_last"
)


def _download(
    row: sqlite3.Row, origin: Origin, convert: Callable[[Any], datetime | None]
) -> Artifact:
    keys = row.keys()
    first = text(row["chain_first"]) if "chain_first" in keys else None
    url = first if first is not None else text(row["url"]) if "url" in keys else None
    last = text(row["chain_last"]) if "chain_last" in keys else None
    state = _int(row["state"]) if "state" in keys else None
    extra = {
        **origin.extras(),
        # The redirect chain's last entry is the server the file actually came from.
        "final_url": last if last != url else None,
        "state": _DOWNLOAD_STATES.get(state, str(state)) if state is not None else None,
        "danger_type": _int(row["danger_type"]) if "danger_type" in keys else None,
        "received_bytes": _int(row["received_bytes"]) if "received_bytes" in keys else None,
        "end_ts": iso(convert(row["end_time"])) if "end_time" in keys else None,
        "mime_type": (text(row["mime_type"]) or None) if "mime_type" in keys else None,
    }
    fields: dict[str, Any] = {
        "browser": origin.browser,
        "url": url,
        "target_path": text(row["path"]),
        "size": _int(row["total_bytes"]),
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_download",
        fields=fields,
        ts=convert(row["start_time"]),
        ts_raw=row["start_time"],
        source_table="downloads",
        source_rowid=_int(row["id"]),
    )


def _searches(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]], origin: Origin
) -> Iterator[Artifact]:
    columns = tables.get("keyword_search_terms")
    if columns is None:
        ctx.warn("no table keyword_search_terms: searches not read")
        return
    missing = [f"keyword_search_terms.{c}" for c in ("url_id", "term") if c not in columns]
    if missing:
        ctx.warn("searches not read, missing: " + ", ".join(missing))
        return
    sql = (
        "SELECT k.rowid AS rid, k.term, u.url, u.last_visit_time"
        " FROM keyword_search_terms k LEFT JOIN urls u ON u.id = k.url_id ORDER BY k.rowid"
    )
    yield from each_row(
        ctx,
        conn.execute(sql),
        "keyword_search_terms",
        0,
        lambda r: _search(r, origin),
        _ROW_ERRORS,
    )


def _search(row: sqlite3.Row, origin: Origin) -> Artifact:
    fields: dict[str, Any] = {
        "browser": origin.browser,
        "term": text(row["term"]),
        "url": text(row["url"]),
        **{k: v for k, v in origin.extras().items() if v is not None},
    }
    return Artifact(
        kind="web_search",
        fields=fields,
        ts=from_webkit_us(row["last_visit_time"]),
        ts_raw=row["last_visit_time"],
        source_table="keyword_search_terms",
        source_rowid=_int(row["rid"]),
    )


def _int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value)
    raise ValueError(f"not an integer: {value!r:.40}")
