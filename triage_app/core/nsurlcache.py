"""Apple's NSURLCache on disk (CFNetwork): `Cache.db` and its `fsCachedData/` folder.

Every iOS and macOS app that loads URLs through NSURLSession/NSURLConnection keeps this cache
in `Library/Caches/<bundle id>/` (MobileSafari: `…/com.apple.mobilesafari/`). Tables, as
CFNetwork creates them (identical in the iOS 14.7, 15.3 and 17.3 databases of iLEAPP's test
cases safariCache and discord_cache, and in the Burner cache of burnerCache):
- `cfurl_cache_response(entry_ID, version, hash_value, storage_policy, request_key,
  time_stamp, partition)`: one row per cached URL (`request_key`).
- `cfurl_cache_blob_data(entry_ID, response_object, request_object, proto_props, user_info)`:
  the archived CFURLResponse and CFURLRequest, binary plists `{"Version": n, "Array": [...]}`.
  The response array holds the URL (`{"_CFURLString": …}`), the time the response was
  received, the HTTP status, the header dictionary, the expected body length and the MIME
  type; the request array holds the method. Positions move between iOS versions, so values
  are picked by shape, not by index. CFNetwork writes `__CFURLResponseNullTokenString__` /
  `__CFURLRequestNullTokenString__` where it recorded nothing.
- `cfurl_cache_receiver_data(entry_ID, isDataOnFS, receiver_data)`: the response body, inline,
  or (`isDataOnFS` = 1) the name of the file `fsCachedData/<UUID>` next to Cache.db that holds
  it. A parser is handed one file at a time, so a body on the file system is read when the
  engine hands over that file, which does not name its URL.
The rows often live only in `Cache.db-wal` (all six of the iOS 17 Safari case): the engine's
copy with the `-wal` sibling keeps them.

Timestamps:
- `time_stamp`: text `YYYY-MM-DD HH:MM:SS`, UTC (SQLite's CURRENT_TIMESTAMP), written when the
  entry is created and not changed when the same URL is fetched again (Safari iOS 17 entry 1:
  created 2024-01-11 23:13:37, its cached response received 2024-07-28 17:41:15).
- the response's own time: Cocoa seconds (REAL) since 2001-01-01 UTC, when the cached
  response was received (the server's `Date` header agrees); kept as `response_time`.
"""

from __future__ import annotations

import json
import plistlib
import re
import sqlite3
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from .models import Artifact
from .parsing import SQLITE_MAGIC, FileInfo, NotApplicable, ParseContext, side_table
from .sqlite_reader import table_columns
from .timeconv import from_cocoa_s, from_unix_s, iso
from .values import CACHE_KEYS, compact, text

# Bound on a cached API answer that is parsed as JSON (message pages are tens of KB).
MAX_JSON_BYTES = 16 << 20
# Archived responses/requests are a few KB; a larger blob is not decoded.
MAX_PLIST_BYTES = 1 << 20
# Request URLs are matched on their first characters only (bounds the regex work).
MAX_URL = 2048
IDENTIFY = frozenset({"cfurl_cache_response", "cfurl_cache_receiver_data"})
# What the inline-body query uses (`inline_bodies`).
REQUIRED: dict[str, frozenset[str]] = {
    "cfurl_cache_response": frozenset({"entry_ID", "request_key"}),
    "cfurl_cache_receiver_data": frozenset({"entry_ID", "isDataOnFS", "receiver_data"}),
}
# What `cache_records` uses on top (the blob table is optional: without it, no MIME/status).
WEB_CACHE_REQUIRED: dict[str, frozenset[str]] = {
    **REQUIRED,
    "cfurl_cache_response": REQUIRED["cfurl_cache_response"] | {"time_stamp"},
}
BLOB_COLUMNS = ("entry_ID", "response_object", "request_object")
_INLINE_SQL = (
    "SELECT r.entry_ID AS entry, r.request_key AS url, d.isDataOnFS AS on_fs,"
    " d.receiver_data AS data FROM cfurl_cache_response r"
    " JOIN cfurl_cache_receiver_data d ON d.entry_ID = r.entry_ID ORDER BY r.entry_ID"
)
_NULL_TOKENS = frozenset({"__CFURLResponseNullTokenString__", "__CFURLRequestNullTokenString__"})
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_T = TypeVar("_T")
_PLIST_ERRORS = (
    plistlib.InvalidFileException, ValueError, TypeError, KeyError, IndexError,
    OverflowError, struct.error, RecursionError, AttributeError,
)  # fmt: skip


def load_json(data: bytes) -> Any:
    """Parsed JSON, or None for anything that is not (bounded; never raises)."""
    if len(data) > MAX_JSON_BYTES:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def inline_bodies(
    conn: sqlite3.Connection, ctx: ParseContext, urls: tuple[re.Pattern[str], ...]
) -> Iterator[sqlite3.Row]:
    """Rows (`entry`, `url`, `on_fs`, `data`) whose body is inline and whose URL matches."""
    for row in conn.execute(_INLINE_SQL):
        ctx.cancel.check()
        # A body stored in fsCachedData/<UUID> is parsed when the engine hands over that file.
        if row["on_fs"] or not isinstance(row["data"], bytes | str):
            continue
        url = str(row["url"] or "")[:MAX_URL]
        if any(u.match(url) for u in urls):
            yield row


