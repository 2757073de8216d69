#!/usr/bin/env python3
"""Parse-and-store benchmark: a generated WhatsApp msgstore.db with 1,000,000 messages.

Builds (once, deterministically) an Android extraction folder holding a current-schema
`msgstore.db` (the table definitions of tests/fixtures_whatsapp.py, i.e. WhatsApp 2.21), then
runs `qarina scan FOLDER --case NEW` under `/usr/bin/time -v` and reports wall time, CPU time,
peak RSS and the records stored. Issue 3's target: < 60 s and < 500 MB on 2 cores.

    python benchmarks/bench_whatsapp.py --out /work/bench-data/wa [--messages 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from fixtures_whatsapp import CURRENT_SCHEMA, WA_DIR  # noqa: E402

WORDS = (
    "السلام",
    "عليكم",
    "القارب",
    "جاهز",
    "الليلة",
    "زوارة",
    "صبراتة",
    "الدفع",
    "حوالة",
    "الفلوس",
    "غدوة",
    "الميناء",
    "wesh",
    "flouka",
    "jahza",
    "combien",
    "traversée",
    "rendez-vous",
    "bateau",
    "passage",
    "demain",
    "payment",
    "hawala",
    "boat",
    "tonight",
    "price",
    "passport",
    "lampedusa",
)


def build(folder: Path, messages: int, seed: int) -> Path:
    db = folder / WA_DIR / "msgstore.db"
    marker = folder / "manifest.json"
    if marker.exists() and json.loads(marker.read_text())["messages"] == messages:
        return db
    shutil.rmtree(folder, ignore_errors=True)
    db.parent.mkdir(parents=True)
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    for statement in CURRENT_SCHEMA:
        conn.execute(statement)
    chats = 2000
    conn.executemany(
        "INSERT INTO jid (_id, user, server, raw_string) VALUES (?, ?, ?, ?)",
        (
            (i, f"2189{i:08d}", "s.whatsapp.net", f"2189{i:08d}@s.whatsapp.net")
            for i in range(1, chats + 1)
        ),
    )
    conn.executemany(
        "INSERT INTO chat (_id, jid_row_id) VALUES (?, ?)", ((i, i) for i in range(1, chats + 1))
    )
    rows = (
        (i, rng.randint(1, chats), rng.random() < 0.4, f"K{i:09d}",
         1_600_000_000_000 + i * 15_000, 0 if rng.random() < 0.95 else 1,
         " ".join(rng.choices(WORDS, k=rng.randint(2, 14))))
        for i in range(1, messages + 1)
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type,"
        " text_data) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    marker.write_text(json.dumps({"messages": messages, "seed": seed}))
    return db


def run(folder: Path) -> dict[str, float | int]:
    case = Path(tempfile.mkdtemp(prefix="bench-wa-case-"))
    qarina = shutil.which("qarina") or str(Path(sys.executable).parent / "qarina")
    cmd = ["/usr/bin/time", "-v", qarina, "scan", str(folder), "--case", str(case), "-q"]
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.monotonic() - start
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)[1])
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)[1])
    info = subprocess.run(
        [qarina, "info", "--case", str(case), "--json"], capture_output=True, text=True
    )
    counts = json.loads(info.stdout)["counts"]
    shutil.rmtree(case)
    return {"wall_s": round(wall, 2), "cpu_s": round(user + system, 2),
            "max_rss_mb": rss // 1024, "messages": counts.get("message", 0)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the generated data")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    t0 = time.monotonic()
    build(args.out, args.messages, args.seed)
    print(f"data ready in {time.monotonic() - t0:.1f} s: {args.out}")
    results = [run(args.out) for _ in range(args.rounds)]
    for r in results:
        print(json.dumps(r))
    walls = sorted(r["wall_s"] for r in results)
    rss = max(r["max_rss_mb"] for r in results)
    print(f"median wall {walls[len(walls) // 2]} s, max RSS {rss} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
