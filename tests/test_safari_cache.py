"""Safari iOS cache: a generated NSURLCache (Apple's schema, archived responses as CFNetwork
writes them, one entry only in the WAL), bad input, and iLEAPP's two safariCache test cases
compared row by row with iLEAPP's own output."""

from __future__ import annotations

import json
import plistlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from casehelpers import (
    RUNS_SQL,
    db_with_live_wal,
    dispatched,
    file_sha256,
    scan_with,
    truncated_copy,
    unrelated_db,
)
from test_burner_ios import SCHEMA

from parsers.safari_cache import SafariCache
from triage_app.core.export import records

CACHES = (
    "private/var/mobile/Containers/Data/Application/90F2C1EE-0000-4000-8000-000000000001"
    "/Library/Caches/com.apple.mobilesafari"
)
COCOA = 978307200
NULL_RESPONSE = "__CFURLResponseNullTokenString__"
NULL_REQUEST = "__CFURLRequestNullTokenString__"
QUIRKS = (
    "https://configuration.apple.com/configurations/internetservices/safari/AutoFillQuirks-1.plist"
)
QUIRKS_FILE = "A0C0E4C7-0000-4000-8000-00000000000A"
IMAGE = "https://cdn2.smoot.apple.com/image?domain=kg&image_url=https%3A%2F%2Fexample.org%2Fa.jpg"
IMAGE_FILE = "33A68DE5-0000-4000-8000-00000000000B"


def response_blob(
    url: str,
    received: float,
    headers: dict[str, str],
    length: int | None,
    mime: str,
    status: int = 200,
) -> bytes:
    """An archived CFURLResponse as in the iOS 15-17 caches: URL, receive time (Cocoa s),
    0, status, headers (with CFNetwork's `__hhaa__` copy), expected length, MIME type."""
    array = [
        {"_CFURLStringType": 15, "_CFURLString": url}, received, 0, status,
        {**headers, "__hhaa__": "\r\n\r\nYnBsaXN0MDA="},
        NULL_RESPONSE if length is None else length, mime,
    ]  # fmt: skip
    return plistlib.dumps({"Version": 1, "Array": array}, fmt=plistlib.FMT_BINARY)


def request_blob(url: str, method: str = "GET") -> bytes:
    """An archived CFURLRequest (Version 9; the method is item 18)."""
    array = [
        False, {"_CFURLStringType": 15, "_CFURLString": url}, 60.0, 0, NULL_REQUEST, True, 4,
        NULL_REQUEST, NULL_REQUEST, True, False, 0, 0.0, 0.0, 0, -1, NULL_REQUEST, 2, method,
        {"Accept": "*/*", "Accept-Encoding": "gzip, deflate, br"}, NULL_REQUEST, NULL_REQUEST,
    ]  # fmt: skip
    return plistlib.dumps({"Version": 9, "Array": array}, fmt=plistlib.FMT_BINARY)


class Entry(NamedTuple):
    url: str
    stamp: Any  # time_stamp as stored
    on_fs: bool
    data: bytes | str | None
    response: bytes | None
    request: bytes | None = None


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _inserts(n: int, entry: Entry) -> list[str]:
    rows = [
        "INSERT INTO cfurl_cache_response (entry_ID, version, hash_value, storage_policy,"
        f" request_key, time_stamp) VALUES ({n}, 0, {-n}, 0, {_literal(entry.url)},"
        f" {_literal(entry.stamp)})",
        f"INSERT INTO cfurl_cache_receiver_data VALUES ({n}, {int(entry.on_fs)},"
        f" {_literal(entry.data)})",
    ]
    if entry.response is not None or entry.request is not None:
        rows.append(
            f"INSERT INTO cfurl_cache_blob_data (entry_ID, response_object, request_object)"
            f" VALUES ({n}, {_literal(entry.response)}, {_literal(entry.request)})"
        )
    return rows


