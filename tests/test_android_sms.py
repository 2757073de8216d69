"""Android SMS parser: generated fixtures with the real schema, bad input, and the corpus."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from casehelpers import truncated_copy
from fixtures_android import MESSAGES, SMS_DIR, SMS_SCHEMA, make_android_extraction, make_mmssms

from triage_app.core import caseinfo
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records


def _scan(tmp_path: Path, evidence: Path) -> sqlite3.Connection:
    case = tmp_path / "case"
    summary = scan(case, [evidence])
    assert summary.status == "ok"
    return connect(case / "case.sqlite", readonly=True)


def _runs(conn: sqlite3.Connection) -> list[dict[str, object]]:
    return [
        dict(r)
        for r in conn.execute("SELECT parser, status, message, records, warnings FROM parser_runs")
    ]


def test_extraction_with_live_wal(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = make_android_extraction(tmp_path / "phone")
    unchanged(root)
    conn = _scan(tmp_path, root)
    messages = list(records(conn, "message"))
    assert len(messages) == len(MESSAGES)  # the last row lives only in the WAL
    assert _runs(conn) == [
        {"parser": "android_sms", "status": "ok", "message": "", "records": 3, "warnings": 0}
    ]
    first = messages[0]
    file_row = conn.execute("SELECT sha256 FROM files WHERE path LIKE '%/mmssms.db'").fetchone()
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{SMS_DIR}/mmssms.db",
        "volume": None,
        "source_sha256": file_row["sha256"],
        "parser": "android_sms",
        "ts": "2023-11-14T22:13:20.123000Z",
        "ts_raw": 1700000000123,
        "deleted": False,
        "app": "sms",
        "thread": "1",
        "sender": "+218912345678",
        "recipients": [],
        "direction": "incoming",
        "body": "السلام عليكم، القارب جاهز",
        "attachments": [],
        "sms_type": "inbox",
        "read": 0,
        "sent_ts": "2023-11-14T22:13:19Z",
        "source_table": "sms",
        "source_rowid": 1,
    }
    outgoing = messages[2]
    assert outgoing["direction"] == "outgoing"
    assert outgoing["recipients"] == ["+21650111222"]
    assert outgoing["sender"] is None
    assert outgoing["body"] == "<script>alert(1)</script>"


def test_loose_database_file(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    db = make_mmssms(tmp_path / "loose", wal_rows=2)
    unchanged(db.parent)
    conn = _scan(tmp_path, db)
    assert len(list(records(conn, "message"))) == 3


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_mmssms(tmp_path / "src", wal_rows=0), tmp_path / "phone" / SMS_DIR / "mmssms.db"
    )
    conn = _scan(tmp_path, tmp_path / "phone")
    runs = _runs(conn)
    assert len(runs) == 1 and runs[0]["status"] == "error", runs
    assert runs[0]["message"]
    assert caseinfo.errors(conn)[0]["parser"] == "android_sms"


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    evidence = tmp_path / "phone" / SMS_DIR
    evidence.mkdir(parents=True)
    conn = sqlite3.connect(evidence / "mmssms.db")
    conn.execute(
        "CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, date INTEGER)"
    )
    conn.execute("INSERT INTO sms VALUES (1, 1, '123', 1700000000000)")
    conn.commit()
    conn.close()
    runs = _runs(_scan(tmp_path, tmp_path / "phone"))
    assert runs[0]["status"] == "error"
    assert "sms.body" in str(runs[0]["message"]) and "sms.type" in str(runs[0]["message"])


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    evidence = tmp_path / "phone" / SMS_DIR
    evidence.mkdir(parents=True)
    conn = sqlite3.connect(evidence / "mmssms.db")
    conn.execute(SMS_SCHEMA)
    insert = "INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES "
    conn.execute(insert + "(1, 1, '1', 1700000000000, 1, 'ok')")
    conn.execute(insert + "(2, 1, '1', 0, 'garbage', x'00ff')")
    conn.execute(insert + "(3, 1, '1', -5, 2, 'later')")
    conn.commit()
    conn.close()
    db = _scan(tmp_path, tmp_path / "phone")
    runs = _runs(db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 2 and runs[0]["warnings"] == 1
    assert "row 2" in str(runs[0]["message"])
    messages = list(records(db, "message"))
    assert [m["body"] for m in messages] == ["ok", "later"]
    assert messages[1]["ts"] is None and messages[1]["ts_raw"] == -5  # never 1970


def test_empty_database_is_no_data(tmp_path: Path) -> None:
    evidence = tmp_path / "phone" / SMS_DIR
    evidence.mkdir(parents=True)
    conn = sqlite3.connect(evidence / "mmssms.db")
    conn.execute(SMS_SCHEMA)
    conn.commit()
    conn.close()
    assert _runs(_scan(tmp_path, tmp_path / "phone"))[0]["status"] == "no_data"


def test_rows_in_unread_tables_of_an_empty_database_are_named(tmp_path: Path) -> None:
    """Schema drift: the app kept its `sms` table but wrote to a new one. Zero records must
    come with a warning naming where the rows are, not read as an empty phone."""
    evidence = tmp_path / "phone" / SMS_DIR
    evidence.mkdir(parents=True)
    conn = sqlite3.connect(evidence / "mmssms.db")
    conn.execute(SMS_SCHEMA)
    conn.execute("CREATE TABLE android_metadata (locale TEXT)")
    conn.execute("INSERT INTO android_metadata VALUES ('ar_LY')")
    conn.execute("CREATE TABLE sms_v2 (_id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO sms_v2 (body) VALUES ('the boat leaves tonight')")
    conn.execute("CREATE TABLE threads (_id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    (run,) = _runs(_scan(tmp_path, tmp_path / "phone"))
    assert (run["status"], run["warnings"]) == ("no_data", 1)
    assert run["message"] == (
        "1 warning(s): no records, but tables this parser does not read hold rows"
        " (schema drift?): sms_v2"
    )


def test_corpus_mmssms(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/android/mmssms.db")
    unchanged(db)
    conn = _scan(tmp_path, db)
    messages = list(records(conn, "message"))
    assert len(messages) == 9
    assert sum(m["direction"] == "incoming" for m in messages) == 4
    assert sum(m["direction"] == "outgoing" for m in messages) == 5
    first = min(messages, key=lambda m: m["ts"])
    assert first["ts"] == "2013-10-29T16:56:28.038000Z"
    assert first["body"] == "Yo Fred this is my new number."
    assert first["recipients"] == ["1 555-521-5554"]
    assert json.loads(json.dumps(first)) == first


def test_invalid_utf8_text_is_replaced_and_warned(tmp_path: Path) -> None:
    evidence = tmp_path / "phone" / SMS_DIR
    evidence.mkdir(parents=True)
    conn = sqlite3.connect(evidence / "mmssms.db")
    conn.execute(SMS_SCHEMA)
    conn.execute(
        "INSERT INTO sms (_id, thread_id, address, date, type, body)"
        " VALUES (1, 1, '1', 1700000000000, 1, CAST(x'ff41' AS TEXT))"
    )
    conn.execute(
        "INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES (2,1,'1',1,1,'ok')"
    )
    conn.commit()
    conn.close()
    db = _scan(tmp_path, tmp_path / "phone")
    runs = _runs(db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 2 and runs[0]["warnings"] == 1
    assert "not valid UTF-8" in str(runs[0]["message"])
    assert [m["body"] for m in records(db, "message")] == ["\ufffdA", "ok"]
