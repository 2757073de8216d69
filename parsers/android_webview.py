"""Legacy Android WebView / stock browser databases: `webview.db` and `webviewCache.db`.

App: `android.webkit`, the WebView of Android 1.x-4.3 (before it became Chromium-based in 4.4),
used by the AOSP Browser (com.android.browser) and by every app that embeds a WebView. Each app
keeps its own copies in `/data/data/<package>/databases/` (`/data/user/N/<package>/...` for
secondary users); the package is taken from that path. Checked against plaso's
`android/webview.db` (user_version 10; skype.com pages in an app's WebView, March 2013:
8 cookies, 2 form values)
and `android/webviewCache.db` (user_version 3: 10 entries), and the tables as created by AOSP
`WebViewDatabase`/`CacheManager` (frameworks/base core/java/android/webkit): `cookies(_id, name,
value, domain, path, expires, secure)`, `formurl(_id, url)`, `formdata(_id, urlid, name,
value)`, `cache(_id, url, filepath, lastmodify, etag, expires, expiresstring, mimetype,
encoding, httpstatus, location, contentlength, contentdisposition)`. Chromium-format cookie
stores of the same era (`webviewCookiesChromium.db`) and of 4.4+ (`app_webview/Cookies`) are
read by `chromium_cookies`.

Records: one `web_cookie` per `cookies` row (its Path attribute as `cookie_path`), one
`web_form` per `formdata` row (the page from `formurl`; the classic WebView keeps no use
count), one `web_cache` per `cache` row (`local_path` is the cache file's name as stored,
inside `<app data>/cache/webviewCache/`; null for cached redirects, which keep no file). Not
read: the `password` and `httpauth` tables (saved site and HTTP-auth passwords in plain text),
for which no record kind exists.

Timestamps:
- `cookies.expires`: milliseconds since 1970-01-01 UTC (Java time); NULL for a session cookie.
  The classic cookie store keeps no creation or access time, so a cookie's `ts` is null.
- `formdata`/`formurl`: no time stored; `ts` is null.
- `cache.lastmodify`: the server's Last-Modified header as received (RFC 1123 text such as
  `Thu, 28 Mar 2013 09:48:18 GMT`), NULL when the server sent none; it is the cache entry's
  `ts` (`ts_raw` keeps the text).
- `cache.expires`: milliseconds since 1970-01-01 UTC, computed by CacheManager from the Expires
  header, or from the device clock at fetch time plus Cache-Control max-age, or 20% of the age
  since Last-Modified; 0 = no-cache, Long.MAX_VALUE for a permanent redirect (both give null).
  It is an expiry, never the fetch time, so it is kept as `expires` only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from parsers.chromium_history import Origin
from triage_app.core.models import Artifact
from triage_app.core.parsing import NotApplicable, ParseContext, SQLiteParser, each_row, require
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms, from_unix_s, iso
from triage_app.core.values import CACHE_KEYS, COOKIE_KEYS, FORM_KEYS, compact, strict_int, text

BROWSER = "android_webview"
# Only the columns the queries use; WebViewDatabase of Android 2.x-4.3 creates all of them
# (the corpus copies have them too), so a missing one is schema drift, not an old version.
COOKIES = frozenset({"_id", "name", "value", "domain", "path", "expires", "secure"})
FORMDATA = frozenset({"_id", "urlid", "name", "value"})
CACHE = frozenset(
    {"_id", "url", "filepath", "lastmodify", "expires", "mimetype", "httpstatus", "contentlength"}
)
_ROW_ERRORS = (TypeError, ValueError, OverflowError)


class AndroidWebview(SQLiteParser):
    name = "android_webview"
    version = "1.0"
    kinds = ("web_cookie", "web_form", "web_cache")
    path_globs = ("*/webview.db", "*/webviewCache.db")

    def check_schema(self, conn: sqlite3.Connection) -> dict[str, set[str]]:
        # Two databases with different tables: webview.db (cookies, form data) and
        # webviewCache.db (cache); whichever tables are there decide what is required.
        tables = table_columns(conn)
        present = [t for t in ("cookies", "formdata", "cache") if t in tables]
        if not present:
            raise NotApplicable(f"not a {self.name} database (no table cookies, formdata or cache)")
        columns = {"cookies": COOKIES, "formdata": FORMDATA, "cache": CACHE}
        require(tables, {t: columns[t] for t in present})
        return tables

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        package = Origin.from_path(ctx.file.path).package
        if "cookies" in tables:
            rows = conn.execute(
                "SELECT _id, name, value, domain, path, expires, secure FROM cookies ORDER BY _id"
            )
            yield from each_row(ctx, rows, "cookies", 0, lambda r: _cookie(r, package), _ROW_ERRORS)
        if "formdata" in tables:
            yield from _forms(conn, ctx, tables, package)
        if "cache" in tables:
            rows = conn.execute(
                "SELECT _id, url, filepath, lastmodify, expires, mimetype, httpstatus,"
                " contentlength FROM cache ORDER BY _id"
            )
            yield from each_row(ctx, rows, "cache", 0, lambda r: _cache(r, package), _ROW_ERRORS)


def _cookie(row: sqlite3.Row, package: str | None) -> Artifact:
    secure = strict_int(row["secure"])
    fields = {
        "browser": BROWSER,
        "host": text(row["domain"]),
        "name": text(row["name"]),
        "value": text(row["value"]),
        "cookie_path": text(row["path"]),
        "expires": iso(from_unix_ms(strict_int(row["expires"]))),
        "secure": bool(secure) if secure is not None else None,
        "http_only": None,  # not stored by the classic cookie store
        "package": package,
    }
    return Artifact(
        kind="web_cookie",
        fields=compact(fields, COOKIE_KEYS),
        source_table="cookies",
        source_rowid=strict_int(row["_id"]),
    )


def _forms(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]], package: str | None
) -> Iterator[Artifact]:
    with_urls = {"_id", "url"} <= tables.get("formurl", set())
    if not with_urls:
        ctx.warn("table formurl absent or without _id/url: form values read without their page")
    url = "(SELECT u.url FROM formurl u WHERE u._id = d.urlid)" if with_urls else "NULL"
    rows = conn.execute(
        f"SELECT d._id, d.urlid, d.name, d.value, {url} AS url FROM formdata d ORDER BY d._id"
    )
    yield from each_row(ctx, rows, "formdata", 0, lambda r: _form(r, package), _ROW_ERRORS)


def _form(row: sqlite3.Row, package: str | None) -> Artifact:
    url_id = strict_int(row["urlid"])
    fields = {
        "browser": BROWSER,
        "field": text(row["name"]),
        "value": text(row["value"]),
        "url": text(row["url"]) if url_id is not None else None,
        "count": None,
        "package": package,
    }
    return Artifact(
        kind="web_form",
        fields=compact(fields, FORM_KEYS),
        source_table="formdata",
        source_rowid=strict_int(row["_id"]),
    )


def _cache(row: sqlite3.Row, package: str | None) -> Artifact:
    modified = row["lastmodify"]
    fields = {
        "browser": BROWSER,
        "url": text(row["url"]),
        "mime": text(row["mimetype"]) or None,
        "size": strict_int(row["contentlength"]),
        "local_path": text(row["filepath"]) or None,
        "expires": iso(from_unix_ms(strict_int(row["expires"]))),
        "http_status": strict_int(row["httpstatus"]),
        "package": package,
    }
    return Artifact(
        kind="web_cache",
        fields=compact(fields, CACHE_KEYS),
        ts=http_date(modified),
        ts_raw=modified,
        source_table="cache",
        source_rowid=strict_int(row["_id"]),
    )


def http_date(value: Any) -> datetime | None:
    """An HTTP date header (RFC 1123/850/asctime) as UTC, None when empty or not a date: the
    header is whatever the server sent, so a bad one is no error in the database."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC by RFC 5322
        parsed = parsed.replace(tzinfo=UTC)
    return from_unix_s(int(parsed.timestamp()))
