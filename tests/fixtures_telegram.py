"""Telegram for Android `cache4.db` fixtures: the app's real table schemas and TL-serialised
objects written field by field in the layouts of the published API schema.

The current-layer message and user objects, the peers and the TL primitives are written by
`triage_app.sample.tl` (the workshop sample uses them too). Layouts written here (flags bits
as in the schema):
- message (layer 119-132): flags, id:int, from_id:flags.8?Peer(int ids), peer_id:Peer, date,
  message, media
- messageService: flags, id:int, from_id:flags.8?Peer, peer_id:Peer, date:int, action
- chat: flags, id:long, title; channel: flags, flags2, id:long, access_hash:flags.13?long, title
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from triage_app.sample.android_schemas import TELEGRAM_MESSAGES_V2, TELEGRAM_TABLES
from triage_app.sample.tl import PEER_CHANNEL as PEER_CHANNEL
from triage_app.sample.tl import PEER_CHAT as PEER_CHAT
from triage_app.sample.tl import PEER_USER as PEER_USER
from triage_app.sample.tl import PEER_USER_OLD as PEER_USER_OLD
from triage_app.sample.tl import i64, tl_string, u32
from triage_app.sample.tl import message as message
from triage_app.sample.tl import peer as peer
from triage_app.sample.tl import user as user

# Schema of Telegram 7.7 (cache4.db user_version 78), as in the corpus copy: the tables common
# to both clients (`triage_app.sample.android_schemas`) and its message table.
SCHEMA_V78 = "".join(f"{statement};\n" for statement in TELEGRAM_TABLES)
MESSAGES_V78 = """
CREATE TABLE messages(mid INTEGER PRIMARY KEY, uid INTEGER, read_state INTEGER,
  send_state INTEGER, date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER,
  replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB,
  thread_reply_id INTEGER);
"""
# The current client's table (MessagesStorage, Telegram 10.x).
MESSAGES_V2 = TELEGRAM_MESSAGES_V2 + ";\n"

MESSAGE_LAYER_12X, MESSAGE_SERVICE = 0x58AE39C9, 0x7A800E0A
MEDIA_PHOTO, MEDIA_GEO, GEO_POINT = 0xE216EB63, 0x56E0D474, 0xB2A2F663
ACTION_PHONE_CALL, ACTION_CHAT_CREATE = 0x80E11A7F, 0xBD47CBAD
REASON_MISSED, REASON_HANGUP = 0x85E42301, 0x57ADC690
CHAT, CHANNEL = 0x41CBF256, 0x1C32B11C


def message_layer_12x(mid: int, date: int, text: str, *, to: bytes, sender: bytes) -> bytes:
    """A message of layers 119-132 (one flags word, 32-bit peer ids)."""
    return u32(MESSAGE_LAYER_12X) + u32(256) + u32(mid) + sender + to + u32(date) + tl_string(text)


def service(mid: int, date: int, action: bytes, *, to: bytes, sender: bytes) -> bytes:
    return u32(MESSAGE_SERVICE) + u32(256) + u32(mid) + sender + to + u32(date) + action


def phone_call(call_id: int, *, reason: int | None, duration: int | None) -> bytes:
    flags = (1 if reason is not None else 0) | (2 if duration is not None else 0)
    blob = u32(ACTION_PHONE_CALL) + u32(flags) + i64(call_id)
    if reason is not None:
        blob += u32(reason)
    if duration is not None:
        blob += u32(duration)
    return blob


def geo_media(lat: float, lon: float) -> bytes:
    return u32(MEDIA_GEO) + u32(GEO_POINT) + u32(0) + struct.pack("<dd", lon, lat) + i64(77)


def chat(chat_id: int, title: str) -> bytes:
    return u32(CHAT) + u32(0) + i64(chat_id) + tl_string(title) + u32(0)


def channel(channel_id: int, title: str) -> bytes:
    return u32(CHANNEL) + u32(1 << 13) + u32(0) + i64(channel_id) + i64(99) + tl_string(title)


def write_cache4(
    path: Path, *, current: bool, rows: list[tuple[object, ...]] | None = None
) -> Path:
    """A cache4.db of either schema; `rows` are (mid, uid, date, data, out) messages. A
    channel message's `mid` carries the channel id in its high 32 bits, as Telegram 7.x
    stored it; the current schema keeps the plain id and sets `is_channel` instead."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V78 + (MESSAGES_V2 if current else MESSAGES_V78))
    table = "messages_v2" if current else "messages"
    for mid, uid, date, data, out in rows or []:
        mid = int(mid)  # type: ignore[call-overload]
        values: list[object] = [mid, uid, date, data, out]
        columns = "mid, uid, date, data, out"
        if current:
            values = [mid & 0xFFFFFFFF, uid, date, data, out, int(mid >> 32 != 0)]
            columns += ", is_channel"
        marks = ", ".join("?" * len(values))
        conn.execute(f"INSERT INTO {table}({columns}) VALUES ({marks})", values)
    conn.commit()
    conn.close()
    return path
