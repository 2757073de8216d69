"""Building a report folder from a case: the chosen formats, then the hashed manifest.

The folder is built under a temporary name beside the destination and renamed into place
only when complete, so a crash never leaves a half report that looks finished. The
manifest records what a third party needs to check the report against the case: tool and
parser versions, the rule packs of the latest scan, each evidence item's hashes, and
`records_sha256`, the SHA-256 of the case's records exactly as `qarina export --format jsonl`
prints them (recompute with `qarina export --case DIR | sha256sum`). The manifest's own
SHA-256 is written to the case's audit log.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.case import Case
from ..core.casedb import DB_NAME, connect, now_iso
from ..core.errors import QarinaError
from .jobs import CASE_UCO_NAME, PDF_NAME, Job, records_digest, run_jobs

__all__ = ["CASE_UCO_NAME", "FORMATS", "PDF_NAME", "ReportOptions", "build_report",
           "records_digest"]  # fmt: skip

FORMATS = ("html", "pdf", "csv", "kml", "case-uco")  # kml also writes GeoJSON


class ReportError(QarinaError):
    """The report cannot be written where asked."""


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    files: int
    manifest_sha256: str


def _info(conn: Any, digest: bool = True) -> dict[str, Any]:
    """The manifest's description of the case; `records_sha256` left None with `digest`
    False (the build computes it in a worker, beside the other parts)."""
    evidence = [
        {k: row[k] for k in ("id", "identity", "kind", "format", "sha256", "md5",
                             "media_sha256", "media_md5", "verification")}
        for row in conn.execute("SELECT * FROM evidence ORDER BY id")
    ]  # fmt: skip
    parsers = [
        {"parser": p, "version": v}
        for p, v in conn.execute("SELECT DISTINCT parser, version FROM parser_runs ORDER BY 1, 2")
    ]
    latest = conn.execute("SELECT max(scan_id) FROM rule_packs").fetchone()[0]
    packs = [
        dict(r)
        for r in conn.execute(
            "SELECT pack, version, kind, manifest_sha256, files, source FROM rule_packs"
            " WHERE scan_id = ? ORDER BY pack",
            (latest,),
        )
    ]
    return {
        "tool": "qarina",
        "version": __version__,
        "created": now_iso(),
        "evidence": evidence,
        "parsers": parsers,
        "rule_packs": packs,
        "records_sha256": records_digest(conn) if digest else None,
    }


@dataclass(frozen=True)
class ReportOptions:
    formats: Sequence[str] = FORMATS
    selection: str = "all"
    lang: str = "en"
    redact: str | None = None
    rehash: bool = True  # re-hash the evidence now (current hashes beside the intake ones)
    pdf_rows: int = 1000  # rows per record section in the PDF (0: all)
    passwords: dict[int, str] | None = None  # encrypted backups, for thumbnails


def sync_tree(folder: Path) -> None:
    """Every file of `folder` on disk before the folder is renamed into place: one `sync()`
    where the system has it (thousands of HTML pages would cost one fsync each)."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in folder.rglob("*"):  # pragma: no cover - Windows
        if path.is_file():
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())


def _check_options(opts: ReportOptions) -> None:
    """Refuse a bad selection, profile or language here, with a clear message, rather than
    as an error inside a worker."""
    from .labels import load
    from .view import load_redaction, parse_selection

    parse_selection(opts.selection)
    load_redaction(opts.redact)
    load(opts.lang)


def build_report(
    case_dir: Path, out_dir: Path, options: ReportOptions | Sequence[str] = ReportOptions()
) -> ReportResult:
    """Write the report folder; `options` may be just the list of formats."""
    from .manifest import write_manifest

    opts = options if isinstance(options, ReportOptions) else ReportOptions(tuple(options))
    unknown = sorted(set(opts.formats) - set(FORMATS))
    if unknown:
        raise ReportError(f"unknown report format(s): {', '.join(unknown)}")
    out_dir = out_dir.absolute()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ReportError(f"{out_dir} exists and is not empty: choose a new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        info = _info(conn, digest=False)
        job = Job(case_dir.absolute(), work, opts.selection, opts.redact, opts.lang,
                  opts.rehash, opts.pdf_rows, opts.passwords)  # fmt: skip
        _check_options(opts)
        run_jobs(job, set(opts.formats), info)
        info["report"] = {
            "formats": sorted(opts.formats), "selection": opts.selection, "lang": opts.lang,
            "redaction": opts.redact or "none",
        }  # fmt: skip
        manifest_sha256 = write_manifest(work, info)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        conn.close()
    sync_tree(work)
    if out_dir.exists():
        out_dir.rmdir()  # empty, checked above
    work.replace(out_dir)
    files = sum(1 for p in out_dir.rglob("*") if p.is_file())
    case = Case.open(case_dir)
    try:
        case.audit.append(
            "report_written", folder=str(out_dir), formats=sorted(opts.formats), files=files,
            selection=opts.selection, lang=opts.lang, redaction=opts.redact or "none",
            manifest_sha256=manifest_sha256,
        )  # fmt: skip
    finally:
        case.close()
    return ReportResult(out_dir, files, manifest_sha256)
