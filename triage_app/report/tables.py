"""CSV per record kind: `<kind>.csv`, UTF-8 with a BOM (so spreadsheet programs read Arabic
correctly), `\\n` line ends, the csv module's minimal quoting.

Columns: the common keys of the record contract (docs/RECORDS.md), the kind's own fields in
the order of that page, then every other field seen in the kind, sorted by name. The extra
names are collected by a first streaming pass over the kind (only the names are kept, never
the records), the rows are written by a second pass: memory stays bounded by the number of
distinct field names, which parsers choose, and the columns do not depend on which record
happens to come first. The alternative, one `extra` JSON column, would save a pass but hide
the app-specific fields (EXIF lens and serial, hash-set matches, source table and row) from
sorting and filtering in the spreadsheet. As a guard against a pathological case, at most
`MAX_EXTRA_COLUMNS` extra names become columns (the first met, in record order, then sorted);
any beyond go into a final `extra` column as sorted JSON.

Every value from a case is hostile:
- formula injection is impossible: a text cell starting with `=`, `+`, `-`, `@`, TAB or CR
  gets a leading `'` (OWASP "CSV Injection"). Phone numbers such as `+218 91 234 5678` are
  evidence, and they are prefixed too: a spreadsheet would otherwise compute `+218 91...` as a
  formula or a number and lose the leading `+` and any leading zero. Numbers stored as numbers
  (sizes, coordinates, durations) are written plainly: they cannot carry a formula.
- control characters other than TAB and LF (NUL, CR, the other C0 codes, DEL, C1) are written
  as the text `\\xNN`. CR is among them because the csv module does not quote a field for a
  CR when lines end in LF, and a raw CR splits the row for readers (a Windows line end in a
  message body reads `\\x0d` + a line break); a cell that started with CR so starts with
  `\\x0d`, no longer a formula; bidirectional embedding/override/isolate controls (U+202A-U+202E,
  U+2066-U+2069), which can disguise a file name such as `photo\\u202egpj.exe`, as `\\uNNNN`;
  lone surrogates as `\\udNNN`. A backslash already in the evidence is left as it is, so a
  value that literally contains the text `\\x00` reads the same as an escaped NUL: the JSONL
  export (`qarina export`) is the lossless form.
- lists and objects are written as JSON (arrays for the contract's list fields).

Files are written to a temporary name in the output folder, fsynced, then renamed.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..core.export import KIND_NAME
from .view import ReportView

COMMON_COLUMNS = (
    "kind",
    "id",
    "evidence",
    "path",
    "volume",
    "source_sha256",
    "parser",
    "ts",
    "ts_raw",
    "deleted",
)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "file": ("name", "size", "sha256", "md5", "mime", "mtime", "atime", "ctime", "crtime", "inode"),
    "message": ("app", "thread", "sender", "recipients", "direction", "body", "attachments"),
    "contact": ("app", "name", "phones", "emails"),
    "call": ("app", "number", "name", "direction", "duration_s"),
    "web_visit": ("browser", "profile", "url", "title", "visit_count"),
    "web_download": ("browser", "url", "target_path", "size"),
    "web_search": ("browser", "term", "url"),
    "web_cookie": (
        "browser",
        "host",
        "name",
        "value",
        "encrypted",
        "cookie_path",
        "expires",
        "secure",
        "http_only",
    ),
    "web_form": ("browser", "field", "value", "url", "count"),
    "web_cache": ("browser", "url", "mime", "size", "local_path"),
    "media": ("mime", "make", "model", "taken_local", "lat", "lon", "alt"),
    "keyword_hit": (
        "rule",
        "pack",
        "keyword",
        "encoding",
        "target",
        "target_id",
        "offset",
        "context",
    ),
    "entity": ("type", "value", "count", "evidence_ids"),
}
MAX_EXTRA_COLUMNS = 256
EXTRA_COLUMN = "extra"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Kind names become file names: only lower_snake_case identifiers are written.
# C0 controls except TAB and LF; DEL and C1; bidi embeddings/overrides/isolates; surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with control, bidi-override and lone surrogate characters as visible escapes."""
    return _UNSAFE.sub(_escape_char, text)


def to_json(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, non-ASCII kept): the same value, the same text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def cell(value: Any) -> str:
    """One CSV cell: inert in a spreadsheet, printable, deterministic."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = value if isinstance(value, str) else to_json(value)
    text = escape_controls(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@contextmanager
def atomic_writer(
    path: Path, encoding: str = "utf-8", errors: str = "strict", sync: bool = True
) -> Iterator[IO[str]]:
    """A text file (no newline translation) open on a temporary name next to `path`; on
    success flushed, fsynced (unless `sync` is False: the caller syncs the whole folder, as
    the report build does before it renames the folder into place) and renamed over `path`,
    on error removed (an existing `path` is left untouched)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(fd, "w", encoding=encoding, errors=errors, newline="") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """`data` at `path` through a temporary name, fsynced, then renamed over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _columns(view: ReportView, kind: str) -> tuple[list[str], bool, int]:
    """First pass: the columns of `kind`, whether an `extra` column is needed, the count."""
    known = set(COMMON_COLUMNS) | set(KIND_FIELDS.get(kind, ()))
    extras: set[str] = set()
    overflow = False
    count = 0
    for record in view.records(kind):
        count += 1
        for key in record:
            if key in known or key in extras:
                continue
            if len(extras) < MAX_EXTRA_COLUMNS:
                extras.add(key)
            else:
                overflow = True
    columns = [*COMMON_COLUMNS, *KIND_FIELDS.get(kind, ()), *sorted(extras)]
    return columns, overflow, count


def _rows(view: ReportView, kind: str, columns: list[str], overflow: bool) -> Iterable[list[str]]:
    wanted = set(columns)
    for record in view.records(kind):
        row = [cell(record.get(c)) for c in columns]
        if overflow:
            rest = {k: v for k, v in record.items() if k not in wanted}
            row.append(cell(rest) if rest else "")
        yield row


def write_kind(view: ReportView, out_dir: Path, kind: str) -> Path | None:
    """`<kind>.csv` in `out_dir`, or None (nothing written) when the case has no such record."""
    if not KIND_NAME.fullmatch(kind):
        raise ValueError(f"not a record kind: {kind!r}")
    columns, overflow, count = _columns(view, kind)
    if count == 0:
        return None
    header = [cell(c) for c in columns] + ([EXTRA_COLUMN] if overflow else [])
    path = out_dir / f"{kind}.csv"
    with atomic_writer(path, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(_rows(view, kind, columns, overflow))
    return path


def write_csv(
    source: sqlite3.Connection | ReportView, out_dir: Path, kinds: Sequence[str] | None = None
) -> list[Path]:
    """One CSV per record kind of the report (or per kind of `kinds` that has records), in
    kind order; the paths written. A bare connection (rows as `sqlite3.Row`, from
    `casedb.connect`) stands for every record, unredacted."""
    view = source if isinstance(source, ReportView) else ReportView(source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = view.kinds() if kinds is None else sorted(set(kinds))
    written = [write_kind(view, out_dir, kind) for kind in wanted]
    return [p for p in written if p is not None]
