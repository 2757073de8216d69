"""Property-based fuzzing of the keyword compiler and the decoders parsers share (issue 8).

- Keyword lists (`keywords.read_keywords` + `compile_source`, and the scan's path through
  `packs.user_pack` + `scanner.build_rules`): hostile files (regex and YARA metacharacters,
  very long lines and terms, NUL and other controls, invalid UTF-8, every line-break byte,
  Arabic with harakat and tatweel, hostile pack names) are either refused with
  KeywordListError naming the lines, or compile without a YARA warning into rules of which
  each finds its own normalised term; the scan path never raises. 100,000 terms are refused
  in bounded time.
- `identifiers.find_identifiers` on random text, short and past the 64 Ki window: sorted,
  non-overlapping, `raw` is the text at the offsets, values normalised as documented.
- `arabic.normalise` is idempotent on text rich in the characters it folds.
- `tables.escape_controls` leaves no C0/C1 control (but TAB and LF), bidi embedding,
  override or isolate, nor lone surrogate.
- `tlwire`: any bytes give a value or TLError, never another exception; strings round-trip.
- `keyed_archive`: archives with cyclic, dangling and self UIDs, wrong types where numbers or
  strings belong and non-string keys give a value or ArchiveError, in bounded work.
Same bounds as the parser fuzzing (`fuzzing.FUZZ`).
"""

from __future__ import annotations

import contextlib
import itertools
import plistlib
import re
import sqlite3
import struct
import tempfile
import unicodedata
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yara
from fuzz_inputs import HOSTILE_TEXT
from fuzzing import FUZZ, HANG_S, STATS, known, time_limit
from hypothesis import example, given, settings
from hypothesis import strategies as st

from triage_app.core.keyed_archive import ArchiveError, KeyedArchive, unarchive
from triage_app.core.tlwire import TLError, TLReader, string_at
from triage_app.report.tables import escape_controls
from triage_app.sample.tl import tl_string
from triage_app.search.arabic import GAP_CHARS, normalise
from triage_app.search.identifiers import find_identifiers, normalise_phone
from triage_app.search.keywords import (
    MAX_TERM_CHARS,
    MIN_TERM_CHARS,
    KeywordListError,
    compile_source,
    read_keywords,
    rule_name,
)
from triage_app.search.packs import user_pack
from triage_app.search.scanner import build_rules

