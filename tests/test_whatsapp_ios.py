"""WhatsApp iOS ChatStorage.sqlite: generated Core Data store with the app's columns."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import OUTCOME_SQL, scan_records

from parsers.whatsapp_ios import WhatsappIos
from triage_app.sample.ios_schemas import CHAT_STORAGE as SCHEMA

GROUP_DIR = "private/var/mobile/Containers/Shared/AppGroup/8A7B0C1D-2E3F-4A5B-8C6D-7E8F9A0B1C2D"
COCOA = 978307200  # seconds from 1970 to 2001
T0 = 1700000000 - COCOA


def make_chatstorage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.executemany(
        "INSERT INTO ZWACHATSESSION (Z_PK, ZSESSIONTYPE, ZCONTACTJID, ZPARTNERNAME)"
        " VALUES (?,?,?,?)",
        [
            (1, 0, "218912345678@s.whatsapp.net", "Hajj Mustafa"),
            (2, 1, "218911111111-1600000000@g.us", "رحلة الخميس"),
        ],
    )
    conn.execute(
        "INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZCONTACTNAME, ZMEMBERJID)"
        " VALUES (1, 2, 'Broker', '21650111222@s.whatsapp.net')"
    )
    conn.execute(
        "INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZFILESIZE, ZLATITUDE, ZLONGITUDE,"
        " ZMEDIALOCALPATH, ZTITLE) VALUES (1, 3, 52311, 32.9312, 12.0826,"
        " 'Media/218911111111-1600000000@g.us/a/b/photo.jpg', 'نقطة الانطلاق')"
    )
    conn.executemany(
        "INSERT INTO ZWAMESSAGE (Z_PK, ZISFROMME, ZMESSAGETYPE, ZCHATSESSION, ZGROUPMEMBER,"
        " ZMEDIAITEM, ZMESSAGEDATE, ZFROMJID, ZTOJID, ZTEXT) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                1,
                0,
                0,
                1,
                None,
                None,
                T0 + 0.5,
                "218912345678@s.whatsapp.net",
                None,
                "wesh, el flouka jahza?",
            ),
            (
                2,
                1,
                0,
                1,
                None,
                None,
                T0 + 60,
                None,
                "218912345678@s.whatsapp.net",
                "<img src=x onerror=alert(1)>",
            ),
            (3, 0, 1, 2, 1, 1, T0 + 120, "218911111111-1600000000@g.us", None, None),
            (4, 0, 0, 2, 1, None, 0, "218911111111-1600000000@g.us", None, "no date"),
        ],
    )
    conn.commit()
    conn.close()


def _scan(tmp_path: Path, evidence: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return scan_records(tmp_path / "case", [WhatsappIos()], evidence, "message", OUTCOME_SQL)


def test_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    db = tmp_path / "iphone" / GROUP_DIR / "ChatStorage.sqlite"
    make_chatstorage(db)
    unchanged(tmp_path / "iphone")
    messages, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs == [{"status": "ok", "records": 4, "warnings": 0, "message": ""}]
    first = messages[0]
    assert {k: v for k, v in first.items() if k not in ("id", "source_sha256")} == {
        "kind": "message", "evidence": 1, "path": f"/{GROUP_DIR}/ChatStorage.sqlite",
        "volume": None, "parser": "whatsapp_ios", "ts": "2023-11-14T22:13:20.500000Z",
        "ts_raw": T0 + 0.5, "deleted": False, "app": "whatsapp",
        "thread": "218912345678@s.whatsapp.net", "thread_name": "Hajj Mustafa",
        "sender": "218912345678@s.whatsapp.net", "recipients": [], "direction": "incoming",
        "body": "wesh, el flouka jahza?", "attachments": [], "message_type": 0,
        "source_table": "ZWAMESSAGE", "source_rowid": 1,
    }  # fmt: skip
    out = messages[1]
    assert out["direction"] == "outgoing" and out["sender"] is None
    assert out["recipients"] == ["218912345678@s.whatsapp.net"]
    assert out["body"] == "<img src=x onerror=alert(1)>"
    media = messages[2]
    assert media["sender"] == "21650111222@s.whatsapp.net" and media["sender_name"] == "Broker"
    assert media["thread_name"] == "رحلة الخميس" and media["body"] == "نقطة الانطلاق"
    assert media["attachments"] == ["Media/218911111111-1600000000@g.us/a/b/photo.jpg"]
    assert media["media_size"] == 52311
    assert (media["lat"], media["lon"]) == (32.9312, 12.0826)
    assert messages[3]["ts"] is None and messages[3]["ts_raw"] == 0


def test_other_coredata_store_is_skipped_and_drift_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / GROUP_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "ChatStorage.sqlite")
    conn.execute("CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path / "a", tmp_path / "iphone")
    assert runs[0]["status"] == "skipped"
    db = tmp_path / "iphone2" / GROUP_DIR / "ChatStorage.sqlite"
    make_chatstorage(db)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE ZWAMESSAGE RENAME COLUMN ZTEXT TO ZTEXTBODY")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path / "b", tmp_path / "iphone2")
    assert runs[0]["status"] == "error" and "ZWAMESSAGE.ZTEXT" in runs[0]["message"]
