"""WhatsApp on the sample Android phone: `msgstore.db`, `wa.db` and the received images.

msgstore.db, current schema (`parsers/whatsapp_android.py` documents the layout): WhatsApp's
placeholder row first (`_id` 1, chat -1, key "-1", created with every database), then one
`message` row per message in the order they reached the phone, pointing to its `chat` and,
in a group, to the sender's `jid`; the owner's messages have `from_me` 1 and no sender.
Times are milliseconds since 1970 UTC. JIDs are `<digits of the E.164 number>@s.whatsapp.net`;
a group is `<creator's digits>-<creation time in seconds>@g.us` with its title in
`chat.subject`. A message sent with a photo is an image (`message_type` 1, its text the
caption) with a `message_media` row: `file_path` relative to the WhatsApp folder, the size,
MIME type, picture size and WhatsApp's `file_hash` (base64 of the SHA-256 of the file).
WhatsApp calls are `call_log` rows (`call_result` 5 connected, 4 missed, 3 unavailable).

wa.db: one `wa_contacts` row per WhatsApp user of the address book (`display_name` as saved
in contacts2.db, `wa_name` the name the person set in WhatsApp — here the Arabic one) and
one per group (the parser leaves groups out).

Media: Android 11+ WhatsApp keeps its folder at `Android/media/com.whatsapp/WhatsApp/` of the
shared storage (`data/media/0/` in a file-system extraction). A received image is renamed
`IMG-<local date>-WA<nnnn>.jpg` (a counter per day) and re-encoded without its EXIF block;
the sample keeps the picture and drops the EXIF segment, so the copy carries no GPS position:
only the camera original in DCIM does, and each located photo is counted once.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from .android_phone import typed_number, unix_ms
from .android_schemas import PAGE_SIZE, WA_CONTACTS, WA_CURRENT_SCHEMA
from .fsmodel import FsFile
from .ios_schemas import sqlite_bytes
from .photos import LOCAL_OFFSET, SIZE
from .scenario import SEED, Chat, Device, Message, person

PACKAGE_DIR = "/data/data/com.whatsapp"
MEDIA_DIR = "/data/media/0/Android/media/com.whatsapp/WhatsApp"
_USER, _GROUP = 0, 1  # jid.type
_READ, _RECEIVED = 13, 0  # message.status of a sent message read by all / a received one
_IMAGE, _TEXT = 1, 0  # message_type
_CONNECTED, _UNAVAILABLE, _MISSED = 5, 3, 4  # call_log.call_result


def jid(key: str) -> str:
    """The WhatsApp JID of a person of the story."""
    return person(key).phone.lstrip("+") + "@s.whatsapp.net"


def group_jid(chat: Chat) -> str:
    created = int(min(m.when for m in chat.messages).timestamp())
    return f"{person(chat.members[0]).phone.lstrip('+')}-{created}@g.us"


def _chat_jid(chat: Chat) -> str:
    return group_jid(chat) if len(chat.members) > 1 else jid(chat.members[0])


def _sample_id(*parts: str) -> str:
    """32 upper-case hex digits (WhatsApp Android's message and call id form), derived from
    the story so that every build gives the same."""
    text = "/".join((SEED, "whatsapp", *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32].upper()


def key_id(message: Message) -> str:
    return _sample_id("message", message.when.isoformat(), message.sender, message.text)


def without_exif(jpeg: bytes) -> bytes:
    """The JPEG without its EXIF APP1 segment (EXIF 2.32 §4.5.4; markers per ITU-T T.81
    Annex B): the segments before the scan are copied except that one, the scan as is."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG file")
    kept, pos = [jpeg[:2]], 2
    while pos + 4 <= len(jpeg) and jpeg[pos + 1] != 0xDA:  # SOS: entropy-coded data follows
        if jpeg[pos] != 0xFF:
            raise ValueError(f"no JPEG marker at offset {pos}")
        end = pos + 2 + int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
        if not (jpeg[pos + 1] == 0xE1 and jpeg[pos + 4 : pos + 10] == b"Exif\x00\x00"):
            kept.append(jpeg[pos:end])
        pos = end
    kept.append(jpeg[pos:])
    return b"".join(kept)


