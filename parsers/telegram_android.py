"""Telegram for Android: messages, calls, users and imported phone contacts from `cache4.db`.

App: Telegram for Android (`org.telegram.messenger`, `.web`, `.beta` and forks that keep its
storage). The first account's database is `files/cache4.db`, further accounts'
`files/account<N>/cache4.db`. Checked against the corpus copies from IPED
(`org.telegram.messenger.web`, Telegram 7.7, `user_version` 78: the schema lives in the WAL;
the account was not logged in, so only `params` holds a row) and against databases generated
in the tests with that schema (`messages`) and the current client's (`messages_v2` with
`is_channel`, `custom_params`, `group_id`, `reply_to_story_id`, primary key `(mid, uid)`).

Rows carry a few plain columns (`mid`, `uid` = dialog id, `date`, `out`); the content is a
TL-serialised object in `data` (`triage_app.core.tlwire`), whose layout changes with every API
layer. Decoding is deliberately partial and anchored on the plain columns, so it holds across
layers:
- message text: in every message constructor the `date:int` field is directly followed by
  `message:string`; the row's own `date` is searched in the blob and the string after it is
  taken when it is a well-formed, zero-padded UTF-8 TL string. A service message has the
  action constructor there instead (chat created, user added, phone call...).
- sender: the blob's message id (low 32 bits of `mid`) is found after the flags word (a
  second flags word since layer 179); when a Peer follows it (`from_id`, flags bit 8), that
  is the sender.
- media: flags bit 9 means a MessageMedia follows the text; its constructor names the kind
  (photo, document, location...) and a location's GeoPoint gives `lat`/`lon`.
- users and chats: the row's `uid` is found after the flags word(s) as a 32- or 64-bit id,
  then the flags bits for access_hash, first/last name, username and phone are followed.
  The lower-cased `name` column (with `;;;username`) is the fallback.
Rows whose text cannot be recovered are still records (body null, `decoded` false) and are
counted in a warning, so a new layout never yields a silent zero.

Dialog ids: > 0 a user (private chat), < 0 a basic group or channel (chats.uid = -did),
secret chats `0x4000000000000000 | id` (current) or `id << 32` (older); secret chat messages
are stored decrypted like any other.

Records: `message` per message row (thread = dialog id; `thread_name`, `chat_type`,
`sender_name`, `sender_phone`), `call` per phone-call service message (messageActionPhoneCall:
missed/busy incoming calls are `missed`), `contact` per cached Telegram user (`user_id`,
`username`, `in_contacts` when the user is in the account's contact list) and per phone-book
entry the app imported (`user_contacts_v7` + `user_phones_v7`, `source` "address_book").
Telegram stores phone numbers in international form without "+"; records add it.

Timestamps: `date` columns are Unix seconds (UTC); `users.status` > 0 is the last-seen time in
Unix seconds (≤ 0 are hidden/approximate states, not times).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present, side_table
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_s, iso
from triage_app.core.tlwire import Peer, TLError, TLReader, string_at
from triage_app.core.values import as_int, text

_APP = "telegram"
_SECRET_BIT = 0x4000000000000000
# Message constructors of service messages (TL_messageService of layers 16 to 204 and current).
_SERVICE = frozenset(
    {0x7A800E0A, 0xD3D28540, 0x2B085862, 0x286FA604, 0x9E19A1F6, 0xC06B9607, 0x1D86F70E, 0x9F8D60BB}
)
_PHONE_CALL = 0x80E11A7F
_ACTIONS = {
    0xBD47CBAD: "chat_create",
    0xB5A1CE5A: "chat_edit_title",
    0x7FCB13A8: "chat_edit_photo",
    0x95E3FBEF: "chat_delete_photo",
    0x15CEFD00: "chat_add_user",
    0xA43F30CC: "chat_delete_user",
    0x031224C3: "chat_joined_by_link",
    0x95D2AC92: "channel_create",
    0xE1037F92: "chat_migrate_to",
    0xEA3948E9: "channel_migrate_from",
    0x94BD38ED: "pin_message",
    0x9FBAB604: "history_clear",
    _PHONE_CALL: "phone_call",
    0x4792929B: "screenshot_taken",
    0xF3F25F76: "contact_sign_up",
    0x98E0D697: "geo_proximity_reached",
    0x7A0D7F42: "group_call",
    0x3C134D7B: "set_messages_ttl",
    0xEBBCA3CB: "chat_joined_by_request",
}
_DISCARD_REASONS = {
    0x85E42301: "missed",
    0xE095C1A0: "disconnect",
    0x57ADC690: "hangup",
    0xFAF7E8C9: "busy",
}
_MEDIA = {
    0x3DED6320: None,  # messageMediaEmpty
    0xE216EB63: "photo",
    0x56E0D474: "location",
    0x70322949: "contact",
    0x9F84F49E: "unsupported",
    0x52D8CCD9: "document",
    0xDDF10C3B: "web_page",
    0x2EC0533F: "venue",
    0xFDB19008: "game",
    0xF6A548D3: "invoice",
    0xB940C666: "live_location",
    0x773F4E66: "poll",
    0x08CBEC07: "dice",
    0x68CB6283: "story",
}
_GEO_POINT = 0xB2A2F663  # geoPoint flags:# long:double lat:double access_hash:long ...
_MESSAGE_TABLES = ("messages_v2", "messages")
_MESSAGE_COLUMNS = frozenset({"mid", "uid", "date", "data", "out"})
_FLAG_FROM_ID, _FLAG_MEDIA = 1 << 8, 1 << 9


@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str | None
    last_name: str | None
    username: str | None
    phone: str | None
    last_seen: str | None = None  # from users.status, not the blob

    @property
    def name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or None


def _id_layouts(reader: TLReader) -> Iterator[tuple[int, int]]:
    """(id, offset after it) for the id layouts of flagged objects, newest layer first:
    flags2 + long, long, int (ids were 32-bit before layer 133)."""
    for start, width in ((12, 8), (8, 8), (8, 4)):
        if start + width <= len(reader.data):
            raw = reader.data[start : start + width]
            yield int.from_bytes(raw, "little", signed=True), start + width


def decode_user(blob: bytes, uid: int | None = None) -> TgUser | None:
    """A User object's id, names, username and phone; None when no layout fits (when `uid`
    is given, the decoded id must equal it)."""
    if len(blob) < 12:
        return None
    flags = int.from_bytes(blob[4:8], "little")
    for user_id, pos in _id_layouts(TLReader(blob)):
        if uid is not None and user_id != uid:
            continue
        reader = TLReader(blob, pos)
        try:
            if flags & 1:
                reader.skip(8)  # access_hash
            values = [reader.string() if flags & bit else None for bit in (2, 4, 8, 16)]
        except TLError:
            continue
        phone = values[3]
        if phone is not None and not phone.isdigit():
            continue
        return TgUser(user_id, *values)
    return None


def decode_chat_title(blob: bytes, chat_id: int) -> str | None:
    """A Chat or Channel object's title (a channel may carry access_hash before it)."""
    if len(blob) < 12:
        return None
    flags = int.from_bytes(blob[4:8], "little")
    for found, pos in _id_layouts(TLReader(blob)):
        if found != chat_id:
            continue
        offsets = (pos, pos + 8) if flags & (1 << 13) else (pos,)
        for offset in offsets:
            title = string_at(blob, offset)
            if title is not None and title[0]:
                return title[0]
    return None


