"""Keyword lists compiled to YARA rules that find Arabic, French and English terms in raw bytes.

What: `read_keywords` reads a list (UTF-8, one term a line, `#` comments); `compile_source`
makes one rule per term (meta: pack, term, normalised, line) with one regex string per
encoding from `patterns.yara_strings`, and checks that YARA compiles it without a warning;
`rule_name` names the rules. How the regexes spell Arabic variants, harakat and YARA atoms,
and what they cannot match, is told in `patterns`; `hits` turns the matches into hits.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from triage_app.core.errors import QarinaError
from triage_app.search.arabic import normalise
from triage_app.search.patterns import yara_strings

# yara-python ships no type information; importing it by name keeps mypy's view of it `Any`
# whatever the project's mypy configuration says about missing stubs.
yara: Any = importlib.import_module("yara")

MIN_TERM_CHARS = 2
MAX_TERM_CHARS = 32
MAX_LINE_BYTES = 512
MAX_LIST_BYTES = 4 * 1024 * 1024
MAX_TERMS = 5000


class KeywordListError(QarinaError, ValueError):
    """A keyword list or one of its terms cannot be used; the message names the lines."""


@dataclass(frozen=True)
class Keyword:
    term: str  # as written in the list, trimmed
    normalised: str  # arabic.normalise(term) with inner whitespace collapsed
    line: int


def _fold(text: str) -> str:
    return " ".join(normalise(text).split())


def _check_line(raw: bytes, number: int) -> tuple[str | None, str | None]:
    """(term or None, problem or None) for one line of a list."""
    if len(raw) > MAX_LINE_BYTES:
        return None, f"line {number}: longer than {MAX_LINE_BYTES} bytes"
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        return None, f"line {number}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
    if not text or text.startswith("#"):
        return None, None
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn")]
    if bad:
        return None, f"line {number}: control or unassigned character U+{ord(bad[0]):04X}"
    folded = _fold(text)
    if len(folded) < MIN_TERM_CHARS:
        return None, f"line {number}: {text!r} is shorter than {MIN_TERM_CHARS} characters"
    if len(folded) > MAX_TERM_CHARS:
        return None, f"line {number}: term longer than {MAX_TERM_CHARS} characters"
    return " ".join(text.split()), None


def read_keywords(data: bytes, source: str) -> list[Keyword]:
    """Parse a keyword list; duplicates by normalised form are dropped (the first is kept).

    Raises KeywordListError naming `source` and every bad line (up to 20).
    """
    if len(data) > MAX_LIST_BYTES:
        raise KeywordListError(f"{source}: keyword list larger than {MAX_LIST_BYTES} bytes")
    data = data.removeprefix(codecs.BOM_UTF8)
    keywords: list[Keyword] = []
    seen: set[str] = set()
    problems: list[str] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        term, problem = _check_line(raw, number)
        if problem:
            problems.append(problem)
        if term is None or _fold(term) in seen:
            continue
        seen.add(_fold(term))
        keywords.append(Keyword(term, _fold(term), number))
    if len(keywords) > MAX_TERMS:
        problems.append(f"more than {MAX_TERMS} terms")
    if problems:
        raise KeywordListError(f"{source}: {_listed(problems)}")
    return keywords


def _listed(problems: Sequence[str], shown: int = 20) -> str:
    more = f" (and {len(problems) - shown} more)" if len(problems) > shown else ""
    return "; ".join(problems[:shown]) + more


# --- rule source --------------------------------------------------------------------------


def _text(value: str) -> str:
    """A YARA text string literal holding `value` (UTF-8), safe whatever `value` contains.

    YARA keeps meta values as C strings, so a NUL is written as the visible text \\x00.
    """
    out = []
    for ch in value:
        if " " <= ch <= "~" and ch not in '"\\':
            out.append(ch)
        elif ch == "\0":
            out.append("\\\\x00")
        else:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
    return '"' + "".join(out) + '"'


def rule_name(pack: str, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", pack.lower()).strip("_")[:40] or "pack"
    digest = hashlib.sha256(pack.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"kw_{slug}_{digest}_{index:05d}"


def _rule(keyword: Keyword, pack: str, index: int) -> str:
    strings = yara_strings(keyword.normalised)
    if not strings:
        raise ValueError("no supported encoding can spell it")
    lines = [
        f"rule {rule_name(pack, index)} : keyword {{",
        "  meta:",
        f"    pack = {_text(pack)}",
        f"    term = {_text(keyword.term)}",
        f"    normalised = {_text(keyword.normalised)}",
        f"    line = {int(keyword.line)}",
        "  strings:",
        *(f"    {string}" for string in strings),
        "  condition:",
        "    any of them",
        "}",
    ]
    return "\n".join(lines)


def compile_source(keywords: Sequence[Keyword], pack: str) -> str:
    """YARA source with one rule per keyword, checked to compile without any warning.

    Raises KeywordListError naming each term that cannot be compiled into a fast rule.
    """
    rules: list[str] = []
    problems: list[str] = []
    for index, keyword in enumerate(keywords):
        try:
            rules.append(_rule(keyword, pack, index))
        except ValueError as exc:
            problems.append(f"line {keyword.line} {keyword.term!r}: {exc}")
    if problems:
        raise KeywordListError(f"pack {pack!r}: {_listed(problems)}")
    source = "\n\n".join(rules) + "\n"
    try:
        yara.compile(source=source, error_on_warning=True)
    except yara.Error:
        # Only to name the culprits: the per-term builder should never get here.
        bad = [k for k, r in zip(keywords, rules, strict=True) if not _compiles(r)]
        names = ", ".join(f"line {k.line} {k.term!r}" for k in bad[:20]) or "the pack"
        raise KeywordListError(f"pack {pack!r}: YARA refuses {names}") from None
    return source


def _compiles(source: str) -> bool:
    try:
        yara.compile(source=source, error_on_warning=True)
    except yara.Error:
        return False
    return True
