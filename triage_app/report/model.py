"""The content of a human-readable report (HTML and PDF render the same model).

Small sections are lists; record sections are generators that stream from the case database
in the order a reader needs (messages grouped by thread, the timeline by time). Ordering is
done by SQLite (its sorter spills to disk), so memory stays bounded at any case size. Every
record passes through the `ReportView`: selection and redaction apply to every section.
"""

from __future__ import annotations

import json
import platform
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core import apps, caseinfo
from ..core.export import ARTIFACT_SELECT, artifact_record
from ..search.query import shared_identifiers
from .view import ReportView

if TYPE_CHECKING:
    from .reverify import EvidenceCheck

# Libraries whose version decides what a scan finds or how the report reads (dist names).
LIBRARIES = (
    "pytsk3", "libewf-python", "libfsapfs-python", "yara-python", "python-magic", "exifread",
    "Pillow", "pillow-heif", "iphone_backup_decrypt", "phonenumbers", "sqlite-utils", "Jinja2",
    "PySide6-Essentials", "tzdata",
)  # fmt: skip
# Audit actions that only read the case: left out of the report's audit section so the same
# case always gives the same report (they stay in audit.jsonl; `qarina verify --case`).
READ_ONLY_ACTIONS = frozenset({"report_written", "records_exported"})
# Record kinds shown in their own section; the rest appear in the timeline and the CSV files.
SECTION_KINDS = {
    "contacts": ("contact",),
    "calls": ("call",),
    "web": ("web_visit", "web_download", "web_search", "web_cookie", "web_form", "web_cache"),
    "photos": ("media",),
    "keywords": ("keyword_hit",),
}
_THREAD_ORDER = (
    " WHERE a.kind = 'message' ORDER BY a.evidence_id, json_extract(a.data, '$.app'),"
    " json_extract(a.data, '$.thread'), a.ts IS NULL, a.ts, a.id"
)
_TIME_ORDER = " WHERE a.ts IS NOT NULL AND a.kind != 'keyword_hit' ORDER BY a.ts, a.id"


@dataclass
class ReportModel:
    """What HTML and PDF need; `checks` come from `reverify`, `thumbs` maps a media record id
    to a thumbnail file name relative to the report's `media/` folder (or None + reason)."""

    conn: sqlite3.Connection
    view: ReportView
    info: dict[str, Any]  # manifest info (build._info)
    lang: str = "en"
    checks: list[EvidenceCheck] = field(default_factory=list)
    thumbs: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    # -- small sections -------------------------------------------------------------------
    def case(self) -> dict[str, str]:
        """case_number, examiner, agency, authorisation, notes, timezone, created_at, …"""
        return {r[0]: r[1] for r in self.conn.execute("SELECT key, value FROM case_info")}

    def tools(self) -> list[tuple[str, str]]:
        found = [("qarina", __version__), ("Python", platform.python_version()),
                 ("SQLite", sqlite3.sqlite_version)]  # fmt: skip
        for name in LIBRARIES:
            try:
                found.append((name, metadata.version(name)))
            except metadata.PackageNotFoundError:
                found.append((name, "not installed"))
        return found

    def parsers(self) -> list[dict[str, Any]]:
        """Per parser and version: files by outcome and records."""
        sql = (
            "SELECT parser, version, status, count(*) AS files, sum(records) AS records,"
            " sum(warnings) AS warnings FROM parser_runs GROUP BY parser, version, status"
            " ORDER BY parser, version, status"
        )
        return [dict(r) for r in self.conn.execute(sql)]

    def timezone(self) -> dict[str, str]:
        zone = self.case().get("timezone") or "UTC"
        try:
            tzdata = metadata.version("tzdata")
        except metadata.PackageNotFoundError:
            tzdata = "system time zone database"
        return {"stored": "UTC", "display": zone, "tzdata": tzdata}

    def evidence(self) -> list[dict[str, Any]]:
        return caseinfo.evidence(self.conn)

    def counts(self) -> list[tuple[str, int]]:
        """Records per kind in the whole case (the selection is stated beside it)."""
        return sorted(caseinfo.counts(self.conn).items())

    def apps(self) -> list[dict[str, Any]]:
        """Apps found per device; `parsed` False means installed but not parsed."""
        return apps.coverage(self.conn)

    def selection(self) -> dict[str, Any]:
        return {"selection": self.view.selection.spec, **self.view.redaction.statement()}

    # -- streamed sections ----------------------------------------------------------------
    def problems(self) -> Iterator[dict[str, Any]]:
        """Everything that could not be read: evidence, volumes, files, parser runs."""
        yield from caseinfo.errors(self.conn, limit=-1)
        sql = (
            "SELECT 'volume' AS source, NULL AS parser, evidence_id, idx AS path, status,"
            " message FROM volumes WHERE status != 'ok' ORDER BY evidence_id, offset"
        )
        yield from (dict(r) for r in self.conn.execute(sql))

    def thread_messages(self) -> Iterator[dict[str, Any]]:
        """Messages ordered by evidence, app, thread, then time: consecutive records with the
        same (evidence, app, thread) form one conversation; writers page as they go."""
        return self._ordered(_THREAD_ORDER)

    def section(self, name: str) -> Iterator[dict[str, Any]]:
        """Records of one section (`contacts`, `calls`, `web`, `photos`, `keywords`) in id
        order, kind by kind."""
        for kind in SECTION_KINDS[name]:
            yield from self.view.records(kind)

    def count(self, series: str) -> int | None:
        """Records in `series` ("messages", "timeline" or a SECTION_KINDS name) without
        reading them, or None when the selection needs each record looked at."""
        if not self.view.by_kind_only:
            return None
        wanted = self.view.selection.kinds
        if series == "timeline":
            sql = "SELECT count(*) FROM artifacts WHERE ts IS NOT NULL AND kind = ?"
            kinds = [k for k in self.view.kinds() if k not in ("file", "entity", "keyword_hit")]
        else:
            sql = "SELECT count(*) FROM artifacts WHERE kind = ?"
            kinds = ["message"] if series == "messages" else list(SECTION_KINDS[series])
            kinds = [k for k in kinds if wanted is None or k in wanted]
        return sum(int(self.conn.execute(sql, (kind,)).fetchone()[0]) for kind in kinds)

    def timeline(self) -> Iterator[dict[str, Any]]:
        """Every dated record (not files: their MACB times are in file.csv) by time."""
        return self._ordered(_TIME_ORDER)

    def shared(self) -> Iterator[dict[str, Any]]:
        """Identifiers found on two or more evidence items, with their occurrences."""
        for item in shared_identifiers(self.conn):
            yield self.view.mask(item)

    def audit(self) -> Iterator[dict[str, Any]]:
        sql = "SELECT seq, ts, action, details, hash FROM audit ORDER BY seq"
        for row in self.conn.execute(sql):
            if row["action"] in READ_ONLY_ACTIONS:
                continue
            entry = dict(row)
            entry["details"] = json.loads(entry["details"])
            yield entry

    def _ordered(self, order_sql: str) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(ARTIFACT_SELECT + order_sql)
        for row in cursor:
            record = self.view.accept(artifact_record(row))
            if record is not None:
                yield record
