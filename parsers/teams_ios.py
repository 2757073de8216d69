"""Microsoft Teams for iOS: chat messages of the `SkypeSpacesDogfood-<uuid>.sqlite` Core Data store.

App: com.microsoft.skype.teams; the store lives in the app group container,
`AppGroup/<uuid>/SkypeSpacesDogfood/<uuid>/SkypeSpacesDogfood-<account uuid>.sqlite`. Checked
against iLEAPP's `josh_ios15_ffs` test case (Teams with a personal Microsoft account, 2021-2023
chats, 81 messages, which iLEAPP's expected output lists in full) and generated stores with its
columns. Entities read: ZSMESSAGE (one row per message or thread event: ZFROM = sender MRI such
as `8:live:.cid.…` or `8:orgid:…`, ZIMDISPLAYNAME, ZTHREADID, ZTS_ISSENTBYME, ZMESSAGETYPE
`Text` / `RichText/Html` / `ThreadActivity/*` / `Event/*`, ZCONTENT, ZDELETETIME), ZTHREAD (one per
chat: ZTSID = thread id, ZTHREADTOPIC, ZTHREADTYPE, ZMEMBERS = NSKeyedArchiver dictionary
MRI → role) and ZMESSAGEPROPERTIES (ZPROPERTIES = NSKeyedArchiver dictionary; its `cards`
holds the Adaptive Card JSON of a shared location: coordinates and address).

Timestamps: ZARRIVALTIME is Cocoa seconds since 2001-01-01 UTC (REAL, milliseconds);
ZDELETETIME (message deleted by its sender, ZCONTENT then empty) is Unix milliseconds as text.

Body: `RichText/Html` content is HTML. It is reduced to text by Skype's bounded, linear
tokenizer (`triage_app.core.markup`: tags dropped, character references decoded, nothing
loaded), after a bounded pass that turns `<br>` and block ends into line breaks, emoji images
into their `alt` text, and other images' `src` (Teams media service URLs) into attachments;
the raw HTML is kept as `content_html`. Plain `Text` is kept exactly; thread events keep their
XML as body. ZTHREAD and ZMESSAGEPROPERTIES are side tables: when absent the messages are
still read and a warning names the table.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from html import unescape
from typing import Any, ClassVar

from triage_app.core.keyed_archive import ArchiveError, unarchive
from triage_app.core.markup import body_text
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row, side_table
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_cocoa_s, from_unix_ms, iso
from triage_app.core.values import MESSAGE_KEYS, compact, text

_MAX_HTML = 1 << 20
_MAX_CARD = 1 << 20  # bytes of a properties blob worth decoding for a location card
# Markup that changes the text layout or carries media; everything else is left to the
# tokenizer. `[^<>]*` keeps the scan linear.
_LAYOUT = re.compile(r"<(/?)(img|br|div|p|blockquote)\b([^<>]*)>", re.IGNORECASE)
_ATTR = re.compile(
    r"""(?<![\w:.-])(alt|src|itemtype)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
_POS = re.compile(r"pos\.(-?\d{1,3}(?:\.\d+)?)_(-?\d{1,3}(?:\.\d+)?)")
Thread = tuple[str | None, str | None, list[str]]  # topic, type, member MRIs
Place = tuple[float | None, float | None, str | None]  # lat, lon, address text
_NO_PLACE: Place = (None, None, None)


def html_text(raw: str) -> tuple[str | None, list[str]]:
    """Visible text and image URLs of a Teams `RichText/Html` message (markup never run)."""
    images: list[str] = []

    def layout(match: re.Match[str]) -> str:
        closing, tag, attrs = match[1], match[2].lower(), match[3]
        if tag == "br" or (closing and tag != "img"):
            return "\n"
        if tag != "img":
            return ""
        found = {m[1].lower(): m[2] if m[2] is not None else m[3] for m in _ATTR.finditer(attrs)}
        if found.get("itemtype", "").endswith("/Emoji") and found.get("alt"):
            return found["alt"].replace("<", "&lt;")
        if found.get("src"):
            images.append(unescape(found["src"]))
        return ""

    text, _ = body_text(_LAYOUT.sub(layout, raw[:_MAX_HTML]))
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None, images


def _members(blob: Any) -> list[str]:
    if not isinstance(blob, bytes):
        return []
    members = unarchive(blob)
    return [str(k) for k in members] if isinstance(members, dict) else []


def _location(blob: Any) -> Place:
    """Coordinates and address text of a shared-location Adaptive Card, if the blob has one."""
    if not isinstance(blob, bytes) or b"cards" not in blob or len(blob) > _MAX_CARD:
        return _NO_PLACE
    props = unarchive(blob)
    cards = json.loads(props["cards"]) if isinstance(props, dict) and "cards" in props else []
    lat = lon = None
    texts: list[str] = []
    for card in cards if isinstance(cards, list) else []:
        for item in _items(card):
            if item.get("type") == "TextBlock" and item.get("text") and item["text"] not in texts:
                texts.append(str(item["text"]))
            if item.get("type") == "Image" and lat is None:
                lat, lon = _coordinates(item)
    return lat, lon, "\n".join(texts) or None


def _items(card: Any) -> list[dict[str, Any]]:
    content = card.get("content") if isinstance(card, dict) else None
    body = content.get("body") if isinstance(content, dict) else None
    return [i for i in body if isinstance(i, dict)] if isinstance(body, list) else []


