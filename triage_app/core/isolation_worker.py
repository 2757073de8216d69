"""The worker side of `isolation.py`: what runs in each spawned worker process.

A worker runs its initializer once, then tasks received as pickled (callable, args) from the
parent, sending back ("ready"), ("items", seq, chunk), ("done", seq, value, last chunk) or
("failed", seq, kind, description); items yielded before a failure, or before a crash the
timer could outrun, are sent first. It ignores Ctrl-C (the parent decides), exits when its
parent dies (a watch thread; on Linux also PR_SET_PDEATHSIG for a worker stuck in C code), and
applies the memory limit with RLIMIT_DATA (see `isolation.py` for why not RLIMIT_AS).
"""

from __future__ import annotations

import contextlib
import ctypes
import inspect
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from typing import Any

if sys.platform != "win32":
    import resource

# What a worker starts with: initializer, its args, memory limit (MB), chunk (items, seconds).
Start = tuple[Callable[..., object] | None, tuple[Any, ...], int | None, tuple[int, float]]


def worker_main(tasks: Connection, results: Connection, start: Start) -> None:
    initializer, initargs, memory_mb, chunk = start
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group
    _exit_with_parent()
    _set_memory(memory_mb)
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as exc:  # noqa: BLE001 - any set-up failure is reported, never a crash loop
        results.send(("init_failed", describe(exc)))
        return
    out = _Outbox(results, chunk)
    out.send(("ready",))
    with contextlib.suppress(EOFError):
        while (message := tasks.recv()) is not None:
            seq, memory, payload = message
            _set_memory(memory)
            if not _run(out, seq, payload):
                return


def _exit_with_parent() -> None:
    if multiprocessing.get_start_method(allow_none=True) == "forkserver":
        # Forked from the fork server, which exits when the parent dies unless its children
        # keep its "alive" pipe open: let go of it, so that PR_SET_PDEATHSIG (whose parent is
        # the fork server) fires too.
        from multiprocessing import forkserver

        with contextlib.suppress(OSError, TypeError, AttributeError):
            os.close(forkserver._forkserver._forkserver_alive_fd)  # type: ignore[attr-defined]
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    parent = multiprocessing.parent_process()
    if parent is not None:

        def watch() -> None:
            parent.join()
            os._exit(70)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _set_memory(memory_mb: int | None) -> None:
    if sys.platform == "win32":
        return  # not enforced on Windows: see the module docstring
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = resource.RLIM_INFINITY if memory_mb is None else memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY and (soft == resource.RLIM_INFINITY or soft > hard):
        soft = hard
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


class _Outbox:
    """What a worker sends to its parent. Items are sent in chunks of `chunk[0]`, and also by a
    timer thread `chunk[1]` seconds after they were yielded, so records a generator produced
    reach the parent even when its next step hangs or crashes native code. One lock orders
    every send (a Connection is not safe to use from two threads at once)."""

    def __init__(self, results: Connection, chunk: tuple[int, float]) -> None:
        self._results, (self._size, self._seconds) = results, chunk
        self._lock = threading.Lock()
        self._seq: int | None = None
        self._items: list[Any] = []
        self._since = 0.0
        threading.Thread(target=self._timer, name="outbox", daemon=True).start()

    def send(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            self._results.send(message)

    def add(self, seq: int, item: Any) -> None:
        with self._lock:
            if not self._items:
                self._seq, self._since = seq, time.monotonic()
            self._items.append(item)
            if len(self._items) >= self._size:
                self._flush()

    def close(self, message: tuple[Any, ...] | None = None) -> None:
        """Send what is left (as the last chunk of a "done" message when given one)."""
        with self._lock:
            if message is not None and message[0] == "done":
                message, self._items = (*message, self._items), []
            else:
                self._flush()
            if message is not None:
                self._results.send(message)

    def _flush(self) -> None:
        if self._items:
            self._results.send(("items", self._seq, self._items))
            self._items = []

    def _timer(self) -> None:
        while True:
            time.sleep(self._seconds / 2)
            with self._lock:
                if self._items and time.monotonic() - self._since >= self._seconds:
                    with contextlib.suppress(OSError):
                        self._flush()


def _run(out: _Outbox, seq: int, payload: bytes) -> bool:
    """Run one task and send its outcome; False when the worker must be replaced."""
    try:
        fn, args = pickle.loads(payload)
        value = fn(*args)
        if inspect.isgenerator(value):
            value = _stream(out, seq, value)
        out.close(("done", seq, value))
    except MemoryError as exc:
        with contextlib.suppress(Exception):  # if even this fails, the parent sees a crash
            out.close(("failed", seq, "memory", describe(exc)))
        return False
    except Exception as exc:  # noqa: BLE001 - whatever a task raises costs only that task
        out.close(("failed", seq, "error", describe(exc)))
    return True


def _stream(out: _Outbox, seq: int, gen: Generator[Any, Any, Any]) -> Any:
    """Send what `gen` yields; return its return value."""
    box: list[Any] = []
    for item in _returning(gen, box):
        out.add(seq, item)
    return box[0]


def _returning(gen: Generator[Any, Any, Any], box: list[Any]) -> Generator[Any, None, None]:
    box.append((yield from gen))


def describe(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc, limit=-6))
    if len(text) > 3000:
        text = f"{text[:500]}\n...\n{text[-2500:]}"
    return f"{type(exc).__name__}: {exc}\n{text}"
