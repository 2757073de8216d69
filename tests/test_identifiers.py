"""Tests for triage_app.search.identifiers: extraction and normalisation of identifiers."""

from __future__ import annotations

import hashlib
import itertools
import random

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_app.search.identifiers import (
    DEFAULT_REGIONS,
    Identifier,
    find_identifiers,
    iter_identifiers,
    normalise_phone,
)

LY_MOBILE = "+218912345678"
# Real, well-known addresses: the Bitcoin genesis P2PKH output, the P2SH example of the Bitcoin
# wiki, and the USDT-TRC20 contract on TRON.
BTC_P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
TRON_USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
# BIP-350 "valid segwit addresses" vectors with HRP bc.
BECH32_VALID = {
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4": "btc-bech32",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y": "btc-bech32m",
    "BC1SW50QGDZ25J": "btc-bech32m",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs": "btc-bech32m",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0": "btc-bech32m",
}
# BIP-350 "invalid segwit addresses" vectors with HRP bc (reason in the comment).
BECH32_INVALID = [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 for v1
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 for v16
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m for v0
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
    "bc1pw5dgrnzv",  # 1-byte program
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # 16-byte program for v0
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # > 4 bits padding
    "bc1gmk9yu",  # empty data
]
# EIP-55 test cases: the first two are all caps, the next two all lower-case by the algorithm.
EIP55 = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def values(text: str, regions: tuple[str, ...] = DEFAULT_REGIONS) -> list[tuple[str, str]]:
    return [(i.type, i.value) for i in find_identifiers(text, regions)]


def change_one_char(address: str, alphabet: str) -> str:
    """The address with its middle character replaced by another character of its alphabet."""
    mid = len(address) // 2
    other = next(c for c in alphabet if c != address[mid])
    return address[:mid] + other + address[mid + 1 :]


B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(version: int, seed: bytes) -> str:
    return base58.b58encode_check(bytes([version]) + hashlib.sha256(seed).digest()[:20]).decode()


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "+218 91-234-5678",
        "00218912345678",
        "٠٠٢١٨٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "۰۰۲۱۸۹۱۲۳۴۵۶۷۸",  # Persian digits
        "0912345678",  # Libyan mobile, national form, default region LY
        "+218.91.234.5678",
        "091.234.56.78",  # four dotted groups, but not an IPv4 address (leading zero)
        "\u200e+218 91 234 5678\u200f",  # bidi marks copied from an RTL chat
    ],
)
def test_phone_forms_normalise_to_one_e164(written: str) -> None:
    text = f"رقم المهرب {written} اتصل به"
    found = find_identifiers(text)
    assert [(i.type, i.value) for i in found] == [("phone", LY_MOBILE)]
    assert text[found[0].start : found[0].end] == found[0].raw
    assert found[0].raw.strip("\u200e\u200f") == written.strip("\u200e\u200f")


def test_phone_offsets_in_arabic_text_with_arabic_digits() -> None:
    text = "السلام عليكم، رقمي ٠٩١٢٣٤٥٦٧٨ والثاني ‎+216 20 123 456 شكرا"
    found = find_identifiers(text)
    assert [i.value for i in found] == [LY_MOBILE, "+21620123456"]
    first, second = found
    assert (first.start, first.end) == (text.index("٠٩١"), text.index("٠٩١") + 10)
    assert first.raw == "٠٩١٢٣٤٥٦٧٨"
    assert second.raw == "+216 20 123 456"
    assert second.start == text.index("+216")