def _coordinates(item: dict[str, Any]) -> tuple[float | None, float | None]:
    # Live-location cards carry a JSON `id` with latitude/longitude; a place shared once has
    # only the map link, whose `pos.<lat>_<lon>` is the pinned point.
    try:
        ident = json.loads(item["id"]) if item.get("id") else {}
        if isinstance(ident, dict) and "latitude" in ident and "longitude" in ident:
            return _checked(float(ident["latitude"]), float(ident["longitude"]))
    except (TypeError, ValueError):
        pass
    action = item.get("selectAction")
    match = _POS.search(str(action.get("url", ""))) if isinstance(action, dict) else None
    return _checked(float(match[1]), float(match[2])) if match else (None, None)


def _checked(lat: float, lon: float) -> tuple[float | None, float | None]:
    # NaN fails both comparisons, so it is dropped with out-of-range values.
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None, None


class TeamsIos(SQLiteParser):
    name = "teams_ios"
    version = "1.0"
    kinds = ("message",)
    path_globs = ("*/SkypeSpacesDogfood/*/Skype*.sqlite", "*/SkypeSpacesDogfood-*.sqlite")
    identify: ClassVar[frozenset[str]] = frozenset({"ZSMESSAGE"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "ZSMESSAGE": frozenset(
            {"Z_PK", "ZARRIVALTIME", "ZCONTENT", "ZFROM", "ZIMDISPLAYNAME", "ZTHREADID"}
            | {"ZTS_ISSENTBYME", "ZMESSAGETYPE"}
        ),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        tables = table_columns(conn)
        threads = _threads(conn, ctx, tables)
        have = tables["zsmessage"]
        extra = "".join(f", m.{c}" for c in ("ZDELETETIME", "ZTSID") if c.lower() in have)
        join = ""
        cards = side_table(tables, ctx, "ZMESSAGEPROPERTIES", ("ZTSID", "ZTHREADID", "ZPROPERTIES"))
        if cards and "ztsid" in have:
            extra += ", p.ZPROPERTIES"
            join = (
                " LEFT JOIN ZMESSAGEPROPERTIES p ON p.ZTSID = m.ZTSID AND p.ZTHREADID = m.ZTHREADID"
            )
        sql = (
            "SELECT m.Z_PK, m.ZARRIVALTIME, m.ZCONTENT, m.ZFROM, m.ZIMDISPLAYNAME, m.ZTHREADID,"
            f" m.ZTS_ISSENTBYME, m.ZMESSAGETYPE{extra} FROM ZSMESSAGE m{join} ORDER BY m.Z_PK"
        )
        yield from each_row(
            ctx,
            conn.execute(sql),
            "ZSMESSAGE",
            "Z_PK",
            lambda row: _message(row, threads, _place(row, ctx)),
            (TypeError, ValueError, KeyError, ArchiveError),
        )


def _place(row: sqlite3.Row, ctx: ParseContext) -> Place:
    if "ZPROPERTIES" not in row.keys():  # noqa: SIM118 (Row `in` tests values)
        return _NO_PLACE
    try:
        return _location(row["ZPROPERTIES"])
    except (TypeError, ValueError, KeyError, ArchiveError, RecursionError) as exc:
        # The message itself is still a record; only its card is unreadable.
        ctx.warn(f"ZSMESSAGE row {row['Z_PK']!r}: location card not read: {exc}")
        return _NO_PLACE


def _threads(
    conn: sqlite3.Connection, ctx: ParseContext, tables: dict[str, set[str]]
) -> dict[str, Thread]:
    threads: dict[str, Thread] = {}
    if not side_table(tables, ctx, "ZTHREAD", ("ZTSID", "ZTHREADTOPIC", "ZTHREADTYPE", "ZMEMBERS")):
        return threads
    sql = "SELECT Z_PK, ZTSID, ZTHREADTOPIC, ZTHREADTYPE, ZMEMBERS FROM ZTHREAD ORDER BY Z_PK"
    for pk, tsid, topic, kind, blob in conn.execute(sql):
        try:
            members = _members(blob)
        except ArchiveError as exc:
            ctx.warn(f"ZTHREAD row {pk!r}: members not read: {exc}")
            members = []
        if tsid is not None:
            threads[str(tsid)] = (text(topic), text(kind), members)
    return threads


def _body(kind: str | None, raw: str | None) -> tuple[str | None, list[str]]:
    if raw is None or raw == "":
        return None, []
    if kind is not None and kind.lower().startswith("richtext"):
        return html_text(raw)
    return raw, []


def _deleted(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # exact milliseconds, not a float
    return iso(from_unix_ms(value))


def _message(row: sqlite3.Row, threads: dict[str, Thread], place: Place) -> Artifact:
    keys = row.keys()
    kind = text(row["ZMESSAGETYPE"])
    raw = text(row["ZCONTENT"])
    sender = text(row["ZFROM"])
    thread = text(row["ZTHREADID"])
    topic, thread_type, members = threads.get(thread or "", (None, None, []))
    by_me = row["ZTS_ISSENTBYME"]
    body, attachments = _body(kind, raw)
    lat, lon, address = place
    fields: dict[str, Any] = {
        "app": "teams",
        "thread": thread,
        "sender": sender,
        "recipients": [m for m in members if m != sender],
        "direction": None if by_me is None else ("outgoing" if int(by_me) else "incoming"),
        "body": body if body is not None else address,
        "attachments": attachments,
        "thread_name": topic,
        "thread_type": thread_type,
        "sender_name": text(row["ZIMDISPLAYNAME"]) or None,
        "message_type": kind,
        "content_html": raw if raw and raw != body else None,
        "lat": lat,
        "lon": lon,
        "deleted_ts": _deleted(row["ZDELETETIME"]) if "ZDELETETIME" in keys else None,
    }
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_cocoa_s(row["ZARRIVALTIME"]),
        ts_raw=row["ZARRIVALTIME"],
        source_table="ZSMESSAGE",
        source_rowid=int(row["Z_PK"]),
    )
