"""Shared fixtures. Corpus tests read QARINA_CORPUS: they skip with a reason when it is not
set, and FAIL when it is set but a file they need is missing (a broken corpus must not pass
silently)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Qt tests run without a display (CI, this machine); a developer's own setting wins.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _corpus_root() -> Path | None:
    value = os.environ.get("QARINA_CORPUS")
    return Path(value) if value else None


@pytest.fixture
def corpus() -> Callable[[str], Path]:
    """`corpus("dfvfs/test_data/image.E01")` → the path, or skip/fail as described above."""
    root = _corpus_root()
    if root is None:
        pytest.skip("QARINA_CORPUS not set: public corpus tests skipped")

    def get(relative: str) -> Path:
        path = root / relative
        if not path.exists():
            pytest.fail(f"QARINA_CORPUS is set but {relative} is missing from {root}")
        return path

    return get


def sha256_tree(paths: list[Path]) -> dict[str, str]:
    """SHA-256 of every file under the given files/folders (evidence before/after checks)."""
    result: dict[str, str] = {}
    for p in paths:
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file())
        for f in files:
            result[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return result


@pytest.fixture
def unchanged() -> Iterator[Callable[..., None]]:
    """Register evidence paths; at teardown assert none of their bytes changed."""
    watched: dict[str, str] = {}
    registered: list[Path] = []

    def watch(*paths: Path) -> None:
        for p in paths:
            registered.append(Path(p))
            watched.update(sha256_tree([Path(p)]))

    yield watch
    after = sha256_tree(registered)
    assert after == watched, "evidence changed during the test"
