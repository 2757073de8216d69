"""Parse stage: run every pending parser × file pair and record its outcome.

Each pair ends as `ok` (records found), `no_data` (parsed, nothing in it), `error` (with the
reason), `skipped` or `cancelled`. Parsers run in worker processes (`isolation.Supervisor`)
with a time and memory limit per file: a parser that hangs, crashes native code or exhausts
memory on a hostile file costs that file only, recorded as `error` with the reason ("stopped:
the parser ran past its 900 s limit", "the parser's process died (killed by SIGSEGV)",
"stopped: the parser exceeded its memory limit (2048 MB)"), and the scan goes on.

This process stays the one writer of the case database and commits each pair's records in the
pairs' order (file id, then parser name), whatever order the workers finish in, so record ids
are the same on every run. Records of a pair that is not first in line wait in memory, then in
a temporary file (`_Rows`). A pair's writes (its start, its records, its outcome) go into the
next transaction, committed every BATCH_RECORDS records or BATCH_SECONDS, so results appear
during a long parse and a run of small files (photos) costs one commit per batch instead of
three per file: each commit waits for the disk (`synchronous=FULL`). A run killed before a
commit leaves those pairs pending, and leftovers of an interrupted pair are deleted before it
runs again.

Evidence a worker cannot reopen (an encrypted backup: its password stays in this process) and
parsers that cannot be sent to a worker are run here, in the same order.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import shutil
import sqlite3
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .case import Case
from .casedb import ARTIFACT_COLUMNS, now_iso
from .errors import Cancelled, CaseDBError
from .evidence.base import EvidenceSource
from .isolation import Done, Event, Failed, Item, Limits, Supervisor
from .parse_job import Outcome, ParseJob, Row, parse_in_worker, parse_rows
from .parsing import FileInfo, Parser
from .progress import CancelToken, Progress, ThrottledSink
from .sqlite_reader import SIBLING_SUFFIXES

log = logging.getLogger(__name__)
BATCH_RECORDS = 5000
BATCH_SECONDS = 1.0  # a batch is committed at least this often, so the GUI sees records arrive
WORKERS = 2
AHEAD = 4 * WORKERS  # pairs given to workers beyond the one being committed
PRELOAD = ("triage_app.core.parse_job", "parsers")  # what the fork server imports (Linux)
SPILL_ROWS = 20_000  # rows of a waiting pair kept in memory before the rest go to a file

_PENDING = """
SELECT r.parser, r.file_id, f.evidence_id, f.volume, f.path, f.name, f.size, f.sha256,
       f.mime, f.deleted, f.locator
