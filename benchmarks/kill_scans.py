#!/usr/bin/env python3
"""Crash safety: SIGKILL `qarina scan` of the workshop sample at random points, then check.

    python benchmarks/kill_scans.py [--kills 50] [--seed N] [--work DIR] [--json]

The workshop sample is built once and scanned uninterrupted three times: the reference, a
second run and a run with the hash worker pool forced on (the sample is too small to start
it), which must agree. Then each kill: the same scan into a fresh case, in its own process
group, the whole group SIGKILLed (a power cut stops the workers too) at a random moment of
one stage in turn (setup: case creation, rule compiling; index: open, walk, hash, custody
hash; parse; search and finish), timed from case.sqlite's appearance (setup) or the stage's
first progress line (read from a pty: the CLI draws it only on a terminal), within the
stage's length in the reference; odd blocks of four force the worker pool on.
The crashed case must pass `integrity_check`, `quick_check` and `foreign_key_check` (on a
copy: the resume gets the case as the kill left it), `qarina info` (which may refuse, with
a message and no traceback, a case whose creation was cut short) and `qarina verify --case`.
Every fifth resume is killed too (and checked again). The scan is then run again to the
end and must give the reference's export as a multiset (lost, duplicated and unexpected
records counted), its `qarina info`, derived-table row counts and once-only audit entries
(case_created, evidence_added); verify passes, the evidence is unchanged. Scans are
subprocesses; info, verify and export run the same click commands in-process.
Cases that pass are deleted; those that fail are kept under WORK/cases.

Legitimate differences between two complete runs, normalised away: in the export `id`
(`file:N`, `rec:N`, `ent:N`: row ids in commit order, which a resume changes; the hash
worker pool does not: its scan exports byte-identical records) and a record hit's
`target_id` (replaced by a digest of the record it points to); in `qarina info`
`case.created_at`, each evidence's `added_at` and `scans` (a killed scan stays `running`).
Nothing else differs: two plain runs export byte-identical records.

Limits: SIGKILL ends processes, not the kernel, so written but unsynced data survives it:
this is no proof against a power cut (that needs a VM or dm-log-writes). Kill moments come
from the reference's stage timings, which vary with load; the stage a kill hit is the last
progress line seen. Linux (pty, process groups, /proc).

The scan under test and the in-process commands are in kill_run.py, the checks of a case and
the comparisons with the reference in kill_checks.py.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kill_checks import (
    CREATING,
    DIFFER,
    case_state,
    check_db,
    compare_records,
    differences,
    export_difference,
    export_lines,
    normalise_export,
    tree_digest,
)
from kill_run import CASE_OPTIONS, REPO, STAGES, ScanRun, build, group_alive, qarina

# This module's names, and those of kill_run.py and kill_checks.py that tests/test_kill_resume.py
# reaches through it (as `ks.ScanRun`, `ks.check_db`...).
__all__ = [
    "CASE_OPTIONS", "CLEAN_RUNS", "FAILURES", "HEADER", "RESUME_KILL_EVERY", "Outcome",
    "Reference", "ScanRun", "build", "campaign", "check_crashed", "check_db", "check_resumed",
    "clean_run", "compare_records", "failed", "group_alive", "kill_once", "main",
    "normalise_export", "one_kill", "print_summary", "qarina", "reference", "row", "summarise",
    "work_files",
]  # fmt: skip

RESUME_KILL_EVERY = 5
FAILURES = ("corrupt_cases", "open_failures", "verify_failures", "resume_failures",
            "lost_records", "duplicated_records", "unexpected_records", "mismatched_exports",
            "case_state_mismatches", "evidence_changed", "orphan_processes")  # fmt: skip


@dataclass
class Reference:
    lines: list[str]
    records: Counter[str]
    state: dict[str, Any]
    windows: dict[str, tuple[float, float]]  # stage -> (start, end), seconds after start
    clean_runs: dict[str, tuple[str, list[str]]]  # name -> (export difference, state's)


def clean_run(case: Path, evidence: Sequence[Path], pooled: bool) -> dict[str, Any]:
    shutil.rmtree(case, ignore_errors=True)
    run = ScanRun(case, evidence, pooled)
    code, case_at = run.finish(watch=case / "case.sqlite")
    if code != 0:
        raise RuntimeError(f"clean scan into {case} failed ({code}): {run.output()}")
    seconds = time.monotonic() - run.started
    lines = export_lines(case)
    return {"events": run.events, "case_at": case_at, "seconds": seconds, "lines": lines,
            "state": case_state(case)}  # fmt: skip


CLEAN_RUNS = {"ref": False, "ref-2": False, "ref-pool": True}  # case name -> pool forced


def reference(
    work: Path, evidence: Sequence[Path], say: Any = print, runs: Sequence[str] = tuple(CLEAN_RUNS)
) -> Reference:
    """Complete runs (by default two alike and one with the worker pool forced on) that must
    agree; the first, `ref`, is the reference and gives each stage's time window."""
    done = {name: clean_run(work / name, evidence, CLEAN_RUNS[name]) for name in runs}
    ref = done["ref"]
    say(f"reference scan: {ref['seconds']:.2f} s, {len(ref['lines'])} records, stages at "
        + ", ".join(f"{k} {v:.2f} s" for k, v in ref["events"].items()))  # fmt: skip
    study = {
        name: (
            export_difference(ref["lines"], run["lines"]),
            differences(ref["state"], run["state"]),
        )
        for name, run in done.items()
        if name != "ref"
    }
    ev = ref["events"]
    if set(ev) != set(STAGES[1:]) or ref["case_at"] is None:
        raise RuntimeError(f"reference scan showed stages {ev} (case at {ref['case_at']})")
    windows = {
        "setup": (ref["case_at"], ev["index"]),
        "index": (ev["index"], ev["parse"]),
        "parse": (ev["parse"], ev["search"]),
        "search": (ev["search"], ref["seconds"]),
    }
    records = normalise_export(ref["lines"])
    return Reference(ref["lines"], records, ref["state"], windows, study)