@dataclass(frozen=True)
class _Stored:
    """A message as msgstore.db holds it."""

    rowid: int
    chat: int  # chat._id
    message: Message
    media: str | None  # file path relative to MEDIA_DIR


def media_paths(device: Device) -> dict[Message, str]:
    """Where WhatsApp saved each message's photo, relative to its folder (`MEDIA_DIR`)."""
    with_photo = sorted(
        (m for c in device.chats if c.app == "whatsapp" for m in c.messages if m.attachment),
        key=lambda m: m.when,
    )
    paths: dict[Message, str] = {}
    per_day: dict[str, int] = {}
    for message in with_photo:
        day = (message.when + LOCAL_OFFSET).strftime("%Y%m%d")
        number = per_day[day] = per_day.get(day, -1) + 1
        folder = "Media/WhatsApp Images/" + ("Sent/" if message.sender == device.owner else "")
        paths[message] = f"{folder}IMG-{day}-WA{number:04d}.jpg"
    return paths


def _jids(device: Device, chats: list[Chat]) -> dict[str, tuple[int, str, int]]:
    """raw JID → (jid._id, user part, type), in the order WhatsApp first met them."""
    found: dict[str, tuple[int, str, int]] = {}
    peers = [k for c in chats for k in c.members] + [
        c.peer for c in device.calls if c.app == "whatsapp"
    ]
    for raw, kind in [(jid(k), _USER) for k in peers] + [
        (group_jid(c), _GROUP) for c in chats if len(c.members) > 1
    ]:
        found.setdefault(raw, (len(found) + 1, raw.partition("@")[0], kind))
    return found


def _stored(device: Device, chats: list[Chat]) -> list[_Stored]:
    paths = media_paths(device)
    order = sorted(
        ((m.when, n, m) for n, c in enumerate(chats, start=1) for m in c.messages),
        key=lambda item: (item[0], item[1]),
    )
    return [
        _Stored(rowid, chat, message, paths.get(message))
        for rowid, (_, chat, message) in enumerate(order, start=2)
    ]


def _message_row(
    device: Device, item: _Stored, chats: list[Chat], jids: Mapping[str, tuple[int, str, int]]
) -> tuple[object, ...]:
    m, mine = item.message, item.message.sender == device.owner
    group = len(chats[item.chat - 1].members) > 1
    sender = jids[jid(m.sender)][0] if group and not mine else 0
    ms = unix_ms(m.when)
    return (item.rowid, item.chat, int(mine), key_id(m), sender, _READ if mine else _RECEIVED,
            ms, ms, _IMAGE if item.media else _TEXT, m.text, item.rowid)  # fmt: skip


def _chat_rows(
    chats: list[Chat], stored: list[_Stored], jids: Mapping[str, tuple[int, str, int]]
) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for n, chat in enumerate(chats, start=1):
        mine = [s for s in stored if s.chat == n]
        first, last = unix_ms(mine[0].message.when), mine[-1]
        rows.append((n, jids[_chat_jid(chat)][0], chat.title or None, first, last.rowid,
                     last.rowid, last.rowid, unix_ms(last.message.when)))  # fmt: skip
    return rows


def _call_rows(
    device: Device, jids: Mapping[str, tuple[int, str, int]]
) -> list[tuple[object, ...]]:
    calls = sorted((c for c in device.calls if c.app == "whatsapp"), key=lambda c: c.when)
    rows: list[tuple[object, ...]] = []
    for n, call in enumerate(calls, start=1):
        result = _MISSED if call.direction == "missed" else _CONNECTED
        if call.direction == "outgoing" and not call.seconds:
            result = _UNAVAILABLE
        call_id = _sample_id("call", call.when.isoformat(), call.peer)
        rows.append((n, jids[jid(call.peer)][0], int(call.direction == "outgoing"), call_id,
                     unix_ms(call.when), call.seconds, result))  # fmt: skip
    return rows


