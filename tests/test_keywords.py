from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
import yara
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from triage_app.core.errors import QarinaError
from triage_app.search.arabic import is_arabic_letter
from triage_app.search.hits import Hit, collect_hits, context, context_parts, dedupe
from triage_app.search.keywords import Keyword, KeywordListError, compile_source, read_keywords
from triage_app.search.patterns import ENCODINGS, MAX_GAP

FILLER = b"\x00\x17 filler ~~ \xff\x00"


def _rules(*terms: str, pack: str = "test") -> yara.Rules:
    keywords = read_keywords("\n".join(terms).encode(), "test.txt")
    return yara.compile(source=compile_source(keywords, pack), error_on_warning=True)


def _found(rules: yara.Rules, data: bytes) -> list[tuple[str, str, int]]:
    hits = dedupe(collect_hits(rules.match(data=data)), data)
    return [(h.term, h.encoding, h.offset) for h in hits]


class Evidence:
    """Concatenated evidence bytes that remember where each planted occurrence starts."""

    def __init__(self) -> None:
        self.data = b""
        self.expected: list[tuple[str, str, int]] = []

    def add(self, blob: bytes, *planted: tuple[str, str, bytes]) -> None:
        """`planted`: (term, encoding, the bytes the hit starts with), in blob order."""
        pos = 0
        for term, encoding, start in planted:
            pos = blob.index(start, pos)
            self.expected.append((term, encoding, len(self.data) + pos))
            pos += 1
        self.data += blob + FILLER


def _sqlite_with_message(tmp_path: Path, body: str) -> bytes:
    path = tmp_path / "msgstore.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE messages (_id INTEGER PRIMARY KEY, key_remote_jid TEXT, data TEXT)")
    db.execute("INSERT INTO messages VALUES (1, '218912345678@s.whatsapp.net', 'salam')")
    db.execute("INSERT INTO messages VALUES (2, '218912345678@s.whatsapp.net', ?)", (body,))
    db.commit()
    db.close()
    return path.read_bytes()


# --- acceptance ---------------------------------------------------------------------------


def test_each_encoding_and_variant_is_found_once(tmp_path: Path) -> None:
    rules = _rules("القارب", "رحلة", "مستشفى", "٢٠٠٠ دينار")
    q, trip, hospital, price = "القارب", "رحلة", "مستشفى", "٢٠٠٠ دينار"
    ev = Evidence()
    db = _sqlite_with_message(tmp_path, "موعد القارب الليلة من زوارة")
    ev.add(db, (q, "utf-8", q.encode()))
    harakat = "الْقَارِبُ"
    ev.add(f"ركب {harakat} أمس".encode("utf-16le"), (q, "utf-16le", harakat.encode("utf-16le")))
    ev.add("وصل القارب".encode("utf-16be"), (q, "utf-16be", q.encode("utf-16be")))
    ev.add("خبر القارب اليوم".encode("cp1256"), (q, "windows-1256", q.encode("cp1256")))
    ev.add("القـــارب".encode(), (q, "utf-8", "ال".encode()))
    ev.add("إلقارب ٱلقارب".encode(), (q, "utf-8", "إ".encode()), (q, "utf-8", "ٱ".encode()))
    ev.add("رحله طويلة".encode(), (trip, "utf-8", "رحله".encode()))
    ev.add("مستشفي".encode("utf-16le"), (hospital, "utf-16le", "م".encode("utf-16le")))
    ev.add("الثمن 2000 دينار".encode(), (price, "utf-8", b"2000"))
    ev.add("الثمن ۲۰۰۰ دينار".encode("utf-16le"), (price, "utf-16le", "۲".encode("utf-16le")))
    ev.add("الثمن 2000 دينار".encode("cp1256"), (price, "windows-1256", b"2000"))
    # Lookalikes and near misses: Arabizi, another word, a space inside the word.
    ev.add(b"alqarib AL-QARIB el9arib " + "القوارب القار ب رحلات 200 دينار".encode())
    ev.add("alqarib القوارب".encode("utf-16le") + "القوارب".encode("utf-16be"))

    assert _found(rules, ev.data) == sorted(ev.expected, key=lambda f: f[2])


