"""Identifiers in text: phone numbers, e-mail addresses, URLs, crypto wallets and IBANs.

Why: the same phone, USDT wallet or bank account on two seized devices is the link investigators
need (issue 4). Values are normalised so that copies written differently compare equal: phones
E.164; e-mails lower-cased; URLs with scheme and host lower-cased; ETH and bech32 lower-cased (both
are case-insensitive); IBANs compact upper-case; base58 wallets as found (their case is data).

`find_identifiers` returns non-overlapping matches ordered by start; of two overlapping ones the
longer wins (a URL over a phone inside it). Arabic-Indic, Persian and full-width digits read as
ASCII digits, bidi marks and no-break spaces as spaces, one character for one: `start`/`end` index
the caller's text and `raw` is the text as written.
- Phones: libphonenumber's matcher, leniency VALID, once per region. `+`/`00` numbers carry their
  country; a local number goes to the FIRST region where it is valid (`0612345678` is Benghazi,
  +218 61..., with the default order, not Moroccan): put the device's region (SIM, locale) first.
  Dates (`20240315` has the shape of a Tunisian mobile), decimal coordinates and IPv4 addresses
  are dropped. WhatsApp JIDs (`2189...@s.whatsapp.net`) are phones, subtype `whatsapp-jid`.
- E-mails: ASCII dot-atom local part (<= 64), IDN domain, alphabetic or punycode TLD; a Latin
  TLD glued to Arabic text is cut where the script changes.
- URLs: `http(s)://`, `ftp://`, `www.`; trailing punctuation and unbalanced closing brackets are
  trimmed. A bare domain only with a path and a common TLD (`t.me/x`, `wa.me/218...`): a bare
  `name.tld` is too often a file name (.zip and .mov are TLDs), an Android package
  (`com.whatsapp`) or a missing space after a full stop.
- Wallets, by checksum: Bitcoin base58check P2PKH/P2SH (versions 0x00/0x05, `btc`); segwit
  bech32 v0 (`btc-bech32`) and bech32m v1+ (`btc-bech32m`) per BIP-173/BIP-350; TRON base58check
  version 0x41 (`tron`); Ethereum `0x`+40 hex (`eth`), mixed case must pass EIP-55, one-case
  addresses have no checksum and are kept (explorers print them so) with `checksummed=False`.
- IBANs: ISO 13616 mod-97 with the registry's length and BBAN format (python-stdnum), plus
  Morocco (28) and Algeria (26), used by their banks outside the registry (`non-registry`).
`nested=True` also reports wallets inside URLs and the phone of WhatsApp click-to-chat links
(`wa.me/218...`, `api.whatsapp.com/send?phone=`), overlapping their URL.

Limits: text is scanned in windows of 64 Ki characters overlapping by 4 Ki (more than any
identifier; URLs are capped at 2,048 characters): time is linear in length and libphonenumber's
per-call candidate cap is never reached; `iter_identifiers` is lazy so callers can bound the
count. Regexes have bounded repetitions and no nested ambiguity. Phones cost one libphonenumber
pass per region, only where a 5+ digit run is not a date. Measured here: ~35 us a chat message,
~2 s a MB of chat, 10-30 s a MB of logs, numeric tables or phone lists (3-6 s with
`local_phones=False`, phone lists aside). A lower-case ETH address or a local phone number with
one digit changed can still be valid.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.iso7064 import mod_97_10

from .checksums import BECH32_CHARSET, check_wallet

IdentifierType = Literal["phone", "email", "url", "wallet", "iban"]
DEFAULT_REGIONS: Final[tuple[str, ...]] = ("LY", "TN", "EG", "MA")

_WINDOW: Final = 65_536
_MARGIN: Final = 4_096
_MAX_URL: Final = 2_048
_MAX_PHONE_FIELD: Final = 64
_MIN_PHONE_DIGITS: Final = 5
# Equal-length overlaps: the more specific (checksummed) identifier wins.
_PRIORITY: Final[dict[str, int]] = {"iban": 0, "wallet": 1, "email": 2, "url": 3, "phone": 4}


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier found in a text; `start`/`end` are offsets into that text."""

    type: IdentifierType
    value: str
    start: int
    end: int
    raw: str
    subtype: str | None = None
    checksummed: bool = False


