"""MeWe iOS sgrouplesdb.sqlite: generated Core Data store with the app's schema, bad input, and
iLEAPP's test case compared with iLEAPP's own expected rows."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from casehelpers import OUTCOME_SQL, scan_records, truncated_copy

from parsers.mewe_ios import MeweIos

APP_DIR = "private/var/mobile/Containers/Data/Application/B8B1A6C3-0000-4000-8000-000000000001"
DB_PATH = f"{APP_DIR}/Documents/sgrouplesdb.sqlite"
COCOA = 978307200  # seconds from 1970 to 2001
T0 = 1714245725 - COCOA
# Tables as MeWe 2024 for iOS creates them (column names, types and order verbatim from the
# store of iLEAPP's josh_ios17_ffs case); the other ~35 entities of the model are left out.
SCHEMA = [
    "CREATE TABLE ZCHATATTACHMENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFEATURETYPE INTEGER, ZISANIMATED INTEGER, ZISTEMPORARY INTEGER, ZPHOTOHEIGHT INTEGER,"
    " ZPHOTOWIDTH INTEGER, ZCHATMESSAGE INTEGER, ZAUDIODURATION FLOAT, ZVIDEODURATION FLOAT,"
    " ZATYPE VARCHAR, ZAVAILABLEVIDEORESOLUTIONSCOMBINED VARCHAR, ZFILENAME VARCHAR,"
    " ZFILEOBJECTID VARCHAR, ZMIMETYPE VARCHAR, ZPOSTID VARCHAR, ZURL VARCHAR,"
    " ZTEMPORARYDATATOUPLOAD BLOB )",
    "CREATE TABLE ZCHATMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZCALLDURATION INTEGER, ZCALLHASVIDEO INTEGER, ZCANDOWNLOADATTACHMENTS INTEGER,"
    " ZCANFORWARD INTEGER, ZDELETEDBYSENDER INTEGER, ZHASOPENEDPRIVACYMAIL INTEGER,"
    " ZISSENDERADMIN INTEGER, ZISSENDEROWNER INTEGER, ZISTEMPORARY INTEGER, ZKINDNUMBER"
    " INTEGER, ZSENDINGATTEMPTSLEFT INTEGER, ZSENDINGSTATUS INTEGER, ZSTORYISLIVE INTEGER,"
    " ZPARTICIPATION INTEGER, ZPRIVACYMAILPOST INTEGER, ZREPLYTARGET INTEGER, ZSTORYMEDIUM"
    " INTEGER, ZSTORYTHUMBNAIL INTEGER, ZTHREAD INTEGER, ZDATE TIMESTAMP, ZEDITEDDATE"
    " TIMESTAMP, ZEXPIRESIN FLOAT, ZDISAPPEARINGTYPE VARCHAR, ZEVENTTYPE VARCHAR, ZMESSAGEID"
    " VARCHAR, ZORIGINALTEXT VARCHAR, ZPRIVACYMAILID VARCHAR, ZREPLYMESSAGEID VARCHAR, ZSENDER"
    " VARCHAR, ZSTORYID VARCHAR, ZSTORYMEDIATYPE VARCHAR, ZSTORYTELLERID VARCHAR,"
    " ZSTORYTELLERTYPE VARCHAR, ZTEXT VARCHAR, ZTEXTRICH VARCHAR, ZTHREADID VARCHAR,"
    " ZTZDATESTR VARCHAR )",
    "CREATE TABLE ZCHATTHREAD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZCLOSED INTEGER, ZHIDDEN INTEGER, ZISDEACTIVATED INTEGER, ZISTEMPORARY INTEGER,"
    " ZUNREADCOUNT INTEGER, ZLASTMESSAGE INTEGER, ZNOTCONTACTOPTIONS INTEGER, ZDATE TIMESTAMP,"
    " ZAVATARLINKTEMPLATE VARCHAR, ZCHATTYPE VARCHAR, ZLASTREADMESSAGEID VARCHAR, ZSTARTEDBY"
    " VARCHAR, ZTHREADID VARCHAR )",
    "CREATE TABLE Z_11PARTICIPATINGUSERS ( Z_11THREADS INTEGER, Z_38PARTICIPATINGUSERS"
    " INTEGER, PRIMARY KEY (Z_11THREADS, Z_38PARTICIPATINGUSERS) )",
    "CREATE TABLE ZUSER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISDONOR"
    " INTEGER, ZISPREMIUM INTEGER, ZISPUBLIC INTEGER, ZISVERIFIED INTEGER, ZISWEB3 INTEGER,"
    " ZCURRENTUSER INTEGER, ZDSNPHANDLE VARCHAR, ZFINGERPRINT VARCHAR, ZFIRSTNAME VARCHAR,"
    " ZHANDLE VARCHAR, ZLASTNAME VARCHAR, ZNAME VARCHAR, ZUSERID VARCHAR )",
]
ME = "5e2f00000000000000000001"
SAMIR = "6172000000000000000000a2"
CAPTAIN = "662d000000000000000000b3"
OSM = "https://www.openstreetmap.org/?mlat=32.9312&mlon=12.0826&zoom=17&meweLocationType=current"
MESSAGE_COLUMNS = (
    "Z_PK, ZTHREADID, ZSENDER, ZDATE, ZTEXT, ZMESSAGEID, ZEDITEDDATE, ZORIGINALTEXT,"
    " ZREPLYTARGET, ZREPLYMESSAGEID, ZCALLDURATION"
)
MESSAGES = [
    (1, "thread-1", SAMIR, T0 + 0.25, "الموعد غدا", "m1", T0 + 60, "الموعد اليوم", None, None, 0),
    (2, "thread-1", ME, T0 + 120, OSM, "m2", None, None, None, None, 0),
    (3, "thread-2", CAPTAIN, T0 + 180, None, "m3", None, None, None, None, 0),
    # A reply (row 5) and the copy of the message it quotes (row 4: same id as row 1, the
    # reply's id in ZREPLYMESSAGEID, the reply's date), as MeWe stores them.
    (4, "thread-1", SAMIR, T0 + 240, "الموعد غدا", "m1", None, "الموعد غدا", None, "m5", 0),
    (5, "thread-1", ME, T0 + 240, "ok", "m5", None, None, 4, None, 0),
    (6, "thread-2", ME, 0, "no date", "m6", None, None, None, None, 0),
]


def make_store(path: Path, messages: list[tuple[Any, ...]] = MESSAGES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.executemany(
        "INSERT INTO ZUSER (Z_PK, ZUSERID, ZNAME, ZFIRSTNAME, ZLASTNAME, ZHANDLE, ZCURRENTUSER)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            (1, ME, "Account Holder", "Account", "Holder", "holder", 1),
            (2, SAMIR, None, "Samir", "T", "samir.t", None),
            (3, CAPTAIN, None, None, None, "captain.zw", None),
        ],
    )
    conn.executemany(
        "INSERT INTO ZCHATTHREAD (Z_PK, ZTHREADID, ZCHATTYPE, ZSTARTEDBY) VALUES (?,?,?,?)",
        [(1, "thread-1", "UserChat", ME), (2, "thread-2", "GroupChat", CAPTAIN)],
    )
    conn.executemany(
        "INSERT INTO Z_11PARTICIPATINGUSERS VALUES (?,?)", [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3)]
    )
    conn.execute(
        "INSERT INTO ZCHATATTACHMENT (Z_PK, ZCHATMESSAGE, ZATYPE, ZFILENAME, ZMIMETYPE, ZURL)"
        " VALUES (1, 3, 'photo', 'image.jpg', 'jpg', '/api/v2/photo/XyZ/{imageSize}/image')"
    )
    conn.executemany(
        f"INSERT INTO ZCHATMESSAGE ({MESSAGE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", messages
    )
    conn.commit()
    conn.close()
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return scan_records(tmp_path / "case", [MeweIos()], evidence, "message", OUTCOME_SQL)


def test_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_store(tmp_path / "iphone" / DB_PATH)
    unchanged(tmp_path / "iphone")
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs == [{"status": "ok", "records": 6, "warnings": 0, "message": ""}]
    first = messages[0]
    assert {k: v for k, v in first.items() if k not in ("id", "source_sha256")} == {
        "kind": "message", "evidence": 1, "path": f"/{DB_PATH}", "volume": None,
        "parser": "mewe_ios", "ts": "2024-04-27T19:22:05.250000Z", "ts_raw": T0 + 0.25,
        "deleted": False, "app": "mewe", "thread": "thread-1", "thread_name": "Samir T",
        "chat_type": "UserChat", "sender": SAMIR, "sender_name": "Samir T",
        "recipients": [ME], "direction": "incoming", "body": "الموعد غدا", "attachments": [],
        "message_id": "m1", "edited": "2024-04-27T19:23:05Z", "original_text": "الموعد اليوم",
        "source_table": "ZCHATMESSAGE", "source_rowid": 1,
    }  # fmt: skip
    location = messages[1]
    assert location["direction"] == "outgoing" and location["recipients"] == [SAMIR]
    assert (location["lat"], location["lon"]) == (32.9312, 12.0826)
    photo = messages[2]
    assert photo["body"] is None and photo["sender_name"] == "captain.zw"
    assert photo["attachments"] == ["/api/v2/photo/XyZ/{imageSize}/image"]
    assert photo["attachment_types"] == ["photo"] and photo["attachment_names"] == ["image.jpg"]
    assert photo["recipients"] == [ME, SAMIR] and photo["thread_name"] == "Samir T, captain.zw"
    quoted, reply = messages[3], messages[4]
    assert quoted["quoted_by_message_id"] == "m5" and quoted["message_id"] == "m1"
    assert reply["reply_to_message_id"] == "m1" and "quoted_by_message_id" not in reply
    assert messages[5]["ts"] is None and messages[5]["ts_raw"] == 0  # never 1970


def test_truncated_store_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_store(tmp_path / "src" / "sgrouplesdb.sqlite"), tmp_path / "iphone" / DB_PATH
    )
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_store(tmp_path / "iphone" / DB_PATH)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE ZCHATMESSAGE RENAME COLUMN ZTEXT TO ZBODY")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error" and "ZCHATMESSAGE.ZTEXT" in runs[0]["message"]


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    # Undecodable text is kept (replacement characters); a call duration that is not a
    # number is garbage: that row is warned and skipped, the others are kept.
    odd = (7, "thread-1", SAMIR, T0 + 300, b"\xff\xfeok", "m7", None, None, None, None, 0)
    bad = (8, "thread-1", SAMIR, T0 + 360, "call", "m8", None, None, None, None, "abc")
    make_store(tmp_path / "iphone" / DB_PATH, [*MESSAGES, odd, bad])
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 7 and runs[0]["warnings"] == 1
    assert "ZCHATMESSAGE row 8" in runs[0]["message"]
    assert [m["message_id"] for m in messages][-1] == "m7"
    assert messages[-1]["body"] == "\ufffd\ufffdok"


def test_missing_side_table_is_a_warning(tmp_path: Path) -> None:
    db = make_store(tmp_path / "iphone" / DB_PATH)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE ZCHATATTACHMENT")
    conn.commit()
    conn.close()
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 6 and runs[0]["warnings"] == 1
    assert "ZCHATATTACHMENT" in runs[0]["message"] and messages[2]["attachments"] == []


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "iphone" / DB_PATH
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    conn.commit()
    conn.close()
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "skipped" and messages == []


ILEAPP = "iLEAPP/admin/test"
CASE_ZIP = f"{ILEAPP}/cases/data/meWe/testdata.meWe.meWeMessages.josh_ios17_ffs.zip"
ORACLE = f"{ILEAPP}/results/meWe/meWe.meWeMessages.josh_ios17_ffs.20260725220318.json"


def _seconds(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp())


def test_corpus_ileapp_case_matches_ileapp_rows(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    """The zip (store + WAL) scanned as evidence gives iLEAPP's 53 rows: time (whole seconds,
    as iLEAPP reports them), sender id and name, text, direction and shared location."""
    evidence = corpus(CASE_ZIP)
    oracle = json.loads(corpus(ORACLE).read_text(encoding="utf-8"))
    unchanged(evidence)
    messages, runs = _scan(tmp_path, evidence)
    assert runs == [{"status": "ok", "records": 53, "warnings": 0, "message": ""}]
    assert len(messages) == oracle["metadata"]["number_of_rows"] == len(oracle["data"]) == 53
    col = {name: i for i, name in enumerate(oracle["headers"])}

    def expected(row: list[Any]) -> tuple[Any, ...]:
        lat, lon = row[col["Latitude"]], row[col["Longitude"]]
        return (
            row[col["Timestamp"]], row[col["Sender ID"]], row[col["Sender"]],
            row[col["Message"]] or "", bool(row[col["From Me"]]),
            (float(lat), float(lon)) if lat else None, row[col["Message ID"]],
        )  # fmt: skip

    def ours(m: dict[str, Any]) -> tuple[Any, ...]:
        return (
            _seconds(m["ts"]), m["sender"], m["sender_name"], m["body"] or "",
            m["direction"] == "outgoing", (m["lat"], m["lon"]) if "lat" in m else None,
            m["message_id"],
        )  # fmt: skip

    assert Counter(map(ours, messages)) == Counter(map(expected, oracle["data"]))
    first, last = min(messages, key=lambda m: m["ts"]), max(messages, key=lambda m: m["ts"])
    assert first["ts"] == "2020-04-11T18:05:26Z" and first["thread_name"] == "John Hicks"
    assert last["ts"] == "2024-07-26T14:12:18Z" and last["lat"] == 38.7794695527338
    assert {m["thread"] for m in messages} == {r[col["Thread ID"]] for r in oracle["data"]}
    assert sum("quoted_by_message_id" in m for m in messages) == 2
