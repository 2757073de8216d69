"""Generated WhatsApp Android databases built with the app's own table definitions.

The CREATE TABLE statements are those WhatsApp 2.21 (June 2021) writes to `msgstore.db` and
`wa.db` (the same definitions are in IPED's test files); the current schema and `wa_contacts`
live in `triage_app.sample.android_schemas` (the workshop sample builds from them too); the
rows are made up.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from triage_app.sample.android_schemas import WA_CONTACTS, WA_CURRENT_SCHEMA

WA_DIR = "data/data/com.whatsapp/databases"
W4B_DIR = "data/data/com.whatsapp.w4b/databases"

# Current (2021+) msgstore.db tables and wa.db's table: `triage_app.sample.android_schemas`.
CURRENT_SCHEMA = list(WA_CURRENT_SCHEMA)

# Legacy msgstore.db tables.
MESSAGES = (
    "CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,"
    " key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,"
    " timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size"
    " INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER,"
    " origin INTEGER, latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT,"
    " received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp INTEGER,"
    " receipt_device_timestamp INTEGER, read_device_timestamp INTEGER, played_device_timestamp"
    " INTEGER, raw_data BLOB, recipient_count INTEGER, participant_hash TEXT, starred INTEGER,"
    " quoted_row_id INTEGER, mentioned_jids TEXT, multicast_id TEXT, edit_version INTEGER,"
    " media_enc_hash TEXT, payment_transaction_id TEXT, forwarded INTEGER, preview_type INTEGER,"
    " send_count INTEGER, lookup_tables INTEGER)"
)
CHAT_LIST = (
    "CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,"
    " message_table_id INTEGER, subject TEXT, creation INTEGER, last_read_message_table_id"
    " INTEGER, last_read_receipt_sent_message_table_id INTEGER, archived INTEGER, sort_timestamp"
    " INTEGER, mod_tag INTEGER, gen REAL, my_messages INTEGER, plaintext_disabled BOOLEAN,"
    " last_message_table_id INTEGER, unseen_earliest_message_received_time INTEGER,"
    " unseen_message_count INTEGER, unseen_missed_calls_count INTEGER, unseen_row_count INTEGER,"
    " vcard_ui_dismissed INTEGER, change_number_notified_message_id INTEGER,"
    " last_important_message_table_id INTEGER, show_group_description INTEGER,"
    " ephemeral_expiration INTEGER, last_read_ephemeral_message_table_id INTEGER,"
    " ephemeral_setting_timestamp INTEGER)"
)

PEER = "218912345678@s.whatsapp.net"
MEMBER = "21650111222@s.whatsapp.net"
GROUP = "218912345678-1699990000@g.us"
GROUP_SUBJECT = "رحلة زوارة 🚤"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"

_JIDS = [
    (1, "218912345678", "s.whatsapp.net", 0, PEER),
    (2, "218912345678-1699990000", "g.us", 1, GROUP),
    (3, "21650111222", "s.whatsapp.net", 0, MEMBER),
    (4, "status", "broadcast", 5, "status@broadcast"),
]
# (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp, message_type, text)
_MESSAGES = [
    (1, -1, 0, "-1", None, None, None, None, None),  # WhatsApp's placeholder row
    (2, 1, 0, "3EB0A1", 0, 0, 1700000000123, 0, "السلام عليكم، القارب جاهز"),
    (3, 1, 1, "3EB0A2", 0, 13, 1700000060000, 0, HOSTILE),
    (4, 2, 0, "3EB0G1", 3, 6, 1699990000000, 7, None),
    (5, 2, 0, "3EB0G2", 3, 0, 1700000180000, 1, "الصورة من الميناء"),
    (6, 2, 1, "3EB0G3", 0, 5, 1700000240000, 0, "On part à 3h"),
    (7, 3, 0, "3EB0S1", 3, 0, 1700000300000, 0, "Disponible"),
]
IMAGE_PATH = "Media/WhatsApp Images/IMG-20231114-WA0001.jpg"


def _create(path: Path, statements: list[str]) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    return conn


def fill_current(conn: sqlite3.Connection) -> None:
    conn.executemany(
        "INSERT INTO jid (_id, user, server, type, raw_string) VALUES (?,?,?,?,?)", _JIDS
    )
    conn.executemany(
        "INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (?,?,?,?)",
        [(1, 1, None, None), (2, 2, GROUP_SUBJECT, 1699990000000), (3, 4, None, None)],
    )
    conn.executemany(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status,"
        " timestamp, message_type, text_data) VALUES (?,?,?,?,?,?,?,?,?)",
        _MESSAGES,
    )
    conn.execute("INSERT INTO message_system VALUES (4, 11)")  # group created
    conn.execute(
        "INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type,"
        " file_length) VALUES (5, 2, ?, 48213, 'image/jpeg', 48213)",
        (IMAGE_PATH,),
    )
    conn.executemany(
        "INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call,"
        " duration, call_result) VALUES (?,?,?,?,?,?,?,?)",
        [
            (1, 1, 0, "CALL1", 1700000400000, 0, 0, 4),  # missed voice call
            (2, 1, 1, "CALL2", 1700000500000, 1, 95, 5),  # outgoing video call
        ],
    )


def make_current_msgstore(directory: Path, name: str = "msgstore.db") -> Path:
    path = directory / name
    conn = _create(path, CURRENT_SCHEMA)
    fill_current(conn)
    conn.commit()
    conn.close()
    return path


LEGACY_GROUP = "21891234567-1600000000@g.us"
LEGACY_ADMIN = "21891234567@s.whatsapp.net"
# (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp, media_wa_type, media_size,
#  media_mime_type, media_name, media_caption, remote_resource)
_LEGACY_ROWS = [
    (1, "-1", 0, "-1", -1, None, 0, "-1", -1, None, None, None, None),  # placeholder
    (2, LEGACY_GROUP, 1, "L1", 6, "Zuwara", 1600000000000, "0", 11, None, None, None, LEGACY_ADMIN),
    (3, MEMBER, 0, "L2", 0, "Salam", 1600000060000, "0", 0, None, None, None, None),
    (4, LEGACY_GROUP, 0, "L3", 0, "نلتقي في الميناء", 1600000120000, "0", 0, None, None, None,
     LEGACY_ADMIN),
    (5, MEMBER, 1, "L4", 13, None, 1600000180000, "1", 52000, "image/jpeg",
     "IMG-20200913-WA0003.jpg", "the boat", None),
    (6, "status@broadcast", 0, "L5", 0, "status!", 1600000240000, "0", 0, None, None, None, MEMBER),
]  # fmt: skip


def fill_legacy(conn: sqlite3.Connection) -> None:
    conn.executemany(
        "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp,"
        " media_wa_type, media_size, media_mime_type, media_name, media_caption, remote_resource)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        _LEGACY_ROWS,
    )
    conn.executemany(
        "INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?,?,?)",
        [(LEGACY_GROUP, "Zuwara", 1600000000000), (MEMBER, None, None)],
    )


def make_legacy_msgstore(directory: Path, name: str = "msgstore.db", both: bool = False) -> Path:
    """A legacy msgstore.db; with `both`, also the current tables holding only the placeholder
    row, as in a database caught in WhatsApp's migration."""
    path = directory / name
    conn = _create(path, [MESSAGES, CHAT_LIST] + (CURRENT_SCHEMA if both else []))
    fill_legacy(conn)
    if both:
        conn.execute(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id) VALUES (1, -1, 0, '-1')"
        )
    conn.commit()
    conn.close()
    return path


# (jid, is_whatsapp_user, status, status_timestamp, number, display_name, given, family, wa_name)
_CONTACTS = [
    (GROUP, 1, None, None, None, GROUP_SUBJECT, None, None, None),
    ("status@broadcast", 1, None, None, None, None, None, None, None),
    (PEER, 1, "متاح", 1700000000000, "091-234-5678", "أبو محمد", "أبو", "محمد", "Abu M"),
    (MEMBER, 1, None, 0, None, None, None, None, "Karim"),
    ("33612345678@s.whatsapp.net", 0, None, None, "+33 6 12 34 56 78", None, "Jean", "Dupont",
     None),
]  # fmt: skip


def make_wa_db(directory: Path, name: str = "wa.db") -> Path:
    path = directory / name
    conn = _create(path, [WA_CONTACTS])
    conn.executemany(
        "INSERT INTO wa_contacts (jid, is_whatsapp_user, status, status_timestamp, number,"
        " display_name, given_name, family_name, wa_name) VALUES (?,?,?,?,?,?,?,?,?)",
        _CONTACTS,
    )
    conn.commit()
    conn.close()
    return path
