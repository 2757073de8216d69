"""Parsers run in worker processes with limits: a crash, a hang or a memory hog costs one file.

The misbehaving parsers are in tests/isolation_parsers.py. One folder holds a file for each and
well-behaved text files before and after them; one scan must record each bad pair as `error`
with its reason, keep every record of the good files and what the crashing parser yielded
before it died, leave no copy or worker behind, and finish `ok` with the case verifiable.
Then: the records and their ids are the same with and without isolation (commit order), and a
file whose evidence cannot be reopened in a worker (encrypted backups) is parsed in-process.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import isolation_parsers as bad
import pytest

from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.core.engine import Scan
from triage_app.core.models import ScanOptions
from triage_app.core.parsing import Parser

LINUX = sys.platform.startswith("linux")


def _evidence(root: Path) -> Path:
    root.mkdir()
    (root / "a_first.txt").write_text("alpha\nbeta\n")
    (root / "b_crash.dat").write_text("kept one\nkept two\n")
    (root / "c_hang.dat").write_text("x")
    (root / "d_hog.dat").write_text("x")
    (root / "e_last.txt").write_text("gamma\ndelta\nepsilon\n")
    return root


def _scan(case_dir: Path, evidence: Path, parsers: list[Parser], **options: Any) -> Any:
    case = Case.open(case_dir)
    try:
        return Scan(case, ScanOptions(**options), parsers=parsers).run([evidence])
    finally:
        case.close()


def _db(case_dir: Path) -> sqlite3.Connection:
    return connect(case_dir / "case.sqlite", readonly=True)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("isolation")
    evidence = _evidence(root / "evidence")
    case_dir = root / "case"
    summary = _scan(case_dir, evidence, list(bad.ALL), parse_seconds=3, parse_memory_mb=400)
    return case_dir, summary


def _runs(case_dir: Path) -> dict[tuple[str, str], sqlite3.Row]:
    db = _db(case_dir)
    rows = db.execute(
        "SELECT f.name, r.parser, r.status, r.message, r.records FROM parser_runs r"
        " JOIN files f ON f.id = r.file_id"
    ).fetchall()
    db.close()
    return {(r["name"], r["parser"]): r for r in rows}


def test_scan_survives_and_ends_ok(scanned: tuple[Path, Any]) -> None:
    _, summary = scanned
    assert summary.status == "ok"


def test_crash_recorded_with_its_signal_and_records_kept(scanned: tuple[Path, Any]) -> None:
    run = _runs(scanned[0])[("b_crash.dat", "test_crash")]
    assert run["status"] == "error"
    expected = "SIGSEGV" if LINUX else "died"
    assert "process died" in run["message"] and expected in run["message"], run["message"]
    assert run["records"] == 2 and "2 record(s) read before it stopped are kept" in run["message"]
    db = _db(scanned[0])
    texts = [r[0] for r in db.execute("SELECT json_extract(data, '$.text') FROM artifacts"
                                      " WHERE parser='test_crash' ORDER BY id")]  # fmt: skip
    db.close()
    assert texts == ["kept one", "kept two"]


def test_hang_stopped_at_its_time_limit(scanned: tuple[Path, Any]) -> None:
    run = _runs(scanned[0])[("c_hang.dat", "test_hang")]
    assert run["status"] == "error"
    assert run["message"].startswith("stopped: the parser ran past its 3 s limit"), run["message"]


@pytest.mark.skipif(sys.platform == "win32", reason="memory limit: RLIMIT_DATA (POSIX)")
def test_memory_hog_stopped_at_its_limit(scanned: tuple[Path, Any]) -> None:
    run = _runs(scanned[0])[("d_hog.dat", "test_hog")]
    assert run["status"] == "error"
    assert "memory limit (400 MB)" in run["message"], run["message"]


def test_good_files_on_both_sides_fully_parsed_in_workers(scanned: tuple[Path, Any]) -> None:
    runs = _runs(scanned[0])
    assert runs[("a_first.txt", "test_lines")]["status"] == "ok"
    assert runs[("e_last.txt", "test_lines")]["records"] == 3
    db = _db(scanned[0])
    sql = "SELECT json_extract(data, '$.text'), json_extract(data, '$.pid') FROM artifacts"
    rows = db.execute(f"{sql} WHERE parser='test_lines' ORDER BY id").fetchall()
    db.close()
    assert [r[0] for r in rows] == ["alpha", "beta", "gamma", "delta", "epsilon"]
    assert os.getpid() not in {r[1] for r in rows}  # parsed in worker processes


def test_nothing_left_in_the_work_area(scanned: tuple[Path, Any]) -> None:
    work = scanned[0] / "work"
    left = [p for p in work.rglob("*") if p.is_file()] if work.exists() else []
    assert not [p for p in left if "sqlite" in p.parts], left


def test_isolated_and_in_process_give_the_same_records_and_ids(tmp_path: Path) -> None:
    """Workers finish in any order; records are committed in pair order, so ids match."""
    from parsers import all_parsers
    from triage_app.sample.build import build_sample

    sample = build_sample(tmp_path / "sample")
    evidence = sample.evidence["android"]
    tables = []
    for isolate in (True, False):
        case_dir = tmp_path / f"case-{isolate}"
        summary = _scan(case_dir, evidence, all_parsers(), isolate=isolate)
        assert summary.status == "ok"
        db = _db(case_dir)
        tables.append(
            db.execute(
                "SELECT id, kind, file_id, parser, ts, deleted, source_table, source_rowid,"
                " data FROM artifacts ORDER BY id"
            ).fetchall()
        )
        db.close()
    assert len(tables[0]) > 50
    assert [tuple(r) for r in tables[0]] == [tuple(r) for r in tables[1]]


def test_parser_a_worker_cannot_import_runs_in_process(tmp_path: Path) -> None:
    class Local(bad.LinesParser):  # defined in a function: no worker can unpickle it
        name = "test_local"

    evidence = _evidence(tmp_path / "evidence")
    summary = _scan(tmp_path / "case", evidence, [Local()])
    assert summary.status == "ok"
    db = _db(tmp_path / "case")
    pids = {r[0] for r in db.execute("SELECT json_extract(data, '$.pid') FROM artifacts")}
    db.close()
    assert pids == {os.getpid()}
