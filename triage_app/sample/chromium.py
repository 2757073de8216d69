"""A Chromium `History` database of the sample's web visits, with Chrome's own tables.

The tables are those recent Chrome creates (history meta version 70; Chromium
components/history/core/browser: history_database.cc, url_database.cc, visit_database.cc,
download_database.cc). One `urls` row per address (its visit count and last visit), one
`visits` row per visit. Times are microseconds since 1601-01-01 UTC (base::Time, "WebKit
time"). A visit's transition is the core type in the low byte (ui::PageTransition: 0 link,
5 generated — a search typed in the omnibox) with CHAIN_START | CHAIN_END (0x30000000): each
visit is a navigation of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .android_schemas import PAGE_SIZE
from .ios_schemas import sqlite_bytes
from .scenario import Visit

HISTORY_SCHEMA = (
    "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)",
    "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,"
    "visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,"
    "last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL)",
    "CREATE INDEX urls_url_index ON urls (url)",
    "CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,"
    "visit_time INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,"
    "transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,"
    "visit_duration INTEGER DEFAULT 0 NOT NULL,"
    "incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit INTEGER,"
    "originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit INTEGER,"
    "originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,"
    "consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,"
    "visited_link_id INTEGER DEFAULT 0 NOT NULL,app_id TEXT)",
    "CREATE INDEX visits_url_index ON visits (url)",
    "CREATE INDEX visits_time_index ON visits (visit_time)",
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,"
    "current_path LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,"
    "start_time INTEGER NOT NULL,received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,"
    "state INTEGER NOT NULL,danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,"
    "hash BLOB NOT NULL,end_time INTEGER NOT NULL,opened INTEGER NOT NULL,"
    "last_access_time INTEGER NOT NULL,transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,"
    "site_url VARCHAR NOT NULL,embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,"
    "tab_referrer_url VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,"
    "by_ext_name VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,"
    "last_modified VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,"
    "original_mime_type VARCHAR(255) NOT NULL)",
    "CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,"
    "url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) )",
    "CREATE TABLE downloads_slices (download_id INTEGER NOT NULL,offset INTEGER NOT NULL,"
    "received_bytes INTEGER NOT NULL,finished INTEGER NOT NULL DEFAULT 0,"
    "PRIMARY KEY (download_id, offset) )",
    "CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,"
    "term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL)",
)
_META = (("mmap_status", "-1"), ("version", "70"), ("last_compatible_version", "16"))
_WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_CHAIN = 0x30000000  # CHAIN_START | CHAIN_END
_LINK, _GENERATED = 0, 5
_SEARCH_HOSTS = frozenset({"www.google.com", "www.bing.com", "duckduckgo.com"})


def webkit_us(moment: datetime) -> int:
    """Microseconds since 1601-01-01 UTC of an aware datetime (exact integer arithmetic)."""
    delta = moment - _WEBKIT_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _transition(url: str) -> int:
    parts = urlsplit(url)
    search = parts.hostname in _SEARCH_HOSTS and parts.path == "/search"
    return _CHAIN | (_GENERATED if search else _LINK)


def history_db(visits: Sequence[Visit]) -> bytes:
    """The `History` file of these visits (taken in time order)."""
    ordered = sorted(visits, key=lambda v: (v.when, v.url))
    url_ids: dict[str, int] = {}
    for visit in ordered:
        url_ids.setdefault(visit.url, len(url_ids) + 1)
    urls = []
    for url, url_id in url_ids.items():
        mine = [v for v in ordered if v.url == url]
        urls.append((url_id, url, mine[-1].title, len(mine), webkit_us(mine[-1].when)))
    rows = [
        (n, url_ids[v.url], webkit_us(v.when), _transition(v.url))
        for n, v in enumerate(ordered, start=1)
    ]
    return sqlite_bytes(
        (PAGE_SIZE, *HISTORY_SCHEMA),
        (
            ("INSERT INTO meta VALUES (?, ?)", _META),
            (
                "INSERT INTO urls (id, url, title, visit_count, last_visit_time)"
                " VALUES (?,?,?,?,?)",
                urls,
            ),
            (
                "INSERT INTO visits (id, url, visit_time, from_visit, transition)"
                " VALUES (?,?,?,0,?)",
                rows,
            ),
        ),
    )
