"""The tables of the Android databases the sample phone holds, as the apps create them.

Each statement is the app's own CREATE TABLE text (sources named per group) with the columns
Qarina's parser reads and their neighbours. The parser tests build their fixtures from the
same statements (`tests/fixtures_android.py`, `fixtures_whatsapp.py`, `fixtures_telegram.py`,
`test_android_contacts_calls.py`), so the sample and the tests cannot drift apart.

The sample's builders run `PAGE_SIZE` before these statements: SQLite applies it when the
database is created (or at the final VACUUM), so the file does not depend on the page size
the running SQLite was compiled with. 4096 bytes is what Android's SQLite uses.
"""

from __future__ import annotations

PAGE_SIZE = "PRAGMA page_size = 4096"

# --- com.android.providers.telephony: mmssms.db (AOSP TelephonyProvider, MmsSmsDatabaseHelper:
# createSmsTables, createCommonTables). `sms` is unchanged from Android 4.x to 14.
SMS_SCHEMA = (
    "CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,"
    "date INTEGER,date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,"
    "status INTEGER DEFAULT -1,type INTEGER,reply_path_present INTEGER,subject TEXT,body TEXT,"
    "service_center TEXT,locked INTEGER DEFAULT 0,error_code INTEGER DEFAULT 0,"
    "seen INTEGER DEFAULT 0)"
)
SMS_CANONICAL_ADDRESSES = (
    "CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT,address TEXT)"
)
SMS_THREADS = (
    "CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,"
    "message_count INTEGER DEFAULT 0,recipient_ids TEXT,snippet TEXT,"
    "snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,type INTEGER DEFAULT 0,"
    "error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT 0)"
)

# --- com.android.providers.contacts: contacts2.db and calllog.db (AOSP ContactsProvider2,
# Android 10), the columns relevant here plus their neighbours.
_DATA_COLUMNS = ", ".join(f"data{i} TEXT" for i in range(1, 16))
CONTACTS_SCHEMA = (
    "CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_name TEXT,"
    " account_type TEXT, data_set TEXT)",
    "CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL)",
    "CREATE TABLE contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, name_raw_contact_id INTEGER,"
    " photo_id INTEGER, times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER,"
    " starred INTEGER NOT NULL DEFAULT 0, has_phone_number INTEGER NOT NULL DEFAULT 0,"
    " lookup TEXT, contact_last_updated_timestamp INTEGER)",
    "CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER,"
    " sourceid TEXT, version INTEGER NOT NULL DEFAULT 1, dirty INTEGER NOT NULL DEFAULT 0,"
    " deleted INTEGER NOT NULL DEFAULT 0, contact_id INTEGER, times_contacted INTEGER NOT NULL"
    " DEFAULT 0, last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0,"
    " display_name TEXT, display_name_alt TEXT, sort_key TEXT)",
    "CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, package_id INTEGER,"
    " mimetype_id INTEGER NOT NULL, raw_contact_id INTEGER NOT NULL, is_primary INTEGER NOT NULL"
    f" DEFAULT 0, {_DATA_COLUMNS})",
)
CALLS_SCHEMA = (
    "CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, presentation INTEGER"
    " NOT NULL DEFAULT 1, post_dial_digits TEXT DEFAULT '', date INTEGER, duration INTEGER,"
    " data_usage INTEGER, type INTEGER, features INTEGER NOT NULL DEFAULT 0, subscription_id TEXT,"
    " new INTEGER, name TEXT, numbertype INTEGER, numberlabel TEXT, countryiso TEXT,"
    " voicemail_uri TEXT, is_read INTEGER, geocoded_location TEXT, normalized_number TEXT)"
)

