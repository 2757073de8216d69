"""Crash safety (issue 8): scans of the workshop sample SIGKILLed and resumed.

A seeded run of `benchmarks/kill_scans.py` with 8 kills (two in each stage: setup, index,
parse, search; half of them with the hash worker pool forced on; one also killed while
resuming) must leave every case sound and resume to the reference's records. Kills at
exact points (a process killing itself when it is about to write a given audit entry) pin
the windows between a database commit and its audit entry, and unit checks prove that the
comparisons see lost, duplicated and changed records, a corrupt page and a live process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import kill_scans as ks

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="kills process groups, reads /proc, uses a pty"
)
KILLS = 8
SEED = 8
# A scan that SIGKILLs itself when it is about to append the audit entry named in
# QARINA_KILL_AT, or (`schema`) to create a new case's tables: the process dies exactly as
# under an outside SIGKILL at that moment.
KILL_AT = [sys.executable, "-c", """
import os, signal, sys
import triage_app.core.audit as audit, triage_app.core.casedb as casedb
AT = os.environ["QARINA_KILL_AT"]
append, migrate = audit.AuditLog.append, casedb.CaseDB._migrate

def dying_append(self, action, **details):
    if action == AT:
        os.kill(os.getpid(), signal.SIGKILL)
    return append(self, action, **details)

def dying_migrate(self):
    if AT == "schema":
        os.kill(os.getpid(), signal.SIGKILL)
    migrate(self)

