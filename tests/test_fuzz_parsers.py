"""Property-based fuzzing of every parser entry point (issue 8: hostile evidence).

Each parser of `parsers.PARSERS` is called as the parse stage calls it (`parse_runner`): a
`FileInfo` with the type the indexer detects, offered only when the dispatcher would offer
it, then `accepts()` and `parse()` with a `ParseContext` whose SQLite copy `copy_database`
makes. Inputs, all generated:
(a) random bytes behind a random-length prefix of a valid file (so signatures and type
    detection still let them reach the parser);
(b) valid files mutated byte-wise (flips, boundary values, inserts, deletions, truncation,
    extension), biased to the first 4 KiB (SQLite header and schema, image and plist headers);
(c) SQLite: the valid database with hostile cell values (blobs where text is expected,
    integers past 64 bits, negative and far-future times, NULL, inf, text with NUL, bidi
    overrides, HTML) or with the stored value mutated, as a tree when it is JSON or a plist;
(d) JSON and binary plist files mutated as trees: any node replaced by a hostile value or, in
    a plist, by a UID to any object (cycles, dangling references).
The valid files are those the project's own builders write (the workshop sample's Android and
iPhone evidence, the parsers' test fixtures), found through the evidence layer and the
dispatcher, so each parser gets the files it meets in a scan.

The property: the parser ends with an outcome `parse_runner` records cleanly (records, or
NotApplicable/ParserError/EvidenceError/OSError) within HANG_S seconds, and every record keeps
the export contract (docs/RECORDS.md): a kind the parser declares, the kind's own fields, `ts`
an aware time in the plausible window or None, stored in the case database and exported as
strict JSON. Anything else is a finding: kept at the end as an xfail regression test built
from the input, and listed in KNOWN so that the fuzzing counts it and goes on.

Bounded for CI: QARINA_FUZZ_EXAMPLES examples per test (default 20, about 20 s for this module
and test_fuzz_search.py), derandomized and without an example database: the same code gives
the same inputs (Hypothesis also mixes in constants of the loaded modules, so a changed module
may change them). `benchmarks/fuzz_figures.py` runs many more, QARINA_FUZZ_RANDOM new ones.

The harness (settings, seeds, `run_parser`, the contract check, KNOWN and STATS) is in
tests/fuzzing.py, the hostile values and edit recipes in tests/fuzz_inputs.py.
"""

from __future__ import annotations

import json
import math
import plistlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from fuzz_inputs import (
    BYTE_EDITS,
    CELL_EDITS,
    TREE_EDITS,
    as_json,
    as_plist,
    byte_edited,
    cells_edited,
    tree_edited,
)
from fuzzing import (
    BY_NAME,
    FUZZ,
    SCRATCH,
    Hang,
    check_contract,
    fuzz_once,
    run_parser,
    seeds,
)
from hypothesis import given
from hypothesis import strategies as st

from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, ParseContext, Parser
from triage_app.report.tables import KIND_FIELDS

# --- the fuzz tests ---------------------------------------------------------------------------

NAMES = sorted(BY_NAME)
SQLITE = b"SQLite format 3\x00"
# Parsers that read SQLite (Burner and Discord read their Cache.db besides cached files).
SQLITE_NAMES = [
    n for n in NAMES if BY_NAME[n].signature == SQLITE or n in ("burner_ios", "discord_ios")
]
TREE_NAMES = ["burner_ios", "discord_ios", "twitter_ios"]  # files that are JSON or plists


def seed(name: str, index: int, kind: str = "any") -> tuple[str, bytes]:
    """The `index`-th valid file (modulo their number) of `name`: any, or only SQLite or tree
    (JSON/plist) files."""
    wants: dict[str, Callable[[bytes], bool]] = {
        "any": lambda d: True,
        "sqlite": lambda d: d.startswith(SQLITE),
        "tree": lambda d: as_plist(d) is not None or as_json(d) is not None,
    }
    files = [s for s in seeds()[name] if wants[kind](s[1])]
    return files[index % len(files)]