# Arabic-Indic, Persian and full-width digits read as ASCII. Bidi controls sit inside numbers
# copied from RTL chats and no-break spaces separate digit groups: both read as spaces.
_BIDI: Final = (*range(0x202A, 0x2030), *range(0x2066, 0x206A), 0x061C, 0x200E, 0x200F)
_CHAR_MAP: Final[dict[int, int]] = {
    **{zero + i: ord("0") + i for zero in (0x0660, 0x06F0, 0xFF10) for i in range(10)},
    **dict.fromkeys((*_BIDI, 0x00A0, 0x2007), ord(" ")),
    0x066B: ord("."),  # Arabic decimal separator: coordinates must still look like decimals
    0x066C: ord(","),
}

_DATE = re.compile(
    r"(?:19|20)\d\d([-./]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([-./])(?:0?[1-9]|1[0-2])\2(?:19|20)\d\d"
)
_DECIMAL = re.compile(r"[+-]?\d{1,3}\.\d{4,}")
_OCTET: Final = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"  # no leading zero: 091.234.56.78 is a phone
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_DIGIT_RUN = re.compile(r"\d(?:\W{0,3}\d){4,}")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-]{1,64})@([\w.\-]{3,253})")
_URL = re.compile(
    r"(?<![A-Za-z0-9@.\-/])(?:(?:https?|ftp)://|www\.|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,4}"
    r"(?:com|net|org|info|me|ly|tn|eg|ma|dz|io|co|gl|app|tv|fr|be|it|de|uk|ru|tr|link|ws)/)"
    rf"[^\s<>\"'`\x00-\x1f\x7f]{{0,{_MAX_URL}}}",
    re.IGNORECASE,
)
_URL_HINT = re.compile(r"/|www\.", re.IGNORECASE)
_B58: Final = "1-9A-HJ-NP-Za-km-z"
_WALLET = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?P<btc>[13][{_B58}]{{25,34}})|(?P<tron>T[{_B58}]{{33}})"
    rf"|(?P<bech>(?:bc|BC)1[{BECH32_CHARSET}{BECH32_CHARSET.upper()}]{{6,87}})"
    r"|(?P<eth>0x[0-9a-fA-F]{40}))(?![0-9A-Za-z])"
)
_IBAN = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}\d{2}(?: ?[0-9A-Za-z]){10,30}(?![0-9A-Za-z])")
_WA_ME = re.compile(r"(?:wa\.me/|api\.whatsapp\.com/send/?\?phone=)\+?(\d{6,15})", re.IGNORECASE)
_TRAILING: Final = ".,;:!?'\"…،؛؟»*"
_BRACKETS: Final = {")": "(", "]": "[", "}": "{", ">": "<"}
_WHATSAPP_DOMAINS: Final = frozenset({"s.whatsapp.net", "c.us", "g.us"})
_NON_REGISTRY_IBAN: Final = {"MA": 28, "DZ": 26}


def find_identifiers(
    text: str,
    regions: Sequence[str] = DEFAULT_REGIONS,
    *,
    nested: bool = False,
    local_phones: bool = True,
) -> list[Identifier]:
    """Every identifier in `text`, ordered by start (see the module docstring).

    `local_phones=False` keeps only phones written with their country code (`+`, `00`, or
    digits starting with it) and costs one libphonenumber pass instead of one per region: for
    logs and numeric tables, where any bare 8-digit integer reads as a Tunisian number.
    """
    return list(iter_identifiers(text, regions, nested=nested, local_phones=local_phones))


