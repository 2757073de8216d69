"""Microsoft Teams iOS: generated Core Data store with the app's tables, bad input, and iLEAPP's
josh_ios15_ffs test case against iLEAPP's expected rows."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casehelpers import OUTCOME_SQL, scan_records, truncated_copy
from test_twitter_ios import keyed_archive

from parsers.teams_ios import TeamsIos, html_text

GROUP = "private/var/mobile/Containers/Shared/AppGroup/E12BE95F-EA64-4826-8A15-DB2CF818F268"
DB_DIR = f"{GROUP}/SkypeSpacesDogfood/148AB670-2197-4B7F-AD74-206D4AB2ED62"
DB_NAME = "SkypeSpacesDogfood-9188040d-6c67-4c5b-b112-36a304b66dad.sqlite"
COCOA = 978307200
T0 = 1700000000 - COCOA  # 2023-11-14T22:13:20Z
ME, PEER = "8:live:.cid.832804f1252ed9b2", "8:orgid:5638f930-6b7b-8594-0000-000000000001"
CHAT = "19:uni01_vfk7ic77xguoerggt75tzdmq5zgcejy3hc7jcpkm5bpqnl4sza4a@thread.v2"
GROUP_CHAT = "19:204b46fc734948a796f40213b2e59e21@thread.v2"

# The app's own CREATE statements (Teams on iOS 15, the corpus store).
ZSMESSAGE_SQL = (
    "CREATE TABLE ZSMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZANNOUNCEVIAEMAIL INTEGER, ZCREATEDBYEXTENSION INTEGER, ZEDITTIME INTEGER, ZISLOCAL "
    "INTEGER, ZISOUTOFSYNC INTEGER, ZMENTIONSME INTEGER, ZPOLICYVIOLATIONMESSAGESTATE "
    "INTEGER, ZSEQUENCEID INTEGER, ZTSID INTEGER, ZTS_CONTENTLANGUAGEIDCONFIDENCELEVEL "
    "INTEGER, ZTS_CONTENTTRANSLATIONRESULT INTEGER, ZTS_HASREACTIONS INTEGER, ZTS_ISHIDDEN "
    "INTEGER, ZTS_ISSENTBYME INTEGER, ZTS_ISSOFTDELETED INTEGER, ZTS_ISSTARREDBYME INTEGER, "
    "ZTS_MESSAGESUBTYPE INTEGER, ZTS_NUMERICARRIVALTIME INTEGER, ZTS_NUMERICFAILURETIME "
    "INTEGER, ZTS_RETRYSENDCOUNT INTEGER, ZTS_ROOTMESSAGEID INTEGER, ZTS_STARREDMESSAGEID "
    "INTEGER, ZVERSION INTEGER, ZARRIVALTIME TIMESTAMP, ZINPROCESS TIMESTAMP, ZSENDAT "
    "TIMESTAMP, ZTS_UPLOADDEADLINE TIMESTAMP, ZACKNOWLEDGMENTSTATE VARCHAR, ZCLIENTID "
    "VARCHAR, ZCOMPOSETIME VARCHAR, ZCONTENT VARCHAR, ZDELETETIME VARCHAR, ZDELETETYPE "
    "VARCHAR, ZDELIVERYSTATE VARCHAR, ZFROM VARCHAR, ZIMDISPLAYNAME VARCHAR, ZIMPORTANCE "
    "VARCHAR, ZMEETINGTITLE VARCHAR, ZMESSAGETYPE VARCHAR, ZREPLYPERMISSION VARCHAR, "
    "ZSKYPEGUID VARCHAR, ZSUBJECT VARCHAR, ZTHREADID VARCHAR, ZTITLE VARCHAR, "
    "ZTS_CONTENTLANGUAGEID VARCHAR, ZTS_MESSAGEBASETYPE VARCHAR, ZTS_MESSAGECONTENTTYPE "
    "VARCHAR, ZTS_TRANSLATEDCONTENT VARCHAR, ZTS_TRANSLATEDCONTENTLANGUAGEID VARCHAR, "
    "ZTS_TRANSLATEDSUBJECT VARCHAR, ZTS_TRANSLATEDTITLE VARCHAR, ZAMSREFERENCES BLOB, "
    "ZEMAILDETAILS BLOB, ZEMOTIONS BLOB, ZESCALATIONUPDATES BLOB, ZFILES BLOB, ZLINKS BLOB, "
    "ZMENTIONS BLOB, ZPOLICYPROPERTIES BLOB, ZSTARREDDICTIONARY BLOB, ZTS_COMPOSEDCONTENT "
    "BLOB, ZTS_FILTEREDREACTIONS BLOB, ZTS_MYREACTIONS BLOB, ZTS_REACTIONSSUMMARY BLOB, "
    "ZTS_BOTCARDDATA BLOB )"
)
ZTHREAD_SQL = (
    "CREATE TABLE ZTHREAD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZADMINROLECOUNT INTEGER, ZBOTCOUNTINROSTER INTEGER, ZCFET INTEGER, ZEXPLICITLYADDEDCOUNT"
    " INTEGER, ZEXTENSIONDEFINITIONCONTAINER INTEGER, ZEXTERNALMEMBERCOUNTINROSTER INTEGER, "
    "ZGUESTROLECOUNT INTEGER, ZHASDELETED INTEGER, ZIDENTITYMASKENABLED INTEGER, ZISARCHIVED "
    "INTEGER, ZISCREATOR INTEGER, ZISELIGIBLEFORRENEWAL INTEGER, ZISFEDERATED INTEGER, "
    "ZISJOININGENABLED INTEGER, ZISLOCAL INTEGER, ZISNAMEINVIOLATION INTEGER, ZISTEAMLOCKED "
    "INTEGER, ZMEMBERCOUNTINROSTER INTEGER, ZREADERCOUNTINROSTER INTEGER, "
    "ZRETENTIONHORIZONTIME INTEGER, ZROSTERSTATE INTEGER, ZROSTERVERSION INTEGER, "
    "ZSHADOWROLECOUNT INTEGER, ZSPACETYPES INTEGER, ZUNIQUEROSTERTHREAD INTEGER, "
    "ZUSERROLECOUNT INTEGER, ZVERSION INTEGER, ZGROUPEXPIRYTIME TIMESTAMP, ZAADGROUPID "
    "VARCHAR, ZDOCUMENTLIBRARYID VARCHAR, ZETAG VARCHAR, ZNEXTPAGELINK VARCHAR, ZPARENTSPACES"
    " VARCHAR, ZPICTURE VARCHAR, ZSERVICETHREADTYPE VARCHAR, ZSHAREDINSPACES VARCHAR, "
    "ZSHAREPOINTFOLDERID VARCHAR, ZSHAREPOINTROOTLIBRARY VARCHAR, ZSHAREPOINTSITEURL VARCHAR,"
    " ZSPACEID VARCHAR, ZSPACETOPIC VARCHAR, ZSUBSTRATEGROUPID VARCHAR, ZTABSETAG VARCHAR, "
    "ZTENANTID VARCHAR, ZTHEMEID VARCHAR, ZTHREADTOPIC VARCHAR, ZTHREADTYPE VARCHAR, ZTSID "
    "VARCHAR, ZCHANNELSETTINGS BLOB, ZMEETING BLOB, ZMEETINGOBJECTSCONFIG BLOB, ZMEMBERS "
    "BLOB, ZPOWERUSERS BLOB, ZSPACEADMINSETTINGS BLOB )"
)
ZMESSAGEPROPERTIES_SQL = (
    "CREATE TABLE ZMESSAGEPROPERTIES ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZTSID INTEGER, ZTHREADID VARCHAR, ZPROPERTIES BLOB )"
)
RICH = (
    '<div>\n <div>\n  <span title="Man shrug" type="manshrug"><img alt="🤷" itemid="manshrug"'
    ' itemtype="http://schema.skype.com/Emoji" itemscope="" src="https://statics.teams.cdn.'
    'live.net/manshrug/100_f.png"></span> بكرة &amp; <b>بعده</b><br>\r\n  <img alt="Media"'
    ' itemscope="" itemtype="http://schema.skype.com/AMSImage" src="https://us-api.asm.skype'
    '.com/v1/objects/0-eus-d2-55fe/views/imgo" width="1170"> \n </div>\n</div>'
)
CARD_SPAN = (
    '<div> <span itemid="bfb101ece45946be988be560a74322f2" itemscope=""'
    ' itemtype="http://schema.skype.com/InputExtension"></span> </div>'
)
CARD = [
    {
        "cardClientId": "bfb101ece45946be988be560a74322f2",
        "content": {
            "type": "AdaptiveCard",
            "body": [
                {
                    "selectAction": {
                        "url": "https://www.bing.com/maps?rtp=adr.~pos.32.8872_13.1913_Port",
                        "type": "Action.OpenUrl",
                    },
                    "id": json.dumps({"latitude": "32.887209", "longitude": "13.191338"}),
                    "type": "Image",
                },
                {"text": "My current location", "type": "TextBlock"},
                {"text": "ميناء طرابلس", "type": "TextBlock"},
            ],
        },
    }
]
MESSAGES: list[tuple[Any, ...]] = [
    # Z_PK, ZTSID, ZARRIVALTIME, ZFROM, ZIMDISPLAYNAME, ZTHREADID, ZTS_ISSENTBYME,
    # ZMESSAGETYPE, ZCONTENT, ZDELETETIME
    (1, 1700000000123, T0 + 0.123, PEER, "Hajj Mustafa", CHAT, 0, "Text", "القارب جاهز ", None),
    (2, 1700000060000, T0 + 60, ME, "ThisIs DFIR", CHAT, 1, "RichText/Html", RICH, None),
    (3, 1700000120000, T0 + 120, PEER, "Hajj Mustafa", CHAT, 0, "RichText/Html", CARD_SPAN, None),
    (4, 1700000180000, T0 + 180, ME, "ThisIs DFIR", CHAT, 1, "Text", "", "1700000240500"),
    (5, 1700000200000, T0 + 200, GROUP_CHAT, None, GROUP_CHAT, 0, "ThreadActivity/TopicUpdate",
     "<topicupdate><initiator>8:live:.cid.832804f1252ed9b2</initiator><value>الرحلة</value>"
     "</topicupdate>", None),
    (6, 1700000300000, 0, PEER, "Hajj Mustafa", CHAT, 0, "Text", "<script>alert(1)</script>", None),
]  # fmt: skip


def make_store(path: Path, *, side_tables: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(ZSMESSAGE_SQL)
    conn.executemany(
        "INSERT INTO ZSMESSAGE (Z_PK, ZTSID, ZARRIVALTIME, ZFROM, ZIMDISPLAYNAME, ZTHREADID,"
        " ZTS_ISSENTBYME, ZMESSAGETYPE, ZCONTENT, ZDELETETIME) VALUES (?,?,?,?,?,?,?,?,?,?)",
        MESSAGES,
    )
    if side_tables:
        conn.execute(ZTHREAD_SQL)
        conn.execute(ZMESSAGEPROPERTIES_SQL)
        conn.executemany(
            "INSERT INTO ZTHREAD (Z_PK, ZTSID, ZTHREADTYPE, ZTHREADTOPIC, ZMEMBERS)"
            " VALUES (?,?,?,?,?)",
            [
                (1, CHAT, "chat", None, keyed_archive({ME: "User", PEER: "User"})),
                (2, GROUP_CHAT, "chat", "الرحلة", keyed_archive({ME: "Admin"})),
            ],
        )
        props = keyed_archive({"cards": json.dumps(CARD), "skipfanouttobots": "true"})
        conn.execute(
            "INSERT INTO ZMESSAGEPROPERTIES (Z_PK, ZTSID, ZTHREADID, ZPROPERTIES) VALUES (?,?,?,?)",
            (1, 1700000120000, CHAT, props),
        )
    conn.commit()
    conn.close()
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return scan_records(tmp_path / "case", [TeamsIos()], evidence, "message", OUTCOME_SQL)


def test_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_store(tmp_path / "iphone" / DB_DIR / DB_NAME)
    unchanged(tmp_path / "iphone")
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs == [{"status": "ok", "records": 6, "warnings": 0, "message": ""}]
    first = messages[0]
    assert {k: v for k, v in first.items() if k not in ("id", "source_sha256")} == {
        "kind": "message", "evidence": 1, "path": f"/{DB_DIR}/{DB_NAME}", "volume": None,
        "parser": "teams_ios", "ts": "2023-11-14T22:13:20.123000Z", "ts_raw": T0 + 0.123,
        "deleted": False, "app": "teams", "thread": CHAT, "sender": PEER, "recipients": [ME],
        "direction": "incoming", "body": "القارب جاهز ", "attachments": [],
        "thread_type": "chat", "sender_name": "Hajj Mustafa", "message_type": "Text",
        "source_table": "ZSMESSAGE", "source_rowid": 1,
    }  # fmt: skip
    rich, card, deleted, topic, script = messages[1:]
    assert rich["direction"] == "outgoing" and rich["recipients"] == [PEER]
    assert rich["body"] == "🤷 بكرة & بعده"
    assert rich["attachments"] == [
        "https://us-api.asm.skype.com/v1/objects/0-eus-d2-55fe/views/imgo"
    ]
    assert rich["content_html"] == RICH
    assert card["body"] == "My current location\nميناء طرابلس"
    assert (card["lat"], card["lon"]) == (32.887209, 13.191338)
    assert card["content_html"] == CARD_SPAN
    assert deleted["body"] is None and deleted["deleted_ts"] == "2023-11-14T22:17:20.500000Z"
    assert topic["thread_name"] == "الرحلة" and topic["sender"] == GROUP_CHAT
    assert topic["body"].startswith("<topicupdate>") and topic["recipients"] == [ME]
    assert script["body"] == "<script>alert(1)</script>" and "content_html" not in script
    assert script["ts"] is None and script["ts_raw"] == 0  # never 1970


def test_html_text_is_bounded_and_never_interprets_markup() -> None:
    assert html_text("<div>a<br>b</div><p>c</p>") == ("a\nb\nc", [])
    assert html_text("<div> </div>") == (None, [])
    assert html_text('<img alt="&lt;b&gt;x" itemtype="http://schema.skype.com/Emoji">') == (
        "<b>x",
        [],
    )
    assert html_text("<img src='javascript:alert(1)' onerror=alert(1)>") == (
        None,
        ["javascript:alert(1)"],
    )
    assert html_text("&#99999999999999999999; <" + "<div " * 50_000) is not None
    body, _ = html_text('<!DOCTYPE x [<!ENTITY a "boom">]><div>&a;&amp;</div>')
    assert body is not None and "boom" not in body


def test_truncated_store_is_an_error(tmp_path: Path) -> None:
    truncated_copy(make_store(tmp_path / "src" / DB_NAME), tmp_path / "iphone" / DB_DIR / DB_NAME)
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_store(tmp_path / "iphone" / DB_DIR / DB_NAME)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE ZSMESSAGE DROP COLUMN ZTS_ISSENTBYME")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error" and "ZSMESSAGE.ZTS_ISSENTBYME" in runs[0]["message"]


def test_missing_side_tables_are_warnings(tmp_path: Path) -> None:
    make_store(tmp_path / "iphone" / DB_DIR / DB_NAME, side_tables=False)
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 6 and runs[0]["warnings"] == 2
    assert "ZTHREAD" in runs[0]["message"] and "ZMESSAGEPROPERTIES" in runs[0]["message"]
    assert messages[0]["recipients"] == [] and "lat" not in messages[2]


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    db = make_store(tmp_path / "iphone" / DB_DIR / DB_NAME)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE ZSMESSAGE SET ZTS_ISSENTBYME = 'yes' WHERE Z_PK = 2")
    conn.execute("UPDATE ZTHREAD SET ZMEMBERS = x'62706c6973743030ff' WHERE Z_PK = 2")
    conn.execute(
        "UPDATE ZMESSAGEPROPERTIES SET ZPROPERTIES = CAST(substr(ZPROPERTIES, 1, 200) AS BLOB)"
    )
    conn.commit()
    conn.close()
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 5 and runs[0]["warnings"] == 3
    assert "ZSMESSAGE row 2 skipped" in runs[0]["message"]
    assert "ZTHREAD row 2" in runs[0]["message"] and "location card" in runs[0]["message"]
    assert [m["source_rowid"] for m in messages] == [1, 3, 4, 5, 6]
    assert messages[1]["body"] is None and "lat" not in messages[1]  # kept, card unreadable


def test_hostile_cards_are_bounded(tmp_path: Path) -> None:
    db = make_store(tmp_path / "iphone" / DB_DIR / DB_NAME)
    nan = [{"content": {"body": [{"type": "Image", "id": '{"latitude": "NaN", "longitude": 1}'}]}}]
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO ZMESSAGEPROPERTIES (Z_PK, ZTSID, ZTHREADID, ZPROPERTIES) VALUES (?,?,?,?)",
        (2, 1700000060000, CHAT, keyed_archive({"cards": "[" * 200_000})),
    )
    conn.execute(
        "UPDATE ZMESSAGEPROPERTIES SET ZPROPERTIES = ? WHERE Z_PK = 1",
        (keyed_archive({"cards": json.dumps(nan)}),),
    )
    conn.commit()
    conn.close()
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 6 and runs[0]["warnings"] == 1
    assert "ZSMESSAGE row 2: location card not read" in runs[0]["message"]
    assert "lat" not in messages[1] and "lat" not in messages[2]


def test_unrelated_sqlite_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / DB_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / DB_NAME)
    conn.execute("CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "skipped"


ILEAPP = "iLEAPP/admin/test"
ZIP = f"{ILEAPP}/cases/data/teams/testdata.teams.teamsMessages.josh_ios15_ffs.zip"
ORACLE = f"{ILEAPP}/results/teams/teams.teamsMessages.josh_ios15_ffs.20241106012047.json"


def _second(ts: str) -> int:
    return int(datetime.fromisoformat(ts[:19]).replace(tzinfo=UTC).timestamp())


def test_corpus_ileapp_josh_ios15(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    archive = corpus(ZIP)
    oracle = json.loads(corpus(ORACLE).read_text(encoding="utf-8"))
    unchanged(archive)
    messages, runs = _scan(tmp_path, archive)
    assert runs == [{"status": "ok", "records": 81, "warnings": 0, "message": ""}]
    assert len(messages) == oracle["metadata"]["number_of_rows"] == len(oracle["data"]) == 81
    col = {name: i for i, name in enumerate(oracle["headers"])}
    # iLEAPP's "Message" is the stored ZCONTENT; ours is `content_html` when the body was
    # reduced from markup, else the body itself ("" for a message deleted by its sender).
    expected = Counter(
        (
            r[col["Timestamp"]],
            r[col["Sender"]],
            r[col["Display Name"]],
            r[col["Thread ID"]],
            r[col["Message"]],
            "outgoing" if r[col["Sent By Me"]] == 1 else "incoming",
        )
        for r in oracle["data"]
    )
    mine = Counter(
        (
            _second(m["ts"]),
            m["sender"],
            m.get("sender_name", ""),
            m["thread"],
            m.get("content_html", m["body"] or ""),
            m["direction"],
        )
        for m in messages
    )
    assert mine == expected
    first = min(messages, key=lambda m: m["ts"])
    assert first["ts"] == "2021-11-24T19:44:28.096000Z" and first["sender_name"] == "ThisIs DFIR"
    assert first["attachments"] == [
        "https://us-api.asm.skype.com/v1/objects/0-eus-d3-57ce420192f2c16feda74acc08c9acc3/views/imgo"
    ]
    assert sum(bool(m["attachments"]) for m in messages) == 5
    shrug = [m for m in messages if m["source_rowid"] == 29]
    assert shrug[0]["body"] == "🤷"
    located = [m for m in messages if "lat" in m]
    assert len(located) == 12
    assert [(m["lat"], m["lon"]) for m in located if m["source_rowid"] == 48] == [
        (35.6681226, -78.8778239)
    ]
    assert sum("deleted_ts" in m for m in messages) == 3
    topic = [m for m in messages if m["message_type"] == "ThreadActivity/TopicUpdate"]
    assert topic[0]["thread_name"] == "DFIR family"
