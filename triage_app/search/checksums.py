"""Checksums of wallet addresses: Bitcoin base58check (P2PKH/P2SH) and segwit bech32/bech32m
(BIP-173, BIP-350), TRON base58check (version 0x41), Ethereum EIP-55 mixed-case checksums.

A checksum is what tells a real address from a string of the same shape: one changed
character fails it (the tests change each kind by one character).
"""

from __future__ import annotations

from typing import Final

import base58
from Crypto.Hash import keccak

BECH32_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST: Final = 0x2BC830A3


def check_wallet(kind: str, found: str) -> tuple[str, str, bool] | None:
    """(value, subtype, checksummed) of an address of `kind` (eth | bech | btc | tron) that
    passes its checks, else None."""
    if kind == "eth":
        body, checksummed = found[2:], _eip55(found[2:]) == found[2:]
        # One-case addresses carry no checksum (explorers print them so): kept, flagged.
        if checksummed or body.lower() == body or body.upper() == body:
            return "0x" + body.lower(), "eth", checksummed
        return None
    if kind == "bech":
        version = _segwit_version(found)
        if version is None:
            return None
        return found.lower(), "btc-bech32" if version == 0 else "btc-bech32m", True
    try:
        payload = base58.b58decode_check(found)
    except ValueError:
        return None
    versions = {"btc": (0x00, 0x05), "tron": (0x41,)}[kind]
    return (found, kind, True) if len(payload) == 21 and payload[0] in versions else None


def _eip55(body: str) -> str:
    """EIP-55: upper-case each hex letter whose nibble in keccak256(lower-case hex) is >= 8."""
    lower = body.lower()
    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    return "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True)
    )


def _bech32_polymod(values: list[int]) -> int:
    """BIP-173 checksum over GF(32): the generator constants are those of the BIP."""
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top, chk = chk >> 25, (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(generator):
            chk ^= gen if top >> i & 1 else 0
    return chk


def _segwit_version(address: str) -> int | None:
    """Witness version of a mainnet segwit address valid under BIP-173/BIP-350, else None."""
    if not (address.islower() or address.isupper()) or len(address) > 90:
        return None
    address = address.lower()
    data = [BECH32_CHARSET.index(c) for c in address[3:]]
    const = _bech32_polymod([3, 3, 0, 2, 3, *data])  # "bc" expanded: high bits, 0, low bits
    if const not in (1, _BECH32M_CONST) or len(data) < 7:
        return None
    # The program is data[1:-6] in 5-bit groups; BIP-173 allows at most 4 bits of zero padding.
    version, (size, pad) = data[0], divmod((len(data) - 7) * 5, 8)
    if pad > 4 or data[-7] & ((1 << pad) - 1) or version > 16 or not 2 <= size <= 40:
        return None
    if version == 0 and size not in (20, 32):
        return None
    # BIP-350: version 0 keeps the bech32 constant, versions 1-16 must use bech32m.
    return version if (version == 0) == (const == 1) else None
