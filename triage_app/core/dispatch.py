"""Which parser gets which file: path glob → signature → `accepts()`.

Globs match the POSIX path inside the evidence, case-insensitively (Android and iOS paths
keep their case, but FAT/exFAT and Windows copies of extractions do not), the same on every
platform (`fnmatch.fnmatchcase` on folded strings, never the OS's own rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from .parsing import FileInfo, Parser


def _glob_match(path: str, globs: Sequence[str]) -> bool:
    folded = path.casefold()
    return any(fnmatchcase(folded, g.casefold()) for g in globs)


def candidates(file: FileInfo, prefix: bytes, parsers: Sequence[Parser]) -> list[Parser]:
    """Parsers that should see `file`, before their own `accepts()` check."""
    chosen = []
    for parser in parsers:
        if parser.path_globs and not _glob_match(file.path, parser.path_globs):
            continue
        if parser.signature is not None and not prefix.startswith(parser.signature):
            continue
        if not parser.path_globs and parser.signature is None:
            continue
        chosen.append(parser)
    return chosen
