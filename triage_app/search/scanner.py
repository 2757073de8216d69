"""One compiled YARA rule set per scan: bundled and user packs, keyword lists compiled to
Arabic-aware rules, matched over file content (in the indexer's workers, on the bytes
already read for hashing) and over parsed record text.

Each pack is compiled on its own first, so a broken user rule file is reported and left
out instead of stopping the scan; the packs that compile are then compiled together (one
namespace per pack) and saved to the case's work folder, from where worker processes load
them. A file is matched with a time limit; a timeout or a YARA error is recorded on that
file and the scan goes on.

A `keyword_hit` is one physical occurrence: keyword rules match each term in several
encodings, and overlapping matches of one term are collapsed (`hits.dedupe`). For other
YARA rules each matching string instance is a hit. At most MAX_HITS_PER_RULE hits per rule
and file are listed: a term found thousands of times in one file says no more with each.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yara

from .. import __version__
from ..core.appdirs import cache_dir
from ..core.errors import CaseDBError
from .hits import RAW, Hit, collect_hits, context, dedupe
from .keywords import compile_source, read_keywords
from .packs import Pack, PackError, read_verified

DEFAULT_MAX_BYTES = 64 * 1024**2  # documents, mailboxes and app databases fit
DEFAULT_TIMEOUT_S = 20
MAX_HITS_PER_RULE = 100
CONTEXT_CHARS = 40


@dataclass(frozen=True)
class PackUse:
    """A pack as used by a scan: what the audit log and the report name."""

    pack: str
    version: str | None
    kind: str  # keywords | yara
    manifest_sha256: str | None
    files: list[dict[str, str]]
    source: str  # bundled | user
    error: str | None = None


@dataclass
class RuleSet:
    rules: yara.Rules
    path: Path  # the compiled rules, loaded by worker processes
    packs: list[PackUse]
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: int = DEFAULT_TIMEOUT_S
    terms: int = 0

    @property
    def spec(self) -> tuple[str, int, int]:
        """What a worker process needs to load the same rules."""
        return str(self.path), self.max_bytes, self.timeout_s


def _cache_dir() -> Path | None:
    """Where compiled keyword sources are kept between scans (they depend only on the pack
    files and this Qarina version); None when no writable place is known."""
    return cache_dir("rules")


def pack_sources(pack: Pack) -> tuple[dict[str, str], int]:
    """YARA sources of a pack (namespace → text) and its number of keyword terms. Keyword
    lists are compiled once per pack content and Qarina version, then read from the cache."""
    key = hashlib.sha256(
        json.dumps([__version__, pack.id, [(f.path, f.sha256) for f in pack.files]]).encode()
    ).hexdigest()
    cache = _cache_dir()
    cached = cache / f"{key}.json" if cache else None
    data = {item.path: read_verified(pack, item) for item in pack.files}
    if cached is not None and cached.is_file():
        try:
            stored = json.loads(cached.read_text(encoding="utf-8"))
            return dict(stored["sources"]), int(stored["terms"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # rebuilt below
    sources: dict[str, str] = {}
    terms = 0
    for number, item in enumerate(pack.files):
        namespace = f"{pack.id}__{number}"
        if item.type == "keywords":
            keywords = read_keywords(data[item.path], f"{pack.id}/{item.path}")
            terms += len(keywords)
            sources[namespace] = compile_source(keywords, pack.id)
        else:
            sources[namespace] = data[item.path].decode("utf-8")
    if cached is not None:
        with contextlib.suppress(OSError):
            cached.parent.mkdir(parents=True, exist_ok=True)
            temp = cached.with_suffix(".tmp")
            temp.write_text(json.dumps({"sources": sources, "terms": terms}), encoding="utf-8")
            temp.replace(cached)
    return sources, terms


def _use(pack: Pack, bundled: frozenset[str], error: str | None = None) -> PackUse:
    kind = "keywords" if all(f.type == "keywords" for f in pack.files) else "yara"
    files = [{"path": f.path, "sha256": f.sha256, "type": f.type} for f in pack.files]
    source = "bundled" if pack.id in bundled else "user"
    return PackUse(pack.id, pack.version, kind, pack.manifest_sha256, files, source, error)


def build_rules(
    packs: Sequence[Pack], workdir: Path, bundled: frozenset[str]
) -> tuple[RuleSet | None, list[PackUse]]:
    """Compile `packs` into one rule set saved under `workdir` (None when nothing compiles),
    and what became of each pack (its error when refused) — also when nothing compiled, so
    a refused keyword list is recorded and said, never silently not searched. All packs are
    compiled together first; only when that fails is each pack compiled on its own, to name
    and leave out the broken ones."""
    used: list[PackUse] = []
    per_pack: dict[str, tuple[dict[str, str], int]] = {}
    for pack in packs:
        try:
            per_pack[pack.id] = pack_sources(pack)
        except (PackError, UnicodeDecodeError, ValueError) as exc:
            used.append(_use(pack, bundled, str(exc)))
    try:
        good = {k: v for sources, _ in per_pack.values() for k, v in sources.items()}
        rules = yara.compile(sources=good) if good else None
    except yara.Error:
        for pack_id, (sources, _) in list(per_pack.items()):
            try:
                yara.compile(sources=sources)
            except yara.Error as exc:
                used.append(_use(next(p for p in packs if p.id == pack_id), bundled, str(exc)))
                del per_pack[pack_id]
        good = {k: v for sources, _ in per_pack.values() for k, v in sources.items()}
        rules = yara.compile(sources=good) if good else None
    used += [_use(p, bundled) for p in packs if p.id in per_pack]
    used.sort(key=lambda u: u.pack)
    if rules is None:
        return None, used
    digest = hashlib.sha256("\n".join(f"{k}\n{v}" for k, v in sorted(good.items())).encode())
    path = workdir / f"rules-{digest.hexdigest()[:16]}.yarc"
    _save(rules, path)
    terms = sum(count for _, count in per_pack.values())
    return RuleSet(rules, path, used, terms=terms), used


def _save(rules: Any, path: Path) -> None:
    """Write the compiled rules whole or not at all, under a temporary name then renamed.
    YARA serialises into memory first (a few MB): writing it ourselves turns a full disk into
    "No space left on device" instead of YARA's "internal error: 58"."""
    partial = path.with_name(path.name + ".partial")
    buffer = io.BytesIO()
    rules.save(file=buffer)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CaseDBError(f"compiled rules could not be saved in {path.parent}: {exc}") from exc


