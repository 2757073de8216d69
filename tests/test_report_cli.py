"""`qarina report` and `qarina verify REPORT_DIR` through the CLI, on a scanned case."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from click.testing import CliRunner
from fixtures_android import make_android_extraction

from triage_app.cli import main
from triage_app.core.engine import scan


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    summary = scan(case, [make_android_extraction(tmp_path / "phone")])
    assert summary.status == "ok"
    return case


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_report_is_hashed_verifiable_and_reproducible(tmp_path: Path) -> None:
    case = _case(tmp_path)
    runner = CliRunner()
    first, second = tmp_path / "report1", tmp_path / "report2"
    for out in (first, second):
        result = runner.invoke(main, ["report", "--case", str(case), "--out", str(out)])
        assert result.exit_code == 0, result.output
    manifest_hash = result.output.split("SHA-256: ")[1].strip()
    assert hashlib.sha256((second / "manifest.json").read_bytes()).hexdigest() == manifest_hash
    files = _files(first)
    assert {"SHA256SUMS", "manifest.json", "csv/message.csv"} <= set(files)
    assert files["csv/message.csv"].startswith(b"\xef\xbb\xbf")  # BOM: Arabic opens right
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=first, check=False)
    assert check.returncode == 0
    # Byte-identical apart from the creation time inside manifest.json (and so SHA256SUMS).
    again = _files(second)
    assert {k: v for k, v in files.items() if k not in ("manifest.json", "SHA256SUMS")} == {
        k: v for k, v in again.items() if k not in ("manifest.json", "SHA256SUMS")
    }
    m1, m2 = (json.loads(f["manifest.json"]) for f in (files, again))
    assert m1["info"].pop("created") <= m2["info"].pop("created")
    assert m1 == m2
    export = runner.invoke(main, ["export", "--case", str(case)]).output.encode("utf-8")
    assert m1["info"]["records_sha256"] == hashlib.sha256(export).hexdigest()
    audit = (case / "audit.jsonl").read_text(encoding="utf-8")
    assert audit.count('"report_written"') == 2 and manifest_hash in audit
    assert runner.invoke(main, ["verify", str(first)]).exit_code == 0


def test_verify_names_each_changed_file(tmp_path: Path) -> None:
    case = _case(tmp_path)
    runner = CliRunner()
    out = tmp_path / "report"
    assert runner.invoke(main, ["report", "--case", str(case), "--out", str(out)]).exit_code == 0
    target = out / "csv" / "message.csv"
    data = bytearray(target.read_bytes())
    data[-2] ^= 1
    target.write_bytes(bytes(data))
    (out / "extra.txt").write_text("planted", encoding="utf-8")
    result = runner.invoke(main, ["verify", str(out)])
    assert result.exit_code == 1
    assert "modified: csv/message.csv" in result.output and "added: extra.txt" in result.output
    refused = runner.invoke(main, ["report", "--case", str(case), "--out", str(out)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    assert runner.invoke(main, ["verify"]).exit_code == 2
