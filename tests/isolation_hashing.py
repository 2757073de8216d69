"""Hash-worker tasks that misbehave, for tests/test_hash_isolation.py. Worker processes import
them by module name (pytest puts tests/ on sys.path, and multiprocessing hands it on)."""

from __future__ import annotations

import ctypes
from typing import Any

from triage_app.core.errors import QarinaError
from triage_app.core.workers import HashJob, HashResult, hash_batch


def crash_on_marked(
    path: str, workdir: str, jobs: list[HashJob], spec: Any = None
) -> list[HashResult]:
    """Dereferences NULL (SIGSEGV) in any batch holding a file named *CRASH*, as a native
    decoder does on a crafted file; hashes every other batch normally."""
    if any("CRASH" in job.locator for job in jobs):
        ctypes.string_at(0)
    return hash_batch(path, workdir, jobs, spec)


def cannot_open(path: str, workdir: str, jobs: list[HashJob], spec: Any = None) -> list[HashResult]:
    raise QarinaError("simulated: the worker could not open the evidence")
