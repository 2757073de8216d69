"""The parser contract: a small class with metadata and one generator method.

`Parser.parse(file, ctx)` yields `Artifact` records. Problems with single rows are reported
through `ctx.warn()` (capped) and never end the file; an exception ends that file only and
is recorded as `error` for this parser × file by the engine.

The functions after the classes are what SQLite parsers share: the check of required tables
and columns (`require`), optional columns (`present`) and side tables (`side_table`, a
warning when absent), and the row loop that turns a bad row into a warning (`each_row`).
"""

from __future__ import annotations

import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Protocol, TypeVar

from .errors import ParserError
from .models import Artifact
from .progress import CancelToken
from .sqlite_reader import Utf8Text, table_columns

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_WARNINGS_KEPT = 50
Tables = Mapping[str, set[str]]  # table → columns, lower-cased (sqlite_reader.table_columns)
ROW_ERRORS: tuple[type[Exception], ...] = (TypeError, ValueError, OverflowError)


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

    def read_capped(self, limit: int, what: str) -> bytes:
        """The whole content of a file that is small by nature (a preferences file, a cached
        answer); a ParserError when it is larger than `limit`, so a huge or hostile file is
        never read into memory."""
        with self.open() as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ParserError(f"larger than {limit} bytes: not {what}")
        return data

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

    When a database of the app gives no record at all, the tables the parser does not read
    (`reads` and the tables above, plus `BOOKKEEPING_TABLES`) are checked: rows there are
    named in a warning, because an app that moved its content to a new table would
    otherwise read as "no messages".
    """

    signature = SQLITE_MAGIC
    identify: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[dict[str, frozenset[str]]] = {}
    # Further tables the parser reads (side tables) or knows to hold no user content.
    reads: ClassVar[frozenset[str]] = frozenset()

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        from .sqlite_reader import open_copy

        conn = open_copy(ctx.sqlite_copy())
        try:
            tables = self.check_schema(conn)
            count = 0
            for record in self.records(conn, ctx):
                count += 1
                yield record
            if not count:
                known = {t.lower() for t in (*self.identify, *self.required, *self.reads)}
                unread = rows_outside(conn, tables, known | BOOKKEEPING_TABLES)
                if unread:
                    ctx.warn(
                        "no records, but tables this parser does not read hold rows "
                        f"(schema drift?): {', '.join(unread)}"
                    )
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
        require(tables, self.required)
        return tables

    @abstractmethod
    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        """Turn rows into records."""


# Tables of SQLite itself, Android, Room and Core Data that never hold app content.
BOOKKEEPING_TABLES = frozenset(
    {
        "android_metadata", "sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3",
        "sqlite_stat4", "room_master_table", "z_metadata", "z_primarykey", "z_modelcache",
        "meta", "properties", "metadata", "_sync_state", "_sync_state_metadata",
    }
)  # fmt: skip
MAX_UNREAD_NAMED = 10


def rows_outside(
    conn: sqlite3.Connection, tables: Tables, known: set[str] | frozenset[str]
) -> list[str]:
    """The tables not in `known` that hold at least one row (at most MAX_UNREAD_NAMED named).
    Virtual tables are left alone: their module may not exist here, and querying them runs
    the evidence database's code paths, not just its data."""
    virtual = {
        str(name).lower()
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
    }
    found: list[str] = []
    for table in sorted(tables):
        if table in known or table in virtual or table.startswith("sqlite_"):
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})").fetchone()[0]:
                found.append(table)
        except sqlite3.Error:
            continue
        if len(found) == MAX_UNREAD_NAMED:
            break
    return found


def schema_gaps(
    tables: Tables, required: Mapping[str, Iterable[str]], *, sort: bool = True
) -> list[str]:
    """What `required` (table → columns, any case) names that the database lacks, as
    `table T` and `T.column`; each table's columns in sorted order unless `sort` is False."""
    missing: list[str] = []
    for table, columns in required.items():
        have = tables.get(table.lower())
        if have is None:
            missing.append(f"table {table}")
            continue
        names = sorted(columns) if sort else columns
        missing += [f"{table}.{c}" for c in names if c.lower() not in have]
    return missing


def require(tables: Tables, required: Mapping[str, Iterable[str]], *, sort: bool = True) -> None:
    """ParserError naming every table and column of `required` the database lacks."""
    missing = schema_gaps(tables, required, sort=sort)
    if missing:
        raise ParserError("schema not as expected, missing: " + ", ".join(missing))


def present(tables: Tables, table: str, columns: Iterable[str]) -> list[str]:
    """The `columns` (any case) that `table` has, in their given order: the optional ones a
    query may select."""
    have = tables.get(table.lower(), set())
    return [c for c in columns if c.lower() in have]


def side_table(tables: Tables, ctx: ParseContext, table: str, columns: Iterable[str]) -> bool:
    """Whether a side table has the columns a query needs; when not, a warning names what is
    missing (schema drift) and the caller reads on without it."""
    have = tables.get(table.lower())
    if have is None:
        ctx.warn(f"table {table} absent (schema drift): not read")
        return False
    missing = [f"{table}.{c}" for c in columns if c.lower() not in have]
    if missing:
        ctx.warn(f"table {table} not read, missing: {', '.join(missing)}")
    return not missing


class _Keyed(Protocol):
    def __getitem__(self, key: Any, /) -> Any: ...


_R = TypeVar("_R", bound=_Keyed)


def each_row(
    ctx: ParseContext,
    rows: Iterable[_R],
    table: str,
    key: str | int,
    convert: Callable[[_R], Artifact | None],
    errors: tuple[type[Exception], ...] = ROW_ERRORS,
) -> Iterator[Artifact]:
    """The record `convert` makes of each row (None: the row is not one, nothing is yielded).
    A row it fails on (`errors`) is a warning naming it by `row[key]`, never the end of the
    file; cancellation is checked before every row."""
    for row in rows:
        ctx.cancel.check()
        try:
            record = convert(row)
        except errors as exc:
            ctx.warn(f"{table} row {row[key]!r} skipped: {exc}")
            continue
        if record is not None:
            yield record
