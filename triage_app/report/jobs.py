"""The parts of a report, each a job that a worker process runs on its own read-only
connection to the case, so both cores of a field laptop work and a crash in a renderer (Qt
for the PDF, Pillow for thumbnails) cannot take the caller down.

First the inputs: the records digest, the evidence re-hash, the thumbnails (and CSV and KML,
which need none of them); then HTML, PDF and CASE/UCO, which need those inputs. Every job is
a top-level function of plain, picklable arguments.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import casecrypt
from ..core.casedb import DB_NAME, connect
from ..core.export import records

CASE_UCO_NAME = "case-uco.jsonld"
PDF_NAME = "report.pdf"
Thumbs = dict[str, tuple[str | None, str | None]]


@dataclass(frozen=True)
class Job:
    """What every job needs: where the case and the report folder are, and the options."""

    case_dir: Path
    work: Path
    selection: str
    redact: str | None
    lang: str
    rehash: bool
    pdf_rows: int
    passwords: dict[int, str] | None


@contextmanager
def _view(job: Job) -> Iterator[Any]:
    from .view import ReportView, load_redaction, parse_selection

    conn = connect(job.case_dir / DB_NAME, readonly=True)
    try:
        yield ReportView(conn, parse_selection(job.selection), load_redaction(job.redact))
    finally:
        conn.close()


def records_digest(conn: sqlite3.Connection) -> str:
    """SHA-256 of the case's records as `qarina export --format jsonl` writes them."""
    digest = hashlib.sha256()
    for record in records(conn):
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        digest.update(line.encode("utf-8", "backslashreplace"))  # as `qarina export` writes
    return digest.hexdigest()


def digest_job(job: Job) -> str:
    conn = connect(job.case_dir / DB_NAME, readonly=True)
    try:
        return records_digest(conn)
    finally:
        conn.close()


def reverify_job(job: Job) -> list[Any]:
    from .reverify import reverify

    conn = connect(job.case_dir / DB_NAME, readonly=True)
    try:
        return reverify(conn, rehash=job.rehash)
    finally:
        conn.close()


def thumbs_job(job: Job) -> Thumbs:
    """Thumbnails of the selected photos (blurred or withheld per the redaction profile)."""
    from .thumbs import ThumbRequest, write_thumbnails

    result: Thumbs = {}
    wanted: dict[str, ThumbRequest] = {}
    with _view(job) as view:
        for record in view.records("media"):
            action = view.media_action(record)
            if action == "omit":
                result[record["id"]] = (None, "withheld under the redaction profile")
                continue
            wanted[record["id"]] = ThumbRequest(
                int(record["evidence"]), str(record["path"]), record.get("source_sha256"),
                blur=action == "blur",
            )  # fmt: skip
        if wanted:
            made = write_thumbnails(
                job.case_dir, view.conn, sorted(set(wanted.values()), key=repr),
                job.work / "media", passwords=job.passwords,
            )  # fmt: skip
            for record_id, request in wanted.items():
                thumb = made[request]
                result[record_id] = (thumb.name, thumb.problem)
    return result


def csv_job(job: Job) -> None:
    from .tables import write_csv

    with _view(job) as view:
        write_csv(view, job.work / "csv")


def kml_job(job: Job) -> None:
    from .geo import write_geo

    with _view(job) as view:
        write_geo(view, job.work / "map")


def case_uco_job(job: Job, info: dict[str, Any]) -> None:
    from .caseuco import write_case_uco

    with _view(job) as view:
        case = {r[0]: r[1] for r in view.conn.execute("SELECT key, value FROM case_info")}
        write_case_uco(job.work / CASE_UCO_NAME, {**info, "case": case}, view.records())


def _model(view: Any, job: Job, info: dict[str, Any], checks: list[Any], thumbs: Thumbs) -> Any:
    from .model import ReportModel

    return ReportModel(view.conn, view, info, job.lang, checks, thumbs)


def html_job(job: Job, info: dict[str, Any], checks: list[Any], thumbs: Thumbs) -> None:
    from .html import write_html
    from .labels import load

    with _view(job) as view:
        write_html(_model(view, job, info, checks, thumbs), load(job.lang), job.work)


def pdf_job(job: Job, info: dict[str, Any], checks: list[Any], thumbs: Thumbs) -> None:
    # Qt writes the embedded fonts in the order of a QHash, whose seed is random per process
    # unless fixed before Qt starts: without this, two reports of one case differ.
    os.environ["QT_HASH_SEED"] = "0"
    from .labels import load
    from .pdf import write_pdf

    with _view(job) as view:
        model = _model(view, job, info, checks, thumbs)
        write_pdf(model, load(job.lang), job.work / PDF_NAME, max_rows=job.pdf_rows)


def workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def run_jobs(job: Job, formats: set[str], info: dict[str, Any]) -> None:
    """Write every asked format into `job.work`; `info["records_sha256"]` is filled in."""
    pages = formats & {"html", "pdf"}
    context = multiprocessing.get_context("spawn")
    # Workers of an encrypted case get its key (never the passphrase) from this process.
    keys = (casecrypt.keys(),)
    with ProcessPoolExecutor(
        max_workers=workers(), mp_context=context, initializer=casecrypt.adopt, initargs=keys
    ) as pool:
        submit: Callable[..., Future[Any]] = pool.submit
        digest = submit(digest_job, job)
        checks = submit(reverify_job, job) if pages else None
        thumbs = submit(thumbs_job, job) if pages else None
        done = [submit(f, job) for name, f in (("csv", csv_job), ("kml", kml_job))
                if name in formats]  # fmt: skip
        info["records_sha256"] = digest.result()
        if "case-uco" in formats:
            done.append(submit(case_uco_job, job, info))
        if checks is not None and thumbs is not None:
            inputs = (info, checks.result(), thumbs.result())
            done += [submit(f, job, *inputs) for name, f in (("pdf", pdf_job), ("html", html_job))
                     if name in formats]  # fmt: skip
        for future in done:
            future.result()
