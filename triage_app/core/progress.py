"""Progress reporting and cancellation shared by the CLI and the GUI."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

from .errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """A snapshot of scan progress; `total_*` is None while unknown."""

    stage: str
    files_done: int = 0
    bytes_done: int = 0
    files_total: int | None = None
    bytes_total: int | None = None
    findings: int = 0
    message: str = ""


class ProgressSink(Protocol):
    def update(self, progress: Progress) -> None: ...

    def log(self, level: str, message: str) -> None: ...


class NullSink:
    def update(self, progress: Progress) -> None:
        return None

    def log(self, level: str, message: str) -> None:
        return None


class CancelToken:
    """Thread-safe cancel flag; set directly from any thread (no queued signal)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by user")


class ThrottledSink:
    """Forwards at most `rate` updates per second; stage changes always pass."""

    def __init__(self, inner: ProgressSink, rate: float = 10.0) -> None:
        self._inner = inner
        self._interval = 1.0 / rate
        self._last = 0.0
        self._stage = ""

    def update(self, progress: Progress, force: bool = False) -> None:
        now = time.monotonic()
        if force or progress.stage != self._stage or now - self._last >= self._interval:
            self._stage = progress.stage
            self._last = now
            self._inner.update(progress)

    def log(self, level: str, message: str) -> None:
        self._inner.log(level, message)
