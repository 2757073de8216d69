"""YARA regex strings that find one keyword in raw bytes, in each encoding it can be in.

What: `yara_strings` takes a normalised term (`arabic.normalise`) and returns one regex
string definition per encoding, named as in `ENCODINGS` ($utf8, $utf16le, $utf16be,
$cp1256; none for an encoding that cannot spell the term, and no $cp1256 when its bytes
are the UTF-8 ones); `keywords.compile_source` puts them into one rule per term.

Why the bytes are spelled out: YARA's `wide` is UTF-16LE of ASCII only, and `nocase` folds
every byte A-Z/a-z, so on UTF-16 it would also fold Arabic code units (ل is 44 06, ٤ is
64 06; ف is 41 06, ١ is 61 06). Each character of the normalised term (`arabic.normalise`)
becomes the alternation of its variants' bytes (ا أ إ آ ٱ ..., ي ى ی ئ, ه ة, 1 ١ ۱, a A), and
after each Arabic letter up to MAX_GAP harakat or tatweels may follow: stacked marks are at
most three (shadda, vowel, a decomposed hamza) and kashida stretching adds a few tatweels;
the bound keeps YARA's work per candidate small. Latin case is spelled out too: against
`nocase` regexes it measured the same within noise, and one way works in every encoding.

Atoms: YARA looks for candidates through literal atoms of up to 4 bytes and warns (an error
here) when a string's best atom is poor. Marks between letters break every literal run and a
Windows-1256 letter is one byte, so each string gets an anchor: two adjacent characters (or
a run of three or four without marks) spelled out as literal alternatives, without a mark
between them and with the first or last mark inside the atom. The anchor is chosen for
YARA's quality rating, then for atoms of more and rarer characters (not ال), then for
fewer alternatives. A term that no anchor gives a good atom (a two-letter term with ج, byte
0xCC in Windows-1256) or whose regex would pass YARA's limits (about 128 alternatives,
8 KiB) is refused (ValueError with the reason) rather than compiled into a slow rule.

Limits: terms match as substrings (القارب inside والقارب, boat inside lifeboat); a space in a
term matches one U+0020; presentation forms and invisible characters inside a word are not
matched in raw bytes (they are in parsed text, via `normalise`); Windows-1256 has no Eastern
digits and no ی; a letter that folds to two (ß → ss) matches only the folded spelling; YARA
ends a regex match after 4 KiB and keeps at most 1,000,000 matches per string.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from triage_app.search.arabic import GAP_CHARS, is_arabic_letter, variants

ENCODINGS: Mapping[str, str] = MappingProxyType(
    {"$utf8": "utf-8", "$utf16le": "utf-16le", "$utf16be": "utf-16be", "$cp1256": "windows-1256"}
)
MAX_GAP = 8

_ATOM_THRESHOLD = 213  # YARA warns "may slow down scanning" below this atom quality
_GOOD_ENOUGH = 230  # about three good bytes: longer atoms are not worth more branches
_MAX_ANCHOR_BRANCHES = 96
_MAX_SPLITS = 120  # YARA refuses a regex with more than ~128 alternations/repetitions
_MAX_REGEX_CHARS = 8000  # YARA's lexer holds one regex in an 8 KiB buffer
_COMMON_BYTES = frozenset(b"\x00\x20\xcc\xff")
_REPEATED_BYTES = frozenset(b"\x00\x20\x90\xcc\xff")
# Rough letter frequency per script, most common first: the anchor avoids pairs such as ال.
_FREQUENT = ("اليمونهرتبعدسفكقحجشطصزخضثغذظ", "eaisntrulodcpmvhgfbqjxyzkw")


@functools.lru_cache(maxsize=4096)
def _lit(data: bytes) -> str:
    # Only ASCII letters and digits are written as themselves: every other byte is escaped,
    # so no term can close the regex, add a modifier or inject rule source.
    return "".join(chr(b) if chr(b).isascii() and chr(b).isalnum() else f"\\x{b:02x}" for b in data)


def _class(values: Iterable[int]) -> str:
    ordered = sorted(set(values))
    runs: list[list[int]] = []
    for v in ordered:
        if runs and v == runs[-1][1] + 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    body = "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}" for a, b in runs)
    return f"[{body}]"


def _common_prefix(items: Sequence[bytes]) -> bytes:
    first, last = min(items), max(items)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _alt(options: Iterable[bytes]) -> str:
    """Regex for any one of `options` (prefix-free byte strings), factored for speed."""
    return _alt_sorted(tuple(sorted(set(options))))


@functools.lru_cache(maxsize=4096)
def _alt_sorted(options: tuple[bytes, ...]) -> str:
    if len(options) == 1:
        return _lit(options[0])
    prefix = _common_prefix(options)
    rest = [o[len(prefix) :] for o in options]
    suffix = _common_prefix([r[::-1] for r in rest])[::-1]
    mids = [r[: len(r) - len(suffix)] for r in rest]
    if all(len(m) == 1 for m in mids):
        core = _class(m[0] for m in mids)
    elif any(not m for m in mids):
        core = "(" + "|".join(_lit(m) for m in mids if m) + ")?"
    else:
        groups: dict[int, list[bytes]] = {}
        for m in mids:
            groups.setdefault(m[0], []).append(m[1:])
        parts = [
            _lit(bytes([b])) + (_alt(tails) if tails != [b""] else "")
            for b, tails in groups.items()
        ]
        core = parts[0] if len(parts) == 1 else "(" + "|".join(parts) + ")"
    return _lit(prefix) + core + _lit(suffix)


@functools.lru_cache(maxsize=65536)
def _quality(atom: bytes) -> int:
    """YARA 4.5's heuristic quality (libyara/atoms.c) of the best 4-byte window of `atom`."""
    best = 0
    for start in range(max(1, len(atom) - 3)):
        window = atom[start : start + 4]
        q = sum(
            12 if b in _COMMON_BYTES else 18 if chr(b).isascii() and chr(b).isalpha() else 20
            for b in window
        )
        unique = set(window)
        if len(unique) == 1 and window[0] in _REPEATED_BYTES:
            q -= 10 * len(window)
        else:
            q += 2 * len(unique)
        best = max(best, 255 - 80 + q)
    return best