def iter_identifiers(
    text: str,
    regions: Sequence[str] = DEFAULT_REGIONS,
    *,
    nested: bool = False,
    local_phones: bool = True,
) -> Iterator[Identifier]:
    """Yield the identifiers of `text` lazily, ordered by start (see `find_identifiers`)."""
    regions = _check_regions(regions)
    for ident in _windows(text, regions, local_phones):
        yield ident
        if nested and ident.type == "url":
            yield from _inside_url(text, ident)


def _windows(text: str, regions: tuple[str, ...], local: bool) -> Iterator[Identifier]:
    if len(text) <= _WINDOW + 2 * _MARGIN:
        yield from _scan(text, regions, local)
        return
    last_end = 0
    for begin in range(0, len(text), _WINDOW):
        lo = max(0, begin - _MARGIN)
        for found in _scan(text[lo : begin + _WINDOW + _MARGIN], regions, local):
            start = found.start + lo
            # Each start belongs to one window; a window that read the text before `last_end`
            # differently (another split of a digit run) is not reported twice.
            if begin <= start < begin + _WINDOW and start >= last_end:
                last_end = found.end + lo
                yield replace(found, start=start, end=last_end)


def normalise_phone(raw: str, regions: Sequence[str] = DEFAULT_REGIONS) -> str | None:
    """E.164 form of a field that holds one phone number, or None when it is not one.

    More lenient than free text: no separators or trunk prefix needed; `tel:` and WhatsApp JID
    suffixes dropped; with an explicit `+`/`00` country code a possible number is enough (ranges
    newer than libphonenumber's metadata); bare digits are last tried as `+digits`.
    Alphanumeric senders ("Libyana") give None.
    """
    return _normalise_phone(raw, _check_regions(regions))


@functools.lru_cache(maxsize=1 << 16)
def _normalise_phone(raw: str, regions: tuple[str, ...]) -> str | None:
    """`normalise_phone`, cached: a phone's records repeat the same few thousand senders and
    JIDs, and each costs up to five libphonenumber parses (≈ 90 µs each)."""
    if len(raw) > _MAX_PHONE_FIELD:
        return None
    text = raw.translate(_CHAR_MAP).strip()
    text = re.sub(r"^tel:|@(?:s\.whatsapp\.net|c\.us)$", "", text, flags=re.IGNORECASE).strip()
    digits = re.sub(r"\D", "", text)
    if re.search(r"[^\W\d_]", text) or not _MIN_PHONE_DIGITS <= len(digits) <= 17:
        return None
    for region in regions:
        number = _parse(text, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return _e164(number)
    explicit = text.startswith("+") or digits.startswith("00")
    number = _parse(text if explicit else "+" + digits, regions[0] if regions else "ZZ")
    if number is None or not (explicit or phonenumbers.is_valid_number(number)):
        return None
    return _e164(number) if phonenumbers.is_possible_number(number) else None


def _check_regions(regions: Sequence[str]) -> tuple[str, ...]:
    checked = tuple(r.upper() for r in regions)
    if unknown := set(checked) - phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown phone regions: {sorted(unknown)}")
    return checked


def _parse(text: str, region: str, keep_raw_input: bool = False) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region, keep_raw_input=keep_raw_input)
    except phonenumbers.NumberParseException:
        return None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _scan(text: str, regions: tuple[str, ...], local: bool) -> list[Identifier]:
    norm = text if text.isascii() else text.translate(_CHAR_MAP)
    candidates = [
        *_emails(text, norm),
        *_urls(text, norm),
        *_wallets(text, norm),
        *_ibans(text, norm),
        *_phones(text, norm, regions if local else regions[:1], local),
    ]
    candidates.sort(key=lambda c: (c.start - c.end, _PRIORITY[c.type], c.start))
    chosen: list[Identifier] = []
    starts: list[int] = []  # of `chosen`, which stays sorted and disjoint
    for cand in candidates:
        i = bisect.bisect_right(starts, cand.start)
        if (i and chosen[i - 1].end > cand.start) or (i < len(chosen) and starts[i] < cand.end):
            continue
        chosen.insert(i, cand)
        starts.insert(i, cand.start)
    return chosen