@dataclass
class Outcome:
    index: int
    pooled: bool
    planned: str
    hit: str = "-"
    at: float = 0.0
    state: str = ""  # what the case held when it was killed
    resume_hit: str = "-"
    problems: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # case state against the reference
    counts: dict[str, int] = field(default_factory=dict)  # failure category -> how many
    byte_identical: bool = False
    leftovers: int = 0  # files in work/ that a complete run does not leave

    def fail(self, category: str, message: str, n: int = 1) -> None:
        self.counts[category] = self.counts.get(category, 0) + n
        self.problems.append(f"{category}: {message}")


def kill_once(
    case: Path, evidence: Sequence[Path], out: Outcome, stage: str,
    windows: dict[str, tuple[float, float]], rng: random.Random, scale: float = 1.0,
) -> tuple[str | None, float]:  # fmt: skip
    """Start the scan and SIGKILL its process group at a random moment of `stage`; the
    stage hit (None: the scan ended first) and the moment."""
    start, end = windows[stage]
    run = ScanRun(case, evidence, out.pooled)
    anchor = run.wait_stage(stage)
    if anchor is None:
        run.finish()
        return None, 0.0
    when = anchor + rng.uniform(0, end - start) * scale
    hit = run.kill_at(when)
    if hit is None:
        run.finish()
        return None, when
    for _ in range(200):  # the kernel delivers SIGKILL to the group at once; allow 2 s
        left = group_alive(run.proc.pid)
        if not left:
            break
        time.sleep(0.01)
    if left:
        out.fail("orphan_processes", f"{len(left)} process(es) of the group survived: {left}")
    return hit, when


def check_crashed(case: Path, out: Outcome, when: str) -> str:
    """The checks of a case as a kill left it; returns what it had committed."""
    db = case / "case.sqlite"
    if not db.exists():
        return "no case yet"
    problem, state = check_db(db)
    if problem:
        out.fail("corrupt_cases", f"{when}: {problem}")
    code, output = qarina("info", "--case", case, "--json")
    # A case whose creation was cut short may be refused, cleanly; any other must open.
    if code != 0 and (state != CREATING or "\nunhandled " in output):
        out.fail("open_failures", f"{when}: info exit {code}: {output[-300:]}")
    code, output = qarina("verify", "--case", case)
    if code != 0:
        out.fail("verify_failures", f"{when}: {output.strip()}")
    return state


def check_resumed(case: Path, evidence: Sequence[Path], ref: Reference, out: Outcome) -> None:
    run = ScanRun(case, evidence, out.pooled)
    code, _ = run.finish()
    if code != 0:
        out.fail("resume_failures", f"exit {code}: {run.output()[-300:]}")
    problem, _ = check_db(case / "case.sqlite")
    if problem:
        out.fail("corrupt_cases", f"after resume: {problem}")
    lines = export_lines(case)
    out.byte_identical = lines == ref.lines
    diff = compare_records(ref.records, normalise_export(lines))
    for category, n in (("lost_records", diff.lost), ("duplicated_records", diff.duplicated),
                        ("unexpected_records", diff.unexpected)):  # fmt: skip
        if n:
            out.fail(category, f"{n}", n)
    if diff.examples:
        out.fail("mismatched_exports", "; ".join(diff.examples))
    out.differences = differences(ref.state, case_state(case))
    if out.differences:
        out.fail("case_state_mismatches", "; ".join(out.differences[:5]))
    code, output = qarina("verify", "--case", case)
    if code != 0:
        out.fail("verify_failures", f"after resume: {output.strip()}")
    out.leftovers = work_files(case) - work_files(case.parent.parent / "ref")


def work_files(case: Path) -> int:
    return sum(p.is_file() for p in (case / "work").rglob("*"))


