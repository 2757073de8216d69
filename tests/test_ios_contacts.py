"""iOS AddressBook.sqlitedb: generated database with the iOS 13-17 AddressBook tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casehelpers import OUTCOME_SQL, scan_records, truncated_copy

from parsers.ios_contacts import IosContacts
from triage_app.sample.ios_schemas import ADDRESS_BOOK as SCHEMA

AB_DIR = "private/var/mobile/Library/AddressBook"
COCOA = 978307200  # seconds from 1970 to 2001
T0 = 1700000000 - COCOA  # 2023-11-14T22:13:20Z as Cocoa seconds
PERSONS = [
    # ROWID, First, Middle, Last, Organization, Nickname, CreationDate, ModificationDate
    (1, "مصطفى", None, "الحاج", None, "الحاج", T0 - 86400, T0),
    (2, None, None, None, "Zuwara Fishing Co.", None, T0 - 3600, T0 + 60),
    (3, None, None, None, None, None, 0, 0),  # a bare number saved without a name
    (4, "Sami", "Ben", "Salah", "Sfax Marine", None, T0, T0 + 120),
]
LABELS = ["_$!<Mobile>!$_", "_$!<Home>!$_", "تونس", "_$!<HomePage>!$_"]
VALUES = [
    # UID, record_id, property, identifier, label, value
    (1, 1, 3, 0, 1, "+218 91-234-5678"),
    (2, 1, 3, 1, 3, "+216 50 111 222"),
    (3, 1, 4, 2, 2, "hajj@example.org"),
    (4, 1, 22, 3, 4, "https://example.org/hajj"),  # a URL: not a phone or e-mail
    (5, 2, 3, 0, None, "+218 23 000 111"),
    (6, 3, 3, 0, 1, "0912345678"),
    (7, 4, 3, 0, 1, "+21650999888"),
    (8, 4, 5, 1, 2, None),  # a postal address: its parts live in ABMultiValueEntry
]


def make_addressbook(path: Path, values: list[tuple[Any, ...]] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.execute("INSERT INTO ABStore (ROWID, Name, Type) VALUES (0, 'Local', 0)")
    conn.executemany("INSERT INTO ABMultiValueLabel (value) VALUES (?)", [(x,) for x in LABELS])
    conn.executemany(
        "INSERT INTO ABPerson (ROWID, First, Middle, Last, Organization, Nickname, CreationDate,"
        " ModificationDate, StoreID, Kind) VALUES (?,?,?,?,?,?,?,?,0,0)",
        PERSONS,
    )
    conn.executemany(
        "INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value)"
        " VALUES (?,?,?,?,?,?)",
        VALUES if values is None else values,
    )
    conn.executemany(
        "INSERT INTO ABMultiValueEntryKey (value) VALUES (?)", [("Street",), ("City",)]
    )
    conn.executemany(
        "INSERT INTO ABMultiValueEntry VALUES (?,?,?)",
        [(8, 1, "Rue Habib Bourguiba"), (8, 2, "Sfax")],
    )
    conn.commit()
    conn.close()
    return path


def scan(tmp_path: Path, evidence: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return scan_records(tmp_path / "case", [IosContacts()], evidence, "contact", OUTCOME_SQL)


def test_contacts(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_addressbook(tmp_path / "iphone" / AB_DIR / "AddressBook.sqlitedb")
    unchanged(tmp_path / "iphone")
    contacts, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs == [{"status": "ok", "records": 4, "warnings": 0, "message": ""}]
    first = contacts[0]
    assert {k: v for k, v in first.items() if k not in ("id", "source_sha256")} == {
        "kind": "contact", "evidence": 1, "path": f"/{AB_DIR}/AddressBook.sqlitedb",
        "volume": None, "parser": "ios_contacts", "ts": "2023-11-14T22:13:20Z", "ts_raw": T0,
        "deleted": False, "app": "contacts", "name": "مصطفى الحاج",
        "phones": ["+218 91-234-5678", "+216 50 111 222"], "emails": ["hajj@example.org"],
        "phone_labels": ["Mobile", "تونس"], "organization": None, "nickname": "الحاج",
        "created": "2023-11-13T22:13:20Z", "source_table": "ABPerson", "source_rowid": 1,
    }  # fmt: skip
    company, bare, person = contacts[1:]
    assert (company["name"], company["organization"]) == (
        "Zuwara Fishing Co.",
        "Zuwara Fishing Co.",
    )
    assert company["phones"] == ["+218 23 000 111"] and company["phone_labels"] == [None]
    assert (bare["name"], bare["phones"], bare["ts"], bare["ts_raw"]) == (
        None,
        ["0912345678"],
        None,
        0,
    )
    assert bare["created"] is None  # 0 is "not set", never 2001
    assert person["name"] == "Sami Ben Salah" and person["organization"] == "Sfax Marine"
    assert person["phones"] == ["+21650999888"] and person["emails"] == []


def test_loose_file_and_wal_row(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    db = make_addressbook(tmp_path / "loose" / "AddressBook.sqlitedb")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(
        "INSERT INTO ABPerson (ROWID, First, ModificationDate) VALUES (9, 'Wal', ?)", (T0,)
    )
    conn.commit()
    # Copy while the connection is open: the copy keeps a live WAL, as on a seized phone.
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for suffix in ("", "-wal", "-shm"):
        (evidence / f"AddressBook.sqlitedb{suffix}").write_bytes(Path(f"{db}{suffix}").read_bytes())
    conn.close()
    unchanged(evidence)
    contacts, runs = scan(tmp_path, evidence / "AddressBook.sqlitedb")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 5
    assert contacts[-1]["name"] == "Wal" and contacts[-1]["path"] == "/AddressBook.sqlitedb"


def test_truncated_copy_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_addressbook(tmp_path / "src" / "AddressBook.sqlitedb"),
        tmp_path / "iphone" / AB_DIR / "AddressBook.sqlitedb",
    )
    _, runs = scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"]


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = make_addressbook(tmp_path / "iphone" / AB_DIR / "AddressBook.sqlitedb")
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE ABPerson DROP COLUMN Nickname")
    conn.commit()
    conn.close()
    _, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error" and "ABPerson.Nickname" in runs[0]["message"]


def test_garbage_rows_are_warned(tmp_path: Path) -> None:
    db = make_addressbook(
        tmp_path / "iphone" / AB_DIR / "AddressBook.sqlitedb",
        values=[(1, 1, 3, 0, 1, "+218912345678"), (2, "junk", 3, 1, 1, "+218900000000")],
    )
    conn = sqlite3.connect(db)
    # Invalid UTF-8 stored as TEXT: sqlite3 would abort the whole query without a text factory.
    conn.execute("UPDATE ABPerson SET First = CAST(x'ff4d6f' AS TEXT) WHERE ROWID = 4")
    conn.commit()
    conn.close()
    contacts, runs = scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 4 and runs[0]["warnings"] == 2
    assert "ABMultiValue row 2" in runs[0]["message"] and "ABPerson row 4" in runs[0]["message"]
    assert contacts[0]["phones"] == ["+218912345678"]
    assert contacts[3]["name"] == "\ufffdMo Ben Salah"


def test_unrelated_database_is_skipped_and_missing_label_table_warned(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / AB_DIR
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "AddressBook.sqlitedb")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    _, runs = scan(tmp_path / "a", tmp_path / "iphone")
    assert runs[0]["status"] == "skipped" and "ABMultiValue" in runs[0]["message"]
    db = make_addressbook(tmp_path / "iphone2" / AB_DIR / "AddressBook.sqlitedb")
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE ABMultiValueLabel")
    conn.commit()
    conn.close()
    contacts, runs = scan(tmp_path / "b", tmp_path / "iphone2")
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 1
    assert "ABMultiValueLabel" in runs[0]["message"]
    assert contacts[0]["phone_labels"] == [None, None]
