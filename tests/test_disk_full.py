"""Disk full during a scan (issue 8): a clear error, nothing corrupted, resumable after
space is freed.

The case folder (or only its `work/` folder) is put on a tmpfs too small for a scan of the
workshop sample, inside a private mount namespace (`unshare --mount`, kept alive by a
sleeping process; commands enter it with `nsenter`), so nothing is mounted on the host and
everything vanishes with the namespace. After the failed `qarina scan`, space is "freed" by
remounting the tmpfs bigger; the case is checked before anything writes to it again
(`PRAGMA integrity_check`, `qarina verify --case`), then the same scan is run again and
its export compared with an uninterrupted scan's.

Exports are compared as records, not rows: `id` is a row number (a resumed scan parses in
another order) and a keyword hit's `target_id` names such a row, so it is replaced by the
record it points to. Sizes are in bytes; those of `work/` follow the compiled YARA rules of
the reference scan (they are most of `work/`), so that a change of the rule packs does not
move a scenario to another stage — `test_the_disk_fills_where_intended` says when one has.

Root only (mounting a tmpfs needs it, even in a namespace of one's own); skipped otherwise,
except on CI where it fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

QARINA = Path(sys.executable).with_name("qarina")
KIB, MIB = 1024, 1024**2
BIG = 64 * MIB
EXAMINER = ("--examiner", "Disk Full Test", "--case-number", "DF-1")

PROBE = Path(__file__).with_name("disk_full_probe.py")  # facts / tear, in the namespace


class MountNamespace:
    """A private mount namespace held open by a sleeping process we started."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sleep", "3600"]
        )
        mine, deadline = os.readlink("/proc/self/ns/mnt"), time.monotonic() + 60
        # Until unshare(2) has run, the child is still in our namespace.
        while os.readlink(f"/proc/{self._proc.pid}/ns/mnt") == mine:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise OSError(f"unshare --mount failed (exit {self._proc.poll()})")
            time.sleep(0.01)

    def run(self, *cmd: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["nsenter", f"--target={self._proc.pid}", "--mount", "--", *map(str, cmd)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def tmpfs(self, folder: Path, size: int, remount: bool = False) -> None:
        self.run("mkdir", "-p", folder)  # in the namespace: it may be inside another tmpfs
        options = f"remount,size={size}" if remount else f"size={size}"
        result = self.run("mount", "-t", "tmpfs", "-o", options, "qarina-test", folder)
        assert result.returncode == 0, result.stderr

    def close(self) -> None:
        self._proc.kill()
        self._proc.wait()


def _why_not() -> str | None:
    if not sys.platform.startswith("linux"):
        return "tmpfs and mount namespaces are Linux-only"
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    missing = [t for t in ("unshare", "nsenter", "mount") if shutil.which(t) is None]
    return f"missing {', '.join(missing)} (Debian package util-linux/mount)" if missing else None


@pytest.fixture(scope="module")
def namespace() -> Iterator[MountNamespace]:
    reason = _why_not()
    if reason is None:
        try:
            ns = MountNamespace()
        except OSError as exc:
            reason = f"no private mount namespace: {exc}"
    if reason is not None:
        if os.environ.get("CI") and sys.platform.startswith("linux"):
            pytest.fail(f"{reason}: CI runs this test as root with util-linux installed")
        pytest.skip(reason)
    yield ns
    ns.close()


def comparable(export: str) -> list[str]:
    """Export lines as sorted canonical JSON, without row numbers (see the docstring)."""
    rows = [json.loads(line) for line in export.splitlines()]
    digest = {
        r["id"]: hashlib.sha256(json.dumps({**r, "id": None}, sort_keys=True).encode()).hexdigest()
        for r in rows
    }
    out = []
    for r in rows:
        if r.get("target_id") is not None:
            r["target_id"] = digest[r["target_id"]]
        out.append(json.dumps({**r, "id": None}, sort_keys=True, ensure_ascii=False))
    return sorted(out)


@dataclass(frozen=True)
class Reference:
    evidence: list[str]
    export: list[str]
    files: int
    rules_size: int  # the compiled YARA rules in work/


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    from triage_app.sample.build import build_sample

    root = tmp_path_factory.mktemp("reference")
    evidence = [str(p) for p in build_sample(root / "sample").evidence.values()]
    case = root / "case"
    scanned = _qarina("scan", *evidence, "--case", case, "-q", *EXAMINER)
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
    exported = _qarina("export", "--case", case)
    assert exported.returncode == 0, exported.stderr
    rules = sum(p.stat().st_size for p in (case / "work").glob("rules-*.yarc"))
    assert rules > 0, "the reference scan left no compiled rules in work/"
    files = len([x for x in exported.stdout.splitlines() if '"kind": "file"' in x])
    assert files > 0, exported.stdout[:500]
    return Reference(evidence, comparable(exported.stdout), files, rules)


def _qarina(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(QARINA), *map(str, args)], capture_output=True, text=True, timeout=300
    )


@dataclass(frozen=True)
class Scenario:
    """Sizes of the tmpfs for the case folder and (None: the same one) for its work/."""

    case: str
    work: str | None
    files: str  # files indexed before the failure: "none", "some" or "all"


def _size(spec: str, rules: int) -> int:
    """`"64k"`, `"rules/2"`, `"rules+64k"`: bytes, given the compiled rules' size."""
    units = {"k": KIB, "m": MIB}
    total = 0
    for term in spec.replace("rules/2", f"{rules // 2}").replace("rules", f"{rules}").split("+"):
        total += int(term[:-1]) * units[term[-1]] if term[-1] in units else int(term)
    return total


SCENARIOS = {
    # The case folder fills while the case is being created.
    "creation": Scenario("64k", None, "none"),
    # The database fills while the first evidence item is indexed (work/ has room).
    "indexing": Scenario("512k", "64m", "some"),
    # One folder for everything, as on a nearly full laptop: the compiled rules fit, the
    # database fills while indexing. (Filling it while parsing is not used: where the
    # last page runs out then depends on the timing of batches; see the test at the end.)
    "one-folder": Scenario("rules+600k", None, "some"),
    # work/ fills while the compiled YARA rules are saved: before any file is indexed.
    "rules": Scenario("64m", "rules/2", "none"),
    # work/ fills while evidence SQLite databases are copied for the parsers.
    "copies": Scenario("64m", "rules+64k", "all"),
}


@dataclass(frozen=True)
class Outcome:
    scan: subprocess.CompletedProcess[str]
    failed: dict[str, Any]  # probe facts after the failure (space freed, nothing run)
    verify: subprocess.CompletedProcess[str]
    resumed: subprocess.CompletedProcess[str]
    export: list[str]
    after: dict[str, Any]  # probe facts after the resumed scan


def _run(name: str, ns: MountNamespace, ref: Reference, mnt: Path) -> Outcome:
    """Fill, check, free, resume: one scenario."""
    s = SCENARIOS[name]
    case = mnt / "case"
    ns.tmpfs(mnt, _size(s.case, ref.rules_size))
    if s.work is not None:
        ns.tmpfs(case / "work", _size(s.work, ref.rules_size))
    scan: tuple[str | Path, ...] = ("scan", *ref.evidence, "--case", case, "-q", *EXAMINER)
    failed = ns.run(QARINA, *scan)
    for folder in [mnt] + ([case / "work"] if s.work is not None else []):
        ns.tmpfs(folder, BIG, remount=True)
    facts = ns.run(sys.executable, PROBE, "facts", case)
    verify = ns.run(QARINA, "verify", "--case", case)
    resumed = ns.run(QARINA, *scan)
    exported = ns.run(QARINA, "export", "--case", case)
    after = ns.run(sys.executable, PROBE, "facts", case)
    assert facts.returncode == after.returncode == 0, facts.stderr + after.stderr
    return Outcome(
        failed, json.loads(facts.stdout), verify, resumed, comparable(exported.stdout),
        json.loads(after.stdout),
    )  # fmt: skip


@pytest.fixture(scope="module")
def outcomes(
    namespace: MountNamespace, reference: Reference, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """Every scenario, run side by side (each on its own tmpfs) to keep the module short."""
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        futures = {
            name: pool.submit(_run, name, namespace, reference, tmp_path_factory.mktemp(name))
            for name in SCENARIOS
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture
def outcome(request: pytest.FixtureRequest, outcomes: dict[str, Outcome]) -> Outcome:
    return outcomes[request.param]


# (check, scenario) → the diagnosis of an app bug not fixed yet, for xfail(strict=True).
KNOWN: dict[tuple[str, str], str] = {}


def cases(check: str) -> list[Any]:
    return [
        pytest.param(name, id=name, marks=pytest.mark.xfail(strict=True, reason=KNOWN[check, name]))
        if (check, name) in KNOWN else pytest.param(name, id=name)
        for name in SCENARIOS
    ]  # fmt: skip


@pytest.mark.parametrize("outcome", cases("where"), indirect=True)
def test_the_disk_fills_where_intended(
    outcome: Outcome, reference: Reference, request: pytest.FixtureRequest
) -> None:
    """Guards the scenarios themselves: the disk did fill, at the intended stage."""
    wanted = SCENARIOS[request.node.callspec.params["outcome"]].files
    files = outcome.failed["files"]
    # A scan that "succeeded" on a full work/ still names the error per file.
    assert outcome.scan.returncode != 0 or "No space left" in outcome.scan.stdout
    assert {
        "none": files == 0,
        "some": 0 < files < reference.files,
        "all": files == reference.files,
    }[wanted], (wanted, files)


@pytest.mark.parametrize("outcome", cases("clear"), indirect=True)
def test_the_scan_stops_with_one_clear_line(outcome: Outcome) -> None:
    """Not "scan ok", not a traceback: exit status non-zero, one line naming a full disk."""
    err = outcome.scan.stderr.strip().splitlines()
    assert outcome.scan.returncode != 0, outcome.scan.stdout
    assert len(err) == 1, outcome.scan.stderr
    assert "disk is full" in err[0] or "No space left" in err[0], err


@pytest.mark.parametrize("outcome", cases("exit"), indirect=True)
def test_the_exit_status_says_the_case_could_not_be_written(outcome: Outcome) -> None:
    """README: exit status 4 when the case database could not be written."""
    assert outcome.scan.returncode == 4, outcome.scan.stderr


@pytest.mark.parametrize("outcome", cases("intact"), indirect=True)
def test_nothing_is_corrupted(outcome: Outcome) -> None:
    assert outcome.failed["integrity"] == "ok"
    assert outcome.verify.returncode == 0, outcome.verify.stdout + outcome.verify.stderr


@pytest.mark.parametrize("outcome", cases("recorded"), indirect=True)
def test_the_failed_scan_is_not_recorded_as_ok(outcome: Outcome) -> None:
    assert "ok" not in outcome.failed["scans"], outcome.failed


@pytest.mark.parametrize("outcome", cases("resume"), indirect=True)
def test_resuming_after_space_is_freed_equals_an_uninterrupted_scan(
    outcome: Outcome, reference: Reference
) -> None:
    assert outcome.resumed.returncode == 0, outcome.resumed.stdout + outcome.resumed.stderr
    assert outcome.export == reference.export  # nothing lost, nothing twice
    assert outcome.after["integrity"] == "ok"
    assert outcome.after["chain"], "the audit log does not verify after the resumed scan"


@pytest.mark.parametrize("outcome", cases("details"), indirect=True)
def test_the_resumed_case_keeps_its_details(outcome: Outcome) -> None:
    """Examiner and case number given to the scan that failed are in the case, and its
    audit log starts with the case's creation."""
    assert outcome.after["info"].get("examiner") == "Disk Full Test", outcome.after["info"]
    assert outcome.after["first_action"] == "case_created"


def test_an_audit_entry_that_does_not_fit_leaves_the_log_whole(
    namespace: MountNamespace, tmp_path: Path
) -> None:
    namespace.tmpfs(tmp_path, 1 * MIB)
    torn = namespace.run(sys.executable, PROBE, "tear", tmp_path)
    assert torn.returncode == 0, torn.stderr
    namespace.run("rm", tmp_path / "filler")  # free the space
    case = tmp_path / "case"
    verify = namespace.run(QARINA, "verify", "--case", case)
    exported = namespace.run(QARINA, "export", "--case", case)  # opens the case, audits
    assert (torn.stdout.strip(), verify.returncode, exported.returncode) == ("CaseDBError", 0, 0), (
        torn.stdout + verify.stderr + exported.stderr
    )


def test_a_database_full_while_parsing_stops_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a full disk stops the parse stage depends on timing, so the commit of a parser's
    records is made to fail as SQLite fails it on a full disk."""
    from triage_app.core.engine import scan
    from triage_app.core.errors import CaseDBError
    from triage_app.core.parse_runner import ParseRunner
    from triage_app.sample.build import build_sample

    def full(self: ParseRunner) -> None:
        raise CaseDBError("case database commit failed: database or disk is full")

    evidence = build_sample(tmp_path / "sample").evidence["android"]
    monkeypatch.setattr(ParseRunner, "_commit", full)
    with pytest.raises(CaseDBError):
        scan(tmp_path / "case", [evidence])