@dataclass(frozen=True)
class Response:
    """What an archived CFURLResponse tells (all None when it was not stored)."""

    received: datetime | None = None
    status: int | None = None
    mime: str | None = None
    expected_length: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.casefold())


def _archived_array(blob: Any) -> list[Any] | None:
    """The `Array` of an archived CFURLResponse/CFURLRequest; None when there is no blob;
    ValueError when the blob is not such an archive."""
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) > MAX_PLIST_BYTES:
        raise ValueError("not a binary plist of a bounded size")
    try:
        value = plistlib.loads(blob)
    except _PLIST_ERRORS as exc:
        raise ValueError(f"not a plist ({type(exc).__name__})") from None
    array = value.get("Array") if isinstance(value, dict) else None
    if not isinstance(array, list):
        raise ValueError("no archived Array")
    return array


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode_response(blob: Any) -> Response:
    """The response's values, picked by shape: the first float before the header dictionary
    is the receive time, the first integer in 100-599 the status; after the headers, the
    first integer is the expected length and the first `type/subtype` text the MIME type."""
    array = _archived_array(blob)
    if array is None:
        return Response()
    at = next(
        (i for i, v in enumerate(array) if isinstance(v, dict) and "_CFURLString" not in v),
        len(array),
    )
    before, after = array[:at], array[at + 1 :]
    stamp = next((v for v in before if isinstance(v, float)), None)
    headers = array[at] if at < len(array) else {}
    return Response(
        received=from_cocoa_s(stamp),
        status=next((v for v in before if _is_int(v) and 100 <= v <= 599), None),
        mime=next((v for v in after if _is_mime(v)), None),
        expected_length=next((v for v in after if _is_int(v) and v >= 0), None),
        headers={str(k).casefold(): str(v) for k, v in headers.items() if k != "__hhaa__"},
    )


def _is_mime(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value not in _NULL_TOKENS
        and value.count("/") == 1
        and " " not in value
        and not value.startswith("http")
    )


def request_method(blob: Any) -> str | None:
    """The HTTP method of an archived CFURLRequest (None when not stored)."""
    array = _archived_array(blob)
    return next((v for v in array or () if isinstance(v, str) and v in _METHODS), None)


def stored_time(value: Any) -> datetime | None:
    """`cfurl_cache_response.time_stamp` (UTC text) as a datetime; ValueError when it is not
    such a text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"time_stamp {value!r} is not a date text")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"time_stamp {value!r} is not a date text") from None
    if parsed.tzinfo is None:  # CURRENT_TIMESTAMP is UTC
        parsed = parsed.replace(tzinfo=UTC)
    return from_unix_s(int(parsed.timestamp()))


def cache_records(conn: sqlite3.Connection, ctx: ParseContext, browser: str) -> Iterator[Artifact]:
    """One `web_cache` record per `cfurl_cache_response` row (see the module docstring)."""
    tables = table_columns(conn)
    # Without the blob table an entry still has its URL and time, not its MIME type or status.
    blobs = side_table(tables, ctx, "cfurl_cache_blob_data", BLOB_COLUMNS)
    part = "partition" in tables["cfurl_cache_response"]
    sql = (
        "SELECT r.entry_ID AS entry, r.request_key AS url, r.time_stamp AS stamp,"
        + (' r."partition" AS part,' if part else " NULL AS part,")
        + " d.isDataOnFS AS on_fs, length(CAST(d.receiver_data AS BLOB)) AS data_size,"
        " CASE WHEN d.isDataOnFS THEN d.receiver_data END AS file_name,"
        + (
            " b.response_object AS response, b.request_object AS request"
            if blobs
            else " NULL AS response, NULL AS request"
        )
        + " FROM cfurl_cache_response r"
        " LEFT JOIN cfurl_cache_receiver_data d ON d.entry_ID = r.entry_ID"
        + (" LEFT JOIN cfurl_cache_blob_data b ON b.entry_ID = r.entry_ID" if blobs else "")
        + " ORDER BY r.entry_ID"
    )
    for row in conn.execute(sql):
        ctx.cancel.check()
        try:
            yield _cache_record(row, ctx, browser)
        except (TypeError, ValueError) as exc:
            ctx.warn(f"cfurl_cache_response entry {row['entry']!r} skipped: {exc}")


def _checked(
    ctx: ParseContext, entry: Any, what: str, decode: Callable[[Any], _T], blob: Any
) -> _T | None:
    """`decode(blob)`, or its empty value with a warning: a damaged archive costs the entry
    its MIME type or method, never its URL."""
    try:
        return decode(blob)
    except ValueError as exc:
        ctx.warn(f"cfurl_cache_blob_data entry {entry}: {what} not read: {exc}")
        return None


def _cache_record(row: sqlite3.Row, ctx: ParseContext, browser: str) -> Artifact:
    entry = row["entry"]
    response = _checked(ctx, entry, "response_object", decode_response, row["response"])
    response = response or Response()
    try:
        stamp = stored_time(row["stamp"])
    except ValueError as exc:
        ctx.warn(f"cfurl_cache_response entry {entry}: {exc}")
        stamp = None
    on_fs = bool(row["on_fs"])
    fields = {
        "browser": browser,
        "url": text(row["url"]),
        "mime": response.mime or _content_type(response),
        "size": _size(row, response, on_fs),
        "local_path": (text(row["file_name"]) or None) if on_fs else None,
        "http_status": response.status,
        "method": _checked(ctx, entry, "request_object", request_method, row["request"]),
        "response_time": iso(response.received),
        "partition": text(row["part"]),
    }
    return Artifact(
        kind="web_cache",
        fields=compact(fields, CACHE_KEYS),
        ts=stamp,
        ts_raw=row["stamp"],
        source_table="cfurl_cache_response",
        source_rowid=int(entry),
    )


def _content_type(response: Response) -> str | None:
    value = response.header("Content-Type")
    return (value.split(";", 1)[0].strip() or None) if value else None


def _size(row: sqlite3.Row, response: Response, on_fs: bool) -> int | None:
    """Bytes of the cached body: inline, its length; on the file system, the length the
    response announced, else Content-Length when the body was not content-encoded (with
    gzip/br the header counts the bytes on the wire, not the stored ones). The fsCachedData
    file's own `file` record has its size in any case."""
    if not on_fs:
        return int(row["data_size"]) if row["data_size"] is not None else None
    if response.expected_length is not None:
        return response.expected_length
    length, encoding = response.header("Content-Length"), response.header("Content-Encoding")
    if (
        length
        and length.strip().isdigit()
        and (encoding or "identity").strip().casefold() == "identity"
    ):
        return int(length)
    return None


