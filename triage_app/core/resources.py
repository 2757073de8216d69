"""Where the bundled data lives: `resources/` sits beside `triage_app/` in the source tree, in
the wheel (pyproject packages `resources*` with all package data) and in a frozen build."""

from __future__ import annotations

from pathlib import Path

from .errors import QarinaError

ROOT = Path(__file__).resolve().parents[2] / "resources"


def resource_dir(name: str) -> Path:
    """`resources/<name>`; an error naming the folder when the installation lacks it."""
    folder = ROOT / name
    if not folder.is_dir():
        raise QarinaError(f"bundled folder {folder} is missing: the installation is incomplete")
    return folder
