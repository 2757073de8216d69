"""Bookmarks and tags on records: what an examiner marks feeds the report's selection and
redaction.

A tag is attached to a record by its export id (`file:N`, `rec:N`, `ent:N`, as `qarina
export`, `search` and `links` print them). `bookmark` is the plain bookmark; any other word
("suspect", "victim", "sensitive", "relevant") is a tag. Each change is written to the
hash-chained audit log with the examiner's name and the note.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass

from .case import Case
from .casedb import now_iso
from .errors import QarinaError

BOOKMARK = "bookmark"
MAX_TAG = 64
MAX_NOTE = 4000
_TABLES = {"file": "files", "rec": "artifacts", "ent": "entities"}


class TagError(QarinaError):
    """A tag cannot be set: unknown record, or an unusable tag."""


@dataclass(frozen=True)
class Tag:
    record_id: str
    tag: str
    note: str | None
    examiner: str | None
    created: str


def parse_record_id(record_id: str) -> tuple[str, int]:
    prefix, _, number = record_id.partition(":")
    if prefix not in _TABLES or not number.isdigit():
        raise TagError(f"{record_id!r} is not a record id (file:N, rec:N or ent:N)")
    return prefix, int(number)


def clean_tag(tag: str) -> str:
    """Tags are compared case-insensitively; letters of any script, digits, - and _."""
    tag = unicodedata.normalize("NFC", tag.strip()).casefold()
    if not tag or len(tag) > MAX_TAG:
        raise TagError(f"a tag has 1 to {MAX_TAG} characters")
    if not all(ch.isalnum() or ch in "-_" for ch in tag):
        raise TagError(f"tag {tag!r}: use letters, digits, '-' or '_' only")
    return tag


def record_exists(conn: sqlite3.Connection, record_id: str) -> bool:
    prefix, number = parse_record_id(record_id)
    table = _TABLES[prefix]
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (number,)).fetchone() is not None


def add_tag(
    case: Case, record_id: str, tag: str = BOOKMARK, note: str | None = None,
    examiner: str | None = None,
) -> Tag:  # fmt: skip
    tag = clean_tag(tag)
    if note is not None and len(note) > MAX_NOTE:
        raise TagError(f"a note has at most {MAX_NOTE} characters")
    if not record_exists(case.db.conn, record_id):
        raise TagError(f"no record {record_id} in this case")
    examiner = examiner or case.db.info().get("examiner")
    created = now_iso()
    with case.db.transaction():
        case.db.execute(
            "INSERT OR REPLACE INTO tags (record_id, tag, note, examiner, created)"
            " VALUES (?, ?, ?, ?, ?)",
            (record_id, tag, note, examiner, created),
        )
    case.audit.append("tag_added", record=record_id, tag=tag, note=note, examiner=examiner)
    return Tag(record_id, tag, note, examiner, created)


def remove_tag(case: Case, record_id: str, tag: str = BOOKMARK) -> bool:
    tag = clean_tag(tag)
    with case.db.transaction():
        removed = case.db.execute(
            "DELETE FROM tags WHERE record_id = ? AND tag = ?", (record_id, tag)
        ).rowcount
    if removed:
        case.audit.append("tag_removed", record=record_id, tag=tag)
    return bool(removed)


def list_tags(conn: sqlite3.Connection, tag: str | None = None) -> list[Tag]:
    if conn.execute("PRAGMA user_version").fetchone()[0] < 4:
        return []
    where, params = ("WHERE tag = ?", (clean_tag(tag),)) if tag else ("", ())
    rows = conn.execute(
        f"SELECT record_id, tag, note, examiner, created FROM tags {where} ORDER BY tag, record_id",
        params,
    )
    return [Tag(*row) for row in rows]


def tagged_ids(conn: sqlite3.Connection, tags: set[str] | None = None) -> set[str]:
    """Record ids carrying any of `tags` (any tag at all when `tags` is None)."""
    return {t.record_id for t in list_tags(conn) if tags is None or t.tag in tags}
