"""Searching a file's content while it is hashed: keyword/YARA hits and, for text files,
identifiers (phones, e-mails, URLs, wallets, IBANs).

The indexer reads every file once to hash it; files up to the rule set's size cap are kept
in memory for that moment and matched here, in the process that read them (a worker
process or the main one), so content search costs no second read. A worker loads the
compiled rules once from the case's work folder (`ContentSpec.rules_path`).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import yara

from .identifiers import find_identifiers
from .regions import text_spans
from .scanner import scan_content

TEXT_IDENTIFIERS_MAX = 8 * 1024**2  # larger text files are logs and dumps: keywords only
# Text that may hold an identifier: a phone written with "+", an e-mail, a URL (literals), or
# the shapes below. Only lines holding one of these go to the extractor: libphonenumber and
# the address regexes cost ~100 ms per MB of text in Python, str.find next to nothing, and
# most lines of logs, CSV and JSON hold none.
_LITERALS = ("+", "@", "://", "www.")
# Bare wallet addresses, IBANs and numbers dialled with 00 have no word around them in a
# ledger: their shapes are looked for directly (one regex pass, ~30 ms per MB).
_SHAPES = tuple(
    re.compile(pattern)  # separate patterns: each starts with a literal or a small class,
    for pattern in (  # which re scans for fast; one alternation of them is 3x slower
        r"(?:00|٠٠|۰۰)[1-9١-٩۱-۹][\d\s.-]{7,}",
        r"bc1[02-9ac-hj-np-z]{11,71}",
        r"0x[0-9a-fA-F]{40}",
        r"[13][1-9A-HJ-NP-Za-km-z]{25,34}",
        r"T[1-9A-HJ-NP-Za-km-z]{33}",
        r"[A-Z][A-Z]\d\d(?:\s?[0-9A-Z]{4}){3,}",
    )
)
MAX_TRIGGERED_CHARS = 256 * 1024
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/csv")


@dataclass(frozen=True)
class ContentSpec:
    """Everything a process needs to search content like the scan's main process."""

    rules_path: str | None
    max_bytes: int
    timeout_s: int
    regions: tuple[str, ...]
    # Every rule is a text rule (the bundled packs, keyword lists): photos and videos are
    # matched outside their compressed picture and sound data only (`regions.text_spans`).
    # A user's own YARA rules may test offsets, `filesize` or the picture data itself, so
    # with them every file is matched whole.
    text_rules_only: bool = False

    @property
    def keep(self) -> int:
        """How many bytes of a file to keep for searching (0: none)."""
        return max(self.max_bytes if self.rules_path else 0, TEXT_IDENTIFIERS_MAX)


@dataclass
class ContentResult:
    hits: list[dict[str, Any]] = field(default_factory=list)
    # (type, value, subtype, raw) of identifiers in a text file
    identifiers: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    error: str | None = None


_LOADED: dict[str, yara.Rules] = {}
# Results kept for reuse, most recent last: of files large enough for a search to cost more
# than the lookup, with few findings (copies are mostly media without any), at most this many
# entries (a few MB at worst).
_SEARCHED: OrderedDict[tuple[ContentSpec, str], ContentResult] = OrderedDict()
_REUSE_FROM = 16 * 1024
_REUSE_ITEMS = 16
_REUSE_ENTRIES = 2048


def _rules(path: str) -> yara.Rules:
    if path not in _LOADED:
        _LOADED[path] = yara.load(path)
    return _LOADED[path]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1256", "replace")


def _triggered(text: str) -> str:
    """The lines of `text` holding one of `_LITERALS`, at most MAX_TRIGGERED_CHARS."""
    spans: dict[int, int] = {}
    for literal in _LITERALS:
        pos = text.find(literal)
        while pos != -1:
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            spans[start] = end
            pos = text.find(literal, end)
    for shape in _SHAPES:
        for match in shape.finditer(text):
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            spans[start] = len(text) if end == -1 else end
    kept: list[str] = []
    size = 0
    for start in sorted(spans):
        kept.append(text[start : spans[start]])
        size += spans[start] - start + 1
        if size >= MAX_TRIGGERED_CHARS:
            break
    return "\n".join(kept)


def search_content(
    spec: ContentSpec, data: bytes | None, mime: str | None, sha256: str | None = None
) -> ContentResult:
    """Hits and identifiers in one file's content. A file whose SHA-256 this process has
    searched before with the same spec gets the earlier result (phones hold many copies of
    one photo, video or database: sent and received media, caches, backups)."""
    if data is None:
        return ContentResult()
    key = (spec, sha256) if sha256 is not None and len(data) >= _REUSE_FROM else None
    if key is not None and (earlier := _SEARCHED.get(key)) is not None:
        _SEARCHED.move_to_end(key)
        return earlier
    result = _search(spec, data, mime)
    if key is not None and len(result.hits) + len(result.identifiers) <= _REUSE_ITEMS:
        _SEARCHED[key] = result
        if len(_SEARCHED) > _REUSE_ENTRIES:
            _SEARCHED.popitem(last=False)
    return result


def _search(spec: ContentSpec, data: bytes, mime: str | None) -> ContentResult:
    result = ContentResult()
    if spec.rules_path and len(data) <= spec.max_bytes:
        spans = text_spans(data, mime) if spec.text_rules_only else None
        rules = _rules(spec.rules_path)
        result.hits, result.error = scan_content(rules, data, spec.timeout_s, spans)
    if mime and mime.startswith(_TEXT_TYPES) and len(data) <= TEXT_IDENTIFIERS_MAX:
        text = _triggered(_decode(data))
        # Files are not chats: a bare local number there is more often an ID or an amount.
        for found in find_identifiers(text, spec.regions, local_phones=False):
            subtype = getattr(found, "subtype", None)
            result.identifiers.append((found.type, found.value, subtype, found.raw))
    return result
