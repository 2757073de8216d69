"""Chromium-family form autofill: the profile's `Web Data` SQLite database.

Apps: Chrome, Edge, Brave, Opera, Vivaldi, Samsung Internet and other Chromium builds on
desktop and Android (`<profile>/Web Data`, `Account Web Data`, Android
`/data/data/<package>/app_chrome/Default/Web Data`). Checked against plaso's `chrome/Web Data`
(meta version 77, Chrome 68 of 2018: 3 autofill entries, 10 search engines) and generated
databases with the tables of components/autofill/core/browser/webdata: the `autofill` table
(AutocompleteTable, unchanged since version 55) and the pre-55 layout (`autofill.pair_id` +
`autofill_dates`, as in Chromium's version_45.sql); saved addresses in all three layouts of
address_autofill_table.cc: `autofill_profiles` + `autofill_profile_names`/`_emails`/`_phones`
(until version 113, dropped in 114), `local_addresses` and `contact_info` (account addresses)
with their `*_type_tokens` tables (versions 107/113 to 133), and `addresses` +
`address_type_tokens` (version 134 on).

Records: one `web_form` per `autofill` row (what the user typed into a field named `field`;
Chromium does not store the page, so `url` is null; `count` = times used). One `contact` (app
`chrome_autofill`) per saved address that has a name, phone or e-mail (token types from
FieldType: 3/4/5 first/middle/last name, 7 full name, 9 e-mail, 14 phone, 60 company,
77 street address, 33 city, 34 state, 35 postal code, 36 country). Not emitted: `keywords`
(search engines the browser ships or discovered, not user input) and the payment-card tables
(no record kind; card numbers are os_crypt-encrypted).

Timestamps, all seconds since 1970-01-01 UTC (time_t), 0 = not set:
- `autofill.date_created` (extra `created`) and `date_last_used` (the record's `ts`; creation
  when no use is recorded). Before version 55, `autofill_dates.date_created` held one time_t
  per use; the first and last of them are read, as Chromium's own migration does.
- addresses: `date_modified` (the contact's `ts`) and `use_date` (extra `last_used`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from parsers.chromium_history import Origin
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present, side_table
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_s, iso
from triage_app.core.values import FORM_KEYS, compact, strict_int, text

CONTACT_KEYS = ("app", "name", "phones", "emails")
Tables = dict[str, set[str]]
# FieldType values (components/autofill/core/browser/field_types.h), stable since 2011.
FIRST, MIDDLE, LAST, FULL, EMAIL, PHONE, COMPANY = 3, 4, 5, 7, 9, 14, 60
STREET, CITY, STATE, ZIP, COUNTRY = 77, 33, 34, 35, 36
# Address tables with a type-token side table, newest layout first.
TOKEN_LAYOUTS = (
    ("addresses", "address_type_tokens"),
    ("local_addresses", "local_addresses_type_tokens"),
    ("contact_info", "contact_info_type_tokens"),
)
LEGACY_ADDRESS = (("street_address", "address_line_1", "address_line_2"), "city", "state")
_ROW_ERRORS = (TypeError, ValueError, OverflowError)


class ChromiumAutofill(SQLiteParser):
    name = "chromium_autofill"
    version = "1.0"
    kinds = ("web_form", "contact")
    path_globs = ("*/Web Data", "*/Account Web Data", "*/Web Data-*")
    identify: ClassVar[frozenset[str]] = frozenset({"autofill", "meta"})
    required: ClassVar[dict[str, frozenset[str]]] = {"autofill": frozenset({"name", "value"})}

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        origin = Origin.from_path(ctx.file.path)
        sql = _entries_sql(tables, ctx)
        rows = conn.execute(sql)
        yield from each_row(ctx, rows, "autofill", "rid", lambda r: _entry(r, origin), _ROW_ERRORS)
        if "autofill_profiles" in tables:
            yield from _legacy_profiles(conn, ctx, tables, origin)
        for main, tokens in TOKEN_LAYOUTS:
            if main in tables:
                yield from _token_profiles(conn, ctx, tables, (main, tokens), origin)


def _entries_sql(tables: Tables, ctx: ParseContext) -> str:
    columns = tables["autofill"]
    count = "a.count" if "count" in columns else "NULL"
    if "date_created" in columns:
        last = "a.date_last_used" if "date_last_used" in columns else "NULL"
        return (
            f"SELECT a.rowid AS rid, a.name, a.value, {count} AS count,"
            f" a.date_created, {last} AS date_last_used FROM autofill a ORDER BY a.rowid"
        )
    if "pair_id" in columns and {"pair_id", "date_created"} <= tables.get("autofill_dates", set()):
        return (
            f"SELECT a.pair_id AS rid, a.name, a.value, {count} AS count,"
            " MIN(d.date_created) AS date_created, MAX(d.date_created) AS date_last_used"
            " FROM autofill a LEFT JOIN autofill_dates d ON d.pair_id = a.pair_id"
            " GROUP BY a.pair_id ORDER BY a.pair_id"
        )
    ctx.warn("autofill has no date_created and no autofill_dates: entries read without times")
    return (
        f"SELECT a.rowid AS rid, a.name, a.value, {count} AS count, NULL AS date_created,"
        " NULL AS date_last_used FROM autofill a ORDER BY a.rowid"
    )


def _entry(row: sqlite3.Row, origin: Origin) -> Artifact:
    created = strict_int(row["date_created"])
    used = from_unix_s(strict_int(row["date_last_used"]))
    fields = {
        "browser": origin.browser,
        "field": text(row["name"]),
        "value": text(row["value"]),
        "url": None,
        "count": strict_int(row["count"]),
        "created": iso(from_unix_s(created)),
        **origin.extras(),
    }
    return Artifact(
        kind="web_form",
        fields=compact(fields, FORM_KEYS),
        ts=used or from_unix_s(created),
        ts_raw=row["date_last_used"] if used else row["date_created"],
        source_table="autofill",
        source_rowid=strict_int(row["rid"]),
    )


def _person(values: dict[int, str]) -> tuple[str | None, str | None]:
    """(name, postal address) of a saved address's field values."""
    parts = [values.get(t) for t in (FIRST, MIDDLE, LAST)]
    name = values.get(FULL) or " ".join(p for p in parts if p) or None
    lines = [values.get(t) for t in (STREET, CITY, STATE, ZIP, COUNTRY)]
    address = ", ".join(p.replace("\n", ", ") for p in lines if p) or None
    return name, address


