"""Skype classic parser: generated main.db with the SkypeKit schema, bad input, the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import scan_with, truncated_copy

from parsers.skype import Skype
from triage_app.core.export import records
from triage_app.core.markup import body_text

# Tables as SkypeKit (desktop 6-7, classic Android/iOS) creates them: column names, types and
# order verbatim (from plaso's skype_main.db); each table is cut after the last column the parser
# or these tests use (the real ones run to ~100 columns), extprop_* client columns left out.
MESSAGES = (
    "CREATE TABLE Messages (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, convo_id"
    " INTEGER, chatname TEXT, author TEXT, from_dispname TEXT, author_was_live INTEGER, guid"
    " BLOB, dialog_partner TEXT, timestamp INTEGER, type INTEGER, sending_status INTEGER,"
    " consumption_status INTEGER, edited_by TEXT, edited_timestamp INTEGER, param_key INTEGER,"
    " param_value INTEGER, body_xml TEXT, identities TEXT, reason TEXT, leavereason INTEGER,"
    " participant_count INTEGER, error_code INTEGER, chatmsg_type INTEGER, chatmsg_status"
    " INTEGER, body_is_rawxml INTEGER, oldoptions INTEGER, newoptions INTEGER, newrole INTEGER,"
    " pk_id INTEGER, crc INTEGER, remote_id INTEGER, call_guid TEXT)"
)
ACCOUNTS = (
    "CREATE TABLE Accounts (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, status"
    " INTEGER, pwdchangestatus INTEGER, logoutreason INTEGER, commitstatus INTEGER,"
    " suggested_skypename TEXT, skypeout_balance_currency TEXT, skypeout_balance INTEGER,"
    " type INTEGER, skypename TEXT, pstnnumber TEXT, fullname TEXT, birthday INTEGER)"
)
CONTACTS = (
    "CREATE TABLE Contacts (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, type"
    " INTEGER, skypename TEXT, pstnnumber TEXT, aliases TEXT, fullname TEXT, birthday INTEGER,"
    " gender INTEGER, languages TEXT, country TEXT, province TEXT, city TEXT, phone_home TEXT,"
    " phone_office TEXT, phone_mobile TEXT, emails TEXT, hashed_emails TEXT, homepage TEXT,"
    " about TEXT, avatar_image BLOB, mood_text TEXT, rich_mood_text TEXT, timezone INTEGER,"
    " capabilities BLOB, profile_timestamp INTEGER, nrof_authed_buddies INTEGER, ipcountry"
    " TEXT, avatar_timestamp INTEGER, mood_timestamp INTEGER, received_authrequest TEXT,"
    " authreq_timestamp INTEGER, lastonline_timestamp INTEGER, availability INTEGER,"
    " displayname TEXT, refreshing INTEGER, given_authlevel INTEGER, given_displayname TEXT)"
)
PARTICIPANTS = (
    "CREATE TABLE Participants (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,"
    " convo_id INTEGER, identity TEXT, rank INTEGER, requested_rank INTEGER, text_status"
    " INTEGER, voice_status INTEGER, video_status INTEGER, live_identity TEXT,"
    " live_price_for_me TEXT, live_fwd_identities TEXT, live_start_timestamp INTEGER,"
    " sound_level INTEGER, debuginfo TEXT, next_redial_time INTEGER, nrof_redials_left"
    " INTEGER, last_voice_error TEXT, quality_problems TEXT, live_type INTEGER, live_country"
    " TEXT, transferred_by TEXT, transferred_to TEXT, adder TEXT, last_leavereason INTEGER,"
    " is_premium_video_sponsor INTEGER, is_multiparty_video_capable INTEGER,"
    " live_identity_to_use TEXT, livesession_recovery_in_progress INTEGER)"
)
CONVERSATIONS = (
    "CREATE TABLE Conversations (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,"
    " identity TEXT, type INTEGER, live_host TEXT, live_start_timestamp INTEGER, live_is_muted"
    " INTEGER, alert_string TEXT, is_bookmarked INTEGER, given_displayname TEXT, displayname"
    " TEXT)"
)
CALLS = (
    "CREATE TABLE Calls (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,"
    " begin_timestamp INTEGER, topic TEXT, is_muted INTEGER, is_unseen_missed INTEGER,"
    " host_identity TEXT, mike_status INTEGER, duration INTEGER, soundlevel INTEGER,"
    " access_token TEXT, active_members INTEGER, is_active INTEGER, name TEXT, video_disabled"
    " INTEGER, joined_existing INTEGER, server_identity TEXT, vaa_input_status INTEGER,"
    " is_incoming INTEGER, is_conference INTEGER, is_on_hold INTEGER, start_timestamp INTEGER,"
    " quality_problems TEXT, current_video_audience TEXT, premium_video_status INTEGER,"
    " premium_video_is_grace_period INTEGER, is_premium_video_sponsor INTEGER,"
    " premium_video_sponsor_list TEXT, old_members BLOB, partner_handle TEXT, partner_dispname"
    " TEXT, type INTEGER, status INTEGER, failurereason INTEGER, failurecode INTEGER,"
    " pstn_number TEXT, old_duration INTEGER, conf_participants BLOB, pstn_status TEXT,"
    " members BLOB, conv_dbid INTEGER)"
)
CALL_MEMBERS = (
    "CREATE TABLE CallMembers (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER,"
    " identity TEXT, dispname TEXT, languages TEXT, call_duration INTEGER, price_per_minute"
    " INTEGER, price_precision INTEGER, price_currency TEXT, payment_category TEXT, type"
    " INTEGER, status INTEGER, failurereason INTEGER, sounderror_code INTEGER, soundlevel"
    " INTEGER, pstn_statustext TEXT, pstn_feedback TEXT, forward_targets TEXT, forwarded_by"
    " TEXT, debuginfo TEXT, videostatus INTEGER, target_identity TEXT, mike_status INTEGER,"
    " is_read_only INTEGER, quality_status INTEGER, call_name TEXT, transfer_status INTEGER,"
    " transfer_active INTEGER, transferred_by TEXT, transferred_to TEXT, guid TEXT,"
    " next_redial_time INTEGER, nrof_redials_done INTEGER, nrof_redials_left INTEGER,"
    " transfer_topic TEXT, real_identity TEXT, start_timestamp INTEGER, is_conference INTEGER,"
    " quality_problems TEXT, identity_type INTEGER, country TEXT, creation_timestamp INTEGER,"
    " stats_xml TEXT, is_premium_video_sponsor INTEGER, is_multiparty_video_capable INTEGER,"
    " recovery_in_progress INTEGER, nonse_word TEXT, nr_of_delivered_push_notifications"
    " INTEGER, call_session_guid TEXT, version_string TEXT, pk_status INTEGER, call_db_id"
    " INTEGER)"
)
ALL_TABLES = (MESSAGES, ACCOUNTS, CONTACTS, PARTICIPANTS, CONVERSATIONS, CALLS, CALL_MEMBERS)
SKYPE_DIR = "Users/omar/AppData/Roaming/Skype/omar.zw"
CHAT = "#omar.zw/$smuggler.ly;5a1e0c0f9e4b2a11"
_MSG = (
    "INSERT INTO Messages (id, convo_id, chatname, author, from_dispname, dialog_partner,"
    " timestamp, type, body_xml) VALUES (?,?,?,?,?,?,?,?,?)"
)
DOCTYPE = '<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>&a;&a;'
FILES = '<files alt="sent"><file size="9" index="0">route.pdf</file></files>'
SCRIPT = "&lt;script&gt;1&lt;/script&gt;"
MESSAGE_ROWS: list[tuple[Any, ...]] = [
    (101, 7, CHAT, "smuggler.ly", "Abu Salem", "smuggler.ly", 1700000000, 61, "غدا <b>صباحا</b>"),
    (102, 7, CHAT, "omar.zw", "Omar Z", "smuggler.ly", 1700000060, 61, SCRIPT),
    (103, 7, CHAT, "smuggler.ly", "Abu Salem", "", 1700000120, 61, DOCTYPE),
    (104, 8, "", "omar.zw", "Omar Z", "", 1700000180, 68, FILES),
]
PARTICIPANT_ROWS = [
    (1, 7, "smuggler.ly"),
    (2, 7, "omar.zw"),
    (3, 8, "omar.zw"),
    (4, 8, "driver.tn"),
    (5, 8, "boat.owner"),
]
# (id, begin_timestamp, host_identity, duration, name, is_incoming, is_unseen_missed)
CALL_ROWS = [
    (20, 1700000300, "omar.zw", None, "1-1700000300", 0, 0),
    (21, 1700000400, "smuggler.ly", 0, "1-1700000400", 1, 1),
]
# (id, identity, dispname, call_name, call_duration, status, call_db_id)
CALL_MEMBER_ROWS = [
    (1, "smuggler.ly", "Abu Salem", "1-1700000300", 95, 6, 20),
    (2, "smuggler.ly", "Abu Salem", "1-1700000400", None, 13, 21),
]


def make_main_db(path: Path, tables: tuple[str, ...] = ALL_TABLES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for ddl in tables:
        conn.execute(ddl)
    conn.execute("INSERT INTO Accounts (id, skypename, fullname) VALUES (1, 'omar.zw', 'Omar Z')")
    conn.executemany(_MSG, MESSAGE_ROWS)
    if PARTICIPANTS in tables:
        conn.executemany(
            "INSERT INTO Participants (id, convo_id, identity) VALUES (?,?,?)",
            PARTICIPANT_ROWS,
        )
    if CONVERSATIONS in tables:
        conn.executemany(
            "INSERT INTO Conversations (id, identity, type, displayname) VALUES (?,?,?,?)",
            [(7, "smuggler.ly", 1, "Abu Salem"), (8, "19:abc@thread.skype", 2, "crossing")],
        )
    if CONTACTS in tables:
        conn.execute(
            "INSERT INTO Contacts (id, skypename, fullname, phone_home, phone_mobile, emails,"
            " displayname, given_displayname) VALUES (5, 'smuggler.ly', 'Abu Salem', NULL,"
            " '+218912345678', 'abu@example.ly salem@example.org', 'Abu Salem', 'captain')"
        )
        conn.execute(
            "INSERT INTO Contacts (id, skypename, displayname) VALUES (6, 'echo123', 'Echo')"
        )
    if CALLS in tables:
        conn.executemany(
            "INSERT INTO Calls (id, begin_timestamp, host_identity, duration, name, is_incoming,"
            " is_unseen_missed) VALUES (?,?,?,?,?,?,?)",
            CALL_ROWS,
        )
        conn.executemany(
            "INSERT INTO CallMembers (id, identity, dispname, call_name, call_duration, status,"
            " call_db_id) VALUES (?,?,?,?,?,?,?)",
            CALL_MEMBER_ROWS,
        )
    conn.commit()
    conn.close()
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [Skype()], evidence)


def test_extraction(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "pc"
    make_main_db(root / SKYPE_DIR / "main.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [{"parser": "skype", "status": "ok", "message": "", "records": 8, "warnings": 0}]
    messages = list(records(conn, "message"))
    assert len(messages) == 4
    sha = conn.execute("SELECT sha256 FROM files WHERE path LIKE '%/main.db'").fetchone()[0]
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{SKYPE_DIR}/main.db",
        "volume": None,
        "source_sha256": sha,
        "parser": "skype",
        "ts": "2023-11-14T22:13:20Z",
        "ts_raw": 1700000000,
        "deleted": False,
        "app": "skype",
        "thread": CHAT,
        "sender": "smuggler.ly",
        "recipients": ["omar.zw"],
        "direction": "incoming",
        "body": "غدا صباحا",
        "attachments": [],
        "conversation": "smuggler.ly",
        "sender_name": "Abu Salem",
        "message_type": 61,
        "body_xml": "غدا <b>صباحا</b>",
        "source_table": "Messages",
        "source_rowid": 101,
    }
    # Escaped markup is the user's literal text; nothing is run or expanded.
    assert messages[1]["body"] == "<script>1</script>"
    assert messages[1]["direction"] == "outgoing" and messages[1]["recipients"] == ["smuggler.ly"]
    assert "aaaa" not in messages[2]["body"]
    group = messages[3]
    assert group["thread"] == "8" and group["conversation"] == "19:abc@thread.skype"
    assert group["recipients"] == ["driver.tn", "boat.owner"]
    assert group["body"] == "route.pdf" and group["attachments"] == ["route.pdf"]


def test_contacts_and_calls(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_main_db(tmp_path / "loose" / "main.db"))
    contacts = {c["skypename"]: c for c in records(conn, "contact")}
    abu = contacts["smuggler.ly"]
    assert (abu["name"], abu["phones"], abu["given_name"]) == (
        "Abu Salem",
        ["+218912345678"],
        "captain",
    )
    assert abu["emails"] == ["abu@example.ly", "salem@example.org"]
    assert contacts["echo123"]["name"] == "Echo" and contacts["echo123"]["phones"] == []
    calls = list(records(conn, "call"))
    assert [(c["direction"], c["number"], c["name"], c["duration_s"]) for c in calls] == [
        ("outgoing", "smuggler.ly", "Abu Salem", 95),
        ("missed", "smuggler.ly", "Abu Salem", 0),
    ]
    assert calls[0]["ts"] == "2023-11-14T22:18:20Z" and calls[0]["ts_raw"] == 1700000300


def test_body_text_markup() -> None:
    sms = (
        '<sms alt="see you"><type>2</type><status>6</status><targets><target status="6">'
        '+34123456789</target></targets><price>0.116 EUR</price><body><chunk id="0">see you'
        "</chunk><untilnext>72</untilnext></body><sendtimestamp>1</sendtimestamp></sms>"
    )
    assert body_text(sms) == ("see you", [])
    assert body_text("plain, no markup") == ("plain, no markup", [])
    assert body_text('<ss type="hi">(wave)</ss> I&apos;m') == ("(wave) I'm", [])
    uri = '<URIObject type="Picture.1">see: <a href="x">x</a><OriginalName v="p.jpg"/></URIObject>'
    assert body_text(uri) == ("see: x", ["p.jpg"])
    assert body_text("<![CDATA[<x>]]><!-- c --><unclosed") is not None
    huge = "&#" + "9" * 5000 + ";"  # int() refuses it: kept literally, the row survives
    assert body_text(huge) == (huge, [])
    unclosed = "<!--" * 50000  # no ">": text, found in linear time (no rescans)
    assert body_text(unclosed) == (unclosed, [])


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_main_db(tmp_path / "src" / "main.db"), tmp_path / "pc" / SKYPE_DIR / "main.db"
    )
    _, runs = _scan(tmp_path, tmp_path / "pc")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "pc" / SKYPE_DIR / "main.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(ACCOUNTS)
    conn.execute("CREATE TABLE Messages (id INTEGER PRIMARY KEY, convo_id INTEGER, author TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "pc")
    assert runs[0]["status"] == "error"
    assert "Messages.body_xml" in runs[0]["message"] and "Messages.timestamp" in runs[0]["message"]


def test_missing_side_tables_are_warnings(tmp_path: Path) -> None:
    db = make_main_db(tmp_path / "pc" / "main.db", tables=(MESSAGES, ACCOUNTS))
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 4 and runs[0]["warnings"] == 3
    assert "Participants" in runs[0]["message"] and "Calls" in runs[0]["message"]
    messages = list(records(conn, "message"))
    assert messages[0]["recipients"] == []  # neither a dialog partner nor Participants


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db = make_main_db(tmp_path / "pc" / "main.db")
    conn = sqlite3.connect(db)
    blob = b"\x00\xff"
    conn.execute(_MSG, (105, 7, CHAT, "omar.zw", None, None, "soon", "garbage", blob))
    conn.execute(_MSG, (106, 7, CHAT, None, None, None, 13727168620, 61, blob))
    conn.commit()
    conn.close()
    case, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 9 and runs[0]["warnings"] == 1
    assert "row 105" in runs[0]["message"]
    last = list(records(case, "message"))[-1]
    assert last["source_rowid"] == 106 and last["ts"] is None and last["ts_raw"] == 13727168620
    assert last["direction"] is None and last["body"] == "\x00\ufffd"


def test_unrelated_main_db_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "pc" / "main.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE messages_log (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "skipped" and "Accounts" in runs[0]["message"]


def test_corpus_plaso_skype_main(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/sqlite/skype_main.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 0
    messages = list(records(conn, "message"))
    assert len(messages) == 15
    first = min((m for m in messages if m["ts"]), key=lambda m: m["ts"])
    assert (first["ts"], first["sender"], first["sender_name"], first["body"]) == (
        "2013-07-30T21:26:28Z",
        "gen.beringer",
        "Gen Beringer",
        "yt?",
    )
    assert first["direction"] == "outgoing"
    assert any(m["body"] == "need to know if you got it this time." for m in messages)
    year_2404 = next(m for m in messages if m["source_rowid"] == 61)
    assert year_2404["ts"] is None and year_2404["ts_raw"] == 13727168620
    assert year_2404["recipients"] == ["+34123456789"]
    assert len(list(records(conn, "contact"))) == 2
    calls = list(records(conn, "call"))
    assert [(c["number"], c["direction"], c["duration_s"]) for c in calls] == [
        ("european.bbq.competitor", "outgoing", 646)
    ]


def test_corpus_iped_skype(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    main = corpus("IPED/test-files/test_skypeMain.db")
    other = corpus("IPED/test-files/test_skypeDatabase.db")
    unchanged(main, other)
    folder = tmp_path / "evidence"
    folder.mkdir()
    for src in (main, other):
        (folder / src.name).write_bytes(src.read_bytes())
    conn, runs = _scan(tmp_path, folder)
    # test_skypeDatabase.db is an empty Chromium WebSQL `Databases.db` index, not Skype chats.
    statuses = sorted((r["status"], r["message"]) for r in runs)
    assert [s for s, _ in statuses] == ["ok", "skipped"], statuses
    messages = sorted(records(conn, "message"), key=lambda m: m["ts"])
    assert len(messages) == 9
    assert (
        messages[0]["ts"] == "2021-05-28T17:33:39Z" and messages[-1]["ts"] == "2021-05-28T18:49:22Z"
    )
    assert (messages[0]["body"], messages[0]["sender"]) == ("Olá", "streeguil1")
    assert messages[0]["sender_name"] == "Guilherme Andreúce"
    assert messages[0]["direction"] == "outgoing"
    assert len(list(records(conn, "contact"))) == 3