def _may_hold_phone(text: str) -> bool:
    """Cheap pre-check: a run of 5+ digits that is not a date, coordinate or IP address."""
    return any(not _looks_like_other_number(m.group()) for m in _DIGIT_RUN.finditer(text))


def _phones(text: str, norm: str, regions: tuple[str, ...], local: bool) -> list[Identifier]:
    found: list[Identifier] = []
    work = norm
    for region in regions:
        if not _may_hold_phone(work):
            break
        matcher = phonenumbers.PhoneNumberMatcher(
            work, region, leniency=phonenumbers.Leniency.VALID, max_tries=_WINDOW
        )
        pieces: list[str] = []
        last = 0
        for match in matcher:
            start, end = match.start, match.end
            written = match.raw_string.strip()
            if not _looks_like_other_number(written) and (
                local or _has_country_code(written, region)
            ):
                raw = text[start:end]
                found.append(Identifier("phone", _e164(match.number), start, end, raw))
            # Later regions must not read again what this region has attributed or rejected.
            pieces += [work[last:start], " " * (end - start)]
            last = end
        work = "".join([*pieces, work[last:]])
    return found


def _has_country_code(raw: str, region: str) -> bool:
    number = _parse(raw, region, keep_raw_input=True)
    default = phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    return number is not None and number.country_code_source != default


def _looks_like_other_number(raw: str) -> bool:
    # Forensic text is full of dates, coordinates and addresses that libphonenumber accepts
    # (a yyyymmdd date has the shape of a Tunisian mobile number).
    return any(p.fullmatch(raw) for p in (_DATE, _DECIMAL, _IPV4))


def _emails(text: str, norm: str) -> Iterator[Identifier]:
    for match in _EMAIL.finditer(norm) if "@" in norm else ():
        local, domain = match.group(1), _clean_domain(match.group(2))
        start = match.start() + len(local) - len(local.lstrip("."))
        local = local.lstrip(".")
        if not local or local.endswith(".") or ".." in local or domain is None:
            continue
        end = match.start(2) + len(domain)
        raw = text[start:end]
        if domain.lower() in _WHATSAPP_DOMAINS:
            jid = local.isdigit() and domain.lower() != "g.us"
            phone = normalise_phone("+" + local) if jid else None
            if phone is not None:
                yield Identifier("phone", phone, start, end, raw, "whatsapp-jid")
            continue  # group ids and broken JIDs are not e-mail addresses
        yield Identifier("email", f"{local}@{domain}".lower(), start, end, raw)


def _clean_domain(domain: str) -> str | None:
    """Trim a host to its valid prefix; None when no host with a TLD is left."""
    domain = domain.split("_", 1)[0].rstrip(".-")
    if not re.fullmatch(r"[\w.\-]+", domain):
        return None
    labels = domain.split(".")
    tld = labels[-1]
    cut = next((i for i, ch in enumerate(tld) if ch.isascii() != tld[0].isascii()), len(tld))
    labels[-1] = tld = tld[:cut].rstrip("-")
    ok_tld = tld.isalpha() or (tld.lower().startswith("xn--") and tld.isascii())
    if len(labels) < 2 or len(tld) < 2 or not ok_tld:
        return None
    if any(not lb or len(lb) > 63 or lb[0] == "-" or lb[-1] == "-" for lb in labels):
        return None
    return ".".join(labels)


