"""Chromium Web Data parser: generated databases with the real schemas, bad input, the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import RUNS_SQL, dispatched, file_sha256, scan_with, truncated_copy

from parsers.chromium_autofill import ChromiumAutofill
from triage_app.core.export import records

META = "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)"
# AutocompleteTable::InitMainTable (the `autofill` table, unchanged since version 55).
AUTOFILL = (
    "CREATE TABLE autofill (name VARCHAR, value VARCHAR, value_lower VARCHAR,"
    " date_created INTEGER DEFAULT 0, date_last_used INTEGER DEFAULT 0,"
    " count INTEGER DEFAULT 1, PRIMARY KEY (name, value))",
    "CREATE INDEX autofill_name ON autofill (name)",
    "CREATE INDEX autofill_name_value_lower ON autofill (name, value_lower)",
)
KEYWORDS = (
    "CREATE TABLE keywords (id INTEGER PRIMARY KEY,short_name VARCHAR NOT NULL,"
    "keyword VARCHAR NOT NULL,favicon_url VARCHAR NOT NULL,url VARCHAR NOT NULL,"
    "safe_for_autoreplace INTEGER,originating_url VARCHAR,date_created INTEGER DEFAULT 0,"
    "usage_count INTEGER DEFAULT 0,input_encodings VARCHAR,suggest_url VARCHAR,"
    "prepopulate_id INTEGER DEFAULT 0,created_by_policy INTEGER DEFAULT 0,"
    "last_modified INTEGER DEFAULT 0,sync_guid VARCHAR)"
)
# AddressAutofillTable::InitAddressesTable / InitAddressTypeTokensTable (version 134+).
ADDRESSES = (
    "CREATE TABLE addresses (guid VARCHAR PRIMARY KEY, use_count INTEGER NOT NULL DEFAULT 0,"
    " use_date INTEGER NOT NULL DEFAULT 0, date_modified INTEGER NOT NULL DEFAULT 0,"
    " language_code VARCHAR, label VARCHAR, initial_creator_id INTEGER DEFAULT 0,"
    " last_modifier_id INTEGER DEFAULT 0, use_date2 INTEGER, use_date3 INTEGER,"
    " record_type INTEGER)",
    "CREATE TABLE address_type_tokens (guid VARCHAR, type INTEGER, value VARCHAR,"
    " verification_status INTEGER DEFAULT 0, observations BLOB, PRIMARY KEY (guid, type))",
)
# Versions 113-133: local and account (contact_info) addresses in separate tables.
SPLIT_ADDRESSES = tuple(
    statement
    for main, tokens in (
        ("local_addresses", "local_addresses_type_tokens"),
        ("contact_info", "contact_info_type_tokens"),
    )
    for statement in (
        f"CREATE TABLE {main} (guid VARCHAR PRIMARY KEY, use_count INTEGER NOT NULL DEFAULT 0,"
        " use_date INTEGER NOT NULL DEFAULT 0, date_modified INTEGER NOT NULL DEFAULT 0,"
        " language_code VARCHAR, label VARCHAR, initial_creator_id INTEGER DEFAULT 0,"
        " last_modifier_id INTEGER DEFAULT 0)",
        f"CREATE TABLE {tokens} (guid VARCHAR, type INTEGER, value VARCHAR,"
        " verification_status INTEGER DEFAULT 0, observations BLOB, PRIMARY KEY (guid, type))",
    )
)
# Before version 55 (Chrome ≤ 34, 2014): one autofill_dates row per use, profiles in
# autofill_profiles + names/emails/phones (chrome/test/data/web_database/version_45.sql).
LEGACY = (
    META,
    "CREATE TABLE autofill (name VARCHAR, value VARCHAR, value_lower VARCHAR,"
    " pair_id INTEGER PRIMARY KEY, count INTEGER DEFAULT 1)",
    "CREATE TABLE autofill_dates ( pair_id INTEGER DEFAULT 0, date_created INTEGER DEFAULT 0)",
    "CREATE TABLE autofill_profiles ( guid VARCHAR PRIMARY KEY, company_name VARCHAR,"
    " address_line_1 VARCHAR, address_line_2 VARCHAR, city VARCHAR, state VARCHAR,"
    " zipcode VARCHAR, country VARCHAR, country_code VARCHAR,"
    " date_modified INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE autofill_profile_names ( guid VARCHAR, first_name VARCHAR,"
    " middle_name VARCHAR, last_name VARCHAR)",
    "CREATE TABLE autofill_profile_emails ( guid VARCHAR, email VARCHAR)",
    "CREATE TABLE autofill_profile_phones ( guid VARCHAR, type INTEGER DEFAULT 0, number VARCHAR)",
    "CREATE TABLE autofill_profiles_trash ( guid VARCHAR)",
)
ANDROID = "data/data/com.android.chrome/app_chrome/Default"
S1, S2, S3 = 1710408413, 1710494813, 1710581213  # 2024-03-14/15/16T09:26:53Z
GUID_A = "9e4bc6a2-77d3-4c62-9f0f-0c6f8b7c1a11"
GUID_B = "5d1e0c4f-2a7b-4e59-8c3d-6b9a1f2e3d44"
# (name, value, date_created, date_last_used, count)
ENTRIES = [
    ("email", "amal@example.com", S1, S2, 3),
    ("q", "قارب للبيع", S3, S3, 1),
    ("address", "<img src=x onerror=alert(1)>", S2, 0, 1),  # never used since: creation
]
# FieldType: 3 first, 5 last, 7 full name, 9 e-mail, 14 phone, 60 company, 77 street,
# 33 city, 35 zip, 36 country.
TOKENS = [
    (GUID_A, 3, "Amal"),
    (GUID_A, 5, "Ben Salah"),
    (GUID_A, 7, "Amal Ben Salah"),
    (GUID_A, 9, "amal@example.com"),
    (GUID_A, 14, "+218 91 234 5678"),
    (GUID_A, 60, "Sahel Trading"),
    (GUID_A, 77, "12 Rue de la Mer\nApt 3"),
    (GUID_A, 33, "Tripoli"),
    (GUID_A, 35, "21861"),
    (GUID_A, 36, "LY"),
    (GUID_A, 4, ""),  # an empty token is not a value
    (GUID_B, 77, "Port road"),  # an address without a person
    (GUID_B, 36, "TN"),
]


def _create(db: Path, schema: Iterable[str], version: int | None) -> sqlite3.Connection:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    for statement in schema:
        conn.execute(statement)
    if version is not None:
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("mmap_status", "-1"), ("version", str(version)), ("last_compatible_version", "1")],
        )
    return conn


def _addresses(conn: sqlite3.Connection, main: str, tokens: str, extra: str = "") -> None:
    conn.execute(
        f"INSERT INTO {main} (guid, use_count, use_date, date_modified{extra})"
        f" VALUES (?, 4, ?, ?{', 0' if extra else ''})",
        (GUID_A, S3, S2),
    )
    conn.execute(
        f"INSERT INTO {main} (guid, use_count, use_date, date_modified{extra})"
        f" VALUES (?, 0, 0, ?{', 1' if extra else ''})",
        (GUID_B, S1),
    )
    conn.executemany(f"INSERT INTO {tokens} (guid, type, value) VALUES (?, ?, ?)", TOKENS)


def make_web_data(db: Path, with_tokens: bool = True) -> Path:
    schema = (META, *AUTOFILL, KEYWORDS, *(ADDRESSES if with_tokens else ADDRESSES[:1]))
    conn = _create(db, schema, 135)
    conn.executemany(
        "INSERT INTO autofill (name, value, value_lower, date_created, date_last_used, count)"
        " VALUES (?, ?, lower(?), ?, ?, ?)",
        [(n, v, v, c, u, k) for n, v, c, u, k in ENTRIES],
    )
    conn.execute(
        "INSERT INTO keywords (id, short_name, keyword, favicon_url, url) VALUES"
        " (2, 'Google', 'google.com', '', 'https://www.google.com/search?q={searchTerms}')"
    )
    if with_tokens:
        _addresses(conn, "addresses", "address_type_tokens", ", record_type")
    conn.commit()
    conn.close()
    return db


RUNS = RUNS_SQL + " ORDER BY file_id"


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [ChromiumAutofill()], evidence, RUNS, require_ok=True)


def _ok(count: int) -> dict[str, Any]:
    return {
        "parser": "chromium_autofill",
        "status": "ok",
        "message": "",
        "records": count,
        "warnings": 0,
    }


def test_current_web_data_on_android(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_web_data(root / ANDROID / "Web Data")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [_ok(4)]  # 3 entries + 1 person; no search engine, no bare address
    common = {
        "evidence": 1,
        "path": f"/{ANDROID}/Web Data",
        "volume": None,
        "source_sha256": file_sha256(conn, "Web Data"),
        "parser": "chromium_autofill",
        "deleted": False,
    }
    forms = list(records(conn, "web_form"))
    assert forms[0] == {
        "kind": "web_form",
        "id": forms[0]["id"],
        **common,
        "ts": "2024-03-15T09:26:53Z",  # last use
        "ts_raw": S2,
        "browser": "chrome",
        "field": "email",
        "value": "amal@example.com",
        "url": None,  # Chromium does not store the page
        "count": 3,
        "created": "2024-03-14T09:26:53Z",
        "profile": "Default",
        "package": "com.android.chrome",
        "source_table": "autofill",
        "source_rowid": 1,
    }
    assert forms[1]["value"] == "قارب للبيع"
    assert (forms[2]["ts"], forms[2]["ts_raw"]) == ("2024-03-15T09:26:53Z", S2)  # creation
    assert forms[2]["value"] == "<img src=x onerror=alert(1)>"

    (contact,) = records(conn, "contact")
    assert contact == {
        "kind": "contact",
        "id": contact["id"],
        **common,
        "ts": "2024-03-15T09:26:53Z",  # date_modified
        "ts_raw": S2,
        "app": "chrome_autofill",
        "name": "Amal Ben Salah",
        "phones": ["+218 91 234 5678"],
        "emails": ["amal@example.com"],
        "browser": "chrome",
        "profile": "Default",
        "package": "com.android.chrome",
        "company": "Sahel Trading",
        "address": "12 Rue de la Mer, Apt 3, Tripoli, 21861, LY",
        "use_count": 4,
        "last_used": "2024-03-16T09:26:53Z",
        "source_table": "addresses",
        "source_rowid": 1,
    }


def test_split_address_tables(tmp_path: Path) -> None:
    db = tmp_path / "p" / "home" / "u" / ".config" / "google-chrome" / "Default" / "Web Data"
    conn = _create(db, (META, *AUTOFILL, *SPLIT_ADDRESSES), 120)
    _addresses(conn, "local_addresses", "local_addresses_type_tokens")
    conn.execute("INSERT INTO contact_info (guid, date_modified) VALUES ('c1', ?)", (S3,))
    conn.executemany(
        "INSERT INTO contact_info_type_tokens (guid, type, value) VALUES ('c1', ?, ?)",
        [(3, "Hank"), (4, "J"), (5, "Livingston"), (9, "hank@example.com")],
    )
    conn.commit()
    conn.close()
    db_conn, runs = _scan(tmp_path, tmp_path / "p")
    assert runs == [_ok(2)]
    local, account = records(db_conn, "contact")
    assert (local["source_table"], local["name"]) == ("local_addresses", "Amal Ben Salah")
    assert (account["source_table"], account["name"]) == ("contact_info", "Hank J Livingston")
    assert (account["phones"], account["emails"]) == ([], ["hank@example.com"])
    assert account["ts"] == "2024-03-16T09:26:53Z" and "last_used" not in account


def test_legacy_autofill_dates_and_profiles(tmp_path: Path) -> None:
    conn = _create(tmp_path / "old" / "Web Data", LEGACY, 45)
    conn.executemany(
        "INSERT INTO autofill VALUES (?, ?, lower(?), ?, ?)",
        [("email", "x@example.com", "x@example.com", 1, 2), ("zip", "94102", "94102", 2, 1)],
    )
    # Three uses of pair 1; pair 2 has lost its dates.
    conn.executemany("INSERT INTO autofill_dates VALUES (1, ?)", [(S2,), (S1,), (S3,)])
    conn.execute(
        "INSERT INTO autofill_profiles VALUES ('g1', '', '1 Main Street', 'Apt 2',"
        " 'San Francisco', 'CA', '94102', 'United States', 'US', ?)",
        (S1,),
    )
    conn.execute("INSERT INTO autofill_profile_names VALUES ('g1', 'John', '', 'Doe')")
    conn.executemany(
        "INSERT INTO autofill_profile_emails VALUES ('g1', ?)",
        [("john@example.com",), ("jd@example.org",), ("john@example.com",)],
    )
    conn.execute("INSERT INTO autofill_profile_phones VALUES ('g1', 0, '4155551212')")
    conn.commit()
    conn.close()
    db, runs = _scan(tmp_path, tmp_path / "old" / "Web Data")
    assert runs == [_ok(3)]
    email, postcode = records(db, "web_form")
    assert (email["ts"], email["created"], email["count"]) == (
        "2024-03-16T09:26:53Z",  # the latest of the three uses
        "2024-03-14T09:26:53Z",
        2,
    )
    assert (email["source_rowid"], email["browser"], email.get("profile")) == (1, "chromium", None)
    assert postcode["ts"] is None and postcode["ts_raw"] is None
    (contact,) = records(db, "contact")
    assert (contact["name"], contact["phones"], contact["emails"]) == (
        "John Doe",
        ["4155551212"],
        ["john@example.com", "jd@example.org"],
    )
    assert contact["address"] == "1 Main Street, San Francisco, CA, 94102, US"
    assert (
        contact["ts"] == "2024-03-14T09:26:53Z" and contact["source_table"] == "autofill_profiles"
    )


def test_autofill_without_dates_is_warned(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / "Web Data", (META, LEGACY[1]), 45)
    conn.execute("INSERT INTO autofill VALUES ('q', 'ferry', 'ferry', 1, 1)")
    conn.commit()
    conn.close()
    db, (run,) = scan_with(tmp_path / "case", [ChromiumAutofill()], tmp_path / "p", RUNS)
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 1, 1)
    assert "autofill_dates" in run["message"]
    (form,) = records(db, "web_form")
    assert (form["value"], form["ts"]) == ("ferry", None)


def test_missing_token_table_is_warned(tmp_path: Path) -> None:
    make_web_data(tmp_path / "p" / ANDROID / "Web Data", with_tokens=False)
    _, (run,) = scan_with(tmp_path / "case", [ChromiumAutofill()], tmp_path / "p", RUNS)
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 3, 1)
    assert "address_type_tokens" in run["message"]


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_web_data(tmp_path / "src" / "Web Data"), tmp_path / "p" / ANDROID / "Web Data"
    )
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error" and run["message"], run


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / ANDROID / "Web Data", [META], 135)
    conn.execute("CREATE TABLE autofill (name VARCHAR, date_created INTEGER)")
    conn.execute("INSERT INTO autofill VALUES ('q', 1)")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "error" and "autofill.value" in run["message"]


def test_garbage_row_is_warned_and_skipped(tmp_path: Path) -> None:
    db_path = make_web_data(tmp_path / "p" / ANDROID / "Web Data")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE autofill SET date_created = 'garbage' WHERE name = 'q'")
    conn.execute("UPDATE autofill SET date_last_used = -5 WHERE name = 'address'")
    conn.execute("UPDATE address_type_tokens SET type = 'x' WHERE type = 60")
    conn.commit()
    conn.close()
    db, (run,) = _scan(tmp_path, tmp_path / "p")
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 3, 1)
    assert "autofill row 2 skipped" in run["message"]
    forms = list(records(db, "web_form"))
    assert [f["source_rowid"] for f in forms] == [1, 3]
    assert forms[1]["ts"] == "2024-03-15T09:26:53Z"  # -5 is no use time: creation instead
    (contact,) = records(db, "contact")
    assert "company" not in contact  # the bad token is left out, the person kept


def test_unrelated_sqlite_named_web_data_is_skipped(tmp_path: Path) -> None:
    conn = _create(tmp_path / "p" / "Web Data", [], None)
    conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, data TEXT)")
    conn.commit()
    conn.close()
    _, (run,) = _scan(tmp_path, tmp_path / "p")
    assert run["status"] == "skipped" and "autofill" in run["message"]


@pytest.mark.parametrize(
    ("path", "chosen"),
    [
        (f"/{ANDROID}/Web Data", True),
        ("/Users/a/AppData/Local/Microsoft/Edge/User Data/Default/Web Data", True),
        ("/Users/a/Library/Application Support/Google/Chrome/Default/Account Web Data", True),
        ("/WEB DATA", True),
        ("/Users/a/AppData/Local/Google/Chrome/User Data/Default/Login Data", False),
        ("/profile/formhistory.sqlite", False),
    ],
)
def test_path_globs(path: str, chosen: bool) -> None:
    assert dispatched(ChromiumAutofill(), path) is chosen


def test_corpus_web_data(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/chrome/Web Data")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs == [_ok(3)]  # 3 autofill entries; the 10 keywords are not user data
    forms = list(records(conn, "web_form"))
    # Checked by hand with sqlite3 on a copy: rowid 21, dates 1534259242 / 1534278094.
    assert forms[0] == {
        "kind": "web_form",
        "id": forms[0]["id"],
        "evidence": 1,
        "path": "/Web Data",
        "volume": None,
        "source_sha256": file_sha256(conn, "Web Data"),
        "parser": "chromium_autofill",
        "ts": "2018-08-14T20:21:34Z",
        "ts_raw": 1534278094,
        "deleted": False,
        "browser": "chromium",
        "field": "identifier",
        "value": "name@example.com",
        "url": None,
        "count": 2,
        "created": "2018-08-14T15:07:22Z",
        "source_table": "autofill",
        "source_rowid": 21,
    }
    assert [(f["field"], f["value"], f["ts"]) for f in forms[1:]] == [
        ("repo", "log2timeline/plaso", "2018-08-17T19:35:51Z"),
        ("q", "timesketch", "2018-08-20T21:38:08Z"),
    ]
    assert list(records(conn, "contact")) == []