def make_cache(folder: Path, entries: list[Entry], in_wal: Entry | None = None) -> Path:
    """Cache.db with `entries`; the rows of `in_wal` (if any) only in the live Cache.db-wal, as
    in a copy taken while the app had the cache open."""
    statements = list(SCHEMA)
    for n, entry in enumerate(entries, start=1):
        statements += _inserts(n, entry)
    in_wal_rows = _inserts(len(entries) + 1, in_wal) if in_wal is not None else None
    return db_with_live_wal(folder / "Cache.db", statements, in_wal_rows)


def _entries() -> list[Entry]:
    gzip = {"Content-Type": "text/xml", "Content-Encoding": "gzip", "Content-Length": "17486"}
    return [
        # Created 2024-01-11, its response received again on 2024-07-28 (time_stamp stays).
        Entry(
            QUIRKS, "2024-01-11 23:13:37", True, QUIRKS_FILE,
            response_blob(QUIRKS, 743881275.773691, gzip, 189266, "text/xml"),
            request_blob(QUIRKS),
        ),
        Entry(
            "https://cdn.smoot.apple.com/images/NoImage-Safari-60_2x.png", "2024-01-12 00:37:37",
            False, b"\x89PNG\r\n\x1a\n" + bytes(92),
            response_blob(
                "https://cdn.smoot.apple.com/images/NoImage-Safari-60_2x.png", 726712657.391512,
                {"Content-Type": "image/png", "Content-Length": "100"}, None, "image/png",
            ),
            request_blob("https://cdn.smoot.apple.com/images/NoImage-Safari-60_2x.png"),
        ),
        # On the file system, no announced length, not content-encoded: Content-Length.
        Entry(
            IMAGE, "2024-01-12 00:37:38", True, IMAGE_FILE,
            response_blob(
                IMAGE, 726712658.218532, {"Content-Type": "image/jpeg", "Content-Length": "6266"},
                None, "image/jpeg",
            ),
        ),
        # On the file system and gzip-encoded with no announced length: size unknown.
        Entry(
            "https://bag.itunes.apple.com/bag.xml?os=iOS", "2024-07-07 15:47:54", True,
            "C59437F6-0000-4000-8000-00000000000C",
            response_blob(
                "https://bag.itunes.apple.com/bag.xml?os=iOS", 743881276.060135,
                {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "br",
                 "Content-Length": "175"}, None, NULL_RESPONSE, status=304,
            ),
        ),
        # No archived response or request at all.
        Entry("http://example.org/beacon", "2024-07-07 15:48:00", False, b"", None),
    ]  # fmt: skip


IN_WAL = Entry(
    "https://cdn2.smoot.apple.com/image?domain=web_index&image_url=x",
    "2024-07-28 17:41:20",
    False,
    b"\xff\xd8\xff\xe1" + bytes(16),
    response_blob(
        "https://cdn2.smoot.apple.com/image?domain=web_index&image_url=x",
        743881280.5,
        {"Content-Type": "image/jpeg"},
        20,
        "image/jpeg",
    ),
    request_blob("https://cdn2.smoot.apple.com/image?domain=web_index&image_url=x", "POST"),
)
OUTCOME = "SELECT status, records, warnings, message FROM parser_runs"


