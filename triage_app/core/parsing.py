"""The parser contract: a small class with metadata and one generator method.

`Parser.parse(file, ctx)` yields `Artifact` records. Problems with single rows are reported
through `ctx.warn()` (capped) and never end the file; an exception ends that file only and
is recorded as `error` for this parser × file by the engine.
"""

from __future__ import annotations

import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, ClassVar

from .errors import ParserError
from .models import Artifact
from .progress import CancelToken
from .sqlite_reader import Utf8Text, table_columns

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_WARNINGS_KEPT = 50


@dataclass(frozen=True)
class FileInfo:
    """The indexed file a parser is given (a row of the `files` table)."""

    id: int
    evidence_id: int
    volume: str | None
    path: str
    name: str
    size: int
    sha256: str | None
    mime: str | None
    deleted: bool


@dataclass
class ParseContext:
    """What a parser may use: content, a safe SQLite copy, warnings, cancellation."""

    file: FileInfo
    open: Callable[[], BinaryIO]
    sqlite_copy: Callable[[], Path]
    cancel: CancelToken
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS_KEPT:
            self.warnings.append(message)
        log.debug("%s: %s", self.file.path, message)


class Parser(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]
    path_globs: ClassVar[tuple[str, ...]] = ()
    signature: ClassVar[bytes | None] = None
    # Content types from the indexer's detection (FileInfo.mime): content, not the name,
    # decides, so a HEIC photo renamed to .jpg still reaches the photo parser.
    mime_types: ClassVar[tuple[str, ...]] = ()

    def accepts(self, file: FileInfo, ctx: ParseContext) -> bool:
        return True

    @abstractmethod
    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        """Yield records; report bad rows with ctx.warn()."""


class NotApplicable(Exception):
    """Raised by a parser when the file turns out not to be its app's data (`skipped`)."""


class SQLiteParser(Parser):
    """Base for parsers of app databases.

    `identify` names tables whose absence means "not this app's database" (the run is
    `skipped`, e.g. an unrelated SQLite file that happens to be called `History`).
    `required` names only the tables/columns the queries use; a database that has the
    identifying tables but lacks a required one is an `error` naming what is missing, so
    schema drift is never a silent zero.
    """

    signature = SQLITE_MAGIC
    identify: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[dict[str, frozenset[str]]] = {}

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        from .sqlite_reader import open_copy

        conn = open_copy(ctx.sqlite_copy())
        try:
            self.check_schema(conn)
            yield from self.records(conn, ctx)
            decoder = conn.text_factory
            if isinstance(decoder, Utf8Text) and decoder.bad and not decoder.claimed:
                ctx.warn(f"{decoder.bad} text value(s) not valid UTF-8, shown with U+FFFD")
        except sqlite3.Error as exc:
            raise ParserError(f"SQLite error: {exc}") from exc
        finally:
            conn.close()

    def check_schema(self, conn: sqlite3.Connection) -> dict[str, set[str]]:
        tables = table_columns(conn)
        absent = sorted(t for t in self.identify if t.lower() not in tables)
        if absent:
            raise NotApplicable(f"not a {self.name} database (no table {', '.join(absent)})")
        missing = []
        for table, columns in self.required.items():
            have = tables.get(table.lower())
            if have is None:
                missing.append(f"table {table}")
            else:
                missing += [f"{table}.{c}" for c in sorted(columns) if c.lower() not in have]
        if missing:
            raise ParserError("schema not as expected, missing: " + ", ".join(missing))
        return tables

    @abstractmethod
    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        """Turn rows into records."""