FROM parser_runs r JOIN files f ON f.id = r.file_id
WHERE r.status NOT IN ('ok', 'no_data') AND f.evidence_id = ?
ORDER BY r.file_id, r.parser
"""


@dataclass
class ParseStats:
    runs: int = 0
    records: int = 0
    errors: int = 0


@dataclass
class _Pair:
    job: ParseJob
    source: EvidenceSource
    isolated: bool
    rows: _Rows = field(default_factory=lambda: _Rows())
    outcome: Outcome | None = None
    started: bool = False
    records: int = 0


class _Rows:
    """Rows of a pair waiting its turn: in memory, then in an anonymous temporary file."""

    def __init__(self) -> None:
        self._memory: list[Row] = []
        self._file: IO[bytes] | None = None
        self.spill_dir: Path | None = None

    def add(self, rows: list[Row]) -> None:
        if self._file is None and len(self._memory) + len(rows) <= SPILL_ROWS:
            self._memory.extend(rows)
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self.spill_dir)  # noqa: SIM115 - kept open
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def take(self) -> Iterator[Row]:
        """Every row added so far, in order, and forget them."""
        rows, self._memory = self._memory, []
        yield from rows
        if self._file is not None:
            self._file.seek(0)
            with contextlib.suppress(EOFError):
                while True:
                    yield from pickle.load(self._file)
            self._file.close()
            self._file = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class ParseRunner:
    def __init__(
        self,
        case: Case,
        sources: Mapping[int, EvidenceSource],
        parsers: Sequence[Parser],
        sink: ThrottledSink,
        cancel: CancelToken,
        limits: Limits,
        paths: Mapping[int, Path] | None = None,
    ) -> None:
        """`limits`: a pair's base time (plus 1 s per 2 MB of its file) and memory.
        `paths` (evidence id → path) lets workers reopen an evidence item; pairs of items
        without one run in this process."""
        self._case = case
        self._sources = sources
        self._parsers = {p.name: p for p in parsers}
        self._sink = sink
        self._cancel = cancel
        self._paths = paths or {}
        self._limits = limits
        self._sendable = {name: _sendable(p) for name, p in self._parsers.items()}
        self._supervisor: Supervisor | None = None
        self._line: deque[_Pair] = deque()  # pairs handed out, in commit order
        self._by_id: dict[int, _Pair] = {}
        # Writes not yet committed, in order: SQL statements, and lists of records.
        self._writes: list[tuple[str, tuple[object, ...]] | list[Row]] = []
        self._rows = 0  # records in self._writes
        self._committed = time.monotonic()
        self.stats = ParseStats()

    def run(self) -> ParseStats:
        pairs = self._pairs()
        try:
            more = True
            while more or self._line:
                while more and len(self._line) <= AHEAD:
                    pair = next(pairs, None)
                    more = pair is not None
                    if pair is not None:
                        self._hand_out(pair)
                self._commit_ready()
                if self._line and self._supervisor is not None and self._waiting():
                    for event in self._supervisor.events(timeout=0.25):
                        self._take(event)
                        break
                self._cancel.check()
            self._commit()
        except BaseException as exc:
            self._abandon(exc)
            raise
        finally:
            if self._supervisor is not None:
                self._supervisor.close()
        return self.stats

    # --- handing out ------------------------------------------------------------------------

    def _pairs(self) -> Iterator[_Pair]:
        for evidence_id, source in self._sources.items():
            path = self._paths.get(evidence_id)
            reopen = path is not None and not source.info.metadata.get("encrypted")
            for row in self._case.db.query(_PENDING, (evidence_id,)):
                parser = self._parsers.get(row["parser"])
                if parser is None:
                    self._finish(row["parser"], row["file_id"], "skipped", "parser not available")
                    continue
                job = self._job(parser, row, (str(path), str(self._case.workdir)))
                yield _Pair(job, source, reopen and self._sendable[parser.name])

    def _job(self, parser: Parser, row: sqlite3.Row, evidence: tuple[str, str]) -> ParseJob:
        file = FileInfo(
            row["file_id"], row["evidence_id"], row["volume"], row["path"], row["name"],
            row["size"], row["sha256"], row["mime"], bool(row["deleted"]),
        )  # fmt: skip
        siblings = {
            r["path"][len(file.path) :]: r["locator"]
            for r in self._case.db.query(
                "SELECT path, locator FROM files WHERE evidence_id=? AND volume IS ? AND path IN"
                " (?, ?, ?) AND kind='file'",
                (file.evidence_id, file.volume, *(file.path + s for s in SIBLING_SUFFIXES)),
            )
        }
        copy_dir = self._case.workdir / "sqlite" / f"{file.id}-{parser.name}"  # one per pair
        return ParseJob(parser, file, row["locator"], siblings, str(copy_dir), evidence)

    def _hand_out(self, pair: _Pair) -> None:
        pair.rows.spill_dir = self._case.workdir
        self._line.append(pair)
        if not pair.isolated:
            return
        if self._supervisor is None:
            self._supervisor = Supervisor(WORKERS, self._limits, chunk_items=1000, preload=PRELOAD)
        key = id(pair)
        self._by_id[key] = pair
        seconds = self._limits.seconds + pair.job.file.size / 2_000_000
        limits = Limits(seconds, self._limits.memory_mb)
        self._supervisor.submit(key, parse_in_worker, pair.job, limits=limits)

    def _waiting(self) -> bool:
        """Whether the pair first in line waits on a worker (else it can be committed now)."""
        head = self._line[0]
        return head.isolated and head.outcome is None

    def _take(self, event: Event) -> None:
        key = event.task_id
        if not isinstance(key, int) or (pair := self._by_id.get(key)) is None:
            return
        if isinstance(event, Item):
            if pair is self._line[0]:
                self._start(pair)
                self._add(pair, event.items)
            else:
                pair.rows.add(event.items)
        elif isinstance(event, Done):
            pair.outcome = event.result
            del self._by_id[key]
        elif isinstance(event, Failed):
            pair.outcome = Outcome("error", _failure(event, pair.job, self._limits))
            del self._by_id[key]
            shutil.rmtree(pair.job.copy_dir, ignore_errors=True)

    # --- committing, in order ---------------------------------------------------------------

    def _commit_ready(self) -> None:
        while self._line:
            pair = self._line[0]
            self._start(pair)
            if not pair.isolated:
                self._run_here(pair)
            self._add(pair, pair.rows.take())
            if pair.outcome is None:
                break
            self._end(pair, pair.outcome)
            self._line.popleft()
        if self._rows >= BATCH_RECORDS or time.monotonic() - self._committed >= BATCH_SECONDS:
            self._commit()

    def _run_here(self, pair: _Pair) -> None:
        rows = parse_rows(pair.job, pair.source, self._cancel)
        while True:
            try:
                self._add(pair, [next(rows)])
            except StopIteration as stop:
                pair.outcome = stop.value
                return
            except MemoryError:
                pair.outcome = Outcome("error", "stopped: the parser ran out of memory")
                return

    def _start(self, pair: _Pair) -> None:
        if pair.started:
            return
        pair.started = True
        job = pair.job
        self._writes.append(
            ("DELETE FROM artifacts WHERE parser=? AND file_id=?", (job.parser.name, job.file.id))
        )
        self._writes.append(
            (
                "UPDATE parser_runs SET status='running', started=?, version=?"
                " WHERE parser=? AND file_id=?",
                (now_iso(), job.parser.version, job.parser.name, job.file.id),
            )
        )
        self.stats.runs += 1

    def _add(self, pair: _Pair, rows: Iterator[Row] | list[Row]) -> None:
        for row in rows:
            if not self._writes or not isinstance(self._writes[-1], list):
                self._writes.append([])
            batch = self._writes[-1]
            assert isinstance(batch, list)
            batch.append(row)
            self._rows += 1
            pair.records += 1
            if self._rows >= BATCH_RECORDS:
                self._commit()
        if self._rows and time.monotonic() - self._committed >= BATCH_SECONDS:
            self._commit()

    def _commit(self) -> None:
        """Write everything pending in one transaction."""
        self._committed = time.monotonic()
        if not self._writes:
            return
        with self._case.db.transaction():
            for write in self._writes:
                if isinstance(write, list):
                    self._case.db.insert_many("artifacts", ARTIFACT_COLUMNS, write)
                else:
                    self._case.db.execute(*write)
        self.stats.records += self._rows
        self._writes, self._rows = [], 0
        self._sink.update(
            Progress("parse", files_done=self.stats.runs, findings=self.stats.records)
        )

    def _end(self, pair: _Pair, outcome: Outcome) -> None:
        if outcome.status == "disk_full":
            raise CaseDBError(f"the case folder is full: {outcome.message}")
        status = outcome.status
        if status == "error":
            self.stats.errors += 1
        message = outcome.message
        if status == "error" and pair.records:
            message += f"; the {pair.records} record(s) read before it stopped are kept"
        if outcome.warnings:
            shown = f"{outcome.warning_count} warning(s): {'; '.join(outcome.warnings[:5])}"
            message = f"{message}; {shown}" if message else shown
        job = pair.job  # records found before an error are kept, and counted
        self._finish(job.parser.name, job.file.id, status, message, pair.records,
                     outcome.warning_count)  # fmt: skip

    def _abandon(self, exc: BaseException) -> None:
        """The stage stops (cancelled, or the case cannot be written): keep what was
        committed, mark the pair being committed, drop the copies of the others."""
        if self._supervisor is not None:
            self._supervisor.cancel()
        head = self._line[0] if self._line else None
        with contextlib.suppress(CaseDBError):  # what was found stays (the case may be full)
            if head is not None and head.started and isinstance(exc, Cancelled):
                self._finish(head.job.parser.name, head.job.file.id, "cancelled",
                             "cancelled by user", head.records)  # fmt: skip
            self._commit()
        for pair in self._line:
            pair.rows.close()
            shutil.rmtree(pair.job.copy_dir, ignore_errors=True)
        self._line.clear()

    def _finish(
        self,
        parser: str,
        file_id: int,
        status: str,
        message: str,
        records: int = 0,
        warnings: int = 0,
    ) -> None:
        self._writes.append(
            (
                "UPDATE parser_runs SET status=?, message=?, records=?, warnings=?, finished=?"
                " WHERE parser=? AND file_id=?",
                (status, message, records, warnings, now_iso(), parser, file_id),
            )
        )


def _sendable(parser: Parser) -> bool:
    """Whether a worker process can be given this parser (a class it can import by name)."""
    try:
        pickle.loads(pickle.dumps(parser))
    except Exception:  # noqa: BLE001 - e.g. a class defined inside a function
        return False
    return True


def _failure(event: Failed, job: ParseJob, limits: Limits) -> str:
    """The reason a worker gave no outcome, as the coverage table shows it."""
    log.warning("%s on %s: %s: %s", job.parser.name, job.file.path, event.kind, event.message)
    first = event.message.strip().splitlines()[0] if event.message.strip() else event.kind
    if event.kind == "timeout":
        return f"stopped: the parser {first}"
    if event.kind == "memory":
        return f"stopped: the parser exceeded its memory limit ({limits.memory_mb} MB)"
    if event.kind == "crashed":
        return f"the parser's process died ({first.removeprefix('worker died: ')})"
    return f"internal error in the parser's process: {first}"