def test_latin_term_in_any_case_and_encoding_once_per_occurrence() -> None:
    rules = _rules("Passeur")
    ev = Evidence()
    ev.add(b"le PASSEUR a dit", ("Passeur", "utf-8", b"PASSEUR"))
    le = "un Passeur, un passeur".encode("utf-16le")
    ev.add(le, *[("Passeur", "utf-16le", w.encode("utf-16le")) for w in ("Passeur", "passeur")])
    ev.add(b"\xff\xff" + "x pAsSeUr".encode("utf-16be") + b"\xff")
    ev.expected.append(("Passeur", "utf-16be", ev.data.rindex("pAsSeUr".encode("utf-16be"))))
    # Between ASCII characters big-endian bytes also read as little-endian one byte later,
    # and nothing tells the two apart: the documented choice is UTF-16LE.
    ev.add("x pAsSeUr y".encode("utf-16be"), ("Passeur", "utf-16le", b"p"))
    ev.add(b"passer passe-ur pass eur " + "passer".encode("utf-16le"))
    assert _found(rules, ev.data) == ev.expected


def test_arabic_term_between_arabic_letters_in_utf16_is_one_hit() -> None:
    rules = _rules("مهرب")
    le = "والمهربين".encode("utf-16le")
    be = "والمهربين".encode("utf-16be")
    # Each physical occurrence matches the other byte order one byte off...
    assert len(collect_hits(rules.match(data=le))) == 2
    assert len(collect_hits(rules.match(data=be))) == 2
    # ...and dedupe keeps the reading that explains the bytes.
    assert _found(rules, le) == [("مهرب", "utf-16le", 6)]
    assert _found(rules, be) == [("مهرب", "utf-16be", 6)]


def test_eastern_digits_do_not_become_letters_in_utf16() -> None:
    # 61 06 is ١ but 41 06 is ف: a case-insensitive pattern would confuse them.
    rules = _rules("ab12")
    data = "ab١٢ ab12 abفق AB۱۲".encode("utf-16le")
    assert [f[2] for f in _found(rules, data)] == [0, 10, 30]


def test_marks_bounded_by_max_gap() -> None:
    rules = _rules("مهرب")
    assert _found(rules, ("م" + "\u0640" * MAX_GAP + "هرب").encode())
    assert not _found(rules, ("م" + "\u0640" * (MAX_GAP + 1) + "هرب").encode())
    assert _found(rules, "مّـَهـِرَّبٌ".encode("cp1256"))


# --- keyword lists ------------------------------------------------------------------------


def test_read_keywords_skips_comments_blanks_and_duplicates() -> None:
    data = (
        "\ufeff# smuggling vocabulary, to be reviewed\n"
        "  مهرب  \r\n"
        "\n"
        "مُهَرِّب\n"  # same normalised form: dropped
        "Passeur\n"
        "PASSEUR\n"
        "bateau   pneumatique\n"
        "C#\n"
    ).encode()
    keywords = read_keywords(data, "pack.txt")
    assert keywords == [
        Keyword("مهرب", "مهرب", 2),
        Keyword("Passeur", "passeur", 5),
        Keyword("bateau pneumatique", "bateau pneumatique", 7),
        Keyword("C#", "c#", 8),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"ok term\n\xff\xfe bad\n", "line 2: not valid UTF-8"),
        ("مهرب\nا\n".encode(), "line 2: 'ا' is shorter than 2"),
        ("مهرب\nًّ\n".encode(), "line 2"),
        (b"x" * 600 + b"\n", "line 1: longer than 512 bytes"),
        (("a" * 40 + "\n").encode(), "line 1: term longer than 32"),
        (b"ab\x01cd\n", "line 1: control or unassigned character U+0001"),
    ],
)
def test_read_keywords_refuses_bad_lines(data: bytes, message: str) -> None:
    with pytest.raises(KeywordListError, match=r"pack\.txt") as exc:
        read_keywords(data, "pack.txt")
    assert message in str(exc.value)
    assert isinstance(exc.value, QarinaError)