@dataclass(frozen=True)
class _Unit:
    options: tuple[bytes, ...]  # the encoded variants of one normalised character
    gap_after: bool  # an Arabic letter that is not the last: harakat/tatweel may follow
    rank: int  # higher = rarer in text


def _rank(ch: str) -> int:
    if ch.isspace() or ch.isdigit():
        return 0  # in every text and table
    return next((s.find(ch) for s in _FREQUENT if ch in s), 30)


def _units(normalised: str, codec: str) -> list[_Unit] | None:
    """One unit per character of the term; None when `codec` cannot spell one of them."""
    units: list[_Unit] = []
    for i, ch in enumerate(normalised):
        options = set()
        for v in variants(ch):
            try:
                options.add(v.encode(codec))
            except UnicodeEncodeError:
                continue
        if not options:
            return None
        last = i == len(normalised) - 1
        units.append(_Unit(tuple(sorted(options)), is_arabic_letter(ch) and not last, _rank(ch)))
    return units


@functools.lru_cache(maxsize=16)
def _gap_bytes(codec: str) -> tuple[bytes, ...]:
    out = []
    for ch in GAP_CHARS:
        try:
            out.append(ch.encode(codec))
        except UnicodeEncodeError:
            continue
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _gap(codec: str, count: int) -> str:
    return f"({_alt(_gap_bytes(codec))}){{0,{count}}}" if count > 0 else ""


# An atom is a literal made of parts: (bytes of one character, its rarity) or (a byte shared
# by many characters, None). YARA searches for at most 4 bytes of it.
_Part = tuple[bytes, int | None]
_Atom = tuple[_Part, ...]
_MARK_RANK = 30  # harakat are rare in chat and document text
_Form = tuple[list[_Atom], Callable[[], str]]  # atoms, and the regex they start
_Branch = tuple[_Atom, str]  # atom, regex for the rest of the anchor
_Score = tuple[int, int, int, int]
_Anchor = tuple[_Score, Callable[[], str], int, int]  # score, regex, first, end unit


