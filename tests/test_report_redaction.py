"""A redacted report hides the victim's number in every file of every format, states the
profile applied, and still verifies; a bookmarked selection keeps only what was tagged."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_android import make_android_extraction

from triage_app.cli import main
from triage_app.core.casedb import connect
from triage_app.core.engine import scan

VICTIM = "+218912345678"
TAIL = "912345678"


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("redaction")
    case = root / "case"
    assert scan(case, [make_android_extraction(root / "phone")]).status == "ok"
    conn = connect(case / "case.sqlite", readonly=True)
    entity = conn.execute("SELECT id FROM entities WHERE value = ?", (VICTIM,)).fetchone()[0]
    conn.close()
    runner = CliRunner()
    for args in (
        ["tag", "--case", str(case), f"ent:{entity}", "--tag", "victim"],
        ["tag", "--case", str(case), "rec:13", "--note", "hostile payload"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return case


def _texts(report: Path) -> dict[str, str]:
    """Every file of the report as text (the PDF through pdftotext when available)."""
    texts = {}
    for path in sorted(p for p in report.rglob("*") if p.is_file()):
        name = path.relative_to(report).as_posix()
        if path.suffix == ".pdf":
            if shutil.which("pdftotext") is None:
                continue
            texts[name] = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                check=True, text=True,
            ).stdout  # fmt: skip
        elif path.suffix != ".jpg":
            texts[name] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def test_victims_profile_hides_the_number_everywhere(case_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    plain, redacted = tmp_path / "plain", tmp_path / "redacted"
    assert (
        runner.invoke(main, ["report", "--case", str(case_dir), "--out", str(plain)]).exit_code == 0
    )
    result = runner.invoke(
        main, ["report", "--case", str(case_dir), "--out", str(redacted), "--redact", "victims"]
    )
    assert result.exit_code == 0, result.output
    before = _texts(plain)
    assert any(TAIL in text for text in before.values())  # the check below can fail
    after = _texts(redacted)
    leaks = sorted(name for name, text in after.items() if TAIL in text)
    assert leaks == [], leaks
    assert "[redacted]" in after["csv/message.csv"] and "[redacted]" in after["index.html"]
    assert "victims" in after["index.html"]
    manifest = json.loads(after["manifest.json"])
    assert manifest["info"]["report"]["redaction"] == "victims"
    assert runner.invoke(main, ["verify", str(redacted)]).exit_code == 0


def test_bookmarked_selection(case_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bookmarked"
    result = CliRunner().invoke(
        main, ["report", "--case", str(case_dir), "--out", str(out), "--format", "csv",
               "--selection", "bookmarked"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (out / "csv").iterdir())
    assert written == ["entity.csv", "message.csv"]
    rows = (out / "csv" / "message.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith("message,rec:13,")


def test_bad_options_are_refused_before_anything_is_written(case_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for extra, message in (
        (["--redact", "nope"], "no such profile"),
        (["--selection", "tag:"], "needs at least one tag"),
        (["--format", "docx"], "unknown report format"),
    ):
        out = tmp_path / extra[1]
        result = runner.invoke(main, ["report", "--case", str(case_dir), "--out", str(out), *extra])
        assert result.exit_code != 0 and message in result.output, result.output
        assert not out.exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}.partial")]
