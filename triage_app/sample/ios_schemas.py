"""The tables of the iOS app databases the sample iPhone holds, and a deterministic writer.

Each schema is the app's own CREATE TABLE text (the sources are named per schema), with the
columns Qarina's parser reads and their neighbours; the parser tests build their fixtures
from the same statements, so the sample and the tests cannot drift apart.

`sqlite_bytes` builds a database in memory and returns the file image (`sqlite3`
serialize, SQLite file format §1.3): no journal or `-wal` beside it, a rollback-journal
header (bytes 18-19 = 1, what `journal_mode=DELETE` leaves), VACUUMed so no free page holds
an earlier state, and no library version stamped in the header (bytes 92-99 stay 0), so the
bytes do not depend on which SQLite build wrote them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

# Messages `sms.db` / `chat.db`: macOS 10.11 / iOS 9, verbatim from plaso's imessage_chat.db;
# later versions only add columns, which the parser tolerates.
SMS_DB = (
    "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL,"
    " country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, UNIQUE (id, service) )",
    "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,"
    " text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0,"
    " subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER"
    " DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date"
    " INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0,"
    " is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0,"
    " is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0,"
    " is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER"
    " DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0,"
    " is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded"
    " INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,"
    " cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER"
    " DEFAULT 0, is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played"
    " INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT,"
    " group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0, share_direction"
    " INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0,"
    " message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0)",
    "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,"
    " style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT,"
    " service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0,"
    " last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER,"
    " successful_query INTEGER)",
    "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT"
    " NULL, created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti"
    " TEXT, mime_type TEXT, transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0,"
    " user_info BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0)",
    "CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,"
    " handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id,"
    " handle_id))",
    "CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,"
    " message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, PRIMARY KEY (chat_id,"
    " message_id))",
    "CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON"
    " DELETE CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE,"
    " UNIQUE(message_id, attachment_id))",
)

# WhatsApp for iOS `ChatStorage.sqlite` (Core Data entities of WhatsApp 2.2x).
CHAT_STORAGE = (
    "CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZARCHIVED INTEGER, ZSESSIONTYPE INTEGER, ZUNREADCOUNT INTEGER, ZLASTMESSAGE INTEGER,"
    " ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR)",
    "CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR, ZMEMBERJID VARCHAR)",
    "CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFILESIZE INTEGER, ZMESSAGE INTEGER, ZMOVIEDURATION INTEGER, ZLATITUDE FLOAT,"
    " ZLONGITUDE FLOAT, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTITLE VARCHAR)",
    "CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZCHILDMESSAGESDELIVEREDCOUNT INTEGER, ZISFROMME INTEGER, ZMESSAGESTATUS INTEGER,"
    " ZMESSAGETYPE INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZMEDIAITEM INTEGER,"
    " ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZSTANZAID VARCHAR,"
    " ZTEXT VARCHAR, ZTOJID VARCHAR)",
)

# Contacts `AddressBook.sqlitedb` of iOS 13-17 (unchanged for these columns since iOS 6).
# ABPerson.guid has DEFAULT (ab_generate_guid()) on a device, an app-registered SQL function,
# left out here so that plain sqlite3 can insert rows.
ADDRESS_BOOK = (
    "CREATE TABLE ABStore (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT,"
    " ExternalIdentifier TEXT, Type INTEGER, ConstraintsPath TEXT, ExternalModificationTag TEXT,"
    " ExternalSyncTag TEXT, AccountID INTEGER, Enabled INTEGER DEFAULT 1, SyncData BLOB,"
    " MeIdentifier INTEGER DEFAULT -1, Capabilities INTEGER DEFAULT 0, InsertionDate REAL)",
    "CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT,"
    " Middle TEXT, FirstPhonetic TEXT, MiddlePhonetic TEXT, LastPhonetic TEXT,"
    " Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT,"
    " JobTitle TEXT, Nickname TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT,"
    " CreationDate INTEGER, ModificationDate INTEGER, CompositeNameFallback TEXT,"
    " ExternalIdentifier TEXT, ExternalModificationTag TEXT, ExternalUUID TEXT,"
    " StoreID INTEGER, DisplayName TEXT, ExternalRepresentation BLOB, FirstSortSection TEXT,"
    " LastSortSection TEXT, FirstSortLanguageIndex INTEGER DEFAULT 2147483647,"
    " LastSortLanguageIndex INTEGER DEFAULT 2147483647, PersonLink INTEGER DEFAULT -1,"
    " ImageURI TEXT, IsPreferredName INTEGER DEFAULT 1, guid TEXT, PhonemeData TEXT,"
    " AlternateBirthday TEXT, MapsData TEXT, FirstPronunciation TEXT, MiddlePronunciation TEXT,"
    " LastPronunciation TEXT, OrganizationPhonetic TEXT, OrganizationPronunciation TEXT,"
    " PreviousFamilyName TEXT, PreferredLikenessSource TEXT, PreferredPersonaIdentifier TEXT,"
    " DowntimeWhitelist TEXT, ImageType TEXT, ImageHash BLOB, MemojiMetadata BLOB,"
    " UNIQUE(guid))",
    "CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER,"
    " identifier INTEGER, label INTEGER, value TEXT, guid TEXT, UNIQUE(guid))",
    "CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value))",
    "CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT,"
    " UNIQUE(parent_id, key))",
    "CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value))",
)

# Call log `CallHistory.storedata` of iOS 13-17: Core Data's own tables and the CallRecord
# entity (ZCALLRECORD, Z_ENT 2) with the columns read plus their neighbours; ZHANDLE (entity 4)
# and its join table hold group FaceTime participants.
CALL_HISTORY = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
    "CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB)",
    "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZANSWERED INTEGER, ZCALL_CATEGORY INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER,"
    " ZFACE_TIME_DATA BLOB, ZFILTERED_OUT_REASON INTEGER, ZHANDLE_TYPE INTEGER,"
    " ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER, ZJUNKCONFIDENCE INTEGER,"
    " ZJUNKIDENTIFICATIONCATEGORY INTEGER, ZVERIFICATIONSTATUS INTEGER, ZDATE TIMESTAMP,"
    " ZDURATION FLOAT, ZADDRESS BLOB, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR,"
    " ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR,"
    " ZLOCALPARTICIPANTUUID BLOB, ZOUTGOINGLOCALPARTICIPANTUUID BLOB,"
    " ZPARTICIPANTGROUPUUID BLOB)",
    "CREATE TABLE ZHANDLE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZTYPE INTEGER, ZNORMALIZEDVALUE VARCHAR, ZVALUE VARCHAR)",
    "CREATE TABLE Z_2REMOTEPARTICIPANTHANDLES (Z_2REMOTEPARTICIPANTCALLS INTEGER,"
    " Z_4REMOTEPARTICIPANTHANDLES INTEGER, PRIMARY KEY (Z_2REMOTEPARTICIPANTCALLS,"
    " Z_4REMOTEPARTICIPANTHANDLES))",
)

# Safari `History.db`: Safari 11 on macOS (the layout of plaso's safari/History.db), the
# tables the parser touches; iOS MobileSafari writes the same tables.
SAFARI_ITEMS = (
    "CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,"
    "domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,"
    "weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,"
    "should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL"
)
SAFARI_VISITS = (
    "CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER NOT"
    " NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title TEXT"
    " NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL DEFAULT 0,"
    "synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE REFERENCES"
    " history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE REFERENCES"
    " history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,generation INTEGER"
    " NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER NOT NULL DEFAULT 0)"
)
SAFARI_TOMBSTONES = (
    "CREATE TABLE history_tombstones (id INTEGER PRIMARY KEY AUTOINCREMENT,start_time REAL NOT"
    " NULL,end_time REAL NOT NULL,url TEXT,generation INTEGER NOT NULL DEFAULT 0)"
)


def safari_history(status_code: bool = False) -> list[str]:
    """History.db's tables; newer Safari versions add `history_items.status_code`."""
    extra = ",status_code INTEGER NOT NULL DEFAULT 0" if status_code else ""
    return [SAFARI_ITEMS + extra + ")", SAFARI_VISITS, SAFARI_TOMBSTONES]


Rows = Iterable[Sequence[object]]


def sqlite_bytes(schema: Iterable[str], inserts: Iterable[tuple[str, Rows]]) -> bytes:
    """The file image of a database made of `schema` and `(INSERT statement, rows)` pairs,
    in one transaction, then VACUUMed (see the module docstring)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in schema:
            conn.execute(statement)
        for sql, rows in inserts:
            conn.executemany(sql, rows)
        conn.execute("COMMIT")
        conn.execute("VACUUM")
        return conn.serialize()
    finally:
        conn.close()


def cocoa_seconds(moment: datetime) -> int:
    """Whole seconds since 2001-01-01 UTC (Cocoa / Core Data time) of an aware datetime."""
    return int((moment - COCOA_EPOCH).total_seconds())
