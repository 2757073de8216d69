"""The sample iPhone's message stores: Messages' `sms.db` (iMessage and SMS) and WhatsApp's
`ChatStorage.sqlite`, in the app schemas of `ios_schemas.py`.

sms.db (the layout documented in `parsers/imessage.py`): one `handle` per correspondent and
service, one `chat` per conversation (style 45 = one-to-one, `chat_identifier` = the peer's
number), messages in the order they reached the phone with `date` in Cocoa NANOSECONDS (iOS
11+), `is_from_me` for the owner's messages and `handle_id` = the peer in both directions;
a received photo is an `attachment` row (filename `~/Library/SMS/Attachments/xx/nn/<GUID>/
<name>`, transfer_state 5 = finished) joined to its message, and its file is stored in
MediaDomain at that path.

ChatStorage.sqlite (`parsers/whatsapp_ios.py`): one ZWACHATSESSION per chat (ZCONTACTJID =
`<digits>@s.whatsapp.net`, ZPARTNERNAME = the contact's name, ZSESSIONTYPE 0 = one-to-one),
one ZWAMESSAGE per message (ZISFROMME, ZFROMJID on received and ZTOJID on sent messages,
ZMESSAGEDATE/ZSENTDATE in Cocoa seconds, REAL).

Group chats and sent attachments are not part of the iPhone's story; they are refused rather
than written half-right.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime

import phonenumbers

from .ios_manifest import BackupFile
from .ios_schemas import CHAT_STORAGE, SMS_DB, cocoa_seconds, sqlite_bytes
from .photos import make_photo
from .scenario import SEED, Chat, Device, Message, Photo, person

WHATSAPP_DOMAIN = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
SMS_DB_PATH = "Library/SMS/sms.db"
CAMERA = {"make": "Apple", "model": "iPhone 12"}
_NS = 1_000_000_000
_SERVICES = {"imessage": "iMessage", "sms": "SMS"}
_ONE_TO_ONE, _JOINED, _FINISHED = 45, 3, 5
_HANDLE = "INSERT INTO handle (ROWID, id, country, service) VALUES (?,?,?,?)"
_CHAT = (
    "INSERT INTO chat (ROWID, guid, style, state, chat_identifier, service_name, display_name)"
    " VALUES (?,?,?,?,?,?,?)"
)
_MESSAGE = (
    "INSERT INTO message (ROWID, guid, text, handle_id, service, date, date_delivered,"
    " is_from_me, is_read, is_sent, is_delivered, is_finished, cache_has_attachments)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_ATTACHMENT = (
    "INSERT INTO attachment (ROWID, guid, created_date, filename, uti, mime_type,"
    " transfer_state, is_outgoing, transfer_name, total_bytes) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_SESSION = (
    "INSERT INTO ZWACHATSESSION (Z_PK, ZARCHIVED, ZSESSIONTYPE, ZUNREADCOUNT, ZLASTMESSAGE,"
    " ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) VALUES (?,0,0,0,?,?,?,?)"
)
_WA_MESSAGE = (
    "INSERT INTO ZWAMESSAGE (Z_PK, ZISFROMME, ZMESSAGETYPE, ZCHATSESSION, ZMESSAGEDATE,"
    " ZSENTDATE, ZFROMJID, ZTOJID, ZSTANZAID, ZTEXT) VALUES (?,?,0,?,?,?,?,?,?,?)"
)


def sample_guid(*parts: str) -> str:
    """A GUID that is the same on every run (UUID v5 of the seed and `parts`), upper case as
    Apple's apps write them."""
    name = "/".join(("qarina-sample", SEED, *parts))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name)).upper()


def photo_named(device: Device, name: str) -> Photo:
    for photo in device.photos:
        if photo.name == name:
            return photo
    raise ValueError(f"{device.key}: no photo called {name!r}")


def received_photos(device: Device) -> set[str]:
    """Photos that reached the phone as a message attachment (stored with the message)."""
    return {
        m.attachment
        for chat in device.chats
        for m in chat.messages
        if m.attachment and m.sender != device.owner
    }