audit.AuditLog.append, casedb.CaseDB._migrate = dying_append, dying_migrate
from triage_app.cli import main
sys.exit(main())
"""]  # fmt: skip
# Known bugs not fixed yet (each with a strict xfail test); the random campaign may hit them.
KNOWN_STATE: re.Pattern[str] | None = None
KNOWN_OPEN: re.Pattern[str] | None = None


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kills")


@pytest.fixture(scope="module")
def summary(work: Path) -> dict[str, Any]:
    return ks.campaign(KILLS, SEED, work, say=lambda _: None, runs=("ref", "ref-pool"))


@pytest.fixture(scope="module")
def evidence(work: Path) -> list[Path]:
    return ks.build(work)


def unknown_problems(summary: dict[str, Any]) -> list[str]:
    """Problems of the campaign but those of the known bugs pinned below."""
    found = []
    for failure in summary["failures"]:
        for problem in failure["problems"]:
            if problem.startswith("case_state_mismatches"):
                found += [
                    d for d in failure["differences"] if not (KNOWN_STATE and KNOWN_STATE.match(d))
                ]
            elif not (KNOWN_OPEN and KNOWN_OPEN.match(problem)):
                found.append(f"kill {failure['index']} ({failure['hit']}): {problem}")
    return found


def test_every_kill_stops_a_running_scan_and_its_workers(summary: dict[str, Any]) -> None:
    assert summary["kills"] == KILLS
    assert json.loads(json.dumps(summary)) == summary  # what --json prints
    assert summary["pooled_kills"] == KILLS // 2
    assert summary["orphan_processes"] == 0


def test_killed_and_resumed_cases_are_sound(summary: dict[str, Any]) -> None:
    # open_failures: see test_no_other_problem_after_a_kill (a known bug may cause one)
    counts = {k: summary[k] for k in ("corrupt_cases", "resume_failures", "evidence_changed",
                                      "unstable_clean_runs")}  # fmt: skip
    assert counts == dict.fromkeys(counts, 0), summary["failures"]


def test_resumed_scans_give_the_reference_records(summary: dict[str, Any]) -> None:
    counts = {k: summary[k] for k in ("lost_records", "duplicated_records",
                                      "unexpected_records", "mismatched_exports")}  # fmt: skip
    assert counts == dict.fromkeys(counts, 0), summary["failures"]
    assert summary["records"] > 300


def test_no_other_problem_after_a_kill(summary: dict[str, Any]) -> None:
    assert unknown_problems(summary) == []


def test_the_worker_pool_changes_nothing(summary: dict[str, Any]) -> None:
    """Entries are committed in walk order, so even row ids are those of a scan without the
    hash workers (before issue 9's review they followed the workers' timing)."""
    assert summary["clean_runs"] == ["ref-pool: byte-identical"]


def kill_at(action: str, case: Path, evidence: list[Path]) -> None:
    """Scan into `case`, killed just before the audit entry `action` is written (`schema`:
    before a new case's tables are created)."""
    env = {**os.environ, "QARINA_KILL_AT": action}
    command = [*KILL_AT, "scan", *map(str, evidence), "--case", str(case), *ks.CASE_OPTIONS]
    done = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr


def resume(case: Path, evidence: list[Path]) -> None:
    run = ks.ScanRun(case, evidence, pooled=False)
    assert run.finish()[0] == 0, run.output()


def audit_actions(case: Path) -> list[str]:
    lines = (case / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["action"] for line in lines]


@pytest.fixture(scope="module", params=["schema", "case_created"])
def killed_at_creation(request: pytest.FixtureRequest, work: Path, evidence: list[Path]) -> Path:
    """A case killed before its tables were created, or before its first audit entry."""
    case = work / f"at-{request.param}"
    kill_at(request.param, case, evidence)
    assert (case / "case.sqlite").exists()
    return case


def test_a_case_killed_while_being_created_verifies(killed_at_creation: Path) -> None:
    assert ks.qarina("verify", "--case", killed_at_creation)[0] == 0


def test_a_case_killed_while_being_created_opens_or_says_why(
    killed_at_creation: Path, request: pytest.FixtureRequest
) -> None:
    code, output = ks.qarina("info", "--case", killed_at_creation)
    assert code == 0 or "\nunhandled " not in output, output


def test_a_case_killed_while_being_created_resumes_whole(
    killed_at_creation: Path, evidence: list[Path], tmp_path: Path
) -> None:
    case = tmp_path / "case"
    shutil.copytree(killed_at_creation, case)
    resume(case, evidence)
    assert audit_actions(case).count("case_created") == 1
    with sqlite3.connect(case / "case.sqlite") as conn:
        keys = {k for (k,) in conn.execute("SELECT key FROM case_info")}
    assert keys >= {"created_at", "created_by_tool", "examiner", "case_number", "timezone"}


def test_evidence_killed_before_its_audit_entry_is_recorded(
    work: Path, evidence: list[Path]
) -> None:
    case = work / "at-evidence-added"
    kill_at("evidence_added", case, evidence)
    resume(case, evidence)
    assert audit_actions(case).count("evidence_added") == len(evidence)


def test_scanning_a_case_again_keeps_the_evidence_hashes(
    work: Path, evidence: list[Path], summary: dict[str, Any]
) -> None:
    case = work / "rescanned"
    shutil.copytree(work / "ref", case)
    query = "SELECT id, sha256, md5, verification FROM evidence ORDER BY id"
    with sqlite3.connect(case / "case.sqlite") as conn:
        before = conn.execute(query).fetchall()
    resume(case, evidence)
    with sqlite3.connect(case / "case.sqlite") as conn:
        assert conn.execute(query).fetchall() == before


@pytest.fixture
def reference_lines(work: Path, summary: dict[str, Any]) -> list[str]:
    return (work / "ref.jsonl").read_text("utf-8").splitlines()


def test_comparison_counts_lost_duplicated_and_changed_records(
    reference_lines: list[str],
) -> None:
    reference = ks.normalise_export(reference_lines)
    changed = json.loads(reference_lines[5])
    changed["size"] += 1
    lines = [*reference_lines[:5], json.dumps(changed), *reference_lines[7:], reference_lines[8]]
    diff = ks.compare_records(reference, ks.normalise_export(lines))
    assert (diff.lost, diff.duplicated, diff.unexpected) == (2, 1, 1)


def test_a_record_hit_stays_tied_to_its_record(reference_lines: list[str]) -> None:
    records = [json.loads(line) for line in reference_lines]
    hits = [r for r in records if r["kind"] == "keyword_hit" and r["target_id"]]
    targets = {h["target_id"] for h in hits}
    assert len(targets) >= 2
    first, other = hits[0], next(h for h in hits if h["target_id"] != hits[0]["target_id"])
    first["target_id"] = other["target_id"]
    swapped = ks.normalise_export(json.dumps(r) for r in records)
    diff = ks.compare_records(ks.normalise_export(reference_lines), swapped)
    assert (diff.lost, diff.unexpected) == (1, 1)


def test_a_corrupt_page_is_detected(work: Path, summary: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "case.sqlite"
    shutil.copyfile(work / "ref" / "case.sqlite", db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    assert ks.check_db(db)[0] is None
    with open(db, "r+b") as f:
        f.seek(page * 3 + 8)
        f.write(os.urandom(page - 16))
    assert ks.check_db(db)[0] is not None


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def test_a_surviving_process_of_the_group_is_seen(sleeper: subprocess.Popen[bytes]) -> None:
    assert ks.group_alive(sleeper.pid) == [sleeper.pid]
    os.killpg(sleeper.pid, signal.SIGKILL)
    sleeper.wait()
    assert ks.group_alive(sleeper.pid) == []


def test_a_killed_scan_is_marked_interrupted_by_the_next(tmp_path: Path) -> None:
    """A scan row left `running` by a kill is `interrupted` once another scan starts, and the
    database copies its parsers left in the work area are gone."""
    from triage_app.core.casedb import connect
    from triage_app.core.engine import scan
    from triage_app.sample.build import build_sample

    phone = build_sample(tmp_path / "sample").evidence["android"]
    case = tmp_path / "case"
    assert scan(case, [phone]).status == "ok"
    conn = connect(case / "case.sqlite")
    conn.execute("UPDATE scans SET status='running'")  # as a SIGKILL leaves it
    conn.close()
    left = case / "work" / "sqlite" / "7-whatsapp_android"
    left.mkdir(parents=True)
    (left / "msgstore.db").write_bytes(b"a copy left by a killed parser")
    assert scan(case, [phone]).status == "ok"
    conn = connect(case / "case.sqlite", readonly=True)
    statuses = [r[0] for r in conn.execute("SELECT status FROM scans ORDER BY id")]
    conn.close()
    assert statuses == ["interrupted", "ok"]
    assert not left.exists()
