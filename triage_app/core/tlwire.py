"""Telegram's TL wire format, as Telegram clients store objects in their caches.

A TL object is a 32-bit little-endian constructor id followed by its fields: `int` (32 bit),
`long` (64 bit), `double`, `string`/`bytes` (one length byte, or 0xFE and a 3-byte length,
then the data, zero-padded to a multiple of 4), other objects (constructor + fields) and
`flags` words whose bits say which optional fields follow. Field order is fixed per
constructor, and constructors change with every API layer, so a cache holds objects of many
layers side by side. The readers here are strict (bounds, padding, UTF-8): the parsers use
that strictness to tell a real field from bytes that only look like one.

Constructor ids named here were checked against the published API schema (peer types of
layers < 133 carried 32-bit ids, later ones 64-bit).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

PEER_CONSTRUCTORS: dict[int, tuple[str, int]] = {
    0x59511722: ("user", 8),  # peerUser user_id:long (layer >= 133)
    0x36C6019A: ("chat", 8),  # peerChat chat_id:long
    0xA2A5371E: ("channel", 8),  # peerChannel channel_id:long
    0x9DB1BC6D: ("user", 4),  # peerUser user_id:int (layer < 133)
    0xBAD0E5BB: ("chat", 4),
    0xBDDDE532: ("channel", 4),
}
MAX_STRING = 1 << 24  # the 3-byte length limit of the format


class TLError(ValueError):
    """The bytes are not the TL field the reader was asked for."""


class Peer(NamedTuple):
    type: str  # user | chat | channel
    id: int


class TLReader:
    """Sequential, bounds-checked reads from a TL-serialised blob."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def _take(self, size: int) -> bytes:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise TLError(f"{size} bytes wanted at {self.pos}, blob has {len(self.data)}")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u32(self) -> int:
        return int.from_bytes(self._take(4), "little")

    def i32(self) -> int:
        return int.from_bytes(self._take(4), "little", signed=True)

    def i64(self) -> int:
        return int.from_bytes(self._take(8), "little", signed=True)

    def f64(self) -> float:
        value: float = struct.unpack("<d", self._take(8))[0]
        return value

    def skip(self, size: int) -> None:
        self._take(size)

    def raw_bytes(self) -> bytes:
        first = self._take(1)[0]
        if first < 254:
            size, header = first, 1
        elif first == 254:
            size, header = int.from_bytes(self._take(3), "little"), 4
        else:
            raise TLError(f"no TL string at {self.pos - 1}")
        data = self._take(size)
        padding = self._take(-(header + size) % 4)
        if padding.strip(b"\x00"):
            raise TLError(f"non-zero padding after a string at {self.pos}")
        return data

    def string(self) -> str:
        try:
            return self.raw_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TLError(f"string is not UTF-8: {exc}") from exc

    def peer(self) -> Peer:
        constructor = self.u32()
        known = PEER_CONSTRUCTORS.get(constructor)
        if known is None:
            raise TLError(f"not a Peer constructor: {constructor:#010x}")
        kind, width = known
        value = self.i64() if width == 8 else self.i32()
        return Peer(kind, value)

    def peek_u32(self) -> int | None:
        if self.pos + 4 > len(self.data):
            return None
        return int.from_bytes(self.data[self.pos : self.pos + 4], "little")


def string_at(data: bytes, pos: int) -> tuple[str, int] | None:
    """The TL string starting at `pos` and the offset after it, or None when the bytes there
    are not a well-formed, zero-padded UTF-8 TL string."""
    reader = TLReader(data, pos)
    try:
        value = reader.string()
    except TLError:
        return None
    return value, reader.pos
