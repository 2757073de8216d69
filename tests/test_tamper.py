"""Tampering detection (issue 8, docs/VALIDATION.md): every single-byte change tried in a
report folder and in a case's audit log, and every deleted, swapped or cut-off audit entry,
is detected by the checks behind `qarina verify` (benchmarks/tamper.py, a few positions per
report file here; the published figure uses more)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import tamper

from triage_app.core.engine import scan
from triage_app.report.build import FORMATS, ReportOptions, build_report
from triage_app.sample import demo
from triage_app.sample.build import build_sample


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tamper")
    sample = build_sample(root / "sample")
    scan(root / "case", list(sample.evidence.values()), demo.OPTIONS)
    return root / "case"


def test_every_byte_change_in_a_report_is_detected(case: Path, tmp_path: Path) -> None:
    report = build_report(case, tmp_path / "report", ReportOptions(FORMATS)).folder
    made, detected = tamper.report_changes(report, 3, random.Random(7))
    assert made > 100 and detected == made


def test_every_change_to_the_audit_log_is_detected(case: Path) -> None:
    made, detected = tamper.audit_changes(case)
    assert made > 1000 and detected == made