def _display_encoding(matched: bytes) -> str:
    """How to show the context of a YARA rule's match (the rule does not say): UTF-16 when
    every other byte is zero, UTF-8 when the bytes decode, else byte by byte."""
    if len(matched) >= 4 and matched[1::2].count(0) * 2 >= len(matched) // 2:
        return "utf-16le"
    if len(matched) >= 4 and matched[0::2].count(0) * 2 >= len(matched) // 2:
        return "utf-16be"
    try:
        matched.decode("utf-8")
    except UnicodeDecodeError:
        return RAW
    return "utf-8"


@dataclass
class ScanHit:
    """A hit ready to be stored: the keyword_hit fields minus target and target id."""

    rule: str
    pack: str
    keyword: str
    encoding: str | None
    offset: int
    length: int
    extra: dict[str, Any] = field(default_factory=dict)

    def fields(self, data: bytes, offset: int | None = None) -> dict[str, Any]:
        at = self.offset if offset is None else offset
        shown = self.encoding or _display_encoding(data[at : at + self.length])
        hit = Hit(self.rule, self.pack, self.keyword, shown, at, self.length)
        return {
            "rule": self.rule,
            "pack": self.pack,
            "keyword": self.keyword,
            "encoding": self.encoding,
            "offset": at,
            "context": context(data, hit, CONTEXT_CHARS),
            **self.extra,
        }

    def record_fields(self, data: bytes, offset: int, target_id: str) -> dict[str, Any]:
        """Fields of a hit in a record's text; `offset` counts characters, as the GUI
        highlights them."""
        fields = self.fields(data, offset)
        fields["offset"] = len(data[:offset].decode("utf-8", "replace"))
        return {**fields, "target": "record", "target_id": target_id}


def hits_from(matches: Sequence[yara.Match], data: bytes) -> list[ScanHit]:
    return _scan_hits(collect_hits(matches), data)


def _scan_hits(hits: list[Hit], data: bytes) -> list[ScanHit]:
    """One ScanHit per physical occurrence (`hits.dedupe`); at most MAX_HITS_PER_RULE
    per rule, the cap applied after collapsing the encodings of one occurrence."""
    per_rule: dict[tuple[str, str], int] = {}
    result: list[ScanHit] = []
    for h in dedupe(hits, data):
        key = (h.pack, h.rule)
        per_rule[key] = per_rule.get(key, 0) + 1
        if per_rule[key] <= MAX_HITS_PER_RULE:
            encoding = None if h.encoding == RAW else h.encoding
            result.append(
                ScanHit(h.rule, h.pack.split("__", 1)[0], h.term, encoding, h.offset, h.length)
            )
    return result


def record_hits(rules: RuleSet, buffer: bytes) -> list[ScanHit]:
    return hits_from(rules.rules.match(data=buffer, timeout=rules.timeout_s), buffer)


def scan_content(
    rules: yara.Rules,
    data: bytes,
    timeout_s: int,
    spans: Sequence[tuple[int, int]] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Hits in one file's content (keyword_hit fields without `target`), and an error text
    when YARA failed or timed out on it (with the hits of the parts matched before). With
    `spans` (`regions.text_spans`), only those parts of `data` are matched, each on its own;
    offsets stay those of the file."""
    found: list[Hit] = []
    error = None
    for start, end in spans if spans is not None else ((0, len(data)),):
        part = data if (start, end) == (0, len(data)) else data[start:end]
        try:
            matches = rules.match(data=part, timeout=timeout_s)
        except yara.TimeoutError:
            error = f"keyword scan stopped after {timeout_s} s (timeout)"
            break
        except yara.Error as exc:
            error = f"keyword scan failed: {exc}"
            break
        found += (replace(h, offset=h.offset + start) for h in collect_hits(matches))
    return [{**h.fields(data), "target_id": None} for h in _scan_hits(found, data)], error
