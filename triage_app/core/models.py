"""Frozen value objects passed between the evidence layer, engine, parsers and case DB."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# json.dumps with options builds a new encoder per call; this runs once per indexed file.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, order=True)
class Locator:
    """Where a file lives inside its evidence: a chain of (kind, value) steps.

    Examples: ``(("vol", "2"), ("inode", "14"))`` for a file in the second partition
    of a disk image, ``(("member", "sdcard/DCIM/a.jpg"),)`` for an archive member,
    ``(("path", "data/data/x/db"),)`` for a file in an extraction folder. The
    serialised form is stable JSON so it can be stored, compared and used as a key.
    """

    steps: tuple[tuple[str, str], ...]

    def serialize(self) -> str:
        return _COMPACT.encode([list(s) for s in self.steps])

    @classmethod
    def parse(cls, text: str) -> Locator:
        data = json.loads(text)
        return cls(tuple((str(k), str(v)) for k, v in data))

    def child(self, kind: str, value: str) -> Locator:
        return Locator((*self.steps, (kind, value)))

    def value(self, kind: str) -> str | None:
        for k, v in self.steps:
            if k == kind:
                return v
        return None


@dataclass(frozen=True)
class FileRef:
    """One entry found while walking an evidence item (file, directory, link...)."""

    path: str  # POSIX path inside its file system, starting with "/"
    locator: Locator
    size: int = 0
    kind: str = "file"  # file | dir | link | other
    volume: str | None = None
    inode: int | None = None
    deleted: bool = False
    mtime: datetime | None = None
    atime: datetime | None = None
    ctime: datetime | None = None
    crtime: datetime | None = None
    note: str | None = None  # e.g. "content not recoverable"

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class VolumeInfo:
    """A partition or file system found in a disk image."""

    index: str  # stable label used in records, e.g. "p1", "p5" or "fs" (no table)
    offset: int
    length: int | None
    description: str
    fs_type: str | None
    status: str  # "ok" | "no_filesystem" | "error" | "unallocated"
    message: str = ""


# Keys every exported record carries; a parser's own fields must not shadow them.
COMMON_KEYS = frozenset(
    {"kind", "id", "evidence", "path", "volume", "source_sha256", "parser", "ts", "ts_raw",
     "deleted", "source_table", "source_rowid"}
)  # fmt: skip


@dataclass(frozen=True)
class Artifact:
    """One parsed record; `fields` are the kind-specific fields of the export contract."""

    kind: str
    fields: dict[str, Any]
    ts: datetime | None = None
    ts_raw: Any = None
    deleted: bool = False
    source_table: str | None = None
    source_rowid: int | None = None

    def __post_init__(self) -> None:
        clash = COMMON_KEYS.intersection(self.fields)
        if clash:
            raise ValueError(f"record field(s) {sorted(clash)} would hide the common keys")


@dataclass(frozen=True)
class ScanOptions:
    examiner: str | None = None
    case_number: str | None = None
    timezone: str | None = None
    # Unlocks encrypted iTunes/Finder and Android backups; never stored, logged or shown.
    password: str | None = field(default=None, repr=False, compare=False)
    # Encrypts a case created by this scan (`casecrypt`); never stored, logged or shown.
    case_passphrase: str | None = field(default=None, repr=False, compare=False)
    # Search: the bundled packs, the user's YARA files/folders and keyword lists.
    bundled_rules: bool = True
    disabled_packs: tuple[str, ...] = ()  # bundled packs (by id) the examiner switched off
    rules: tuple[Path, ...] = ()
    keywords: tuple[Path, ...] = ()
    search: bool = True
    search_max_bytes: int = 64 * 1024**2  # files larger than this are not keyword-searched
    # Partitions the examiner leaves out: (evidence path, volume index) pairs, or ("*", index)
    # for every disk image of the scan. The image is still hashed whole.
    skip_volumes: tuple[tuple[str, str], ...] = ()
    # Parsers run in worker processes with these limits per file (seconds: a base, plus 1 s
    # per 2 MB of the file), generous because a legitimate database of a million messages must
    # never be cut short; memory is RLIMIT_DATA (POSIX only). `isolate` False runs parsers in
    # the scan's process (debugging).
    parse_seconds: float = 900.0
    parse_memory_mb: int | None = 2048
    isolate: bool = True


@dataclass
class ScanSummary:
    evidence: list[dict[str, Any]] = field(default_factory=list)
    files: int = 0
    bytes_hashed: int = 0
    artifacts: int = 0
    errors: list[str] = field(default_factory=list)
    status: str = "ok"  # ok | cancelled | failed
    seconds: float = 0.0

    @property
    def failed_evidence(self) -> list[dict[str, Any]]:
        return [e for e in self.evidence if e.get("status") != "ok"]
