"""What a report shows: the records selected (`--selection`) with a redaction profile applied
(`--redact`). Every report format reads records through one `ReportView`, so a masked value
or an omitted record is masked or omitted in the HTML, PDF, CSV, KML and CASE/UCO alike.

Selection: `all`; `bookmarked` (records with any bookmark or tag); `tag:NAME[,NAME]`; or a
comma-separated list of record kinds (`message,call`).

Redaction profiles are JSON files (bundled ones in `resources/redaction/`, or a path):
    {"name": ..., "description": ...,
     "mask_tags": ["victim"],        # names and identifiers of records with these tags are
                                     # replaced by "[redacted]" wherever they occur
     "media_tags": ["sensitive"], "media": "blur" | "omit",   # thumbnails of tagged photos
     "omit_tags": ["privileged"]}    # records with these tags are left out entirely
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import QarinaError
from ..core.export import artifact_records, present_kinds
from ..core.export import records as case_records
from ..core.resources import resource_dir
from ..core.tags import clean_tag, list_tags, parse_record_id

MASK = "[redacted]"
UNMASKED_KEYS = frozenset({"kind", "id", "evidence", "parser", "source_sha256", "sha256", "md5"})
NAME_FIELDS = ("name", "display_name", "first_name", "last_name", "nickname", "username")
_PHONE_DIGITS = 9  # national significant number tail matched across formatting


class SelectionError(QarinaError):
    """A --selection or --redact value that cannot be used."""


@dataclass(frozen=True)
class Selection:
    spec: str = "all"
    kinds: frozenset[str] | None = None  # None: every kind
    tags: frozenset[str] | None = None  # None: no tag filter; empty: any tag


def parse_selection(spec: str) -> Selection:
    spec = spec.strip() or "all"
    if spec == "all":
        return Selection()
    if spec == "bookmarked":
        return Selection(spec, tags=frozenset())
    if spec.startswith("tag:"):
        tags = frozenset(clean_tag(t) for t in spec[4:].split(",") if t.strip())
        if not tags:
            raise SelectionError("--selection tag: needs at least one tag name")
        return Selection(spec, tags=tags)
    kinds = frozenset(k.strip() for k in spec.split(",") if k.strip())
    bad = sorted(k for k in kinds if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", k))
    if bad:
        raise SelectionError(f"--selection: not a record kind: {', '.join(bad)}")
    return Selection(spec, kinds=kinds)


@dataclass(frozen=True)
class Redaction:
    name: str = "none"
    description: str = ""
    sha256: str | None = None
    mask_tags: frozenset[str] = frozenset()
    media_tags: frozenset[str] = frozenset()
    media: str = "blur"
    omit_tags: frozenset[str] = frozenset()

    def statement(self) -> dict[str, Any]:
        return {
            "profile": self.name,
            "description": self.description,
            "profile_sha256": self.sha256,
            "mask_tags": sorted(self.mask_tags),
            "media_tags": sorted(self.media_tags),
            "media": self.media if self.media_tags else None,
            "omit_tags": sorted(self.omit_tags),
        }


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in resource_dir("redaction").glob("*.json"))


def load_redaction(spec: str | None) -> Redaction:
    """A bundled profile by name (`victims`, `sensitive-media`, `public`) or a JSON file."""
    if not spec or spec == "none":
        return Redaction()
    if spec in bundled_profiles():
        raw = (resource_dir("redaction") / f"{spec}.json").read_bytes()
    else:
        try:
            raw = Path(spec).read_bytes()
        except OSError as exc:
            known = ", ".join(["none", *bundled_profiles()])
            raise SelectionError(f"--redact {spec}: no such profile ({known}) or file") from exc
    try:
        data = json.loads(raw)
        media = str(data.get("media", "blur"))
        if media not in ("blur", "omit"):
            raise SelectionError(f"redaction profile {spec}: media must be blur or omit")
        return Redaction(
            name=str(data.get("name") or Path(spec).stem),
            description=str(data.get("description", "")),
            sha256=hashlib.sha256(raw).hexdigest(),
            mask_tags=frozenset(clean_tag(t) for t in data.get("mask_tags", [])),
            media_tags=frozenset(clean_tag(t) for t in data.get("media_tags", [])),
            media=media,
            omit_tags=frozenset(clean_tag(t) for t in data.get("omit_tags", [])),
        )
    except (ValueError, TypeError, AttributeError, QarinaError) as exc:
        raise SelectionError(f"redaction profile {spec} is not valid: {exc}") from exc


@dataclass
class _Tagged:
    by_record: dict[str, set[str]] = field(default_factory=dict)

    def has(self, record_id: str, tags: frozenset[str]) -> bool:
        return bool(self.by_record.get(record_id, set()) & tags)


class ReportView:
    """The records of one report: selected, redacted, in export order."""

    def __init__(
        self, conn: sqlite3.Connection, selection: Selection | None = None,
        redaction: Redaction | None = None,
    ) -> None:  # fmt: skip
        self.conn = conn
        self.selection = selection or Selection()
        self.redaction = redaction or Redaction()
        self._tags = _Tagged()
        for tag in list_tags(conn):
            self._tags.by_record.setdefault(tag.record_id, set()).add(tag.tag)
        self._sensitive_files = self._tagged_file_paths(self.redaction.media_tags)
        self._mask = _masker(conn, self._records_tagged(self.redaction.mask_tags))

    def tags(self, record_id: str) -> list[str]:
        return sorted(self._tags.by_record.get(record_id, ()))

    def _records_tagged(self, tags: frozenset[str]) -> list[str]:
        return sorted(r for r, have in self._tags.by_record.items() if have & tags)

    def _tagged_file_paths(self, tags: frozenset[str]) -> set[tuple[int, str]]:
        paths: set[tuple[int, str]] = set()
        for record_id in self._records_tagged(tags):
            prefix, number = parse_record_id(record_id)
            table = {"file": "files", "rec": "artifacts"}.get(prefix)
            if table == "files":
                sql = "SELECT evidence_id, path FROM files WHERE id = ?"
            elif table == "artifacts":
                sql = (
                    "SELECT f.evidence_id, f.path FROM artifacts a JOIN files f"
                    " ON f.id = a.file_id WHERE a.id = ?"
                )
            else:
                continue
            row = self.conn.execute(sql, (number,)).fetchone()
            if row is not None:
                paths.add((int(row[0]), str(row[1])))
        return paths

    @property
    def by_kind_only(self) -> bool:
        """True when which records are shown depends on their kind alone (no tag filter, no
        omitted tags): counts can then come from the database without reading records."""
        return self.selection.tags is None and not self.redaction.omit_tags

    def kinds(self) -> list[str]:
        present = present_kinds(self.conn)
        wanted = self.selection.kinds
        return [k for k in present if wanted is None or k in wanted]

    def selected(self, record: dict[str, Any]) -> bool:
        record_id = str(record.get("id"))
        if self._tags.has(record_id, self.redaction.omit_tags):
            return False
        tags = self.selection.tags
        if tags is None:
            return True
        have = self._tags.by_record.get(record_id, set())
        return bool(have & tags) if tags else bool(have)

    def records(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        wanted = self.selection.kinds
        if kind is not None and wanted is not None and kind not in wanted:
            return
        for record in case_records(self.conn, kind):
            if wanted is not None and record["kind"] not in wanted:
                continue
            if self.selected(record):
                yield self._mask(record) if self._mask else record

    def located(self) -> Iterator[dict[str, Any]]:
        """Selected artifacts that state a position, kind by kind, masked."""
        for kind in self.kinds():
            if kind in ("file", "entity"):
                continue
            for record in artifact_records(self.conn, kind, located=True):
                shown = self.accept(record)
                if shown is not None:
                    yield shown

    def accept(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """`record` as this report shows it (masked), or None when it is not selected."""
        wanted = self.selection.kinds
        if (wanted is not None and record["kind"] not in wanted) or not self.selected(record):
            return None
        masked: dict[str, Any] = self.mask(record)
        return masked

    def mask(self, value: Any) -> Any:
        """`value` with the profile's masked names and identifiers replaced."""
        return self._mask(value) if self._mask else value

    def media_action(self, record: dict[str, Any]) -> str | None:
        """ "blur" or "omit" when this photo is tagged sensitive under the profile, else None."""
        if not self.redaction.media_tags:
            return None
        tagged = self._tags.has(str(record.get("id")), self.redaction.media_tags)
        where = (record.get("evidence"), record.get("path"))
        if tagged or where in self._sensitive_files:
            return self.redaction.media
        return None


