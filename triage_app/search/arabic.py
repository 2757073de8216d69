"""Arabic-aware text normalisation for keyword search and full-text indexing.

What: `normalise(text)` folds the spelling variants that Arabic writers use interchangeably
(and that keyboards, phones and apps produce for the same word) onto one form, so that one
search term finds them all:

- alef with hamza above/below, madda, wasla, wavy hamza and high hamza (أ إ آ ٱ ٲ ٳ ٵ) → ا
- alef maqsura ى, Farsi yeh ی and yeh with hamza ئ → ي; waw with hamza ؤ → و
- ta marbuta ة → ه; keheh ک (Persian keyboards) → ك
- harakat/tashkeel U+064B–U+065F and superscript alef U+0670 removed; tatweel U+0640 removed
- Arabic-Indic (U+0660–U+0669) and Persian/Urdu (U+06F0–U+06F9) digits → ASCII digits
- Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF, as extracted from PDFs) → the
  letters they show; invisible format characters (zero-width space/joiners, direction marks
  and embeddings, BOM, soft hyphen) removed, because a user cannot see or type them
- Latin text casefolded (str.casefold: "Passeur" → "passeur", "Straße" → "strasse")
- ۀ ۂ ۓ → ە ہ ے, the other letters Unicode composes with a hamza mark (see below).

Why ؤ → و and ئ → ي: the tashkeel removal above already drops U+0654 HAMZA ABOVE, and Unicode
decomposes ؤ as و + U+0654 and ئ as ي + U+0654. Text stored decomposed (NFD, as Apple file
systems store names) would therefore fold to و/ي while the same word stored composed would
not: mapping the precomposed letters keeps NFC and NFD input equal. It also matches how the
dialects are typed in chats (سايق for سائق, مسوول for مسؤول). The cost is precision only in
theory: no common word pair differs by the hamza seat alone.

Why: investigators type a term once; the evidence holds it with or without hamza, with
harakat, stretched by tatweel, with Eastern digits. Lucene's ArabicNormalizer does a subset
of this. camel-tools has equivalent functions but is an NLP suite with heavy dependencies,
pyarabic has had no release since 2022, and `keywords` also needs the inverse (`variants`)
to spell YARA patterns: the work is one `str.translate` with a table built once (about
2 µs for a 40-character message).

Limits: hamza on its own (ء) is kept, so شيء and شي stay distinct; مسئول and مسؤول fold to
different forms (ي vs و); no stemming or clitic removal (searching is by substring, so
والقارب still contains القارب); Latin accents are kept (é ≠ e); dialect letters ڤ ڨ گ are
kept as they are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

ALEF = "\u0627"
YEH = "\u064a"
WAW = "\u0648"
HEH = "\u0647"
KAF = "\u0643"
TATWEEL = "\u0640"

# Spelling variants folded onto the letter that is the key.
LETTER_VARIANTS: Mapping[str, str] = MappingProxyType(
    {
        ALEF: "\u0623\u0625\u0622\u0671\u0672\u0673\u0675",  # أ إ آ ٱ ٲ ٳ ٵ
        YEH: "\u0649\u06cc\u0626",  # ى ی ئ
        WAW: "\u0624",  # ؤ
        HEH: "\u0629",  # ة
        KAF: "\u06a9",  # ک
        # Persian/Urdu letters that Unicode decomposes into a base letter + hamza mark.
        "\u06d5": "\u06c0",  # ۀ → ە
        "\u06c1": "\u06c2",  # ۂ → ہ
        "\u06d2": "\u06d3",  # ۓ → ے
    }
)

# Harakat and the other combining marks of the Arabic block, then superscript alef.
MARKS = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"
# What may sit between two letters of a word without changing the word.
GAP_CHARS = MARKS + TATWEEL

ARABIC_INDIC_DIGITS = "".join(chr(0x0660 + d) for d in range(10))
PERSIAN_DIGITS = "".join(chr(0x06F0 + d) for d in range(10))

# Invisible characters a user cannot type into a search box.
_INVISIBLE = "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2060\u2066\u2067\u2068\u2069\ufeff"

_PRESENTATION_RANGES = ((0xFB50, 0xFE00), (0xFE70, 0xFF00))


def _base_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for letter, variants in LETTER_VARIANTS.items():
        for ch in variants:
            table[ord(ch)] = letter
    for ch in GAP_CHARS + _INVISIBLE:
        table[ord(ch)] = None
    for d in range(10):
        table[0x0660 + d] = str(d)
        table[0x06F0 + d] = str(d)
    return table


def _build_table() -> dict[int, str | None]:
    base = _base_table()
    table = dict(base)
    for start, stop in _PRESENTATION_RANGES:
        for cp in range(start, stop):
            ch = chr(cp)
            compat = unicodedata.normalize("NFKC", ch)
            if compat == ch:
                continue
            # Isolated forms of harakat decompose to a space plus the mark: drop both.
            folded = compat.translate(base).strip()
            table[cp] = folded or None
    # Identity entries for the rest of the Arabic block and Latin/Greek/Cyrillic: without them
    # str.translate raises and catches a LookupError for every unmapped character, which is
    # several times slower on Arabic text.
    for cp in range(0x0080, 0x0800):
        table.setdefault(cp, chr(cp))
    return table


_TABLE: dict[int, str | None] = _build_table()


def normalise(text: str) -> str:
    """Fold `text` to its search form (see the module docstring for the rules)."""
    if text.isascii():
        return text.casefold()
    return text.translate(_TABLE).casefold()


def is_arabic_letter(ch: str) -> bool:
    """True for a letter of the Arabic block (the characters harakat and tatweel attach to)."""
    return len(ch) == 1 and "\u0600" <= ch <= "\u06ff" and unicodedata.category(ch) == "Lo"


def variants(ch: str) -> tuple[str, ...]:
    """Every single character that `normalise` folds onto the normalised character `ch`.

    Covers the Arabic letter variants, the three digit forms and Latin upper/lower case;
    presentation forms and multi-character foldings (ß → ss) are not included.
    """
    found = {ch}
    found.update(LETTER_VARIANTS.get(ch, ""))
    if "0" <= ch <= "9":
        found.add(ARABIC_INDIC_DIGITS[int(ch)])
        found.add(PERSIAN_DIGITS[int(ch)])
    for other in (ch.upper(), ch.lower(), ch.title()):
        if len(other) == 1 and normalise(other) == ch:
            found.add(other)
    return tuple(sorted(found))
