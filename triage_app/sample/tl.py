"""Telegram TL objects written field by field, as Telegram for Android stores them in
`cache4.db` and `userconfing.xml` (the writer side of `triage_app.core.tlwire`).

Layouts follow the published API schema (flags bits as there):
- message (layer >= 179): flags, flags2, id:int, from_id:flags.8?Peer, peer_id:Peer,
  fwd_from:flags.2?MessageFwdHeader, date:int, message:string, media:flags.9?MessageMedia
- user (layer >= 145): flags, flags2, id:long, access_hash:flags.0?long, first_name:flags.1,
  last_name:flags.2, username:flags.3, phone:flags.4, ...; user#938458c1 (layers 119-132)
  has one flags word and id:int.
Strings: one length byte (or 0xFE and 3 length bytes), the UTF-8 bytes, zero padding to a
multiple of 4. Fields after the last one Qarina reads are left out (one zero word stands for
them).
"""

from __future__ import annotations

import struct

PEER_USER, PEER_CHAT, PEER_CHANNEL = 0x59511722, 0x36C6019A, 0xA2A5371E
PEER_USER_OLD = 0x9DB1BC6D  # peerUser with a 32-bit id (layers < 133)
MESSAGE_CURRENT = 0x7600B9D3
FWD_HEADER = 0x4E4DF4BB
USER_CURRENT, USER_LAYER_12X = 0x31774388, 0x938458C1
_ACCESS_HASH = 0x1122334455667788
_FLAG_OUT, _FLAG_FWD, _FLAG_FROM_ID, _FLAG_MEDIA = 2, 4, 256, 512


def u32(value: int) -> bytes:
    return struct.pack("<I", value & 0xFFFFFFFF)


def i64(value: int) -> bytes:
    return struct.pack("<q", value)


def tl_string(value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    head = bytes([len(data)]) if len(data) < 254 else b"\xfe" + len(data).to_bytes(3, "little")
    body = head + data
    return body + b"\x00" * (-len(body) % 4)


def peer(kind: int, ident: int) -> bytes:
    return u32(kind) + (u32(ident) if kind == PEER_USER_OLD else i64(ident))


def message(
    mid: int,
    date: int,
    text: str,
    *,
    to: bytes,
    sender: bytes | None = None,
    fwd_date: int | None = None,
    media: bytes | None = None,
    out: bool = False,
) -> bytes:
    """A message of the current layer (two flags words)."""
    flags = (_FLAG_OUT if out else 0) | (_FLAG_FROM_ID if sender else 0)
    flags |= (_FLAG_FWD if fwd_date else 0) | (_FLAG_MEDIA if media else 0)
    blob = u32(MESSAGE_CURRENT) + u32(flags) + u32(0) + u32(mid)
    blob += (sender or b"") + to
    if fwd_date is not None:  # messageFwdHeader flags from_name:flags.5?string date:int
        blob += u32(FWD_HEADER) + u32(32) + tl_string("Forwarded by") + u32(fwd_date)
    blob += u32(date) + tl_string(text) + (media or b"")
    return blob + u32(0)  # entities etc. of later fields are not read


def user(
    uid: int,
    first: str | None,
    last: str | None = None,
    username: str | None = None,
    phone: str | None = None,
    *,
    layer_12x: bool = False,
) -> bytes:
    """A User object; `phone` in international form without "+", as Telegram stores it."""
    flags = 1 | sum(bit for bit, v in ((2, first), (4, last), (8, username), (16, phone)) if v)
    if layer_12x:
        blob = u32(USER_LAYER_12X) + u32(flags) + u32(uid)
    else:
        blob = u32(USER_CURRENT) + u32(flags) + u32(0) + i64(uid)
    blob += i64(_ACCESS_HASH)
    for value in (first, last, username, phone):
        if value:
            blob += tl_string(value)
    return blob + u32(0)