def replay(name: str, index: int, recipe: tuple[Any, ...]) -> list[Artifact] | None:
    """Rebuild one input from its recipe and fuzz the parser with it (tests and regressions)."""
    how, *args = recipe
    kind = {"cells": "sqlite", "tree": "tree"}.get(how, "any")
    path, valid = seed(name, index, kind)
    if how == "random":
        data = valid[: args[0]] + args[1]
    elif how == "bytes":
        data = byte_edited(valid, args[0])
    elif how == "cells":
        data = cells_edited(valid, args[0])
    else:
        data = tree_edited(valid, args[0], args[1])
    return fuzz_once(name, path, data, what=(name, index, recipe))


INDEX = st.integers(0, 15)


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(index=INDEX, prefix=st.integers(0, 128), tail=st.binary(max_size=2048))
def test_random_bytes_after_a_valid_prefix(name: str, index: int, prefix: int, tail: bytes) -> None:
    replay(name, index, ("random", prefix, tail))


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(index=INDEX, edits=BYTE_EDITS)
def test_mutated_valid_files(name: str, index: int, edits: list[Any]) -> None:
    replay(name, index, ("bytes", edits))


@pytest.mark.parametrize("name", SQLITE_NAMES)
@FUZZ
@given(index=INDEX, edits=CELL_EDITS)
def test_valid_schema_hostile_cells(name: str, index: int, edits: list[Any]) -> None:
    replay(name, index, ("cells", edits))


@pytest.mark.parametrize("name", TREE_NAMES)
@FUZZ
@given(index=INDEX, edits=TREE_EDITS, fallback=BYTE_EDITS)
def test_json_and_plist_files_with_hostile_nodes(
    name: str, index: int, edits: list[Any], fallback: list[Any]
) -> None:
    replay(name, index, ("tree", edits, fallback))


def test_every_parser_has_valid_files_that_give_records() -> None:
    """The seeds are valid: each parser reads records from at least one, and the contract
    check passes on them (so a fuzz pass means something)."""
    for name in NAMES:
        counts = [len(fuzz_once(name, path, data) or []) for path, data in seeds()[name]]
        assert max(counts) > 0, f"{name}: no seed gives records"


class _Broken(Parser):
    """A parser that misbehaves as told: the harness must report each way as a finding."""

    name, version, kinds, path_globs = "broken", "0", ("message",), ("*",)

    def __init__(self, how: str) -> None:
        self.how = how

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        while self.how == "hang":
            pass
        if self.how == "crash":
            raise KeyError("boom")
        fields = dict.fromkeys(KIND_FIELDS["message"], "x")
        moment = datetime(2024, 1, 1) if self.how == "naive" else datetime(2024, 1, 1, tzinfo=UTC)
        if self.how == "bodiless":
            del fields["body"]
        yield Artifact("message", fields, moment)


@pytest.mark.parametrize(
    ("how", "finding"),
    [("hang", Hang), ("crash", KeyError), ("naive", AssertionError), ("bodiless", AssertionError)],
)
def test_the_harness_reports_each_kind_of_finding(how: str, finding: type[BaseException]) -> None:
    """The checks can fail: a hang, an undocumented exception, a naive time, a missing field."""
    with mock.patch("fuzzing.HANG_S", 0.5), pytest.raises(finding):
        run_parser(_Broken(how), "/x", b"data")
        check_contract(_Broken(how), "/x", b"data", run_parser(_Broken(how), "/x", b"data") or [])
    assert run_parser(_Broken("ok"), "/x", b"data")


# --- findings, kept as regressions (xfail until the app is fixed) -----------------------------


def _updated(data: bytes, *statements: str, value: Any = None) -> bytes:
    """The database `data` after `statements` (each may use `?` for `value`)."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        db = Path(tmp) / "db"
        db.write_bytes(data)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA writable_schema=ON")
        for statement in statements:
            conn.execute(statement, (value,) if "?" in statement else ())
        conn.commit()
        conn.close()
        return db.read_bytes()


def _archive_time(data: bytes, value: Any) -> bytes:
    """The NSKeyedArchiver plist `data` with the first archived NSDate's `NS.time` = `value`."""
    archive = plistlib.loads(data)
    date = next(o for o in archive["$objects"] if isinstance(o, dict) and "NS.time" in o)
    date["NS.time"] = value
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def _json_items(data: bytes, key: str, value: Any) -> bytes:
    """The JSON document `data` (an object or a list of them) with `key` = `value` in each."""
    document = json.loads(data)
    for item in document if isinstance(document, list) else [document]:
        item[key] = value
    return json.dumps(document).encode()


