"""Parsers that misbehave, for tests/test_parse_isolation.py. Worker processes import them by
module name (pytest puts tests/ on sys.path, and multiprocessing hands it to its children).

Each matches files by name, so one folder of evidence exercises all of them in one scan."""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Iterator

from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, ParseContext, Parser


def _lines(ctx: ParseContext) -> list[str]:
    return ctx.read_capped(1 << 20, "a test file").decode().splitlines()


class LinesParser(Parser):
    """One note per line: the well-behaved parser whose records must all survive."""

    name, version, kinds = "test_lines", "1", ("note",)
    path_globs = ("*.txt",)

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        for n, line in enumerate(_lines(ctx)):
            yield Artifact("note", {"text": line, "pid": os.getpid()}, source_table="lines",
                           source_rowid=n)  # fmt: skip


class CrashParser(Parser):
    """Yields the lines of the file, then dereferences NULL (SIGSEGV) as broken C code does."""

    name, version, kinds = "test_crash", "1", ("note",)
    path_globs = ("*crash*",)

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        for n, line in enumerate(_lines(ctx)):
            yield Artifact("note", {"text": line}, source_table="crash", source_rowid=n)
        time.sleep(0.5)  # the records above reach the parent before the crash
        ctypes.string_at(0)


class HangParser(Parser):
    """Never ends (a decoder looping on a crafted file)."""

    name, version, kinds = "test_hang", "1", ("note",)
    path_globs = ("*hang*",)

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        while True:
            time.sleep(0.05)
        yield  # pragma: no cover


class HogParser(Parser):
    """Allocates without bound (a decompression bomb in a decoder)."""

    name, version, kinds = "test_hog", "1", ("note",)
    path_globs = ("*hog*",)

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
        yield  # pragma: no cover


ALL = (LinesParser(), CrashParser(), HangParser(), HogParser())
