"""Reading a scanned case back in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from triage_app.core import caseinfo
from triage_app.core.casedb import connect
from triage_app.core.export import records


def file_records(case: Path) -> list[dict[str, Any]]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return list(records(conn, "file"))
    finally:
        conn.close()


def case_summary(case: Path) -> dict[str, Any]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return caseinfo.summary(conn)
    finally:
        conn.close()
