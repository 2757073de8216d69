"""Firefox cookies from the profile's `cookies.sqlite` (table `moz_cookies`).

App: Mozilla Firefox desktop (Windows/macOS/Linux profiles) and Gecko-based Firefox for
Android (profile under `files/mozilla/<profile>/`). Checked against plaso's test file
`firefox/firefox_10_cookies.sqlite` (despite its name a 2023 profile: `PRAGMA user_version`
12, `originAttributes`, `inBrowserElement`, `sameSite`, `rawSameSite`, `schemeMap`, no
`baseDomain`), and against generated databases with the schema of current Firefox
(`CookiePersistentStorage.cpp`, schema 17: `rawSameSite` dropped in 15, `expiry` in
milliseconds from 16, `isPartitionedAttributeSet` and `updateTime`), of Firefox 4-10
(schema 4: `baseDomain`, no `originAttributes`) and of Firefox 3.x (schema 2: no
`creationTime`).

Records: one `web_cookie` per `moz_cookies` row. Firefox writes only persistent cookies to
disk (session cookies live in memory), and never those of private windows. `profile` is the
profile folder the database sits in (null for a loose file); `origin_attributes` keeps the
container (`userContextId`), first-party/partition key (`partitionKey`) of the cookie jar.

Timestamps: `creationTime`, `lastAccessed` (and `updateTime`) are PRTime, microseconds since
1970-01-01 UTC. `expiry` is seconds since 1970-01-01 UTC up to cookie schema 15 and
milliseconds since 1970-01-01 UTC from schema 16 (Firefox 142, bug 1972757: the migration
multiplies every stored expiry by 1000). The unit is chosen by the schema version the file
declares (`PRAGMA user_version`), never by the magnitude of the value. 0 means "not set".
`sameSite` follows nsICookie: 0 none, 1 lax, 2 strict (any other number is kept as text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from parsers.firefox_history import profile_of
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ms, from_unix_s, from_unix_us, iso
from triage_app.core.values import strict_int, text

_BROWSER = "firefox"
# CookiePersistentStorage.cpp: the upgrade from schema 15 to 16 runs
# `UPDATE moz_cookies SET expiry = expiry * 1000`.
_EXPIRY_MS_FROM_SCHEMA = 16
_SAME_SITE = {0: "none", 1: "lax", 2: "strict"}
_OPTIONAL = ("creationTime", "isHttpOnly", "originAttributes", "sameSite")
_ROW_ERRORS = (TypeError, ValueError, OverflowError)


class FirefoxCookies(SQLiteParser):
    name = "firefox_cookies"
    version = "1.0"
    kinds = ("web_cookie",)
    # Also examiners' exported copies such as plaso's `firefox_10_cookies.sqlite`; an
    # unrelated database of that name has no moz_cookies table and is skipped.
    path_globs = ("*/cookies.sqlite", "*cookies.sqlite")
    identify: ClassVar[frozenset[str]] = frozenset({"moz_cookies"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "moz_cookies": frozenset(
            {"id", "name", "value", "host", "path", "expiry", "lastAccessed", "isSecure"}
        ),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        optional = present(table_columns(conn), "moz_cookies", _OPTIONAL)
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        in_ms = schema >= _EXPIRY_MS_FROM_SCHEMA
        profile = profile_of(ctx.file.path)
        sql = (
            "SELECT id, name, value, host, path, expiry, lastAccessed, isSecure"
            + "".join(f", {c}" for c in optional)
            + " FROM moz_cookies ORDER BY id"
        )
        yield from each_row(
            ctx,
            conn.execute(sql),
            "moz_cookies",
            "id",
            lambda row: _cookie(row, profile, in_ms),
            _ROW_ERRORS,
        )


def _cookie(row: sqlite3.Row, profile: str | None, expiry_in_ms: bool) -> Artifact:
    keys = row.keys()

    def get(column: str) -> Any:
        return row[column] if column in keys else None

    expiry = strict_int(row["expiry"])
    expires = from_unix_ms(expiry) if expiry_in_ms else from_unix_s(expiry)
    last_access = strict_int(row["lastAccessed"])
    ts, ts_raw = _creation(strict_int(get("creationTime")), last_access)
    same_site = strict_int(get("sameSite"))
    extra = {
        "last_access": iso(from_unix_us(last_access)),
        "same_site": _SAME_SITE.get(same_site, str(same_site)) if same_site is not None else None,
        "origin_attributes": text(get("originAttributes")) or None,
    }
    fields: dict[str, Any] = {
        "browser": _BROWSER,
        "host": text(row["host"]),
        "name": text(row["name"]),
        "value": text(row["value"]),
        "cookie_path": text(row["path"]),
        "expires": iso(expires),
        "secure": _flag(row["isSecure"]),
        "http_only": _flag(get("isHttpOnly")),
        "profile": profile,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(
        kind="web_cookie",
        fields=fields,
        ts=ts,
        ts_raw=ts_raw,
        source_table="moz_cookies",
        source_rowid=strict_int(row["id"]),
    )


def _creation(created: int | None, last_access: int | None) -> tuple[datetime | None, Any]:
    """The record time: creation; last access only when no creation time is stored (Firefox
    3.x has no creationTime column; a NULL or 0 means not set). A corrupt creation time stays
    a null `ts` with its stored value, it is not replaced."""
    if created:
        return from_unix_us(created), created
    return from_unix_us(last_access), last_access


def _flag(value: Any) -> bool | None:
    number = strict_int(value)
    return None if number is None else number != 0
