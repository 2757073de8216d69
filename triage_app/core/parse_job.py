"""One parser on one file: the code that runs in a worker process (or, for evidence a worker
cannot reopen, in the scan's own process).

`parse_rows` yields the file's records as rows of the `artifacts` table and *returns* an
`Outcome`: how the run ended and the parser's warnings. It catches what a parser raises, so the
reason travels back as data (a worker's traceback never has to be parsed); what it cannot catch
(a native crash, a hang, memory exhaustion) is the supervisor's to record.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from .casedb import dumps
from .errors import DISK_FULL, Cancelled, EvidenceError, ParserError
from .evidence.base import EvidenceSource
from .models import Artifact, Locator
from .parsing import FileInfo, NotApplicable, ParseContext, Parser
from .progress import CancelToken
from .sqlite_reader import copy_database
from .timeconv import iso

log = logging.getLogger(__name__)

Status = Literal["ok", "no_data", "skipped", "error", "disk_full"]
Row = tuple[Any, ...]


@dataclass(frozen=True)
class ParseJob:
    parser: Parser
    file: FileInfo
    locator: str
    siblings: Mapping[str, str]  # "-wal", "-shm", "-journal" → locator, when in the evidence
    copy_dir: str  # where the SQLite copy goes (removed when the run ends)
    evidence: tuple[str, str]  # (evidence path, case work folder): how a worker reopens it


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0


def parse_rows(
    job: ParseJob, source: EvidenceSource, cancel: CancelToken
) -> Generator[Row, None, Outcome]:
    """The job's rows, then its outcome. Only Cancelled and MemoryError escape (a worker that
    ran out of memory is replaced; see `isolation`)."""
    file, parser = job.file, job.parser
    ctx = ParseContext(
        file=file,
        open=lambda: source.open(Locator.parse(job.locator)),
        sqlite_copy=lambda: _copy(source, job),
        cancel=cancel,
    )

    def outcome(status: Status, message: str = "") -> Outcome:
        return Outcome(status, message, ctx.warnings, ctx.warning_count)

    try:
        if not parser.accepts(file, ctx):
            return outcome("skipped", f"{parser.name} does not accept this file")
        count = 0
        for artifact in parser.parse(file, ctx):
            count += 1
            yield artifact_row(artifact, file, parser.name)
        return outcome("ok" if count else "no_data")
    except (Cancelled, MemoryError):
        raise
    except NotApplicable as exc:
        return outcome("skipped", str(exc))
    except (ParserError, EvidenceError) as exc:
        return outcome("error", str(exc))
    except OSError as exc:
        return outcome("disk_full" if exc.errno in DISK_FULL else "error", str(exc))
    except Exception as exc:
        log.exception("parser %s failed on %s", parser.name, file.path)
        return outcome("error", f"internal error: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(job.copy_dir, ignore_errors=True)


def parse_in_worker(job: ParseJob) -> Generator[Row, None, Outcome]:
    """The task a worker process runs (`isolation.Supervisor`): the evidence is opened once per
    worker, read-only, as the hash workers do."""
    from .workers import worker_source

    try:
        source = worker_source(*job.evidence)
    except (EvidenceError, OSError) as exc:
        return Outcome("error", f"the worker could not open the evidence: {exc}")
    return (yield from parse_rows(job, source, CancelToken()))


def _copy(source: EvidenceSource, job: ParseJob) -> Path:
    def open_member(suffix: str) -> BinaryIO | None:
        locator = job.locator if suffix == "" else job.siblings.get(suffix)
        return source.open(Locator.parse(locator)) if locator else None

    return copy_database(open_member, job.file.name, job.file.sha256, Path(job.copy_dir))


def artifact_row(artifact: Artifact, file: FileInfo, parser: str) -> Row:
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
