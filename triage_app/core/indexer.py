"""Index stage: walk an evidence item, hash every file in one read, detect its type, decide
which parsers will see it, and commit all of that in atomic batches.

A file row and its pending parser runs are committed in the same transaction, so a scan
killed at any point resumes without duplicates: entries whose locator is already in the
case are skipped, and pending runs are picked up by the parse stage.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .case import Case
from .dispatch import candidates
from .evidence.base import Entry, EvidenceSource
from .filetype import detect
from .hashing import Digests, hash_stream
from .isolation import Done, Failed, Supervisor
from .parsing import FileInfo, Parser
from .progress import CancelToken, Progress, ThrottledSink
from .timeconv import iso
from .workers import PRELOAD, WORKERS, HashJob, HashResult, batch_limits, hash_batch

if TYPE_CHECKING:
    from ..search.content import ContentResult, ContentSpec

log = logging.getLogger(__name__)
BATCH_FILES = 2000
BATCH_SECONDS = 1.0
# Small evidence is hashed in this process; past these amounts the worker pool is started
# (workers forked from the fork server start in ~50 ms; spawned ones, on Windows and in the
# frozen app, spend about a second importing: repaid many times over on a real image).
POOL_AFTER_BYTES = 64 * 1024**2
POOL_AFTER_FILES = 3000
# With content search on, each file costs several times more CPU: the pool pays off sooner.
POOL_AFTER_BYTES_SEARCHING = 16 * 1024**2
POOL_AFTER_FILES_SEARCHING = 500
JOB_FILES = 256
JOB_BYTES = 32 * 1024**2
MAX_IN_FLIGHT = 4
POLL_SECONDS = 0.005

_INSERT_FILE = (
    "INSERT INTO files (id, evidence_id, volume, path, name, kind, size, mtime, atime, ctime,"
    " crtime, inode, deleted, locator, sha256, md5, mime, note, error)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_EMPTY = Digests(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "d41d8cd98f00b204e9800998ecf8427e",
    0,
    b"",
)
_INSERT_RUN = (
    "INSERT OR IGNORE INTO parser_runs (parser, file_id, version, status) VALUES (?,?,?,'pending')"
)


@dataclass
class _Pending:
    entry: Entry
    locator: str
    digests: Digests | None = None
    error: str | None = None
    mime: str | None = None
    found: ContentResult | None = None
    done: bool = False  # hashed (or nothing to hash): may be committed once those before are


@dataclass
class IndexStats:
    files: int = 0
    bytes: int = 0
    errors: int = 0
    skipped_existing: int = 0


class Indexer:
    def __init__(
        self,
        case: Case,
        evidence_id: int,
        evidence_path: Path,
        source: EvidenceSource,
        parsers: Sequence[Parser],
        sink: ThrottledSink,
        cancel: CancelToken,
        content: ContentSpec | None = None,
    ) -> None:
        self._case = case
        self._content = content
        self._eid = evidence_id
        self._path = evidence_path
        self._source = source
        self._parsers = parsers
        self._sink = sink
        self._cancel = cancel
        self.stats = IndexStats()
        # Every entry in walk order; the done ones at its head are committed, so file ids
        # follow the walk whatever order the workers finish in.
        self._order: deque[_Pending] = deque()
        self._waiting: dict[int, _Pending] = {}
        self._jobs: list[HashJob] = []
        self._job_bytes = 0
        # Batches sent to the workers, oldest first (results come back in any order).
        self._in_flight: deque[tuple[int, list[HashJob]]] = deque()
        self._returned: dict[object, list[HashResult] | Failed] = {}  # by batch
        self._batch = 0
        self._next_poll = 0.0
        self._pool: Supervisor | None = None
        self._inline_files = 0
        self._next_key = 0
        # Encrypted backups: a worker could not reopen them without the password, which
        # is deliberately kept in this process only. EWF uses the workers too since content
        # search runs in them (2.9 GB benchmark E01: 56.7 s without, 43.1 s with); before
        # that, the custody thread's decompression was the critical path and they starved it.
        self._use_pool = not source.info.metadata.get("encrypted")
        self._last_commit = time.monotonic()

    def run(self) -> IndexStats:
        known = {
            r[0]
            for r in self._case.db.execute(
                "SELECT locator FROM files WHERE evidence_id=?", (self._eid,)
            )
        }
        try:
            for entry in self._source.walk(self._cancel):
                locator = entry.ref.locator.serialize()
                if locator in known:
                    self.stats.skipped_existing += 1
                    continue
                self._add(_Pending(entry, locator))
                self._collect(block=False)
                if self._flush_due():
                    self._flush()
            self._submit()
        finally:
            # Also on cancel: what was read is kept, in-flight batches are short.
            self._collect(block=True)
            self._flush()
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        return self.stats

    def _add(self, p: _Pending) -> None:
        self._order.append(p)
        ref = p.entry.ref
        if p.entry.opener is None:
            if ref.kind == "file" and ref.size == 0 and ref.note is None:
                p.digests = _EMPTY
            p.done = True
        elif self._pool is None and not (self._use_pool and self._pool_due()):
            self._hash_inline(p)
            self._inline_files += 1
            p.done = True
        else:
            self._next_key += 1
            key = self._next_key
            self._waiting[key] = p
            self._jobs.append(HashJob(key, p.locator, ref.size))
            self._job_bytes += ref.size
            if len(self._jobs) >= JOB_FILES or self._job_bytes >= JOB_BYTES:
                self._submit()

    def _pool_due(self) -> bool:
        if self._content is not None:
            return (
                self.stats.bytes >= POOL_AFTER_BYTES_SEARCHING
                or self._inline_files >= POOL_AFTER_FILES_SEARCHING
            )
        return self.stats.bytes >= POOL_AFTER_BYTES or self._inline_files >= POOL_AFTER_FILES

    def _hash_inline(self, p: _Pending) -> None:
        assert p.entry.opener is not None
        size = p.entry.ref.size
        try:
            keep = self._content.keep if self._content else 0
            with p.entry.opener() as stream:
                p.digests = hash_stream(stream, self._cancel, size, self._count_bytes, keep=keep)
        except OSError as exc:
            self.stats.errors += 1
            p.error = f"read error: {exc}"
            return
        if p.digests.size != size:
            p.error = f"read {p.digests.size} bytes of {size} declared"
        if self._content is not None:
            from ..search.content import search_content

            p.mime = detect(p.digests.prefix, p.digests.size)
            p.found = search_content(self._content, p.digests.content, p.mime, p.digests.sha256)
            p.digests = Digests(p.digests.sha256, p.digests.md5, p.digests.size, p.digests.prefix)

    def _submit(self) -> None:
        if not self._jobs:
            return
        if self._pool is None:
            self._pool = Supervisor(WORKERS, batch_limits([]), preload=PRELOAD)
        while len(self._in_flight) >= MAX_IN_FLIGHT:
            self._collect_head(block=True)
        jobs, self._jobs, self._job_bytes = self._jobs, [], 0
        self._in_flight.append((self._send(jobs), jobs))

    def _send(self, jobs: list[HashJob]) -> int:
        assert self._pool is not None
        self._batch += 1
        spec = (str(self._path), str(self._case.workdir), jobs, self._content)
        self._pool.submit(self._batch, hash_batch, *spec, limits=batch_limits(jobs))
        return self._batch

    def _collect(self, block: bool) -> None:
        if not block:  # polling the workers' pipes costs ~50 µs: not after every entry
            now = time.monotonic()
            if now < self._next_poll:
                return
            self._next_poll = now + POLL_SECONDS
        while self._in_flight and self._collect_head(block):
            pass

    def _collect_head(self, block: bool) -> bool:
        """Take the oldest batch's results if they are back (waiting for them if `block`);
        False when they are not."""
        assert self._pool is not None
        batch, jobs = self._in_flight[0]
        for event in self._pool.events(None if block else 0.0):
            if isinstance(event, Done):
                self._returned[event.task_id] = event.result
            elif isinstance(event, Failed):
                self._returned[event.task_id] = event
            if batch in self._returned:
                break
        if batch not in self._returned:
            return False
        self._in_flight.popleft()
        returned = self._returned.pop(batch)
        if isinstance(returned, Failed):
            self._failed(jobs, returned)
        else:
            self._take(returned)
        return True

    def _take(self, results: list[HashResult]) -> None:
        for r in results:
            p = self._waiting.pop(r.key)
            if r.sha256 is not None and r.md5 is not None:
                p.digests = Digests(r.sha256, r.md5, r.size, r.prefix)
                p.mime = r.mime
                p.found = r.found
                self.stats.bytes += r.size
            else:
                self.stats.errors += 1
            p.error = r.error
            p.done = True

    def _failed(self, jobs: list[HashJob], failed: Failed) -> None:
        """A batch's worker crashed, hung or ran out of memory: its files are sent again one
        per task, in the batch's place, so only the file that caused it is lost (recorded
        with the reason). A worker that raised (e.g. could not open the evidence) leaves the
        batch to this process."""
        if failed.kind == "error":
            log.warning("hash worker failed (%s); hashing %d files here", failed.message, len(jobs))
            for job in jobs:
                p = self._waiting.pop(job.key)
                self._hash_inline(p)
                p.done = True
        elif len(jobs) > 1:
            log.warning("hash worker %s; retrying %d files one by one", failed.message, len(jobs))
            self._in_flight.extendleft((self._send([job]), [job]) for job in reversed(jobs))
        else:
            p = self._waiting.pop(jobs[0].key)
            p.error = f"content not read: {failed.message}"
            self.stats.errors += 1
            p.done = True

    def _count_bytes(self, n: int) -> None:
        self.stats.bytes += n

    def _flush_due(self) -> bool:
        return (
            len(self._order) >= BATCH_FILES or time.monotonic() - self._last_commit >= BATCH_SECONDS
        )

    def _flush(self) -> None:
        ready: list[_Pending] = []
        while self._order and self._order[0].done:
            ready.append(self._order.popleft())
        if not ready:
            return
        for p in ready:  # hashed here without content search: no type detected yet
            if p.mime is None and p.digests is not None:
                p.mime = detect(p.digests.prefix, p.digests.size)
        with self._case.db.transaction() as conn:
            # Ids are given as SQLite would (max + 1, no row is ever deleted), so the rows
            # go in with one executemany and the hits and parser runs can name their file.
            (first,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM files").fetchone()
            ids = range(first, first + len(ready))
            conn.executemany(_INSERT_FILE, map(self._row, ids, ready))
            runs: list[tuple[str, int, str]] = []
            for file_id, p in zip(ids, ready, strict=True):
                if p.digests is None:
                    continue
                if p.found is not None:
                    _store_found(conn, self._eid, file_id, p.found)
                info = FileInfo(
                    file_id, self._eid, p.entry.ref.volume, p.entry.ref.path, p.entry.ref.name,
                    p.entry.ref.size, p.digests.sha256, p.mime, p.entry.ref.deleted,
                )  # fmt: skip
                runs += [
                    (r.name, file_id, r.version)
                    for r in candidates(info, p.digests.prefix, self._parsers)
                ]
            conn.executemany(_INSERT_RUN, runs)
        self.stats.files += len(ready)
        self._last_commit = time.monotonic()
        self._sink.update(
            Progress(
                "index",
                files_done=self.stats.files,
                bytes_done=self.stats.bytes,
                bytes_total=self._source.info.media_size,
            )
        )

    def _row(self, file_id: int, p: _Pending) -> tuple[object, ...]:
        ref, digests = p.entry.ref, p.digests
        return (
            file_id, self._eid, ref.volume, ref.path, ref.name, ref.kind, ref.size,
            iso(ref.mtime), iso(ref.atime), iso(ref.ctime), iso(ref.crtime), ref.inode,
            int(ref.deleted), p.locator, digests.sha256 if digests else None,
            digests.md5 if digests else None, p.mime, ref.note, p.error,
        )  # fmt: skip


def _store_found(
    conn: sqlite3.Connection, evidence_id: int, file_id: int, found: ContentResult
) -> None:
    """A file's keyword hits and identifiers, in the transaction that adds the file."""
    from ..search.records import EntityWriter, insert_file_hits

    if found.hits:
        insert_file_hits(conn, evidence_id, file_id, found.hits)
    if found.identifiers:
        entities = EntityWriter(conn)
        for kind, value, subtype, raw in found.identifiers:
            entities.add(kind, value, evidence_id, subtype=subtype, file_id=file_id, raw=raw)
        entities.flush()
    if found.error:
        conn.execute(
            "UPDATE files SET error = coalesce(error || '; ', '') || ? WHERE id = ?",
            (found.error, file_id),
        )
