"""Offline by construction (issue 8): no network connection is attempted, and a full run
works on a machine with no network at all.

1. Audit hook: tests/no_network_audit.py runs the workshop sample through scan, report (every
   format), export, verification and a GUI screenshot with a socket audit hook installed in
   every Python process, its worker processes included (through a `sitecustomize.py` on
   PYTHONPATH). Every network event is logged; the run ends with one deliberate connection
   (the canary) that must be logged, which proves the hook sees what it should.
2. Network namespace: the `qarina` CLI runs sample, scan, report, verify and gui --screenshot
   under `unshare -n` (root) or `unshare -rn`, where the only interface is a down loopback.
   This also covers native code (Qt, libtsk, lrelease) that an audit hook cannot see.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
QARINA = Path(sys.executable).with_name("qarina")
FORMATS = "html,pdf,csv,kml,case-uco"


def _offline_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh user: own XDG folders (no cached rules or translations),
    Qt without a display."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **extra)
    for name in ("CONFIG", "CACHE", "DATA"):
        env[f"XDG_{name}_HOME"] = str(root / "xdg" / name.lower())
    return env


@dataclass(frozen=True)
class Audit:
    entries: list[dict[str, Any]]

    def phase_of(self) -> list[tuple[str, dict[str, Any]]]:
        """Each entry with the run phase it was logged in (the driver logs phase marks; the
        phases run one after the other, so a worker's lines follow its phase's mark)."""
        phase, out = "start", []
        for e in self.entries:
            if e["event"] == "phase":
                phase = e["name"]
            else:
                out.append((phase, e))
        return out

    def network(self) -> list[tuple[str, dict[str, Any]]]:
        return [(p, e) for p, e in self.phase_of() if e["event"] not in ("installed", "phase")]


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("audit")
    site = root / "site"
    site.mkdir()
    shutil.copy(HERE / "no_network_audit.py", site / "sitecustomize.py")
    log = root / "network.jsonl"
    env = _offline_env(root, PYTHONPATH=str(site), QARINA_AUDIT_LOG=str(log))
    result = subprocess.run(
        [sys.executable, str(HERE / "no_network_audit.py"), str(root / "run")],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "run" / "map.png").stat().st_size > 0
    lines = log.read_text().splitlines() if log.exists() else []  # no hook: no log
    entries = [json.loads(line) for line in lines]
    return Audit(entries)


def test_hook_watches_every_process(audit: Audit) -> None:
    """The driver and the worker processes of both the scan and the report are watched: the
    scan's workers are forked from the fork server, whose hook they inherit (Linux)."""
    roles = [(p, e["role"]) for p, e in audit.phase_of() if e["event"] == "installed"]
    assert ("start", "main") in roles
    assert ("scan", "forkserver") in roles, roles
    assert ("report", "worker") in roles, roles


def test_the_canary_is_seen(audit: Audit) -> None:
    seen = {e["event"]: e["args"] for p, e in audit.network() if p == "canary"}
    assert "socket.connect" in seen, audit.entries
    assert "192.0.2.1" in seen["socket.connect"][1]


def test_no_network_attempt(audit: Audit) -> None:
    """Scan, report, export, verification and the GUI: 0 network attempts."""
    attempts = [(p, e) for p, e in audit.network() if p != "canary"]
    assert attempts == []


def _unshare_prefix() -> list[str]:
    """A command prefix that runs with no network (only a loopback, down), or skip/fail."""
    probe = "import socket; print([n for _, n in socket.if_nameindex()])"
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            result = subprocess.run(
                [*prefix, sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if result.returncode == 0 and result.stdout.strip() == "['lo']":
            return prefix
    reason = "cannot take the network away: `unshare -n` and `unshare -rn` both fail"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must allow network namespaces: util-linux, root)")
    pytest.skip(reason)


def test_cli_works_in_a_network_namespace(tmp_path: Path) -> None:
    """Sample, scan, report in every format, verify, GUI screenshot: all exit 0 offline."""
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux-only")
    prefix = _unshare_prefix()
    env = _offline_env(tmp_path)

    def qarina(*args: str) -> str:
        result = subprocess.run(
            [*prefix, str(QARINA), *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"qarina {args[0]}: {result.stdout}{result.stderr}"
        return result.stdout

    made = qarina("sample", "--out", str(tmp_path / "sample"))
    # `android  /…/android-karim.zip` etc.: one line per device.
    lines = [line.split(maxsplit=1) for line in made.splitlines()]
    evidence = [p[1] for p in lines if p and p[0] in ("android", "iphone", "laptop")]
    assert len(evidence) == 3, made
    case, report, png = (str(tmp_path / n) for n in ("case", "report", "map.png"))
    qarina("scan", *evidence, "--case", case, "-q")
    qarina("report", "--case", case, "--out", report, "--format", FORMATS)
    qarina("verify", "--case", case)
    qarina("verify", report)
    qarina("gui", case, "--screenshot", png, "--view", "map")
    assert Path(png).stat().st_size > 0
