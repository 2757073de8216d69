#!/usr/bin/env python3
"""Tampering detection: change single bytes of a report and of a case's audit log, and count
how many changes `qarina verify` detects.

    python benchmarks/tamper.py [--positions 40] [--seed 1] [--work DIR] [--json]

Builds the workshop sample, scans it, writes a report in every format, then:
- report: for every file of the report folder (SHA256SUMS and manifest.json included), flips
  one byte at `--positions` seeded positions (every byte of files smaller than that), runs the
  same check as `qarina verify REPORT` (`report.manifest.verify_report`) and restores the file;
- audit log: flips **every** byte of `audit.jsonl`, one at a time, and runs the check of
  `qarina verify --case` (`core.audit.verify_case_log`); also deletes each line, swaps each
  pair of neighbouring lines and cuts the log after each line.
A change counts as detected when the check reports anything but "intact" (an exception counts
as *not* detected: it is printed). Prints one JSON line with --json; exit 1 when a change
went undetected.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triage_app.core.audit import AUDIT_NAME, verify_case_log
from triage_app.core.engine import scan
from triage_app.report.build import FORMATS, ReportOptions, build_report
from triage_app.report.manifest import verify_report
from triage_app.sample import demo
from triage_app.sample.build import build_sample


def _flip(path: Path, position: int) -> bytes:
    data = path.read_bytes()
    changed = bytearray(data)
    changed[position] ^= 0x01 if changed[position] != 0x0A else 0x20  # a newline stays a char
    path.write_bytes(bytes(changed))
    return data


def _report_intact(folder: Path) -> bool:
    try:
        result = verify_report(folder)
    except Exception as exc:  # noqa: BLE001 - a crash of the check is a finding, not a pass
        print(f"verify_report raised {type(exc).__name__}: {exc}", file=sys.stderr)
        return True
    return bool(result.ok)


def _chain_intact(case: Path) -> bool:
    try:
        return bool(verify_case_log(case).ok)
    except Exception as exc:  # noqa: BLE001
        print(f"verify_chain raised {type(exc).__name__}: {exc}", file=sys.stderr)
        return True


def report_changes(folder: Path, positions: int, rng: random.Random) -> tuple[int, int]:
    """(changes made, changes detected) over every file of the report."""
    made = detected = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        size = path.stat().st_size
        where = range(size) if size <= positions else rng.sample(range(size), positions)
        for position in where:
            original = _flip(path, position)
            made += 1
            detected += not _report_intact(folder)
            path.write_bytes(original)
    assert _report_intact(folder), "the report must verify once restored"
    return made, detected


def audit_changes(case: Path) -> tuple[int, int]:
    """(changes made, changes detected): every byte flipped, every line deleted, every pair
    of neighbouring lines swapped, the log cut after each line."""
    log = case / AUDIT_NAME
    original = log.read_bytes()
    lines = original.splitlines(keepends=True)
    variants: list[bytes] = []
    for position in range(len(original)):
        changed = bytearray(original)
        changed[position] ^= 0x01 if changed[position] != 0x0A else 0x20
        variants.append(bytes(changed))
    variants += [b"".join(lines[:i] + lines[i + 1 :]) for i in range(len(lines))]
    variants += [
        b"".join([*lines[:i], lines[i + 1], lines[i], *lines[i + 2 :]])
        for i in range(len(lines) - 1)
    ]
    variants += [b"".join(lines[:i]) for i in range(1, len(lines))]  # the last entries cut
    detected = 0
    for variant in variants:
        log.write_bytes(variant)
        detected += not _chain_intact(case)
    log.write_bytes(original)
    assert _chain_intact(case), "the log must verify once restored"
    return len(variants), detected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qarina-tamper"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    shutil.rmtree(args.work, ignore_errors=True)
    sample = build_sample(args.work / "sample")
    case = args.work / "case"
    scan(case, list(sample.evidence.values()), demo.OPTIONS)
    report = build_report(case, args.work / "report", ReportOptions(FORMATS)).folder
    files = sum(1 for p in report.rglob("*") if p.is_file())
    made_r, found_r = report_changes(report, args.positions, random.Random(args.seed))
    made_a, found_a = audit_changes(case)
    figures = {
        "report_files": files, "report_changes": made_r, "report_detected": found_r,
        "audit_changes": made_a, "audit_detected": found_a,
        "seconds": round(time.monotonic() - started, 1),
    }  # fmt: skip
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0 if (found_r, found_a) == (made_r, made_a) else 1


if __name__ == "__main__":
    sys.exit(main())