# --- apps whose messages survive as cached JSON answers of their API (Burner, Discord) ---

_MESSAGE_ERRORS = (TypeError, ValueError, AttributeError)


class Where(NamedTuple):
    """Where a message object sits: cache entry (Cache.db only) and index in the body."""

    table: str | None
    entry: int | None
    item: int
    url: str | None


@dataclass(frozen=True)
class CachedApi:
    """How to find an app's message objects in its cache: the URLs of the message endpoints
    (for Cache.db), what a message object looks like, and how an answer lists them."""

    app: str  # for messages: "Burner", "Discord"
    messages_url: re.Pattern[str]
    is_message: Callable[[Any], bool]
    items: Callable[[Any], list[Any]]

    def inline_items(
        self, conn: sqlite3.Connection, ctx: ParseContext
    ) -> Iterator[tuple[Any, Where]]:
        """Each object of the inline answers of the message endpoints, with its place."""
        for row in inline_bodies(conn, ctx, (self.messages_url,)):
            value = load_json(as_bytes(row["data"]))
            if value is None:
                ctx.warn(f"cfurl_cache_receiver_data entry {row['entry']}: body is not JSON")
                continue
            url = str(row["url"])
            for index, item in enumerate(self.items(value)):
                ctx.cancel.check()
                yield item, Where("cfurl_cache_receiver_data", int(row["entry"]), index, url)

    def file_items(self, file: FileInfo, ctx: ParseContext) -> Iterator[tuple[Any, Where]]:
        """Each object of an fsCachedData file that holds message objects; NotApplicable for
        the images, audio and other answers that share the folder."""
        what = f"not a cached {self.app} message response"
        if file.size > MAX_JSON_BYTES:
            raise NotApplicable(f"{file.size} bytes: too large for a {self.app} API answer")
        with ctx.open() as stream:
            data = stream.read(MAX_JSON_BYTES + 1)
        if data.lstrip()[:1] not in (b"{", b"["):
            raise NotApplicable(what)
        value = load_json(data)
        items = self.items(value)
        if value is None or not any(self.is_message(i) for i in items):
            raise NotApplicable(what)
        for index, item in enumerate(items):
            ctx.cancel.check()
            yield item, Where(None, None, index, None)

    def checked(
        self,
        found: Iterator[tuple[Any, Where]],
        ctx: ParseContext,
        make: Callable[[Any, Where], Artifact],
    ) -> Iterator[Artifact]:
        """`make`'s record of each message object; anything else, or an object `make` fails
        on, is a warning naming its place."""
        for item, where in found:
            label = f"item {where.item}"
            if where.table:
                label = f"{where.table} entry {where.entry} {label}"
            if not self.is_message(item):
                ctx.warn(f"{label} skipped: not a message object")
                continue
            try:
                yield make(item, where)
            except _MESSAGE_ERRORS as exc:
                ctx.warn(f"{label} skipped: {exc}")


def is_cache_db(file: FileInfo, ctx: ParseContext) -> bool:
    """True for the Cache.db of an app's cache, False for a file of its fsCachedData folder;
    NotApplicable for anything else the path globs let through."""
    with ctx.open() as stream:
        head = stream.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return True
    if "/fscacheddata/" in file.path.casefold():
        return False
    raise NotApplicable("not an NSURLCache database")
