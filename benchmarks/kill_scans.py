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
(`file:N`, `rec:N`, `ent:N`: row ids in commit order, which the worker pool and a resume
change) and a record hit's `target_id` (replaced by a digest of the record it points to);
in `qarina info` `case.created_at`, each evidence's `added_at` and `scans` (a killed scan
stays `running`). Nothing else differs: two plain runs export byte-identical records.

Limits: SIGKILL ends processes, not the kernel, so written but unsynced data survives it:
this is no proof against a power cut (that needs a VM or dm-log-writes). Kill moments come
from the reference's stage timings, which vary with load; the stage a kill hit is the last
progress line seen. Linux (pty, process groups, /proc).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pty
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
QARINA = [sys.executable, "-m", "triage_app.cli"]
# The same scan as QARINA with the hash worker pool started on the first file.
POOLED = [sys.executable, "-c", "import sys, triage_app.core.indexer as ix; "
          "ix.POOL_AFTER_FILES_SEARCHING = ix.POOL_AFTER_BYTES_SEARCHING = 0; "
          "ix.POOL_AFTER_FILES = ix.POOL_AFTER_BYTES = 0; "
          "from triage_app.cli import main; sys.exit(main())"]  # fmt: skip
CASE_OPTIONS = ["--examiner", "Kill test", "--case-number", "KILL-1", "--tz", "Africa/Tripoli"]
STAGES = ("setup", "index", "parse", "search")
PROGRESS = re.compile(rb"\[(open|index|parse|search)\]")
TABLES = ("evidence", "volumes", "files", "parser_runs", "artifacts", "apps", "entities",
          "entity_refs", "record_text", "hashset_hits", "search_progress")  # fmt: skip
RESUME_KILL_EVERY = 5
TIMEOUT = 300.0
FAILURES = ("corrupt_cases", "open_failures", "verify_failures", "resume_failures",
            "lost_records", "duplicated_records", "unexpected_records", "mismatched_exports",
            "case_state_mismatches", "evidence_changed", "orphan_processes")  # fmt: skip


class ScanRun:
    """`qarina scan` in a new session (its own process group), progress line on a pty."""

    def __init__(self, case: Path, evidence: Sequence[Path], pooled: bool) -> None:
        self.case = case
        master, slave = pty.openpty()
        self._master = master
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 (read after the scan ends)
        command = (POOLED if pooled else QARINA) + ["scan", *map(str, evidence)]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [*command, "--case", str(case), *CASE_OPTIONS], stdin=subprocess.DEVNULL,
            stdout=self._out, stderr=slave, start_new_session=True, cwd=REPO,
        )  # fmt: skip
        os.close(slave)
        self.events: dict[str, float] = {}  # stage -> seconds after start it was first seen
        self.last = "startup"
        self._terminal = b""  # the end of what the scan wrote to stderr
        self._seen = {s: threading.Event() for s in STAGES}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        tail = b""  # a progress tag split between two reads is matched whole (and a tag
        while True:  # seen twice changes nothing: the first time is kept)
            try:
                chunk = os.read(self._master, 4096)
            except OSError:  # EIO: every process holding the pty has ended
                return
            if not chunk:
                return
            self._terminal = (self._terminal + chunk)[-4096:]
            data, tail = tail + chunk, (tail + chunk)[-16:]
            for raw in PROGRESS.findall(data):
                stage = "index" if raw == b"open" else raw.decode()
                self.events.setdefault(stage, time.monotonic() - self.started)
                self.last = stage
                self._seen[stage].set()

    def wait_stage(self, stage: str) -> float | None:
        """Seconds after start the stage began (setup: when case.sqlite appeared), None if
        the scan ended before it."""
        while stage not in self.events:
            if stage == "setup" and (self.case / "case.sqlite").exists():
                self.events["setup"] = time.monotonic() - self.started
            elif self.proc.poll() is not None:
                self._reader.join(5)
                break
            self._seen[stage].wait(0.001)
        return self.events.get(stage)

    def kill_at(self, when: float) -> str | None:
        """SIGKILL the group `when` seconds after start; the stage it hit, None if the scan
        had ended by then."""
        try:
            self.proc.wait(max(0.0, self.started + when - time.monotonic()))
            return None
        except subprocess.TimeoutExpired:
            pass
        stage = self.last
        if stage == "startup" and (self.case / "case.sqlite").exists():
            stage = "setup"
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.finish()
        return stage

    def finish(self, watch: Path | None = None) -> tuple[int, float | None]:
        """Wait for the end; the exit code and when `watch` first existed (polled)."""
        seen = None
        while self.proc.poll() is None:
            if watch is not None and seen is None and watch.exists():
                seen = time.monotonic() - self.started
            if time.monotonic() - self.started > TIMEOUT:  # hung: stop it, report exit -9
                os.killpg(self.proc.pid, signal.SIGKILL)
            time.sleep(0.002)
        code = self.proc.wait()
        self._reader.join(5)
        os.close(self._master)
        return code, seen

    def output(self) -> str:
        """What the scan printed: its summary, then the end of its stderr."""
        self._out.seek(0)
        return (self._out.read() + self._terminal).decode("utf-8", "replace")


