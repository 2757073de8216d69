"""Search stage over parsed records: full-text index, keyword/YARA hits, identifiers.

Runs after the parse stage, over the records not yet processed (`search_progress`), in
batches committed atomically with the progress mark, so a cancelled or killed scan resumes
where it stopped and never indexes a record twice.

- Full-text: each record's text fields, Arabic-normalised (`arabic.normalise`), go into the
  FTS5 table `record_text` (trigram tokenizer: substring search, which Arabic needs because
  clitics such as و/ب/ال are written joined to the word).
- Keywords and YARA: the batch's texts are joined into one UTF-8 buffer (records separated
  by a NUL byte) and matched once, which is far cheaper than one YARA call per record; a hit
  is mapped back to its record and must not cross a separator. The keyword rules accept the
  Arabic variants themselves (alef forms, ya/alef maqsura, ta marbuta/ha, harakat, tatweel,
  Arabic-Indic digits), so matching the stored text is matching its normalised form, and
  offsets stay those of the text the examiner sees.
- Identifiers: phone fields (contact phones, call numbers, message senders/recipients, SMS
  addresses, WhatsApp JIDs) are normalised as phone numbers; free text (bodies, names, URLs,
  titles) is searched for phones, e-mails, URLs, wallets and IBANs.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.case import Case
from ..core.casedb import dumps
from ..core.progress import CancelToken, Progress, ThrottledSink
from ..core.values import phone_from_jid
from .arabic import normalise
from .identifiers import Identifier, find_identifiers, normalise_phone
from .scanner import RuleSet, record_hits

BATCH = 5000
STAGE = "records"
# Per kind: fields holding text an examiner searches (free text) and fields that are phone
# numbers or app identities (read as phones only).
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "message": ("body", "thread_name", "sender_name", "attachments"),
    "contact": ("name", "emails", "username"),
    "call": ("name",),
    "web_visit": ("url", "title"),
    "web_download": ("url", "target_path"),
    "web_search": ("term", "url"),
    "web_cookie": ("host", "name"),
    "web_form": ("field", "value", "url"),
    "web_cache": ("url",),
    "media": ("make", "model"),
}
PHONE_FIELDS: dict[str, tuple[str, ...]] = {
    "message": ("sender", "recipients", "sender_phone", "thread"),
    "contact": ("phones",),
    "call": ("number",),
}
_SKIP_KINDS = ("keyword_hit", "file")
# Apps whose sender/recipient/number fields are phone numbers (or JIDs made of one). Other
# apps put numeric account ids there (Telegram, Messenger, Instagram, Hangouts...), which
# libphonenumber would happily read as phones: for them only a value written with "+" is.
PHONE_IDENTITY_APPS = frozenset(
    {"sms", "imessage", "whatsapp", "viber", "phone", "burner", "facetime", "signal"}
)


@dataclass
class RecordStats:
    records: int = 0
    hits: int = 0
    identifiers: int = 0


def _values(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)


def record_text(kind: str, fields: dict[str, Any]) -> str:
    """The searchable text of a record: its text and identity fields, one per line."""
    names = TEXT_FIELDS.get(kind, ()) + PHONE_FIELDS.get(kind, ())
    return "\n".join(v for name in names for v in _values(fields.get(name)))


def record_identifiers(
    kind: str, fields: dict[str, Any], regions: Sequence[str]
) -> Iterator[tuple[str, Identifier | tuple[str, str]]]:
    """(field, identifier) pairs of a record. Phone fields give ('phone', E.164) tuples."""
    by_app = kind == "contact" or fields.get("app") in PHONE_IDENTITY_APPS
    for name in PHONE_FIELDS.get(kind, ()):
        for raw in _values(fields.get(name)):
            if not by_app and not raw.lstrip().startswith("+"):
                continue
            number = normalise_phone(phone_from_jid(raw) or raw, regions)
            if number:
                yield name, ("phone", number)
    for name in TEXT_FIELDS.get(kind, ()):
        for raw in _values(fields.get(name)):
            # Nested: the wallet in a block-explorer URL and the phone of a wa.me link are
            # the links between devices, beside the URL itself.
            for found in find_identifiers(raw, regions, nested=True):
                yield name, found


class EntityWriter:
    """Entities (type, value) → id, created on first sight, and their references, which are
    written by `flush` in one statement (a message gives two or three)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._ids: dict[tuple[str, str], int] = {}
        self._refs: list[tuple[int, int, int | None, int | None, str | None, str | None]] = []

    def add(
        self,
        kind: str,
        value: str,
        evidence_id: int,
        *,
        subtype: str | None = None,
        artifact_id: int | None = None,
        file_id: int | None = None,
        field: str | None = None,
        raw: str | None = None,
    ) -> None:
        key = (kind, value)
        entity_id = self._ids.get(key)
        if entity_id is None:
            self._conn.execute(
                "INSERT OR IGNORE INTO entities (type, value, subtype) VALUES (?, ?, ?)",
                (kind, value, subtype),
            )
            row = self._conn.execute(
                "SELECT id FROM entities WHERE type = ? AND value = ?", key
            ).fetchone()
            entity_id = self._ids[key] = int(row[0])
        self._refs.append((entity_id, evidence_id, artifact_id, file_id, field, raw))

    def flush(self) -> None:
        self._conn.executemany(
            "INSERT INTO entity_refs (entity_id, evidence_id, artifact_id, file_id, field, raw)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            self._refs,
        )
        self._refs.clear()


