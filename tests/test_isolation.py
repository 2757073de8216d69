"""Worker processes with limits (issue 8 "Isolation and limits"; issue 9 "both cores work").

Each way a task can go wrong costs only that task: an exception ("error"), a hang ("timeout"),
a native crash or exit ("crashed"), memory over the limit ("memory"). The worker is replaced,
tasks queued on it run elsewhere, a failing initializer does not loop, and no worker outlives
close(), cancel(), Ctrl-C in the parent or the parent being killed. Task functions live in
tests/isolation_tasks.py so that spawned workers can import them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import isolation_tasks as tasks
import pytest

from triage_app.core.isolation import Done, Event, Failed, Item, Limits, Supervisor, Task

LIMITS = Limits(seconds=60)
LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def sup() -> Iterator[Supervisor]:
    """One pool shared by the tests that need no special set-up: it must survive them all."""
    with Supervisor(2, LIMITS) as s:
        yield s


def outcomes(s: Supervisor) -> dict[object, list[Event]]:
    """Every event of every outstanding task, by task id (60 s without any event: stop)."""
    got: dict[object, list[Event]] = defaultdict(list)
    for event in s.events(timeout=60):
        got[event.task_id].append(event)
    return dict(got)


def only(s: Supervisor, task_id: object) -> Event:
    events = outcomes(s)[task_id]
    assert len(events) == 1, events
    return events[0]


def streamed(events: list[Event]) -> list[object]:
    return [x for e in events if isinstance(e, Item) for x in e.items]


def running(pid: int) -> bool:
    """Is `pid` a live process? A zombie counts as gone (an orphan's may wait for a reaper)."""
    if sys.platform == "win32":
        return pid in {p.pid for p in multiprocessing.active_children()}
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (macOS): signal 0 only checks existence
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def assert_gone(pids: list[int], within: float = 10.0) -> None:
    until = time.monotonic() + within
    while any(running(p) for p in pids) and time.monotonic() < until:
        time.sleep(0.05)
    assert not [p for p in pids if running(p)], "worker processes left behind"
    assert not {p.pid for p in multiprocessing.active_children()} & set(pids)


def test_task_result(sup: Supervisor) -> None:
    sup.submit("a", tasks.add, 2, 3)
    assert only(sup, "a") == Done("a", 5)


def test_generator_streams_everything_in_order_in_chunks(sup: Supervisor) -> None:
    sup.submit("g", tasks.count, 100_000)
    events = outcomes(sup)["g"]
    assert streamed(events) == list(range(100_000))
    assert events[-1] == Done("g", 100_000)
    chunks = [len(e.items) for e in events if isinstance(e, Item)]
    assert len(chunks) >= 200 and max(chunks) <= 500


def test_items_arrive_while_the_generator_runs(sup: Supervisor, tmp_path: Path) -> None:
    marker = tmp_path / "parent-got-items"
    sup.submit("w", tasks.count_then_wait, 1200, str(marker))
    events: list[Event] = []
    for event in sup.events(timeout=60):
        marker.touch()
        events.append(event)
    assert streamed(events) == [*range(1200), True]
    assert isinstance(events[-1], Done)


def test_exception_is_an_error_with_message_and_traceback(sup: Supervisor) -> None:
    sup.submit("e", tasks.fail, "bad header at 0x10")
    event = only(sup, "e")
    assert isinstance(event, Failed) and event.kind == "error"
    assert event.message.startswith("ValueError: bad header at 0x10")
    assert "isolation_tasks.py" in event.message and "in fail" in event.message


def test_what_a_generator_yielded_before_failing_is_delivered(sup: Supervisor) -> None:
    sup.submit("f", tasks.count_then_fail, 700)
    events = outcomes(sup)["f"]
    assert streamed(events) == list(range(700))
    assert isinstance(events[-1], Failed) and events[-1].kind == "error"
    assert "corrupt page after 700 records" in events[-1].message


def test_unpicklable_result_is_an_error(sup: Supervisor) -> None:
    sup.submit("u", tasks.unpicklable)
    event = only(sup, "u")
    assert isinstance(event, Failed) and event.kind == "error" and "pickle" in event.message


def test_unpicklable_task_or_initializer_is_refused_at_once(sup: Supervisor) -> None:
    with pytest.raises(Exception, match="pickle"):
        sup.submit("l", lambda: None)
    before = multiprocessing.active_children()
    with pytest.raises(Exception, match="pickle"):
        Supervisor(2, LIMITS, tasks.remember, (lambda: None, "log"))
    assert multiprocessing.active_children() == before


def test_native_crash_costs_only_its_task(sup: Supervisor) -> None:
    sup.submit("crash", tasks.segfault)
    sup.submit("after", tasks.add, 1, 1)
    got = outcomes(sup)
    crash = got["crash"][0]
    assert isinstance(crash, Failed) and crash.kind == "crashed"
    assert ("SIGSEGV" if sys.platform != "win32" else "access violation") in crash.message
    assert got["after"] == [Done("after", 2)]


def test_exit_is_a_crash_with_its_code_and_queued_tasks_survive() -> None:
    with Supervisor(1, LIMITS) as s:
        s.submit("exit", tasks.exit_with, 3)
        s.submit("queued", tasks.add, 1, 2)  # waits on the same worker
        got = outcomes(s)
    assert got["exit"] == [Failed("exit", "crashed", "worker died: exit code 3")]
    assert got["queued"] == [Done("queued", 3)]


def test_timeout_kills_the_worker_and_the_next_task_runs_on_a_fresh_one() -> None:
    with Supervisor(1, LIMITS) as s:
        s.submit("before", tasks.pid)
        first = only(s, "before")
        assert isinstance(first, Done)
        s.submit("slow", tasks.sleep, 60, limits=Limits(seconds=1))
        s.submit("next", tasks.pid)
        got = outcomes(s)
    assert got["slow"] == [Failed("slow", "timeout", "ran past its 1 s limit")]
    after = got["next"][0]
    assert isinstance(after, Done) and after.result != first.result
    assert_gone([first.result])


@pytest.mark.skipif(not LINUX, reason="memory limits are enforced on Linux only (RLIMIT_DATA)")
def test_memory_over_the_limit(sup: Supervisor) -> None:
    sup.submit("big", tasks.allocate, 2048, limits=Limits(seconds=60, memory_mb=256))
    sup.submit("small", tasks.allocate, 16, limits=Limits(seconds=60, memory_mb=256))
    got = outcomes(sup)
    big = got["big"][0]
    assert isinstance(big, Failed) and big.kind == "memory", big
    assert big.message.startswith("MemoryError")
    assert got["small"] == [Done("small", 16)]


def test_two_workers_run_two_tasks_at_once(sup: Supervisor, tmp_path: Path) -> None:
    sup.submit("x", tasks.meet, str(tmp_path), "x", 2)
    sup.submit("y", tasks.meet, str(tmp_path), "y", 2)
    got = outcomes(sup)
    (x,), (y,) = got["x"], got["y"]
    assert isinstance(x, Done) and isinstance(y, Done)
    (x_start, x_end, x_met), (y_start, y_end, y_met) = x.result, y.result
    assert x_met and y_met
    assert max(x_start, y_start) < min(x_end, y_end)  # the intervals overlap


def test_a_crash_loses_none_of_the_other_tasks(sup: Supervisor) -> None:
    work = [
        Task(i, tasks.exit_with, (1,)) if i == 7 else Task(i, tasks.square_slowly, (i,))
        for i in range(20)
    ]
    got: dict[object, list[Event]] = defaultdict(list)
    for event in sup.run(work):
        got[event.task_id].append(event)
    assert set(got) == set(range(20))
    assert all(len(events) == 1 for events in got.values())
    assert [e for i in range(20) for e in got[i] if i != 7] == [
        Done(i, i * i) for i in range(20) if i != 7
    ]
    assert isinstance(got[7][0], Failed) and got[7][0].kind == "crashed"


def test_initializer_state_is_seen_by_tasks_and_restored_in_a_new_worker(tmp_path: Path) -> None:
    log = tmp_path / "inits"
    with Supervisor(1, LIMITS, tasks.remember, ("evidence-1", str(log))) as s:
        s.submit("first", tasks.recall)
        s.submit("crash", tasks.exit_with, 9)
        s.submit("second", tasks.recall)
        got = outcomes(s)
    first, second = got["first"][0], got["second"][0]
    assert isinstance(first, Done) and isinstance(second, Done)
    assert first.result[0] == second.result[0] == "evidence-1"
    assert first.result[1] != second.result[1]
    assert len(log.read_text().split()) == 2


@pytest.mark.parametrize(
    ("name", "why"),
    [("failing_init", "ValueError: evidence cannot be opened"),
     ("crashing_init", "its worker died: " + ("killed by SIGSEGV" if LINUX else "exit"))],
)  # fmt: skip
def test_initializer_failure_fails_the_tasks_without_a_crash_loop(
    tmp_path: Path, name: str, why: str
) -> None:
    log = tmp_path / "attempts"
    with Supervisor(2, LIMITS, getattr(tasks, name), (str(log),)) as s:
        for i in range(5):
            s.submit(i, tasks.add, i, i)
        got = outcomes(s)
        s.submit("later", tasks.add, 0, 0)
        later = outcomes(s)["later"]
        assert s.pids == []
    assert set(got) == set(range(5))
    for (event,) in [*got.values(), later]:
        assert isinstance(event, Failed) and event.kind == "error"
        assert event.message.startswith(f"initializer {name} failed: {why}")
    assert 2 <= len(log.read_text().split()) <= 4  # 2 workers, at most 2 restarts a minute


def test_cancel_kills_busy_workers_and_returns_the_dropped_tasks(tmp_path: Path) -> None:
    s = Supervisor(2, LIMITS)
    for name in ("a", "b", "c"):
        s.submit(name, tasks.sleep, 60, str(tmp_path / name))
    until = time.monotonic() + 30
    while not ((tmp_path / "a").exists() and (tmp_path / "b").exists()):
        assert not list(s.events(timeout=0.05)) and time.monotonic() < until
    pids = s.pids
    assert sorted(map(str, s.cancel())) == ["a", "b", "c"]
    assert_gone(pids)
    assert not list(s.events(timeout=0))
    with pytest.raises(RuntimeError):
        s.submit("d", tasks.add, 1, 1)


def test_close_after_work_leaves_no_process() -> None:
    s = Supervisor(2, LIMITS)
    s.submit("a", tasks.add, 1, 1)
    assert only(s, "a") == Done("a", 2)
    pids = s.pids
    assert s.close() == []
    assert_gone(pids)


def test_ctrl_c_in_the_parent_leaves_no_process(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), Supervisor(2, LIMITS) as s:
        pids = s.pids
        s.submit("a", tasks.sleep, 60, str(tmp_path / "a"))
        until = time.monotonic() + 30
        while not (tmp_path / "a").exists() and time.monotonic() < until:
            list(s.events(timeout=0.05))
        raise KeyboardInterrupt
    assert_gone(pids)


PARENT = """
import sys
import isolation_tasks as tasks
from triage_app.core.isolation import Limits, Supervisor

if __name__ == "__main__":
    s = Supervisor(2, Limits(seconds=600))
    s.submit(1, tasks.sleep_holding_gil, 600, sys.argv[1] + "/a")
    s.submit(2, tasks.sleep_unguarded, 600, sys.argv[1] + "/b")
    print(*s.pids, flush=True)
    for _ in s.events():
        pass
"""


@pytest.mark.skipif(not LINUX, reason="SIGKILL and PR_SET_PDEATHSIG: Linux")
def test_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    """One worker is stuck in C holding the GIL (only PR_SET_PDEATHSIG can end it), the other
    sleeps with PDEATHSIG cleared (only the parent-watch thread can end it, as on Windows)."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT))
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), str(here)])}
    parent = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    pids: list[int] = []
    try:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        until = time.monotonic() + 30
        while not ((tmp_path / "a").exists() and (tmp_path / "b").exists()):
            assert time.monotonic() < until, "the workers never started their tasks"
            time.sleep(0.05)
        assert all(running(p) for p in pids)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
    try:
        assert_gone(pids)
    finally:  # a failure must not leave a 600 s orphan behind
        for pid in filter(running, pids):
            os.kill(pid, signal.SIGKILL)
