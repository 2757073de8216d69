"""The scan pipeline: open → register → index (+ custody hash in parallel) → parse → verify.

One bad file, parser or partition never stops a scan; an evidence item that cannot be
opened, or fails verification, is recorded with its reason and reported in the summary.
The only fatal error is a case database that cannot be written (`CaseDBError`).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from . import workers
from .apps import record_installed_apps
from .case import Case
from .casedb import dumps, now_iso
from .custody import CustodyHasher, CustodyResult
from .errors import Cancelled, CaseDBError, EvidenceError
from .evidence import first_segments, open_evidence
from .evidence.base import EvidenceSource
from .indexer import Indexer
from .isolation import Limits, warm_up
from .models import ScanOptions, ScanSummary
from .parse_runner import PRELOAD, ParseRunner
from .parsing import Parser
from .progress import CancelToken, NullSink, Progress, ProgressSink, ThrottledSink

log = logging.getLogger(__name__)


def default_parsers() -> list[Parser]:
    from parsers import all_parsers

    return all_parsers()


class Scan:
    def __init__(
        self,
        case: Case,
        options: ScanOptions,
        sink: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        parsers: Sequence[Parser] | None = None,
    ) -> None:
        self.case = case
        self.options = options
        self.sink = ThrottledSink(sink or NullSink())
        self.cancel = cancel or CancelToken()
        self.parsers = list(parsers) if parsers is not None else default_parsers()
        self.summary = ScanSummary()
        self._sources: dict[int, EvidenceSource] = {}
        self._paths: dict[int, Path] = {}  # for worker processes, which reopen the evidence
        self._rules: Any = None  # search.scanner.RuleSet
        self._content: Any = None  # search.content.ContentSpec

    def run(self, paths: Sequence[Path]) -> ScanSummary:
        started = time.monotonic()
        if self.options.isolate:
            # The fork server imports what the parse and the hash workers need (it is started
            # once, so the first Supervisor's own preload would otherwise be the only one)
            # while the evidence is opened and indexed.
            warm_up((*PRELOAD, *workers.PRELOAD))
        scan_id = self._start()
        try:
            self._prepare_search(scan_id)
            for path in first_segments(list(paths)):
                self.cancel.check()
                self._evidence(Path(path))
            self.sink.update(Progress("parse", message="parsing artifacts"), force=True)
            opts = self.options
            runner = ParseRunner(
                self.case, self._sources, self.parsers, self.sink, self.cancel,
                Limits(opts.parse_seconds, opts.parse_memory_mb),
                paths=self._paths if opts.isolate else None,
            )  # fmt: skip
            stats = runner.run()
            self.summary.artifacts += stats.records
            self._search()
        except Cancelled:
            self.summary.status = "cancelled"
        except BaseException:
            self.summary.status = "failed"  # a full disk, a broken case database: re-raised
            raise
        finally:
            for source in self._sources.values():
                source.close()
            self.summary.seconds = time.monotonic() - started
            if self.summary.status == "failed":
                # Best effort: the disk may still be full; the error being raised matters more.
                with contextlib.suppress(Exception):
                    self._finish(scan_id)
            else:
                self._finish(scan_id)
        return self.summary

    def _prepare_search(self, scan_id: int) -> None:
        if not self.options.search:
            return
        from ..search.setup import chosen_packs, prepare

        opts = self.options
        packs, bundled = chosen_packs(
            opts.rules, opts.keywords, opts.bundled_rules, opts.disabled_packs
        )
        self._rules, self._content = prepare(
            self.case, scan_id, packs, bundled, max_bytes=opts.search_max_bytes
        )

    def _search(self) -> None:
        if self._content is None:
            return
        from ..search.hashset_match import match_hashsets
        from ..search.records import run_records_stage

        self.sink.update(Progress("search", message="searching records"), force=True)
        stats = run_records_stage(
            self.case, self._rules, self._content.regions, self.sink, self.cancel
        )
        hashset_hits = match_hashsets(self.case)
        self.case.audit.append(
            "search_finished", records=stats.records, keyword_hits=stats.hits,
            identifiers=stats.identifiers, hashset_hits=hashset_hits,
        )  # fmt: skip

    def _start(self) -> int:
        # A scan that is still `running` was killed (power loss, SIGKILL): say so, and drop the
        # database copies its parsers left in the work area (each pair is parsed again).
        shutil.rmtree(self.case.workdir / "sqlite", ignore_errors=True)
        with self.case.db.transaction():
            self.case.db.execute("UPDATE scans SET status='interrupted' WHERE status='running'")
            cur = self.case.db.execute(
                "INSERT INTO scans (started, status) VALUES (?, 'running')", (now_iso(),)
            )
        self.case.audit.append(
            "scan_started", tool=f"qarina {__version__}", parsers=[p.name for p in self.parsers]
        )
        return int(cur.lastrowid or 0)

    def _finish(self, scan_id: int) -> None:
        s = self.summary
        totals = {"files": s.files, "bytes": s.bytes_hashed, "artifacts": s.artifacts}
        with self.case.db.transaction():
            self.case.db.execute(
                "UPDATE scans SET finished=?, status=?, summary=? WHERE id=?",
                (now_iso(), s.status, dumps({**totals, "evidence": s.evidence}), scan_id),
            )
        action = {"cancelled": "scan_cancelled", "failed": "scan_failed"}.get(
            s.status, "scan_finished"
        )
        self.case.audit.append(action, seconds=round(s.seconds, 3), **totals)

    def _evidence(self, path: Path) -> None:
        identity = str(path.resolve())
        self.sink.update(Progress("open", message=str(path)), force=True)
        try:
            source = open_evidence(path, self.case.workdir, self.cancel, self.options.password)
        except EvidenceError as exc:
            self._record_failure(path, identity, exc)
            return
        if source.info.warnings:
            source.info.metadata["warnings"] = list(source.info.warnings)
        eid, row = self._register(path, identity, source)
        self._sources[eid] = source
        self._paths[eid] = path
        skipped = self._skip_volumes(eid, identity, source)
        entry: dict[str, Any] = {"id": eid, "path": str(path), "status": "ok"}
        self.summary.evidence.append(entry)
        skip_media = row["media_sha256"] is not None or row["verification"] == "not_applicable"
        hasher = CustodyHasher(source, self.cancel, skip_media=skip_media)
        hasher.start()
        try:
            if not row["walk_complete"]:
                self._index(eid, path, source, complete=not skipped)
            record_installed_apps(self.case, eid, source)
        finally:
            hasher.join()
            self._store_custody(eid, source, hasher.result, entry, skip_media)

    def _skip_volumes(self, eid: int, identity: str, source: EvidenceSource) -> list[str]:
        wanted = {i for p, i in self.options.skip_volumes if p in ("*", identity)}
        if not wanted:
            return []
        skipped = source.exclude_volumes(wanted)
        self.case.audit.append("volumes_skipped", evidence_id=eid, volumes=skipped,
                               asked=sorted(wanted))  # fmt: skip
        return skipped

    def _index(self, eid: int, path: Path, source: EvidenceSource, complete: bool = True) -> None:
        """Walk and index; `complete` False (partitions were left out) keeps the evidence
        open to a later scan that walks them."""
        self.sink.update(Progress("index", bytes_total=source.info.media_size), force=True)
        indexer = Indexer(
            self.case, eid, path, source, self.parsers, self.sink, self.cancel, self._content
        )
        try:
            stats = indexer.run()
        finally:
            self.summary.files += indexer.stats.files
            self.summary.bytes_hashed += indexer.stats.bytes
            self._store_volumes(eid, source)
        if complete:
            with self.case.db.transaction():
                self.case.db.execute("UPDATE evidence SET walk_complete=1 WHERE id=?", (eid,))
        self.case.audit.append(
            "evidence_indexed", evidence_id=eid, files=stats.files, read_errors=stats.errors
        )

    def _register(self, path: Path, identity: str, source: EvidenceSource) -> tuple[int, Any]:
        info = source.info
        rows = self.case.db.query("SELECT * FROM evidence WHERE identity=?", (identity,))
        if rows:
            eid = int(rows[0]["id"])
            if not self._audited_addition(eid):  # killed between the row and its audit entry
                self._audit_added(eid, identity, info)
            return eid, rows[0]
        with self.case.db.transaction():
            cur = self.case.db.execute(
                "INSERT INTO evidence (label, identity, kind, format, paths, size, media_size,"
                " stored_md5, stored_sha1, metadata, added_at, examiner, status)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?, 'ok')",
                (
                    path.name,
                    identity,
                    info.kind,
                    info.format,
                    dumps([str(p) for p in info.container_files]),
                    sum(p.stat().st_size for p in info.container_files),
                    info.media_size,
                    info.stored_md5,
                    info.stored_sha1,
                    dumps(info.metadata),
                    now_iso(),
                    self.options.examiner,
                ),
            )
        eid = int(cur.lastrowid or 0)
        self._audit_added(eid, identity, info)
        return eid, self.case.db.query("SELECT * FROM evidence WHERE id=?", (eid,))[0]

    def _audited_addition(self, eid: int) -> bool:
        return bool(
            self.case.db.query(
                "SELECT 1 FROM audit WHERE action='evidence_added'"
                " AND json_extract(details, '$.evidence_id') = ? LIMIT 1",
                (eid,),
            )
        )

    def _audit_added(self, eid: int, identity: str, info: Any) -> None:
        self.case.audit.append(
            "evidence_added", evidence_id=eid, path=identity, kind=info.kind, format=info.format,
            stored_md5=info.stored_md5, metadata=info.metadata,
        )  # fmt: skip

    def _record_failure(self, path: Path, identity: str, exc: EvidenceError) -> None:
        message = str(exc)
        with self.case.db.transaction():
            self.case.db.execute(
                "INSERT INTO evidence (label, identity, kind, format, paths, added_at, examiner,"
                " status, message) VALUES (?,?,?,?,?,?,?, 'error', ?)"
                " ON CONFLICT(identity) DO UPDATE SET status='error', message=excluded.message",
                (
                    path.name,
                    identity,
                    "unknown",
                    "unknown",
                    dumps([identity]),
                    now_iso(),
                    self.options.examiner,
                    message,
                ),
            )
        eid = self.case.db.query("SELECT id FROM evidence WHERE identity=?", (identity,))[0]["id"]
        self.case.audit.append("evidence_error", evidence_id=eid, path=identity, error=message)
        self.summary.evidence.append(
            {"id": eid, "path": str(path), "status": "error", "message": message}
        )
        self.summary.errors.append(f"{path}: {message}")

    def _store_volumes(self, eid: int, source: EvidenceSource) -> None:
        rows = [
            (eid, v.index, v.offset, v.length, v.description, v.fs_type, v.status, v.message)
            for v in source.volumes()
        ]
        with self.case.db.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO volumes VALUES (?,?,?,?,?,?,?,?)", rows)

    def _store_custody(
        self,
        eid: int,
        source: EvidenceSource,
        r: CustodyResult,
        entry: dict[str, Any],
        kept: bool,
    ) -> None:
        """Store evidence hashes; `kept`: the media hash of an earlier run is kept as is."""
        single = r.container[0] if len(r.container) == 1 else None
        sha256 = r.media_sha256 or (single or {}).get("sha256")
        md5 = r.media_md5 or (single or {}).get("md5")
        if kept:  # the media was not read again: the evidence hash stored with it stays
            sha256 = md5 = None
        failed = r.verification in ("mismatch", "read_error")
        with self.case.db.transaction():
            self.case.db.execute(
                "UPDATE evidence SET container_hashes=COALESCE(?, container_hashes),"
                " sha256=COALESCE(?, sha256), md5=COALESCE(?, md5),"
                " media_sha256=COALESCE(?, media_sha256), media_md5=COALESCE(?, media_md5),"
                " verification=COALESCE(?, verification),"
                " verification_message=COALESCE(?, verification_message),"
                " status=CASE WHEN ? THEN 'verification_failed' ELSE status END,"
                " message=COALESCE(?, message) WHERE id=?",
                (
                    dumps(r.container) if r.container else None,
                    sha256,
                    md5,
                    r.media_sha256,
                    r.media_md5,
                    None if kept else r.verification,
                    None if kept else r.message,
                    failed,
                    r.message if failed else None,
                    eid,
                ),
            )
        row = self.case.db.query("SELECT * FROM evidence WHERE id=?", (eid,))[0]
        self.case.audit.append(
            "evidence_hashed", evidence_id=eid, sha256=row["sha256"], md5=row["md5"],
            verification=row["verification"], message=row["verification_message"] or r.message,
        )  # fmt: skip
        entry.update(verification=row["verification"], sha256=row["sha256"], status=row["status"])
        if row["status"] != "ok":
            entry["message"] = row["verification_message"]
            self.summary.errors.append(f"{entry['path']}: verification failed: {entry['message']}")
        if source.info.warnings:
            entry["warnings"] = list(source.info.warnings)


def scan(
    case_dir: Path,
    paths: Sequence[Path],
    options: ScanOptions | None = None,
    sink: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ScanSummary:
    """Create or extend the case at `case_dir` and scan `paths` into it."""
    options = options or ScanOptions()
    case = Case.open(
        case_dir, options.examiner, options.case_number, options.timezone,
        passphrase=options.case_passphrase,
    )  # fmt: skip
    try:
        return Scan(case, options, sink, cancel).run(paths)
    except CaseDBError:
        raise
    finally:
        case.close()