# --- keyword lists ----------------------------------------------------------------------------

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآىةئؤ"
ARABIC_WORD = st.lists(
    st.tuples(st.sampled_from(ARABIC_LETTERS), st.text(alphabet=GAP_CHARS, max_size=3)),
    min_size=1,
    max_size=12,
).map(lambda parts: "".join(letter + marks for letter, marks in parts))
TERM = st.one_of(
    ARABIC_WORD,
    st.sampled_from(HOSTILE_TEXT),
    st.text(alphabet="/\\.*+?()[]{}|^$\"'`-#:;%@!&=<>~, \t", min_size=1, max_size=40),
    st.text(max_size=40),
    st.text(min_size=33, max_size=600),  # past the term and line limits
    st.builds(lambda a, b: f"{a} {b}", ARABIC_WORD, st.sampled_from(("passeur", "Boat", "٢٠٠٠"))),
)
LINE = st.one_of(
    TERM.map(lambda t: t.encode("utf-8", "surrogatepass")),  # a lone surrogate: invalid UTF-8
    st.binary(max_size=40),
    st.sampled_from((b"# comment", b"", b"\xef\xbb\xbf", b"\x00", b"\xc3", b"\xff\xfe")),
)
BREAK = st.sampled_from(
    (b"\n", b"\r\n", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x85")
)
PLAUSIBLE = st.one_of(  # terms a list may well hold: these should compile
    ARABIC_WORD,
    st.text(alphabet="/\\.*+?()[]{}|^$\"'`-#:;%@!&=<>~", min_size=2, max_size=12),
    st.text(alphabet=st.characters(categories=("L", "N")), min_size=2, max_size=20),
)
KEYWORD_FILE = st.one_of(
    st.lists(st.tuples(LINE, BREAK), max_size=25).map(lambda ls: b"".join(a + b for a, b in ls)),
    st.lists(PLAUSIBLE, min_size=1, max_size=15).map(lambda ts: "\n".join(ts).encode()),
)
PACK_NAME = st.sampled_from(("p", 'a"b\\c', "\u202ename\x00", "باقة", "x" * 300)) | st.text(
    max_size=20
)


def compiled_rules(data: bytes, pack: str) -> tuple[list[Any], Any] | None:
    """(keywords, compiled rules) of the list `data`, or None when it is refused cleanly."""
    try:
        keywords = read_keywords(data, "fuzz.txt")
        source = compile_source(keywords, pack) if keywords else None
    except KeywordListError:
        return None
    return (keywords, yara.compile(source=source, error_on_warning=True)) if source else None


@FUZZ
@given(data=KEYWORD_FILE, pack=PACK_NAME)
def test_hostile_keyword_lists_compile_or_are_refused(data: bytes, pack: str) -> None:
    with time_limit(HANG_S, (data, pack)):
        result = compiled_rules(data, pack)
        if result is None:
            return
        keywords, rules = result
        STATS["keyword_terms_compiled"] += len(keywords)
        assert len({k.normalised for k in keywords}) == len(keywords)
        for index, keyword in enumerate(keywords):
            assert MIN_TERM_CHARS <= len(keyword.normalised) <= MAX_TERM_CHARS
            matched = {m.rule for m in rules.match(data=keyword.normalised.encode("utf-8"))}
            assert rule_name(pack, index) in matched, keyword


@FUZZ
@given(data=KEYWORD_FILE)
def test_keyword_file_through_the_scan_path_never_raises(data: bytes) -> None:
    """`--keywords FILE` as a scan loads it: whatever the file holds, no exception."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch("triage_app.search.scanner._cache_dir", return_value=None),
    ):
        path = Path(tmp) / "list.txt"
        path.write_bytes(data)
        with time_limit(HANG_S, data):
            build_rules([user_pack(path, "keywords")], Path(tmp) / "work", frozenset())


def test_a_refused_keyword_list_is_recorded_when_nothing_else_compiles(tmp_path: Path) -> None:
    from triage_app.core.engine import scan
    from triage_app.core.models import ScanOptions

    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "note.txt").write_text("passeur\n", encoding="utf-8")
    terms = tmp_path / "terms.txt"
    terms.write_bytes(b"passeur\n\x00bad line\n")
    options = ScanOptions(bundled_rules=False, keywords=(terms,))
    with mock.patch("triage_app.search.scanner._cache_dir", return_value=None):
        scan(tmp_path / "case", [tmp_path / "evidence"], options)
    conn = sqlite3.connect(tmp_path / "case" / "case.sqlite")
    try:
        assert conn.execute("SELECT source FROM rule_packs").fetchall() != []
    finally:
        conn.close()


def test_a_hundred_thousand_terms_are_refused_in_bounded_time() -> None:
    data = "\n".join(f"term{i:06d}" for i in range(100_000)).encode()
    with time_limit(HANG_S), pytest.raises(KeywordListError, match="more than"):
        read_keywords(data, "big.txt")


# --- identifiers, normalisation, escaping ---------------------------------------------------

PIECES = (
    " ", "\n", "،", "(", ")", ".", "/", "@", "+", "-", "00", "0912345678", "+218 91 234 5678",
    "٠٩١٢٣٤٥٦٧٨", "۰۹۱", "\u200f", "\u202e", "\xa0", "a@b.co", "Amal.X@Example.COM",
    "https://X.ly/P?q=1)", "www.Example.com/a", "wa.me/218912345678", "t.me/x",
    "0x52908400098527886E0F7030069857D2E4169EE7", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "TN59 1000 6035 1835 9847 8831", "FR7630006000011234567890189", "2024-05-03",
    "31.5.2024", "13.1913", "192.168.1.10", "رقم", "passeur",
)  # fmt: skip
ID_PIECES = st.sampled_from(PIECES)
SEPARATOR = st.sampled_from(("", " ", "\n", "،", "\u200f", "\t", ", "))
ID_TEXT = st.one_of(
    st.builds(str.join, SEPARATOR, st.lists(ID_PIECES | st.text(max_size=6), max_size=40)),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
)
_VALUE = {
    "phone": re.compile(r"\+[1-9]\d{5,14}"),
    "email": re.compile(r"[^A-Z\s]+@[^A-Z\s]+"),
    "iban": re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}"),
    "url": re.compile(r"(?:[a-z]+://|www\.)?[^A-Z/]*(?:/.*)?", re.DOTALL),
}


def check_identifiers(text: str) -> None:
    found = find_identifiers(text)
    for ident in found:
        assert text[ident.start : ident.end] == ident.raw, ident
        pattern = _VALUE.get(ident.type)
        assert pattern is None or pattern.fullmatch(ident.value), ident
        if ident.type == "phone":
            assert normalise_phone(ident.value) == ident.value, ident
        if ident.subtype in ("eth", "btc-bech32", "btc-bech32m"):
            assert ident.value == ident.value.lower(), ident
    assert all(a.end <= b.start for a, b in itertools.pairwise(found)), found


@FUZZ
@example(text=" ".join(PIECES))  # every kind at least once, whatever the budget
@given(text=ID_TEXT)
def test_identifiers_are_sorted_disjoint_and_normalised(text: str) -> None:
    with time_limit(HANG_S, text):
        check_identifiers(text)


@settings(FUZZ, max_examples=max(2, FUZZ.max_examples // 20))  # ~1 s an example
@given(pieces=st.lists(ID_PIECES, min_size=1, max_size=8), shift=st.integers(0, 4096))
def test_identifiers_across_window_boundaries(pieces: list[str], shift: int) -> None:
    """Past 72 Ki characters the text is scanned in overlapping windows: identifiers near
    the boundaries are still found once, sorted and disjoint."""
    block = " ".join(pieces) + " "
    text = (" " * shift + block * (75_000 // len(block) + 1))[:75_000]
    with time_limit(HANG_S, (pieces, shift)):
        check_identifiers(text)


FOLDED = st.characters(
    categories=("Lo", "Lm", "Mn", "Mc", "Nd", "Lu", "Ll", "Lt", "Cf", "Zs"),
    codec="utf-8",
) | st.sampled_from("ẞßİıſǅǈǋﬀﬁΐΣςϐϑ" + "".join(chr(c) for c in range(0xFB50, 0xFB60)))


@FUZZ
@given(text=st.text(alphabet=FOLDED, max_size=60))
def test_normalise_is_idempotent_on_folded_characters(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@FUZZ
@given(text=st.text(alphabet=st.characters(codec=None), max_size=80))
def test_escape_controls_leaves_no_control_bidi_or_surrogate(text: str) -> None:
    out = escape_controls(text)
    assert not UNSAFE.search(out), repr(out)
    assert all(unicodedata.category(c) != "Cc" or c in "\t\n" for c in out), repr(out)
    assert out == text or UNSAFE.search(text)


# --- TL wire format -------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=64), start=st.integers(0, 70))
def test_tl_reader_gives_values_or_tlerror(data: bytes, start: int) -> None:
    for read in ("u32", "i32", "i64", "f64", "raw_bytes", "string", "peer", "peek_u32"):
        with contextlib.suppress(TLError):
            getattr(TLReader(data, start), read)()
    result = string_at(data, start)
    assert result is None or start < result[1] <= len(data)


@FUZZ
@given(value=st.text(max_size=300) | st.sampled_from(HOSTILE_TEXT), tail=st.binary(max_size=8))
def test_tl_strings_round_trip(value: str, tail: bytes) -> None:
    encoded = tl_string(value)
    assert len(encoded) % 4 == 0
    assert string_at(encoded + tail, 0) == (value, len(encoded))


# --- NSKeyedArchiver plists -------------------------------------------------------------------


def _count(marker: int, n: int) -> bytes:
    return bytes([marker | n]) if n < 15 else bytes([marker | 15, 0x13]) + n.to_bytes(8, "big")


def _scalar(value: Any) -> bytes:
    if value is None or isinstance(value, bool):
        return {None: b"\x00", False: b"\x08", True: b"\x09"}[value]
    if isinstance(value, plistlib.UID):
        return b"\x87" + value.data.to_bytes(8, "big")
    if isinstance(value, int):
        return b"\x13" + value.to_bytes(8, "big", signed=True)
    if isinstance(value, float):
        return b"\x23" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _count(0x40, len(value)) + value
    raw = str(value).encode("utf-16be", "surrogatepass")
    return _count(0x60, len(raw) // 2) + raw


def bplist(root: Any) -> bytes:
    """A binary plist of `root`, written without plistlib's checks: dictionaries may have keys
    of any type and None is allowed, as a crafted file may have them."""
    objects: list[bytes] = []

    def add(value: Any) -> int:
        index = len(objects)
        objects.append(b"")
        if isinstance(value, list):
            objects[index] = _count(0xA0, len(value)) + refs(value)
        elif isinstance(value, dict):
            keys, values = list(value), list(value.values())
            objects[index] = _count(0xD0, len(value)) + refs(keys) + refs(values)
        else:
            objects[index] = _scalar(value)
        return index

    def refs(values: list[Any]) -> bytes:
        return b"".join(add(v).to_bytes(2, "big") for v in values)

    add(root)
    body = b"bplist00"
    offsets = []
    for item in objects:
        offsets.append(len(body))
        body += item
    table = b"".join(o.to_bytes(4, "big") for o in offsets)
    return body + table + struct.pack(">6xBBQQQ", 4, 2, len(objects), 0, len(body))


OBJECT_COUNT = 6
UIDS = st.integers(0, OBJECT_COUNT + 1).map(plistlib.UID)  # into $objects, or just past it
KEYS = st.sampled_from(
    ("NS.keys", "NS.objects", "NS.time", "NS.string", "NS.bytes", "NS.data", "NS.relative",
     "$class", "$classname", "NS.object.0", "NS.object.1", "NS.object.²", "name", 0, 7, b"k")
)  # fmt: skip
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.binary(max_size=8),
    st.sampled_from(("$null", "NSKeyedArchiver", "", "x", "\ud800")), UIDS,
)  # fmt: skip
MEMBER = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=12,
)
STRING_KEYS = KEYS.filter(lambda k: isinstance(k, str))
ARCHIVE = st.builds(
    lambda objects, root, top: {
        "$archiver": "NSKeyedArchiver", "$version": 100000, "$objects": objects,
        "$top": top or {"root": root},
    },
    st.lists(MEMBER, min_size=1, max_size=OBJECT_COUNT),
    UIDS,
    st.none() | st.dictionaries(st.sampled_from(("root", "x")), MEMBER, max_size=2),
)  # fmt: skip


@FUZZ
@given(archive=ARCHIVE)
def test_unarchive_gives_a_value_or_archive_error(archive: dict[str, Any]) -> None:
    STATS["examples"] += 1
    try:
        with time_limit(HANG_S, archive), contextlib.suppress(ArchiveError):
            unarchive(bplist(archive))
    except (TypeError, ValueError, AttributeError) as exc:
        if known(exc) is None:
            raise
        STATS[f"known:{known(exc)}"] += 1


def _archive(member: Any) -> bytes:
    top = {"root": plistlib.UID(0)}
    return bplist({"$archiver": "NSKeyedArchiver", "$objects": [member], "$top": top})


@pytest.mark.parametrize(
    "member",
    [{0: "x"}, {b"k": "x"}, {"NS.object.²": "x"}, {"NS.time": "soon"}, {"NS.time": None}],
    ids=["int-key", "bytes-key", "superscript-digit", "time-text", "time-null"],
)
def test_unarchive_regressions(member: dict[Any, Any]) -> None:
    """Non-string keys, a superscript digit and a non-numeric NS.time (fuzzing findings, fixed
    in keyed_archive._Resolver._decode): a value or ArchiveError, nothing else."""
    with contextlib.suppress(ArchiveError):
        unarchive(_archive(member))


@FUZZ
@given(
    archive=ARCHIVE,
    paths=st.lists(st.lists(STRING_KEYS, max_size=3), max_size=4),
)
def test_keyed_archive_reads_never_raise(archive: dict[str, Any], paths: list[list[str]]) -> None:
    with time_limit(HANG_S, archive):
        try:
            reader = KeyedArchive(bplist(archive))
        except ArchiveError:
            return
        for path in paths:
            value = reader.get(reader.root, *path)
            reader.items(value), reader.keys(value), reader.text(value)
            reader.date(value), reader.url(value)