def _either(atoms: Sequence[_Atom]) -> str:
    # Kept as literal alternatives, never merged into a class: each must stay a YARA atom.
    return "(" + "|".join(_lit(b"".join(d for d, _ in atom)) for atom in atoms) + ")"


def _gap_forms(a: _Unit, b: _Unit, codec: str) -> list[_Form]:
    """Ways to spell "a, one or more marks, b" so that the marks start or end an atom."""
    marks = _gap_bytes(codec)
    more = _gap(codec, MAX_GAP - 1)
    head = _common_prefix(marks)
    tail = _common_prefix([m[::-1] for m in marks])[::-1]
    left: list[_Atom] = [((x, a.rank), (g, _MARK_RANK)) for x in a.options for g in marks]
    right: list[_Atom] = [((g, _MARK_RANK), (y, b.rank)) for g in marks for y in b.options]
    forms: list[_Form] = [
        (left, lambda: _either(left) + more + _alt(b.options)),
        (right, lambda: _alt(a.options) + more + _either(right)),
    ]
    if head:  # UTF-8 and UTF-16BE: every mark starts with the same byte
        heads: list[_Atom] = [((x, a.rank), (head, None)) for x in a.options]
        after = _alt(m[len(head) :] for m in marks) + more + _alt(b.options)
        forms.append((heads, lambda: _either(heads) + after))
    if tail:  # UTF-16LE: every mark ends with the same byte
        tails: list[_Atom] = [((tail, None), (y, b.rank)) for y in b.options]
        before = _alt(a.options) + more + _alt(m[: len(m) - len(tail)] for m in marks)
        forms.append((tails, lambda: before + _either(tails)))
    return forms


@functools.lru_cache(maxsize=65536)
def _atom_score(atom: _Atom) -> tuple[int, int, int]:
    """(YARA quality, whole characters YARA's 4 bytes cover, their rarity)."""
    best = (0, 0)
    for i in range(len(atom)):
        size, chars, rarity = 0, 0, 0
        for data, rank in atom[i:]:
            size += len(data)
            if size > 4:
                break
            chars, rarity = (chars + 1, rarity + rank) if rank is not None else (chars, rarity)
        best = max(best, (chars, rarity))
    return _quality(b"".join(data for data, _ in atom)), best[0], best[1]


def _worst(atoms: Sequence[_Atom]) -> tuple[int, int, int]:
    scores = [_atom_score(atom) for atom in atoms]
    quality, chars, rarity = (min(column) for column in zip(*scores, strict=True))
    return quality, chars, rarity


def _score(*groups: Sequence[_Atom]) -> _Score:
    """Good atoms first (YARA's rule), then atoms of more and rarer characters, then fewer."""
    quality, chars, rarity = map(min, zip(*(_worst(g) for g in groups if g), strict=True))
    bucket = 2 if quality >= _GOOD_ENOUGH else 1 if quality >= _ATOM_THRESHOLD else 0
    return bucket, chars, rarity, -sum(map(len, groups))


def _or(plain: list[_Atom], spell: Callable[[], str]) -> str:
    return f"({_either(plain)}|{spell()})"


def _pairs(units: Sequence[_Unit], i: int, codec: str) -> list[_Anchor]:
    """Units i and i+1 spelled out, with and without marks between them, in every form."""
    a, b = units[i], units[i + 1]
    plain: list[_Atom] = [((x, a.rank), (y, b.rank)) for x in a.options for y in b.options]
    if not a.gap_after:
        return [(_score(plain), lambda: _either(plain), i, i + 2)]
    return [
        (_score(plain, atoms), functools.partial(_or, plain, spell), i, i + 2)
        for atoms, spell in _gap_forms(a, b, codec)
        if len(plain) + len(atoms) <= _MAX_ANCHOR_BRANCHES
    ]


