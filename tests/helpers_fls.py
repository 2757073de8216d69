"""The Sleuth Kit command-line tools (`mmls`, `fsstat`, `fls`) as an independent oracle.

`tsk_listing(parts)` runs `fls -r -p` on every volume of a disk image and returns, per volume
label, the set of `(path, deleted)` pairs it prints. Volume labels follow the export
contract: `None` when the image has no partition table, else `"p1"`, `"p2"`, ... for the
first, second, ... allocated partition in the order `mmls -a` lists them. A partition where
`fls` finds no file system is expected to contribute no entries.

Only differences in how `fls` *prints* names are normalised, never what it lists:

- `fls` prints control characters in names as `^` (TSK's `tsk_print_sanitized`), e.g. the
  HFS+ directory `.HFS+ Private Directory Data\\r`; `sanitize()` applies the same mapping to
  our paths before comparing.
- On NTFS, `fls` prints one line per `$DATA` / `$INDEX_ROOT` attribute, a named one as
  `name:attribute`, and no bare line for an entry whose attributes are all named (e.g.
  `$Secure` only appears as `$Secure:$SDS`, `$Secure:$SDH`, `$Secure:$SII`). The bare name
  is added back to the expected set (the directory does hold that name); every
  `name:attribute` line stays expected.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

Listing = dict[str | None, set[tuple[str, bool]]]

TOOLS = ("fls", "mmls", "fsstat")
TIMEOUT = 120
_EWF_MAGIC = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\r\n\x81\x00")
_UNITS = re.compile(r"Units are in (\d+)-byte sectors")
_PARTITION = re.compile(r"^\s*\d+:\s+(\S+)\s+(\d+)\s+\d+\s+\d+\s")


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def require_tsk() -> None:
    """Skip (with the reason) when the Sleuth Kit command-line tools are not installed."""
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"Sleuth Kit tools not on PATH ({', '.join(missing)}): the fls oracle is "
            "unavailable (CI installs sleuthkit)"
        )


def _run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=False)


def _image_args(parts: list[Path]) -> list[str]:
    with parts[0].open("rb") as f:
        head = f.read(8)
    return ["-i", "ewf"] if head.startswith(_EWF_MAGIC) else []


def partitions(parts: list[Path]) -> tuple[list[int], int] | None:
    """Start sectors of the allocated partitions and the sector size, or None (no table)."""
    result = _run(["mmls", "-a", *_image_args(parts), *map(str, parts)])
    if result.returncode != 0:
        return None
    text = result.stdout.decode("utf-8", "replace")
    units = _UNITS.search(text)
    starts = []
    for line in text.split("\n"):
        m = _PARTITION.match(line)
        if m and m[1] != "Meta" and not m[1].startswith("-"):
            starts.append(int(m[2]))
    return starts, int(units[1]) if units else 512


def _volume_args(offset: int | None, sector: int) -> list[str]:
    if offset is None:
        return []
    return ["-o", str(offset), *(["-b", str(sector)] if sector != 512 else [])]


def fs_type(parts: list[Path], offset: int | None = None, sector: int = 512) -> str | None:
    """`fsstat -t` (e.g. "ext2", "ntfs", "hfsp"), or None when TSK finds no file system."""
    args = ["fsstat", "-t", *_volume_args(offset, sector), *_image_args(parts)]
    result = _run([*args, *map(str, parts)])
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace").strip() or None


def fls_entries(
    parts: list[Path], offset: int | None = None, sector: int = 512
) -> set[tuple[str, bool]]:
    """`(path, deleted)` pairs printed by `fls -r -p`; empty when there is no file system."""
    fstype = fs_type(parts, offset, sector)
    if fstype is None:
        return set()
    args = ["fls", "-r", "-p", *_volume_args(offset, sector), *_image_args(parts)]
    result = _run([*args, *map(str, parts)])
    assert result.returncode == 0, f"fls failed: {result.stderr.decode('utf-8', 'replace')}"
    entries: set[tuple[str, bool]] = set()
    # Split on "\n" only: str.splitlines() would also split names at \x1c, \x85, U+2028...
    for line in result.stdout.decode("utf-8", "replace").split("\n"):
        if not line:
            continue
        prefix, sep, path = line.partition(":\t")
        assert sep, f"unexpected fls line: {line!r}"
        entries.add(("/" + path, "*" in prefix.split()))
    if fstype.startswith("ntfs"):
        entries |= _ntfs_bare_names(entries)
    return entries


def _ntfs_bare_names(entries: set[tuple[str, bool]]) -> set[tuple[str, bool]]:
    bare = set()
    for path, deleted in entries:
        parent, _, name = path.rpartition("/")
        if ":" in name:
            bare.add((f"{parent}/{name.split(':', 1)[0]}", deleted))
    return bare


def tsk_listing(parts: list[Path]) -> Listing:
    """Per volume label, what `fls -r -p` lists (see the module docstring)."""
    table = partitions(parts)
    if table is None:
        return {None: fls_entries(parts)}
    starts, sector = table
    return {f"p{n}": fls_entries(parts, start, sector) for n, start in enumerate(starts, 1)}


def sanitize(path: str) -> str:
    """A path as `fls` prints it: control characters (< 0x20) become `^`."""
    return "".join("^" if ord(ch) < 0x20 else ch for ch in path)
