"""Case queries off the UI thread.

A `CaseTask` runs `job(conn)` in a pool thread on its own read-only connection and emits
`(generation, result)` through a signal of a model living in the UI thread (so the slot runs
there); an error is emitted as the result instead of raised. The model compares the
generation with its own to drop answers to questions no longer asked, and may `interrupt`
a long query (a sort of a million records) when the user asks another.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRunnable, SignalInstance

from ..core.casecrypt import DB_ERRORS
from .casedata import CaseData

log = logging.getLogger(__name__)


class CaseTask(QRunnable):
    def __init__(
        self, case: CaseData, done: SignalInstance, generation: int,
        job: Callable[[sqlite3.Connection], Any],
    ) -> None:  # fmt: skip
        super().__init__()
        self._case, self._done, self._generation, self._job = case, done, generation, job
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._stopped = False

    def run(self) -> None:
        with self._lock:
            if self._stopped:
                return
            conn = self._conn = self._case.connect()
        try:
            result: Any = self._job(conn)
        except DB_ERRORS as exc:  # interrupted, locked or damaged: the view says so
            log.info("case query ended: %s", exc)
            result = exc
        except Exception as exc:  # a bug: logged whole, and the view still says something
            log.exception("case query failed")
            result = exc
        finally:
            with self._lock:
                self._conn = None
                conn.close()
        try:
            self._done.emit(self._generation, result)
        except RuntimeError:  # the model was deleted while the query ran: nobody to tell
            log.debug("case query answered after its model closed")

    def interrupt(self) -> None:
        """Stop the query if it is running; skip it if it has not started."""
        with self._lock:
            self._stopped = True
            if self._conn is not None:
                self._conn.interrupt()
