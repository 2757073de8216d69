"""The sample Android phone's own stores: SMS (`mmssms.db`), contacts (`contacts2.db`) and
the call log (`calllog.db`), in the AOSP schemas of `android_schemas.py`.

mmssms.db (AOSP TelephonyProvider): one `canonical_addresses` row per correspondent, one
`threads` row per conversation (its last date, message count and snippet, what the provider's
triggers keep), one `sms` row per message in the order the phone stored them: `type` 1 inbox /
2 sent, `date` in milliseconds since 1970 UTC, `date_sent` the sender's clock for received
messages and 0 for sent ones, `address` the correspondent as the network gives it (E.164).

contacts2.db (AOSP ContactsProvider2, Samsung's local "Phone" account): per contact one
`contacts`, one `raw_contacts` and `data` rows for the structured name, the phone number
(`data1` as the owner typed it, `data4` the E.164 form the provider derives) and the e-mail
address when the person has one. Libyan numbers are typed in national form ("091 000 1001"),
foreign ones in international form ("+216 20 000 404"): the app must normalise both.

calllog.db (AOSP CallLogProvider, Android 7+): one `calls` row per phone call, `type` 1
incoming / 2 outgoing / 3 missed, `date` in milliseconds, `duration` in seconds; `number` is
the E.164 number the network presented for incoming and missed calls, the digits the owner
dialled for outgoing ones; `name` is the contact name cached at call time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import phonenumbers

from .android_schemas import (
    CALLS_SCHEMA,
    CONTACTS_SCHEMA,
    PAGE_SIZE,
    SMS_CANONICAL_ADDRESSES,
    SMS_SCHEMA,
    SMS_THREADS,
)
from .ios_schemas import sqlite_bytes
from .scenario import Chat, Device, Person, person

HOME_CC = 218  # the phone's country (Libya): its numbers are typed in national form
_INBOX, _SENT = 1, 2
_CALL_TYPES = {"incoming": 1, "outgoing": 2, "missed": 3}
_NAME = "vnd.android.cursor.item/name"
_PHONE = "vnd.android.cursor.item/phone_v2"
_EMAIL = "vnd.android.cursor.item/email_v2"
_MIMETYPES = ((1, _NAME), (5, _PHONE), (6, _EMAIL))
_MOBILE, _HOME_EMAIL = "2", "1"  # ContactsContract Phone.TYPE_MOBILE, Email.TYPE_HOME
_ACCOUNT = (1, "vnd.sec.contact.phone", "vnd.sec.contact.phone", None)  # Samsung's "Phone"


def unix_ms(moment: datetime) -> int:
    """Milliseconds since 1970-01-01 UTC of an aware datetime (whole seconds: exact)."""
    return int(moment.timestamp()) * 1000


def typed_number(phone: str, *, spaces: bool = True) -> str:
    """An E.164 number as a person types it on a Libyan phone: national form with the trunk
    0 for Libyan numbers ("091 000 1001"), international form for others ("+216 20 000
    404"); without spaces, the digits as dialled."""
    cc = str(phonenumbers.parse(phone).country_code)
    nsn = phone[1 + len(cc) :]
    if cc == str(HOME_CC):
        parts: tuple[str, ...] = ("0" + nsn[:2], nsn[2:5], nsn[5:])
    else:
        parts = (f"+{cc}", nsn[:2], nsn[2:5], nsn[5:])
    return " ".join(parts) if spaces else "".join(parts)


def _peer(chat: Chat) -> Person:
    if len(chat.members) != 1:
        raise ValueError(f"an SMS chat has one correspondent, not {chat.members}")
    return person(chat.members[0])


def mmssms_db(device: Device) -> bytes:
    """mmssms.db with the device's SMS chats."""
    chats = [c for c in device.chats if c.app == "sms"]
    addresses = [(n, _peer(c).phone) for n, c in enumerate(chats, start=1)]
    threads = []
    for n, chat in enumerate(chats, start=1):
        last = max(chat.messages, key=lambda m: m.when)
        threads.append((n, unix_ms(last.when), len(chat.messages), str(n), last.text))
    stored = sorted(
        ((m.when, n, m) for n, c in enumerate(chats, start=1) for m in c.messages),
        key=lambda item: (item[0], item[1]),
    )
    rows: list[tuple[object, ...]] = []
    for rowid, (when, thread, message) in enumerate(stored, start=1):
        date, address = unix_ms(when), addresses[thread - 1][1]
        if message.sender == device.owner:
            rows.append((rowid, thread, address, date, 0, None, _SENT, message.text))
        else:
            rows.append((rowid, thread, address, date, date, 0, _INBOX, message.text))
    return sqlite_bytes(
        (PAGE_SIZE, SMS_CANONICAL_ADDRESSES, SMS_THREADS, SMS_SCHEMA),
        (
            ("INSERT INTO canonical_addresses (_id, address) VALUES (?,?)", addresses),
            (
                "INSERT INTO threads (_id, date, message_count, recipient_ids, snippet)"
                " VALUES (?,?,?,?,?)",
                threads,
            ),
            (
                "INSERT INTO sms (_id, thread_id, address, date, date_sent, protocol, type, body,"
                " read, seen) VALUES (?,?,?,?,?,?,?,?,1,1)",
                rows,
            ),
        ),
    )


def _name_parts(name: str) -> tuple[str, str | None]:
    given, _, family = name.partition(" ")
    return given, family or None


def _data_rows(raw_id: int, who: Person) -> Iterable[tuple[object, ...]]:
    given, family = _name_parts(who.name)
    yield (1, raw_id, who.name, given, family, None)
    yield (5, raw_id, typed_number(who.phone), _MOBILE, None, who.phone)
    if who.email:
        yield (6, raw_id, who.email, _HOME_EMAIL, None, None)


def contacts_db(device: Device) -> bytes:
    """contacts2.db with the device's address book (`Device.contacts`, in that order)."""
    people = [person(key) for key in device.contacts]
    contacts: list[tuple[object, ...]] = []
    raws: list[tuple[object, ...]] = []
    data: list[tuple[object, ...]] = []
    for n, who in enumerate(people, start=1):
        given, family = _name_parts(who.name)
        alt = f"{family}, {given}" if family else given
        contacts.append((n, n, 1, f"0r{n}-{who.key}"))
        raws.append((n, 1, n, who.name, alt, who.name))
        data.extend(_data_rows(n, who))
    return sqlite_bytes(
        (PAGE_SIZE, *CONTACTS_SCHEMA),
        (
            ("INSERT INTO accounts VALUES (?,?,?,?)", [_ACCOUNT]),
            ("INSERT INTO mimetypes (_id, mimetype) VALUES (?,?)", _MIMETYPES),
            (
                "INSERT INTO contacts (_id, name_raw_contact_id, has_phone_number, lookup)"
                " VALUES (?,?,?,?)",
                contacts,
            ),
            (
                "INSERT INTO raw_contacts (_id, account_id, contact_id, display_name,"
                " display_name_alt, sort_key) VALUES (?,?,?,?,?,?)",
                raws,
            ),
            (
                "INSERT INTO data (mimetype_id, raw_contact_id, data1, data2, data3, data4)"
                " VALUES (?,?,?,?,?,?)",
                data,
            ),
        ),
    )


def calllog_db(device: Device) -> bytes:
    """calllog.db with the device's phone calls (not the app calls)."""
    calls = sorted((c for c in device.calls if c.app == "phone"), key=lambda c: c.when)
    rows: list[tuple[object, ...]] = []
    for n, call in enumerate(calls, start=1):
        who = person(call.peer)
        dialled = call.direction == "outgoing"
        number = typed_number(who.phone, spaces=False) if dialled else who.phone
        rows.append((n, number, unix_ms(call.when), call.seconds, _CALL_TYPES[call.direction],
                     who.name, who.phone))  # fmt: skip
    return sqlite_bytes(
        (PAGE_SIZE, CALLS_SCHEMA),
        (
            (
                "INSERT INTO calls (_id, number, date, duration, type, name, normalized_number,"
                " numbertype, countryiso, new, is_read) VALUES (?,?,?,?,?,?,?,2,'LY',0,1)",
                rows,
            ),
        ),
    )
