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

import hashlib
import json
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
from ..core.export import records

FORMATS = ("csv", "kml")  # kml also writes the same points as GeoJSON


class ReportError(QarinaError):
    """The report cannot be written where asked."""


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    files: int
    manifest_sha256: str


def records_digest(conn: Any) -> str:
    """SHA-256 of the case's records as `qarina export --format jsonl` writes them."""
    digest = hashlib.sha256()
    for record in records(conn):
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def _info(conn: Any) -> dict[str, Any]:
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
        "records_sha256": records_digest(conn),
    }


def build_report(case_dir: Path, out_dir: Path, formats: Sequence[str]) -> ReportResult:
    from .geo import write_geo
    from .manifest import write_manifest
    from .tables import write_csv

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ReportError(f"unknown report format(s): {', '.join(unknown)}")
    out_dir = out_dir.absolute()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ReportError(f"{out_dir} exists and is not empty: choose a new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        if "csv" in formats:
            write_csv(conn, work / "csv")
        if "kml" in formats:
            write_geo(conn, work / "map")
        manifest_sha256 = write_manifest(work, _info(conn))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        conn.close()
    if out_dir.exists():
        out_dir.rmdir()  # empty, checked above
    work.replace(out_dir)
    files = sum(1 for p in out_dir.rglob("*") if p.is_file())
    case = Case.open(case_dir)
    try:
        case.audit.append(
            "report_written", folder=str(out_dir), formats=sorted(formats), files=files,
            manifest_sha256=manifest_sha256,
        )  # fmt: skip
    finally:
        case.close()
    return ReportResult(out_dir, files, manifest_sha256)