# --- com.whatsapp: msgstore.db of the current (2021+) schema and wa.db, as WhatsApp 2.21
# (June 2021) creates them (the same definitions are in IPED's test files).
WA_MESSAGE = (
    "CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,"
    " from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,"
    " broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags"
    " INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp INTEGER,"
    " receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER,"
    " lookup_tables INTEGER, sort_id INTEGER NOT NULL DEFAULT 0 )"
)
WA_JID = (
    "CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT"
    " NOT NULL, agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT)"
)
WA_CHAT = (
    "CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT,jid_row_id INTEGER UNIQUE,hidden"
    " INTEGER,subject TEXT,created_timestamp INTEGER,display_message_row_id INTEGER,"
    "last_message_row_id INTEGER,last_read_message_row_id INTEGER,"
    "last_read_receipt_sent_message_row_id INTEGER,last_important_message_row_id INTEGER,"
    "archived INTEGER,sort_timestamp INTEGER,mod_tag INTEGER,gen REAL,spam_detection INTEGER,"
    "unseen_earliest_message_received_time INTEGER,unseen_message_count INTEGER,"
    "unseen_missed_calls_count INTEGER,unseen_row_count INTEGER,plaintext_disabled INTEGER,"
    "vcard_ui_dismissed INTEGER,change_number_notified_message_row_id INTEGER,"
    "show_group_description INTEGER,ephemeral_expiration INTEGER,"
    "last_read_ephemeral_message_row_id INTEGER,ephemeral_setting_timestamp INTEGER,"
    "unseen_important_message_count INTEGER NOT NULL DEFAULT 0 )"
)
WA_MESSAGE_MEDIA = (
    "CREATE TABLE message_media (  message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,"
    " autotransfer_retry_enabled INTEGER, multicast_id TEXT, media_job_uuid TEXT, transferred"
    " INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER, suspicious_content INTEGER,"
    " trim_from INTEGER, trim_to INTEGER, face_x INTEGER, face_y INTEGER, media_key BLOB,"
    " media_key_timestamp INTEGER, width INTEGER, height INTEGER, has_streaming_sidecar INTEGER,"
    " gif_attribution INTEGER, thumbnail_height_width_ratio REAL, direct_path TEXT,"
    " first_scan_sidecar BLOB, first_scan_length INTEGER, message_url TEXT, mime_type TEXT,"
    " file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count"
    " INTEGER, enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT,"
    " is_animated_sticker INTEGER, original_file_hash TEXT, mute_video INTEGER DEFAULT 0)"
)
WA_MESSAGE_SYSTEM = (
    "CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL)"
)
WA_CALL_LOG = (
    "CREATE TABLE call_log (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER, from_me"
    " INTEGER, call_id TEXT, transaction_id INTEGER, timestamp INTEGER, video_call INTEGER,"
    " duration INTEGER, call_result INTEGER, bytes_transferred INTEGER, group_jid_row_id INTEGER"
    " NOT NULL DEFAULT 0, is_joinable_group_call INTEGER, call_creator_device_jid_row_id INTEGER"
    " NOT NULL DEFAULT 0, call_random_id TEXT)"
)
WA_CURRENT_SCHEMA = (WA_MESSAGE, WA_JID, WA_CHAT, WA_MESSAGE_MEDIA, WA_MESSAGE_SYSTEM, WA_CALL_LOG)
WA_CONTACTS = (
    "CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL,"
    " is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT,"
    " raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT,"
    " unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER,"
    " given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, company"
    " TEXT, title TEXT, status_autodownload_disabled INTEGER, keep_timestamp INTEGER,"
    " is_spam_reported INTEGER, is_sidelist_synced BOOLEAN DEFAULT 0, is_business_synced BOOLEAN"
    " DEFAULT 0)"
)

# --- org.telegram.messenger: files/cache4.db. The tables common to Telegram 7.7 (user_version
# 78, as in the corpus copy) and the current client, then the current client's message table
# (MessagesStorage, Telegram 10.x).
TELEGRAM_TABLES = (
    "CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB)",
    "CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB)",
    "CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER,"
    " last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER,"
    " unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER,"
    " folder_id INTEGER, data BLOB)",
    "CREATE TABLE contacts(uid INTEGER PRIMARY KEY, mutual INTEGER)",
    "CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER, name TEXT, data BLOB, g BLOB,"
    " authkey BLOB, ttl INTEGER, layer INTEGER, seq_in INTEGER, seq_out INTEGER,"
    " use_count INTEGER, exchange_id INTEGER, key_date INTEGER, fprint INTEGER, fauthkey BLOB,"
    " khash BLOB, in_seq_no INTEGER, admin_id INTEGER, mtproto_seq INTEGER)",
    "CREATE TABLE user_contacts_v7(key TEXT PRIMARY KEY, uid INTEGER, fname TEXT, sname TEXT,"
    " imported INTEGER)",
    "CREATE TABLE user_phones_v7(key TEXT, phone TEXT, sphone TEXT, deleted INTEGER,"
    " PRIMARY KEY (key, phone))",
    "CREATE TABLE params(id INTEGER PRIMARY KEY, seq INTEGER, pts INTEGER, date INTEGER,"
    " qts INTEGER, lsv INTEGER, sg INTEGER, pbytes BLOB)",
)
TELEGRAM_MESSAGES_V2 = (
    "CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER,"
    " date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB,"
    " imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER,"
    " is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB, group_id INTEGER,"
    " reply_to_story_id INTEGER, PRIMARY KEY(mid, uid))"
)
