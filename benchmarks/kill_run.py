"""The scan that benchmarks/kill_scans.py kills: `ScanRun` starts `qarina scan` of the
workshop sample (`build`) in its own process group with its progress line on a pty, so that
the stage it is in is known and the whole group can be SIGKILLed at a moment of one stage;
`group_alive` finds what survived; `qarina` runs the other commands (info, verify, export)
in-process. Linux (pty, process groups, /proc).
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

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
TIMEOUT = 300.0


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


def build(work: Path) -> list[Path]:
    """The workshop sample under `work` (built once: its bytes are deterministic)."""
    from triage_app.sample.build import EVIDENCE, build_sample, sample_at

    folder = work / "sample"
    sample = sample_at(folder) if folder.exists() else build_sample(folder)
    return [sample.evidence[key] for key in EVIDENCE]
