"""Safari for iOS: the URLs MobileSafari fetched and cached, from its NSURLCache `Cache.db`.

App: MobileSafari (com.apple.mobilesafari). Its CFNetwork cache is
`Library/Caches/com.apple.mobilesafari/Cache.db` in the app's data container
(`/private/var/mobile/Containers/Data/Application/<UUID>/`; `/private/var/mobile/Library/Caches/`
before iOS 8), bodies of larger responses in `fsCachedData/<UUID>` beside it. Checked against
iLEAPP's test cases `safariCache.josh_ios17_ffs` (iOS 17.3, six entries, all in
`Cache.db-wal`) and `safariCache.mvs_ios_2023` (iOS 14.7.1, one entry on the file system),
and the tables CFNetwork creates (see `triage_app.core.nsurlcache`). What is cached there is
mostly what Safari itself fetches (configuration plists, search-suggestion images, the iTunes
bag); page content lives in WebKit's own cache, which this parser does not read.

Records: one `web_cache` per `cfurl_cache_response` row: `url` = `request_key`, `mime` = the
response's MIME type (else its Content-Type header), `size` = bytes of the cached body (see
`nsurlcache._size`; null when the body is on the file system and the response states no
length), `local_path` = the `fsCachedData` file name when the body is stored there. Extras:
`http_status`, `method`, `response_time`, and `partition` when set. An entry proves the URL
was fetched, not that the user navigated to it.

Timestamps: `ts` = `cfurl_cache_response.time_stamp`, UTC text `YYYY-MM-DD HH:MM:SS` (SQLite
CURRENT_TIMESTAMP), when the entry was created; `response_time` = the archived response's
receive time, Cocoa seconds since 2001-01-01 UTC, which is later when the URL was fetched
again (entry 1 of the iOS 17 case: created 2024-01-11 23:13:37, fetched 2024-07-28 17:41:15).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import ClassVar

from triage_app.core.models import Artifact
from triage_app.core.nsurlcache import IDENTIFY, WEB_CACHE_REQUIRED, cache_records
from triage_app.core.parsing import ParseContext, SQLiteParser


class SafariCache(SQLiteParser):
    name = "safari_cache"
    version = "1.0"
    kinds = ("web_cache",)
    # Cache.db is the name every app's NSURLCache has: only Safari's folder is claimed.
    path_globs = ("*/com.apple.mobilesafari/Cache.db",)
    identify: ClassVar[frozenset[str]] = IDENTIFY
    required: ClassVar[dict[str, frozenset[str]]] = WEB_CACHE_REQUIRED
    reads: ClassVar[frozenset[str]] = frozenset({"cfurl_cache_blob_data"})

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        yield from cache_records(conn, ctx, "safari")
