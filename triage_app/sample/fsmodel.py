"""What the sample's file-system writers are given: files with their content and times.

The writers (`fat32.py`, `ext4.py`) lay these out themselves, byte for byte, so the same tree
gives the same image on every machine (no mkfs, no clock, no locale): a trainer on Windows
gets the very disk the answer key describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath


@dataclass(frozen=True)
class FsFile:
    """A file of the tree: an absolute POSIX path ("/Users/omar/ledger.csv", any Unicode
    name), its bytes, its modification time (UTC, whole seconds) and whether it is deleted
    (its directory entry marked deleted the way the file system's own driver leaves it)."""

    path: str
    data: bytes
    mtime: datetime
    deleted: bool = False


@dataclass(frozen=True)
class FsTree:
    files: tuple[FsFile, ...]
    dirs: tuple[str, ...] = ()  # directories that hold no file (parents of files are implied)

    def directories(self) -> list[str]:
        """Every directory of the tree but the root, parents before children, sorted."""
        found: set[str] = set(self.dirs)
        for f in self.files:
            found.update(str(p) for p in PurePosixPath(f.path).parents if str(p) != "/")
        for d in list(found):
            found.update(str(p) for p in PurePosixPath(d).parents if str(p) != "/")
        return sorted(found, key=lambda d: (d.count("/"), d))
