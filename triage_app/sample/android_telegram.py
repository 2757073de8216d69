"""Telegram on the sample Android phone: `files/cache4.db` and `shared_prefs/userconfing.xml`.

cache4.db, the current client's schema (`parsers/telegram_android.py` documents the layout):
one `users` row per user the account has met, the owner included (`data` = the TL User
object: names, @username, phone in international form without "+"; `name` = the lower-cased
search name with ";;;username"; `status` = last seen, Unix seconds), one `dialogs` row per
chat, and one `messages_v2` row per message: `mid` the account's message id (a running
number in private chats), `uid` the dialog id (the other user's id in a private chat),
`date` Unix seconds, `out` 1 for the owner's messages, `data` the TL Message object with its
sender (`from_id`) and chat (`peer_id`, the other user in a private chat).

userconfing.xml (the misspelling is the app's) is the first account's SharedPreferences file;
its `user` entry is the owner's own User object, base64-encoded as Android's Base64.DEFAULT
does (lines of 76 characters, each ended by "\\n").

User ids are 64-bit numbers derived from the story (ids above 2^32 are what Telegram gives
accounts made since 2021). Only private chats are written: a group would need chat objects
the story does not call for, and is refused rather than written half-right.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from . import tl
from .android_schemas import PAGE_SIZE, TELEGRAM_MESSAGES_V2, TELEGRAM_TABLES
from .fsmodel import FsFile
from .ios_schemas import sqlite_bytes
from .scenario import SEED, Chat, Device, person

PACKAGE_DIR = "/data/data/org.telegram.messenger"
_FIRST_MID = 1001  # the owner had used Telegram before the story
_PREFS = """<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<map>
    <boolean name="registeredForPush" value="true" />
    <int name="lastContactsSyncTime" value="{sync}" />
    <string name="user">{user}</string>
</map>
"""


def user_id(key: str) -> int:
    """The Telegram user id of a person of the story."""
    digest = hashlib.sha256(f"{SEED}/telegram/{key}".encode()).digest()
    return 5_000_000_000 + int.from_bytes(digest[:4], "big")


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _user_blob(key: str, username: str | None) -> bytes:
    who = person(key)
    first, _, last = who.name.partition(" ")
    return tl.user(user_id(key), first, last or None, username, who.phone.lstrip("+") or None)


def _peer(chat: Chat) -> str:
    if len(chat.members) != 1:
        raise ValueError(f"only private Telegram chats are written, not {chat.members}")
    return chat.members[0]


def _users(device: Device, chats: list[Chat]) -> list[tuple[object, ...]]:
    handles = {_peer(c): c.handle or None for c in chats}
    rows: list[tuple[object, ...]] = []
    for key in [device.owner, *handles]:
        username = handles.get(key)
        said = [m.when for c in chats for m in c.messages if m.sender == key]
        search = person(key).name.lower() + (f";;;{username}" if username else "")
        rows.append((user_id(key), search, _seconds(max(said)) if said else 0,
                     _user_blob(key, username)))  # fmt: skip
    return rows


def _messages(device: Device, chats: list[Chat]) -> list[tuple[object, ...]]:
    order = sorted(
        ((m.when, n, m) for n, c in enumerate(chats) for m in c.messages),
        key=lambda item: (item[0], item[1]),
    )
    rows: list[tuple[object, ...]] = []
    for mid, (when, n, message) in enumerate(order, start=_FIRST_MID):
        dialog = user_id(_peer(chats[n]))
        out = message.sender == device.owner
        blob = tl.message(
            mid, _seconds(when), message.text, out=out,
            to=tl.peer(tl.PEER_USER, dialog), sender=tl.peer(tl.PEER_USER, user_id(message.sender)),
        )  # fmt: skip
        rows.append((mid, dialog, _seconds(when), blob, int(out)))
    return rows


def _dialogs(messages: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """(did, date, last_mid, inbox_max, outbox_max) per dialog, from its messages' rows."""
    dialogs: dict[object, tuple[object, ...]] = {}
    for mid, did, date, _, out in messages:
        _, _, _, inbox, outbox = dialogs.get(did, (did, 0, 0, 0, 0))
        dialogs[did] = (did, date, mid, inbox if out else mid, mid if out else outbox)
    return list(dialogs.values())


def cache4_db(device: Device) -> bytes:
    """cache4.db of the device's Telegram chats."""
    chats = [c for c in device.chats if c.app == "telegram"]
    messages = _messages(device, chats)
    return sqlite_bytes(
        (PAGE_SIZE, *TELEGRAM_TABLES, TELEGRAM_MESSAGES_V2),
        (
            ("INSERT INTO users (uid, name, status, data) VALUES (?,?,?,?)", _users(device, chats)),
            (
                "INSERT INTO dialogs (did, date, last_mid, inbox_max, outbox_max, unread_count,"
                " pinned, flags, folder_id) VALUES (?,?,?,?,?,0,0,0,0)",
                _dialogs(messages),
            ),
            (
                "INSERT INTO messages_v2 (mid, uid, date, data, out, read_state, send_state, ttl,"
                " media, is_channel) VALUES (?,?,?,?,?,1,0,0,0,0)",
                messages,
            ),
        ),
    )


def telegram_files(device: Device) -> list[FsFile]:
    """cache4.db and userconfing.xml, dated by the last Telegram message."""
    last = max(m.when for c in device.chats if c.app == "telegram" for m in c.messages)
    owner = base64.encodebytes(_user_blob(device.owner, None)).decode("ascii")
    prefs = _PREFS.format(sync=_seconds(last), user=owner)
    return [
        FsFile(f"{PACKAGE_DIR}/files/cache4.db", cache4_db(device), last),
        FsFile(f"{PACKAGE_DIR}/shared_prefs/userconfing.xml", prefs.encode("utf-8"), last),
    ]
