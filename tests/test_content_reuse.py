"""A file whose content was searched before in the same process (same SHA-256, same rules) gets
the earlier result: copies of one photo or database are searched once, and each copy still has
its own hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.search import content

TERM = "lampedusa"


def test_copies_are_searched_once_and_each_has_its_hits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = ("x" * 20_000 + f" boat to {TERM} " + "y" * 20_000).encode()
    phone = tmp_path / "phone"
    for folder in ("Sent", "Received", "Other"):
        (phone / folder).mkdir(parents=True)
    (phone / "Sent" / "a.txt").write_bytes(body)
    (phone / "Received" / "a copy.txt").write_bytes(body)
    (phone / "Other" / "different.txt").write_bytes(body + b"!")
    keywords = tmp_path / "terms.txt"
    keywords.write_text(f"{TERM}\n", encoding="utf-8")
    searched: list[bytes] = []
    real = content._search

    def counting(spec: content.ContentSpec, data: bytes, mime: str | None) -> content.ContentResult:
        searched.append(data)
        return real(spec, data, mime)

    monkeypatch.setattr(content, "_search", counting)
    monkeypatch.setattr(content, "_SEARCHED", type(content._SEARCHED)())
    case = tmp_path / "case"
    summary = scan(case, [phone], ScanOptions(bundled_rules=False, keywords=(keywords,)))
    assert summary.status == "ok", summary
    assert searched.count(body) == 1 and searched.count(body + b"!") == 1
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        hits = [h for h in records(conn, "keyword_hit") if h["target"] == "file"]
    finally:
        conn.close()
    by_file = sorted((h["path"].rsplit("/", 1)[-1], h["offset"]) for h in hits)
    assert by_file == [("a copy.txt", 20_009), ("a.txt", 20_009), ("different.txt", 20_009)]