def test_read_keywords_names_every_bad_line() -> None:
    with pytest.raises(KeywordListError) as exc:
        read_keywords(b"a\nfine\nb\n\xc3\n", "x")
    assert all(f"line {n}" in str(exc.value) for n in (1, 3, 4))


def test_two_letter_term_without_good_atom_is_refused() -> None:
    # ج is byte 0xCC in Windows-1256, one of the bytes YARA rates as common.
    with pytest.raises(KeywordListError, match=r"line 1 'جو'.*windows-1256"):
        compile_source(read_keywords("جو".encode(), "x"), "p")
    for term in ("نجم", "حجز", "جواز"):
        assert compile_source(read_keywords(term.encode(), "x"), "p")


def _pairs(alphabet: str) -> list[str]:
    return [a + b for a in alphabet for b in alphabet]


@pytest.mark.slow
def test_short_terms_compile_without_warnings_or_are_refused() -> None:
    letters = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    refused = set()
    terms = _pairs(letters) + _pairs("abcdefghijklmnopqrstuvwxyz") + _pairs("0123456789")
    terms += [a + b for a in "az09" for b in "بجي"] + ["ابج", "جبج", "حجج", "a1b", "ب ج"]
    for n, term in enumerate(terms):
        try:
            # compile_source itself compiles with error_on_warning=True
            compile_source([Keyword(term, term, n + 1)], "p")
        except KeywordListError as exc:
            assert "too short to search quickly in windows-1256" in str(exc)
            refused.add(term)
    assert {t for t in terms if "ج" in t and len(t) == 2} <= refused
    assert all("ج" in t for t in refused) and "حجج" not in refused


def test_ascii_terms_have_no_windows_1256_string_but_accented_ones_do() -> None:
    source = compile_source(read_keywords("boat\ntraversée\nمهرب\n".encode(), "x"), "p")
    rules = source.split("\n\n")
    assert "$cp1256" not in rules[0] and "$utf16be" in rules[0]
    assert "$cp1256" in rules[1] and "$cp1256" in rules[2]
    assert set(ENCODINGS) == {"$utf8", "$utf16le", "$utf16be", "$cp1256"}
    assert set(ENCODINGS.values()) == {"utf-8", "utf-16le", "utf-16be", "windows-1256"}


HOSTILE = [
    'a"b',
    "a\\b",
    "a/b",
    "/ condition: true }",
    '"} rule evil { condition: true } //',
    ".*",
    "(a|b)",
    "[ab]",
    "x{1,2}",
    "\\x41\\x42",
    "a\x00b\x01c",
    "a\nb",
    "\u202ebad",
    "*/ rule z",
]


def test_hostile_terms_cannot_break_or_inject_rules() -> None:
    keywords = [Keyword(t, t, n) for n, t in enumerate(HOSTILE, start=1)]
    pack = 'p"; rule evil { condition: true } //'
    rules = yara.compile(source=compile_source(keywords, pack), error_on_warning=True)
    assert len(list(rules)) == len(HOSTILE)
    # YARA meta values are C strings: a NUL is kept as the visible text \\x00.
    shown = {t: t.replace("\0", "\\x00") for t in HOSTILE}
    assert {r.meta["term"] for r in rules} == set(shown.values())
    assert {r.meta["pack"] for r in rules} == {pack}
    # Each term matches itself literally, and its regex reading matches nothing.
    for term in HOSTILE:
        hits = collect_hits(rules.match(data=b"<" + term.encode() + b">"))
        assert {h.term for h in hits} == {shown[term]}, term
    assert not rules.match(data=b"a abab xx AB aab condition true")


# --- hits -------------------------------------------------------------------------------


def _hit(encoding: str, offset: int, length: int = 8, rule: str = "r") -> Hit:
    return Hit(rule, "p", "t", encoding, offset, length)