def _rest(units: Sequence[_Unit], k: int, end: int, codec: str) -> str:
    """Regex for units[k:end], each after the marks its predecessor may carry."""
    parts = []
    for m in range(k, end):
        if units[m - 1].gap_after:
            parts.append(_gap(codec, MAX_GAP))
        parts.append(_alt(units[m].options))
    return "".join(parts)


def _expand(units: Sequence[_Unit], k: int, end: int, atom: _Atom, codec: str) -> list[_Branch]:
    """Branches spelling units[k:end] after `atom`, which grows until YARA rates it good."""
    if k == end or _quality(b"".join(d for d, _ in atom)) >= _GOOD_ENOUGH:
        return [(atom, _rest(units, k, end, codec))]
    unit = units[k]
    out = [
        b for x in unit.options for b in _expand(units, k + 1, end, (*atom, (x, unit.rank)), codec)
    ]
    if units[k - 1].gap_after:
        more = _gap(codec, MAX_GAP - 1) + _alt(unit.options) + _rest(units, k + 1, end, codec)
        out += [((*atom, (g, _MARK_RANK)), more) for g in _gap_bytes(codec)]
    return out


def _window(units: Sequence[_Unit], i: int, size: int, codec: str) -> _Anchor | None:
    """Units i .. i+size-1 spelled out from the left until each branch has a good atom."""
    window = units[i : i + size]
    marks = len(_gap_bytes(codec))
    if len(window) < size or math.prod(len(u.options) + marks * u.gap_after for u in window) > 4096:
        return None
    by_rest: dict[str, list[_Atom]] = {}
    for x in window[0].options:
        for atom, rest in _expand(units, i + 1, i + size, ((x, window[0].rank),), codec):
            by_rest.setdefault(rest, []).append(atom)
    atoms = [atom for group in by_rest.values() for atom in group]
    if len(atoms) > _MAX_ANCHOR_BRANCHES:
        return None
    spell = "|".join(_either(group) + rest for rest, group in by_rest.items())
    return _score(atoms), lambda: f"({spell})", i, i + size


def _assemble(units: Sequence[_Unit], codec: str, anchor: _Anchor) -> str:
    _, spell, first, end = anchor
    parts = []
    for i, unit in enumerate(units):
        if i == first:
            parts.append(spell())
        elif not first < i < end:
            parts.append(_alt(unit.options))
        if unit.gap_after and not first <= i < end - 1:
            parts.append(_gap(codec, MAX_GAP))
    return "".join(parts)


def _regex(units: Sequence[_Unit], codec: str) -> str:
    """The regex body for one term in one encoding; raises ValueError with the reason."""
    found = [a for i in range(len(units) - 1) for a in _pairs(units, i, codec)]
    if max((a[0][0] for a in found), default=0) < 2:
        # Longer runs only where a pair gives no 3-byte atom (Latin in UTF-8, Windows-1256).
        windows = (_window(units, i, n, codec) for n in (3, 4) for i in range(len(units)))
        found += [w for w in windows if w is not None]
    candidates = sorted((a for a in found if a[0][0] > 0), key=lambda a: a[0], reverse=True)
    if not candidates:
        raise ValueError(f"too short to search quickly in {codec}; use a longer term")
    for anchor in candidates:
        body = _assemble(units, codec, anchor)
        if body.count("|") + body.count("{0,") <= _MAX_SPLITS and len(body) <= _MAX_REGEX_CHARS:
            return body
    raise ValueError(f"too complex for a YARA regex in {codec}; use a shorter term")


def yara_strings(normalised: str) -> list[str]:
    """YARA string definitions, one per encoding that can spell the normalised term."""
    out: list[str] = []
    for identifier, codec in ENCODINGS.items():
        if codec == "windows-1256" and _same_as_utf8(normalised):
            continue
        units = _units(normalised, codec)
        if units is not None:
            out.append(f"{identifier} = /{_regex(units, codec)}/")
    return out


def _same_as_utf8(normalised: str) -> bool:
    try:
        return normalised.encode("windows-1256") == normalised.encode("utf-8")
    except UnicodeEncodeError:
        return False
