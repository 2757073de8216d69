"""A socket audit hook for every Python process of a Qarina run, and the run itself.

Two uses, driven by tests/test_no_network.py:

- copied as `sitecustomize.py` into a folder on PYTHONPATH, it installs the hook at the start
  of every Python process of the run, including the worker processes that the report starts
  with `spawn` (they inherit PYTHONPATH and run `site` before anything else) and the fork
  server whose children are the scan's workers on Linux (a forked child keeps the hook);
- run as a script (`python no_network_audit.py WORKDIR`), it builds the workshop sample,
  scans it, writes a report in every format, exports and verifies, renders a GUI screenshot,
  and finally tries one connection (the canary, which must be seen) to prove the hook works.

What counts as network: any name lookup, any socket that is not AF_UNIX being created,
bound, connected or sent to, and the stdlib's HTTP/FTP/SMTP clients and browser launcher.
AF_UNIX sockets and pipes are local IPC (multiprocessing's `spawn` on Linux uses pipes).
The hook records each such event as one JSON line in the file named by QARINA_AUDIT_LOG
and then refuses it (all but the creation of a socket, which sends nothing), so no packet
leaves even when something does try. Python audit hooks see only Python-level calls; native
code (Qt, libtsk) is covered by the network-namespace test instead.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

LOG_ENV = "QARINA_AUDIT_LOG"
CANARY = ("192.0.2.1", 9)  # TEST-NET-1 (RFC 5737): never routed
LOOKUPS = {
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getnameinfo",
}  # fmt: skip
ON_SOCKET = {"socket.__new__", "socket.bind", "socket.connect", "socket.sendto", "socket.sendmsg"}
CLIENTS = {
    "http.client.connect", "urllib.Request", "ftplib.connect", "smtplib.connect",
    "imaplib.open", "poplib.connect", "nntplib.connect", "telnetlib.Telnet.open",
    "webbrowser.open",
}  # fmt: skip


class NetworkRefused(PermissionError):
    """Raised by the hook so that the attempted operation does not happen."""


def _write(log: str, entry: dict[str, Any]) -> None:
    # One O_APPEND write a line: lines from concurrent processes do not interleave.
    line = json.dumps({"pid": os.getpid(), **entry}, default=repr) + "\n"
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _is_network(event: str, args: tuple[Any, ...]) -> bool:
    if event in LOOKUPS or event in CLIENTS:
        return True
    if event not in ON_SOCKET:
        return False
    if event == "socket.__new__":
        return bool(args[1] != socket.AF_UNIX)  # family; -1 (from a fileno) counts as unknown
    return bool(args[0].family != socket.AF_UNIX)


def install(log: str) -> None:
    """Record (and refuse) every network attempt of this process; note that it is watched."""

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if _is_network(event, args):
            _write(log, {"event": event, "args": [repr(a) for a in args]})
            # Creating a socket sends nothing: let it be, so that the connect is seen too.
            if event != "socket.__new__":
                raise NetworkRefused(f"network refused by the test's audit hook: {event}")

    role = "main"
    if any("spawn_main" in a for a in sys.orig_argv):
        role = "worker"
    elif any("multiprocessing.forkserver" in a for a in sys.orig_argv):
        role = "forkserver"  # the workers it forks inherit its hook (hooks survive fork)
    elif any("resource_tracker" in a for a in sys.orig_argv):
        role = "tracker"
    _write(log, {"event": "installed", "role": role})
    sys.addaudithook(hook)


def _mark(phase: str) -> None:
    _write(os.environ[LOG_ENV], {"event": "phase", "name": phase})


def _scan(work: Path) -> Path:
    from triage_app.core import indexer
    from triage_app.core.engine import scan
    from triage_app.sample.build import build_sample
    from triage_app.sample.demo import OPTIONS

    evidence = build_sample(work / "sample").evidence
    # The sample is too small for the hash worker pool; start it at once so that the scan's
    # worker processes run (and are watched) too.
    indexer.POOL_AFTER_FILES = indexer.POOL_AFTER_FILES_SEARCHING = 0
    indexer.POOL_AFTER_BYTES = indexer.POOL_AFTER_BYTES_SEARCHING = 0
    _mark("scan")
    summary = scan(work / "case", list(evidence.values()), OPTIONS)
    assert summary.status == "ok" and not summary.failed_evidence, summary
    return work / "case"


def _report_and_export(case: Path, work: Path) -> None:
    from triage_app.cli import main
    from triage_app.cli_report import verify_report_dir
    from triage_app.report.build import FORMATS, ReportOptions, build_report

    _mark("report")
    build_report(case, work / "report", ReportOptions(FORMATS))
    _mark("export")
    main(["export", "--case", str(case), "-o", str(work / "records.jsonl")], standalone_mode=False)
    main(["verify", "--case", str(case)], standalone_mode=False)
    assert verify_report_dir(work / "report") == 0


def _canary() -> None:
    """One connection attempt that the hook must record (and refuse)."""
    _mark("canary")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1)  # without the hook (a broken test) it really tries
            s.connect(CANARY)
    except OSError:  # the hook's NetworkRefused (a PermissionError) or, unhooked, a timeout
        pass


def run(work: Path) -> None:
    from triage_app.gui.app import run as run_gui

    case = _scan(work)
    _report_and_export(case, work)
    _mark("gui")
    assert run_gui(case, "ar", work / "map.png", "map") == 0
    _canary()
    _mark("end")


# Only as sitecustomize: `spawn` also re-imports the main script in workers (as __mp_main__).
if __name__ == "sitecustomize" and os.environ.get(LOG_ENV):
    install(os.environ[LOG_ENV])

if __name__ == "__main__":
    run(Path(sys.argv[1]))