def _urls(text: str, norm: str) -> Iterator[Identifier]:
    for match in _URL.finditer(norm) if _URL_HINT.search(norm) else ():
        url = _trim_url(match.group())
        lead = re.match(r"(?:https?|ftp)://", url, re.IGNORECASE)
        scheme, sep, rest = (
            (url[: lead.end() - 3], "://", url[lead.end() :]) if lead else ("", "", url)
        )
        authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
        userinfo, at, hostport = authority.rpartition("@")
        host = re.split(r":(?=\d*$)", hostport, maxsplit=1)[0]
        literal = host.startswith("[") or _IPV4.fullmatch(host)
        clean = host if literal else _clean_domain(host)
        if not clean:
            continue
        head = len(scheme) + len(sep) + len(userinfo) + len(at)
        if clean != host:  # the host ran into following text: the URL ends with the host
            hostport, tail = clean, ""
        else:
            tail = rest[len(authority) :]
        end = match.start() + head + len(hostport) + len(tail)
        value = (scheme.lower() + sep + userinfo + at + hostport.lower()) + tail
        yield Identifier("url", value, match.start(), end, text[match.start() : end])


def _trim_url(url: str) -> str:
    while url:
        last = url[-1]
        if last in _BRACKETS and url.count(_BRACKETS[last]) >= url.count(last):
            break
        if last not in _TRAILING and last not in _BRACKETS:
            break
        url = url[:-1]
    return url


def _inside_url(text: str, url: Identifier) -> Iterator[Identifier]:
    segment = text[url.start : url.end].translate(_CHAR_MAP)
    for wallet in _wallets(segment, segment):
        yield replace(wallet, start=wallet.start + url.start, end=wallet.end + url.start)
    match = _WA_ME.search(segment)
    phone = normalise_phone("+" + match.group(1)) if match else None
    if match and phone:
        start, end = url.start + match.start(1), url.start + match.end(1)
        yield Identifier("phone", phone, start, end, text[start:end], "whatsapp-link")


def _wallets(text: str, norm: str) -> Iterator[Identifier]:
    for match in _WALLET.finditer(norm):
        kind, found = next((k, v) for k, v in match.groupdict().items() if v is not None)
        checked = check_wallet(kind, found)
        if checked is not None:
            value, subtype, checksummed = checked
            raw = text[match.start() : match.end()]
            yield Identifier("wallet", value, match.start(), match.end(), raw, subtype, checksummed)


def _ibans(text: str, norm: str) -> Iterator[Identifier]:
    pos = 0
    while (match := _IBAN.search(norm, pos)) is not None:
        found = _iban_prefix(match.group())
        if found is None:
            pos = match.start() + 1  # a failed longer run may hide an IBAN starting inside it
            continue
        size, value, subtype = found
        end = match.start() + size
        yield Identifier(
            "iban", value, match.start(), end, text[match.start() : end], subtype, True
        )
        pos = end


@functools.lru_cache(maxsize=512)
def _iban_length(country: str) -> int | None:
    if country in _NON_REGISTRY_IBAN:
        return _NON_REGISTRY_IBAN[country]
    info = numdb.get("iban").info(country)[0][1]
    bban = str(info.get("bban", ""))
    return 4 + sum(int(n) for n in re.findall(r"(\d+)!", bban)) if bban else None


def _iban_prefix(candidate: str) -> tuple[int, str, str | None] | None:
    """(characters used, compact IBAN, subtype) for the IBAN that starts `candidate`."""
    country = candidate[:2].upper()
    length = _iban_length(country)
    if length is None:
        return None
    body = re.compile(rf"(?: ?[0-9A-Za-z]){{{length - 4}}}").match(candidate, 4)
    size = body.end() if body else 0
    if not body or candidate[size : size + 1].strip():
        return None  # the run goes on past the country's length
    compact = candidate[:size].replace(" ", "").upper()
    if country in _NON_REGISTRY_IBAN:
        ok = compact[2:].isdigit() and mod_97_10.is_valid(compact[4:] + compact[:4])
        return (size, compact, "non-registry") if ok else None
    return (size, compact, None) if stdnum_iban.is_valid(compact) else None