def _scan(tmp_path: Path, evidence: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    conn, runs = scan_with(tmp_path / "case", [SafariCache()], evidence, OUTCOME)
    try:
        found = list(records(conn, "web_cache"))
        sha = file_sha256(conn, "Cache.db") if found else ""
    finally:
        conn.close()
    return found, runs, sha


def test_generated_cache_with_live_wal(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_cache(tmp_path / "iphone" / CACHES, _entries(), IN_WAL)
    unchanged(tmp_path / "iphone")
    found, runs, sha = _scan(tmp_path, tmp_path / "iphone")
    assert runs == [{"status": "ok", "records": 6, "warnings": 0, "message": ""}]
    assert found[0] == {
        "kind": "web_cache", "id": found[0]["id"], "evidence": 1, "path": f"/{CACHES}/Cache.db",
        "volume": None, "source_sha256": sha, "parser": "safari_cache",
        "ts": "2024-01-11T23:13:37Z", "ts_raw": "2024-01-11 23:13:37", "deleted": False,
        "browser": "safari", "url": QUIRKS, "mime": "text/xml", "size": 189266,
        "local_path": QUIRKS_FILE, "http_status": 200, "method": "GET",
        "response_time": "2024-07-28T17:41:15.773691Z",
        "source_table": "cfurl_cache_response", "source_rowid": 1,
    }  # fmt: skip
    by_row = {r["source_rowid"]: r for r in found}
    assert (by_row[2]["size"], by_row[2]["local_path"], by_row[2]["mime"]) == (
        100,
        None,
        "image/png",
    )
    assert (by_row[3]["size"], by_row[3]["local_path"]) == (6266, IMAGE_FILE)
    # br-encoded on the wire: Content-Length is not the stored size; MIME from the header.
    assert (by_row[4]["size"], by_row[4]["mime"], by_row[4]["http_status"]) == (
        None, "application/json", 304,
    )  # fmt: skip
    assert by_row[5] == {
        **{k: by_row[5][k] for k in ("kind", "id", "evidence", "path", "volume")},
        "source_sha256": sha, "parser": "safari_cache", "ts": "2024-07-07T15:48:00Z",
        "ts_raw": "2024-07-07 15:48:00", "deleted": False, "browser": "safari",
        "url": "http://example.org/beacon", "mime": None, "size": 0, "local_path": None,
        "source_table": "cfurl_cache_response", "source_rowid": 5,
    }  # fmt: skip
    wal_only = by_row[6]
    assert (wal_only["ts"], wal_only["method"], wal_only["size"]) == (
        "2024-07-28T17:41:20Z", "POST", 20,
    )  # fmt: skip


def test_truncated_cache_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "src"
    conn = sqlite3.connect(source.with_suffix(".db"))
    for statement in SCHEMA:
        conn.execute(statement)
    for n, entry in enumerate(_entries() * 20, start=1):
        for statement in _inserts(n, entry._replace(url=f"{entry.url}#{n}")):
            conn.execute(statement)
    conn.commit()
    conn.close()
    truncated_copy(source.with_suffix(".db"), tmp_path / "iphone" / CACHES / "Cache.db")
    _, runs, _ = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error" and runs[0]["message"]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_cache(tmp_path / "iphone" / CACHES, _entries())
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE cfurl_cache_response RENAME COLUMN time_stamp TO stamp")
    conn.commit()
    conn.close()
    _, runs, _ = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error"
    assert "cfurl_cache_response.time_stamp" in runs[0]["message"]


def test_garbage_is_warned_and_the_entry_kept(tmp_path: Path) -> None:
    good = _entries()[1]
    entries = [
        good._replace(response=b"not a plist", request=b"bplist00garbage"),
        good._replace(url="https://example.org/2", stamp="yesterday"),
        good._replace(url="https://example.org/3", response=plistlib.dumps([1, 2])),
    ]
    make_cache(tmp_path / "iphone" / CACHES, entries)
    found, runs, _ = _scan(tmp_path, tmp_path / "iphone")
    run = runs[0]
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 3, 4)
    assert "entry 1: response_object not read: not a plist" in run["message"]
    assert "entry 1: request_object not read: not a plist" in run["message"]
    assert "entry 2: time_stamp 'yesterday' is not a date text" in run["message"]
    assert "entry 3: response_object not read: no archived Array" in run["message"]
    assert [(r["url"], r["ts"], r["mime"]) for r in found] == [
        (good.url, "2024-01-12T00:37:37Z", None),
        ("https://example.org/2", None, "image/png"),
        ("https://example.org/3", "2024-01-12T00:37:37Z", None),
    ]


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    unrelated_db(tmp_path / "iphone" / CACHES / "Cache.db")
    found, runs, _ = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "skipped" and found == []


@pytest.mark.parametrize(
    ("path", "chosen"),
    [
        (f"/{CACHES}/Cache.db", True),
        ("/private/var/mobile/Library/Caches/com.apple.mobilesafari/Cache.db", True),
        (f"/{CACHES}/Cache.db-wal", False),
        (f"/{CACHES}/fsCachedData/{QUIRKS_FILE}", False),
        ("/private/var/mobile/Library/Caches/com.hammerandchisel.discord/Cache.db", False),
    ],
)
def test_path_globs(path: str, chosen: bool) -> None:
    assert dispatched(SafariCache(), path) is chosen


ILEAPP = "iLEAPP/admin/test"
CASES = {
    "josh_ios17_ffs": ("20260730032124", 6),
    "mvs_ios_2023": ("20260730032125", 1),
}


def _oracle(corpus: Callable[[str], Path], case: str) -> dict[str, Any]:
    stamp = CASES[case][0]
    path = f"{ILEAPP}/results/safariCache/safariCache.safariCache.{case}.{stamp}.json"
    return dict(json.loads(corpus(path).read_text(encoding="utf-8")))


def _epoch(ts: str) -> int:
    return int(datetime.fromisoformat(ts.removesuffix("Z")).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize("case", sorted(CASES))
def test_corpus_ileapp_cases_match_ileapp_rows(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None], case: str
) -> None:
    """Every iLEAPP row, field by field: its Timestamp (Unix seconds) is the entry's
    time_stamp, read as UTC as we do; Payload Size is the bytes of the cached body, which
    iLEAPP measures on the fsCachedData file and we take from the archived response (the
    same numbers here)."""
    evidence = corpus(
        f"{ILEAPP}/cases/data/safariCache/testdata.safariCache.safariCache.{case}.zip"
    )
    oracle = _oracle(corpus, case)
    unchanged(evidence)
    found, runs, _ = _scan(tmp_path, evidence)
    count = CASES[case][1]
    assert runs == [{"status": "ok", "records": count, "warnings": 0, "message": ""}]
    assert len(found) == oracle["metadata"]["number_of_rows"] == len(oracle["data"]) == count
    col = {name: i for i, name in enumerate(oracle["headers"])}
    by_entry = {r["source_rowid"]: r for r in found}
    for row in oracle["data"]:
        ours = by_entry[row[col["Entry ID"]]]
        assert (
            _epoch(ours["ts"]), ours["url"], ours["http_status"], ours["method"], ours["mime"],
            ours["local_path"] or "", ours["size"], ours.get("partition"),
        ) == (
            row[col["Timestamp"]], row[col["Request URL"]], row[col["HTTP Status"]],
            row[col["Request Method"]], row[col["MIME Type"]], row[col["Cache File Name"]],
            row[col["Payload Size"]], row[col["Partition"]],
        )  # fmt: skip
    if case == "josh_ios17_ffs":
        # The entries of 2024-01-11 and 2024-07-07 were fetched again on the extraction day:
        # iLEAPP's Timestamp is the row's creation; the server's Date header and our
        # `response_time` say when the cached copy was received.
        dates = {row[col["Entry ID"]]: row[col["Date"]] for row in oracle["data"]}
        assert dates[1] == "Sun, 28 Jul 2024 17:41:15 GMT"
        assert by_entry[1]["ts"] == "2024-01-11T23:13:37Z"
        assert by_entry[1]["response_time"] == "2024-07-28T17:41:15.773691Z"
        assert by_entry[6]["response_time"].startswith("2024-07-28T17:41:16")
        assert by_entry[1]["local_path"] == "A0C0E4C7-5449-4D66-B901-5BAEEC7D2E89"
    else:
        assert found[0]["ts"] == "2022-11-21T20:22:02Z" and found[0]["size"] == 124730


def test_corpus_only_cache_db_is_read(tmp_path: Path, corpus: Callable[[str], Path]) -> None:
    """Only Cache.db is Safari's to read: its -wal/-shm and the fsCachedData bodies are not
    offered to the parser (they are indexed as files)."""
    evidence = corpus(
        f"{ILEAPP}/cases/data/safariCache/testdata.safariCache.safariCache.josh_ios17_ffs.zip"
    )
    conn, runs = scan_with(tmp_path / "case", [SafariCache()], evidence, RUNS_SQL)
    conn.close()
    assert [(r["parser"], r["status"]) for r in runs] == [("safari_cache", "ok")]