_JID = "INSERT INTO jid (_id, user, server, type, raw_string) VALUES (?,?,?,?,?)"
_CHAT = (
    "INSERT INTO chat (_id, jid_row_id, subject, created_timestamp, display_message_row_id,"
    " last_message_row_id, last_read_message_row_id, sort_timestamp, hidden, archived)"
    " VALUES (?,?,?,?,?,?,?,?,0,0)"
)
_PLACEHOLDER = "INSERT INTO message (_id, chat_row_id, from_me, key_id) VALUES (?,?,?,?)"
_MESSAGE = (
    "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status,"
    " timestamp, received_timestamp, message_type, text_data, sort_id)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
_MEDIA = (
    "INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, file_length,"
    " width, height, file_hash, mime_type, transferred) VALUES (?,?,?,?,?,?,?,?,'image/jpeg',1)"
)
_CALL = (
    "INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, duration, call_result,"
    " video_call) VALUES (?,?,?,?,?,?,?,0)"
)


def _media_row(item: _Stored, data: bytes) -> tuple[object, ...]:
    file_hash = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return (item.rowid, item.chat, item.media, len(data), len(data), *SIZE, file_hash)


def msgstore_db(device: Device, media: Mapping[str, bytes]) -> bytes:
    """msgstore.db of the device's WhatsApp chats and calls; `media` = file path relative to
    `MEDIA_DIR` → the bytes stored there."""
    chats = [c for c in device.chats if c.app == "whatsapp"]
    jids = _jids(device, chats)
    stored = _stored(device, chats)
    jid_rows = [
        (i, user, raw.partition("@")[2], kind, raw) for raw, (i, user, kind) in jids.items()
    ]
    return sqlite_bytes(
        (PAGE_SIZE, *WA_CURRENT_SCHEMA),
        (
            (_JID, jid_rows),
            (_CHAT, _chat_rows(chats, stored, jids)),
            (_PLACEHOLDER, [(1, -1, 0, "-1")]),
            (_MESSAGE, [_message_row(device, s, chats, jids) for s in stored]),
            (_MEDIA, [_media_row(s, media[s.media]) for s in stored if s.media]),
            (_CALL, _call_rows(device, jids)),
        ),
    )


def wa_db(device: Device) -> bytes:
    """wa.db: the address book's WhatsApp users, then the groups."""
    chats = [c for c in device.chats if c.app == "whatsapp"]
    users = list(dict.fromkeys(k for c in chats for k in c.members if k in device.contacts))
    rows: list[tuple[object, ...]] = []
    for key in users:
        who = person(key)
        given, _, family = who.name.partition(" ")
        rows.append((jid(key), typed_number(who.phone), device.contacts.index(key) + 1,
                     who.name, given, family or None, who.name_ar))  # fmt: skip
    rows += [(group_jid(c), None, None, c.title, None, None, None) for c in chats if c.title]
    return sqlite_bytes(
        (PAGE_SIZE, WA_CONTACTS),
        (
            (
                "INSERT INTO wa_contacts (jid, is_whatsapp_user, number, raw_contact_id,"
                " display_name, given_name, family_name, wa_name) VALUES (?,1,?,?,?,?,?,?)",
                rows,
            ),
        ),
    )


def whatsapp_files(device: Device, camera: Mapping[str, bytes]) -> list[FsFile]:
    """msgstore.db, wa.db and the received images; `camera` = photo name → the camera's
    JPEG, of which WhatsApp keeps a copy without EXIF."""
    paths = media_paths(device)
    media = {path: without_exif(camera[m.attachment]) for m, path in paths.items()}
    chats = [c for c in device.chats if c.app == "whatsapp"]
    events = [m.when for c in chats for m in c.messages]
    last = max(events + [c.when for c in device.calls if c.app == "whatsapp"])
    files = [
        FsFile(f"{PACKAGE_DIR}/databases/msgstore.db", msgstore_db(device, media), last),
        FsFile(f"{PACKAGE_DIR}/databases/wa.db", wa_db(device), last),
    ]
    files += [FsFile(f"{MEDIA_DIR}/{path}", media[path], m.when) for m, path in paths.items()]
    return files
