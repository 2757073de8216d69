"""Readers for known-file hash sets.

What: `read_hashset(path)` recognises a hash set by its content, never its extension, and
returns a reader streaming `HashEntry` items from: plain lists (MD5/SHA-1/SHA-256 by length,
`#` comments, md5sum/sha256sum `HASH  NAME`, `HASH *NAME` and `\\`-escaped names, BSD
`SHA256 (NAME) = HASH`); hashdeep files; CSV whose header names its hash columns (`,` `;` or
tab); Project VIC VICS JSON; NSRL RDS v3 SQLite (its reader and `NsrlLookup` are in `nsrl`).
Why: known-bad sets arrive from hubs and partner agencies as whatever their tool wrote, often
with a wrong or missing extension; NSRL now ships only as SQLite.

Formats, as checked against public material (a published VICS 1.2 Media sample; open-source
VICS readers of three tools and 2.0 writers of two):
- VICS 1.x (ICMEC models 1.2/1.3, `"odata.metadata": ".../DataModels/1.3.xml#Media"`):
  `value` is a list of Media records with `MD5`, `SHA1`, `Category` (a number), `MediaID`,
  `MediaSize` and `MediaFiles: [{"FileName", "FilePath", "MD5"}]`.
- VICS 2.0 (`"@odata.context": ".../VICSDATAMODEL/.../2.0.xml/US/$metadata#Cases"`): `value`
  holds cases (`CaseID`, ...) each with a `Media` list of the same records; hub sets
  (`...$metadata#Media`) put Media directly under `value`. One reader also takes cases under
  a 1.x context, so the first `value` item decides the shape whatever the version. OData
  puts the context first, which identifies the file. `SHA256` is in no model seen; it is
  read if an exporter adds it.

Limits: a line over 64 Ki characters is skipped as malformed; a CSV quoted field may span
lines up to the csv module's field limit; a JSON syntax error ends the reading (entries
before it are kept) and one VICS record is built whole; CRC32, SHA-512 and other hashes are
not read; names are kept as written (often a path). An empty file is refused: a set that
matches nothing usually means the wrong file was exported.
"""

from __future__ import annotations

import codecs
import csv
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import ijson

from triage_app.core.errors import QarinaError

HashAlgo = Literal["md5", "sha1", "sha256"]
ALGOS: tuple[HashAlgo, ...] = ("md5", "sha1", "sha256")
_BY_LENGTH: dict[int, HashAlgo] = {32: "md5", 40: "sha1", 64: "sha256"}
_BY_NAME: dict[str, HashAlgo] = {**{a: a for a in ALGOS}, "sha2256": "sha256"}
_SNIFF_BYTES = 64 * 1024
_MAX_LINE = 64 * 1024
_MAX_WARNINGS = 100
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEX = re.compile(r"[0-9A-Fa-f]+")
# a hash of 32, 40 or 64 hex digits, then optionally a separator and a name (`*` = binary mode)
_LINE = re.compile(
    r"(\\?)([0-9A-Fa-f]{32}(?:[0-9A-Fa-f]{8}(?:[0-9A-Fa-f]{24})?)?)(?:[\s,;]+\*?(.*))?"
)
_BSD = re.compile(r"(MD5|SHA-?1|SHA-?256|SHA2-256) ?\((.*)\) ?= ?([0-9A-Fa-f]+)", re.IGNORECASE)
_CSV_ALGO: dict[str, HashAlgo | None] = {
    **{k: "md5" for k in ("md5", "md5hash", "md5sum", "hashmd5")},
    **{k: "sha1" for k in ("sha1", "sha1hash", "sha1sum", "hashsha1")},
    **{k: "sha256" for k in ("sha256", "sha256hash", "sha256sum", "hashsha256", "sha2256")},
    **{k: None for k in ("hash", "hashvalue", "digest", "checksum")},  # algorithm by length
}
_CSV_NAME = ("filename", "name", "file", "filepath", "path", "fullpath")
_CSV_CATEGORY = ("category", "vicscategory", "label", "status")
_VICS_CONTEXT = ("odata.metadata", "@odata.context")
_VICS_HASHES = [(algo.upper(), algo) for algo in ALGOS]  # `SHA256` only if an exporter adds it
_PEEK_EVENTS = 100_000