def test_local_number_goes_to_first_region_where_valid() -> None:
    # Valid as a Benghazi landline (LY) and as a Moroccan mobile (MA): the order decides.
    assert values("0612345678") == [("phone", "+218612345678")]
    assert values("0612345678", regions=("MA", "LY")) == [("phone", "+212612345678")]
    # Valid only in a later default region.
    assert values("appelle 20 123 456") == [("phone", "+21620123456")]
    assert values("كلمني 010 0123 4567") == [("phone", "+201001234567")]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-15 14:32:10",
        "le 2024-03-15 et le 2024.03.15",
        "IMG_20240315_143210.jpg",
        "ref 20240315",
        "15/03/2024",
        "position 32.887215, 13.191348",
        "الموقع ٣٢٫٨٨٧٢١٥، ١٣٫١٩١٣٤٨",  # Arabic digits and decimal separator
        "ip 41.208.12.34 and 192.168.1.10",
        "md5 5d41402abc4b2a76b9719d911017c592",
        "sha1 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
        "tx id 12345678901234567890",
        "IMEI 356938035643809",
        "epoch 1710512345678",
        "card 4111 1111 1111 1111",
        "1,234,567 LYD",
    ],
)
def test_forensic_numbers_are_not_phones(text: str) -> None:
    assert [i for i in find_identifiers(text) if i.type == "phone"] == []


def test_local_phones_off_keeps_numbers_written_with_country_code() -> None:
    text = "0912345678, 20123456, 57299637,96485197 | +218 91 234 5678 | 00216 20 123 456"
    found = find_identifiers(text, local_phones=False)
    assert [(i.raw, i.value) for i in found] == [
        ("+218 91 234 5678", LY_MOBILE),
        ("00216 20 123 456", "+21620123456"),
    ]
    assert len(find_identifiers(text)) == 6


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("+218 91-234-5678", LY_MOBILE),
        ("0912345678", LY_MOBILE),
        ("912345678", LY_MOBILE),  # trunk prefix left out
        ("٠٩١٢٣٤٥٦٧٨", LY_MOBILE),
        ("218912345678", LY_MOBILE),  # international without + (call logs, JIDs)
        ("218912345678@s.whatsapp.net", LY_MOBILE),
        ("tel:+21620123456", "+21620123456"),
        ("+212 612-345678", "+212612345678"),
        ("+218 99 123 4567", "+218991234567"),  # explicit country code: possible is enough
        ("Libyana", None),
        ("VODAFONE", None),
        ("1234", None),
        ("", None),
        ("0" * 200, None),
    ],
)
def test_normalise_phone_fields(field: str, expected: str | None) -> None:
    assert normalise_phone(field) == expected


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="XX"):
        find_identifiers("0912345678", regions=("LY", "XX"))
    with pytest.raises(ValueError):
        normalise_phone("0912345678", regions=("XX",))


def test_whatsapp_jids() -> None:
    text = "from 218912345678@s.whatsapp.net in 218912345678-1612345678@g.us"
    found = find_identifiers(text)
    assert [(i.type, i.value, i.subtype) for i in found] == [("phone", LY_MOBILE, "whatsapp-jid")]
    assert found[0].raw == "218912345678@s.whatsapp.net"


# --- wallets --------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [BTC_P2PKH, BTC_P2SH, b58check(0, b"a"), b58check(5, b"b")])
def test_bitcoin_base58_reported_and_one_char_change_not(address: str) -> None:
    found = find_identifiers(f"ابعث على {address} بسرعة")
    assert [(i.type, i.value, i.subtype, i.checksummed) for i in found] == [
        ("wallet", address, "btc", True)
    ]
    assert find_identifiers(f"ابعث على {change_one_char(address, B58_ALPHABET)} بسرعة") == []


@pytest.mark.parametrize("address", [TRON_USDT, b58check(0x41, b"c"), b58check(0x41, b"d")])
def test_tron_reported_and_one_char_change_not(address: str) -> None:
    assert values(f"USDT TRC20: {address}.") == [("wallet", address)]
    assert find_identifiers(f"USDT TRC20: {address}")[0].subtype == "tron"
    assert values(f"USDT TRC20: {change_one_char(address, B58_ALPHABET)}.") == []


def test_base58check_with_other_version_byte_is_not_bitcoin() -> None:
    # A checksum-valid string that starts like a P2SH address but carries another version.
    address = next(
        a for v in range(6, 256) if (a := b58check(v, b"e")).startswith("3") and len(a) == 34
    )
    assert values(address) == []


@pytest.mark.parametrize(("address", "subtype"), BECH32_VALID.items())
def test_bip350_valid_vectors(address: str, subtype: str) -> None:
    found = find_identifiers(f"wallet: {address}")
    assert [(i.value, i.subtype, i.checksummed) for i in found] == [
        (address.lower(), subtype, True)
    ]
    assert found[0].raw == address


