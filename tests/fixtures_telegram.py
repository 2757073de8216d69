"""Telegram for Android `cache4.db` fixtures: the app's real table schemas and TL-serialised
objects written field by field in the layouts of the published API schema.

Layouts written here (flags bits as in the schema):
- message (layer >= 179): flags, flags2, id:int, from_id:flags.8?Peer, peer_id:Peer,
  fwd_from:flags.2?MessageFwdHeader, date:int, message:string, media:flags.9?MessageMedia
- message (layer 119-132): flags, id:int, from_id:flags.8?Peer(int ids), peer_id:Peer, date,
  message, media
- messageService: flags, id:int, from_id:flags.8?Peer, peer_id:Peer, date:int, action
- user (layer >= 145): flags, flags2, id:long, access_hash:flags.0?long, first_name:flags.1,
  last_name:flags.2, username:flags.3, phone:flags.4, ...; user#938458c1 with id:int
- chat: flags, id:long, title; channel: flags, flags2, id:long, access_hash:flags.13?long, title
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

# Schema of Telegram 7.7 (cache4.db user_version 78), as in the corpus copy.
SCHEMA_V78 = """
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER,
  last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER,
  unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER,
  folder_id INTEGER, data BLOB);
CREATE TABLE contacts(uid INTEGER PRIMARY KEY, mutual INTEGER);
CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER, name TEXT, data BLOB, g BLOB,
  authkey BLOB, ttl INTEGER, layer INTEGER, seq_in INTEGER, seq_out INTEGER,
  use_count INTEGER, exchange_id INTEGER, key_date INTEGER, fprint INTEGER, fauthkey BLOB,
  khash BLOB, in_seq_no INTEGER, admin_id INTEGER, mtproto_seq INTEGER);
CREATE TABLE user_contacts_v7(key TEXT PRIMARY KEY, uid INTEGER, fname TEXT, sname TEXT,
  imported INTEGER);
CREATE TABLE user_phones_v7(key TEXT, phone TEXT, sphone TEXT, deleted INTEGER,
  PRIMARY KEY (key, phone));
CREATE TABLE params(id INTEGER PRIMARY KEY, seq INTEGER, pts INTEGER, date INTEGER,
  qts INTEGER, lsv INTEGER, sg INTEGER, pbytes BLOB);
"""
MESSAGES_V78 = """
CREATE TABLE messages(mid INTEGER PRIMARY KEY, uid INTEGER, read_state INTEGER,
  send_state INTEGER, date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER,
  replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB,
  thread_reply_id INTEGER);
"""
# The current client's table (MessagesStorage, Telegram 10.x).
MESSAGES_V2 = """
CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER,
  date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB,
  imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER,
  is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB, group_id INTEGER,
  reply_to_story_id INTEGER, PRIMARY KEY(mid, uid));
"""

PEER_USER, PEER_CHAT, PEER_CHANNEL = 0x59511722, 0x36C6019A, 0xA2A5371E
PEER_USER_OLD = 0x9DB1BC6D
MESSAGE_CURRENT, MESSAGE_LAYER_12X, MESSAGE_SERVICE = 0x7600B9D3, 0x58AE39C9, 0x7A800E0A
FWD_HEADER = 0x4E4DF4BB
MEDIA_PHOTO, MEDIA_GEO, GEO_POINT = 0xE216EB63, 0x56E0D474, 0xB2A2F663
ACTION_PHONE_CALL, ACTION_CHAT_CREATE = 0x80E11A7F, 0xBD47CBAD
REASON_MISSED, REASON_HANGUP = 0x85E42301, 0x57ADC690
USER_CURRENT, USER_LAYER_12X = 0x31774388, 0x938458C1
CHAT, CHANNEL = 0x41CBF256, 0x1C32B11C


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
    flags = (2 if out else 0) | (256 if sender else 0) | (4 if fwd_date else 0)
    flags |= 512 if media else 0
    blob = u32(MESSAGE_CURRENT) + u32(flags) + u32(0) + u32(mid)
    blob += (sender or b"") + to
    if fwd_date is not None:  # messageFwdHeader flags from_name:flags.5?string date:int
        blob += u32(FWD_HEADER) + u32(32) + tl_string("Forwarded by") + u32(fwd_date)
    blob += u32(date) + tl_string(text) + (media or b"")
    return blob + u32(0)  # entities etc. of later fields are not read


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


def user(
    uid: int,
    first: str | None,
    last: str | None = None,
    username: str | None = None,
    phone: str | None = None,
    *,
    layer_12x: bool = False,
) -> bytes:
    flags = 1 | sum(bit for bit, v in ((2, first), (4, last), (8, username), (16, phone)) if v)
    if layer_12x:
        blob = u32(USER_LAYER_12X) + u32(flags) + u32(uid)
    else:
        blob = u32(USER_CURRENT) + u32(flags) + u32(0) + i64(uid)
    blob += i64(0x1122334455667788)  # access_hash
    for value in (first, last, username, phone):
        if value:
            blob += tl_string(value)
    return blob + u32(0)


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
