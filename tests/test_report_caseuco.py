"""CASE/UCO JSON-LD export: node counts, hostile text, determinism, streaming, and (when
case-utils is installed) conformance to the CASE 1.5 / UCO 1.4 SHACL shapes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.core.export import records
from triage_app.report import build
from triage_app.report.caseuco import write_case_uco

ARABIC = "المهرب يريد الدفعة اليوم في طرابلس"
HOSTILE = "<script>alert(1)</script> nul\x00 bell\x07 rlo\u202egpj.exe half\ud800 end\uffff"
# SQLite text cannot hold a lone surrogate; a JSON record field (artifacts.data) can.
HOSTILE_NAME = HOSTILE.replace("\ud800", "")
SHA = "ab" * 32
MD5 = "cd" * 16
MESSAGES = [
    {"app": "whatsapp", "thread": "t1", "sender": "+218912345678", "recipients": ["me"],
     "direction": "incoming", "body": ARABIC, "attachments": ["/sdcard/a.jpg"]},
    {"app": "whatsapp", "thread": "t1", "sender": "me", "recipients": ["+218912345678"],
     "direction": "outgoing", "body": HOSTILE, "attachments": []},
    {"app": "sms", "thread": HOSTILE, "sender": "x@example.org", "recipients": [HOSTILE, 7],
     "direction": None, "body": "<img src=x onerror=alert(1)>", "attachments": None},
]  # fmt: skip
CONTACTS = [
    {"app": "contacts", "name": "أحمد", "phones": ["+218912345678", "091 234 5678"],
     "emails": ["a@example.org"]},
    {"app": "contacts", "name": HOSTILE, "phones": [], "emails": [HOSTILE]},
]  # fmt: skip
CALLS = [
    {"app": "phone", "number": "+218912345678", "name": "أحمد", "direction": "incoming",
     "duration_s": 65},
    {"app": "phone", "number": "0912345678", "name": None, "direction": "outgoing",
     "duration_s": 3.5},
]  # fmt: skip
MEDIA = {"mime": "image/jpeg", "make": "Apple", "model": HOSTILE, "taken_local": "2024:01:01",
         "lat": 32.8872, "lon": 1e-05, "alt": None}  # fmt: skip


def _case(tmp_path: Path) -> Path:
    case_dir = tmp_path / "case"
    case = Case.open(case_dir, examiner="فاطمة <b>", case_number="LY-2024/17")
    try:
        with case.db.transaction() as conn:
            conn.execute(
                "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at, status,"
                " sha256, md5, media_sha256, media_md5, verification) VALUES (1, 'disk',"
                " 'sha256:x', 'disk_image', 'ewf', '[]', '2024-01-01T00:00:00Z', 'ok', ?, ?, ?,"
                " ?, 'verified')",
                (SHA, MD5, "ef" * 32, "01" * 16),
            )
            conn.execute(
                "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at, status)"
                " VALUES (2, 'folder', 'dir:/x', 'directory', 'directory', '[]',"
                " '2024-01-01T00:00:00Z', 'ok')"
            )
            files = [
                (1, 1, "/data/msgstore.db", "msgstore.db", SHA, MD5, "2024-03-02T01:15:30Z", 0),
                (2, 1, "/sdcard/photo\u202egpj.exe", "photo\u202egpj.exe", "zz", None,
                 "not a time", 1),
                (3, 2, "/x/" + HOSTILE_NAME, HOSTILE_NAME, None, "12", None, 0),
            ]  # fmt: skip
            conn.executemany(
                "INSERT INTO files (id, evidence_id, path, name, kind, size, deleted, locator,"
                " sha256, md5, mtime) VALUES (?, ?, ?, ?, 'file', 10, ?, ?, ?, ?, ?)",
                [(i, e, p, n, d, f"[{i}]", s, m, t) for i, e, p, n, s, m, t, d in files],
            )
            artifacts = [("message", m) for m in MESSAGES] + [("contact", c) for c in CONTACTS]
            artifacts += [("call", c) for c in CALLS] + [("media", MEDIA)]
            artifacts += [("web_visit", {"browser": "chrome", "url": "javascript:alert(1)"})]
            conn.executemany(
                "INSERT INTO artifacts (kind, evidence_id, file_id, parser, ts, ts_raw, data)"
                " VALUES (?, 1, 1, 'fixture', '2024-03-02T01:15:30Z', '1709342130000', ?)",
                [(kind, json.dumps(data)) for kind, data in artifacts],
            )
            conn.execute(
                "INSERT INTO parser_runs (file_id, parser, version, status, records)"
                " VALUES (1, 'fixture', '1.0', 'ok', 1)"
            )
    finally:
        case.close()
    return case_dir


def _write(case_dir: Path, out: Path, skipped: Counter[str] | None = None) -> int:
    conn = connect(case_dir / "case.sqlite", readonly=True)
    try:
        info = build._info(conn)
        info["case"] = {r["key"]: r["value"] for r in conn.execute("SELECT * FROM case_info")}
        return write_case_uco(out, info, records(conn), skipped)
    finally:
        conn.close()


@pytest.fixture
def written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path, int, Counter[str]]:
    # build.records_digest cannot encode a lone surrogate (reported); the digest only seeds
    # the IRI namespace here.
    monkeypatch.setattr(build, "records_digest", lambda conn: "0" * 64)
    case_dir = _case(tmp_path)
    skipped: Counter[str] = Counter()
    out = tmp_path / "case-uco.jsonld"
    return case_dir, out, _write(case_dir, out, skipped), skipped


def _types(graph: list[dict[str, Any]]) -> Counter[str]:
    return Counter(n["@type"].split(":")[1] for n in graph)


def test_nodes_links_and_determinism(
    written: tuple[Path, Path, int, Counter[str]], tmp_path: Path
) -> None:
    case_dir, out, count, skipped = written
    data = out.read_bytes()
    doc = json.loads(data.decode("utf-8"))  # strict UTF-8: no lone surrogate escaped through
    graph = doc["@graph"]
    assert count == len(graph)
    assert len({n["@id"] for n in graph}) == len(graph)
    assert all(n["@id"].startswith("kb:") for n in graph)
    assert skipped == {"web_visit": 1}
    types = _types(graph)
    assert types["File"] == 3 + 1  # file records + the media record
    assert (types["Message"], types["Contact"], types["Call"]) == (3, 2, 2)
    assert (types["Image"], types["Directory"], types["Location"]) == (1, 1, 1)
    assert types["Tool"] == 2 and types["Person"] == 1 and types["InvestigativeAction"] == 1
    # every file/message/contact/call/media record is Contained_Within its evidence item
    assert types["ObservableRelationship"] == 4 + 3 + 2 + 2 + 1
    ids = {n["@id"]: n for n in graph}
    for node in graph:
        if node["@type"] == "uco-observable:ObservableRelationship":
            target = ids[node["uco-core:target"]["@id"]]["@type"]
            assert node["uco-core:kindOfRelationship"] == "Contained_Within"
            assert target in ("uco-observable:Image", "uco-observable:Directory")
    second = tmp_path / "again.jsonld"
    assert _write(case_dir, second) == count
    assert second.read_bytes() == data
    assert data.endswith(b"]}\n") and b"\r\n" not in data


def _hashes(node: dict[str, Any]) -> dict[str, str]:
    return {
        h["uco-types:hashMethod"]: h["uco-types:hashValue"]["@value"]
        for facet in node.get("uco-core:hasFacet", [])
        for h in facet.get("uco-observable:hash", [])
    }


def test_hashes_times_and_hostile_text(written: tuple[Path, Path, int, Counter[str]]) -> None:
    _, out, _, _ = written
    text = out.read_text(encoding="utf-8")
    graph = json.loads(text)["@graph"]
    files = [n for n in graph if n["@type"] == "uco-observable:File" and "file-" in n["@id"]]
    assert [_hashes(f) for f in files] == [{"SHA256": SHA, "MD5": MD5}, {}, {}]  # "zz", "12" out
    facet = files[0]["uco-core:hasFacet"][0]
    assert facet["uco-observable:modifiedTime"] == {
        "@type": "xsd:dateTime", "@value": "2024-03-02T01:15:30Z"}  # fmt: skip
    assert "uco-observable:modifiedTime" not in files[1]["uco-core:hasFacet"][0]
    assert files[1]["uco-core:tag"] == ["deleted"]
    image = next(n for n in graph if n["@type"] == "uco-observable:Image")
    assert _hashes(image) == {"SHA256": SHA, "MD5": MD5}
    assert "verification: verified" in image["uco-core:description"]
    media = next(n for n in graph if n["@type"] == "uco-observable:ObservableObject")
    assert _hashes(media) == {"SHA256": "ef" * 32, "MD5": "01" * 16}
    bodies = [
        f["uco-observable:messageText"]
        for n in graph if n["@type"] == "uco-observable:Message"
        for f in n["uco-core:hasFacet"]
    ]  # fmt: skip
    assert bodies[0] == ARABIC
    assert bodies[1] == (
        "<script>alert(1)</script> nul\\x00 bell\\x07 rlo\u202egpj.exe half\\ud800 end\\uffff"
    )
    assert "\x00" not in text and "\x07" not in text
    calls = [n["uco-core:hasFacet"][0] for n in graph if n["@type"] == "uco-observable:Call"]
    assert calls[0]["uco-observable:duration"] == 65 and "uco-observable:duration" not in calls[1]
    assert calls[0]["uco-observable:callType"] == "incoming"
    location = next(n for n in graph if n["@type"] == "uco-location:Location")
    lat_long = location["uco-core:hasFacet"][0]
    assert lat_long["uco-location:longitude"] == {"@type": "xsd:decimal", "@value": "0.00001"}


def _generated(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"kind": "message", "id": f"rec:{i}", "evidence": 1, "path": "/m.db",
               "ts": "2024-01-01T00:00:00Z", "app": "sms", "sender": f"+2189{i:08d}",
               "recipients": ["me"], "body": "مرحبا " * 20, "deleted": False}  # fmt: skip


def test_streams_in_bounded_memory(tmp_path: Path) -> None:
    info = {"tool": "qarina", "version": "0", "case": {}, "records_sha256": "0",
            "evidence": [{"id": 1, "identity": "e", "kind": "file", "sha256": SHA}]}  # fmt: skip
    tracemalloc.start()
    try:
        small = write_case_uco(tmp_path / "small.jsonld", info, _generated(2000))
        _, peak_small = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        big = write_case_uco(tmp_path / "big.jsonld", info, _generated(20000))
        _, peak_big = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert big - small == 3 * 18000  # message, relationship, new sender account each
    assert peak_big < peak_small + 8 * 1024 * 1024  # the seen-IRI window, not the records


def test_failure_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> Iterator[dict[str, Any]]:
        yield from _generated(3)
        raise RuntimeError("disk gone")

    info = {"records_sha256": "0", "evidence": []}
    with pytest.raises(RuntimeError):
        write_case_uco(tmp_path / "x.jsonld", info, broken())
    assert list(tmp_path.iterdir()) == []


HAVE_RDFLIB = importlib.util.find_spec("rdflib") is not None
HAVE_CASE_UTILS = importlib.util.find_spec("case_utils") is not None


@pytest.mark.skipif(not HAVE_RDFLIB, reason="rdflib (installed with case-utils) is not installed")
def test_parses_as_rdf_with_well_formed_literals(
    written: tuple[Path, Path, int, Counter[str]],
) -> None:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(written[1], format="json-ld")
    literals = [o for o in graph.objects() if isinstance(o, rdflib.Literal)]
    assert literals and not [lit for lit in literals if lit.ill_typed]
    assert rdflib.Literal(ARABIC) in literals


@pytest.mark.slow
@pytest.mark.skipif(
    not HAVE_CASE_UTILS, reason="case-utils is not installed (pip install case-utils)"
)
def test_case_validate_conforms(written: tuple[Path, Path, int, Counter[str]]) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from case_utils.case_validate import main; main()",
         "--built-version", "case-1.5.0", str(written[1])],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Conforms: True" in run.stdout


def test_fast_uuid5_equals_the_standard_one() -> None:
    import uuid

    from triage_app.report.caseuco import uuid5

    for name in ("", "rec:12", "ضحية", "x" * 5000):
        assert uuid5(uuid.NAMESPACE_URL, name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