def region_of(phone: str) -> str:
    """The ISO country code of an E.164 number ("LY"), "" when unknown."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(phone)) or ""


def _peer(chat: Chat) -> str:
    if len(chat.members) != 1:
        raise ValueError(f"{chat.app} group chats are not written by the iPhone builder")
    return chat.members[0]


def _timeline(chats: list[Chat]) -> list[tuple[int, Chat, Message]]:
    """The messages of `chats` in the order they reached the phone, each with its chat's
    1-based index (chat order, then message order, break ties)."""
    entries = [
        (m.when, index, n, chat, m)
        for index, chat in enumerate(chats, 1)
        for n, m in enumerate(chat.messages)
    ]
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    return [(index, chat, m) for _, index, _, chat, m in entries]


def _latest(chats: Iterable[Chat], default: datetime) -> datetime:
    return max((m.when for chat in chats for m in chat.messages), default=default)


def _attachment(
    device: Device, message: Message, number: int
) -> tuple[tuple[object, ...], BackupFile]:
    if message.sender == device.owner:
        raise ValueError("sent attachments are not written by the iPhone builder")
    photo = photo_named(device, message.attachment)
    data = make_photo(photo, **CAMERA)
    guid = sample_guid("sms-attachment", str(number))
    digest = hashlib.sha1(guid.encode()).hexdigest()
    relative = f"Library/SMS/Attachments/{digest[:2]}/{int(digest[2:4], 16) % 16:02d}/{guid}/"
    relative += photo.name
    row = (number, guid, cocoa_seconds(message.when), "~/" + relative, "public.jpeg",
           "image/jpeg", _FINISHED, 0, photo.name, len(data))  # fmt: skip
    return row, BackupFile("MediaDomain", relative, data, message.when, message.when)


def sms_files(device: Device, setup: datetime) -> list[BackupFile]:
    """sms.db with the device's iMessage and SMS chats, and the files of their attachments."""
    chats = [c for c in device.chats if c.app in _SERVICES]
    handles, chat_rows = [], []
    for index, chat in enumerate(chats, 1):
        phone, service = person(_peer(chat)).phone, _SERVICES[chat.app]
        handles.append((index, phone, region_of(phone).lower(), service))
        chat_rows.append((index, f"{service};-;{phone}", _ONE_TO_ONE, _JOINED, phone, service, ""))
    messages: list[tuple[object, ...]] = []
    attachments: list[tuple[object, ...]] = []
    chat_links, attachment_links, files = [], [], []
    for rowid, (index, chat, m) in enumerate(_timeline(chats), 1):
        outgoing = int(m.sender == device.owner)
        date = cocoa_seconds(m.when) * _NS
        messages.append((rowid, sample_guid("sms", str(rowid)), m.text, index,
                         _SERVICES[chat.app], date, date * outgoing, outgoing, 1 - outgoing,
                         outgoing, 1, 1, int(bool(m.attachment))))  # fmt: skip
        chat_links.append((index, rowid))
        if m.attachment:
            row, stored = _attachment(device, m, len(attachments) + 1)
            attachments.append(row)
            attachment_links.append((rowid, row[0]))
            files.append(stored)
    database = sqlite_bytes(SMS_DB, [
        (_HANDLE, handles), (_CHAT, chat_rows),
        ("INSERT INTO chat_handle_join VALUES (?,?)", [(i, i) for i, _ in enumerate(chats, 1)]),
        (_MESSAGE, messages), ("INSERT INTO chat_message_join VALUES (?,?)", chat_links),
        (_ATTACHMENT, attachments),
        ("INSERT INTO message_attachment_join VALUES (?,?)", attachment_links),
    ])  # fmt: skip
    sms = BackupFile("HomeDomain", SMS_DB_PATH, database, _latest(chats, setup), setup)
    return [sms, *files]


def jid(phone: str) -> str:
    """The WhatsApp JID of an E.164 number."""
    return phone.lstrip("+") + "@s.whatsapp.net"


def whatsapp_files(device: Device, setup: datetime) -> list[BackupFile]:
    """ChatStorage.sqlite in WhatsApp's shared app-group container (none without chats)."""
    chats = [c for c in device.chats if c.app == "whatsapp"]
    if not chats:
        return []
    messages, last = [], {}
    for pk, (index, chat, m) in enumerate(_timeline(chats), 1):
        if m.attachment:
            raise ValueError("WhatsApp media are not written by the iPhone builder")
        peer = jid(person(_peer(chat)).phone)
        outgoing = m.sender == device.owner
        date = float(cocoa_seconds(m.when))
        stanza = sample_guid("whatsapp", str(pk)).replace("-", "")[:20]
        messages.append((pk, int(outgoing), index, date, date, None if outgoing else peer,
                         peer if outgoing else None, stanza, m.text))  # fmt: skip
        last[index] = (pk, date)
    sessions = [
        (index, *last.get(index, (None, None)), jid(person(_peer(chat)).phone),
         person(_peer(chat)).name)
        for index, chat in enumerate(chats, 1)
    ]  # fmt: skip
    database = sqlite_bytes(CHAT_STORAGE, [(_SESSION, sessions), (_WA_MESSAGE, messages)])
    return [BackupFile(WHATSAPP_DOMAIN, "ChatStorage.sqlite", database, _latest(chats, setup),
                       setup)]  # fmt: skip
