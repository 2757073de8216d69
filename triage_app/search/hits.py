"""Keyword and YARA hits: yara-python matches as one `Hit` per physical occurrence, and the
text around a hit decoded for display.

What: `collect_hits` makes one `Hit` per matched string instance (its encoding named by the
string identifier as in `patterns.ENCODINGS`, or RAW for rules that are not keyword rules),
at most MAX_HITS; `dedupe` collapses the matches of one term in several encodings into one
hit per occurrence; `context` and `context_parts` decode the text around a hit in its
encoding, with controls and invisible characters shown as escapes.
"""

from __future__ import annotations

import bisect
import codecs
import itertools
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from triage_app.search.patterns import ENCODINGS

log = logging.getLogger(__name__)

RAW = "raw"  # hits of rule files that are not keyword rules
MAX_HITS = 100_000


@dataclass(frozen=True)
class Hit:
    rule: str
    pack: str
    term: str
    encoding: str  # a value of ENCODINGS, or RAW
    offset: int
    length: int


def collect_hits(matches: Iterable[Any], max_hits: int = MAX_HITS) -> list[Hit]:
    """One Hit per string instance of yara-python (4.3+) matches; at most `max_hits`."""
    hits: list[Hit] = []
    for match in matches:
        meta = match.meta
        pack = str(meta.get("pack", match.namespace))
        for string in match.strings:
            encoding = ENCODINGS.get(string.identifier, RAW)
            term = str(meta.get("term", string.identifier))
            for instance in string.instances:
                if len(hits) >= max_hits:
                    log.warning("more than %d keyword hits: the rest are not reported", max_hits)
                    return hits
                hits.append(
                    Hit(match.rule, pack, term, encoding, instance.offset, instance.matched_length)
                )
    return hits


_CLASS = {"utf-8": 0, "utf-16le": 1, "utf-16be": 1, "windows-1256": 2}


def _plausible(ch: str) -> bool:
    cp = ord(ch)
    return (
        (0x20 <= cp < 0x7F or ch in "\t\n\r")
        or 0xA0 <= cp <= 0x24F
        or cp in (0x060C, 0x061B, 0x061F)
        or 0x0621 <= cp <= 0x0652
        or 0x0660 <= cp <= 0x06D3
        or 0x06F0 <= cp <= 0x06F9
    )


def _fit(data: bytes, hit: Hit, units: int = 8) -> int:
    """Plausible UTF-16 characters running on from both ends of the hit (a NUL ends a run).

    Read one byte off, text turns into U+0620, CJK or controls where it meets a space, a
    Latin letter or the end of its string.
    """
    start, end = hit.offset, hit.offset + hit.length
    before = data[max(start - 2 * units, start % 2) : start].decode(hit.encoding, "replace")
    after = data[end : end + 2 * units].decode(hit.encoding, "replace")
    runs = (
        itertools.takewhile(_plausible, reversed(before)),
        itertools.takewhile(_plausible, after),
    )
    return sum(len(list(run)) for run in runs)


def _tier(hit: Hit, data: bytes | None) -> tuple[int, int, int]:
    utf16 = hit.encoding in ("utf-16le", "utf-16be")
    fit = _fit(data, hit) if data is not None and utf16 else 0
    return (_CLASS.get(hit.encoding, 3), -fit, hit.encoding == "utf-16be")


def _clash(hit: Hit, other: Hit) -> bool:
    overlap = other.offset < hit.offset + hit.length and hit.offset < other.offset + other.length
    return overlap and (other.encoding != hit.encoding or other.offset == hit.offset)


def _dedupe_rule(hits: list[Hit], data: bytes | None) -> list[Hit]:
    tiers: dict[tuple[int, int, int], list[Hit]] = {}
    for hit in set(hits):
        tiers.setdefault(_tier(hit, data), []).append(hit)
    longest = max(h.length for h in hits)
    kept: list[Hit] = []
    for key in sorted(tiers):
        starts = [k.offset for k in kept]
        fresh: list[Hit] = []
        for hit in sorted(tiers[key], key=lambda h: (h.offset, h.length)):
            lo = bisect.bisect_right(starts, hit.offset - longest)
            hi = bisect.bisect_left(starts, hit.offset + hit.length)
            near = kept[lo:hi] + fresh[-1:]
            if not any(_clash(hit, other) for other in near):
                fresh.append(hit)
        kept = sorted(kept + fresh, key=lambda h: h.offset)
    return kept


def dedupe(hits: Iterable[Hit], data: bytes | None = None) -> list[Hit]:
    """One hit per physical occurrence, sorted by offset.

    Hits of the same rule whose bytes overlap but whose encodings differ are one occurrence
    (a UTF-16LE run also matches the UTF-16BE pattern one byte earlier when the character
    before it is Arabic; ASCII is the same bytes in several encodings). The one kept is, in
    order: UTF-8 (its multi-byte structure is the strictest), then UTF-16 — the reading whose
    neighbouring code units decode to plausible text when `data` is given, else and on a tie
    UTF-16LE, the byte order of Windows, Android and iOS — then Windows-1256, which can
    decode almost any byte, then RAW hits. Hits of one encoding at different offsets are
    separate occurrences even when they overlap.
    """
    groups: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.pack, hit.rule), []).append(hit)
    kept = [h for group in groups.values() for h in _dedupe_rule(group, data)]
    return sorted(kept, key=lambda h: (h.offset, h.rule, h.encoding))


# --- display ------------------------------------------------------------------------------

_SHOWN_FORMAT = frozenset("\u200c\u200d")  # joiners shape Arabic and Persian text


def _safe(text: str) -> str:
    """Controls, direction overrides and other invisible characters as visible escapes."""
    if text.isprintable():  # the common case, checked in C: nothing to escape
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") and (
            ch not in _SHOWN_FORMAT
        ):
            cp = ord(ch)
            out.append(
                f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"
            )
        else:
            out.append(ch)
    return "".join(out)


def _decode(data: bytes, encoding: str) -> str:
    codec = encoding if encoding in _CLASS else "latin-1"  # RAW or unknown: one byte a char
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(data, final=False)


def context_parts(data: bytes, hit: Hit, chars: int = 40) -> tuple[str, str, str]:
    """(before, hit, after) decoded in the hit's encoding, each made safe for display."""
    width = {"utf-8": 4, "utf-16le": 2, "utf-16be": 2}.get(hit.encoding, 1)
    end = hit.offset + hit.length
    start = max(hit.offset - chars * width, hit.offset % width if width == 2 else 0)
    head = data[start : hit.offset]
    if hit.encoding == "utf-8":
        # Skip continuation bytes of a character cut by the window.
        head = head.lstrip(bytes(range(0x80, 0xC0)))
    before = _decode(head, hit.encoding)[-chars:]
    middle = _decode(data[hit.offset : end], hit.encoding)
    after = _decode(data[end : end + chars * width], hit.encoding)[:chars]
    return _safe(before), _safe(middle), _safe(after)


def context(data: bytes, hit: Hit, chars: int = 40) -> str:
    """The hit with about `chars` characters either side, decoded for display."""
    return "".join(context_parts(data, hit, chars))