def one_kill(i: int, seed: int, cases: Path, evidence: Sequence[Path], ref: Reference) -> Outcome:
    """Kill i: a fresh case killed in stage i mod 4 (pool forced in odd blocks of four),
    every fifth also killed while resuming, then resumed to the end and compared."""
    rng = random.Random(f"{seed}-{i}")
    out = Outcome(i, pooled=(i // len(STAGES)) % 2 == 1, planned=STAGES[i % len(STAGES)])
    case = cases / f"kill-{i:02d}"
    for attempt in range(8):  # the scan may end before the moment drawn: draw earlier ones
        shutil.rmtree(case, ignore_errors=True)
        hit, when = kill_once(case, evidence, out, out.planned, ref.windows, rng, 0.5**attempt)
        if hit is not None:
            out.hit, out.at = hit, when
            break
    else:
        raise RuntimeError(f"kill {i}: the scan always ended before the kill")
    out.state = check_crashed(case, out, f"after kill in {out.hit}")
    if i % RESUME_KILL_EVERY == RESUME_KILL_EVERY - 1:
        stage = STAGES[(i // RESUME_KILL_EVERY) % len(STAGES)]
        hit, _ = kill_once(case, evidence, out, stage, ref.windows, rng)
        out.resume_hit = hit or "ended first"
        if hit is not None:
            check_crashed(case, out, f"after resume kill in {hit}")
    check_resumed(case, evidence, ref, out)
    return out


def campaign(
    kills: int, seed: int, work: Path, say: Any = print, runs: Sequence[str] = tuple(CLEAN_RUNS)
) -> dict[str, Any]:
    """Reference (clean `runs`), then `kills` killed and resumed scans; the summary."""
    started = time.monotonic()
    evidence = build(work)
    before = tree_digest(evidence)
    ref = reference(work, evidence, say, runs)
    cases = work / "cases"
    shutil.rmtree(cases, ignore_errors=True)
    cases.mkdir(parents=True)
    say(HEADER)
    outcomes = []
    for i in range(kills):
        out = one_kill(i, seed, cases, evidence, ref)
        if tree_digest(evidence) != before:
            out.fail("evidence_changed", "the sample's bytes changed")
            before = tree_digest(evidence)
        say(row(out))
        outcomes.append(out)
        if not out.problems:  # 4.5 MB each, mostly the compiled rules
            shutil.rmtree(cases / f"kill-{i:02d}")
            (cases / f"kill-{i:02d}.jsonl").unlink()
    return summarise(outcomes, ref, seed, time.monotonic() - started)


def summarise(
    outcomes: Sequence[Outcome], ref: Reference, seed: int, seconds: float
) -> dict[str, Any]:
    totals = sum((Counter(o.counts) for o in outcomes), Counter())
    clean = [
        f"{name}: {export}" + (f", case state: {state}" if state else "")
        for name, (export, state) in ref.clean_runs.items()
    ]
    unstable = sum(export == DIFFER or bool(state) for export, state in ref.clean_runs.values())
    return {
        "kills": len(outcomes),
        "resume_kills": sum(o.resume_hit not in ("-", "ended first") for o in outcomes),
        **{name: totals[name] for name in FAILURES},
        "unstable_clean_runs": unstable,
        "seconds": round(seconds, 1),
        "seed": seed,
        "records": len(ref.lines),
        "stages_hit": dict(Counter(o.hit for o in outcomes)),
        "pooled_kills": sum(o.pooled for o in outcomes),
        "byte_identical_exports": sum(o.byte_identical for o in outcomes),
        "clean_runs": clean,
        "cases_with_work_leftovers": sum(o.leftovers > 0 for o in outcomes),
        "failures": [asdict(o) for o in outcomes if o.problems],
    }


def failed(summary: dict[str, Any]) -> bool:
    return any(summary[name] for name in (*FAILURES, "unstable_clean_runs"))


HEADER = f"{'#':>3} {'pool':4} {'planned':7} {'hit':7} {'t (s)':>6}  {'committed at kill':58} " \
    f"{'resume kill':11} result"  # fmt: skip


def row(o: Outcome) -> str:
    result = "ok" if not o.problems else "; ".join(o.problems)
    return (f"{o.index:>3} {'yes' if o.pooled else 'no':4} {o.planned:7} {o.hit:7} "
            f"{o.at:>6.2f}  {o.state:58.58} {o.resume_hit:11} {result}")  # fmt: skip


def print_summary(summary: dict[str, Any]) -> None:
    print("\nclean runs against the reference:", "; ".join(summary["clean_runs"]))
    print(f"stages hit: {summary['stages_hit']}; worker pool forced in {summary['pooled_kills']}")
    print(f"resumed exports byte-identical to the reference (ids included): "
          f"{summary['byte_identical_exports']}/{summary['kills']}; cases left with temporary "
          f"files in work/: {summary['cases_with_work_leftovers']}")  # fmt: skip
    for key in ("kills", "resume_kills", *FAILURES, "unstable_clean_runs", "seconds"):
        print(f"  {key:24} {summary[key]}")
    print("RESULT:", "FAILED" if failed(summary) else "passed")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--kills", type=int, default=50, help="kill points (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--work", type=Path, help="work folder, kept (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kill-scans-"))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    say = (lambda line: print(line, file=sys.stderr)) if args.json else print
    say(f"work folder {work}, seed {args.seed}")
    summary = campaign(args.kills, args.seed, work, say)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print_summary(summary)
    if args.work is None and not failed(summary):
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed(summary) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
