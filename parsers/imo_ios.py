"""imo HD for iOS (com.imoim.imoHD / imo.im): messages and contacts of `IMODb2.sqlite`.

A Core Data store in the app container. Checked against plaso's `ios/IMODb2.sqlite` (imo HD,
April 2023) and a generated store with its columns: ZIMOCHATMSG (one row per message),
ZIMOCONTACT (address book of the account), ZIMOMEDIALOCALINFO (media of a message, by
ZCHATMSG → ZIMOCHATMSG.Z_PK) and ZIMOKEYVAL (settings; `imo_account_uid` and
`imo_account_alias` name the account owner).

ZIMOCHATMSG: ZBUID is the chat (the buddy's imo uid, or a group's id), ZISSENT 1 = sent by
the owner, 0 = received. A received message carries its author in ZA_UID/ZALIAS (the member
who wrote it in a group; the buddy in a 1:1 chat); a sent one has them empty, so its sender
is the owner from ZIMOKEYVAL. ZCONTACT_ALIAS is the chat's display name. ZTYPE is kept raw
(`message_type`: the sample has 0 text, 1 photo, 12 "This message was deleted" placeholder).
ZIMDATA (an NSKeyedArchiver plist of media/deletion details) is not decoded; the media's file
name and MIME type come from ZIMOMEDIALOCALINFO.ZMETADATA (JSON written by the app), else the
media id is listed.

Timestamps: ZTS (`ts`) and ZSENDERTS (`sent_ts`) are nanoseconds since 1970-01-01 UTC
(INTEGER): read as seconds, milliseconds or microseconds they fall outside 1980-2100, as
nanoseconds they give April 2023 in the sample, as plaso reads them. ZTS is imo's server time
(the chat's order; millisecond resolution), ZSENDERTS the sending device's clock.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, present, side_table
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_unix_ns, iso
from triage_app.core.values import MESSAGE_KEYS, as_int, compact, text

Tables = dict[str, set[str]]
_MESSAGE_OPTIONAL = ("ZA_UID", "ZALIAS", "ZCONTACT_ALIAS", "ZSENDERTS", "ZTYPE")
_CONTACT_COLUMNS = ("Z_PK", "ZBUID", "ZALIAS", "ZDISPLAY")
_CONTACT_OPTIONAL = ("ZPH_NAME", "ZPHONE", "ZDIGIT_PHONE", "ZIS_GROUP")
# The app's JSON media descriptions are a few hundred bytes; a larger value is not parsed.
_MAX_METADATA = 64 * 1024
Owner = tuple[str | None, str | None]  # account uid, alias


class ImoIos(SQLiteParser):
    name = "imo_ios"
    version = "1.0"
    kinds = ("message", "contact")
    path_globs = ("*/IMODb2.sqlite",)
    identify: ClassVar[frozenset[str]] = frozenset({"ZIMOCHATMSG"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "ZIMOCHATMSG": frozenset({"Z_PK", "ZTS", "ZTEXT", "ZBUID", "ZISSENT"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        owner = _owner(conn, ctx, tables)
        media = _media(conn, ctx, tables)
        optional = present(tables, "ZIMOCHATMSG", _MESSAGE_OPTIONAL)
        columns = ", ".join(["Z_PK", "ZTS", "ZTEXT", "ZBUID", "ZISSENT", *optional])
        yield from each_row(
            ctx,
            conn.execute(f"SELECT {columns} FROM ZIMOCHATMSG ORDER BY Z_PK"),
            "ZIMOCHATMSG",
            "Z_PK",
            lambda row: _message(row, owner, media.get(row["Z_PK"], ([], None))),
        )
        yield from _contacts(conn, ctx, tables)


def _owner(conn: sqlite3.Connection, ctx: ParseContext, tables: Tables) -> Owner:
    if not side_table(tables, ctx, "ZIMOKEYVAL", ("ZKEY", "ZSTRING_VAL")):
        return None, None
    sql = (
        "SELECT ZKEY, ZSTRING_VAL FROM ZIMOKEYVAL"
        " WHERE ZKEY IN ('imo_account_uid', 'imo_account_alias') ORDER BY Z_PK"
    )
    values = {str(key): text(value) for key, value in conn.execute(sql)}
    return values.get("imo_account_uid") or None, values.get("imo_account_alias") or None


def _media(
    conn: sqlite3.Connection, ctx: ParseContext, tables: Tables
) -> dict[Any, tuple[list[str], str | None]]:
    """Message pk → (file names as the app recorded them, MIME type)."""
    found: dict[Any, tuple[list[str], str | None]] = {}
    if not side_table(tables, ctx, "ZIMOMEDIALOCALINFO", ("Z_PK", "ZCHATMSG", "ZMEDIAID")):
        return found
    extra = "".join(f", {c}" for c in present(tables, "ZIMOMEDIALOCALINFO", ("ZMETADATA",)))
    sql = f"SELECT Z_PK, ZCHATMSG, ZMEDIAID{extra} FROM ZIMOMEDIALOCALINFO ORDER BY Z_PK"
    for row in conn.execute(sql):
        meta = _metadata(row["ZMETADATA"]) if extra else {}
        name = meta.get("filename") or text(row["ZMEDIAID"])
        params = meta.get("type_specific_params")
        mime = meta.get("mime") or (params.get("mime") if isinstance(params, dict) else None)
        names, old_mime = found.setdefault(row["ZCHATMSG"], ([], None))
        if name:
            names.append(str(name))
        found[row["ZCHATMSG"]] = (names, old_mime or (str(mime) if mime else None))
    return found


def _metadata(value: Any) -> dict[str, Any]:
    if not isinstance(value, str | bytes) or len(value) > _MAX_METADATA:
        return {}
    try:
        data = json.loads(value)
    except (ValueError, TypeError):
        return {}  # undecodable metadata: the media id still names the attachment
    return data if isinstance(data, dict) else {}


def _message(row: sqlite3.Row, owner: Owner, media: tuple[list[str], str | None]) -> Artifact:
    keys = row.keys()

    def get(column: str) -> Any:
        return row[column] if column in keys else None

    outgoing = bool(int(row["ZISSENT"] or 0))
    chat = text(row["ZBUID"])
    uid, alias = owner
    fields: dict[str, Any] = {
        "app": "imo",
        "thread": chat,
        "sender": uid if outgoing else text(get("ZA_UID")) or chat,
        "recipients": [r for r in ([chat] if outgoing else [uid]) if r],
        "direction": "outgoing" if outgoing else "incoming",
        "body": text(row["ZTEXT"]),
        "attachments": media[0],
        "thread_name": text(get("ZCONTACT_ALIAS")),
        "sender_name": alias if outgoing else text(get("ZALIAS")),
        "message_type": as_int(get("ZTYPE")),
        "sent_ts": iso(from_unix_ns(get("ZSENDERTS"))),
        "media_mime": media[1],
    }
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_unix_ns(row["ZTS"]),
        ts_raw=row["ZTS"],
        source_table="ZIMOCHATMSG",
        source_rowid=int(row["Z_PK"]),
    )


def _contacts(conn: sqlite3.Connection, ctx: ParseContext, tables: Tables) -> Iterator[Artifact]:
    if not side_table(tables, ctx, "ZIMOCONTACT", _CONTACT_COLUMNS):
        return
    columns = ", ".join([*_CONTACT_COLUMNS, *present(tables, "ZIMOCONTACT", _CONTACT_OPTIONAL)])
    rows = conn.execute(f"SELECT {columns} FROM ZIMOCONTACT ORDER BY Z_PK")
    yield from each_row(ctx, rows, "ZIMOCONTACT", "Z_PK", _contact)


def _contact(row: sqlite3.Row) -> Artifact:
    keys = row.keys()

    def get(column: str) -> str | None:
        if column not in keys:
            return None
        return (text(row[column]) or "").strip() or None

    # ZPHONE is the number as the address book shows it, ZDIGIT_PHONE its digits only.
    phone = get("ZPHONE") or get("ZDIGIT_PHONE")
    group = as_int(row["ZIS_GROUP"]) if "ZIS_GROUP" in keys else None
    fields: dict[str, Any] = {
        "app": "imo",
        "name": get("ZDISPLAY") or get("ZPH_NAME") or get("ZALIAS"),
        "phones": [phone] if phone else [],
        "emails": [],
        "buid": get("ZBUID"),
        "alias": get("ZALIAS"),
        "is_group": bool(group) if group is not None else None,
    }
    return Artifact(
        kind="contact",
        fields=compact(fields, ("name",)),
        source_table="ZIMOCONTACT",
        source_rowid=int(row["Z_PK"]),
    )