def group_alive(pgid: int) -> list[int]:
    """Processes of a group that are still running (zombies awaiting their reaper aside)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def qarina(*args: str | Path) -> tuple[int, str]:
    """Run a `qarina` command (not a scan) in this process: (exit code, output; an exception
    the command let through is named after `unhandled`). The same click command as the
    `qarina` executable, without a second of interpreter start-up."""
    from click.testing import CliRunner

    from triage_app.cli import main as cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    output = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += f"\nunhandled {type(result.exception).__name__}: {result.exception}"
    return result.exit_code, output


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def normalise_export(lines: Iterable[str], targets: bool = True) -> Counter[str]:
    """Records as a multiset of canonical JSON, row ids removed and (`targets`) a record
    hit's `target_id` replaced by a digest of the record it points to."""
    records = [json.loads(line) for line in lines if line.strip()]
    content = {r["id"]: canonical({k: v for k, v in r.items() if k != "id"}) for r in records}
    result: Counter[str] = Counter()
    for r in records:
        r = {k: v for k, v in r.items() if k != "id"}
        target = r.get("target_id")
        if target is not None and targets:
            body = content.get(target)
            digest = hashlib.sha256(body.encode()).hexdigest()[:16] if body else None
            r["target_id"] = f"content:{digest}" if digest else f"dangling:{target}"
        result[canonical(r)] += 1
    return result


@dataclass
class Diff:
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    examples: list[str] = field(default_factory=list)


def compare_records(reference: Counter[str], got: Counter[str]) -> Diff:
    missing, extra = reference - got, got - reference
    diff = Diff(
        lost=sum(missing.values()),
        duplicated=sum(n for k, n in extra.items() if k in reference),
        unexpected=sum(n for k, n in extra.items() if k not in reference),
    )
    diff.examples = [f"lost {k[:160]}" for k in list(missing)[:3]]
    diff.examples += [f"extra {k[:160]}" for k in list(extra)[:3]]
    return diff


def normalise_info(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["case"].pop("created_at", None)
    for item in data["evidence"]:
        item.pop("added_at", None)
    data.pop("scans", None)
    return data


def case_state(case: Path) -> dict[str, Any]:
    """`qarina info` without what legitimately differs, derived-table row counts and audit
    facts: what a resumed case must share with the reference besides its records."""
    code, output = qarina("info", "--case", case, "--json")
    state: dict[str, Any] = {"info_exit": code}
    state["info"] = normalise_info(json.loads(output)) if code == 0 else output
    conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True)
    try:
        state["rows"] = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        mirrored = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        conn.close()
    entries = [json.loads(line) for line in (case / "audit.jsonl").read_text().splitlines()]
    # Written once per case and per evidence item: a resume must neither skip nor repeat them.
    once = Counter(
        f"{e['action']} {e['details'].get('evidence_id', '')}".strip()
        for e in entries
        if e["action"] in ("case_created", "evidence_added")
    )
    state["audit_once"] = dict(sorted(once.items()))
    state["audit_mirrored"] = mirrored == len(entries)
    return state


