"""Hostile values and edit recipes for the parser fuzzing (tests/test_fuzz_parsers.py): the
Hypothesis strategies (`BYTE_EDITS`, `CELL_EDITS`, `TREE_EDITS` and the hostile values they
draw from) and the functions that apply a recipe to a valid file: byte-wise (`byte_edited`),
as a JSON or plist tree (`tree_edited`), or cell by cell in an SQLite database
(`cells_edited`).
"""

from __future__ import annotations

import json
import plistlib
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fuzzing import PREFIX, SCRATCH
from hypothesis import strategies as st

# --- hostile values and edits ---------------------------------------------------------------
# Strategies draw small edit recipes, independent of the file they apply to: a failure prints
# as (parser, seed, recipe) and is kept in test_fuzz_parsers.py as such.

HOSTILE_TEXT = (
    "", "\x00", "a\x00b", "\u202egpj.exe", "<script>alert(1)</script>", '"><img src=x onerror=a()>',
    "' OR 1=1 --", "%s%n%x", "../../../etc/passwd", "C:\\Windows\\x", "\r\n\x1b[2J", "9" * 300,
    "السَّلَامُ عَلَيْكُمْ", "\u200f+218 91 234 5678\u200e", "null", "{", "[]", "NaN", "-1", "1e400",
    "18446744073709551616", "-9223372036854775809", "2024-13-45T25:61:61Z", "\ufeff\uffff",
    "\U0010ffff", "𝕏" * 50,
)  # fmt: skip
HOSTILE_INT = (
    0, -1, 1, 2**31 - 1, -(2**31), 2**32, 2**53 + 1, 2**63 - 1, -(2**63), 253402300800,
    253402300800000, -62135596800, 10**15, 10**17, 13354882013125000, 721692000,
)  # fmt: skip
HOSTILE_BLOB = (
    b"", b"\x00" * 8, b"\xff" * 8, b"bplist00", b"SQLite format 3\x00", b"\xc3\x28\xa0\xa1",
    b"\xff\xfe<\x00", b"\x1f\x8b\x08\x00", b'{"a":', b"\xed\xa0\x80",
)  # fmt: skip
SQL_VALUE = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(HOSTILE_INT),
    st.sampled_from(HOSTILE_BLOB),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),  # SQLite stores NaN as NULL; inf and -0.0 stay
    st.text(max_size=40),
    st.binary(max_size=40),
)
JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from((*HOSTILE_TEXT, "\ud800", "\udfff")),  # lone surrogates, as \\ud800
        st.sampled_from(HOSTILE_INT),
        st.integers(),  # past 64 bits too: JSON has no limit
        st.floats(),  # NaN and Infinity, as Python's json writes and reads them
        st.text(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
PLIST_VALUE = st.recursive(
    st.one_of(
        st.booleans(),
        st.sampled_from(HOSTILE_TEXT),
        st.integers(-(2**63), 2**64 - 1),
        st.floats(),
        st.binary(max_size=24),
        st.integers(0, 2**32 - 1).map(plistlib.UID),  # any object of the archive, or none
    ),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
INTERESTING = (
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x80\x00\x00\x00",
)
_ARGUMENT = {
    "flip": st.integers(0, 7),
    "set": st.sampled_from(INTERESTING) | st.binary(min_size=1, max_size=8),
    "insert": st.binary(min_size=1, max_size=64),
    "delete": st.integers(1, 512),
    "truncate": st.none(),
    "extend": st.binary(max_size=512),
}
# Positions are taken modulo the length; half of them fall in the first 4 KiB.
BYTE_EDITS = st.lists(
    st.sampled_from(sorted(_ARGUMENT)).flatmap(
        lambda op: st.tuples(
            st.just(op), st.integers(0, PREFIX - 1) | st.integers(0, 2**31), _ARGUMENT[op]
        )
    ),
    min_size=1,
    max_size=6,
)
TREE_EDITS = st.lists(
    st.tuples(st.integers(0, 2**16), JSON_VALUE, PLIST_VALUE), min_size=1, max_size=4
)
CELL_EDITS = st.lists(
    st.tuples(
        st.integers(0, 2**16),  # table
        st.integers(0, 2**16),  # column
        st.none() | st.integers(0, 2**16),  # row, or None for every row
        SQL_VALUE.map(lambda v: ("set", v)) | st.tuples(st.just("mutate"), TREE_EDITS, BYTE_EDITS),
    ),
    min_size=1,
    max_size=8,
)


def byte_edited(data: bytes, edits: list[tuple[str, int, Any]]) -> bytes:
    out = bytearray(data)
    for op, position, argument in edits:
        at = position % max(len(out), 1)
        if op == "flip" and out:
            out[at] ^= 1 << argument
        elif op == "set":
            out[at : at + len(argument)] = argument
        elif op == "insert":
            out[at:at] = argument
        elif op == "delete":
            del out[at : at + argument]
        elif op == "truncate":
            del out[at:]
        elif op == "extend":
            out += argument
    return bytes(out)


def _nodes(tree: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths (keys and indexes) to every node of a JSON or plist tree, the root included."""
    yield where
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _nodes(value, (*where, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _nodes(value, (*where, index))


def _replaced(tree: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    head, rest = where[0], where[1:]
    if isinstance(tree, dict):
        return {**tree, head: _replaced(tree[head], rest, value)}
    return [*tree[:head], _replaced(tree[head], rest, value), *tree[head + 1 :]]


def as_plist(data: bytes) -> Any | None:
    if not data.startswith(b"bplist00"):
        return None
    try:
        return plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    except Exception:  # noqa: BLE001 - an unreadable plist is simply not one to edit as a tree
        return None


def as_json(data: bytes) -> Any | None:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def tree_edited(data: bytes, edits: list[tuple[int, Any, Any]], fallback: list[Any]) -> bytes:
    """`data` (a JSON document or a binary plist) with nodes replaced; anything else, or a tree
    plistlib cannot write back, gets the byte edits `fallback` instead."""
    plist = as_plist(data)
    tree = plist if plist is not None else as_json(data)
    if tree is None:
        return byte_edited(data, fallback)
    for index, json_value, plist_value in edits:
        nodes = list(_nodes(tree))
        tree = _replaced(
            tree, nodes[index % len(nodes)], json_value if plist is None else plist_value
        )
    if plist is None:
        ascii_only = edits[0][0] % 2 == 0  # both spellings: \\ud800 escapes and raw UTF-8
        return json.dumps(tree, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        return plistlib.dumps(tree, fmt=plistlib.FMT_BINARY, sort_keys=False)
    except (TypeError, OverflowError, ValueError):
        return byte_edited(data, fallback)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    names = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
    ).fetchall()
    tables = [
        (n, [c[0] for c in conn.execute("SELECT name FROM pragma_table_info(?)", (n,))])
        for (n,) in names
    ]
    return [(n, columns) for n, columns in tables if columns]


def _cell_value(
    conn: sqlite3.Connection, table: str, column: str, row: int, spec: tuple[Any, ...]
) -> Any:
    if spec[0] == "set":
        return spec[1]
    sql = f"SELECT {_quoted(column)} FROM {_quoted(table)} LIMIT 1 OFFSET ?"
    current = conn.execute(sql, (row,)).fetchone()
    value = current[0] if current else None
    if isinstance(value, str):
        return tree_edited(value.encode(), spec[1], spec[2]).decode("utf-8", "replace")
    return tree_edited(value, spec[1], spec[2]) if isinstance(value, bytes) else value


def cells_edited(data: bytes, edits: list[tuple[int, int, int | None, tuple[Any, ...]]]) -> bytes:
    """The database `data` with cells (or whole columns) set to hostile values or to their own
    value edited. An update a constraint refuses is left out: the schema stays the app's."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        db = Path(tmp) / "db"
        db.write_bytes(data)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA synchronous=OFF")  # a scratch copy: no fsync per example
        tables = _tables(conn)
        for table_index, column_index, row, spec in edits if tables else []:
            table, columns = tables[table_index % len(tables)]
            column = columns[column_index % len(columns)]
            count = conn.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0]
            offset = None if row is None else row % max(count, 1)
            where = (
                ""
                if offset is None
                else f" WHERE rowid = (SELECT rowid FROM {_quoted(table)} LIMIT 1 OFFSET {offset})"
            )
            try:
                value = _cell_value(conn, table, column, offset or 0, spec)
                conn.execute(f"UPDATE {_quoted(table)} SET {_quoted(column)} = ?{where}", (value,))
            except (sqlite3.Error, OverflowError):
                continue
        conn.commit()
        conn.close()
        return db.read_bytes()
