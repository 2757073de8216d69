"""Raw, split raw and gzip-compressed raw media streams (no native library involved).

Split sets are found by name (`.000/.001…`, `.001/.002…`, `.aa/.ab…`); a gzip raw image is
decompressed once into the case work area so that file systems can be read at random.
"""

from __future__ import annotations

import bisect
import os
import re
import string
from pathlib import Path
from typing import BinaryIO

from .directory import open_readonly

_NUMERIC = re.compile(r"^(?P<stem>.*\.)(?P<num>\d{3})$")
_ALPHA = re.compile(r"^(?P<stem>.*\.)(?P<alpha>[a-z]{2})$")


def split_set(path: Path) -> list[Path]:
    """All parts of a split raw image starting at `path`, or just `[path]`."""
    name = path.name
    if m := _NUMERIC.match(name):
        start = int(m["num"])
        if start > 1:
            return [path]
        parts = []
        n = start
        while (p := path.with_name(f"{m['stem']}{n:03d}")).is_file():
            parts.append(p)
            n += 1
        return parts if len(parts) > 1 else [path]
    if (m := _ALPHA.match(name)) and m["alpha"] == "aa":
        parts = []
        for first in string.ascii_lowercase:
            for second in string.ascii_lowercase:
                p = path.with_name(f"{m['stem']}{first}{second}")
                if not p.is_file():
                    return parts if len(parts) > 1 else [path]
                parts.append(p)
    return [path]


class RawMedia:
    """One raw file or the concatenation of a split set."""

    def __init__(self, parts: list[Path]) -> None:
        self.container_files = parts
        self.format = "split_raw" if len(parts) > 1 else "raw"
        self._files: list[BinaryIO] = [open_readonly(p, follow=True) for p in parts]
        sizes = [os.fstat(f.fileno()).st_size for f in self._files]
        self._starts = [0]
        for s in sizes[:-1]:
            self._starts.append(self._starts[-1] + s)
        self.size = sum(sizes)
        self._sizes = sizes

    @property
    def single_path(self) -> Path | None:
        return self.container_files[0] if len(self.container_files) == 1 else None

    def reopen(self) -> RawMedia:
        return RawMedia(self.container_files)

    def read_at(self, offset: int, size: int) -> bytes:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset + size <= self._starts[i] + self._sizes[i]:  # within one segment
            return os.pread(self._files[i].fileno(), size, offset - self._starts[i])
        out = bytearray()
        while size > 0 and 0 <= i < len(self._files):
            local = offset - self._starts[i]
            n = min(size, self._sizes[i] - local)
            if n <= 0:
                break
            out += os.pread(self._files[i].fileno(), n, local)
            offset += n
            size -= n
            i += 1
        return bytes(out)

    def close(self) -> None:
        for f in self._files:
            f.close()
