"""Generated Android fixtures built with the real AOSP schema (small, exact, licence-free)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

# `sms` table as created by AOSP TelephonyProvider (MmsSmsDatabaseHelper), Android 4.x-14.
from triage_app.sample.android_schemas import SMS_SCHEMA as SMS_SCHEMA

SMS_DIR = "data/data/com.android.providers.telephony/databases"

# (address, date ms, date_sent ms, type, body)
MESSAGES = [
    ("+218912345678", 1700000000123, 1699999999000, 1, "السلام عليكم، القارب جاهز"),
    ("+218912345678", 1700000060000, 0, 2, "Combien pour la traversée ?"),
    ("+21650111222", 1700000120000, 0, 2, "<script>alert(1)</script>"),
]


def sms_rows() -> list[tuple[object, ...]]:
    return [
        (i + 1, 1 if addr.startswith("+218") else 2, addr, date, sent, kind, body)
        for i, (addr, date, sent, kind, body) in enumerate(MESSAGES)
    ]


def make_mmssms(target_dir: Path, wal_rows: int = 1) -> Path:
    """An mmssms.db whose last `wal_rows` rows exist only in its live `-wal` file."""
    target_dir.mkdir(parents=True, exist_ok=True)
    work = target_dir / ".build"
    work.mkdir()
    db = work / "mmssms.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(SMS_SCHEMA)
    rows = sms_rows()
    insert = (
        "INSERT INTO sms (_id, thread_id, address, date, date_sent, type, body)"
        " VALUES (?,?,?,?,?,?,?)"
    )
    conn.executemany(insert, rows[: len(rows) - wal_rows])
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.executemany(insert, rows[len(rows) - wal_rows :])
    conn.commit()
    # Copy while the connection is open: the copies keep a live WAL, as on a seized phone.
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(work / f"mmssms.db{suffix}", target_dir / f"mmssms.db{suffix}")
    conn.close()
    shutil.rmtree(work)
    return target_dir / "mmssms.db"


def make_android_extraction(root: Path) -> Path:
    """A minimal Android file-system extraction folder with an SMS database in WAL mode."""
    make_mmssms(root / SMS_DIR)
    (root / "sdcard" / "Download").mkdir(parents=True)
    (root / "sdcard" / "Download" / "notes.txt").write_text(
        "rendez-vous Zuwara\n", encoding="utf-8"
    )
    return root
