"""Run work on evidence content in worker processes, with time and memory limits.

Evidence is hostile: a crafted file can hang a parser or crash native code (libtsk, libewf,
libmagic, Pillow). A task run here costs only itself when it raises, overruns its time, exceeds
its memory or kills its worker: the parent gets `Failed` with the reason, replaces the worker
(which runs the initializer again) and hands the worker's queued tasks to another. The parent
stays the one writer of the case database; a generator task streams what it yields in chunks
(`Item`) while it runs, so memory stays bounded on both sides. Workers never inherit the
caller's state: `spawn` on Windows and in the frozen app (installer/qarina_main.py calls
freeze_support()), so tasks are module-level callables with picklable arguments. On Linux
(not in the frozen app) workers are forked from
multiprocessing's fork server, which imports the modules the first Supervisor of the process
names (`preload`, e.g. the parsers) once: a worker is ready in ~50 ms instead of the ~1 s a
spawned one spends importing them; it is still a fresh process with no state of the caller's,
and with the environment variables of the moment the fork server started (later changes to
`os.environ` are not seen: pass what a task needs as arguments).

Time is measured by the parent from a task's start (its predecessor on the worker finished),
including time a generator waits for the parent to read (keep pumping `events()`), and enforced
by killing the worker. Memory: RLIMIT_DATA per worker (POSIX). Not RLIMIT_AS: every thread
reserves a 64 MB malloc arena and libraries map large regions (a worker that imports the engine
has ~310 MB of address space for ~135 MB of data). Python code over the limit gets MemoryError
("memory"); native code may crash instead ("crashed"). Not enforced on Windows, which has no
setrlimit: a Job Object with JOB_OBJECT_LIMIT_PROCESS_MEMORY (through ctypes) would do it.
No orphans: workers ignore Ctrl-C (the parent decides), and exit when the parent dies: a thread
waits on the parent's sentinel (pipe EOF on POSIX, process handle on Windows); on Linux
PR_SET_PDEATHSIG also ends a worker stuck in C code holding the GIL. It fires when the *thread*
that started the worker ends: use a Supervisor from one thread that outlives it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.util
import pickle
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Literal

from .appdirs import cache_dir
from .isolation_worker import Start, worker_main

log = logging.getLogger(__name__)

_SOCKET_DIR_MAX = 60  # characters: the fork server's socket path must stay under 108 (AF_UNIX)


def _context() -> Any:  # a ForkServerContext or a SpawnContext
    if sys.platform.startswith("linux") and not getattr(sys, "frozen", False):
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def _own_socket_dir() -> None:
    """Put the fork server's listening socket in Qarina's cache, not in a new folder of /tmp
    (multiprocessing's default), so a scan writes nothing outside the case and the app's own
    folders. Done as `multiprocessing.util.get_temp_dir` does it, once per process."""
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    base = cache_dir("run")
    if config.get("tempdir") or len(str(base)) > _SOCKET_DIR_MAX:
        return
    with contextlib.suppress(OSError):  # else multiprocessing uses /tmp, as it would anyway
        base.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix="pymp-", dir=base)
        config["tempdir"] = folder
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)


_CTX = _context()
PREFETCH = 2  # tasks on one worker: one running, one waiting in its pipe so it never idles
# A waiting task is sent only if this small, so it fits a pipe buffer (64 KiB on Linux, 8 KiB in
# multiprocessing on Windows): sending never blocks while the worker is busy streaming items.
_SMALL = 4096
_RESTART_WINDOW = 60.0  # seconds: at most `workers` initializer restarts in this window
_NTSTATUS = {0xC0000005: "access violation", 0xC00000FD: "stack overflow",
             0xC0000409: "stack buffer overrun", 0xC0000017: "out of memory"}  # fmt: skip

FailKind = Literal["error", "timeout", "crashed", "memory"]


@dataclass(frozen=True)
class Limits:
    seconds: float
    memory_mb: int | None = None


@dataclass(frozen=True)
class Item:
    task_id: object
    items: list[Any]  # a chunk of what a generator task yielded, in order; more may follow


@dataclass(frozen=True)
class Done:
    task_id: object
    result: Any  # the return value (of a generator task: its `return` value)


@dataclass(frozen=True)
class Failed:
    task_id: object
    kind: FailKind
    message: str


Event = Item | Done | Failed


@dataclass(frozen=True)
class Task:
    task_id: object
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    limits: Limits | None = None


# --- in the parent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    task_id: object
    payload: bytes
    limits: Limits


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Connection  # parent → worker
    results: Connection  # worker → parent
    assigned: deque[int] = field(default_factory=deque)  # FIFO: the head is the running task
    since: float = field(default_factory=time.monotonic)  # the head's start, or the worker's
    ready: bool = False  # its initializer succeeded
    retiring: bool = False  # it exits after its last report
    init_error: str | None = None


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        known = -code in signal.valid_signals()
        return f"killed by {signal.Signals(-code).name if known else f'signal {-code}'}"
    return f"exit code {code:#x} ({_NTSTATUS[code]})" if code in _NTSTATUS else f"exit code {code}"


def _stop(process: BaseProcess, grace: float) -> None:
    process.join(grace)
    if process.exitcode is None:
        process.kill()
        process.join(10)


def warm_up(preload: Sequence[str]) -> None:
    """Start the fork server now (Linux), so that it imports `preload` while the caller does
    other work (e.g. the scan indexes) instead of when the first worker is needed."""
    if _prepare_server(preload):
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _prepare_server(preload: Sequence[str]) -> bool:
    """With the fork server: its socket folder, and what it imports if it is not running yet.
    False when workers are spawned."""
    if _CTX.get_start_method() != "forkserver":
        return False
    _own_socket_dir()
    _CTX.set_forkserver_preload(list(preload))
    return True


class Supervisor:
    """A pool of worker processes for one single-threaded caller (e.g. the scan thread).

    `submit()` queues a task; `events()` pumps and yields Item/Done/Failed events; `run()` does
    both with back-pressure (at most PREFETCH tasks per worker in flight). Each task gets
    exactly one final event (Done or Failed) unless `cancel()` or `close()` drops it. A chunk of
    items is sent at `chunk_items`, or with the first item `chunk_seconds` after the last chunk.
    """

    def __init__(
        self,
        workers: int,
        limits: Limits,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        chunk_items: int = 500,
        chunk_seconds: float = 0.2,
        init_seconds: float = 60.0,
        preload: Sequence[str] = (),
    ) -> None:
        self._size, self._limits, self._init_seconds = max(1, workers), limits, init_seconds
        chunk = (chunk_items, chunk_seconds)
        self._start: Start = (initializer, initargs, limits.memory_mb, chunk)
        self._jobs: dict[int, _Job] = {}  # submitted, final event not queued yet
        self._pending: deque[int] = deque()  # on no worker
        self._events: deque[Event] = deque()
        self._workers: list[_Worker] = []
        self._restarts: deque[float] = deque()
        self._broken: str | None = None
        self._closed = False
        self._seq = 0
        _prepare_server(preload)
        try:
            for _ in range(self._size):
                self._start_worker()
        except BaseException:  # e.g. an initializer that cannot be pickled: no worker left
            self.cancel()
            raise

    @property
    def pids(self) -> list[int]:
        """Process ids of the current workers (diagnostics, tests)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def submit(
        self, task_id: object, fn: Callable[..., Any], /, *args: Any, limits: Limits | None = None
    ) -> None:
        """Queue `fn(*args)`; raises at once if they cannot be pickled (a programming error)."""
        if self._closed:
            raise RuntimeError("the Supervisor is closed")
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        if self._broken is not None:
            self._events.append(Failed(task_id, "error", self._broken))
            return
        self._seq += 1
        self._jobs[self._seq] = _Job(task_id, payload, limits or self._limits)
        self._pending.append(self._seq)
        self._dispatch()

    def events(self, timeout: float | None = None) -> Iterator[Event]:
        """Yield events until no task is left, or until `timeout` seconds bring no event."""
        while (event := self._next(timeout)) is not None:
            yield event

    def run(self, tasks: Iterable[Task]) -> Iterator[Event]:
        """Submit `tasks` as room frees up; yield the events of every task until all are done."""
        source, more = iter(tasks), True
        while True:
            while more and len(self._jobs) < PREFETCH * self._size:
                task = next(source, None)
                if task is None:
                    more = False
                else:
                    self.submit(task.task_id, task.fn, *task.args, limits=task.limits)
            event = self._next(None)
            if event is not None:
                yield event
            elif not more:
                return

    def cancel(self) -> list[object]:
        """Kill every worker now; return the ids of tasks whose final event was not taken."""
        self._closed = True
        for w in self._workers:
            w.process.kill()
        for w in self._workers:
            self._close_worker(w, 10)
        self._workers.clear()
        dropped = [job.task_id for job in self._jobs.values()]
        dropped += [e.task_id for e in self._events if not isinstance(e, Item)]
        self._jobs.clear()
        self._pending.clear()
        self._events.clear()
        return dropped

    def close(self) -> list[object]:
        """Let idle workers exit (their atexit handlers run), kill the others; as cancel()."""
        try:
            for w in self._workers:
                with contextlib.suppress(OSError):
                    w.tasks.send(None)
            end = time.monotonic() + 2.0
            for w in self._workers:
                w.process.join(max(0.0, end - time.monotonic()))
        finally:
            dropped = self.cancel()
        return dropped

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close() if kind is None else self.cancel()

    def _start_worker(self) -> None:
        task_r, task_w = _CTX.Pipe(duplex=False)
        result_r, result_w = _CTX.Pipe(duplex=False)
        args = (task_r, result_w, self._start)
        process = _CTX.Process(target=worker_main, args=args, name="qarina-worker", daemon=True)
        process.start()
        task_r.close()  # the worker holds these ends now
        result_w.close()
        self._workers.append(_Worker(process, task_w, result_r))

    def _next(self, timeout: float | None) -> Event | None:
        end = None if timeout is None else time.monotonic() + timeout
        while not self._events:
            if not self._jobs:
                return None
            self._pump(None if end is None else max(0.0, end - time.monotonic()))
            if not self._events and end is not None and time.monotonic() >= end:
                return None
        return self._events.popleft()

    def _dispatch(self) -> None:
        """Give each idle ready worker a task; prefetch a second one only when none is idle."""
        for w in self._workers:
            if self._pending and w.ready and not w.retiring and not w.assigned:
                self._send(w)
        if any(w.retiring or not w.assigned for w in self._workers):
            return  # a worker starting, or replaced soon, will want a task
        for w in self._workers:
            if self._pending and w.ready and not w.retiring and len(w.assigned) < PREFETCH \
                    and len(self._jobs[self._pending[0]].payload) <= _SMALL:  # fmt: skip
                self._send(w)

    def _send(self, w: _Worker) -> None:
        seq = self._pending.popleft()
        if not w.assigned:
            w.since = time.monotonic()
        w.assigned.append(seq)
        job = self._jobs[seq]
        with contextlib.suppress(OSError):  # a dead worker is noticed through its sentinel
            w.tasks.send((seq, job.limits.memory_mb, job.payload))

    def _pump(self, timeout: float | None) -> None:
        self._dispatch()
        if not self._workers:
            self._give_up("no worker is running")
            return
        deadlines = [d for w in self._workers if (d := self._deadline(w)) is not None]
        if deadlines:
            left = max(0.0, min(deadlines) - time.monotonic())
            timeout = left if timeout is None else min(timeout, left)
        owners: dict[Any, _Worker] = {}
        for w in self._workers:
            owners[w.results] = owners[w.process.sentinel] = w
        dead: list[_Worker] = []
        for handle in wait(list(owners), timeout):
            w = owners[handle]
            if (handle is not w.results or not self._read(w)) and w not in dead:
                dead.append(w)
        for w in dead:
            self._lost(w)
        now = time.monotonic()
        for w in list(self._workers):
            if (deadline := self._deadline(w)) is not None and now >= deadline:
                w.process.kill()
                w.init_error = None if w.ready else f"timed out after {self._init_seconds:g} s"
                self._lost(w, overdue=w.assigned[0] if w.ready else None)
        self._dispatch()

    def _deadline(self, w: _Worker) -> float | None:
        if not w.ready:
            return w.since + self._init_seconds
        if w.assigned and not w.retiring:
            return w.since + self._jobs[w.assigned[0]].limits.seconds
        return None

    def _read(self, w: _Worker) -> bool:
        """Handle one message from `w`; False at end of file (the worker is gone)."""
        try:
            message = w.results.recv()
        except (EOFError, OSError):
            return False
        except Exception as exc:  # noqa: BLE001 - e.g. a result class the parent cannot import
            if w.assigned:
                self._fail(w.assigned.popleft(), "error", f"result unreadable: {exc!r}")
            w.retiring = True
            w.process.kill()
            return True
        tag = message[0]
        if tag == "ready":
            w.ready, w.since = True, time.monotonic()
        elif tag == "init_failed":
            w.init_error = message[1]
        elif not w.assigned or w.assigned[0] != message[1]:
            pass  # late, from a task that already failed
        elif tag == "items":
            self._events.append(Item(self._jobs[message[1]].task_id, message[2]))
        else:
            self._finish(w, message)
        return True

    def _finish(self, w: _Worker, message: tuple[Any, ...]) -> None:
        tag, seq = message[0], message[1]
        w.assigned.popleft()
        w.since = time.monotonic()
        if tag == "done":
            task_id = self._jobs.pop(seq).task_id
            if message[3]:
                self._events.append(Item(task_id, message[3]))
            self._events.append(Done(task_id, message[2]))
        else:
            self._fail(seq, message[2], message[3])
            w.retiring = message[2] == "memory"

    def _fail(self, seq: int, kind: FailKind, message: str) -> None:
        self._events.append(Failed(self._jobs.pop(seq).task_id, kind, message))

    def _lost(self, w: _Worker, overdue: int | None = None) -> None:
        """A worker died or was killed: report what it cost, requeue the rest, replace it."""
        _stop(w.process, 5)
        with contextlib.suppress(OSError):
            while w.results.poll() and self._read(w):
                pass
        self._workers.remove(w)
        code = w.process.exitcode
        self._close_worker(w, 0)
        if not w.ready:
            self._initializer_failed(w.init_error or f"its worker died: {_exit_reason(code)}")
            return
        if overdue is not None and w.assigned and w.assigned[0] == overdue:
            limit = self._jobs[overdue].limits.seconds
            self._fail(w.assigned.popleft(), "timeout", f"ran past its {limit:g} s limit")
        elif overdue is None and w.assigned and not w.retiring:
            memory = self._jobs[w.assigned[0]].limits.memory_mb
            note = f" (memory limit {memory} MB)" if memory else ""
            why = f"worker died: {_exit_reason(code)}{note}"
            self._fail(w.assigned.popleft(), "crashed", why)
        self._pending.extendleft(reversed(w.assigned))  # they run elsewhere, in their order
        if not self._closed:
            self._start_worker()

    def _initializer_failed(self, why: str) -> None:
        initializer = self._start[0]
        what = f"initializer {getattr(initializer, '__qualname__', initializer)}"
        text = f"{what if initializer else 'worker start-up'} failed: {why}"
        log.warning("%s", text.splitlines()[0])
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > _RESTART_WINDOW:
            self._restarts.popleft()
        if self._closed:
            return
        if len(self._restarts) < self._size:
            self._restarts.append(now)
            self._start_worker()
        elif not self._workers:
            self._give_up(f"{text}\n(gave up after {len(self._restarts)} restarts in a minute)")

    def _give_up(self, reason: str) -> None:
        """No worker can run: fail every waiting task and every later one with `reason`."""
        self._broken = reason
        while self._pending:
            self._fail(self._pending.popleft(), "error", reason)

    @staticmethod
    def _close_worker(w: _Worker, grace: float) -> None:
        _stop(w.process, grace)
        w.tasks.close()
        w.results.close()
        w.process.close()
