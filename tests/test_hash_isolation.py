"""Hash workers run under the Supervisor: a native crash costs only the file that caused it,
and a worker that cannot open the evidence leaves its batches to the scan process. In both
cases the other files' rows are those of a scan without workers, in the same order."""

from __future__ import annotations

from pathlib import Path

import isolation_hashing as bad
import pytest

from triage_app.core import indexer
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.models import ScanOptions

COLUMNS = "id, path, size, sha256, md5, mime, error"


def _evidence(root: Path, n: int = 400, crash_at: int | None = None) -> Path:
    folder = root / "sdcard" / "bulk"
    folder.mkdir(parents=True)
    for i in range(n):
        name = f"f{i:04d}{'_CRASH' if i == crash_at else ''}.txt"
        (folder / name).write_text(f"line {i}\n" * (i % 9 + 1), encoding="utf-8")
    return root


def _files(case: Path) -> list[tuple[object, ...]]:
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        return [tuple(row) for row in conn.execute(f"SELECT {COLUMNS} FROM files ORDER BY id")]
    finally:
        conn.close()


def _scan(case: Path, evidence: Path) -> None:
    summary = scan(case, [evidence], ScanOptions(bundled_rules=False))
    assert summary.status == "ok", summary


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(indexer, "POOL_AFTER_FILES", 10)
    monkeypatch.setattr(indexer, "POOL_AFTER_FILES_SEARCHING", 10)
    monkeypatch.setattr(indexer, "JOB_FILES", 40)
    return monkeypatch


def test_a_crash_costs_only_the_file_that_caused_it(
    tmp_path: Path, pooled: pytest.MonkeyPatch
) -> None:
    evidence = _evidence(tmp_path / "phone", crash_at=123)
    reference = tmp_path / "reference"
    _scan(reference, evidence)  # the real hash_batch: no crash
    pooled.setattr(indexer, "hash_batch", bad.crash_on_marked)
    case = tmp_path / "case"
    _scan(case, evidence)
    expected, got = _files(reference), _files(case)
    assert len(got) == len(expected) == 402  # 400 files, sdcard/ and sdcard/bulk/
    lost = [row for row in got if row[6]]
    assert len(lost) == 1 and lost[0][1].endswith("f0123_CRASH.txt")
    assert "SIGSEGV" in lost[0][6] and lost[0][3] is None
    assert [row for row in got if not row[6]] == [row for row in expected if row[1] != lost[0][1]]


def test_a_worker_that_cannot_open_the_evidence_leaves_it_to_the_scan(
    tmp_path: Path, pooled: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    evidence = _evidence(tmp_path / "phone")
    reference = tmp_path / "reference"
    _scan(reference, evidence)
    pooled.setattr(indexer, "hash_batch", bad.cannot_open)
    case = tmp_path / "case"
    _scan(case, evidence)
    assert "could not open the evidence" in caplog.text
    assert _files(case) == _files(reference)


def test_file_ids_follow_the_walk_with_or_without_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders and hashed files are committed in walk order, so ids do not depend on when the
    workers' batches come back."""
    evidence = _evidence(tmp_path / "phone", n=600)
    (evidence / "sdcard" / "bulk" / "sub").mkdir()
    inline = tmp_path / "inline"
    _scan(inline, evidence)
    monkeypatch.setattr(indexer, "POOL_AFTER_FILES", 10)
    monkeypatch.setattr(indexer, "POOL_AFTER_FILES_SEARCHING", 10)
    monkeypatch.setattr(indexer, "JOB_FILES", 7)
    pooled = tmp_path / "pooled"
    _scan(pooled, evidence)
    assert _files(pooled) == _files(inline)
