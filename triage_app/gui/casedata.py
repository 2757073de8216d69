"""The open case as the GUI sees it: read-only connections for views, the case's details,
and the few writes the examiner makes (tags), each through the engine's own functions.

Views never share a connection with the scan: each opens its own `mode=ro` connection (WAL
lets them read committed batches while a scan writes), created in the thread that uses it.
"""

from __future__ import annotations

import sqlite3
import zoneinfo
from pathlib import Path
from typing import Any

from ..core.case import Case
from ..core.casedb import DB_NAME, connect
from ..core.tags import BOOKMARK, Tag, add_tag, list_tags, remove_tag
from ..core.timeconv import parse_iso


class CaseData:
    def __init__(self, case_dir: Path) -> None:
        self.dir = Path(case_dir)
        # Raises a clear CaseDBError for a folder that is not a case; brings an older case to
        # the current schema (the views rely on its indexes).
        Case.open(self.dir, create=False).close()
        self.conn = self.connect()
        self.zone = self._zone()
        # Backup passwords typed in this session, by evidence identity (its resolved path):
        # in memory only, never written to the case or the settings (see `passwords.py`).
        self.passwords: dict[str, str] = {}

    def connect(self) -> sqlite3.Connection:
        """A new read-only connection (one per thread)."""
        return connect(self.dir / DB_NAME, readonly=True)

    def passwords_by_id(self, conn: sqlite3.Connection | None = None) -> dict[int, str]:
        """The session's backup passwords by evidence id (`conn`: the caller thread's own)."""
        if not self.passwords:
            return {}
        rows = (conn or self.conn).execute("SELECT id, identity FROM evidence")
        return {int(i): self.passwords[p] for i, p in rows if p in self.passwords}

    def info(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT key, value FROM case_info")}

    def _zone(self) -> zoneinfo.ZoneInfo:
        """The case's display zone (read once: every table cell's time uses it)."""
        try:
            return zoneinfo.ZoneInfo(self.info().get("timezone") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def local_time(self, ts: Any) -> str:
        """An ISO UTC time in the case's display zone, with its offset; '' when unknown."""
        if not isinstance(ts, str) or not ts:
            return ""
        moment = parse_iso(ts)
        if moment is None:  # not a stored UTC time: shown as it is, never as local time
            return ts
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %z")

    def tags(self, record_id: str) -> list[Tag]:
        return [t for t in list_tags(self.conn) if t.record_id == record_id]

    def tag(self, record_id: str, tag: str = BOOKMARK, note: str | None = None) -> Tag:
        case = Case.open(self.dir, create=False)
        try:
            return add_tag(case, record_id, tag, note)
        finally:
            case.close()

    def untag(self, record_id: str, tag: str = BOOKMARK) -> bool:
        case = Case.open(self.dir, create=False)
        try:
            return remove_tag(case, record_id, tag)
        finally:
            case.close()

    def close(self) -> None:
        self.conn.close()