def run_records_stage(
    case: Case,
    rules: RuleSet | None,
    regions: Sequence[str],
    sink: ThrottledSink,
    cancel: CancelToken,
) -> RecordStats:
    stats = RecordStats()
    db = case.db
    row = db.query("SELECT last_id FROM search_progress WHERE stage = ?", (STAGE,))
    last = int(row[0][0]) if row else 0
    total = int(db.query("SELECT count(*) FROM artifacts WHERE id > ?", (last,))[0][0])
    # One for the stage: entity ids found in a committed batch stay valid (a failed batch
    # rolls back and ends the stage with it).
    entities = EntityWriter(db.conn)
    while True:
        cancel.check()
        batch = db.query(
            "SELECT id, kind, evidence_id, file_id, data FROM artifacts"
            f" WHERE id > ? AND kind NOT IN {_SKIP_KINDS!r} ORDER BY id LIMIT ?",
            (last, BATCH),
        )
        if not batch:
            break
        last = int(batch[-1]["id"])
        with db.transaction() as conn:
            _process(conn, entities, batch, rules, regions, stats)
            conn.execute(
                "INSERT INTO search_progress (stage, last_id) VALUES (?, ?)"
                " ON CONFLICT (stage) DO UPDATE SET last_id = excluded.last_id",
                (STAGE, last),
            )
        sink.update(Progress("search", files_done=stats.records, files_total=total))
    return stats


def _process(
    conn: sqlite3.Connection,
    entities: EntityWriter,
    batch: Sequence[sqlite3.Row],
    rules: RuleSet | None,
    regions: Sequence[str],
    stats: RecordStats,
) -> None:
    texts: list[tuple[sqlite3.Row, str]] = []
    for row in batch:
        fields = json.loads(row["data"])
        text = record_text(row["kind"], fields)
        stats.records += 1
        if text:
            texts.append((row, text))
        for field, found in record_identifiers(row["kind"], fields, regions):
            kind, value, subtype, raw = _identity(found)
            entities.add(
                kind, value, row["evidence_id"], subtype=subtype, artifact_id=row["id"],
                field=field, raw=raw,
            )  # fmt: skip
            stats.identifiers += 1
    entities.flush()
    conn.executemany(
        "INSERT INTO record_text (rowid, text) VALUES (?, ?)",
        ((row["id"], normalise(text)) for row, text in texts),
    )
    if rules is not None and texts:
        _keyword_hits(conn, texts, rules, stats)


def _identity(found: Identifier | tuple[str, str]) -> tuple[str, str, str | None, str | None]:
    if isinstance(found, tuple):
        return found[0], found[1], None, None
    return found.type, found.value, getattr(found, "subtype", None), found.raw


def _keyword_hits(
    conn: sqlite3.Connection,
    texts: Sequence[tuple[sqlite3.Row, str]],
    rules: RuleSet,
    stats: RecordStats,
) -> None:
    encoded = [t.encode("utf-8") for _, t in texts]
    starts: list[int] = []
    position = 0
    for data in encoded:
        starts.append(position)
        position += len(data) + 1
    buffer = b"\x00".join(encoded)
    found: list[tuple[int, int | None, dict[str, Any]]] = []
    for hit in record_hits(rules, buffer):
        index = bisect.bisect_right(starts, hit.offset) - 1
        row, data = texts[index][0], encoded[index]
        offset = hit.offset - starts[index]
        if offset + hit.length > len(data):
            continue  # spans two records
        fields = hit.record_fields(data, offset, target_id=f"rec:{row['id']}")
        found.append((row["evidence_id"], row["file_id"], fields))
        stats.hits += 1
    _insert_hits(conn, found)


def _insert_hits(
    conn: sqlite3.Connection, hits: Iterable[tuple[int, int | None, dict[str, Any]]]
) -> None:
    """Keyword hits as records, in the order given (their ids follow it)."""
    conn.executemany(
        "INSERT INTO artifacts (kind, evidence_id, file_id, parser, ts, ts_raw, deleted,"
        " source_table, source_rowid, data) VALUES ('keyword_hit', ?, ?, 'keywords', NULL,"
        " NULL, 0, NULL, NULL, ?)",
        ((evidence_id, file_id, dumps(fields)) for evidence_id, file_id, fields in hits),
    )


def insert_file_hits(
    conn: sqlite3.Connection, evidence_id: int, file_id: int, hits: Iterable[dict[str, Any]]
) -> None:
    """Keyword/YARA hits found in a file's content (by the indexer's content scan)."""
    _insert_hits(conn, ((evidence_id, file_id, {**fields, "target": "file"}) for fields in hits))
