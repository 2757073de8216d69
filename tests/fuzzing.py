"""The harness of the property-based parser fuzzing (tests/test_fuzz_parsers.py, also used by
tests/test_fuzz_search.py and benchmarks/fuzz_figures.py): the Hypothesis settings (`FUZZ`),
the hang alarm (`time_limit`), the valid files every parser is fuzzed from (`seeds`), a parser
called as `parse_runner` calls it (`run_parser`), its records checked against the export
contract (`check_contract`, `exported`), the diagnosed findings (`KNOWN`, `known`) and the
counters of a run (`STATS`). `fuzz_once` is one example: all of the above together.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import signal
import sqlite3
import tempfile
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

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


# Findings already diagnosed (each has an xfail regression test at the end of test_fuzz_parsers.py
# or in test_fuzz_search.py): the exception type and a frame (file, function) it passes through.
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