class HashSetError(QarinaError):
    """A file is not a readable hash set (unknown format, empty, unreadable)."""


@dataclass(frozen=True, slots=True)
class HashEntry:
    """One known hash. `value` is lower-case hex; `category` as the set wrote it (for VICS
    the category number as text); `name` the file name or path the set gives, if any."""

    algo: HashAlgo
    value: str
    category: str | None = None
    name: str | None = None


def normalise(value: str, algo: HashAlgo | None = None) -> tuple[HashAlgo, str] | None:
    """(algo, lower-case hex) for a hash string, the algorithm by length unless given."""
    value = value.strip()
    found = _BY_LENGTH.get(len(value))
    if found is None or (algo is not None and found != algo) or not _HEX.fullmatch(value):
        return None
    return found, value.lower()


class HashSetReader(ABC):
    """Streams the entries of one hash set; malformed parts are counted, not fatal.

    `warnings` keeps the first 100 messages, `bad` counts every malformed line or item and
    `count` the entries yielded; all three are reset when an iteration starts."""

    format = "unknown"

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path, self.encoding = path, encoding
        self.warnings: list[str] = []
        self.bad = 0
        self.count = 0

    def __iter__(self) -> Iterator[HashEntry]:
        self.warnings, self.bad, self.count = [], 0, 0
        for entry in self._entries():
            self.count += 1
            yield entry

    @abstractmethod
    def _entries(self) -> Iterator[HashEntry]:
        """The entries, in file order; malformed parts go to `_bad`."""

    def _bad(self, message: str) -> None:
        self.bad += 1
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)
        elif len(self.warnings) == _MAX_WARNINGS:
            self.warnings.append("further warnings not kept; see the bad count")


class _Lines:
    """Lines of a text file, each at most _MAX_LINE characters: an overlong line (a binary
    blob, a corrupt export) is skipped in pieces and reported, never held whole."""

    def __init__(self, stream: IO[str], reader: HashSetReader) -> None:
        self.stream, self.reader, self.lineno = stream, reader, 0

    def __iter__(self) -> Iterator[str]:
        while line := self.stream.readline(_MAX_LINE):
            self.lineno += 1
            if len(line) < _MAX_LINE or line[-1] in "\r\n":
                yield line
                continue
            while (more := self.stream.readline(_MAX_LINE)) and more[-1] not in "\r\n":
                pass
            self.reader._bad(f"line {self.lineno}: longer than {_MAX_LINE} characters")


def _open_text(path: Path, encoding: str, newline: str | None = None) -> IO[str]:
    return open(path, encoding=encoding, errors="replace", newline=newline)


def _parse_text_line(line: str) -> tuple[HashAlgo, str, str | None] | None:
    """(algo, value, name) from one stripped line of a plain list, or None."""
    match = _LINE.fullmatch(line)
    if match is None:
        return _parse_bsd_line(line)
    value, name = match[2], match[3] or None
    if name and match[1]:
        # md5sum/sha256sum escape a name holding a backslash or newline, and mark the line
        name = name.replace("\\\\", "\0").replace("\\n", "\n").replace("\0", "\\")
    return _BY_LENGTH[len(value)], value.lower(), name


def _parse_bsd_line(line: str) -> tuple[HashAlgo, str, str | None] | None:
    bsd = _BSD.fullmatch(line)
    algo = _BY_NAME.get(bsd[1].lower().replace("-", "")) if bsd else None
    hit = normalise(bsd[3], algo) if bsd and algo else None
    return (hit[0], hit[1], bsd[2]) if bsd and hit else None


class _TextReader(HashSetReader):
    format = "text"

    def _entries(self) -> Iterator[HashEntry]:
        with _open_text(self.path, self.encoding) as stream:
            lines = _Lines(stream, self)
            for line in lines:
                stripped = line.strip()
                if not stripped or stripped[0] == "#":
                    continue
                parsed = _parse_text_line(stripped)
                if parsed is None:
                    self._bad(f"line {lines.lineno}: not an MD5/SHA-1/SHA-256 hash line")
                    continue
                yield HashEntry(parsed[0], parsed[1], None, parsed[2])