def differences(reference: Any, got: Any, where: str = "") -> list[str]:
    """Where two JSON-like values differ, as `path: got != reference` lines."""
    if isinstance(reference, dict) and isinstance(got, dict):
        return [
            line
            for key in sorted(set(reference) | set(got), key=str)
            for line in differences(
                reference.get(key, "<missing>"), got.get(key, "<missing>"), f"{where}.{key}"
            )
        ]
    if isinstance(reference, list) and isinstance(got, list) and len(reference) == len(got):
        return [line for i, (r, g) in enumerate(zip(reference, got, strict=True))
                for line in differences(r, g, f"{where}[{i}]")]  # fmt: skip
    return [] if reference == got else [f"{where or 'value'}: {got!r:.120} != {reference!r:.120}"]


def check_db(db: Path) -> tuple[str | None, str]:
    """Integrity of a crashed case database, checked on a copy (the WAL is recovered as the
    next scan would, while the case itself stays as the kill left it); (problem, what was
    committed)."""
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("", "-wal"):
            if Path(f"{db}{suffix}").exists():
                shutil.copyfile(f"{db}{suffix}", Path(tmp) / f"case.sqlite{suffix}")
        conn = sqlite3.connect(Path(tmp) / "case.sqlite")
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            checks += [r[0] for r in conn.execute("PRAGMA quick_check")]
            orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
            problem = None
            if checks != ["ok", "ok"] or orphans:
                problem = f"integrity {checks[:3]}, foreign keys {orphans[:3]}"
            return problem, committed(conn)
        except sqlite3.Error as exc:
            return f"{type(exc).__name__}: {exc}", "unreadable"
        finally:
            conn.close()


def committed(conn: sqlite3.Connection) -> str:
    """What a crashed case holds: evidence walked, files, parser runs done, records, and
    the last artifact searched."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if (
        "case_info" not in tables
        or not conn.execute("SELECT 1 FROM case_info WHERE key = 'created_at'").fetchone()
    ):
        return CREATING
    n = [
        conn.execute(f"SELECT {what} FROM {table}").fetchone()[0]
        for what, table in (
            ("count(*)", "evidence"),
            ("count(*)", "evidence WHERE walk_complete"),
            ("count(*)", "files"),
            ("count(*)", "parser_runs WHERE status NOT IN ('pending', 'running')"),
            ("count(*)", "parser_runs"),
            ("count(*)", "artifacts"),
            ("coalesce(max(last_id), 0)", "search_progress"),
        )
    ]
    return f"ev {n[1]}/{n[0]} walked, files {n[2]}, runs {n[3]}/{n[4]}, recs {n[5]}, search {n[6]}"


CREATING = "case being created"


def tree_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        for f in [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file()):
            digest.update(f"{f}\0".encode() + hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def export_lines(case: Path) -> list[str]:
    out = case.parent / f"{case.name}.jsonl"
    code, output = qarina("export", "--case", case, "-o", out)
    if code != 0:
        raise RuntimeError(f"export of {case} failed: {output}")
    return out.read_text(encoding="utf-8").splitlines()


def build(work: Path) -> list[Path]:
    """The workshop sample under `work` (built once: its bytes are deterministic)."""
    from triage_app.sample.build import EVIDENCE, build_sample, sample_at

    folder = work / "sample"
    sample = sample_at(folder) if folder.exists() else build_sample(folder)
    return [sample.evidence[key] for key in EVIDENCE]


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


def export_difference(reference: list[str], lines: list[str]) -> str:
    """How the exports of two complete runs differ: not at all, in the normalised fields
    only, or in their records (a bug)."""
    if lines == reference:
        return "byte-identical"
    if normalise_export(lines, targets=False) == normalise_export(reference, targets=False):
        return "ids"
    return "ids, target_id" if normalise_export(lines) == normalise_export(reference) else DIFFER


DIFFER = "RECORDS DIFFER"
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
