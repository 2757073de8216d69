"""Content hashing and content search in worker processes, so both cores read and hash.

TSK and libewf hold the GIL while they read, so threads cannot spread that work. Each worker
process opens the evidence item itself (read-only, like the main process; spooled copies in
the case work area are reused, never rebuilt) and hashes batches of files given by locator,
matching the content against the scan's rules while it is in memory. The main process walks
the metadata and writes the case database.

The workers run under `isolation.Supervisor` (forked from the fork server on Linux, with time
and memory limits): a batch whose worker crashes, hangs or runs out of memory is split and
its files hashed one per task, so hostile content costs only the file that caused it
(`indexer.Indexer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .dispatch import SIGNATURE_BYTES
from .errors import QarinaError
from .evidence.base import EvidenceSource
from .filetype import detect
from .hashing import hash_stream
from .isolation import Limits
from .models import Locator
from .progress import CancelToken

if TYPE_CHECKING:
    from ..search.content import ContentResult, ContentSpec


WORKERS = 2
MEMORY_MB = 2048  # per worker: the largest file kept for searching is 64 MB
PRELOAD = ("triage_app.core.workers", "triage_app.search.content")


@dataclass(frozen=True)
class HashJob:
    key: int
    locator: str
    size: int


@dataclass(frozen=True)
class HashResult:
    key: int
    sha256: str | None
    md5: str | None
    size: int
    prefix: bytes  # the first SIGNATURE_BYTES, for parser dispatch
    mime: str | None
    error: str | None
    found: ContentResult | None = None  # keyword hits and identifiers in the content


_SOURCES: dict[tuple[str, str], EvidenceSource] = {}


def worker_source(path: str, workdir: str) -> EvidenceSource:
    from .evidence import open_evidence

    key = (path, workdir)
    if key not in _SOURCES:
        _SOURCES[key] = open_evidence(Path(path), Path(workdir), CancelToken())
    return _SOURCES[key]


def hash_one(
    source: EvidenceSource, job: HashJob, cancel: CancelToken, spec: ContentSpec | None = None
) -> HashResult:
    try:
        with source.open(Locator.parse(job.locator)) as stream:
            d = hash_stream(stream, cancel, job.size, keep=spec.keep if spec else 0)
    except (OSError, QarinaError) as exc:
        return HashResult(job.key, None, None, 0, b"", None, f"read error: {exc}")
    error = None if d.size == job.size else f"read {d.size} bytes of {job.size} declared"
    mime = detect(d.prefix, d.size)
    found = None
    if spec is not None:
        from ..search.content import search_content

        found = search_content(spec, d.content, mime, d.sha256)
    prefix = d.prefix[:SIGNATURE_BYTES]  # the type is detected here; dispatch needs no more
    return HashResult(job.key, d.sha256, d.md5, d.size, prefix, mime, error, found)


def hash_batch(
    path: str, workdir: str, jobs: list[HashJob], spec: ContentSpec | None = None
) -> list[HashResult]:
    """Runs in a worker process."""
    source = worker_source(path, workdir)
    cancel = CancelToken()
    return [hash_one(source, job, cancel, spec) for job in jobs]


def batch_limits(jobs: list[HashJob]) -> Limits:
    """Time and memory for one batch: generous (reading at ≥ 1 MB/s, plus YARA's own per-file
    time limit), so only a hang or a runaway decoder reaches them."""
    return Limits(300 + 2 * len(jobs) + sum(j.size for j in jobs) / 1e6, MEMORY_MB)
