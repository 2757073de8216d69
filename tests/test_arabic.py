from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage_app.search.arabic import (
    GAP_CHARS,
    MARKS,
    TATWEEL,
    is_arabic_letter,
    normalise,
    variants,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # alef with hamza above/below, madda, wasla, wavy hamza, high hamza
        ("أ", "ا"),
        ("إ", "ا"),
        ("آ", "ا"),
        ("ٱ", "ا"),
        ("\u0672", "ا"),
        ("\u0673", "ا"),
        ("\u0675", "ا"),
        ("إلى", "الي"),  # alef maqsura → ya
        ("مستشفی", "مستشفي"),  # Farsi yeh
        ("سائق", "سايق"),  # yeh with hamza
        ("مسؤول", "مسوول"),  # waw with hamza
        ("رحلة", "رحله"),  # ta marbuta → ha
        ("کتاب", "كتاب"),  # keheh → kaf
        ("مُهَرِّبٌ", "مهرب"),  # harakat
        ("مـــهرب", "مهرب"),  # tatweel
        ("\u0647\u0670\u0630\u0627", "هذا"),  # superscript alef
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("PASSEUR Passeur", "passeur passeur"),
        ("Straße", "strasse"),
        ("Traversée", "traversée"),  # accents are kept
        ("ﻣﻬﺮﺏ", "مهرب"),  # presentation forms, as text extracted from a PDF
        ("ﻻ", "لا"),  # lam-alef ligature
        ("ﷲ", "الله"),
        ("ﻷ", "لا"),  # lam + alef with hamza
        ("a\ufe70b", "ab"),  # isolated fathatan form
        ("مه\u200cرب\u200f", "مهرب"),  # zero-width non-joiner, right-to-left mark
        ("\ufeffمهرب", "مهرب"),  # BOM / zero-width no-break space
        ("شيء", "شيء"),  # lone hamza is kept
        ("ڤيزا", "ڤيزا"),  # dialect letters are kept
        ("", ""),
    ],
)
def test_normalise_table(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_every_mark_and_tatweel_is_removed() -> None:
    for ch in GAP_CHARS:
        assert normalise(f"م{ch}ه") == "مه", f"U+{ord(ch):04X}"
    assert len(MARKS) == 22 and TATWEEL in GAP_CHARS


def test_composed_and_decomposed_arabic_fold_the_same() -> None:
    # Apple file systems store names decomposed: أ is ا + U+0654 there.
    for cp in range(0x0600, 0x0700):
        ch = chr(cp)
        assert normalise(unicodedata.normalize("NFD", ch)) == normalise(ch), f"U+{cp:04X}"


@given(st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=30))
def test_nfc_nfd_property(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert normalise(nfc) == normalise(nfd)


@given(st.text(max_size=40))
def test_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


def test_ascii_fast_path_matches_translate_path() -> None:
    assert normalise("Hawala 2000") == normalise("Hawala ٢٠٠٠") == "hawala 2000"


def test_variants() -> None:
    assert set(variants("ا")) == set("اأإآٱ\u0672\u0673\u0675")
    assert set(variants("ي")) == set("يىیئ")
    assert set(variants("ه")) == {"ه", "ة"}
    assert set(variants("و")) == {"و", "ؤ"}
    assert variants("1") == ("1", "١", "۱")
    assert variants("a") == ("A", "a")
    assert variants("é") == ("É", "é")
    assert variants("م") == ("م",)
    # every variant folds back onto the character it is a variant of
    for ch in "ايهوك0123456789ae":
        assert all(normalise(v) == ch for v in variants(ch))


def test_is_arabic_letter() -> None:
    assert is_arabic_letter("م") and is_arabic_letter("ڤ")
    assert not is_arabic_letter("\u064e")  # fatha
    assert not is_arabic_letter(TATWEEL)
    assert not is_arabic_letter("١") and not is_arabic_letter("a") and not is_arabic_letter("مه")
