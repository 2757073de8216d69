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
from collections.abc import Sequence
from dataclasses import dataclass

from .case import Case
from .dispatch import candidates
from .errors import Cancelled
from .evidence.base import Entry, EvidenceSource
from .filetype import detect
from .hashing import Digests, hash_stream
from .parsing import FileInfo, Parser
from .progress import CancelToken, Progress, ThrottledSink
from .timeconv import iso

log = logging.getLogger(__name__)
BATCH_FILES = 2000
BATCH_SECONDS = 1.0

_INSERT_FILE = (
    "INSERT INTO files (evidence_id, volume, path, name, kind, size, mtime, atime, ctime, crtime,"
    " inode, deleted, locator, sha256, md5, mime, note, error)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
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
        source: EvidenceSource,
        parsers: Sequence[Parser],
        sink: ThrottledSink,
        cancel: CancelToken,
    ) -> None:
        self._case = case
        self._eid = evidence_id
        self._source = source
        self._parsers = parsers
        self._sink = sink
        self._cancel = cancel
        self.stats = IndexStats()
        self._pending: list[tuple[Entry, Digests | None, str | None]] = []
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
                if entry.ref.locator.serialize() in known:
                    self.stats.skipped_existing += 1
                    continue
                self._pending.append(self._hash(entry))
                if self._batch_due():
                    self._flush()
        except Cancelled:
            self._flush()
            raise
        self._flush()
        return self.stats

    def _hash(self, entry: Entry) -> tuple[Entry, Digests | None, str | None]:
        if entry.opener is None:
            if entry.ref.kind == "file" and entry.ref.size == 0 and entry.ref.note is None:
                return entry, _EMPTY, None
            return entry, None, None
        try:
            stream = entry.opener()
            with stream:
                digests = hash_stream(stream, self._cancel, entry.ref.size, self._count_bytes)
        except OSError as exc:
            self.stats.errors += 1
            return entry, None, f"read error: {exc}"
        if digests.size != entry.ref.size:
            note = f"read {digests.size} bytes of {entry.ref.size} declared"
            return entry, digests, note
        return entry, digests, None

    def _count_bytes(self, n: int) -> None:
        self.stats.bytes += n

    def _batch_due(self) -> bool:
        return (
            len(self._pending) >= BATCH_FILES
            or time.monotonic() - self._last_commit >= BATCH_SECONDS
        )

    def _flush(self) -> None:
        if not self._pending:
            return
        with self._case.db.transaction() as conn:
            for entry, digests, error in self._pending:
                self._write(conn, entry, digests, error)
        self.stats.files += len(self._pending)
        self._pending.clear()
        self._last_commit = time.monotonic()
        self._sink.update(
            Progress(
                "index",
                files_done=self.stats.files,
                bytes_done=self.stats.bytes,
                bytes_total=self._source.info.media_size,
            )
        )

    def _write(
        self, conn: sqlite3.Connection, entry: Entry, digests: Digests | None, error: str | None
    ) -> None:
        ref = entry.ref
        mime = detect(digests.prefix, digests.size) if digests else None
        cur = conn.execute(
            _INSERT_FILE,
            (
                self._eid,
                ref.volume,
                ref.path,
                ref.name,
                ref.kind,
                ref.size,
                iso(ref.mtime),
                iso(ref.atime),
                iso(ref.ctime),
                iso(ref.crtime),
                ref.inode,
                int(ref.deleted),
                ref.locator.serialize(),
                digests.sha256 if digests else None,
                digests.md5 if digests else None,
                mime,
                ref.note,
                error,
            ),
        )
        if digests is None or cur.lastrowid is None:
            return
        info = FileInfo(
            cur.lastrowid, self._eid, ref.volume, ref.path, ref.name, ref.size,
            digests.sha256, mime, ref.deleted,
        )  # fmt: skip
        for parser in candidates(info, digests.prefix, self._parsers):
            conn.execute(_INSERT_RUN, (parser.name, info.id, parser.version))
