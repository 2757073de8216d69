"""End-to-end behaviour of the scan pipeline: cancel/resume, audit chain, CLI contract."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures_android import make_android_extraction

from triage_app import __version__
from triage_app.cli import main
from triage_app.core import indexer
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records
from triage_app.core.progress import CancelToken, Progress


def _export(case: Path) -> list[dict[str, Any]]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        out = []
        for r in records(conn):
            r = dict(r)
            r.pop("id")
            out.append(r)
        return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))
    finally:
        conn.close()


def _many_files(root: Path, n: int = 4500) -> Path:
    make_android_extraction(root)
    bulk = root / "sdcard" / "bulk"
    bulk.mkdir(parents=True)
    for i in range(n):
        (bulk / f"f{i:05d}.txt").write_text(f"file {i}\n" * (i % 7), encoding="utf-8")
    return root


class _CancelAt:
    """A progress sink that cancels the scan once `stage` reports `files` files."""

    def __init__(self, cancel: CancelToken, stage: str, files: int = 0) -> None:
        self.cancel, self.stage, self.files = cancel, stage, files
        self.seen: list[Progress] = []

    def update(self, p: Progress) -> None:
        self.seen.append(p)
        if p.stage == self.stage and p.files_done >= self.files:
            self.cancel.cancel()

    def log(self, level: str, message: str) -> None:
        return None


@pytest.mark.parametrize(("stage", "files"), [("index", 2000), ("parse", 0)])
def test_cancel_then_resume_equals_uninterrupted(
    tmp_path: Path, unchanged: Callable[..., None], stage: str, files: int
) -> None:
    evidence = _many_files(tmp_path / "phone")
    unchanged(evidence)
    reference = tmp_path / "reference"
    assert scan(reference, [evidence]).status == "ok"

    case = tmp_path / "case"
    cancel = CancelToken()
    first = scan(case, [evidence], sink=_CancelAt(cancel, stage, files), cancel=cancel)
    assert first.status == "cancelled"
    partial = _export(case)
    assert 0 < len(partial) < len(_export(reference))
    assert scan(case, [evidence]).status == "ok"
    assert _export(case) == _export(reference)  # no duplicates, nothing lost
    result = CliRunner().invoke(main, ["verify", "--case", str(case)])
    assert result.exit_code == 0, result.output


def test_rescan_of_finished_case_adds_nothing(tmp_path: Path) -> None:
    evidence = make_android_extraction(tmp_path / "phone")
    case = tmp_path / "case"
    scan(case, [evidence])
    before = _export(case)
    again = scan(case, [evidence])
    assert again.files == 0 and again.artifacts == 0
    assert _export(case) == before


def test_audit_chain_detects_each_kind_of_tampering(tmp_path: Path) -> None:
    case = tmp_path / "case"
    scan(
        case,
        [make_android_extraction(tmp_path / "phone")],
    )
    log = case / "audit.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    actions = [json.loads(line)["action"] for line in lines]
    assert actions[:4] == ["case_created", "scan_started", "rule_packs", "evidence_added"]
    assert "evidence_hashed" in actions and actions[-1] == "scan_finished"
    added = actions.index("evidence_added")
    runner = CliRunner()
    assert runner.invoke(main, ["verify", "--case", str(case)]).exit_code == 0
    tampered = {
        "edit": [
            *lines[:added],
            lines[added].replace("evidence_added", "evidence_removed"),
            *lines[added + 1 :],
        ],
        "delete": [lines[0], *lines[2:]],
        "reorder": [lines[1], lines[0], *lines[2:]],
        "cut the last entries": lines[:-2],  # still a valid chain: caught by the db's copy
        "invalid UTF-8": [
            *lines[:added],
            lines[added].replace("evidence", "\udcff"),
            *lines[added + 1 :],
        ],
    }
    for name, content in tampered.items():
        log.write_bytes("".join(content).encode("utf-8", "surrogateescape"))
        result = runner.invoke(main, ["verify", "--case", str(case)])
        assert result.exit_code == 1, name
        assert "BROKEN at entry" in result.output, name
    log.unlink()  # a deleted log: the database still mirrors it, so this is tampering
    result = runner.invoke(main, ["verify", "--case", str(case)])
    assert result.exit_code == 1 and "BROKEN" in result.output
    log.write_text("".join(lines), encoding="utf-8")
    conn = connect(case / "case.sqlite", readonly=True)
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == len(lines)


def test_cli_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    for command in ([], ["scan"], ["info"], ["export"], ["verify"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_cli_scan_info_export(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    evidence = make_android_extraction(tmp_path / "phone")
    unchanged(evidence)
    case = tmp_path / "case"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "scan",
            str(evidence),
            "--case",
            str(case),
            "--examiner",
            "A. Examiner",
            "--case-number",
            "LY-2026-17",
            "--tz",
            "Africa/Tripoli",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "scan ok" in result.output
    info = json.loads(runner.invoke(main, ["info", "--case", str(case), "--json"]).output)
    assert info["case"]["case_number"] == "LY-2026-17"
    assert info["case"]["timezone"] == "Africa/Tripoli"
    assert info["counts"]["message"] == 3
    assert info["coverage"] == [{"parser": "android_sms", "status": "ok", "files": 1, "records": 3}]
    out = tmp_path / "messages.jsonl"
    result = runner.invoke(
        main, ["export", "--case", str(case), "--kind", "message", "-o", str(out)]
    )
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(x)["kind"] == "message" for x in lines)


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["info", "--case", str(tmp_path)])
    assert result.exit_code == 1 and "not a Qarina case folder" in result.output
    result = runner.invoke(
        main, ["scan", str(tmp_path / "missing.E01"), "--case", str(tmp_path / "c")]
    )
    assert result.exit_code == 1 and "no such file or folder" in result.output
    result = runner.invoke(
        main, ["scan", str(tmp_path), "--case", str(tmp_path / "c2"), "--tz", "Mars/Base"]
    )
    assert result.exit_code == 1 and "unknown time zone" in result.output


@pytest.mark.slow
def test_ctrl_c_cancels_cleanly_and_resumes(tmp_path: Path) -> None:
    evidence = make_android_extraction(tmp_path / "phone")
    with open(evidence / "sdcard" / "big.bin", "wb") as f:
        f.truncate(3 * 1024**3)  # sparse: hashing it takes seconds, storing it takes nothing
    case = tmp_path / "case"
    cmd = [sys.executable, "-m", "triage_app.cli", "scan", str(evidence), "--case", str(case)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    audit = case / "audit.jsonl"
    while time.monotonic() < deadline:
        if audit.exists() and "evidence_added" in audit.read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, out + err
    assert "Traceback" not in err
    assert "scan cancelled" in out
    actions = [json.loads(x)["action"] for x in audit.read_text(encoding="utf-8").splitlines()]
    assert actions[-1] == "scan_cancelled"
    assert CliRunner().invoke(main, ["verify", "--case", str(case)]).exit_code == 0
    assert scan(case, [evidence]).status == "ok"
    conn = connect(case / "case.sqlite", readonly=True)
    big = conn.execute("SELECT size, sha256 FROM files WHERE name='big.bin'").fetchall()
    assert len(big) == 1 and big[0]["size"] == 3 * 1024**3 and big[0]["sha256"]


def test_worker_pool_gives_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence = _many_files(tmp_path / "phone", n=600)
    reference = tmp_path / "inline"
    scan(reference, [evidence])
    monkeypatch.setattr(indexer, "POOL_AFTER_FILES", 10)
    monkeypatch.setattr(indexer, "JOB_FILES", 50)
    pooled = tmp_path / "pooled"
    scan(pooled, [evidence])
    assert _export(pooled) == _export(reference)
