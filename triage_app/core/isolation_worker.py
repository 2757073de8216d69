"""The worker side of `isolation.py`: what runs in each spawned worker process.

A worker runs its initializer once, then tasks received as pickled (callable, args) from the
parent, sending back ("ready"), ("items", seq, chunk), ("done", seq, value, last chunk) or
("failed", seq, kind, description). It ignores Ctrl-C (the parent decides), exits when its
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
    results.send(("ready",))
    with contextlib.suppress(EOFError):
        while (message := tasks.recv()) is not None:
            seq, memory, payload = message
            _set_memory(memory)
            if not _run(results, seq, payload, chunk):
                return


def _exit_with_parent() -> None:
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


def _run(results: Connection, seq: int, payload: bytes, chunk: tuple[int, float]) -> bool:
    """Run one task and send its outcome; False when the worker must be replaced."""
    try:
        fn, args = pickle.loads(payload)
        value, rest = fn(*args), None
        if inspect.isgenerator(value):
            value, rest = _stream(results, seq, value, chunk)
        results.send(("done", seq, value, rest))
    except MemoryError as exc:
        with contextlib.suppress(Exception):  # if even this fails, the parent sees a crash
            results.send(("failed", seq, "memory", describe(exc)))
        return False
    except Exception as exc:  # noqa: BLE001 - whatever a task raises costs only that task
        results.send(("failed", seq, "error", describe(exc)))
    return True


def _stream(
    results: Connection, seq: int, gen: Generator[Any, Any, Any], chunk: tuple[int, float]
) -> tuple[Any, list[Any]]:
    """Send what `gen` yields in chunks; return its return value and the last chunk."""
    box: list[Any] = []
    items: list[Any] = []
    flushed = time.monotonic()
    try:
        for item in _returning(gen, box):
            items.append(item)
            if len(items) >= chunk[0] or time.monotonic() - flushed >= chunk[1]:
                results.send(("items", seq, items))
                items, flushed = [], time.monotonic()
    except BaseException:
        if items:  # what was yielded before a failure is delivered, whatever the chunking
            with contextlib.suppress(Exception):
                results.send(("items", seq, items))
        raise
    return box[0], items


def _returning(gen: Generator[Any, Any, Any], box: list[Any]) -> Generator[Any, None, None]:
    box.append((yield from gen))


def describe(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc, limit=-6))
    if len(text) > 3000:
        text = f"{text[:500]}\n...\n{text[-2500:]}"
    return f"{type(exc).__name__}: {exc}\n{text}"
