"""imo HD for iOS: generated `IMODb2.sqlite` with the app's Core Data tables, bad input, and
plaso's `ios/IMODb2.sqlite`.

The CREATE TABLE statements are those of imo HD for iOS (2023, the schema of plaso's sample);
the rows are made up.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import RUNS_SQL, file_sha256, scan_with, truncated_copy

from parsers.imo_ios import ImoIos
from triage_app.core.export import records

APP_DIR = "private/var/mobile/Containers/Data/Application/7C1D2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F"
OWNER = "2001000000000001"
ABU = "2002000000000002"
GROUP = "g.1234567890"
DRIVER = "2003000000000003"
T = 1700000000123000000  # ns since 1970

CHATMSG = (
    "CREATE TABLE ZIMOCHATMSG ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISSENT"
    " INTEGER, ZNUM_RETRIES INTEGER, ZSENDERTS INTEGER, ZSTATE INTEGER, ZTS INTEGER, ZTYPE"
    " INTEGER, ZA_UID VARCHAR, ZALIAS VARCHAR, ZBATCH_ID VARCHAR, ZBUID VARCHAR, ZCONTACT_ALIAS"
    " VARCHAR, ZICON VARCHAR, ZPHOTO_ID VARCHAR, ZTEXT VARCHAR, ZIMDATA BLOB )"
)
CONTACT = (
    "CREATE TABLE ZIMOCONTACT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZBLOCK_STATE INTEGER, ZCONTACT_ABID INTEGER, ZFAV_STATE INTEGER, ZIS_GROUP INTEGER,"
    " ZMUTED_STATE INTEGER, ZPHONE_LAST6 INTEGER, ZALIAS VARCHAR, ZBUID VARCHAR, ZCONTACT_CNID"
    " VARCHAR, ZDIGIT_PHONE VARCHAR, ZDISPLAY VARCHAR, ZICON_ID VARCHAR, ZPH_NAME VARCHAR, ZPHONE"
    " VARCHAR )"
)
KEYVAL = (
    "CREATE TABLE ZIMOKEYVAL ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZLONG_VAL INTEGER, ZDATE_VAL TIMESTAMP, ZKEY VARCHAR, ZSTRING_VAL VARCHAR, ZDATA_VAL BLOB )"
)
MEDIA = (
    "CREATE TABLE ZIMOMEDIALOCALINFO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZESTIMATED_SIZE INTEGER, ZIM_STATE INTEGER, ZIM_TS INTEGER, ZSENDER_TS INTEGER, ZSORT_TS"
    " INTEGER, ZSTATE INTEGER, ZTS INTEGER, ZTYPE INTEGER, ZCHATMSG INTEGER, ZA_UID VARCHAR,"
    " ZASSETURL VARCHAR, ZBATCH_ID VARCHAR, ZBUID VARCHAR, ZLOCALIDENTIFIER VARCHAR, ZMEDIAID"
    " VARCHAR, ZMETADATA BLOB )"
)
RECENT_CHAT = (
    "CREATE TABLE ZIMORECENTCHAT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZNUM_UNREAD INTEGER, ZSTATE INTEGER, ZTS INTEGER, ZTYPE INTEGER, ZALIAS VARCHAR, ZBUID"
    " VARCHAR, ZICON VARCHAR, ZTEXT VARCHAR )"
)
PRIMARYKEY = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER)"
)
ALL_TABLES = (CHATMSG, CONTACT, KEYVAL, MEDIA, RECENT_CHAT, PRIMARYKEY)
PHOTO = json.dumps(
    {
        "type_specific_params": {"type": "image", "mime": "image/webp"},
        "filename": "0AK3-QnxEc0.webp",
        "type": "image",
        "object_id": ".40tNyIfCwAKbKfEfKsHcyIsiAjQ",
    }
)
# (Z_PK, ZISSENT, ZSENDERTS, ZTS, ZTYPE, ZA_UID, ZALIAS, ZBUID, ZCONTACT_ALIAS, ZTEXT)
MESSAGES: list[tuple[Any, ...]] = [
    (1, 0, T - 3_000_000, T, 0, ABU, "Abu S", ABU, "Abu Salem", "wesh, el flouka jahza?"),
    (2, 1, T + 59_000_000_000, T + 60_000_000_000, 0, None, None, ABU, "Abu Salem", "<b>ok</b>"),
    (3, 0, T + 120_000_000_000, T + 120_000_000_000, 1, DRIVER, "Driver", GROUP, "crossing",
     "uploaded photo: https://cdn.imoim.us/s/object/.40tNyIfCwAKbKfEfKsHcyIsiAjQ/"),
    (4, 0, None, 0, 1, ABU, "Abu S", ABU, "Abu Salem", None),
]  # fmt: skip


def make_imodb(path: Path, tables: tuple[str, ...] = ALL_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.executemany(
        "INSERT INTO ZIMOCHATMSG (Z_PK, ZISSENT, ZSENDERTS, ZTS, ZTYPE, ZA_UID, ZALIAS, ZBUID,"
        " ZCONTACT_ALIAS, ZTEXT) VALUES (?,?,?,?,?,?,?,?,?,?)",
        MESSAGES,
    )
    if KEYVAL in tables:
        conn.executemany(
            "INSERT INTO ZIMOKEYVAL (Z_PK, ZKEY, ZSTRING_VAL) VALUES (?,?,?)",
            [(1, "udid", "X"), (2, "imo_account_alias", "Omar Z"), (3, "imo_account_uid", OWNER)],
        )
    if CONTACT in tables:
        conn.executemany(
            "INSERT INTO ZIMOCONTACT (Z_PK, ZIS_GROUP, ZALIAS, ZBUID, ZDIGIT_PHONE, ZDISPLAY,"
            " ZPH_NAME, ZPHONE) VALUES (?,?,?,?,?,?,?,?)",
            [
                (1, 0, "Abu S", ABU, "218912345678", "Abu Salem", "Abu Salem", "+218 91 234 5678"),
                (2, 1, "crossing", GROUP, None, None, None, None),
            ],
        )
    if MEDIA in tables:
        conn.executemany(
            "INSERT INTO ZIMOMEDIALOCALINFO (Z_PK, ZCHATMSG, ZMEDIAID, ZMETADATA) VALUES (?,?,?,?)",
            [(1, 3, ".40tNyIfCwAKbKfEfKsHcyIsiAjQ", PHOTO), (2, 4, ".41media", b"{not json")],
        )
    conn.commit()
    conn.close()
    return path


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [ImoIos()], evidence, RUNS)


def test_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "iphone"
    make_imodb(root / APP_DIR / "Documents" / "IMODb2.sqlite")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"parser": "imo_ios", "status": "ok", "message": "", "records": 6, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 4
    first = messages[0]
    sha = file_sha256(conn, "IMODb2.sqlite")
    assert first == {
        "kind": "message", "id": first["id"], "evidence": 1,
        "path": f"/{APP_DIR}/Documents/IMODb2.sqlite", "volume": None,
        "source_sha256": sha, "parser": "imo_ios", "ts": "2023-11-14T22:13:20.123000Z",
        "ts_raw": T, "deleted": False, "app": "imo", "thread": ABU, "sender": ABU,
        "recipients": [OWNER], "direction": "incoming", "body": "wesh, el flouka jahza?",
        "attachments": [], "thread_name": "Abu Salem", "sender_name": "Abu S",
        "message_type": 0, "sent_ts": "2023-11-14T22:13:20.120000Z",
        "source_table": "ZIMOCHATMSG", "source_rowid": 1,
    }  # fmt: skip
    sent = messages[1]
    assert (sent["direction"], sent["sender"], sent["sender_name"], sent["recipients"]) == (
        "outgoing",
        OWNER,
        "Omar Z",
        [ABU],
    )
    assert sent["body"] == "<b>ok</b>"
    photo = messages[2]  # group message: the author is ZA_UID, the chat ZBUID
    assert (photo["thread"], photo["sender"], photo["sender_name"]) == (GROUP, DRIVER, "Driver")
    assert photo["attachments"] == ["0AK3-QnxEc0.webp"] and photo["media_mime"] == "image/webp"
    broken = messages[3]  # undecodable metadata: the media id still names the attachment
    assert broken["attachments"] == [".41media"] and "media_mime" not in broken
    assert (broken["ts"], broken["ts_raw"], broken["body"]) == (None, 0, None)
    assert "sent_ts" not in broken


def test_contacts(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_imodb(tmp_path / "loose" / "IMODb2.sqlite"))
    contacts = list(records(conn, "contact"))
    assert len(contacts) == 2
    first = contacts[0]
    sha = file_sha256(conn, "IMODb2.sqlite")
    assert first == {
        "kind": "contact", "id": first["id"], "evidence": 1, "path": "/IMODb2.sqlite",
        "volume": None, "source_sha256": sha, "parser": "imo_ios", "ts": None,
        "ts_raw": None, "deleted": False, "app": "imo", "name": "Abu Salem",
        "phones": ["+218 91 234 5678"], "emails": [], "buid": ABU, "alias": "Abu S",
        "is_group": False, "source_table": "ZIMOCONTACT", "source_rowid": 1,
    }  # fmt: skip
    assert (contacts[1]["name"], contacts[1]["is_group"], contacts[1]["phones"]) == (
        "crossing",
        True,
        [],
    )


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_imodb(tmp_path / "src" / "IMODb2.sqlite"),
        tmp_path / "iphone" / APP_DIR / "Documents" / "IMODb2.sqlite",
    )
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_imodb(tmp_path / "ev" / "IMODb2.sqlite")
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE ZIMOCHATMSG DROP COLUMN ZISSENT")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "error" and "ZIMOCHATMSG.ZISSENT" in runs[0]["message"]


def test_missing_side_tables_are_warnings(tmp_path: Path) -> None:
    db = make_imodb(tmp_path / "ev" / "IMODb2.sqlite", tables=(CHATMSG,))
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 4 and runs[0]["warnings"] == 3
    for table in ("ZIMOKEYVAL", "ZIMOMEDIALOCALINFO", "ZIMOCONTACT"):
        assert table in runs[0]["message"]
    sent = list(records(conn, "message"))[1]
    assert sent["sender"] is None and sent["recipients"] == [ABU]  # owner unknown


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_imodb(tmp_path / "ev" / "IMODb2.sqlite")
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO ZIMOCHATMSG (Z_PK, ZISSENT, ZTS, ZBUID, ZTEXT) VALUES (5, 'x', 1, 'b', 't')"
    )
    conn.execute(
        "INSERT INTO ZIMOCHATMSG (Z_PK, ZISSENT, ZTS, ZBUID, ZTEXT) VALUES (6, 0, 'soon', ?, ?)",
        (b"\xff", b"\x00\xff"),
    )
    conn.execute("INSERT INTO ZIMOMEDIALOCALINFO (Z_PK, ZCHATMSG, ZMETADATA) VALUES (9, 6, 42)")
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 7 and runs[0]["warnings"] == 1
    assert "row 5" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert (last["source_rowid"], last["ts"], last["ts_raw"]) == (6, None, "soon")
    assert (last["thread"], last["body"], last["attachments"]) == ("\ufffd", "\x00\ufffd", [])


def test_unrelated_database_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "ev" / "IMODb2.sqlite"
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "skipped" and "ZIMOCHATMSG" in runs[0]["message"]


def test_corpus_plaso_imohd(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/ios/IMODb2.sqlite")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [
        {"parser": "imo_ios", "status": "ok", "message": "", "records": 20, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 16
    times = sorted(m["ts"] for m in messages)
    assert (times[0], times[-1]) == ("2023-04-26T18:11:40.927000Z", "2023-04-27T17:23:12.804000Z")
    first = messages[0]
    assert (first["body"], first["direction"], first["sender"], first["sender_name"]) == (
        "Are you on imo?",
        "incoming",
        "2000810370507916",
        "This Is DFIR Two",
    )
    assert first["recipients"] == ["2001533484753054"] and first["ts_raw"] == 1682532700927000000
    directions = [m["direction"] for m in messages]
    assert directions.count("incoming") == 8 and directions.count("outgoing") == 8
    last = messages[-1]  # the recent-chat list shows it as "Me: I deleted it."
    assert (last["body"], last["direction"], last["sender"], last["sender_name"]) == (
        "I deleted it. ",
        "outgoing",
        "2001533484753054",
        "ThisIsDFIR",
    )
    photo = messages[4]
    assert photo["attachments"] == ["0AK3-QnxEc0.webp"] and photo["media_mime"] == "image/webp"
    assert {m["thread"] for m in messages} == {"2000810370507916"}
    contacts = list(records(conn, "contact"))
    assert [(c["name"], c["alias"], c["phones"]) for c in contacts] == [
        ("This Is DFIR Two", "ThisIs DfirTwo", ["(919) 888-7386"]),
        ("Josh", "Josh", []),
        ("Josh Hickman", "Lil Enusynt", ["(919) 391-2507"]),
        ("Josh Hickman", "John Hicks", ["(919) 579-0479"]),
    ]