class _HashdeepReader(HashSetReader):
    """hashdeep/md5deep `-c` output: `%%%% size,md5,sha256,filename` names the columns; the
    file name is last and may itself hold commas."""

    format = "hashdeep"

    def __init__(self, path: Path, encoding: str, columns: list[str]) -> None:
        super().__init__(path, encoding)
        self.columns = columns

    def _entries(self) -> Iterator[HashEntry]:
        wanted = [(i, _BY_NAME[c]) for i, c in enumerate(self.columns) if c in ALGOS]
        named = self.columns[-1] == "filename"
        with _open_text(self.path, self.encoding) as stream:
            lines = _Lines(stream, self)
            for line in lines:
                line = line.rstrip("\r\n")
                if not line or line.startswith(("%%%%", "##")):
                    continue
                cells = line.split(",", len(self.columns) - 1)
                hits = [normalise(cells[i], algo) for i, algo in wanted if i < len(cells)]
                if len(cells) != len(self.columns) or not all(hits):
                    self._bad(f"line {lines.lineno}: does not match the hashdeep header")
                    continue
                name = cells[-1] if named else None
                yield from (HashEntry(h[0], h[1], None, name) for h in hits if h)


@dataclass(frozen=True)
class _CsvLayout:
    delimiter: str
    hashes: list[tuple[int, HashAlgo | None]]
    name: int | None
    category: int | None


def _csv_layout(header_line: str) -> _CsvLayout | None:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    keys = [re.sub(r"[^a-z0-9]", "", cell.lower()) for cell in header]
    hashes = [(i, _CSV_ALGO[k]) for i, k in enumerate(keys) if k in _CSV_ALGO]
    if not hashes:
        return None
    name = next((keys.index(k) for k in _CSV_NAME if k in keys), None)
    category = next((keys.index(k) for k in _CSV_CATEGORY if k in keys), None)
    return _CsvLayout(delimiter, hashes, name, category)


class _CsvReader(HashSetReader):
    format = "csv"

    def __init__(self, path: Path, encoding: str, layout: _CsvLayout) -> None:
        super().__init__(path, encoding)
        self.layout = layout

    def _entries(self) -> Iterator[HashEntry]:
        with _open_text(self.path, self.encoding, newline="") as stream:
            lines = _Lines(stream, self)
            rows_in = iter(lines)
            for line in rows_in:  # up to and including the header (PowerShell's `#TYPE`)
                if line.strip() and not line.lstrip().startswith("#"):
                    break
            rows = csv.reader(rows_in, delimiter=self.layout.delimiter)
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except csv.Error as exc:
                    self._bad(f"line {lines.lineno}: {exc}")
                    continue
                if any(cell.strip() for cell in row):
                    yield from self._row(row, lines.lineno)

    def _row(self, row: list[str], lineno: int) -> Iterator[HashEntry]:
        def cell(index: int | None) -> str | None:
            return row[index].strip() or None if index is not None and index < len(row) else None

        name, category = cell(self.layout.name), cell(self.layout.category)
        raw = [(c, algo) for i, algo in self.layout.hashes if (c := cell(i))]
        hits = [normalise(c, algo) for c, algo in raw]
        if not raw or not all(hits):
            self._bad(f"line {lineno}: no valid hash in the hash columns")
        yield from (HashEntry(h[0], h[1], category, name) for h in hits if h)