@dataclass
class TgMessage:
    decoded: bool = False
    body: str | None = None
    sender: Peer | None = None
    action: str | None = None
    media: str | None = None
    lat: float | None = None
    lon: float | None = None
    call_reason: str | None = None
    call_duration: int | None = None
    call_video: bool = False


def decode_message(blob: bytes, mid: int, date: int | None) -> TgMessage:
    """What can be read of a Message object without knowing its layer (module docstring)."""
    result = TgMessage()
    if len(blob) < 12:
        return result
    constructor, flags = struct.unpack_from("<II", blob)
    result.sender = _sender(blob, flags, mid)
    if date is None:
        return result
    needle = struct.pack("<i", date)
    pos = blob.find(needle, 8)
    while pos != -1:
        after = pos + 4
        action = TLReader(blob, after).peek_u32()
        if action in _ACTIONS and (constructor in _SERVICE or string_at(blob, after) is None):
            result.decoded, result.action = True, _ACTIONS[action]
            if action == _PHONE_CALL:
                _read_call(blob, after + 4, result)
            return result
        if constructor not in _SERVICE:
            found = string_at(blob, after)
            if found is not None:
                result.decoded, result.body = True, found[0] or None
                if flags & _FLAG_MEDIA:
                    _read_media(blob, found[1], result)
                return result
        pos = blob.find(needle, pos + 1)
    return result


