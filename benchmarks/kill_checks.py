"""How benchmarks/kill_scans.py judges a case: the integrity of a crashed case database
(`check_db`, `committed`), exports compared as multisets of records with row ids normalised
away (`normalise_export`, `compare_records`, `export_difference`), `qarina info`, row counts
and once-only audit entries compared with the reference (`case_state`, `differences`), and
the evidence's bytes (`tree_digest`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kill_run import qarina

TABLES = ("evidence", "volumes", "files", "parser_runs", "artifacts", "apps", "entities",
          "entity_refs", "record_text", "hashset_hits", "search_progress")  # fmt: skip


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def normalise_export(lines: Iterable[str], targets: bool = True) -> Counter[str]:
    """Records as a multiset of canonical JSON, row ids removed and (`targets`) a record
    hit's `target_id` replaced by a digest of the record it points to."""
    records = [json.loads(line) for line in lines if line.strip()]
    content = {r["id"]: canonical({k: v for k, v in r.items() if k != "id"}) for r in records}
    result: Counter[str] = Counter()
    for r in records:
        r = {k: v for k, v in r.items() if k != "id"}
        target = r.get("target_id")
        if target is not None and targets:
            body = content.get(target)
            digest = hashlib.sha256(body.encode()).hexdigest()[:16] if body else None
            r["target_id"] = f"content:{digest}" if digest else f"dangling:{target}"
        result[canonical(r)] += 1
    return result


@dataclass
class Diff:
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    examples: list[str] = field(default_factory=list)


def compare_records(reference: Counter[str], got: Counter[str]) -> Diff:
    missing, extra = reference - got, got - reference
    diff = Diff(
        lost=sum(missing.values()),
        duplicated=sum(n for k, n in extra.items() if k in reference),
        unexpected=sum(n for k, n in extra.items() if k not in reference),
    )
    diff.examples = [f"lost {k[:160]}" for k in list(missing)[:3]]
    diff.examples += [f"extra {k[:160]}" for k in list(extra)[:3]]
    return diff


def normalise_info(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["case"].pop("created_at", None)
    for item in data["evidence"]:
        item.pop("added_at", None)
    data.pop("scans", None)
    return data


def case_state(case: Path) -> dict[str, Any]:
    """`qarina info` without what legitimately differs, derived-table row counts and audit
    facts: what a resumed case must share with the reference besides its records."""
    code, output = qarina("info", "--case", case, "--json")
    state: dict[str, Any] = {"info_exit": code}
    state["info"] = normalise_info(json.loads(output)) if code == 0 else output
    conn = sqlite3.connect(f"file:{case / 'case.sqlite'}?mode=ro", uri=True)
    try:
        state["rows"] = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        mirrored = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        conn.close()
    entries = [json.loads(line) for line in (case / "audit.jsonl").read_text().splitlines()]
    # Written once per case and per evidence item: a resume must neither skip nor repeat them.
    once = Counter(
        f"{e['action']} {e['details'].get('evidence_id', '')}".strip()
        for e in entries
        if e["action"] in ("case_created", "evidence_added")
    )
    state["audit_once"] = dict(sorted(once.items()))
    state["audit_mirrored"] = mirrored == len(entries)
    return state


def differences(reference: Any, got: Any, where: str = "") -> list[str]:
    """Where two JSON-like values differ, as `path: got != reference` lines."""
    if isinstance(reference, dict) and isinstance(got, dict):
        return [
            line
            for key in sorted(set(reference) | set(got), key=str)
            for line in differences(
                reference.get(key, "<missing>"), got.get(key, "<missing>"), f"{where}.{key}"
            )
        ]
    if isinstance(reference, list) and isinstance(got, list) and len(reference) == len(got):
        return [line for i, (r, g) in enumerate(zip(reference, got, strict=True))
                for line in differences(r, g, f"{where}[{i}]")]  # fmt: skip
    return [] if reference == got else [f"{where or 'value'}: {got!r:.120} != {reference!r:.120}"]


def check_db(db: Path) -> tuple[str | None, str]:
    """Integrity of a crashed case database, checked on a copy (the WAL is recovered as the
    next scan would, while the case itself stays as the kill left it); (problem, what was
    committed)."""
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in ("", "-wal"):
            if Path(f"{db}{suffix}").exists():
                shutil.copyfile(f"{db}{suffix}", Path(tmp) / f"case.sqlite{suffix}")
        conn = sqlite3.connect(Path(tmp) / "case.sqlite")
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            checks += [r[0] for r in conn.execute("PRAGMA quick_check")]
            orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
            problem = None
            if checks != ["ok", "ok"] or orphans:
                problem = f"integrity {checks[:3]}, foreign keys {orphans[:3]}"
            return problem, committed(conn)
        except sqlite3.Error as exc:
            return f"{type(exc).__name__}: {exc}", "unreadable"
        finally:
            conn.close()


def committed(conn: sqlite3.Connection) -> str:
    """What a crashed case holds: evidence walked, files, parser runs done, records, and
    the last artifact searched."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if (
        "case_info" not in tables
        or not conn.execute("SELECT 1 FROM case_info WHERE key = 'created_at'").fetchone()
    ):
        return CREATING
    n = [
        conn.execute(f"SELECT {what} FROM {table}").fetchone()[0]
        for what, table in (
            ("count(*)", "evidence"),
            ("count(*)", "evidence WHERE walk_complete"),
            ("count(*)", "files"),
            ("count(*)", "parser_runs WHERE status NOT IN ('pending', 'running')"),
            ("count(*)", "parser_runs"),
            ("count(*)", "artifacts"),
            ("coalesce(max(last_id), 0)", "search_progress"),
        )
    ]
    return f"ev {n[1]}/{n[0]} walked, files {n[2]}, runs {n[3]}/{n[4]}, recs {n[5]}, search {n[6]}"


CREATING = "case being created"


def tree_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        for f in [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file()):
            digest.update(f"{f}\0".encode() + hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def export_lines(case: Path) -> list[str]:
    out = case.parent / f"{case.name}.jsonl"
    code, output = qarina("export", "--case", case, "-o", out)
    if code != 0:
        raise RuntimeError(f"export of {case} failed: {output}")
    return out.read_text(encoding="utf-8").splitlines()


def export_difference(reference: list[str], lines: list[str]) -> str:
    """How the exports of two complete runs differ: not at all, in the normalised fields
    only, or in their records (a bug)."""
    if lines == reference:
        return "byte-identical"
    if normalise_export(lines, targets=False) == normalise_export(reference, targets=False):
        return "ids"
    return "ids, target_id" if normalise_export(lines) == normalise_export(reference) else DIFFER


DIFFER = "RECORDS DIFFER"