class _Utf8:
    """Text re-encoded as UTF-8, the only input of the JSON parser (exporters also write a
    BOM or UTF-16; undecodable bytes were already replaced, so one cannot stop the parse)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        return self.stream.read(size).encode("utf-8")


class _VicsReader(HashSetReader):
    """Project VIC VICS JSON, streamed: the parser builds one Media record at a time."""

    format = "vics"

    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__(path, encoding)
        self.context, self.record_prefix = self._check()

    def _check(self) -> tuple[str, str]:
        with _open_text(self.path, self.encoding) as stream:
            try:
                events = ijson.parse(_Utf8(stream))
                first = [e for _, e in zip(range(3), events, strict=False)]
                if len(first) < 3 or first[1][2] not in _VICS_CONTEXT or first[2][1] != "string":
                    raise HashSetError(f"{self.path.name}: JSON, but not Project VIC VICS")
                prefix = _vics_record_prefix(events)
            except (ijson.JSONError, ValueError) as exc:
                raise HashSetError(f"{self.path.name}: malformed JSON ({exc})") from exc
        if prefix is None:
            raise HashSetError(f"{self.path.name}: VICS without a `value` list")
        return str(first[2][2]), prefix

    def _entries(self) -> Iterator[HashEntry]:
        with _open_text(self.path, self.encoding) as stream:
            try:
                for item in ijson.items(_Utf8(stream), self.record_prefix, use_float=True):
                    yield from self._record(item)
            except (ijson.JSONError, ValueError) as exc:
                self._bad(f"malformed JSON, reading stopped: {exc}")

    def _record(self, media: object) -> Iterator[HashEntry]:
        if not isinstance(media, dict) or "Media" in media:
            self._bad("a `value` item that is not a Media record")
            return
        category = media.get("Category")
        category = str(category) if isinstance(category, int | str) else None
        files = media.get("MediaFiles")
        first = files[0] if isinstance(files, list) and files else None
        name = first.get("FileName") if isinstance(first, dict) else None
        name = name if isinstance(name, str) else None
        raw = [(str(media[key]), algo) for key, algo in _VICS_HASHES if media.get(key)]
        hits = [normalise(value, algo) for value, algo in raw]
        if not raw or not all(hits):
            self._bad(f"Media {str(media.get('MediaID'))[:40]}: no valid MD5/SHA1")
        yield from (HashEntry(h[0], h[1], category, name) for h in hits if h)


def _vics_record_prefix(events: Iterator[tuple[str, str, Any]]) -> str | None:
    """Where the Media records are, from the first `value` item: inside 2.0 cases (each
    `Media` array is then read record by record, never whole) or directly in `value`. Past
    the peek limit the bounded choice, cases; None when there is no `value` list."""
    seen = False
    for n, (prefix, event, value) in enumerate(events):
        seen = seen or (prefix, event) == ("value", "start_array")
        if n > _PEEK_EVENTS or (prefix == "value.item" and (event, value) == ("map_key", "Media")):
            return "value.item.Media.item"
        if seen and prefix in ("value", "value.item") and event in ("end_map", "end_array"):
            return "value.item"
    return None


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # PowerShell and some Windows tools write UTF-16 without a BOM
    if len(head) >= 4 and not any(head[1:64:2]):
        return "utf-16-le"
    if len(head) >= 4 and not any(head[0:64:2]):
        return "utf-16-be"
    return "utf-8"


def read_hashset(path: Path) -> HashSetReader:
    """A reader for the hash set at `path`, chosen by content; HashSetError if none fits."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as exc:
        raise HashSetError(f"{path.name}: cannot be read ({exc})") from exc
    if head.startswith(_SQLITE_MAGIC):
        from triage_app.search.nsrl import _RdsReader  # nsrl imports this module

        return _RdsReader(path)
    encoding = _encoding(head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise HashSetError(f"{path.name}: empty file, no hash set in it")
    if text.lstrip()[0] == "{":
        return _VicsReader(path, encoding)
    lines = [ln.strip() for ln in text.splitlines()]
    first = next((ln for ln in lines if ln and not ln.startswith("#")), "")
    if first.startswith("%%%% HASHDEEP-"):
        header = next((ln for ln in lines[1:] if ln.startswith("%%%% ")), None)
        if header is None:
            raise HashSetError(f"{path.name}: hashdeep file without its column line")
        columns = header[5:].strip().lower().split(",")
        if not set(columns) & set(ALGOS):
            raise HashSetError(f"{path.name}: hashdeep file with no MD5/SHA-1/SHA-256 column")
        return _HashdeepReader(path, encoding, columns)
    if _parse_text_line(first) is not None:
        return _TextReader(path, encoding)
    layout = _csv_layout(first)
    if layout is not None:
        return _CsvReader(path, encoding, layout)
    raise HashSetError(f"{path.name}: not a hash list, CSV with a hash column, VICS or RDS v3")
