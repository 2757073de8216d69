"""Apple binary cookie stores: `Cookies.binarycookies` and `<bundle id>.binarycookies`.

Apps: Safari and every other app using the system cookie store (NSHTTPCookieStorage /
WKWebView): macOS `~/Library/Cookies/Cookies.binarycookies`, `~/Library/Cookies/<bundle
id>.binarycookies`, sandboxed apps' `~/Library/Containers/<bundle id>/Data/Library/Cookies/`;
iOS `/private/var/mobile/Library/Cookies/` and each app container's `Library/Cookies/` (an
in-app browser's logins belong to that app). `browser` is always `safari` (the store's
format); `bundle` is the app's bundle id when the path names it (a backup's container folder,
a macOS container, a `<bundle id>.binarycookies` file name), else null (device extractions
name app containers by UUID). Checked against plaso's `Cookies.binarycookies` (Safari of
2013, 29 pages, 91 cookies) and generated files in the same layout with a trailing
NSHTTPCookieAcceptPolicy plist, as current macOS/iOS write them.

Layout (libyal dtformats "Safari Cookies" and the files themselves): "cook", page count and
page sizes as big-endian uint32; pages back to back, each starting 00 00 01 00, then a
little-endian uint32 cookie count and that many little-endian uint32 record offsets from the
page start. A record: uint32 size, flags at 8 (1 secure, 4 HttpOnly), offsets (from the
record start) of the domain, name, path and value strings at 16, 20, 24, 28 (NUL-terminated
UTF-8), expiry and creation time at 40 and 48. After the pages: a big-endian uint32 checksum
(the sum of every fourth byte of every page) and the footer 07 17 20 05.

Bounds: the file is read up to 64 MiB; every count, offset and size is checked against the
buffer it points into. A bad page or record is a warning and the rest is read; a checksum
that does not match the pages is a warning (the file was altered or damaged). `offset` is
the record's byte offset in the file. The library `binarycookies` (PyPI) was not used: it
stops at the first bad record, does not check offsets and drops the stored time values.

Timestamps: expiry and creation are little-endian float64, seconds since 2001-01-01 UTC
(Cocoa). `ts` is the creation time, `ts_raw` its stored number; 0 means "not set".
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from triage_app.core.errors import ParserError
from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, NotApplicable, ParseContext, Parser
from triage_app.core.timeconv import from_cocoa_s, iso

MAGIC = b"cook"
PAGE_MAGIC = b"\x00\x00\x01\x00"
FOOTER = b"\x07\x17\x20\x05"
MAX_BYTES = 64 * 1024 * 1024
MAX_PAGES = 100_000
MAX_COOKIES_PER_PAGE = 100_000
# Record offsets may all point at one record: the total is capped too (real stores hold a few
# thousand cookies).
MAX_COOKIES = 1_000_000
_RECORD_HEADER = 56
_SECURE = 0x1
_HTTP_ONLY = 0x4
_FIELDS = struct.Struct("<8xI4xIIII8xdd")  # flags, 4 string offsets, expiry, creation
_BUNDLE = r"[A-Za-z][\w-]*(?:\.[\w-]+)+"
# iOS backups present app containers by bundle id; macOS sandbox containers always.
_CONTAINER = re.compile(
    rf"/Containers/(?:Data/Application/|Shared/AppGroup/|Data/PluginKitPlugin/)?({_BUNDLE})/"
)
_BUNDLE_FILE = re.compile(rf"({_BUNDLE})\.binarycookies", re.IGNORECASE)


class SafariCookies(Parser):
    name = "safari_cookies"
    version = "1.0"
    kinds = ("web_cookie",)
    path_globs = ("*.binarycookies",)
    signature = MAGIC

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        with ctx.open() as stream:
            data = stream.read(MAX_BYTES + 1)
        if not data.startswith(MAGIC):
            raise NotApplicable("not a binary cookies file (no 'cook' signature)")
        if len(data) > MAX_BYTES:
            ctx.warn(f"only the first {MAX_BYTES} bytes read")
            data = data[:MAX_BYTES]
        bundle = bundle_of(file.path)
        sizes = _page_sizes(data)
        start, count = 8 + 4 * len(sizes), 0
        for number, size in enumerate(sizes, 1):
            ctx.cancel.check()
            if start >= len(data):
                ctx.warn(f"pages {number}-{len(sizes)} missing: the file ends at {len(data)}")
                return
            page = data[start : start + size]
            if len(page) < size:
                ctx.warn(f"page {number} cut short: {len(page)} of {size} bytes")
            for record in _page(page, start, number, bundle, ctx):
                count += 1
                if count > MAX_COOKIES:
                    ctx.warn(f"stopped after {MAX_COOKIES} cookies")
                    return
                yield record
            start += size
        _check_footer(data, start, sizes, ctx)


@dataclass(frozen=True)
class _Record:
    offset: int  # in the file
    data: bytes


def _page_sizes(data: bytes) -> tuple[int, ...]:
    if len(data) < 8:
        raise ParserError(f"file too short for a header: {len(data)} bytes")
    (count,) = struct.unpack_from(">I", data, 4)
    if count > MAX_PAGES or 8 + 4 * count > len(data):
        raise ParserError(f"page table of {count} pages does not fit the {len(data)}-byte file")
    return struct.unpack_from(f">{count}I", data, 8)


def _page(
    page: bytes, start: int, number: int, bundle: str | None, ctx: ParseContext
) -> Iterator[Artifact]:
    if len(page) < 8 or page[:4] != PAGE_MAGIC:
        ctx.warn(f"page {number} at {start} skipped: no page signature")
        return
    (count,) = struct.unpack_from("<I", page, 4)
    if count > MAX_COOKIES_PER_PAGE or 8 + 4 * count > len(page):
        ctx.warn(f"page {number} at {start} skipped: {count} record offsets do not fit")
        return
    for index, offset in enumerate(struct.unpack_from(f"<{count}I", page, 8), 1):
        ctx.cancel.check()
        where = f"page {number} record {index} at {start + offset}"
        try:
            record = _slice(page, offset, start)
            yield _cookie(record, bundle)
        except ValueError as exc:
            ctx.warn(f"{where} skipped: {exc}")


def _slice(page: bytes, offset: int, start: int) -> _Record:
    if offset + _RECORD_HEADER > len(page):
        raise ValueError("record header past the end of its page")
    (size,) = struct.unpack_from("<I", page, offset)
    if size < _RECORD_HEADER or offset + size > len(page):
        raise ValueError(f"record size {size} does not fit its page")
    return _Record(start + offset, page[offset : offset + size])


def _cookie(record: _Record, bundle: str | None) -> Artifact:
    flags, domain, name, path, value, expiry, created = _FIELDS.unpack_from(record.data)
    fields: dict[str, Any] = {
        "browser": "safari",
        "host": _string(record.data, domain, "domain"),
        "name": _string(record.data, name, "name"),
        "value": _string(record.data, value, "value"),
        "cookie_path": _string(record.data, path, "path"),
        "expires": iso(from_cocoa_s(expiry)),
        "secure": bool(flags & _SECURE),
        "http_only": bool(flags & _HTTP_ONLY),
        "bundle": bundle,
        "offset": record.offset,
    }
    return Artifact(
        kind="web_cookie",
        fields=fields,
        ts=from_cocoa_s(created),
        # NaN/infinity cannot be stored as JSON: such a time is not a value.
        ts_raw=created if math.isfinite(created) else None,
    )


def _string(record: bytes, offset: int, what: str) -> str:
    if not _RECORD_HEADER <= offset < len(record):
        raise ValueError(f"{what} offset {offset} outside the {len(record)}-byte record")
    end = record.find(b"\x00", offset)
    raw = record[offset:] if end < 0 else record[offset:end]
    return raw.decode("utf-8", errors="replace")


def _check_footer(data: bytes, end: int, sizes: tuple[int, ...], ctx: ParseContext) -> None:
    if end + 8 > len(data) or data[end + 4 : end + 8] != FOOTER:
        ctx.warn(f"no footer after the pages at {end}")
        return
    (stored,) = struct.unpack_from(">I", data, end)
    computed, start = 0, 8 + 4 * len(sizes)
    for size in sizes:
        computed += sum(data[start : start + size : 4])
        start += size
    if computed & 0xFFFFFFFF != stored:
        ctx.warn(f"checksum {stored:#x} does not match the pages ({computed:#x})")


def bundle_of(path: str) -> str | None:
    """The app's bundle id when the path names it (see the module docstring)."""
    name = path.rsplit("/", 1)[-1]
    match = _BUNDLE_FILE.fullmatch(name)
    if match:
        return match.group(1)
    found = _CONTAINER.findall(path)
    return found[-1] if found else None
