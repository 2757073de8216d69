#!/usr/bin/env python3
"""Hostile and malformed inputs (issue 8): build the generated corpus, scan it, print figures.

    python benchmarks/hostile_figures.py [--work DIR] [--members 100000] [--timeout 600]

Builds the corpus of tests/hostile.py (zip bombs, zip/tar slip, link loops, corrupt SQLite,
EXIF loops, pixel bombs, truncated E01 sets, partitions past the end, file system loops,
hostile names and HTML/JS payloads; the member-count zip with --members empty members) in a
new folder under --work, lists and hashes the evidence tree, then scans each evidence item
into a case of its own with `qarina scan` in a subprocess (under `strace -f -e trace=%file`
when strace is installed, so every write is attributed to one scan), each with --timeout
seconds. Then writes the HTML report of the phone folder's case (thumbnails of the pixel
bombs, HTML/JS payloads) and lists and hashes the evidence again.

Prints one JSON line: inputs tried (hostile files, members, volumes and items), scans, unhandled
exceptions (a traceback or an exit code other than 0 or 1), parser crashes the engine had to
catch as "internal error", scans not finished within the limit, evidence entries changed
(added, removed or different in type, mode, size, mtime or SHA-256), system calls that could
change a file on the evidence or outside the case and the app's own folders (null when
strace is missing), opens of evidence without O_NOATIME, expectations met, items with a
recorded reason, the items whose expectation is not met (the known bugs named in
tests/test_hostile_inputs.py), `<script` tags in the report, and the seconds taken.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

import hostile  # noqa: E402
from hostile import Hostile, Row, run_qarina  # noqa: E402


def scan_each(root: Path, evidence: list[Path], timeout: float, traced: bool) -> dict[str, Any]:
    """Scan every evidence item into root/cases/N; tally crashes, hangs and writes."""
    tally: dict[str, Any] = {"scans": 0, "unhandled_exceptions": 0, "over_limit": 0,
                             "writes_on_evidence": 0, "writes_outside_case": 0,
                             "opens_without_noatime": 0, "rows": [], "failures": []}  # fmt: skip
    (root / "cases").mkdir()
    for n, path in enumerate(evidence, start=1):
        case, trace = root / "cases" / str(n), root / "traces" / f"{n}.strace"
        trace.parent.mkdir(parents=True, exist_ok=True)
        tally["scans"] += 1
        try:
            done = run_qarina(root, ["scan", "-q", "--case", str(case), str(path)], timeout,
                              trace if traced else None)  # fmt: skip
        except subprocess.TimeoutExpired:
            tally["over_limit"] += 1
            tally["failures"].append(f"{path.name}: not finished within {timeout} s")
            continue
        if done.returncode not in (0, 1) or "Traceback" in done.stderr:
            tally["unhandled_exceptions"] += 1
            tally["failures"].append(f"{path.name}: exit {done.returncode}: {done.stderr[-500:]}")
        if traced:
            _count_writes(tally, trace, root, case)
        tally["rows"] += _rows(case)
    return tally


def _count_writes(tally: dict[str, Any], trace: Path, root: Path, case: Path) -> None:
    evidence = root / "evidence"
    writes = hostile.trace_writes(trace, root)
    on_evidence = [w for w in writes if hostile.under(w[1], [evidence])]
    outside = hostile.stray(writes, case, root / "app")
    tally["writes_on_evidence"] += len(on_evidence)
    tally["writes_outside_case"] += len(outside)
    tally["failures"] += [f"{c} {p}" for c, p in on_evidence + outside]
    # Reads that may change the access time of an evidence file (opened without O_NOATIME).
    opened = re.compile(r'openat\([^,]*, "' + re.escape(str(evidence)))
    for line in trace.read_text(encoding="latin-1").splitlines():
        if opened.search(line) and not re.search(r"O_NOATIME|O_DIRECTORY|= -1", line):
            tally["opens_without_noatime"] += 1


def _rows(case: Path) -> list[Row]:
    if not (case / "case.sqlite").exists():
        return []
    conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True)
    try:
        rows = hostile.coverage(conn)
        crashes = conn.execute(
            "SELECT count(*) FROM parser_runs WHERE message LIKE 'internal error%'"
        ).fetchone()[0]
    finally:
        conn.close()
    return rows + [Row("", "crash", None, "internal error")] * crashes


def report_scripts(root: Path, case: Path, timeout: float) -> int | str:
    """`<script` occurrences in the HTML report of `case` (or why there is no report)."""
    out = root / "report"
    done = run_qarina(root, ["report", "--case", str(case), "--out", str(out), "--format", "html"],
                      timeout)  # fmt: skip
    if done.returncode != 0 or "Traceback" in done.stderr:
        return f"report failed: exit {done.returncode}: {done.stderr[-300:]}"
    return sum(p.read_text("utf-8").lower().count("<script") for p in out.rglob("*.html"))


def figures(items: list[Hostile], tally: dict[str, Any], changed: int) -> dict[str, Any]:
    rows: list[Row] = tally.pop("rows")
    unmet_items = {i.name: [e.pattern for e in hostile.unmet(i, rows)] for i in items}
    inputs = sum(max(1, len({e.path for e in i.expects if e.path})) for i in items)
    return {
        "items": len(items),
        "inputs_tried": inputs,
        "scans": tally["scans"],
        "unhandled_exceptions": tally["unhandled_exceptions"],
        "parser_crashes_caught": sum(r.where == "crash" for r in rows),
        "scans_over_limit": tally["over_limit"],
        "evidence_entries_changed": changed,
        "writes_on_evidence": tally["writes_on_evidence"],
        "writes_outside_case": tally["writes_outside_case"],
        "evidence_opens_without_o_noatime": tally["opens_without_noatime"],
        "expectations_met": sum(len(i.expects) - len(hostile.unmet(i, rows)) for i in items),
        "expectations": sum(len(i.expects) for i in items),
        "items_with_reason_rows": sum(bool(hostile.reasons(i, rows)) for i in items),
        "reason_rows": sum(len(hostile.reasons(i, rows)) for i in items),
        "items_unmet": {k: v for k, v in unmet_items.items() if v},
        "failures": tally["failures"][:20],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/qarina-hostile"))
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per scan")
    args = parser.parse_args()
    started = time.monotonic()
    root = args.work / time.strftime("run-%Y%m%d-%H%M%S")
    items = hostile.build_corpus(root / "evidence", members=args.members)
    before = hostile.snapshot(root / "evidence")
    traced = sys.platform == "linux" and shutil.which("strace") is not None
    evidence = hostile.evidence_paths(items)
    tally = scan_each(root, evidence, args.timeout, traced)
    phone = root / "cases" / str(evidence.index(root / "evidence" / "phone") + 1)
    scripts = report_scripts(root, phone, args.timeout)
    after = hostile.snapshot(root / "evidence")
    changed = len({k for k in before.keys() | after.keys() if before.get(k) != after.get(k)})
    result = figures(items, tally, changed)
    if not traced:
        result.update(writes_on_evidence=None, writes_outside_case=None,
                      evidence_opens_without_o_noatime=None)  # fmt: skip
    result.update(report_script_tags=scripts, strace=traced, members=args.members,
                  seconds=round(time.monotonic() - started, 1), work=str(root))  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