def _sender(blob: bytes, flags: int, mid: int) -> Peer | None:
    if not flags & _FLAG_FROM_ID:
        return None
    wanted = mid & 0xFFFFFFFF
    for id_pos in (8, 12):
        if int.from_bytes(blob[id_pos : id_pos + 4], "little") != wanted:
            continue
        reader = TLReader(blob, id_pos + 4)
        try:
            return reader.peer()
        except TLError:
            continue
    return None


def _read_call(blob: bytes, pos: int, result: TgMessage) -> None:
    reader = TLReader(blob, pos)
    try:
        flags = reader.u32()
        reader.skip(8)  # call_id
        if flags & 1:
            result.call_reason = _DISCARD_REASONS.get(reader.u32(), "other")
        if flags & 2:
            result.call_duration = reader.i32()
        result.call_video = bool(flags & 4)
    except TLError:
        return


def _read_media(blob: bytes, pos: int, result: TgMessage) -> None:
    reader = TLReader(blob, pos)
    try:
        constructor = reader.u32()
        result.media = _MEDIA.get(constructor, f"media {constructor:#010x}")
        if result.media == "live_location":
            reader.skip(4)  # flags
        if result.media in ("location", "venue", "live_location") and reader.u32() == _GEO_POINT:
            reader.skip(4)  # flags
            lon, lat = reader.f64(), reader.f64()
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                result.lat, result.lon = round(lat, 7), round(lon, 7)
    except TLError:
        return


@dataclass(frozen=True)
class Dialog:
    id: int
    chat_type: str  # private | group | channel | secret
    name: str | None
    user: TgUser | None  # the other party of a private or secret chat


