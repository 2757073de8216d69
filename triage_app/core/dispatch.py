"""Which parser gets which file: path glob → signature → detected MIME type → `accepts()`.

Globs match the POSIX path inside the evidence, case-insensitively (Android and iOS paths
keep their case, but FAT/exFAT and Windows copies of extractions do not), the same on every
platform (`fnmatch.translate` on folded strings, never the OS's own rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import translate
from functools import lru_cache

from .parsing import FileInfo, Parser

# Bytes of a file's start that dispatch needs: parser signatures are prefixes of at most this
# length (tests/test_dispatch_prefix.py), so hash workers send only these back, not the 4 KiB
# that type detection reads (60,000 files: 240 MB less through the pipes).
SIGNATURE_BYTES = 64


@lru_cache(maxsize=256)
def _compiled(globs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{translate(g.casefold())})" for g in globs))


def _glob_match(path: str, globs: tuple[str, ...]) -> bool:
    return _compiled(globs).match(path.casefold()) is not None


def candidates(file: FileInfo, prefix: bytes, parsers: Sequence[Parser]) -> list[Parser]:
    """Parsers that should see `file`, before their own `accepts()` check."""
    chosen = []
    for parser in parsers:
        # Cheapest test first: this runs for every indexed file against every parser, and
        # most files are not SQLite, so the signature rules most parsers out at once.
        if parser.signature is not None and not prefix.startswith(parser.signature):
            continue
        if parser.mime_types and file.mime not in parser.mime_types:
            continue
        if parser.path_globs and not _glob_match(file.path, parser.path_globs):
            continue
        if not parser.path_globs and parser.signature is None and not parser.mime_types:
            continue
        chosen.append(parser)
    return chosen
