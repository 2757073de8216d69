"""The evidence before and after a scan of the hostile corpus (tests/hostile.py): `snapshot()`
lists and hashes an evidence tree, `run_qarina()` runs `qarina` in a subprocess (under strace
when asked), `trace_writes()` reads an `strace -e trace=%file` log for anything that changed
a file, `stray()` keeps the writes outside the case and the app's own folders.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

# --- evidence before and after: listing, hashes, system calls -------------------------------


def snapshot(root: Path) -> dict[bytes, tuple[object, ...]]:
    """Every entry under `root` (names as bytes; links and FIFOs never followed or opened, as
    conftest's sha256_tree would open the FIFO and block): type, mode, size, mtime and, for a
    file, its SHA-256; for a link, its target."""
    found: dict[bytes, tuple[object, ...]] = {}
    for path in _entries(os.fsencode(root)):
        st = os.lstat(path)
        detail: object = None
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                detail = hashlib.file_digest(f, "sha256").hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            detail = os.readlink(path)
        found[path] = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_size, st.st_mtime_ns, detail)
    return found


def _entries(top: bytes) -> Iterator[bytes]:
    yield top
    for parent, dirs, files in os.walk(top):
        for name in sorted(dirs + files):
            yield os.path.join(parent, name)


_CALL = re.compile(r"^(?:\[pid\s+)?\d+\]?\s+(\w+)\((.*)$")
_TOKEN = re.compile(r'(?:AT_FDCWD|\d+)<((?:[^>\\]|\\.)*)>|"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)", re.S)
_WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
_CHANGES = frozenset({
    "creat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
    "symlink", "symlinkat", "link", "linkat", "truncate", "chmod", "fchmodat", "chown", "lchown",
    "fchownat", "utime", "utimes", "utimensat", "futimesat", "mknod", "mknodat", "setxattr",
    "lsetxattr", "removexattr", "lremovexattr",
})  # fmt: skip
STRACE_ARGS = ("--seccomp-bpf", "-f", "-qq", "-e", "trace=%file", "-y", "-x", "-s", "65535")


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x" and len(code) == 3:
            return chr(int(code[1:], 16))
        if code.isdigit():
            return chr(int(code, 8))
        return {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f"}.get(code, code)

    return os.fsdecode(_ESCAPE.sub(one, text).encode("latin-1"))


def trace_writes(trace: Path, cwd: Path) -> list[tuple[str, str]]:
    """(system call, path) for every call in an `strace STRACE_ARGS` log that may change a
    file: opens for writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND), creat, unlink,
    rename, mkdir, symlink, link, truncate, chmod, chown, utime, mknod, xattrs. Relative
    paths are joined to their directory descriptor's path (or `cwd`)."""
    found: list[tuple[str, str]] = []
    for line in trace.read_text(encoding="latin-1").splitlines():
        m = _CALL.match(line)
        if m is None:
            continue
        call, args = m.groups()
        if call in ("open", "openat", "openat2"):
            if not _WRITE_FLAGS.search(_TOKEN.sub("", args.split(") = ")[0])):
                continue
        elif call not in _CHANGES:
            continue
        base = str(cwd)
        for tok in _TOKEN.finditer(args):
            if tok.group(1) is not None:
                base = _unescape(tok.group(1))
            elif not (call.startswith("symlink") and tok.start() == 0):  # a link's target
                found.append((call, os.path.normpath(os.path.join(base, _unescape(tok.group(2))))))
    return found


def under(path: str, roots: Sequence[Path | str]) -> bool:
    return any(path == str(r) or path.startswith(str(r).rstrip("/") + "/") for r in roots)


def stray(writes: Sequence[tuple[str, str]], case: Path, app: Path) -> list[tuple[str, str]]:
    """The writes outside the case folder and the app's own folders (`run_qarina`'s app/),
    but for /dev/null and multiprocessing's named semaphores (created and unlinked at once
    by the hash worker pool)."""
    allowed: list[Path | str] = [case, app, "/dev/null", "/dev/tty"]
    return [w for w in writes if not under(w[1], allowed) and not w[1].startswith("/dev/shm/sem.")]


def run_qarina(
    cwd: Path, args: Sequence[str], timeout: float, trace: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`qarina ARGS` in a subprocess in `cwd`, with HOME and the XDG folders in cwd/app (the
    app's caches land there, never in the user's), under `strace STRACE_ARGS -o trace` when
    `trace` is given. Past `timeout` the whole process group (strace, the scan and its
    workers) is killed and TimeoutExpired raised."""
    app = cwd / "app"
    app.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(app), "XDG_CACHE_HOME": str(app / "cache"),
           "XDG_DATA_HOME": str(app / "data"), "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    cmd = [sys.executable, "-m", "triage_app.cli", *args]
    if trace is not None:
        cmd = ["strace", *STRACE_ARGS, "-o", str(trace), *cmd]
    with subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=os.name == "posix",
    ) as proc:  # fmt: skip
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.communicate()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