@pytest.mark.parametrize("address", BECH32_INVALID)
def test_bip350_invalid_vectors(address: str) -> None:
    assert values(f"wallet: {address}") == []


def test_bech32_one_char_change_and_mixed_case_rejected() -> None:
    address = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
    assert values(change_one_char(address, "qpzry9x8gf2tvdw0s3jn54khce6mua7l")) == []
    assert values(address[:10] + address[10:20].upper() + address[20:]) == []


@pytest.mark.parametrize("address", EIP55)
def test_eip55_vectors_checksummed(address: str) -> None:
    found = find_identifiers(f"eth {address}")
    assert [(i.value, i.subtype, i.checksummed) for i in found] == [(address.lower(), "eth", True)]


def test_eth_bad_checksum_rejected_and_one_case_kept_unchecked() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert values(good[:-1] + "D") == []  # one letter's case flipped
    for one_case in (good.lower(), "0x" + good[2:].upper()):
        found = find_identifiers(one_case)
        assert [(i.value, i.checksummed) for i in found] == [(good.lower(), False)]
    assert values("0x" + "a" * 41) == []  # 41 hex digits: not an address


# --- IBAN -----------------------------------------------------------------------------------

IBANS = {
    "LY83 0020 4800 0020 1001 2036 1": ("LY83002048000020100120361", None),
    "TN5910006035183598478831": ("TN5910006035183598478831", None),
    "EG38 0019 0005 0000 0000 2631 8000 2": ("EG380019000500000000263180002", None),
    "fr14 2004 1010 0505 0001 3m02 606": ("FR1420041010050500013M02606", None),
    "MA64 0115 1900 0001 2050 0053 4921": ("MA64011519000001205000534921", "non-registry"),
}


@pytest.mark.parametrize(("written", "expected"), IBANS.items())
def test_iban_valid(written: str, expected: tuple[str, str | None]) -> None:
    text = f"الحساب: {written}، شكرا"
    found = find_identifiers(text)
    assert [(i.type, i.value, i.subtype) for i in found] == [("iban", *expected)]
    assert found[0].raw == written


@pytest.mark.parametrize("written", IBANS)
def test_iban_one_digit_changed_is_not_reported(written: str) -> None:
    pos = written.index("0", 5)
    changed = written[:pos] + "1" + written[pos + 1 :]
    assert [i for i in find_identifiers(changed) if i.type == "iban"] == []


def test_iban_stops_at_country_length_and_after_a_failed_start() -> None:
    found = find_identifiers("ref AB12 TN59 1000 6035 1835 9847 8831 THANKS 2024")
    assert [(i.value, i.raw) for i in found] == [
        ("TN5910006035183598478831", "TN59 1000 6035 1835 9847 8831")
    ]
    assert values("LY8300204800002010012036199") == []  # two digits too many


# --- e-mail and URLs ------------------------------------------------------------------------


def test_emails() -> None:
    text = "راسلنيBob.Smith+tag@Example.COMشكرا, x@y, a..b@c.com, z@c..com, رد على user@مثال.مصر."
    assert values(text) == [
        ("email", "bob.smith+tag@example.com"),
        ("email", "user@مثال.مصر"),
    ]
    found = find_identifiers(text)
    assert found[0].raw == "Bob.Smith+tag@Example.COM"
    assert all(text[i.start : i.end] == i.raw for i in found)


def test_urls_trimmed_and_lower_cased_host() -> None:
    text = (
        "see (https://Example.COM/a_(b)/Path?Q=1), www.Google.com/search?q=x. "
        "FTP://files.example.org/x; http://192.168.1.1:8080/admin! "
        "https://www.google.comابحث والقناة t.me/smuggler_channel."
    )
    assert values(text) == [
        ("url", "https://example.com/a_(b)/Path?Q=1"),
        ("url", "www.google.com/search?q=x"),
        ("url", "ftp://files.example.org/x"),
        ("url", "http://192.168.1.1:8080/admin"),
        ("url", "https://www.google.com"),
        ("url", "t.me/smuggler_channel"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "/data/data/com.whatsapp/databases/msgstore.db",
        "com.whatsapp/files and org.telegram.messenger/cache",
        "photo.zip video.mov ok.merci google.com",
        "v1.2/3 and/or 1.5/2",
        "https://",
    ],
)
def test_url_false_positives(text: str) -> None:
    assert values(text) == []


