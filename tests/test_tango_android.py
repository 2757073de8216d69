"""Tango Android: generated tc.db and tango_profile.db with the app's tables; corpus files."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import RUNS_SQL, file_sha256, scan_with, truncated_copy

from parsers.tango_android import TangoAndroid, decode_fields, payload_bytes
from triage_app.core.export import records

# Table definitions as Tango (com.sgiggle.production) creates them, verbatim from plaso's
# tango_android_tc.db (DB_VERSION 11) and android/tango_profile.db (DB_VERSION 28).
TC_TABLES = (
    "CREATE TABLE `profiles` (`key` TEXT PRIMARY KEY, `value` TEXT)",
    "CREATE TABLE `conversations` (`conv_id` TEXT PRIMARY KEY, `conv_type` INTEGER DEFAULT 0,"
    " `payload` BLOB, `last_msg_id` INTEGER, `unread_count` INTEGER, `last_read_sent_msg_id`"
    " INTEGER, `conv_del_status` INTEGER DEFAULT 0, `deleting_ts` BIGINT DEFAULT 0,"
    " `conv_restore_status` INTEGER DEFAULT 0, `peers_read` TEXT, `total_received_msg_count`"
    " INTEGER DEFAULT -1, `communication_context` INTEGER DEFAULT 0)",
    "CREATE TABLE `messages` (`msg_id` INTEGER PRIMARY KEY, `conv_id` TEXT, `type` INTEGER,"
    " `media_id` TEXT, `share_id` TEXT, `create_time` BIGINT, `send_time` BIGINT, `direction`"
    " INTEGER, `status` INTEGER, `payload` BLOB, `del_status` INTEGER)",
    "CREATE TABLE `likes` (`msg_id` INTEGER PRIMARY KEY, `global_msg_id` TEXT, `conv_id` TEXT,"
    " `liker_aid` TEXT, `act_type` INTEGER, `status` INTEGER, `act_ts` BIGINT, `payload` BLOB)",
)
PROFILE_TABLES = (
    "CREATE TABLE `profiles` (`key` TEXT PRIMARY KEY, `value` TEXT)",
    "CREATE TABLE `profiletable` (`itemUserId` TEXT PRIMARY KEY, `itemFirstName` TEXT NOT NULL,"
    " `itemLastName` TEXT NOT NULL, `itemBirthday` TEXT NOT NULL, `itemGender` TEXT NOT NULL,"
    " `itemStatus` TEXT NOT NULL, `itemLastActiveTime` BIGINT NOT NULL, `itemDistance` DOUBLE"
    " NOT NULL, `itemCity` TEXT NOT NULL, `itemGeoCountryCode` TEXT NOT NULL, `itemAvatarUrl`"
    " TEXT NOT NULL, `itemThumbnailUrl` TEXT NOT NULL, `itemVideoUrl` TEXT NOT NULL,"
    " `itemVideoThumbnailUrl` TEXT NOT NULL, `itemBackgroundUrl` TEXT NOT NULL, `itemIsFriend`"
    " INTEGER NOT NULL, `itemIsBlocked` INTEGER NOT NULL, `itemFriendRequestType` TEXT NOT NULL,"
    " `itemReverseRelationships` TEXT NOT NULL, `itemFavoriterCount` INTEGER NOT NULL,"
    " `itemFavoritingCount` INTEGER NOT NULL, `itemFeedCount` INTEGER NOT NULL,"
    " `itemRefereneCount` INTEGER NOT NULL, `itemLevel1DataSyncTime` BIGINT NOT NULL,"
    " `itemLevel2DataSyncTime` BIGINT NOT NULL, `itemLevel3DataSyncTime` BIGINT NOT NULL,"
    " `itemLevel4DataSyncTime` BIGINT NOT NULL, `itemLevel5DataSyncTime` BIGINT NOT NULL,"
    " `itemLastLocalAccessTime` BIGINT NOT NULL, `itemFriendRequestId` TEXT NOT NULL,"
    " `itemFriendRequestMessage` TEXT NOT NULL, `itemFriendRequestTime` BIGINT NOT NULL,"
    " `itemIsNewFriendRequest` INTEGER NOT NULL, `itemFriendRequestTCMessageId` INTEGER NOT"
    " NULL, `itemFriendRequestContext` TEXT NOT NULL, `itemFriendRequestAttachedPostType`"
    " INTEGER NOT NULL, `itemFriendRequestAttachedPostContent` TEXT NOT NULL,"
    " `itemFriendRequestHasBeenForwardedToTc` INTEGER NOT NULL, `itemProfileType` TEXT NOT"
    " NULL, `itemDatingAge` INTEGER NOT NULL, `itemDatingLocationString` TEXT NOT NULL,"
    " `itemDatingSeekingString` TEXT NOT NULL, `itemDatingEssayText` TEXT NOT NULL,"
    " `itemDatingBodyType` TEXT NOT NULL, `itemDatingLastActive` TEXT NOT NULL,"
    " `itemDatingProfileUrl` TEXT NOT NULL, `itemLastTimeOfLikeProfile` BIGINT NOT NULL,"
    " `itemIsHidden` INTEGER NOT NULL, `itemPrivacy` INTEGER NOT NULL, `itemCanSeeMyPost`"
    " INTEGER NOT NULL, `itemCanShareMyPost` INTEGER NOT NULL, `itemCanContactMe` INTEGER NOT"
    " NULL)",
)
FILES_DIR = "data/data/com.sgiggle.production/files"
ME, PEER = "sMawZoHh9XG5SwDP28ObAQ", "sw9dX9KKt9JIhOxd2Kkv9Q"
MEDIA = "/storage/emulated/0/Android/data/com.sgiggle.production/files/storage/appdata/x.jpg"
MEDIA_URL = "http://cget.tango.me/contentserver/download/VpkFQQAAr8zn2YoPDD_Apw/3ZkbuSnN"
NOTICE = "Omar liked the picture.\n(For full experience, upgrade Tango http://install.tango.net)"
T0 = 1700000000000  # ms: 2023-11-14 22:13:20 UTC
Field = tuple[int, "int | str | bytes | list[Field]"]


def pb(*fields: Field) -> bytes:
    """A protobuf message: ints as varints, text/bytes/nested lists length-delimited."""
    out = b""
    for number, value in fields:
        if isinstance(value, int):
            out += _varint(number << 3) + _varint(value)
            continue
        data = pb(*value) if isinstance(value, list) else value
        data = data.encode() if isinstance(data, str) else data
        out += _varint(number << 3 | 2) + _varint(len(data)) + data
    return out


def _varint(value: int) -> bytes:
    out = b""
    while True:
        byte, value = value & 0x7F, value >> 7
        out += bytes([byte | (0x80 if value else 0)])
        if not value:
            return out


def b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def msg_payload(msg_id: int, kind: int, created: int, *extra: Field) -> str:
    head: list[Field] = [(2, PEER), (3, kind)]
    return b64(pb(*head, *extra, (23, msg_id), (24, 1), (29, created)))


SENDER: Field = (21, [(1, "Tango"), (2, "Member"), (3, PEER)])
# (msg_id, type, media_id, create_time, send_time, direction, del_status, payload)
MESSAGE_ROWS: list[tuple[Any, ...]] = [
    (16777223, 0, None, T0, T0 + 91, 2, 0, msg_payload(16777223, 0, T0, (4, "وصلت؟ Hey!"), SENDER)),
    (
        16777226,
        3,
        "VpkFQQAAr8zn2YoPDD_Apw",
        T0 + 60_000,
        T0 + 66_333,
        1,
        0,
        msg_payload(16777226, 3, T0 + 60_000, (5, MEDIA_URL), (7, MEDIA), (8, 16623)),
    ),
    (
        16777228,
        61,
        None,
        T0 + 120_000,
        T0 + 120_625,
        2,
        0,
        msg_payload(16777228, 61, 0, (4, ""), SENDER, (76, NOTICE)),
    ),
    (
        16777230,
        0,
        None,
        T0 + 180_000,
        T0 + 180_500,
        1,
        2,
        msg_payload(16777230, 0, 0, (4, "I am following you on Tango")),
    ),
]
_INSERT = (
    "INSERT INTO messages (msg_id, conv_id, type, media_id, create_time, send_time, direction,"
    " del_status, payload) VALUES (?,?,?,?,?,?,?,?,?)"
)


def make_tc(path: Path, rows: list[tuple[Any, ...]] = MESSAGE_ROWS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in TC_TABLES:
        conn.execute(ddl)
    conn.execute("INSERT INTO profiles VALUES ('DB_VERSION', '11')")
    conn.execute(
        "INSERT INTO conversations (conv_id, payload, last_msg_id) VALUES (?,?,?)",
        (PEER, b64(pb((2, [(3, PEER)]), (3, PEER), (7, 0))), 16777230),
    )
    conn.executemany(_INSERT, [(r[0], PEER, *r[1:]) for r in rows])
    conn.commit()
    conn.close()
    return path


_PROFILE_COLUMNS = (
    "itemUserId, itemFirstName, itemLastName, itemBirthday, itemGender, itemStatus,"
    " itemLastActiveTime, itemIsFriend, itemIsBlocked, itemFriendRequestType,"
    " itemFriendRequestMessage, itemFriendRequestTime, itemLastLocalAccessTime"
)
# (user id, first, last, birthday, gender, status, last active, friend, blocked, request type,
#  request message, request time, last local access); names and texts base64 as Tango stores them
PROFILE_ROWS: list[tuple[Any, ...]] = [
    (ME, b64("Omar"), b64("Z"), "", "male", "", 0, 0, 0, "noRequest", "", 0, T0 - 5000),
    (PEER, b64("Justin"), b64("M"), "", "unknown", "", 0, 1, 0, "noRequest", "", 0, T0 + 9000),
    (
        "DyGWr_010wQM_ozkIe-9Ww",
        b64("سليم"),
        b64("Henry"),
        "1980-10-01",
        "male",
        b64("Praying!"),
        T0 - 3_600_000,
        0,
        1,
        "outRequest",
        b64("I am following you on Tango"),
        T0 + 180_000,
        T0 + 180_300,
    ),
]


def make_profile_db(path: Path, rows: list[tuple[Any, ...]] = PROFILE_ROWS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in PROFILE_TABLES:
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO profiles VALUES (?, ?)",
        [("DB_VERSION", "28"), ("keyCurrentUserId", ME)],
    )
    # Every other profiletable column is NOT NULL without a default: Tango writes '' / 0.
    names = [r[1] for r in conn.execute("PRAGMA table_info(profiletable)")]
    given = [c.strip() for c in _PROFILE_COLUMNS.split(",")]
    rest = [c for c in names if c not in given]
    columns = ", ".join(given + rest)
    marks = ", ".join("?" * (len(given) + len(rest)))
    filler = tuple("" if c.endswith(("Url", "String", "Text", "Type", "Id")) else 0 for c in rest)
    conn.executemany(
        f"INSERT INTO profiletable ({columns}) VALUES ({marks})", [r + filler for r in rows]
    )
    conn.commit()
    conn.close()
    return path


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [TangoAndroid()], evidence, RUNS)


def test_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_tc(root / FILES_DIR / "tc.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"parser": "tango_android", "status": "ok", "message": "", "records": 4, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 4
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{FILES_DIR}/tc.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "tc.db"),
        "parser": "tango_android",
        "ts": "2023-11-14T22:13:20Z",
        "ts_raw": T0,
        "deleted": False,
        "app": "tango",
        "thread": PEER,
        "sender": PEER,
        "recipients": [],
        "direction": "incoming",
        "body": "وصلت؟ Hey!",
        "attachments": [],
        "message_type": 0,
        "del_status": 0,
        "sent": "2023-11-14T22:13:20.091000Z",
        "source_table": "messages",
        "source_rowid": 16777223,
    }
    picture = messages[1]
    assert (picture["direction"], picture["sender"], picture["recipients"]) == (
        "outgoing",
        None,
        [PEER],
    )
    assert picture["attachments"] == [MEDIA] and picture["media_url"] == MEDIA_URL
    assert (picture["media_size"], picture["media_id"], picture["body"]) == (
        16623,
        "VpkFQQAAr8zn2YoPDD_Apw",
        None,
    )
    like = messages[2]
    assert (like["body"], like["activity"], like["message_type"]) == (None, NOTICE, 61)
    assert messages[3]["del_status"] == 2 and messages[3]["deleted"] is False


def test_profiles(tmp_path: Path) -> None:
    make_profile_db(tmp_path / "phone" / FILES_DIR / "tango_profile.db")
    conn, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 0
    contacts = list(records(conn, "contact"))
    assert len(contacts) == 3 and not list(records(conn, "message"))
    assert (contacts[0]["name"], contacts[0]["account_owner"]) == ("Omar Z", True)
    assert (contacts[1]["name"], contacts[1]["is_friend"]) == ("Justin M", True)
    assert contacts[1]["ts"] == "2023-11-14T22:13:29Z"  # no request: last local access
    requested = contacts[2]
    assert requested == {
        "kind": "contact",
        "id": requested["id"],
        "evidence": 1,
        "path": f"/{FILES_DIR}/tango_profile.db",
        "volume": None,
        "source_sha256": file_sha256(conn, "tango_profile.db"),
        "parser": "tango_android",
        "ts": "2023-11-14T22:16:20Z",
        "ts_raw": T0 + 180_000,
        "deleted": False,
        "app": "tango",
        "name": "سليم Henry",
        "phones": [],
        "emails": [],
        "user_id": "DyGWr_010wQM_ozkIe-9Ww",
        "account_owner": False,
        "is_friend": False,
        "is_blocked": True,
        "status_text": "Praying!",
        "birthday": "1980-10-01",
        "gender": "male",
        "last_active": "2023-11-14T21:13:20Z",
        "friend_request_type": "outRequest",
        "friend_request_message": "I am following you on Tango",
        "friend_request_time": "2023-11-14T22:16:20Z",
        "source_table": "profiletable",
        "source_rowid": 3,
    }


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(make_tc(tmp_path / "src" / "tc.db"), tmp_path / "phone" / FILES_DIR / "tc.db")
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "phone" / FILES_DIR / "tc.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(TC_TABLES[0])
    conn.execute(TC_TABLES[1])
    conn.execute("CREATE TABLE messages (msg_id INTEGER PRIMARY KEY, conv_id TEXT, type INTEGER)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs[0]["status"] == "error", runs
    assert "messages.payload" in runs[0]["message"] and "messages.create_time" in runs[0]["message"]


def test_garbage_rows(tmp_path: Path) -> None:
    cut = base64.b64decode(MESSAGE_ROWS[0][-1])[:-5]
    rows = [
        *MESSAGE_ROWS,
        (16777240, 0, None, T0, T0, "sideways", 0, MESSAGE_ROWS[0][-1]),  # not a direction
        (16777241, 0, None, T0, T0, 2, 0, b64(cut)),  # payload cut short: fields kept
        (16777242, 0, None, -5, None, 9, None, b"\x07\xff not base64"),  # wire type 7 at once
    ]
    conn, runs = _scan(tmp_path, make_tc(tmp_path / "phone" / "tc.db", rows))
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 6 and runs[0]["warnings"] == 3
    assert "messages row 16777240 skipped" in runs[0]["message"]
    assert "16777241: payload partly decoded" in runs[0]["message"]
    assert "16777242: payload not decodable" in runs[0]["message"]
    partial, garbage = list(records(conn, "message"))[-2:]
    assert (partial["body"], partial["sender"]) == ("وصلت؟ Hey!", PEER)
    assert garbage["ts"] is None and garbage["ts_raw"] == -5 and garbage["direction"] is None
    assert garbage["body"] is None and garbage["attachments"] == []


def test_profile_text_that_is_not_base64_is_kept(tmp_path: Path) -> None:
    row = (PEER, "Justin (plain)", b64("M"), "", "", "", 0, 1, 0, "noRequest", "", 0, 0)
    conn, runs = _scan(tmp_path, make_profile_db(tmp_path / "phone" / "tango_profile.db", [row]))
    assert runs[0]["records"] == 1 and runs[0]["warnings"] == 1
    assert "itemFirstName is not base64 text" in runs[0]["message"]
    contact = next(records(conn, "contact"))
    assert contact["name"] == "Justin (plain) M" and contact["ts"] is None


def test_unrelated_tango_named_database_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "phone" / "tango_cache.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "skipped" and "not a Tango database" in runs[0]["message"]


def test_payload_decoder_is_bounded() -> None:
    assert decode_fields(b"") == ({}, True)
    assert decode_fields(pb((4, "hi"), (22, 5))) == ({4: [b"hi"], 22: [5]}, True)
    assert decode_fields(b"\x22\x05hi") == ({}, False)  # length past the end
    assert decode_fields(b"\x08" + b"\xff" * 20) == ({}, False)  # varint never ends
    assert decode_fields(b"\x0f\x00") == ({}, False)  # wire type 7
    assert payload_bytes("aGk=") == b"hi" and payload_bytes(b"\x22\x02hi") == b"\x22\x02hi"
    assert payload_bytes(None) == b""


def test_corpus_plaso_tango_tc(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/tango_android_tc.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 18 and runs[0]["warnings"] == 0
    messages = list(records(conn, "message"))
    assert len(messages) == 18 and not list(records(conn, "contact"))
    stamps = sorted(m["ts"] for m in messages)
    # The first row, Tango's welcome video, was created in 2014 and delivered in 2016.
    assert (stamps[0], stamps[1], stamps[-1]) == (
        "2014-04-30T01:00:33Z",
        "2016-01-15T14:35:15.520000Z",
        "2016-01-15T14:53:32.337000Z",
    )
    directions = [m["direction"] for m in messages]
    assert (directions.count("outgoing"), directions.count("incoming")) == (10, 8)
    requests = [m for m in messages if m["body"] == "I am following you on Tango"]
    assert len(requests) == 5 and all(m["del_status"] == 2 for m in requests)
    # plaso's event 14 (tests/parsers/sqlite_plugins/android_tango.py): message 16777224.
    picture = next(m for m in messages if m["source_rowid"] == 16777224)
    assert {k: v for k, v in picture.items() if k not in ("id", "source_sha256")} == {
        "kind": "message",
        "evidence": 1,
        "path": "/tango_android_tc.db",
        "volume": None,
        "parser": "tango_android",
        "ts": "2016-01-15T14:41:33.027000Z",
        "ts_raw": 1452868893027,
        "deleted": False,
        "app": "tango",
        "thread": "sw9dX9KKt9JIhOxd2Kkv9Q",
        "sender": "sw9dX9KKt9JIhOxd2Kkv9Q",
        "recipients": [],
        "direction": "incoming",
        "body": None,
        "attachments": [
            "/storage/emulated/0/Android/data/com.sgiggle.production/files/storage/appdata/"
            "TCStorageManagerMediaCache_v2/88693890412e8f7d92b00b246af76424"
        ],
        "message_type": 3,
        "del_status": 0,
        "sent": "2016-01-15T14:41:34.238000Z",
        "media_id": "VpkFHQAAr7lj5R2IAOrXdQ",
        "media_url": "http://cget.tango.me/contentserver/download/VpkFHQAAr7lj5R2IAOrXdQ/HdQowfft",
        "media_size": 16623,
        "source_table": "messages",
        "source_rowid": 16777224,
    }
    text = next(m for m in messages if m["source_rowid"] == 16777225)
    assert (text["body"], text["direction"], text["recipients"]) == (
        "Wow  big belly",
        "outgoing",
        ["sw9dX9KKt9JIhOxd2Kkv9Q"],
    )
    like = next(m for m in messages if m["source_rowid"] == 16777232)
    assert (like["body"], like["activity"]) == (None, "Hank liked the message.")


def test_corpus_plaso_tango_profile(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/tango_profile.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 57 and runs[0]["warnings"] == 0
    contacts = list(records(conn, "contact"))
    # One contact per cached profile (plaso: 57 events); the 5 friend requests' text is also
    # a message of tc.db, so it is not a message here.
    assert len(contacts) == 57 and not list(records(conn, "message"))
    owner = [c for c in contacts if c["account_owner"]]
    assert [(c["name"], c["user_id"]) for c in owner] == [("Hank Fresh", "sMawZoHh9XG5SwDP28ObAQ")]
    assert [c["name"] for c in contacts if c["is_friend"]] == ["Justin M"]
    requests = [c for c in contacts if c["friend_request_type"] == "outRequest"]
    assert len(requests) == 5
    # plaso's event 2.
    rouel = contacts[2]
    assert {k: v for k, v in rouel.items() if k not in ("id", "source_sha256")} == {
        "kind": "contact",
        "evidence": 1,
        "path": "/tango_profile.db",
        "volume": None,
        "parser": "tango_android",
        "ts": "2016-01-15T14:35:20.436000Z",
        "ts_raw": 1452868520436,
        "deleted": False,
        "app": "tango",
        "name": "Rouel Henry",
        "phones": [],
        "emails": [],
        "user_id": "DyGWr_010wQM_ozkIe-9Ww",
        "account_owner": False,
        "is_friend": False,
        "is_blocked": False,
        "status_text": "Praying!",
        "birthday": "1980-10-01",
        "gender": "male",
        "last_active": "2016-01-15T13:21:45.624000Z",
        "friend_request_type": "outRequest",
        "friend_request_message": "I am following you on Tango",
        "friend_request_time": "2016-01-15T14:35:20.436000Z",
        "source_table": "profiletable",
        "source_rowid": 58,
    }
