"""Chromium-family cookie stores: the profile's `Cookies` SQLite database.

Apps: Chrome, Edge, Brave, Opera, Vivaldi, Samsung Internet and other Chromium builds on
Windows, macOS, Linux and Android (`<profile>/Cookies`, in newer releases `<profile>/Network/
Cookies`; Android `/data/data/<package>/app_chrome/Default/Cookies`, the 4.4+ WebView's
`app_webview/Cookies`), `Extension Cookies` (same schema), and the classic Android WebView's
Chromium-stack stores of Android 3-4.3 (`databases/webviewCookiesChromium.db`, and
`webviewCookiesChromiumPrivate.db` for the stock browser's incognito tabs).
Checked against plaso's `chrome/cookies.db` (meta version 5, 2011: `secure`/`httponly`, no
`encrypted_value`; 560 cookies) and `chrome/Cookies-68.0.3440.106` (version 10: `is_secure`,
`is_httponly`, `encrypted_value` with Linux `v11` values; 5 cookies), and a generated database
with the current schema (version 24: `top_frame_site_key`, `samesite`, `source_scheme`,
`source_port`, `last_update_utc`, `source_type`, `has_cross_site_ancestor`) and generated
databases of versions 10 and 3, from net/extras/sqlite/sqlite_persistent_cookie_store.cc.
Columns are selected by name, so added ones are tolerated.

Records: one `web_cookie` per `cookies` row (the cookie's Path attribute is `cookie_path`);
`browser`/`profile`/`package` come from the path (a `Network` folder is not a profile). When
`value` is empty and `encrypted_value` is not, the browser stored the value encrypted (Windows
DPAPI or the os_crypt AES key in `Local State`, macOS Keychain, Linux libsecret/kwallet or a
fixed key; the `v10`/`v11`/`v20` prefix names the scheme): `value` is null and `encrypted` is
true. Qarina does not decrypt cookie values (that needs the user's keys, which a triage of
the profile does not have).

Timestamps: `creation_utc` (the record's `ts`), `last_access_utc` (`last_access`),
`last_update_utc` (`last_update`, version 18+) and `expires_utc` (`expires`) are microseconds
since 1601-01-01 UTC (WebKit/base::Time); 0 = not set (a session cookie has no expiry).
Before version 4 (2009) Chrome on macOS and Linux stored microseconds since 1970-01-01; for
such a database a value too small to be a 1601-based time is read as 1970-based.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar

from parsers.chromium_history import Origin
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_us, from_webkit_us, iso
from triage_app.core.values import COOKIE_KEYS, compact, strict_int, text

# Column names before / since cookie store version 10 ("is_" prefix for booleans).
_OPTIONAL = (
    "secure",
    "is_secure",
    "httponly",
    "is_httponly",
    "last_access_utc",
    "last_update_utc",
    "encrypted_value",
    "top_frame_site_key",
)
# 1601-based µs are above this from 1917 on; 1970-based µs stay below it until 2286.
_UNIX_US_BELOW = 10**16
_ROW_ERRORS = (TypeError, ValueError, OverflowError)
Convert = Callable[[Any], datetime | None]


class ChromiumCookies(SQLiteParser):
    name = "chromium_cookies"
    version = "1.0"
    kinds = ("web_cookie",)
    # Never `cookies.sqlite` (Firefox): each glob ends with the exact Chromium file name.
    path_globs = (
        "*/Cookies",
        "*/Extension Cookies",
        "*/webviewCookiesChromium.db",
        "*/webviewCookiesChromiumPrivate.db",
        # Examiners' and tools' exported copies, e.g. plaso's `Cookies-68.0.3440.106` and
        # the old `cookies.db`.
        "*/Cookies-*",
        "*/cookies.db",
    )
    # Every version of the store keeps its schema version in `meta`.
    identify: ClassVar[frozenset[str]] = frozenset({"cookies", "meta"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "cookies": frozenset({"creation_utc", "host_key", "name", "value", "path", "expires_utc"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        optional = present(table_columns(conn), "cookies", _OPTIONAL)
        sql = (
            "SELECT rowid AS rid, creation_utc, host_key, name, value, path, expires_utc"
            + "".join(f", {c}" for c in optional)
            + " FROM cookies ORDER BY rowid"
        )
        origin = _origin(ctx.file.path)
        private = ctx.file.name.casefold() == "webviewcookieschromiumprivate.db"
        extra = {"incognito": True} if private else {}
        convert = _converter(conn)
        rows = conn.execute(sql)
        yield from each_row(
            ctx, rows, "cookies", "rid", lambda r: _cookie(r, origin, convert, extra), _ROW_ERRORS
        )


def _origin(path: str) -> Origin:
    parts = path.split("/")
    if len(parts) >= 3 and parts[-2].casefold() == "network":
        # Newer releases keep the store in <profile>/Network/; the profile is the folder above.
        path = "/".join(parts[:-2] + parts[-1:])
    origin = Origin.from_path(path)
    if parts[-1].casefold().startswith("webviewcookieschromium"):
        return Origin("android_webview", None, origin.package)
    return origin


def _converter(conn: sqlite3.Connection) -> Convert:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        version = int(row[0]) if row is not None else None
    except (sqlite3.Error, TypeError, ValueError):
        version = None
    if version is not None and version < 4:
        return _old_time
    return from_webkit_us


def _old_time(value: Any) -> datetime | None:
    number = strict_int(value)
    if number is not None and 0 < number < _UNIX_US_BELOW:
        return from_unix_us(number)
    return from_webkit_us(number)


def _flag(row: sqlite3.Row, *names: str) -> bool | None:
    keys = row.keys()
    for name in names:
        if name in keys:
            value = strict_int(row[name])
            return bool(value) if value is not None else None
    return None


def _cookie(row: sqlite3.Row, origin: Origin, convert: Convert, extra: dict[str, Any]) -> Artifact:
    keys = row.keys()
    value = text(row["value"])
    blob = row["encrypted_value"] if "encrypted_value" in keys else None
    encrypted = not value and isinstance(blob, bytes) and len(blob) > 0
    created = strict_int(row["creation_utc"])
    accessed = strict_int(row["last_access_utc"]) if "last_access_utc" in keys else None
    updated = strict_int(row["last_update_utc"]) if "last_update_utc" in keys else None
    partition = text(row["top_frame_site_key"]) if "top_frame_site_key" in keys else None
    fields = {
        "browser": origin.browser,
        "host": text(row["host_key"]),
        "name": text(row["name"]),
        "value": None if encrypted else value,
        "cookie_path": text(row["path"]),
        "expires": iso(convert(strict_int(row["expires_utc"]))),
        "secure": _flag(row, "is_secure", "secure"),
        "http_only": _flag(row, "is_httponly", "httponly"),
        "encrypted": encrypted,
        **origin.extras(),
        "last_access": iso(convert(accessed)),
        "last_update": iso(convert(updated)),
        # A partitioned (CHIPS) cookie: the top-level site it was set under.
        "top_frame_site_key": partition or None,
        **extra,
    }
    return Artifact(
        kind="web_cookie",
        fields=compact(fields, COOKIE_KEYS),
        ts=convert(created),
        ts_raw=row["creation_utc"],
        source_table="cookies",
        source_rowid=strict_int(row["rid"]),
    )