def _phone_tail(value: str) -> str | None:
    """The last digits of a value that is only a phone number (any formatting)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < _PHONE_DIGITS or re.search(r"[^\d\s\-.()/+]", value):
        return None
    return digits[-_PHONE_DIGITS:]


def _masked_values(conn: sqlite3.Connection, record_ids: list[str]) -> set[str]:
    values: set[str] = set()
    for record_id in record_ids:
        prefix, number = parse_record_id(record_id)
        values.update(value for _, value in _identifier_forms(conn, prefix, number))
        if prefix == "rec":
            values.update(_names(conn, number))
    return {v for v in values if len(v.strip()) >= 3}


def _masker(conn: sqlite3.Connection, record_ids: list[str]) -> Any:
    """A function replacing the masked records' names and identifiers in a record, or None.
    Phone numbers are matched by their last digits across any formatting (+218 91-…, 091…)."""
    values = _masked_values(conn, record_ids)
    if not values:
        return None
    phones = {tail for v in values if (tail := _phone_tail(v))}
    parts = [re.escape(v) for v in sorted(values, key=lambda v: (-len(v), v))]
    parts += [r"[\s\-.()/]*".join(tail) for tail in sorted(phones)]
    pattern = re.compile("|".join(parts), re.IGNORECASE)

    def mask(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(MASK, value)
        if isinstance(value, list):
            return [mask(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k in UNMASKED_KEYS else mask(v) for k, v in value.items()}
        return value

    return mask


def _identifier_forms(conn: sqlite3.Connection, prefix: str, number: int) -> set[tuple[str, str]]:
    if prefix == "ent":
        where, params = "e.id = ?", (number,)
    elif prefix == "rec":
        where = "e.id IN (SELECT entity_id FROM entity_refs WHERE artifact_id = ?)"
        params = (number,)
    else:
        return set()
    forms: set[tuple[str, str]] = set()
    sql = (
        "SELECT e.type, e.value, r.raw FROM entities e LEFT JOIN entity_refs r"
        f" ON r.entity_id = e.id WHERE {where}"
    )
    for type_, value, raw in conn.execute(sql, params):
        forms.add((str(type_), str(value)))
        if raw:
            forms.add((str(type_), str(raw)))
    return forms


def _names(conn: sqlite3.Connection, artifact_id: int) -> set[str]:
    """Names, numbers and addresses a tagged contact or call states itself (the identifier
    stage may have normalised or missed some forms)."""
    row = conn.execute("SELECT kind, data FROM artifacts WHERE id = ?", (artifact_id,)).fetchone()
    if row is None or row[0] not in ("contact", "call"):
        return set()
    data = json.loads(row[1])
    found = {str(data[f]) for f in NAME_FIELDS if isinstance(data.get(f), str) and data[f]}
    for key in ("phones", "emails"):
        found.update(str(v) for v in data.get(key) or () if isinstance(v, str))
    if isinstance(data.get("number"), str):
        found.add(data["number"])
    return found
