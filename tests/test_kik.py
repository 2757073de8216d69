"""Kik parser: generated iOS (Core Data) and Android stores with the apps' own table
definitions, bad input, and plaso's `ios/kik.sqlite`.

The iOS CREATE TABLE statements are those of Kik for iOS (2015, the schema of plaso's sample);
the Android ones are those the Kik app (15.x) executes for `kikDatabase.db`. Rows are made up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import RUNS_SQL, file_sha256, scan_with, truncated_copy

from parsers.kik import Kik
from triage_app.core.export import records

APP_DIR = "private/var/mobile/Containers/Data/Application/3F2A1B0C-9D8E-4F7A-B6C5-D4E3F2A1B0C9"
ANDROID_DIR = "data/data/kik.android/databases"
COCOA = 978307200  # seconds from 1970 to 2001
T0 = 1700000000 - COCOA
GROUP = "1100000000001_g@groups.kik.com"
ABU = "abu.salem_x1k@talk.kik.com"
DRIVER = "driver.tn_q7z@talk.kik.com"
MEDIA = "c0ffee00-1111-4222-8333-944455556666"

IOS_MESSAGE = (
    "CREATE TABLE ZKIKMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS"
    " INTEGER, ZINTERNALID INTEGER, ZSTATE INTEGER, ZSYSTEMSTATE INTEGER, ZTYPE INTEGER,"
    " ZCHATEXTRA INTEGER, ZDRAFTMESSAGECHAT INTEGER, ZLASTMESSAGECHAT INTEGER, ZLASTMESSAGEUSER"
    " INTEGER, ZUSER INTEGER, ZRECEIVEDTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBODY VARCHAR,"
    " ZSTANZAID VARCHAR, ZRENDERINSTRUCTIONSET BLOB )"
)
IOS_USER = (
    "CREATE TABLE ZKIKUSER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZADDRESSBOOKID INTEGER, ZFLAGS INTEGER, ZINTERNALID INTEGER, ZPRESENCE INTEGER, ZTYPE"
    " INTEGER, ZCHATUSER INTEGER, ZEXTRA INTEGER, ZLASTMESSAGE INTEGER, ZDISPLAYNAME VARCHAR,"
    " ZDISPLAYNAMEASCII VARCHAR, ZEMAIL VARCHAR, ZFIRSTNAME VARCHAR, ZGROUPTAG VARCHAR, ZJID"
    " VARCHAR, ZLASTNAME VARCHAR, ZPPTIMESTAMP VARCHAR, ZPPURL VARCHAR, ZSTATUS VARCHAR,"
    " ZUSERNAME VARCHAR, ZCONTENTLINKSPROTODATA BLOB )"
)
IOS_CHAT = (
    "CREATE TABLE ZKIKCHAT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS"
    " INTEGER, ZDRAFTMESSAGE INTEGER, ZEXTRA INTEGER, ZLASTMESSAGE INTEGER, ZUSER INTEGER,"
    " ZDATEUPDATED TIMESTAMP )"
)
IOS_JOIN = (
    "CREATE TABLE Z_3MESSAGES ( Z_3CHAT INTEGER, Z_5MESSAGES INTEGER,"
    " PRIMARY KEY (Z_3CHAT, Z_5MESSAGES) )"
)
IOS_ATTACHMENT = (
    "CREATE TABLE ZKIKATTACHMENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFLAGS INTEGER, ZINTERNALID INTEGER, ZRETRYCOUNT INTEGER, ZSTATE INTEGER, ZTYPE INTEGER,"
    " ZEXTRA INTEGER, ZMESSAGE INTEGER, ZLASTACCESSTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP,"
    " ZCONTENT VARCHAR )"
)
IOS_OTHER = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
)
IOS_ALL = (IOS_MESSAGE, IOS_USER, IOS_CHAT, IOS_JOIN, IOS_ATTACHMENT, *IOS_OTHER)
# (Z_PK, ZUSERNAME, ZDISPLAYNAME, ZJID, ZEMAIL, ZFIRSTNAME, ZLASTNAME)
IOS_USERS = [
    (1, "abu.salem", "Abu Salem", ABU, "abu@example.ly", "Abu", "Salem"),
    (2, "kikteam", "Kik Team", "kikteam@talk.kik.com", None, None, None),
    (3, "", "رحلة الخميس", GROUP, None, None, None),
    (4, "driver.tn", None, DRIVER, None, "Hedi", "Tounsi"),
]
# (Z_PK, ZTYPE, ZSTATE, ZUSER, ZRECEIVEDTIMESTAMP, ZTIMESTAMP, ZBODY)
IOS_MESSAGES: list[tuple[Any, ...]] = [
    (1, 1, 16, 1, T0 + 0.5, T0 + 0.25, "wesh, el flouka jahza?"),
    (2, 2, 94, 1, T0 + 60, T0 + 60, "<img src=x onerror=alert(1)>"),
    (3, 3, 0, 3, T0 + 120, T0 + 120, "You started a group"),
    (4, 1, 16, 4, T0 + 180, T0 + 179, MEDIA),
    (5, 4, 0, 4, T0 + 240, T0 + 240, "Driver has joined the chat"),
    (6, 1, 16, 2, 0, None, "Welcome to Kik"),
]
# Message 2 is linked to the 1:1 chat and to the group (as in plaso's sample); 6 to none.
IOS_LINKS = [(1, 1), (1, 2), (2, 2), (2, 3), (2, 4), (2, 5)]

ANDROID_MESSAGES = (
    "CREATE TABLE messagesTable (_id INTEGER PRIMARY KEY AUTOINCREMENT, body VARCHAR,"
    " markdown_body VARCHAR, partner_jid VARCHAR, was_me INT, read_state INT, uid VARCHAR,"
    " length INTEGER, timestamp LONG, bin_id VARCHAR, sys_msg VARCHAR, stat_msg VARCHAR,"
    " stat_user_jid VARCHAR, stat_special_visibility BOOLEAN,req_read_reciept BOOLEAN,"
    " content_id VARCHAR, app_id VARCHAR, message_retry_count INT, encryption_failure BOOLEAN,"
    " render_instructions VARCHAR, friend_attr_id INT , server_sig VARCHAR ,"
    "mentioned_contact_id VARCHAR,core_message_proto_bytes BLOB,"
    "is_latest_from_correspondent_in_bin BOOL,is_big_emoji BOOL)"
)
ANDROID_CONTACTS = (
    "CREATE TABLE KIKcontactsTable (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid VARCHAR,"
    " display_name VARCHAR, local_name VARCHAR, user_name VARCHAR, in_roster BOOLEAN,photo_url"
    " VARCHAR, photo_timestamp VARCHAR, is_stub BOOLEAN,is_group BOOLEAN,is_blocked BOOLEAN,"
    "is_ignored BOOLEAN,pending_convo_clear BOOLEAN,pending_in_roster BOOLEAN,pending_is_blocked"
    " BOOLEAN,appear_in_convos_list BOOLEAN,roster_operation_attempts INT,verified BOOLEAN,"
    "public_key BLOB,is_public_key_resolved BOOLEAN,is_user_admin BOOLEAN,user_permission_level"
    " VARCHAR,group_hashtag VARCHAR,is_user_removed BOOLEAN,content_links BLOB,description"
    " VARCHAR,tags_array VARCHAR,group_size INT)"
)
ANDROID_CONTENT = (
    "CREATE TABLE KIKContentTable (_id INTEGER PRIMARY KEY AUTOINCREMENT, content_id VARCHAR,"
    " content_type INT, content_name VARCHAR, content_string VARCHAR)"
)
# (_id, body, partner_jid, was_me, read_state, timestamp, bin_id, stat_msg, content_id, app_id)
ANDROID_ROWS: list[tuple[Any, ...]] = [
    (1, "غدا صباحا", ABU, 0, 500, 1700000000123, ABU, None, None, None),
    (2, "ok", ABU, 1, 400, 1700000060000, ABU, None, None, None),
    (3, None, DRIVER, 0, 500, 1700000120000, GROUP, None, MEDIA, "com.kik.ext.gallery"),
    (4, None, GROUP, 0, 500, 1700000180000, GROUP, "Driver has joined", None, None),
]


def make_ios_store(path: Path, tables: tuple[str, ...] = IOS_ALL) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO ZKIKUSER (Z_PK, ZUSERNAME, ZDISPLAYNAME, ZJID, ZEMAIL, ZFIRSTNAME,"
        " ZLASTNAME) VALUES (?,?,?,?,?,?,?)",
        IOS_USERS,
    )
    conn.executemany(
        "INSERT INTO ZKIKMESSAGE (Z_PK, ZTYPE, ZSTATE, ZUSER, ZRECEIVEDTIMESTAMP, ZTIMESTAMP,"
        " ZBODY) VALUES (?,?,?,?,?,?,?)",
        IOS_MESSAGES,
    )
    if IOS_CHAT in tables:
        conn.executemany(
            "INSERT INTO ZKIKCHAT (Z_PK, ZUSER) VALUES (?,?)", [(1, 1), (2, 3), (3, 2)]
        )
    if IOS_JOIN in tables:
        conn.executemany("INSERT INTO Z_3MESSAGES VALUES (?,?)", IOS_LINKS)
    if IOS_ATTACHMENT in tables:
        conn.execute(
            "INSERT INTO ZKIKATTACHMENT (Z_PK, ZTYPE, ZMESSAGE, ZTIMESTAMP, ZCONTENT)"
            " VALUES (1, 6, 4, ?, ?)",
            (T0 + 181, MEDIA),
        )
    conn.commit()
    conn.close()
    return path


def make_android_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in (ANDROID_MESSAGES, ANDROID_CONTACTS, ANDROID_CONTENT):
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO KIKcontactsTable (_id, jid, display_name, local_name, user_name, is_group)"
        " VALUES (?,?,?,?,?,?)",
        [
            (1, ABU, "Abu Salem", "captain", "abu.salem", 0),
            (2, GROUP, "crossing", None, None, 1),
            (3, DRIVER, "Driver", None, "driver.tn", 0),
        ],
    )
    conn.executemany(
        "INSERT INTO messagesTable (_id, body, partner_jid, was_me, read_state, timestamp, bin_id,"
        " stat_msg, content_id, app_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        ANDROID_ROWS,
    )
    conn.commit()
    conn.close()
    return path


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [Kik()], evidence, RUNS)


def test_ios_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "iphone"
    make_ios_store(root / APP_DIR / "Documents" / "kik.sqlite")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [{"parser": "kik", "status": "ok", "message": "", "records": 10, "warnings": 0}]
    messages = list(records(conn, "message"))
    assert len(messages) == 6
    first = messages[0]
    assert first == {
        "kind": "message", "id": first["id"], "evidence": 1,
        "path": f"/{APP_DIR}/Documents/kik.sqlite", "volume": None,
        "source_sha256": file_sha256(conn, "kik.sqlite"), "parser": "kik",
        "ts": "2023-11-14T22:13:20.500000Z", "ts_raw": T0 + 0.5, "deleted": False,
        "app": "kik", "thread": "abu.salem", "sender": "abu.salem", "recipients": [],
        "direction": "incoming", "body": "wesh, el flouka jahza?", "attachments": [],
        "thread_name": "Abu Salem", "sender_name": "Abu Salem", "message_type": 1,
        "message_state": 16, "system_message": False, "sent_ts": "2023-11-14T22:13:20.250000Z",
        "source_table": "ZKIKMESSAGE", "source_rowid": 1,
    }  # fmt: skip
    sent = messages[1]  # linked to two chats: the one of its own user wins
    assert (sent["direction"], sent["sender"], sent["recipients"]) == (
        "outgoing",
        None,
        ["abu.salem"],
    )
    assert sent["thread"] == "abu.salem" and sent["body"] == "<img src=x onerror=alert(1)>"
    notice = messages[2]
    assert (notice["direction"], notice["system_message"], notice["thread"]) == (
        None,
        True,
        GROUP,
    )
    assert notice["thread_name"] == "رحلة الخميس"
    media = messages[3]
    assert (media["sender"], media["thread"], media["attachments"]) == ("driver.tn", GROUP, [MEDIA])
    assert media["body"] is None and "sender_name" not in media  # no display name stored
    assert messages[4]["sender"] is None and messages[4]["system_message"] is True
    welcome = messages[5]  # in no chat: its own user is the thread
    assert (welcome["thread"], welcome["ts"], welcome["ts_raw"]) == ("kikteam", None, 0)


def test_ios_contacts(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_ios_store(tmp_path / "loose" / "kik.sqlite"))
    contacts = list(records(conn, "contact"))
    assert len(contacts) == 4
    first = contacts[0]
    assert first == {
        "kind": "contact", "id": first["id"], "evidence": 1, "path": "/kik.sqlite",
        "volume": None, "source_sha256": file_sha256(conn, "kik.sqlite"), "parser": "kik",
        "ts": None, "ts_raw": None, "deleted": False, "app": "kik", "name": "Abu Salem",
        "phones": [], "emails": ["abu@example.ly"], "username": "abu.salem", "jid": ABU,
        "is_group": False, "source_table": "ZKIKUSER", "source_rowid": 1,
    }  # fmt: skip
    group = contacts[2]
    assert group["is_group"] is True and "username" not in group and group["jid"] == GROUP
    assert contacts[3]["name"] == "Hedi Tounsi"  # no display name: first and last name


def test_android_messages_and_contacts(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_android_db(root / ANDROID_DIR / "kikDatabase.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [{"parser": "kik", "status": "ok", "message": "", "records": 7, "warnings": 0}]
    messages = list(records(conn, "message"))
    first = messages[0]
    assert first == {
        "kind": "message", "id": first["id"], "evidence": 1,
        "path": f"/{ANDROID_DIR}/kikDatabase.db", "volume": None,
        "source_sha256": file_sha256(conn, "kikDatabase.db"), "parser": "kik",
        "ts": "2023-11-14T22:13:20.123000Z", "ts_raw": 1700000000123, "deleted": False,
        "app": "kik", "thread": ABU, "sender": ABU, "recipients": [], "direction": "incoming",
        "body": "غدا صباحا", "attachments": [], "thread_name": "Abu Salem",
        "sender_name": "Abu Salem", "read_state": 500, "system_message": False,
        "source_table": "messagesTable", "source_rowid": 1,
    }  # fmt: skip
    out = messages[1]
    assert (out["direction"], out["sender"], out["recipients"]) == ("outgoing", None, [ABU])
    media = messages[2]
    assert (media["thread"], media["thread_name"], media["sender_name"]) == (
        GROUP,
        "crossing",
        "Driver",
    )
    assert media["attachments"] == [MEDIA] and media["media_app"] == "com.kik.ext.gallery"
    notice = messages[3]
    assert (notice["body"], notice["direction"], notice["system_message"]) == (
        "Driver has joined",
        None,
        True,
    )
    contacts = list(records(conn, "contact"))
    first_contact = contacts[0]
    assert {k: first_contact[k] for k in ("name", "phones", "emails", "username", "jid")} == {
        "name": "Abu Salem",
        "phones": [],
        "emails": [],
        "username": "abu.salem",
        "jid": ABU,
    }
    assert first_contact["local_name"] == "captain" and first_contact["is_group"] is False
    assert contacts[1]["is_group"] is True


def test_android_per_account_file_name(tmp_path: Path) -> None:
    db = make_android_db(tmp_path / "dump" / "4886a0b8-37a0-4466-b952-b83061c70685.kikDatabase.db")
    _, runs = _scan(tmp_path, db.parent)
    assert [(r["status"], r["records"]) for r in runs] == [("ok", 7)]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_ios_store(tmp_path / "src" / "kik.sqlite"),
        tmp_path / "iphone" / APP_DIR / "Documents" / "kik.sqlite",
    )
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_columns_are_errors_naming_them(tmp_path: Path) -> None:
    ios = tmp_path / "ev" / "kik.sqlite"
    make_ios_store(ios)
    conn = sqlite3.connect(ios)
    conn.execute("ALTER TABLE ZKIKMESSAGE DROP COLUMN ZBODY")
    conn.commit()
    conn.close()
    android = tmp_path / "ev" / "kikDatabase.db"
    conn = sqlite3.connect(android)
    conn.execute(ANDROID_CONTACTS)
    conn.execute("CREATE TABLE messagesTable (_id INTEGER PRIMARY KEY, body VARCHAR)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "ev")
    assert [r["status"] for r in runs] == ["error", "error"], runs
    messages = " ".join(r["message"] for r in runs)
    assert "ZKIKMESSAGE.ZBODY" in messages
    assert "messagesTable.was_me" in messages and "messagesTable.timestamp" in messages


def test_missing_side_tables_are_warnings(tmp_path: Path) -> None:
    db = make_ios_store(tmp_path / "ev" / "kik.sqlite", tables=(IOS_MESSAGE, IOS_USER))
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 10 and runs[0]["warnings"] == 3
    for table in ("ZKIKCHAT", "Z_<n>MESSAGES", "ZKIKATTACHMENT"):
        assert table in runs[0]["message"]
    messages = list(records(conn, "message"))
    assert messages[3]["attachments"] == [] and messages[3]["body"] == MEDIA
    assert messages[3]["thread"] == "driver.tn"  # without the chat links: the message's user


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_ios_store(tmp_path / "ev" / "kik.sqlite")
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO ZKIKMESSAGE (Z_PK, ZTYPE, ZUSER, ZRECEIVEDTIMESTAMP, ZBODY)"
        " VALUES (7, 'garbage', 99, 'soon', x'00ff')"
    )
    conn.execute(
        "INSERT INTO ZKIKMESSAGE (Z_PK, ZTYPE, ZUSER, ZRECEIVEDTIMESTAMP, ZBODY)"
        " VALUES (8, 1, 99, 9e15, x'00ff')"
    )
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 11 and runs[0]["warnings"] == 1
    assert "row 7" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert last["source_rowid"] == 8 and last["ts"] is None and last["ts_raw"] == 9e15
    assert last["body"] == "\x00\ufffd" and last["sender"] is None and last["thread"] is None


def test_unrelated_databases_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    for name, ddl in (
        ("kik.sqlite", "CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)"),
        ("kikDatabase.db", "CREATE TABLE messagesTable (_id INTEGER PRIMARY KEY, body TEXT)"),
    ):
        conn = sqlite3.connect(folder / name)
        conn.execute(ddl)
        conn.commit()
        conn.close()
    _, runs = _scan(tmp_path, folder)
    assert [r["status"] for r in runs] == ["skipped", "skipped"], runs
    assert all("not a kik database" in r["message"] for r in runs)


def test_corpus_plaso_kik_ios(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/ios/kik.sqlite")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [{"parser": "kik", "status": "ok", "message": "", "records": 85, "warnings": 0}]
    messages = list(records(conn, "message"))
    assert len(messages) == 60
    times = sorted(m["ts"] for m in messages)
    assert (times[0], times[-1]) == ("2015-06-29T08:46:14.492353Z", "2015-07-02T09:16:58.197866Z")
    directions = [m["direction"] for m in messages]
    counts = {d: directions.count(d) for d in ("incoming", "outgoing", None)}
    assert counts == {"incoming": 31, "outgoing": 24, None: 5}  # ZTYPE 1, 2, and 3 + 4
    hello = messages[1]  # plaso's event 1
    assert (hello["body"], hello["direction"], hello["thread"], hello["thread_name"]) == (
        "Hello",
        "outgoing",
        "ken.doh",
        "Ken Doh",
    )
    assert (hello["message_state"], hello["message_type"]) == (94, 2)
    assert hello["ts"] == "2015-06-29T12:26:11.584834Z" and hello["recipients"] == ["ken.doh"]
    welcome = messages[0]  # ZUSER → Z_PK: the Kik Team, not plaso's ZEXTRA match jon.doh2015
    assert (welcome["sender"], welcome["sender_name"]) == ("kikteam", "Kik Team")
    assert welcome["sent_ts"] == "2015-06-29T08:46:12.024000Z"
    group = [m for m in messages if m["thread"] == "1100024090445_g@groups.kik.com"]
    assert len(group) == 43 and {m["thread_name"] for m in group} == {"EveryoneButRoss"}
    media = [m for m in messages if m["attachments"]]
    assert [(m["source_rowid"], m["body"]) for m in media] == [(20, None), (26, None)]
    assert media[0]["attachments"] == ["a7160843-c595-4afb-a359-4151dcd79157"]
    contacts = list(records(conn, "contact"))
    assert len(contacts) == 25
    assert [c["name"] for c in contacts if c["is_group"]] == ["EveryoneButRoss"]