def _contact(
    row: sqlite3.Row,
    table: str,
    values: dict[int, str],
    extra: dict[int, list[str]],
    origin: Origin,
) -> Artifact | None:
    name, address = _person(values)
    phones = extra.get(PHONE) or ([values[PHONE]] if values.get(PHONE) else [])
    emails = extra.get(EMAIL) or ([values[EMAIL]] if values.get(EMAIL) else [])
    if not (name or phones or emails):
        return None  # an address without a person: not a contact
    keys = row.keys()
    fields = {
        "app": "chrome_autofill",
        "name": name,
        "phones": phones,
        "emails": emails,
        "browser": origin.browser,
        **origin.extras(),
        "company": values.get(COMPANY),
        "address": address,
        "use_count": strict_int(row["use_count"]) if "use_count" in keys else None,
        "last_used": iso(from_unix_s(strict_int(row["use_date"]))) if "use_date" in keys else None,
    }
    return Artifact(
        kind="contact",
        fields=compact(fields, CONTACT_KEYS),
        ts=from_unix_s(strict_int(row["date_modified"])),
        ts_raw=row["date_modified"],
        source_table=table,
        source_rowid=strict_int(row["rid"]),
    )


def _token_profiles(
    conn: sqlite3.Connection,
    ctx: ParseContext,
    tables: Tables,
    layout: tuple[str, str],
    origin: Origin,
) -> Iterator[Artifact]:
    main, tokens = layout
    if not side_table(tables, ctx, main, ("guid", "date_modified")) or not side_table(
        tables, ctx, tokens, ("guid", "type", "value")
    ):
        return
    values: dict[str, dict[int, str]] = {}
    for guid, kind, value in conn.execute(f"SELECT guid, type, value FROM {tokens} ORDER BY rowid"):
        ctx.cancel.check()
        number, value = _token(kind, value)
        if number is not None and value:
            values.setdefault(str(guid), {}).setdefault(number, value)
    optional = present(tables, main, ("use_count", "use_date"))
    selected = "".join(f", {c}" for c in optional)
    rows = conn.execute(
        f"SELECT rowid AS rid, guid, date_modified{selected} FROM {main} ORDER BY rowid"
    )

    def convert(row: sqlite3.Row) -> Artifact | None:
        return _contact(row, main, values.get(str(row["guid"]), {}), {}, origin)

    yield from each_row(ctx, rows, main, "rid", convert, _ROW_ERRORS)