def test_dedupe_rules() -> None:
    le, be = _hit("utf-16le", 10), _hit("utf-16be", 9)
    assert dedupe([be, le]) == [le]  # both fit: LE
    u8, cp = _hit("utf-8", 40, 6), _hit("windows-1256", 41, 3)
    assert dedupe([cp, u8]) == [u8]  # UTF-8 over Windows-1256
    a, b = _hit("utf-8", 100, 4), _hit("utf-8", 102, 4)
    assert dedupe([b, a]) == [a, b]  # one encoding: separate occurrences
    assert dedupe([a, a, _hit("utf-8", 100, 4)]) == [a]  # exact duplicates
    other = _hit("utf-16be", 9, rule="s")
    assert dedupe([le, be, other]) == [other, le]  # rules do not interact
    far = _hit("utf-16be", 30)
    assert dedupe([le, far]) == [le, far]
    assert dedupe([]) == []


def test_collect_hits_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    rules = _rules("مهرب")
    data = "مهرب ".encode() * 50
    with caplog.at_level(logging.WARNING):
        hits = collect_hits(rules.match(data=data), max_hits=10)
    assert len(hits) == 10 and "more than 10" in caplog.text
    assert all(h.pack == "test" and h.rule.startswith("kw_test_") for h in hits)


def test_context_decodes_in_the_hit_encoding_and_shows_controls_safely() -> None:
    rules = _rules("مهرب")
    data = b"\xa9\xa9" + "قال \u202e\x07 المُهَرِّب\tغدا".encode() + b"\x00"
    (hit,) = dedupe(collect_hits(rules.match(data=data)))
    before, match, after = context_parts(data, hit, chars=6)
    assert match == "مُهَرِّب"
    assert before == " \\u202e\\x07 ال"
    assert after == "\\x09غدا\\x00"
    wide = "x" * 100 + "المهرب" + "y" * 100
    (hit,) = _found_hits(rules, wide.encode("utf-16be"))
    assert context(wide.encode("utf-16be"), hit, chars=5) == "xxxالمهربyyyyy"
    start = context(b"\xd9\x85\xd9\x87\xd8\xb1\xd8\xa8", Hit("r", "p", "t", "utf-8", 0, 8))
    assert start == "مهرب"
    raw = Hit("r", "p", "$a", "raw", 2, 3)
    assert context(b"\x00\x01abc\xe9\n", raw, chars=2) == "\\x00\\x01abcé\\x0a"


def _found_hits(rules: yara.Rules, data: bytes) -> list[Hit]:
    return dedupe(collect_hits(rules.match(data=data)), data)


def _marks_follow_letters(term: str) -> bool:
    letter = False
    for ch in term:
        if ch in "\u064e\u0640" and not letter:
            return False
        letter = is_arabic_letter(ch) or (letter and ch in "\u064e\u0640")
    return True


TERM_CHARS = "ابتجدهوزحطيكلمنسعفصقرشثخذضظغءأإآىةئؤ" + "abcXYZé" + "07٤۵" + " -'\u064e\u0640"


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=TERM_CHARS, min_size=2, max_size=12))
def test_any_term_finds_itself_once_in_each_encoding(term: str) -> None:
    # Harakat and tatweel are skipped where text has them: after an Arabic letter.
    assume(_marks_follow_letters(term))
    try:
        keywords = read_keywords(term.encode(), "x")
        rules = yara.compile(source=compile_source(keywords, "p"), error_on_warning=True)
    except KeywordListError:
        assume(False)
        return
    written = keywords[0].term
    for codec in ("utf-8", "utf-16le", "utf-16be", "windows-1256"):
        try:
            # Bytes before and after that no encoding reads as the neighbour of a character.
            data = b"\x01\xff\xfe" + written.encode(codec) + b"\xfe\xff\x01"
        except UnicodeEncodeError:
            continue
        found = _found(rules, data)
        folded = keywords[0].normalised
        same_as_utf8 = codec == "windows-1256" and folded.encode(codec) == folded.encode()
        assert found == [(written, "utf-8" if same_as_utf8 else codec, 3)], (codec, found)
