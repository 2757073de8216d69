"""Hash-chained audit log: `audit.jsonl` in the case folder, mirrored into the `audit` table.

Each line is a JSON object with `seq`, `ts`, `action`, `details`, `prev_hash` and `hash`,
where `hash` = SHA-256 of (`prev_hash` + the canonical JSON of the entry without `hash`).
Changing, deleting or inserting any line breaks the chain from that line on. The JSONL
file is the record of truth (appended and fsynced first); the table is a queryable mirror
that is brought up to date when the case is opened.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .casedb import CaseDB, now_iso
from .errors import CaseDBError

AUDIT_NAME = "audit.jsonl"
GENESIS = "0" * 64


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(entry)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad: int | None = None  # 1-based line number of the first broken entry
    reason: str = ""


class AuditLog:
    def __init__(self, case_dir: Path, db: CaseDB) -> None:
        self.path = case_dir / AUDIT_NAME
        self._db = db
        self._seq, self._last = self._tail()
        self._mirror()

    @property
    def entries(self) -> int:
        """How many entries the log holds (the last sequence number)."""
        return self._seq

    def _tail(self) -> tuple[int, str]:
        seq, last = 0, GENESIS
        if self.path.exists():
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        entry = json.loads(line)
                        seq, last = int(entry["seq"]), str(entry["hash"])
        return seq, last

    def _mirror(self) -> None:
        # After a crash between the JSONL append and the table insert, the table lags.
        have = self._db.query("SELECT COALESCE(MAX(seq), 0) AS n FROM audit")[0]["n"]
        if have >= self._seq:
            return
        with open(self.path, encoding="utf-8") as f, self._db.transaction():
            for line in f:
                if not line.strip():
                    continue
                e = json.loads(line)
                if e["seq"] > have:
                    self._insert(e)

    def _insert(self, e: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO audit (seq, ts, action, details, prev_hash, hash) VALUES (?,?,?,?,?,?)",
            (e["seq"], e["ts"], e["action"], _canonical(e["details"]), e["prev_hash"], e["hash"]),
        )

    def append(self, action: str, **details: Any) -> str:
        """Append one entry. The file is locked while the tail is re-read and the entry
        written, so two processes on one case (a scan and a report, the GUI and the CLI)
        extend the same chain instead of forking it."""
        with open(self.path, "a+b") as f, _locked(f):
            seq, last = _last_entry(f)
            entry: dict[str, Any] = {
                "seq": seq + 1,
                "ts": now_iso(),
                "action": action,
                "details": json.loads(json.dumps(details, default=str)),
                "prev_hash": last,
            }
            entry["hash"] = _chain_hash(last, entry)
            _write_line(f, (_canonical(entry) + "\n").encode("utf-8"))
        self._seq, self._last = entry["seq"], entry["hash"]
        with self._db.transaction():
            self._insert(entry)
        return str(entry["hash"])


def _write_line(f: BinaryIO, line: bytes) -> None:
    """Append `line` whole or not at all: on a full disk (or any write error) the part that
    fit is cut off again, so the log never ends in a torn line that breaks every later read."""
    f.flush()
    end = f.seek(0, os.SEEK_END)
    try:
        written = os.write(f.fileno(), line)
        if written != len(line):
            raise OSError(errno.ENOSPC, f"audit log: {written} of {len(line)} bytes written")
        os.fsync(f.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.ftruncate(f.fileno(), end)
            os.fsync(f.fileno())
        raise CaseDBError(f"audit log could not be written: {exc}") from exc


@contextmanager
def _locked(f: BinaryIO) -> Iterator[None]:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _last_entry(f: BinaryIO) -> tuple[int, str]:
    """`seq` and `hash` of the file's last entry, reading backwards from its end."""
    end = f.seek(0, os.SEEK_END)
    tail = b""
    position = end
    while position > 0:
        step = min(65536, position)
        position -= step
        f.seek(position)
        tail = f.read(step) + tail
        lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
        if len(lines) == 2 or position == 0:
            last = lines[-1].strip()
            if not last:
                return 0, GENESIS
            entry = json.loads(last)
            return int(entry["seq"]), str(entry["hash"])
    return 0, GENESIS


def verify_chain(path: Path) -> ChainReport:
    """Check every line of an audit log; name the first broken entry."""
    if not path.exists():
        return ChainReport(False, 0, None, f"{path.name} not found")
    prev = GENESIS
    count = 0
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw.decode("utf-8"))
                stored = entry.pop("hash")
            except (ValueError, KeyError, AttributeError) as exc:
                return ChainReport(
                    False, count, number, f"line {number} is not a valid entry: {exc}"
                )
            if entry.get("prev_hash") != prev:
                return ChainReport(False, count, number, f"line {number}: prev_hash does not link")
            if entry.get("seq") != count + 1:
                return ChainReport(False, count, number, f"line {number}: sequence number gap")
            if _chain_hash(prev, entry) != stored:
                return ChainReport(
                    False, count, number, f"line {number}: content does not match its hash"
                )
            prev = stored
            count += 1
    return ChainReport(True, count)


def verify_case_log(case_dir: Path) -> ChainReport:
    """`verify_chain` of the case's log, then the log against its copy in the case database:
    the chain alone cannot show that its last entries were cut off (what remains still links),
    the database's copy can — unless both were altered, which is why a report states the
    manifest hash outside the case (docs/EXAMINER.md)."""
    from .casedb import DB_NAME, connect

    report = verify_chain(case_dir / AUDIT_NAME)
    if not report.ok or not (case_dir / DB_NAME).is_file():
        return report
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        mirrored = dict(conn.execute("SELECT seq, hash FROM audit").fetchall())
    finally:
        conn.close()
    if len(mirrored) > report.entries:
        return ChainReport(
            False, report.entries, report.entries + 1,
            f"{AUDIT_NAME} ends at entry {report.entries} but the case database records "
            f"{len(mirrored)}: entries were removed",
        )  # fmt: skip
    with open(case_dir / AUDIT_NAME, "rb") as f:
        for number, raw in enumerate((r for r in f if r.strip()), start=1):
            entry = json.loads(raw.decode("utf-8"))
            if entry["seq"] in mirrored and mirrored[entry["seq"]] != entry["hash"]:
                return ChainReport(
                    False, report.entries, number,
                    f"entry {entry['seq']} differs from the case database's copy",
                )  # fmt: skip
    return report