def _token(kind: Any, value: Any) -> tuple[int | None, str | None]:
    try:
        number = strict_int(kind)
    except ValueError:
        return None, None  # an unknown token row says nothing about the person
    cleaned = text(value)
    return number, cleaned.strip() if cleaned else None


def _legacy_profiles(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, origin: Origin
) -> Iterator[Artifact]:
    if not side_table(tables, ctx, "autofill_profiles", ("guid", "date_modified")):
        return
    names = _legacy_names(conn, ctx, tables)
    lists = {
        PHONE: _legacy_list(conn, ctx, tables, ("autofill_profile_phones", "number")),
        EMAIL: _legacy_list(conn, ctx, tables, ("autofill_profile_emails", "email")),
    }
    columns = tables["autofill_profiles"]
    street = next((c for c in LEGACY_ADDRESS[0] if c in columns), None)
    wanted = ["use_count", "use_date", "company_name", "city", "state", "zipcode", "country_code"]
    optional = present(tables, "autofill_profiles", wanted)
    sql = (
        "SELECT rowid AS rid, guid, date_modified"
        + "".join(f", {c}" for c in optional)
        + (f", {street} AS street" if street else "")
        + " FROM autofill_profiles ORDER BY rowid"
    )

    def convert(row: sqlite3.Row) -> Artifact | None:
        guid = str(row["guid"])
        values = {**_legacy_values(row), **names.get(guid, {})}
        extra = {k: v.get(guid, []) for k, v in lists.items()}
        return _contact(row, "autofill_profiles", values, extra, origin)

    yield from each_row(ctx, conn.execute(sql), "autofill_profiles", "rid", convert, _ROW_ERRORS)


def _legacy_values(row: sqlite3.Row) -> dict[int, str]:
    keys = row.keys()
    pairs = (
        ("company_name", COMPANY),
        ("street", STREET),
        ("city", CITY),
        ("state", STATE),
        ("zipcode", ZIP),
        ("country_code", COUNTRY),
    )
    values: dict[int, str] = {}
    for column, number in pairs:
        value = text(row[column]) if column in keys else None
        if value and value.strip():
            values[number] = value.strip()
    return values


def _legacy_names(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables
) -> dict[str, dict[int, str]]:
    if not side_table(tables, ctx, "autofill_profile_names", ("guid",)):
        return {}
    columns = present(tables, "autofill_profile_names", ("first_name", "middle_name", "last_name"))
    full = present(tables, "autofill_profile_names", ("full_name",))
    if not columns + full:
        ctx.warn("table autofill_profile_names has no name column: not read")
        return {}
    numbers = {"first_name": FIRST, "middle_name": MIDDLE, "last_name": LAST, "full_name": FULL}
    names: dict[str, dict[int, str]] = {}
    sql = f"SELECT guid, {', '.join(columns + full)} FROM autofill_profile_names ORDER BY rowid"
    for row in conn.execute(sql):
        found = {numbers[c]: text(row[c]) for c in columns + full if text(row[c])}
        # A profile could hold several names (crbug.com/497934); the first one is its name.
        if found and str(row["guid"]) not in names:
            names[str(row["guid"])] = {k: v.strip() for k, v in found.items() if v}
    return names


def _legacy_list(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables, source: tuple[str, str]
) -> dict[str, list[str]]:
    table, column = source
    if not side_table(tables, ctx, table, ("guid", column)):
        return {}
    found: dict[str, list[str]] = {}
    for guid, value in conn.execute(f"SELECT guid, {column} FROM {table} ORDER BY rowid"):
        cleaned = (text(value) or "").strip()
        if cleaned and cleaned not in found.setdefault(str(guid), []):
            found[str(guid)].append(cleaned)
    return found
