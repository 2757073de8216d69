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
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import plistlib
import re
import signal
import sqlite3
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from parsers import PARSERS
from triage_app.core.casedb import ARTIFACT_COLUMNS, MIGRATIONS
from triage_app.core.dispatch import candidates
from triage_app.core.errors import EvidenceError, ParserError
from triage_app.core.evidence import open_evidence
from triage_app.core.export import ARTIFACT_SELECT, artifact_record
from triage_app.core.filetype import detect
from triage_app.core.models import Artifact
from triage_app.core.parse_job import artifact_row
from triage_app.core.parsing import FileInfo, NotApplicable, ParseContext, Parser
from triage_app.core.progress import CancelToken
from triage_app.core.sqlite_reader import SIBLING_SUFFIXES, copy_database
from triage_app.report.tables import KIND_FIELDS

EXAMPLES = int(os.environ.get("QARINA_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("QARINA_FUZZ_RANDOM"),
    database=None,
    deadline=timedelta(seconds=20),
    print_blob=True,
    # No "explain" phase: it traces every line of a failing example again (minutes on a parser).
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HANG_S = 30.0  # far beyond any example here (milliseconds): only a real hang trips it
PREFIX = 4096  # what the indexer detects types and dispatches on (hashing.prefix_len)
MAX_SEED_BYTES = 1 << 20
# Scratch copies of each example in memory where the OS offers it (half the wall time on disk).
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
CLEAN = (NotApplicable, ParserError, EvidenceError, OSError)  # parse_runner: skipped / error
TS_WINDOW = (datetime(1980, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
# Own fields the contract names only for some records (`encrypted`: a cookie stored encrypted).
CONDITIONAL = frozenset({"encrypted"})
BY_NAME: dict[str, Parser] = {cls.name: cls() for cls in PARSERS}


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in a parser hides it."""


@contextmanager
def time_limit(seconds: float, what: object = None) -> Iterator[None]:
    """Interrupt the block after `seconds` (POSIX main thread; elsewhere the deadline only).
    Hypothesis neither shrinks nor prints an input that ends in a BaseException: the message
    names `what` was being run, to replay it."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise Hang(f"no outcome after {seconds} s on {what!r}")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- valid files ----------------------------------------------------------------------------


def _fixture_tree(root: Path) -> None:
    """Files of every format the sample lacks, written by the parsers' own test modules at the
    paths the apps use (imported here so a change of fixture reaches the fuzzing too)."""
    import test_android_webview as webview
    import test_burner_ios as burner
    import test_chromium_autofill as autofill
    import test_chromium_cookies as cookies
    import test_discord_ios as discord
    import test_firefox_cookies as ff_cookies
    import test_firefox_formhistory as ff_forms
    import test_firefox_history as ff_history
    import test_hangouts as hangouts
    import test_imo_ios as imo
    import test_instagram_ios as instagram
    import test_kik as kik
    import test_messenger_android as messenger
    import test_mewe_ios as mewe
    import test_safari_cache as safari_cache
    import test_safari_cookies as safari_cookies
    import test_skype as skype
    import test_tango_android as tango
    import test_teams_ios as teams
    import test_twitter_ios as twitter
    import test_viber as viber

    webview.make_webview(root / webview.DB_DIR / "webview.db")
    webview.make_cache(root / webview.DB_DIR / "webviewCache.db")
    burner.make_cache(root / burner.CACHES)
    autofill.make_web_data(root / autofill.ANDROID / "Web Data")
    cookies.make_v24(root / cookies.PROFILE / "Network" / "Cookies")
    cookies.make_v10(root / cookies.ANDROID / "Cookies")
    discord.make_discord(root / discord.CACHES)
    ff_cookies.make_current(root / ff_cookies.LINUX_PROFILE)
    ff_forms.make_formhistory(root / ff_forms.LINUX_PROFILE)
    ff_history.make_modern_places(root / ff_history.LINUX_PROFILE)
    hangouts.make_babel(root / hangouts.TALK_DIR / "babel0.db")
    imo.make_imodb(root / imo.APP_DIR / "Documents" / "IMODb2.sqlite")
    instagram.make_db(root / instagram.APP_DIR / f"{instagram.ME}.db")
    kik.make_ios_store(root / kik.APP_DIR / "Documents" / "kik.sqlite")
    kik.make_android_db(root / kik.ANDROID_DIR / "kikDatabase.db")
    messenger.make_msys(root / messenger.ORCA / f"msys_database_{messenger.OWNER}")
    mewe.make_store(root / mewe.DB_PATH)
    safari_cache.make_cache(root / safari_cache.CACHES, safari_cache._entries())
    safari_cookies.make_cookies(
        root / safari_cookies.BACKUP_APP / "Library/Cookies/x.binarycookies"
    )
    skype.make_main_db(root / skype.SKYPE_DIR / "main.db")
    tango.make_tc(root / tango.FILES_DIR / "tc.db")
    tango.make_profile_db(root / tango.FILES_DIR / "tango_profile.db")
    teams.make_store(root / teams.DB_DIR / teams.DB_NAME)
    twitter.make_cache(root)
    viber.make_viber_data(root / viber.VIBER_DIR / "viber_data")
    viber.make_viber_messages(root / viber.VIBER_DIR / "viber_messages")


def file_info(path: str, data: bytes) -> FileInfo:
    """The indexer's row for `data` found at `path`."""
    name = path.rsplit("/", 1)[-1]
    digest = hashlib.sha256(data).hexdigest()
    return FileInfo(
        1, 1, None, path, name, len(data), digest, detect(data[:PREFIX], len(data)), False
    )


def _checkpointed(data: bytes, wal: bytes | None) -> bytes:
    """A database with its live WAL folded in (one file to mutate), in rollback-journal mode."""
    if wal is None or not data.startswith(b"SQLite format 3\x00"):
        return data
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db"
        db.write_bytes(data)
        Path(f"{db}-wal").write_bytes(wal)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        return db.read_bytes()


def _harvest(evidence: Path, work: Path) -> Iterator[tuple[str, str, bytes]]:
    """(parser, path, bytes) for every file of `evidence` the dispatcher offers a parser."""
    cancel = CancelToken()
    with open_evidence(evidence, work, cancel) as source:
        content: dict[str, bytes] = {}
        for entry in source.walk(cancel):
            if entry.ref.kind == "file" and 0 < entry.ref.size <= MAX_SEED_BYTES:
                with source.open(entry.ref.locator) as stream:
                    content[entry.ref.path] = stream.read()
    for path, data in sorted(content.items()):
        if path.endswith(SIBLING_SUFFIXES):
            continue
        for parser in candidates(file_info(path, data), data[:PREFIX], list(BY_NAME.values())):
            yield parser.name, path, _checkpointed(data, content.get(path + "-wal"))


@functools.cache
def seeds() -> dict[str, list[tuple[str, bytes]]]:
    """parser name → valid (path, bytes) files of its format; every parser has at least one."""
    from triage_app.sample import scenario
    from triage_app.sample.android import build_android
    from triage_app.sample.iphone import build_iphone

    found: dict[str, list[tuple[str, bytes]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        evidence = [
            build_android(scenario.ANDROID, root / "android.zip"),
            build_iphone(scenario.IPHONE, root / "iphone"),
        ]
        _fixture_tree(root / "fixtures")
        evidence.append(root / "fixtures")
        for item in evidence:
            for name, path, data in _harvest(item, root / "work"):
                found.setdefault(name, []).append((path, data))
    return found


# --- calling a parser the way parse_runner does -------------------------------------------


def run_parser(
    parser: Parser, path: str, data: bytes, what: object = None
) -> list[Artifact] | None:
    """The records of `parser` on `data` at `path`; [] for a clean `skipped`/`error` outcome,
    None when the dispatcher would not offer the file to the parser. Any other exception (or
    Hang) propagates: that is a finding."""
    file = file_info(path, data)
    if parser not in candidates(file, data[:PREFIX], [parser]):
        return None
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:

        def member(suffix: str) -> io.BytesIO | None:
            return io.BytesIO(data) if suffix == "" else None

        ctx = ParseContext(
            file=file,
            open=lambda: io.BytesIO(data),
            sqlite_copy=lambda: copy_database(member, file.name, file.sha256, Path(tmp)),
            cancel=CancelToken(),
        )
        try:
            with time_limit(HANG_S, what or (parser.name, path, data)):
                if not parser.accepts(file, ctx):
                    return []
                return list(parser.parse(file, ctx))
        except CLEAN:
            STATS["clean_errors"] += 1
            return []


@functools.cache
def _case_db() -> sqlite3.Connection:
    """An in-memory database with the case schema: records are stored and read back there."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    for migration in MIGRATIONS:
        conn.executescript(migration)
    return conn


def _strict(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def exported(record: Artifact, parser: Parser, file: FileInfo) -> dict[str, Any]:
    """`record` stored as parse_runner stores it and exported as `qarina export` writes it,
    parsed back by a strict JSON reader."""
    conn = _case_db()
    columns = ", ".join(ARTIFACT_COLUMNS)
    conn.execute("SAVEPOINT fuzz")
    try:
        cursor = conn.execute(
            f"INSERT INTO artifacts ({columns}) VALUES ({', '.join('?' * len(ARTIFACT_COLUMNS))})",
            artifact_row(record, file, parser.name),
        )
        row = conn.execute(f"{ARTIFACT_SELECT} WHERE a.id = ?", (cursor.lastrowid,)).fetchone()
        line = json.dumps(artifact_record(row), ensure_ascii=False, default=str)
    finally:
        conn.execute("ROLLBACK TO fuzz")
        conn.execute("RELEASE fuzz")
    line.encode("utf-8", "backslashreplace")
    result: dict[str, Any] = json.loads(line, parse_constant=_strict)
    return result


def check_contract(parser: Parser, path: str, data: bytes, records: list[Artifact]) -> None:
    file = file_info(path, data)
    for record in records:
        assert record.kind in parser.kinds, record
        missing = set(KIND_FIELDS[record.kind]) - set(record.fields) - CONDITIONAL
        assert not missing, f"{record.kind} record without {sorted(missing)}: {record}"
        if record.ts is not None:
            assert record.ts.tzinfo is not None, record
            assert TS_WINDOW[0] <= record.ts < TS_WINDOW[1], record
        out = exported(record, parser, file)
        assert out["ts"] is None or re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", out["ts"]
        ), out["ts"]


# Findings already diagnosed (each has an xfail regression test at the end of this module or
# in test_fuzz_search.py): the exception type and a frame (file, function) it passes through.
# Fuzzing counts them in STATS and goes on, so CI stays green and new findings stand out;
# whoever fixes one removes its entry here and the xfail marker of its regression test.
_APP = "triage_app/core/"
_TESTS = "tests/test_fuzz_parsers.py"
KNOWN: dict[str, tuple[tuple[type[BaseException], ...], str, str]] = {}
STATS: Counter[str] = Counter()  # examples, offered, records, clean_errors, known:<key>


def known(exc: BaseException) -> str | None:
    """The KNOWN finding `exc` is, if any."""
    frames = [
        (Path(f.filename).as_posix(), f.name) for f in traceback.extract_tb(exc.__traceback__)
    ]
    for key, (types, file, function) in KNOWN.items():
        if isinstance(exc, types) and (any(p.endswith(file) and n == function for p, n in frames)):
            return key
    return None


def fuzz_once(name: str, path: str, data: bytes, what: object = None) -> list[Artifact] | None:
    """One fuzz example: the parser's records (contract checked), [] for a clean error, None
    when the file is not offered to the parser or the outcome is a KNOWN finding."""
    parser = BY_NAME[name]
    STATS["examples"] += 1
    try:
        records = run_parser(parser, path, data, what)
        if records:
            check_contract(parser, path, data, records)
    except Exception as exc:
        key = known(exc)
        if key is None:
            raise
        STATS[f"known:{key}"] += 1
        return None
    STATS["offered"] += records is not None
    STATS["records"] += len(records or [])
    return records


# --- hostile values and edits ---------------------------------------------------------------
# Strategies draw small edit recipes, independent of the file they apply to: a failure prints
# as (parser, seed, recipe) and is kept below as such.

HOSTILE_TEXT = (
    "", "\x00", "a\x00b", "\u202egpj.exe", "<script>alert(1)</script>", '"><img src=x onerror=a()>',
    "' OR 1=1 --", "%s%n%x", "../../../etc/passwd", "C:\\Windows\\x", "\r\n\x1b[2J", "9" * 300,
    "السَّلَامُ عَلَيْكُمْ", "\u200f+218 91 234 5678\u200e", "null", "{", "[]", "NaN", "-1", "1e400",
    "18446744073709551616", "-9223372036854775809", "2024-13-45T25:61:61Z", "\ufeff\uffff",
    "\U0010ffff", "𝕏" * 50,
)  # fmt: skip
HOSTILE_INT = (
    0, -1, 1, 2**31 - 1, -(2**31), 2**32, 2**53 + 1, 2**63 - 1, -(2**63), 253402300800,
    253402300800000, -62135596800, 10**15, 10**17, 13354882013125000, 721692000,
)  # fmt: skip
HOSTILE_BLOB = (
    b"", b"\x00" * 8, b"\xff" * 8, b"bplist00", b"SQLite format 3\x00", b"\xc3\x28\xa0\xa1",
    b"\xff\xfe<\x00", b"\x1f\x8b\x08\x00", b'{"a":', b"\xed\xa0\x80",
)  # fmt: skip
SQL_VALUE = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(HOSTILE_INT),
    st.sampled_from(HOSTILE_BLOB),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),  # SQLite stores NaN as NULL; inf and -0.0 stay
    st.text(max_size=40),
    st.binary(max_size=40),
)
JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from((*HOSTILE_TEXT, "\ud800", "\udfff")),  # lone surrogates, as \\ud800
        st.sampled_from(HOSTILE_INT),
        st.integers(),  # past 64 bits too: JSON has no limit
        st.floats(),  # NaN and Infinity, as Python's json writes and reads them
        st.text(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
PLIST_VALUE = st.recursive(
    st.one_of(
        st.booleans(),
        st.sampled_from(HOSTILE_TEXT),
        st.integers(-(2**63), 2**64 - 1),
        st.floats(),
        st.binary(max_size=24),
        st.integers(0, 2**32 - 1).map(plistlib.UID),  # any object of the archive, or none
    ),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
INTERESTING = (
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x80\x00\x00\x00",
)
_ARGUMENT = {
    "flip": st.integers(0, 7),
    "set": st.sampled_from(INTERESTING) | st.binary(min_size=1, max_size=8),
    "insert": st.binary(min_size=1, max_size=64),
    "delete": st.integers(1, 512),
    "truncate": st.none(),
    "extend": st.binary(max_size=512),
}
# Positions are taken modulo the length; half of them fall in the first 4 KiB.
BYTE_EDITS = st.lists(
    st.sampled_from(sorted(_ARGUMENT)).flatmap(
        lambda op: st.tuples(
            st.just(op), st.integers(0, PREFIX - 1) | st.integers(0, 2**31), _ARGUMENT[op]
        )
    ),
    min_size=1,
    max_size=6,
)
TREE_EDITS = st.lists(
    st.tuples(st.integers(0, 2**16), JSON_VALUE, PLIST_VALUE), min_size=1, max_size=4
)
CELL_EDITS = st.lists(
    st.tuples(
        st.integers(0, 2**16),  # table
        st.integers(0, 2**16),  # column
        st.none() | st.integers(0, 2**16),  # row, or None for every row
        SQL_VALUE.map(lambda v: ("set", v)) | st.tuples(st.just("mutate"), TREE_EDITS, BYTE_EDITS),
    ),
    min_size=1,
    max_size=8,
)


def byte_edited(data: bytes, edits: list[tuple[str, int, Any]]) -> bytes:
    out = bytearray(data)
    for op, position, argument in edits:
        at = position % max(len(out), 1)
        if op == "flip" and out:
            out[at] ^= 1 << argument
        elif op == "set":
            out[at : at + len(argument)] = argument
        elif op == "insert":
            out[at:at] = argument
        elif op == "delete":
            del out[at : at + argument]
        elif op == "truncate":
            del out[at:]
        elif op == "extend":
            out += argument
    return bytes(out)


def _nodes(tree: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths (keys and indexes) to every node of a JSON or plist tree, the root included."""
    yield where
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _nodes(value, (*where, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _nodes(value, (*where, index))


def _replaced(tree: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    head, rest = where[0], where[1:]
    if isinstance(tree, dict):
        return {**tree, head: _replaced(tree[head], rest, value)}
    return [*tree[:head], _replaced(tree[head], rest, value), *tree[head + 1 :]]


def as_plist(data: bytes) -> Any | None:
    if not data.startswith(b"bplist00"):
        return None
    try:
        return plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    except Exception:  # noqa: BLE001 - an unreadable plist is simply not one to edit as a tree
        return None


def as_json(data: bytes) -> Any | None:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def tree_edited(data: bytes, edits: list[tuple[int, Any, Any]], fallback: list[Any]) -> bytes:
    """`data` (a JSON document or a binary plist) with nodes replaced; anything else, or a tree
    plistlib cannot write back, gets the byte edits `fallback` instead."""
    plist = as_plist(data)
    tree = plist if plist is not None else as_json(data)
    if tree is None:
        return byte_edited(data, fallback)
    for index, json_value, plist_value in edits:
        nodes = list(_nodes(tree))
        tree = _replaced(
            tree, nodes[index % len(nodes)], json_value if plist is None else plist_value
        )
    if plist is None:
        ascii_only = edits[0][0] % 2 == 0  # both spellings: \\ud800 escapes and raw UTF-8
        return json.dumps(tree, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        return plistlib.dumps(tree, fmt=plistlib.FMT_BINARY, sort_keys=False)
    except (TypeError, OverflowError, ValueError):
        return byte_edited(data, fallback)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    names = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
    ).fetchall()
    tables = [
        (n, [c[0] for c in conn.execute("SELECT name FROM pragma_table_info(?)", (n,))])
        for (n,) in names
    ]
    return [(n, columns) for n, columns in tables if columns]


def _cell_value(
    conn: sqlite3.Connection, table: str, column: str, row: int, spec: tuple[Any, ...]
) -> Any:
    if spec[0] == "set":
        return spec[1]
    sql = f"SELECT {_quoted(column)} FROM {_quoted(table)} LIMIT 1 OFFSET ?"
    current = conn.execute(sql, (row,)).fetchone()
    value = current[0] if current else None
    if isinstance(value, str):
        return tree_edited(value.encode(), spec[1], spec[2]).decode("utf-8", "replace")
    return tree_edited(value, spec[1], spec[2]) if isinstance(value, bytes) else value


def cells_edited(data: bytes, edits: list[tuple[int, int, int | None, tuple[Any, ...]]]) -> bytes:
    """The database `data` with cells (or whole columns) set to hostile values or to their own
    value edited. An update a constraint refuses is left out: the schema stays the app's."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        db = Path(tmp) / "db"
        db.write_bytes(data)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA synchronous=OFF")  # a scratch copy: no fsync per example
        tables = _tables(conn)
        for table_index, column_index, row, spec in edits if tables else []:
            table, columns = tables[table_index % len(tables)]
            column = columns[column_index % len(columns)]
            count = conn.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0]
            offset = None if row is None else row % max(count, 1)
            where = (
                ""
                if offset is None
                else f" WHERE rowid = (SELECT rowid FROM {_quoted(table)} LIMIT 1 OFFSET {offset})"
            )
            try:
                value = _cell_value(conn, table, column, offset or 0, spec)
                conn.execute(f"UPDATE {_quoted(table)} SET {_quoted(column)} = ?{where}", (value,))
            except (sqlite3.Error, OverflowError):
                continue
        conn.commit()
        conn.close()
        return db.read_bytes()


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
    with mock.patch(f"{__name__}.HANG_S", 0.5), pytest.raises(finding):
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