class TelegramAndroid(SQLiteParser):
    name = "telegram_android"
    version = "1.0"
    kinds = ("message", "call", "contact")
    path_globs = ("*/cache4.db",)
    identify = frozenset({"users", "chats", "dialogs"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "users": frozenset({"uid", "name", "status", "data"}),
        "chats": frozenset({"uid", "name", "data"}),
    }
    reads = frozenset({"params", *_MESSAGE_TABLES, "contacts", "enc_chats", "user_contacts_v7"})

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        users, undecoded = _users(conn)
        if undecoded:
            ctx.warn(f"{undecoded} user record(s) not decoded: lower-cased search names shown")
        contacts = _contact_ids(conn, tables)
        yield from _user_contacts(conn, ctx, users, contacts)
        yield from _address_book(conn, ctx, tables, users)
        table = next((t for t in _MESSAGE_TABLES if t in tables), None)
        if table is None:
            ctx.warn("no messages or messages_v2 table (schema drift): messages not read")
            return
        if not side_table(tables, ctx, table, _MESSAGE_COLUMNS):
            return
        dialogs = _DialogNames(conn, tables, users)
        yield from _messages(conn, ctx, table, tables, dialogs)


def _users(conn: sqlite3.Connection) -> tuple[dict[int, TgUser], int]:
    users: dict[int, TgUser] = {}
    undecoded = 0
    for uid, name, status, data in conn.execute("SELECT uid, name, status, data FROM users"):
        if not isinstance(uid, int):
            continue
        user = decode_user(data, uid) if isinstance(data, bytes) else None
        search_name, _, username = (text(name) or "").partition(";;;")
        if user is None:
            undecoded += 1
            user = TgUser(uid, search_name or None, None, username or None, None)
        users[uid] = replace(user, last_seen=_last_seen(status))
    return users, undecoded


def _contact_ids(conn: sqlite3.Connection, tables: dict[str, set[str]]) -> set[int]:
    if "uid" not in tables.get("contacts", set()):
        return set()
    return {row[0] for row in conn.execute("SELECT uid FROM contacts")}


def _phone(value: str | None) -> str | None:
    return f"+{value}" if value and value.isdigit() else value


def _user_contacts(
    conn: sqlite3.Connection, ctx: ParseContext, users: dict[int, TgUser], contacts: set[int]
) -> Iterator[Artifact]:
    for uid, user in users.items():
        ctx.cancel.check()
        phone = _phone(user.phone)
        fields = {
            "app": _APP,
            "name": user.name,
            "phones": [phone] if phone else [],
            "emails": [],
            "user_id": uid,
            "username": user.username,
            "in_contacts": uid in contacts,
            "last_seen": user.last_seen,
        }
        yield Artifact("contact", fields, source_table="users", source_rowid=uid)


def _address_book(
    conn: sqlite3.Connection,
    ctx: ParseContext,
    tables: dict[str, set[str]],
    users: dict[int, TgUser],
) -> Iterator[Artifact]:
    if "user_contacts_v7" not in tables:
        return
    if not side_table(tables, ctx, "user_contacts_v7", ("key", "uid", "fname", "sname")):
        return
    phones: dict[str, list[str]] = {}
    if side_table(tables, ctx, "user_phones_v7", ("key", "phone")):
        for key, phone in conn.execute("SELECT key, phone FROM user_phones_v7 ORDER BY rowid"):
            if text(phone):
                phones.setdefault(str(key), []).append(str(phone))
    rows = conn.execute("SELECT rowid, key, uid, fname, sname FROM user_contacts_v7 ORDER BY rowid")

    def convert(row: sqlite3.Row) -> Artifact:
        name = " ".join(p for p in (text(row["fname"]), text(row["sname"])) if p) or None
        uid = as_int(row["uid"])
        fields = {
            "app": _APP,
            "name": name,
            "phones": phones.get(str(row["key"]), []),
            "emails": [],
            "source": "address_book",
            "user_id": uid or None,
        }
        return Artifact("contact", fields, source_table="user_contacts_v7", source_rowid=row[0])

    yield from each_row(ctx, rows, "user_contacts_v7", "key", convert)


class _DialogNames:
    """Dialog id → chat type, name and (for one-to-one chats) the other user."""

    def __init__(
        self, conn: sqlite3.Connection, tables: dict[str, set[str]], users: dict[int, TgUser]
    ) -> None:
        self.users = users
        self.chats: dict[int, str | None] = {}
        self.undecoded_chats = 0
        for uid, name, data in conn.execute("SELECT uid, name, data FROM chats"):
            title = decode_chat_title(data, uid) if isinstance(data, bytes) else None
            if title is None:
                self.undecoded_chats += 1
                title = (text(name) or "").partition(";;;")[0] or None
            self.chats[uid] = title
        self.secret: dict[int, int] = {}
        if {"uid", "user"} <= tables.get("enc_chats", set()):
            self.secret = dict(conn.execute("SELECT uid, user FROM enc_chats"))
        self._cache: dict[int, Dialog] = {}

    def get(self, did: int, channel_hint: bool) -> Dialog:
        if did not in self._cache:
            self._cache[did] = self._resolve(did, channel_hint)
        return self._cache[did]

    def _resolve(self, did: int, channel_hint: bool) -> Dialog:
        if did < 0:
            kind = "channel" if channel_hint else "group"
            return Dialog(did, kind, self.chats.get(-did), None)
        secret_id = None
        if did & _SECRET_BIT:
            secret_id = did & 0xFFFFFFFF
        elif did & 0xFFFFFFFF == 0:
            secret_id = did >> 32
        if secret_id is not None:
            user = self.users.get(self.secret.get(secret_id, 0))
            return Dialog(did, "secret", user.name if user else None, user)
        user = self.users.get(did) or TgUser(did, None, None, None, None)
        return Dialog(did, "private", user.name, user)


def _messages(
    conn: sqlite3.Connection,
    ctx: ParseContext,
    table: str,
    tables: dict[str, set[str]],
    dialogs: _DialogNames,
) -> Iterator[Artifact]:
    optional = present(tables, table, ("is_channel",))
    columns = ", ".join(["rowid AS row_id", "mid", "uid", "date", "data", "out", *optional])
    rows = conn.execute(f"SELECT {columns} FROM {table} ORDER BY date, rowid")
    stats = {"rows": 0, "undecoded": 0}

    def convert(row: sqlite3.Row) -> Artifact | None:
        stats["rows"] += 1
        blob, mid, did = row["data"], as_int(row["mid"]), as_int(row["uid"])
        if mid is None or did is None:
            raise ValueError("mid or uid is not a number")
        date = as_int(row["date"])
        message = decode_message(blob if isinstance(blob, bytes) else b"", mid, date)
        if not message.decoded:
            stats["undecoded"] += 1
        hint = bool(row["is_channel"]) if optional else mid >> 32 != 0
        dialog = dialogs.get(did, hint)
        return _record(row, table, dialog, message, dialogs.users)

    yield from each_row(ctx, rows, table, "mid", convert)
    if dialogs.undecoded_chats:
        ctx.warn(f"{dialogs.undecoded_chats} chat title(s) not decoded: search names shown")
    if stats["undecoded"]:
        ctx.warn(
            f"{stats['undecoded']} of {stats['rows']} message(s) in {table} not decoded "
            "(TL layout not recognised): recorded without text"
        )


def _record(
    row: sqlite3.Row, table: str, dialog: Dialog, message: TgMessage, users: dict[int, TgUser]
) -> Artifact:
    outgoing = bool(row["out"])
    sender_id: int | None = None
    if message.sender is not None and message.sender.type == "user":
        sender_id = message.sender.id
    elif not outgoing and dialog.user is not None:
        sender_id = dialog.user.id
    elif not outgoing and dialog.chat_type == "private":
        sender_id = dialog.id
    sender = users.get(sender_id) if sender_id is not None else None
    ts = from_unix_s(row["date"])
    common: dict[str, Any] = {"app": _APP}
    if message.action == "phone_call":
        other = dialog.user
        direction = "outgoing" if outgoing else "incoming"
        if not outgoing and message.call_reason in ("missed", "busy"):
            direction = "missed"
        fields = common | {
            "number": _phone(other.phone) if other else None,
            "name": dialog.name,
            "direction": direction,
            "duration_s": message.call_duration,
            "user_id": other.id
            if other
            else (dialog.id if dialog.chat_type == "private" else None),
            "video": message.call_video,
            "reason": message.call_reason,
        }
        return Artifact("call", fields, ts, row["date"], False, table, row["row_id"])
    recipients: list[str] = []
    if outgoing and dialog.chat_type in ("private", "secret"):
        recipients = [str(dialog.user.id if dialog.user else dialog.id)]
    fields = common | {
        "thread": str(dialog.id),
        "sender": str(sender_id) if sender_id is not None else None,
        "recipients": recipients,
        "direction": "outgoing" if outgoing else "incoming",
        "body": message.body,
        "attachments": [message.media] if message.media else [],
        "thread_name": dialog.name,
        "chat_type": dialog.chat_type,
        "sender_name": sender.name if sender else None,
        "sender_phone": _phone(sender.phone) if sender else None,
        "message_id": _int32(row["mid"]),
    }
    if message.action:
        fields["service"] = message.action
    if message.lat is not None:
        fields["lat"], fields["lon"] = message.lat, message.lon
    if not message.decoded:
        fields["decoded"] = False
    return Artifact("message", fields, ts, row["date"], False, table, row["row_id"])


def _int32(value: int) -> int:
    """The message id inside a `mid` (channel messages of older versions carry the channel
    id in the high 32 bits; unsent local messages have negative ids)."""
    low = value & 0xFFFFFFFF
    return low - (1 << 32) if low & 0x80000000 else low


def _last_seen(status: Any) -> str | None:
    """`users.status` as a time when it is one (> 0); None for anything else (one bad cell
    must not cost the user map, and with it every message)."""
    try:
        value = as_int(status)
    except (TypeError, ValueError, OverflowError):
        return None
    return iso(from_unix_s(value)) if value and value > 0 else None
