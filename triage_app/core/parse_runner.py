"""Parse stage: run every pending parser × file pair and record its outcome.

Each pair ends as `ok` (records found), `no_data` (parsed, nothing in it), `error` (with the
reason) or `cancelled`. Records are committed in batches so results appear during a long
parse; leftovers of an interrupted run of the same pair are deleted before it runs again.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .case import Case
from .casedb import ARTIFACT_COLUMNS, dumps, now_iso
from .errors import DISK_FULL, Cancelled, CaseDBError, EvidenceError, ParserError
from .evidence.base import EvidenceSource
from .models import Artifact, Locator
from .parsing import FileInfo, NotApplicable, ParseContext, Parser
from .progress import CancelToken, Progress, ThrottledSink
from .sqlite_reader import SIBLING_SUFFIXES, copy_database
from .timeconv import iso

log = logging.getLogger(__name__)
BATCH_RECORDS = 5000

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


class ParseRunner:
    def __init__(
        self,
        case: Case,
        sources: Mapping[int, EvidenceSource],
        parsers: Sequence[Parser],
        sink: ThrottledSink,
        cancel: CancelToken,
    ) -> None:
        self._case = case
        self._sources = sources
        self._parsers = {p.name: p for p in parsers}
        self._sink = sink
        self._cancel = cancel
        self.stats = ParseStats()

    def run(self) -> ParseStats:
        for evidence_id, source in self._sources.items():
            for row in self._case.db.query(_PENDING, (evidence_id,)):
                self._cancel.check()
                parser = self._parsers.get(row["parser"])
                if parser is None:
                    self._finish(row["parser"], row["file_id"], "skipped", "parser not available")
                    continue
                self._run_one(parser, row, source)
        return self.stats

    def _run_one(self, parser: Parser, row: sqlite3.Row, source: EvidenceSource) -> None:
        file = FileInfo(
            row["file_id"], row["evidence_id"], row["volume"], row["path"], row["name"],
            row["size"], row["sha256"], row["mime"], bool(row["deleted"]),
        )  # fmt: skip
        copy_dir = self._case.workdir / "sqlite" / str(file.id)
        ctx = ParseContext(
            file=file,
            open=lambda: source.open(Locator.parse(row["locator"])),
            sqlite_copy=lambda: self._copy(source, file, copy_dir),
            cancel=self._cancel,
        )
        with self._case.db.transaction():
            self._case.db.execute(
                "DELETE FROM artifacts WHERE parser=? AND file_id=?", (parser.name, file.id)
            )
            self._case.db.execute(
                "UPDATE parser_runs SET status='running', started=?, version=?"
                " WHERE parser=? AND file_id=?",
                (now_iso(), parser.version, parser.name, file.id),
            )
        self.stats.runs += 1
        try:
            count = self._store(parser, file, ctx)
        except Cancelled:
            self._finish(parser.name, file.id, "cancelled", "cancelled by user", ctx=ctx)
            raise
        except CaseDBError:
            raise  # the case cannot be written: the scan stops (and resumes this run later)
        except OSError as exc:
            if exc.errno in DISK_FULL:
                raise CaseDBError(f"the case folder is full: {exc}") from exc
            self.stats.errors += 1
            self._finish(parser.name, file.id, "error", str(exc), ctx=ctx)
        except NotApplicable as exc:
            self._finish(parser.name, file.id, "skipped", str(exc), ctx=ctx)
        except (ParserError, EvidenceError) as exc:
            self.stats.errors += 1
            self._finish(parser.name, file.id, "error", str(exc), ctx=ctx)
        except Exception as exc:
            log.exception("parser %s failed on %s", parser.name, file.path)
            self.stats.errors += 1
            self._finish(
                parser.name,
                file.id,
                "error",
                f"internal error: {type(exc).__name__}: {exc}",
                ctx=ctx,
            )
        else:
            status = "ok" if count else "no_data"
            self._finish(parser.name, file.id, status, "", records=count, ctx=ctx)
        finally:
            shutil.rmtree(copy_dir, ignore_errors=True)

    def _store(self, parser: Parser, file: FileInfo, ctx: ParseContext) -> int:
        if not parser.accepts(file, ctx):
            raise NotApplicable(f"{parser.name} does not accept this file")
        batch: list[tuple[Any, ...]] = []
        count = 0
        for artifact in parser.parse(file, ctx):
            batch.append(_artifact_row(artifact, file, parser.name))
            if len(batch) >= BATCH_RECORDS:
                count += self._write(batch)
        count += self._write(batch)
        return count

    def _write(self, batch: list[tuple[Any, ...]]) -> int:
        n = len(batch)
        if n:
            with self._case.db.transaction():
                self._case.db.insert_many("artifacts", ARTIFACT_COLUMNS, batch)
            batch.clear()
            self.stats.records += n
            self._sink.update(
                Progress("parse", files_done=self.stats.runs, findings=self.stats.records)
            )
        return n

    def _finish(
        self,
        parser: str,
        file_id: int,
        status: str,
        message: str,
        records: int = 0,
        ctx: ParseContext | None = None,
    ) -> None:
        warnings = ctx.warning_count if ctx else 0
        if ctx and ctx.warnings:
            shown = "; ".join(ctx.warnings[:5])
            message = (
                f"{message}; {warnings} warning(s): {shown}"
                if message
                else f"{warnings} warning(s): {shown}"
            )
        with self._case.db.transaction():
            self._case.db.execute(
                "UPDATE parser_runs SET status=?, message=?, records=?, warnings=?, finished=?"
                " WHERE parser=? AND file_id=?",
                (status, message, records, warnings, now_iso(), parser, file_id),
            )

    def _copy(self, source: EvidenceSource, file: FileInfo, dest: Path) -> Path:
        siblings = {
            r["path"]: r["locator"]
            for r in self._case.db.query(
                "SELECT path, locator FROM files WHERE evidence_id=? AND volume IS ? AND path IN"
                " (?, ?, ?) AND kind='file'",
                (file.evidence_id, file.volume, *(file.path + s for s in SIBLING_SUFFIXES)),
            )
        }

        def open_member(suffix: str) -> BinaryIO | None:
            if suffix == "":
                return source.open(Locator.parse(self._locator(file.id)))
            loc = siblings.get(file.path + suffix)
            return source.open(Locator.parse(loc)) if loc else None

        return copy_database(open_member, file.name, file.sha256, dest)

    def _locator(self, file_id: int) -> str:
        return str(self._case.db.query("SELECT locator FROM files WHERE id=?", (file_id,))[0][0])


def _artifact_row(artifact: Artifact, file: FileInfo, parser: str) -> tuple[Any, ...]:
    return (
        artifact.kind,
        file.evidence_id,
        file.id,
        parser,
        iso(artifact.ts),
        None if artifact.ts_raw is None else dumps(artifact.ts_raw),
        int(artifact.deleted or file.deleted),
        artifact.source_table,
        artifact.source_rowid,
        dumps(artifact.fields),
    )
