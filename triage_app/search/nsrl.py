"""NSRL RDS v3 SQLite: its hash set reader, and `NsrlLookup`, the known-good filter.

What: `hashsets.read_hashset` returns an `_RdsReader` for an RDS, streaming its rows as
`HashEntry` items; `NsrlLookup` answers membership queries in place. Both open the
database read-only and immutable, and only plain reads of real tables are allowed.
Why: NSRL now ships only as SQLite, too large to copy into a case: it is read in place.

Format, as checked against NIST's minimal-set `schema.sql` and a `.schema` dump of a full
RDS v3 set, as copied in public repositories: minimal sets declare table `FILE(sha256, sha1,
md5, crc32, file_name, file_size, package_id)`, primary key in that order, no other index,
hashes upper-case. Full sets keep them in table `METADATA` (`..., file_name, extension`) and
publish `FILE` as a view joining `PACKAGE_OBJECT`. Only real tables are read (views and
triggers never run), so rows that view would drop for lacking a package are read too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from triage_app.core.errors import ParserError
from triage_app.core.sqlite_reader import Utf8Text, check_not_truncated
from triage_app.search.hashsets import (
    ALGOS,
    HashAlgo,
    HashEntry,
    HashSetError,
    HashSetReader,
    normalise,
)

_RDS_ORDER: tuple[HashAlgo, ...] = ("sha256", "sha1", "md5")


class NsrlIndexMissing(HashSetError):
    """The RDS has no index for the asked algorithm, and table scans were not allowed."""


def _authorize(
    action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None
) -> int:
    # Only plain reads of real tables: code in a view or trigger of a received database
    # never runs, whatever its schema says.
    allowed = action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_PRAGMA)
    return sqlite3.SQLITE_OK if allowed and source is None else sqlite3.SQLITE_DENY


def _open_rds(path: Path) -> tuple[sqlite3.Connection, str, str | None]:
    """Open an RDS v3 read-only and find its hash table: (connection, table, extension
    column or None). A reference set is not evidence and has no WAL, so `immutable=1` is
    safe and keeps SQLite from creating or locking anything beside it."""
    try:
        # a truncated copy of a 100+ GB download, or rows left in a WAL after applying a
        # delta (immutable=1 ignores the WAL), would read as fewer rows, silently
        check_not_truncated(path)
        if Path(f"{path}-wal").exists() and Path(f"{path}-wal").stat().st_size:
            raise HashSetError(f"{path.name}: has an uncheckpointed -wal; checkpoint it first")
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
    except (ParserError, OSError, sqlite3.Error) as exc:
        raise HashSetError(f"{path.name}: not a readable SQLite database ({exc})") from exc
    try:
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA query_only=ON")
        conn.set_authorizer(_authorize)
        conn.text_factory = Utf8Text()
        tables = {
            str(n).upper(): {str(c[1]).lower() for c in conn.execute(f'PRAGMA table_info("{n}")')}
            for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if '"' not in str(n)
        }
    except sqlite3.Error as exc:
        conn.close()
        raise HashSetError(f"{path.name}: not a readable SQLite database ({exc})") from exc
    need = {"sha256", "sha1", "md5", "file_name"}
    if need <= tables.get("FILE", set()):
        return conn, "FILE", None
    if need | {"extension"} <= tables.get("METADATA", set()):
        return conn, "METADATA", "extension"
    conn.close()
    raise HashSetError(f"{path.name}: SQLite, but not an NSRL RDS v3 (no FILE/METADATA table)")


class _RdsReader(HashSetReader):
    format = "nsrl-rds3"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        _open_rds(path)[0].close()

    def _entries(self) -> Iterator[HashEntry]:
        conn, table, ext = _open_rds(self.path)
        name = (
            f"file_name || CASE {ext} WHEN '' THEN '' ELSE '.' || {ext} END" if ext else "file_name"
        )
        try:
            for row in conn.execute(f"SELECT sha256, sha1, md5, {name} FROM {table}"):
                hits = [normalise(str(v), a) for v, a in zip(row, _RDS_ORDER, strict=False)]
                if not all(hits):
                    self._bad(f"row with a malformed hash: {str(row[:3])[:200]}")
                file_name = str(row[3]) if row[3] is not None else None
                yield from (HashEntry(h[0], h[1], None, file_name) for h in hits if h)
        except sqlite3.Error as exc:
            self._bad(f"database read stopped: {exc}")
        finally:
            conn.close()


class NsrlLookup:
    """Membership queries against an NSRL RDS v3 SQLite, opened read-only and immutable.

    RDS ships one index, the primary key, whose first column is `sha256` (minimal sets);
    full sets ship none on `METADATA`. `indexed_algos` is what SQLite's planner says it can
    search by index. For any other algorithm a query raises `NsrlIndexMissing`, because each
    query would scan hundreds of millions of rows; create the index on a copy
    (`CREATE INDEX file_md5 ON FILE(md5)`), or pass `allow_scan=True`, which answers each
    `lookup_many` call with one full scan. Stored hashes may be upper- or lower-case; both
    spellings are asked for (mixed-case stored values are not found)."""

    def __init__(self, path: Path, *, allow_scan: bool = False) -> None:
        self._conn, self._table, _ = _open_rds(path)
        self.allow_scan = allow_scan
        try:
            self.indexed_algos = frozenset(a for a in ALGOS if self._searchable(a))
        except sqlite3.Error as exc:
            self._conn.close()
            raise HashSetError(f"{path.name}: unreadable RDS schema ({exc})") from exc

    def _searchable(self, algo: HashAlgo) -> bool:
        sql = f"EXPLAIN QUERY PLAN SELECT {algo} FROM {self._table} WHERE {algo} IN (?, ?)"
        plan = self._conn.execute(sql, ("", "")).fetchall()
        details = [str(row[-1]) for row in plan]
        return any(d.startswith("SEARCH") for d in details) and not any(
            d.startswith("SCAN") for d in details
        )

    def contains(self, algo: HashAlgo, value: str) -> bool:
        return bool(self.lookup_many(algo, [value]))

    def lookup_many(self, algo: HashAlgo, values: Iterable[str]) -> set[str]:
        """The given values (lower-cased) that are in the RDS; ValueError for a value that
        is not a hash of `algo`."""
        if algo not in ALGOS:
            raise ValueError(f"unknown hash algorithm {algo!r}")
        if algo not in self.indexed_algos and not self.allow_scan:
            raise NsrlIndexMissing(
                f"the RDS has no index on {self._table}({algo}); create one on a copy "
                f"or look up by {', '.join(sorted(self.indexed_algos)) or 'another hash'}"
            )
        wanted: set[str] = set()
        found: set[str] = set()
        for raw in values:
            hit = normalise(raw, algo)
            if hit is None:
                raise ValueError(f"not a {algo} hash: {raw[:80]!r}")
            wanted.add(hit[1])
            if len(wanted) == 250 and algo in self.indexed_algos:  # 2 spellings: 500 params
                found |= self._search(algo, wanted)
                wanted = set()
        if algo not in self.indexed_algos:
            return self._scan(algo, wanted) if wanted else found
        return (found | self._search(algo, wanted)) if wanted else found

    def _search(self, algo: HashAlgo, values: set[str]) -> set[str]:
        params = [v for value in values for v in (value, value.upper())]
        sql = f"SELECT {algo} FROM {self._table} WHERE {algo} IN ({','.join('?' * len(params))})"
        try:
            return {str(r[0]).lower() for r in self._conn.execute(sql, params)}
        except sqlite3.Error as exc:
            raise HashSetError(f"RDS lookup failed: {exc}") from exc

    def _scan(self, algo: HashAlgo, values: set[str]) -> set[str]:
        found: set[str] = set()
        try:
            for (stored,) in self._conn.execute(f"SELECT {algo} FROM {self._table}"):
                if (low := str(stored).lower()) in values:
                    found.add(low)
        except sqlite3.Error as exc:
            raise HashSetError(f"RDS scan failed: {exc}") from exc
        return found

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> NsrlLookup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
