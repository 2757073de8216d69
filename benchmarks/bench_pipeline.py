"""Timed child processes for bench_index.py, and the standard-tools pipeline as one tool.

The standard-tools pipeline (issue 9) is what an examiner without Qarina runs to get the same
results: extract every file, hash every file, search every file.

    1. tsk_recover -e [-i ewf] IMAGE WORK/files                     (stdout kept)
    2. hashdeep -c md5,sha256 -r WORK/files > WORK/hashes.txt
    3. yara -r -p 2 -w NS:RULES... WORK/files > WORK/yara.txt       (Qarina's bundled packs)

Each step runs under `/usr/bin/time -v`; the tool's wall and CPU times are the sums of the
three steps, its max RSS the largest of them. WORK is a new folder in the data directory (the
same file system as the images), deleted by the caller after the run (deletion not timed).
`TreeMemory` samples the memory of all of the benchmark's child processes together (a scan's
workers included; RSS and PSS), which `time -v` does not report (it gives the largest process),
and their CPU time, which `time -v` undercounts when a tool leaves a process unwaited.
Only the standard library is used; Linux (/proc).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

TIME = "/usr/bin/time"
PIPELINE_TOOLS = ("pipeline_raw", "pipeline_e01")
STEPS = ("tsk_recover", "hashdeep", "yara")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Timed:
    """What `/usr/bin/time -v` and the monotonic clock say about one command (or a sum)."""

    wall: float = 0.0
    max_rss_kb: int = 0
    user: float = 0.0
    sys: float = 0.0
    exit_status: int = 0
    stdout: str = ""
    stderr: str = ""

    def add(self, other: Timed) -> None:
        self.wall += other.wall
        self.max_rss_kb = max(self.max_rss_kb, other.max_rss_kb)
        self.user += other.user
        self.sys += other.sys
        self.exit_status = self.exit_status or other.exit_status


def parse_time_v(text: str) -> dict[str, float]:
    """The fields of GNU time -v output that we keep."""
    wanted = {
        "Maximum resident set size (kbytes)": "max_rss_kb",
        "User time (seconds)": "user",
        "System time (seconds)": "sys",
        "Exit status": "exit_status",
    }
    out: dict[str, float] = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key in wanted:
            out[wanted[key]] = float(value)
    return out


def timed(argv: list[str], *, capture: bool = False, out_file: Path | None = None) -> Timed:
    """Run `argv` under `time -v`; stdout captured, written to `out_file`, or discarded."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, contextlib.ExitStack() as stack:
        sink: int | IO[bytes] = subprocess.PIPE if capture else subprocess.DEVNULL
        if out_file is not None:
            sink = stack.enter_context(open(out_file, "wb"))
        started = time.monotonic()
        proc = subprocess.run(
            [TIME, "-v", "-o", tf.name, *argv],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            check=False,
        )
        wall = time.monotonic() - started
        fields = parse_time_v(Path(tf.name).read_text())
    return Timed(
        wall, int(fields.get("max_rss_kb", 0)), fields.get("user", 0.0), fields.get("sys", 0.0),
        int(fields.get("exit_status", proc.returncode)), proc.stdout or "", proc.stderr or "",
    )  # fmt: skip


# ---------------------------------------------------------------- memory of the process tree


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def descendants(root: int) -> dict[int, tuple[int, int]]:
    """(RSS KiB, own user+system ticks) of every descendant of `root` (not `root` itself)."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(entry.name)
        children.setdefault(int(stat[1]), []).append(pid)  # field 4: ppid
        info[pid] = (int(stat[21]) * PAGE_KB, int(stat[11]) + int(stat[12]))  # rss, utime+stime
    out, stack = {}, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        out[pid] = info[pid]
        stack.extend(children.get(pid, []))
    return out


class TreeMemory:
    """Peak summed RSS and PSS of this process's descendants while in the block (sampled
    every `interval` s), and their CPU time. RSS counts pages shared between processes once
    per process; PSS divides them among the sharers, so its sum is what the tree occupies.

    The CPU time is each descendant's own user+system time at its last sample, summed: it
    also covers processes the tool never waits for (multiprocessing's forkserver and its
    workers), whose time `time -v` misses; processes living < `interval` s are missed here.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_rss_kb = self.peak_pss_kb = 0
        self._ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def cpu_s(self) -> float:
        return sum(self._ticks.values()) / TICK

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval):
            tree = descendants(me)
            self.peak_rss_kb = max(self.peak_rss_kb, sum(rss for rss, _ in tree.values()))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(_pss_kb(pid) for pid in tree))
            self._ticks.update((pid, ticks) for pid, (_, ticks) in tree.items())

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- the pipeline


def yara_rule_args(rules_dir: Path) -> list[str]:
    """`NAMESPACE:FILE` arguments for the yara CLI, one per rule file Qarina wrote out."""
    return [f"{r.stem}:{r}" for r in sorted(rules_dir.glob("*.yar"))]


def pipeline_steps(
    tool: str, image: Path, e01: Path, rules_dir: Path, work: Path
) -> list[tuple[str, list[str], Path | None]]:
    """(step, argv, stdout file or None to capture) for `pipeline_raw` / `pipeline_e01`."""
    files = str(work / "files")
    source = ["-i", "ewf", str(e01)] if tool == "pipeline_e01" else [str(image)]
    return [
        ("tsk_recover", ["tsk_recover", "-e", *source, files], None),
        ("hashdeep", ["hashdeep", "-c", "md5,sha256", "-r", files], work / "hashes.txt"),
        ("yara", ["yara", "-r", "-p", "2", "-w", *yara_rule_args(rules_dir), files],
         work / "yara.txt"),
    ]  # fmt: skip


def run_pipeline(
    tool: str, image: Path, e01: Path, rules_dir: Path, work: Path
) -> tuple[Timed, dict[str, Any]]:
    """Run the three steps in `work` (stopping at a failing one): the sum, and what they did."""
    total = Timed()
    steps: dict[str, float] = {}
    recovered = ""
    for name, argv, out_file in pipeline_steps(tool, image, e01, rules_dir, work):
        step = timed(argv, capture=out_file is None, out_file=out_file)
        total.add(step)
        steps[name] = round(step.wall, 3)
        if name == "tsk_recover":
            recovered = step.stdout.strip()
        if step.exit_status != 0:
            total.stderr = f"{name}: {step.stderr}"
            break
    return total, {
        "steps_s": steps,
        "tsk_recover": recovered,  # "Files Recovered: N"
        "hashdeep_files": _count_lines(work / "hashes.txt", skip=(b"%", b"#")),
        "yara_hit_lines": _count_lines(work / "yara.txt"),
    }


def _count_lines(path: Path, skip: tuple[bytes, ...] = ()) -> int | None:
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if not (skip and line.startswith(skip)))
    except OSError:
        return None


def step_medians(checks: list[dict[str, Any]]) -> dict[str, float]:
    """Median seconds of each pipeline step over the runs' `check` records."""
    out = {}
    for name in STEPS:
        values = [c["steps_s"][name] for c in checks if name in c.get("steps_s", {})]
        if values:
            out[name] = round(statistics.median(values), 3)
    return out
