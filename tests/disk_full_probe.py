"""Run inside the mount namespace of tests/test_disk_full.py, where the case's tmpfs is.

`facts CASE_DIR`: what the case holds, as JSON — SQLite's integrity check, files indexed,
scan statuses, case details, the first audit action and whether the audit chain verifies
(the check `qarina verify --case` runs). The database is opened read-only with plain
sqlite3, so that a half-created case (no tables yet) can be described too.

`tear FOLDER`: create a case in FOLDER (a small tmpfs), fill the tmpfs, then append one
audit entry longer than what is left of the log's last page (tmpfs allocates whole pages),
so that the write is cut; print the name of the exception the append raised.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any


def facts(case_dir: Path) -> dict[str, Any]:
    from triage_app.core.audit import verify_chain

    db = sqlite3.connect(f"file:{case_dir / 'case.sqlite'}?mode=ro", uri=True)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    out: dict[str, Any] = {
        "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
        "files": 0,
        "scans": [],
        "info": {},
        "first_action": None,
        "chain": verify_chain(case_dir / "audit.jsonl").ok,
    }
    if "files" in tables:
        out["files"] = db.execute("SELECT count(*) FROM files").fetchone()[0]
        out["scans"] = [r[0] for r in db.execute("SELECT status FROM scans")]
        out["info"] = dict(db.execute("SELECT key, value FROM case_info").fetchall())
    try:
        with open(case_dir / "audit.jsonl", encoding="utf-8") as f:
            out["first_action"] = json.loads(f.readline())["action"]
    except (OSError, ValueError):
        pass
    return out


def tear(folder: Path) -> str:
    from triage_app.core.case import Case

    case = Case.open(folder / "case", examiner="Disk Full Test")
    log, page = folder / "case" / "audit.jsonl", os.sysconf("SC_PAGE_SIZE")
    if log.stat().st_size % page == 0:
        case.audit.append("probe")  # leave the last page partly used
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, bytes(65536))
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    try:
        case.audit.append("probe", pad="x" * (page - log.stat().st_size % page))
    except Exception as exc:  # noqa: BLE001 - which exception is what the test checks
        return type(exc).__name__
    return "no error"


if __name__ == "__main__":
    command, path = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(facts(path)) if command == "facts" else tear(path))
