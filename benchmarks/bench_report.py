#!/usr/bin/env python3
"""Report generation on a large case: wall time and peak memory of `qarina report`.

    python benchmarks/bench_report.py [--records 1000000] [--work DIR] [--formats ...]

Builds (once, cached in --work) a case holding RECORDS artifacts written straight into the
case database with the real schema: messages in 2,000 threads (70 %, Arabic, French and
English bodies), contacts, calls, web visits, keyword hits and photos with GPS (the photos'
files are not on disk, so each gets a "thumbnail unavailable" line: decoding is measured by
the thumbnail tests, not here), plus identifiers linking two devices. Then runs
`qarina report --case CASE --out NEW` under `/usr/bin/time -v` and prints the wall time, the
peak RSS (of the largest process, from time -v, and of all the report's processes together,
sampled from /proc), the number of files and the report size. Only the standard library is
used; Linux.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from triage_app.core.case import Case  # noqa: E402
from triage_app.core.casedb import ARTIFACT_COLUMNS, now_iso  # noqa: E402

BODIES = (
    "السلام عليكم، القارب جاهز الليلة من زوارة",
    "شن الحكاية؟ الفلوس وصلت ولا لا",
    "Combien pour la traversée ? Départ de Sabratha demain",
    "Send the money to the usual wallet before Friday",
    "wesh 5ouya, el flouss jeya ghodwa inshallah",
)
SHARES = (("message", 0.70), ("contact", 0.05), ("call", 0.08), ("web_visit", 0.10),
          ("keyword_hit", 0.04), ("media", 0.03))  # fmt: skip


def _record(kind: str, n: int, rng: random.Random) -> tuple[str, dict[str, object]]:
    phone = f"+2189{rng.randrange(10_000_000, 99_999_999)}"
    ts = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{n % 59:02d}Z"
    if kind == "message":
        thread = f"+2189{1000000 + n % 2000:08d}"
        data = {"app": rng.choice(("whatsapp", "sms", "telegram")), "thread": thread,
                "sender": thread if n % 2 else None, "recipients": [] if n % 2 else [thread],
                "direction": "incoming" if n % 2 else "outgoing", "body": rng.choice(BODIES),
                "attachments": []}  # fmt: skip
    elif kind == "contact":
        data = {"app": "contacts", "name": f"جهة اتصال {n}", "phones": [phone], "emails": []}
    elif kind == "call":
        data = {"app": "phone", "number": phone, "name": None, "direction": "missed",
                "duration_s": n % 300}  # fmt: skip
    elif kind == "web_visit":
        data = {"browser": "chrome", "profile": "Default", "url": f"https://example.test/ad/{n}",
                "title": "إعلان سيارة للبيع", "visit_count": 1 + n % 5}  # fmt: skip
    elif kind == "keyword_hit":
        data = {"rule": "kw_boat", "pack": "smuggling_ar", "keyword": "قارب", "encoding": "utf-8",
                "target": "record", "target_id": f"rec:{n}", "offset": 0,
                "context": rng.choice(BODIES)}  # fmt: skip
    else:
        data = {"mime": "image/jpeg", "make": "Samsung", "model": "SM-A135F",
                "taken_local": ts[:-1], "lat": 32.9 + rng.random() / 10,
                "lon": 12.0 + rng.random() / 10, "alt": None}  # fmt: skip
    return ts, data


def build_case(case_dir: Path, count: int) -> None:
    rng = random.Random(20261130)
    case = Case.open(case_dir, examiner="bench", case_number="BENCH-1M")
    db = case.db
    with db.transaction():
        for eid in (1, 2):
            db.execute(
                "INSERT INTO evidence (id, label, identity, kind, format, paths, added_at,"
                " status) VALUES (?, ?, ?, 'folder', 'folder', '[]', ?, 'ok')",
                (eid, f"phone{eid}", f"/bench/phone{eid}", now_iso()),
            )
            db.execute(
                "INSERT INTO files (id, evidence_id, path, name, kind, size, deleted, locator,"
                " sha256) VALUES (?, ?, '/data/app.db', 'app.db', 'file', 1, 0, ?, ?)",
                (eid, eid, json.dumps({"path": "/data/app.db"}), f"{eid:064x}"),
            )
    kinds = [k for k, share in SHARES for _ in range(int(share * 100))]
    batch: list[tuple[object, ...]] = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        ts, data = _record(kind, n, rng)
        evidence = 1 + n % 2
        batch.append((kind, evidence, evidence, "bench", ts, json.dumps(ts), 0, "t", n,
                      json.dumps(data, ensure_ascii=False)))  # fmt: skip
        if len(batch) == 20_000:
            with db.transaction():
                db.insert_many("artifacts", ARTIFACT_COLUMNS, batch)
            batch.clear()
    with db.transaction():
        db.insert_many("artifacts", ARTIFACT_COLUMNS, batch)
        for eid in (1, 2):  # one identifier on both devices
            db.execute("INSERT OR IGNORE INTO entities (id, type, value) VALUES (1, 'phone',"
                       " '+218910000001')")  # fmt: skip
            db.execute("INSERT INTO entity_refs (entity_id, evidence_id, artifact_id, field, raw)"
                       " VALUES (1, ?, ?, 'thread', '+218910000001')", (eid, eid))  # fmt: skip
    case.close()


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants (Linux /proc), in KiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip())
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run(case_dir: Path, out: Path, formats: str) -> dict[str, object]:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "triage_app.cli", "report",
           "--case", str(case_dir), "--out", str(out), "--format", formats]  # fmt: skip
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:  # the sum over the report's processes (main + workers)
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - start
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"qarina report failed:\n{stdout}\n{stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    files = [p for p in out.rglob("*") if p.is_file()]
    return {
        "wall_s": round(wall, 1),
        "peak_rss_one_process_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
        "peak_rss_all_processes_mb": round(peak[0] / 1024, 1),
        "files": len(files),
        "size_mb": round(sum(p.stat().st_size for p in files) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/qarina-bench-report"))
    parser.add_argument("--formats", default="html,pdf,csv,kml,case-uco")
    args = parser.parse_args()
    case_dir = args.work / f"case-{args.records}"
    if not (case_dir / "case.sqlite").exists():
        shutil.rmtree(case_dir, ignore_errors=True)
        start = time.monotonic()
        build_case(case_dir, args.records)
        print(f"case built: {args.records} records in {time.monotonic() - start:.0f} s")
    out = args.work / "report"
    shutil.rmtree(out, ignore_errors=True)
    result = run(case_dir, out, args.formats)
    print(json.dumps({"records": args.records, "formats": args.formats, **result}))


if __name__ == "__main__":
    main()
