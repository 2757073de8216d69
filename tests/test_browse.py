"""Keyset paging for the GUI: every record exactly once, in order, whatever the page size."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from casehelpers import insert_folder_evidence

from triage_app.core import browse
from triage_app.core.case import Case
from triage_app.core.casedb import ARTIFACT_COLUMNS, connect
from triage_app.search.arabic import normalise


def _case(tmp_path: Path, n: int = 257) -> sqlite3.Connection:
    case = Case.open(tmp_path / "case", examiner="t")
    db = case.db
    with db.transaction():
        insert_folder_evidence(db)
        rows = []
        for i in range(n):
            ts = None if i % 5 == 0 else f"2024-01-{1 + i % 7:02d}T00:00:00Z"  # ties on ts
            kind = ("message", "call", "contact")[i % 3]
            body = "القارب جاهز" if i % 10 == 1 else f"text {i}"
            rows.append((kind, 1, None, "t", ts, None, 0, None, None,
                         json.dumps({"body": body}, ensure_ascii=False)))  # fmt: skip
        db.insert_many("artifacts", ARTIFACT_COLUMNS, rows)
        for rowid, data in db.query("SELECT id, data FROM artifacts"):
            db.execute(
                "INSERT INTO record_text (rowid, text) VALUES (?, ?)",
                (rowid, normalise(json.loads(data)["body"])),
            )
    case.close()
    return connect(tmp_path / "case" / "case.sqlite", readonly=True)


def _all(
    conn: sqlite3.Connection, limit: int, kinds: tuple[str, ...] | None = None, **kw: Any
) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(10_000):
        got = browse.page(conn, kinds, after=after, limit=limit, **kw)
        seen += [r["id"] for r in got.records]
        if got.last is None:
            return seen
        after = got.last
    raise AssertionError("paging does not end")


@pytest.mark.parametrize("limit", [1, 7, 200, 1000])
@pytest.mark.parametrize("descending", [False, True])
def test_time_order_pages_cover_every_record_once(
    tmp_path: Path, limit: int, descending: bool
) -> None:
    conn = _case(tmp_path)
    expected = [
        f"rec:{i}"
        for (i,) in conn.execute(
            "SELECT id FROM artifacts ORDER BY ts IS NOT NULL, ts, id"
            if not descending
            else "SELECT id FROM artifacts ORDER BY ts IS NULL, ts DESC, id DESC"
        )
    ]
    assert _all(conn, limit, descending=descending) == expected


def test_id_order_kinds_and_counts(tmp_path: Path) -> None:
    conn = _case(tmp_path)
    calls = _all(conn, 10, order="id", kinds=("call",))
    assert calls == [f"rec:{i}" for i in range(2, 258, 3)]
    assert browse.count(conn, ("call",)) == len(calls)
    assert browse.count(conn, None) == 257
    with pytest.raises(ValueError):
        browse.page(conn, None, order="name")


def test_search_is_arabic_normalised(tmp_path: Path) -> None:
    conn = _case(tmp_path)
    found = _all(conn, 5, search="القارب")
    assert found and len(found) == 26
    assert _all(conn, 5, search="القآرب") == found  # alef variants are one letter
    assert _all(conn, 5, search="zz") == []  # short words: scanned, not indexed


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("order", ["ts", "id"])
def test_several_kinds_are_merged_in_order(tmp_path: Path, descending: bool, order: str) -> None:
    conn = _case(tmp_path)
    if order == "id":
        sql = "SELECT id FROM artifacts WHERE kind IN ('message', 'call') ORDER BY id"
    else:
        sql = (
            "SELECT id FROM artifacts WHERE kind IN ('message', 'call')"
            " ORDER BY ts IS NOT NULL, ts, id"
        )
    expected = [f"rec:{i}" for (i,) in conn.execute(sql)]
    if descending:
        expected.reverse()
    got = _all(conn, 7, ("message", "call"), order=order, descending=descending)
    assert got == expected


def test_dated_only_leaves_out_records_without_a_time(tmp_path: Path) -> None:
    conn = _case(tmp_path)
    dated = _all(conn, 9, ("message", "call"), dated_only=True)
    expected = [
        f"rec:{i}"
        for (i,) in conn.execute(
            "SELECT id FROM artifacts WHERE kind IN ('message', 'call') AND ts IS NOT NULL"
            " ORDER BY ts, id"
        )
    ]
    assert dated == expected


def test_time_range(tmp_path: Path) -> None:
    conn = _case(tmp_path)
    got = _all(conn, 4, since="2024-01-02T00:00:00", until="2024-01-04T00:00:00")
    expected = [
        f"rec:{i}"
        for (i,) in conn.execute(
            "SELECT id FROM artifacts WHERE ts >= '2024-01-02' AND ts < '2024-01-04'"
            " ORDER BY ts, id"
        )
    ]
    assert got == expected and got
    by_id = _all(conn, 4, order="id", since="2024-01-02T00:00:00", until="2024-01-04T00:00:00")
    assert sorted(by_id, key=lambda r: int(r[4:])) == sorted(expected, key=lambda r: int(r[4:]))


@pytest.mark.parametrize("descending", [False, True])
def test_field_order(tmp_path: Path, descending: bool) -> None:
    conn = _case(tmp_path)
    ids = browse.ordered_ids(conn, ("message", "call"), "body", descending=descending)
    got = [f"rec:{i}" for i in ids]
    rows = conn.execute(
        "SELECT id, json_extract(data, '$.body') FROM artifacts WHERE kind IN ('message', 'call')"
    ).fetchall()
    expected = [f"rec:{i}" for i, _ in sorted(rows, key=lambda r: (r[1], r[0]), reverse=descending)]
    assert got == expected
    dated = browse.ordered_ids(
        conn, ("message", "call"), "body", descending=descending, dated_only=True
    )
    undated = {i for (i,) in conn.execute("SELECT id FROM artifacts WHERE ts IS NULL")}
    assert [f"rec:{i}" for i in dated] == [r for r in expected if int(r[4:]) not in undated]
    assert len(dated) < len(expected)
    with pytest.raises(ValueError):
        browse.ordered_ids(conn, None, "body') --")