def _seed_with(name: str, needle: bytes) -> tuple[str, bytes]:
    """The first valid file of `name` that starts with, or else holds, `needle`."""
    files = seeds()[name]
    return next((f for f in files if f[1].startswith(needle)), None) or next(
        f for f in files if needle in f[1]
    )


def finding(
    key: str,
    name: str,
    needle: bytes,
    raises: type[BaseException],
    build: Callable[[bytes], bytes],
    reason: str,
) -> Any:
    """A kept input: `build` applied to the valid file of `name` holding `needle`; it fails
    with `raises` (xfail, strict) until what `reason` diagnoses is fixed."""
    if key in FIXED:  # fixed in the app: the input must now end cleanly
        return pytest.param(name, needle, build, id=key)
    mark = pytest.mark.xfail(strict=True, raises=raises, reason=reason)
    return pytest.param(name, needle, build, id=key, marks=mark)


# Findings fixed since (their diagnosis stays above as the record of what was wrong).
FIXED = frozenset({
    "sqlite-message-not-utf8", "row-overflow-firefox", "as-int-overflow", "telegram-user-status",
    "nonfinite-json", "nonfinite-ts-raw", "contacts-raw-id", "xml-encoding",
    "archive-time-not-a-number",
})  # fmt: skip


REGRESSIONS = [
    finding(
        "sqlite-message-not-utf8", "android_sms", b"CREATE TABLE sms", UnicodeDecodeError,
        lambda d: _updated(d, "UPDATE sqlite_master SET name = CAST(x'ff' AS TEXT) || name"),
        "triage_app/core/sqlite_reader.py:open_copy: a table name in sqlite_master that is"
        " not UTF-8 makes SQLite's error message ('malformed database schema (\\xff...')"
        " undecodable; Python's sqlite3 then raises UnicodeDecodeError, not"
        " sqlite3.DatabaseError, and `except sqlite3.Error` misses it: every SQLite parser"
        " ends in 'internal error'. Fix: catch UnicodeDecodeError with sqlite3.Error in"
        " open_copy and SQLiteParser.parse (ParserError)."
    ),
    finding(
        "row-overflow-firefox", "firefox_history", b"CREATE TABLE moz_historyvisits",
        OverflowError,
        lambda d: _updated(d, "UPDATE moz_historyvisits SET from_visit = ?", value=math.inf),
        "parsers/firefox_history.py:_visit: int(from_visit) of a REAL infinity (an INTEGER"
        " column holding 1e999) raises OverflowError, which each_row does not catch"
        " (ROW_ERRORS = TypeError, ValueError): the whole file fails instead of one row. Fix:"
        " add OverflowError to triage_app/core/parsing.py ROW_ERRORS."
    ),
    finding(
        "as-int-overflow", "viber", b"CREATE TABLE calls", OverflowError,
        lambda d: _updated(d, "UPDATE calls SET viber_call_type = ?", value=math.inf),
        "parsers/viber.py:_call (and kik.py:_ios_message) -> triage_app/core/values.py:"
        "as_int: int(inf) raises OverflowError, not the ValueError/TypeError as_int documents,"
        " so the callers' per-row guards let it end the file. Fix: as_int raises ValueError"
        " for a non-finite float."
    ),
    finding(
        "telegram-user-status", "telegram_android", b"CREATE TABLE users", ValueError,
        lambda d: _updated(d, "UPDATE users SET status = ?", value="\x00"),
        "parsers/telegram_android.py:_users -> _last_seen -> as_int: a users.status that is"
        " not a number raises ValueError outside any per-row guard (the user map is built"
        " before the messages), so one bad cell loses every message of cache4.db. Fix:"
        " _last_seen returns None on ValueError/TypeError/OverflowError (warn once)."
    ),
    finding(
        "archive-time-not-a-number", "twitter_ios", b"bplist00", ValueError,
        lambda d: _archive_time(d, ""),
        "parsers/twitter_ios.py:parse -> triage_app/core/keyed_archive.py:_Resolver._decode:"
        " float(raw['NS.time']) of a string raises ValueError (TypeError for a list or null),"
        " not ArchiveError, which is all twitter_ios catches: 'internal error'. Fix: in"
        " _decode, NS.time must be an int/float (else ArchiveError); unarchive wraps"
        " TypeError/ValueError/AttributeError from the resolver in ArchiveError."
    ),
    finding(
        "nonfinite-json", "burner_ios", b'[{"', sqlite3.OperationalError,
        lambda d: _json_items(d, "messageDuration", math.inf),
        "parsers/burner_ios.py:_message puts float('Infinity') (valid for Python's json) in"
        " duration_s; triage_app/core/casedb.py:dumps writes it as the non-JSON token"
        " Infinity, and the case database's json_extract index (artifacts_by_thread)"
        " refuses the row: 'malformed JSON', CaseDBError, every record of the file lost as"
        " 'internal error'. Any parser copying a NaN/inf float does the same. Fix: dumps"
        " (or parse_job.artifact_row) turns non-finite floats into null/strings; the"
        " parser rejects a non-finite duration."
    ),
    finding(
        "nonfinite-ts-raw", "discord_ios", b"CREATE TABLE cfurl_cache_response", ValueError,
        lambda d: _updated(d, "UPDATE cfurl_cache_response SET time_stamp = ?", value=math.inf),
        "triage_app/core/nsurlcache.py:_cache_record keeps a REAL infinity time_stamp as"
        " ts_raw; triage_app/core/parse_job.py:artifact_row stores it with json.dumps"
        " (Infinity), and `qarina export` writes the token Infinity: the line is not JSON"
        " (jq, JavaScript and strict readers refuse the export). Any parser whose ts_raw is"
        " a non-finite REAL does the same. Fix: artifact_row serialises ts_raw with"
        " allow_nan=False, falling back to str(value)."
    ),
    finding(
        "contacts-raw-id", "android_contacts", b"CREATE TABLE data", ValueError,
        lambda d: _updated(d, "UPDATE data SET raw_contact_id = ''"),
        "parsers/android_contacts.py:_details: int(raw_id) of a data.raw_contact_id that is"
        " not a number ('' here) raises ValueError while the phone/e-mail map is built,"
        " before any per-row guard: one bad cell loses every contact of contacts2.db. Fix:"
        " skip (and count in a warning) rows whose raw_contact_id is not an integer."
    ),
    finding(
        "xml-encoding", "telegram_android_account", b"<?xml", LookupError,
        lambda d: d.replace(b"encoding='utf-8'", b"encoding='tf-8'", 1),
        "parsers/telegram_android_account.py:parse: an XML declaration naming an unknown"
        " encoding makes the expat parser raise LookupError ('unknown encoding: tf-8'),"
        " which the parser does not catch (ParseError, DefusedXmlException only): 'internal"
        " error' instead of skipped. Fix: catch LookupError (and ValueError) there too."
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "needle", "build"), REGRESSIONS)
def test_fuzz_finding_regressions(
    name: str, needle: bytes, build: Callable[[bytes], bytes]
) -> None:
    """Inputs the fuzzing found that ended a parser with an exception parse_runner records as
    'internal error': each must end cleanly (records or a clean error) once fixed."""
    path, valid = _seed_with(name, needle)
    data = build(valid)
    try:
        records = run_parser(BY_NAME[name], path, data)
    except Exception as exc:  # noqa: BLE001 - re-raised below
        # Raised again from here, without the frames below: pytest parses the source of every
        # frame it shows, and CPython 3.11.7's parser fails (SystemError, "AST constructor
        # recursion depth mismatch") on the keyed archive's deep recursion after a long run.
        raise exc.with_traceback(None) from None
    check_contract(BY_NAME[name], path, data, records or [])
