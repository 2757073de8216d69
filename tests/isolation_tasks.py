"""Tasks for tests/test_isolation.py. Spawned workers import them by module name (pytest puts
tests/ on sys.path, and spawn hands the parent's sys.path to its children)."""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path

STATE: dict[str, object] = {}  # set by the initializer, read by tasks in the same worker


def add(a: int, b: int) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def count(n: int) -> Generator[int, None, int]:
    yield from range(n)
    return n


def records(n: int) -> Iterator[dict[str, object]]:
    """Small dicts like parsed records, for throughput measurements."""
    for i in range(n):
        yield {"kind": "message", "id": i, "body": "salam", "ts": 1700000000 + i}


def count_then_fail(n: int) -> Iterator[int]:
    yield from range(n)
    raise ValueError(f"corrupt page after {n} records")


def count_then_wait(n: int, marker: str) -> Iterator[int]:
    """Yield `n` items, then wait (30 s at most) for the parent to create `marker`: the parent
    can only do that if it received items while this generator was still running."""
    yield from range(n)
    until = time.monotonic() + 30
    while not Path(marker).exists() and time.monotonic() < until:
        time.sleep(0.01)
    yield Path(marker).exists()


def unpicklable() -> object:
    return lambda: None


def fail(message: str) -> None:
    raise ValueError(message)


def sleep(seconds: float, marker: str | None = None) -> float:
    if marker:
        Path(marker).touch()
    time.sleep(seconds)
    return seconds


def sleep_unguarded(seconds: float, marker: str) -> float:
    """Sleep with PR_SET_PDEATHSIG cleared: only the parent-watch thread can end this worker
    when the parent dies (the mechanism Windows relies on)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, 0)
    return sleep(seconds, marker)


def sleep_holding_gil(seconds: int, marker: str) -> None:
    """Sleep inside a C call that keeps the GIL (PyDLL), as a hung native parser might: the
    parent-watch thread cannot run, only PR_SET_PDEATHSIG can end this worker (Linux)."""
    Path(marker).touch()
    ctypes.PyDLL(None).sleep(seconds)


def square_slowly(n: int) -> int:
    time.sleep(0.05)
    return n * n


def segfault() -> None:
    ctypes.string_at(0)


def segfault_once(data: bytes, max_side: int, blur: bool) -> bytes | str:
    """A thumbnail decoder (report.thumb_decode.jpeg's signature) that crashes on its first
    call for given bytes (marked by `segfault_mark(data)`: workers forked from the fork server
    do not see environment variables set later), then decodes."""
    mark = segfault_mark(data)
    if not mark.exists():
        mark.touch()
        ctypes.string_at(0)
    from triage_app.report.thumb_decode import jpeg

    return jpeg(data, max_side, blur)


def segfault_mark(data: bytes) -> Path:
    return Path(tempfile.gettempdir()) / f"qarina-test-segfault-{hashlib.sha256(data).hexdigest()}"


def exit_with(code: int) -> None:
    os._exit(code)


def allocate(mb: int) -> int:
    """Allocate `mb` MiB in 1 MiB blocks. bytearray pages are zero-filled lazily, so without a
    limit this maps the memory without making the machine use it."""
    blocks = [bytearray(1 << 20) for _ in range(mb)]
    return len(blocks)


def meet(folder: str, name: str, parties: int) -> tuple[float, float, bool]:
    """Check in at `folder` and wait (30 s at most) until `parties` tasks have: only tasks that
    run at the same time can meet. Returns this task's wall-clock interval and whether it met."""
    start = time.time()
    Path(folder, name).touch()
    until = time.monotonic() + 30
    while len(list(Path(folder).iterdir())) < parties and time.monotonic() < until:
        time.sleep(0.01)
    met = len(list(Path(folder).iterdir())) >= parties
    time.sleep(0.2)  # still running when the other task checks
    return start, time.time(), met


def remember(value: str, log: str) -> None:
    """An initializer: keeps `value` in this worker and logs that it ran."""
    STATE["value"] = value
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")


def recall() -> tuple[object, int]:
    return STATE.get("value"), os.getpid()


def failing_init(log: str) -> None:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    raise ValueError("evidence cannot be opened")


def crashing_init(log: str) -> None:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    segfault()
