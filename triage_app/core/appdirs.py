"""Where Qarina keeps its own files (caches, the workshop sample, settings) — never evidence.

Installed, they go in the user's folders: `%LOCALAPPDATA%\\Qarina` on Windows, the XDG
folders elsewhere (`~/.local/share/qarina`, `~/.cache/qarina`). In **portable mode** — a file
named `qarina-portable.txt` next to the frozen program, as on a USB stick carried between
laptops — everything goes in a `data` folder beside the program instead, so the laptop keeps
no trace and the stick keeps the cases it made.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PORTABLE_MARKER = "qarina-portable.txt"


def program_dir() -> Path | None:
    """The folder of the frozen program (PyInstaller), None when run from Python."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def portable_dir() -> Path | None:
    """The `data` folder beside the program in portable mode, else None."""
    folder = program_dir()
    if folder is not None and (folder / PORTABLE_MARKER).is_file():
        return folder / "data"
    return None


def data_dir(*parts: str) -> Path:
    """Lasting files (the workshop sample and its case, settings in portable mode)."""
    portable = portable_dir()
    if portable is not None:
        return portable.joinpath(*parts)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base.joinpath("Qarina", *parts)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base.joinpath("qarina", *parts)


def cache_dir(*parts: str) -> Path:
    """Files that can be rebuilt at any time (compiled rules, translations)."""
    portable = portable_dir()
    if portable is not None:
        return portable.joinpath("cache", *parts)
    if sys.platform == "win32":
        return data_dir("cache", *parts)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base.joinpath("qarina", *parts)