def test_overlaps_resolved_longest_first_and_nested_on_request() -> None:
    text = f"https://wa.me/218912345678 and https://tronscan.org/#/address/{TRON_USDT}"
    assert [t for t, _ in values(text)] == ["url", "url"]
    nested = find_identifiers(text, nested=True)
    assert [(i.type, i.value, i.subtype) for i in nested] == [
        ("url", "https://wa.me/218912345678", None),
        ("phone", LY_MOBILE, "whatsapp-link"),
        ("url", f"https://tronscan.org/#/address/{TRON_USDT}", None),
        ("wallet", TRON_USDT, "tron"),
    ]
    assert all(text[i.start : i.end] == i.raw for i in nested)


def test_mixed_message_order_and_offsets() -> None:
    text = (
        "السعر 3000 يورو. ادفع USDT على "
        f"{TRON_USDT} أو حول إلى TN59 1000 6035 1835 9847 8831، "
        "واتصل ‏+218 91-234-5678‏ أو راسل broker@mail.ly"
    )
    found = find_identifiers(text)
    assert [i.type for i in found] == ["wallet", "iban", "phone", "email"]
    assert all(text[i.start : i.end] == i.raw for i in found)


# --- size and hostile input -----------------------------------------------------------------


def test_long_text_is_windowed_without_loss_or_duplicates() -> None:
    rng = random.Random(7)
    filler = "كلام عادي بدون أرقام "
    parts: list[str] = []
    expected: list[tuple[int, str]] = []
    pos = 0
    # Identifiers every ~5,000 characters, so some straddle the 64 Ki window edges.
    for n in range(60):
        chunk = filler * rng.randint(200, 300)
        parts.append(chunk)
        pos += len(chunk)
        ident = "+218 91-234-5678" if n % 2 else TRON_USDT
        expected.append((pos, LY_MOBILE if n % 2 else TRON_USDT))
        parts.append(ident)
        pos += len(ident)
    text = "".join(parts)
    assert len(text) > 4 * 65_536
    assert [(i.start, i.value) for i in iter_identifiers(text)] == expected


def test_identifier_straddling_a_window_edge_is_found_once() -> None:
    for shift in range(-20, 5):
        text = "x " * ((65_536 + shift) // 2) + " 0912345678 " + "y " * 40_000
        found = find_identifiers(text)
        assert [(i.value, text[i.start : i.end]) for i in found] == [(LY_MOBILE, "0912345678")]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000 + "@",
        "." * 50_000 + "@x",
        "http://" + "(" * 50_000,
        "https://" + "a" * 100_000 + ".com",
        "AB12 " * 10_000,
        "bc1" + "q" * 100_000,
        "a." * 50_000 + "com/",
        ("a" * 63 + ".") * 1_500,
        "x@" * 50_000,
        "+" * 100_000,
        ("T" + "1" * 33 + " ") * 2_000,
        "1" * 100_000,
        "1-" * 10_000,
    ],
)
def test_pathological_inputs_give_nothing(text: str) -> None:
    # Linear regexes: each of these runs in well under a second (no timing assertion).
    assert find_identifiers(text) == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                " ",
                "،",
                "رقم",
                "0912345678",
                "+218 91 234 5678",
                "٠٩١٢٣٤٥٦٧٨",
                TRON_USDT,
                "a@b.co",
                "https://x.ly/p",
                "(",
                ")",
                ".",
                "\u200f",
                "TN59 1000 6035 1835 9847 8831",
            ]
        ),
        max_size=30,
    )
)
def test_results_sorted_disjoint_and_raw_matches_offsets(pieces: list[str]) -> None:
    text = "".join(pieces)
    found = find_identifiers(text)
    assert all(isinstance(i, Identifier) and text[i.start : i.end] == i.raw for i in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
