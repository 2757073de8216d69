"""iOS call history: `ZCALLRECORD` of `CallHistory.storedata` (Core Data store).

App: the native Phone/FaceTime call log (CallHistory framework, callhistoryd), at
`/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata` (HomeDomain in a backup).
Written against the Core Data entity CallRecord of iOS 13-17 (`ZCALLRECORD`: Z_PK, ZADDRESS,
ZNAME, ZDATE, ZDURATION, ZORIGINATED, ZANSWERED, ZCALLTYPE, ZSERVICE_PROVIDER,
ZISO_COUNTRY_CODE, ZLOCATION; the last four are read when present, older stores lack
ZSERVICE_PROVIDER). No public test copy exists in the corpus; tests use a generated store
with these columns.

CallKit: since iOS 10 third-party VoIP apps that use CallKit (WhatsApp, Telegram, Signal,
Skype, Viber, Messenger...) report their calls to the system call log, unless the user turned
that integration off in the app. So this table also lists WhatsApp/Telegram/Signal calls, with
the app's bundle id in ZSERVICE_PROVIDER, even after the app's own database was wiped or the
app deleted. The record's `app` comes from that bundle id (com.apple.Telephony → `phone`,
com.apple.FaceTime → `facetime`, known messengers → their usual ids, any other provider → its
bundle id lower-cased); `service_provider` keeps it as stored. For such calls ZADDRESS is the
app's own handle for the peer (a phone number, a user id or a group id), not necessarily a
phone number.

Timestamps: ZDATE = call start, Cocoa seconds since 2001-01-01 UTC (REAL); ZDURATION in
seconds (REAL, truncated to whole seconds in `duration_s`). ZADDRESS is declared BLOB and
holds the handle's UTF-8 bytes (rows written as text also occur; both are read); empty for
withheld numbers. Direction: ZORIGINATED = 1 outgoing; an incoming call with ZANSWERED = 0 is
`missed` (declined calls included). ZCALLTYPE (`call_type`): 0 third-party (CallKit), 1 phone,
8 FaceTime video, 16 FaceTime audio. Group FaceTime participants kept in the ZHANDLE entity
are not read. The same store synced to a Mac (`~/Library/Application Support/CallHistoryDB/`)
is matched by its file name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser
from triage_app.core.sqlite_reader import table_columns, text_decoder
from triage_app.core.timeconv import from_cocoa_s

_APPS = {
    "com.apple.telephony": "phone",
    "com.apple.facetime": "facetime",
    "net.whatsapp.whatsapp": "whatsapp",
    "net.whatsapp.whatsappsmb": "whatsapp",
    "ph.telegra.telegraph": "telegram",
    "org.whispersystems.signal": "signal",
    "com.viber": "viber",
    "com.skype.skype": "skype",
    "com.facebook.messenger": "messenger",
}
# Stores written before ZSERVICE_PROVIDER existed name the service only by call type.
_TYPE_APPS = {1: "phone", 8: "facetime", 16: "facetime"}
_CALL_TYPES = {0: "third_party", 1: "phone", 8: "facetime_video", 16: "facetime_audio"}
_COLUMNS = ("Z_PK", "ZADDRESS", "ZDATE", "ZDURATION", "ZORIGINATED", "ZANSWERED", "ZCALLTYPE")
_OPTIONAL = ("ZNAME", "ZSERVICE_PROVIDER", "ZISO_COUNTRY_CODE", "ZLOCATION")
# What the Phone app stores in ZLOCATION when it could not place the number: not a place.
_NO_LOCATION = "<<RecentsNumberLocationNotFound>>"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        # Older stores keep ZADDRESS as a BLOB; trailing NULs are C-string padding.
        value = value.decode("utf-8", errors="replace").rstrip("\x00")
    text = str(value).strip()
    return text or None


def app_of(provider: str | None, call_type: int | None) -> str | None:
    if provider:
        return _APPS.get(provider.lower(), provider.lower())
    return _TYPE_APPS.get(call_type) if call_type is not None else None


def direction_of(originated: Any, answered: Any) -> str:
    if int(originated or 0) == 1:
        return "outgoing"
    if answered is not None and int(answered) == 0:
        return "missed"
    return "incoming"


class IosCalls(SQLiteParser):
    name = "ios_calls"
    version = "1.0"
    kinds = ("call",)
    path_globs = ("*/Library/CallHistoryDB/CallHistory.storedata", "*/CallHistory.storedata")
    identify: ClassVar[frozenset[str]] = frozenset({"ZCALLRECORD"})
    required: ClassVar[dict[str, frozenset[str]]] = {"ZCALLRECORD": frozenset(_COLUMNS)}

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        decoder = text_decoder(conn)
        have = table_columns(conn).get("zcallrecord", set())
        columns = [*_COLUMNS, *(c if c.lower() in have else f"NULL AS {c}" for c in _OPTIONAL)]
        bad = decoder.bad
        for row in conn.execute(f"SELECT {', '.join(columns)} FROM ZCALLRECORD ORDER BY Z_PK"):
            ctx.cancel.check()
            if decoder.bad != bad:
                bad = decoder.bad
                ctx.warn(f"ZCALLRECORD row {row['Z_PK']!r}: text not valid UTF-8, replaced")
            try:
                yield self._record(row)
            except (TypeError, ValueError) as exc:
                ctx.warn(f"ZCALLRECORD row {row['Z_PK']!r} skipped: {exc}")

    @staticmethod
    def _record(row: sqlite3.Row) -> Artifact:
        raw_type = row["ZCALLTYPE"]
        call_type = int(raw_type) if raw_type is not None else None
        provider = _text(row["ZSERVICE_PROVIDER"])
        duration = row["ZDURATION"]
        country = _text(row["ZISO_COUNTRY_CODE"])
        location = _text(row["ZLOCATION"])
        fields: dict[str, Any] = {
            "app": app_of(provider, call_type),
            "number": _text(row["ZADDRESS"]),
            "name": _text(row["ZNAME"]),
            "direction": direction_of(row["ZORIGINATED"], row["ZANSWERED"]),
            "duration_s": int(float(duration)) if duration is not None else None,
            "call_type": _CALL_TYPES.get(call_type, f"type {call_type}")
            if call_type is not None
            else None,
            "service_provider": provider,
            "country": country.upper() if country else None,
            "location": location if location != _NO_LOCATION else None,
        }
        return Artifact(
            kind="call",
            fields=fields,
            ts=from_cocoa_s(row["ZDATE"]),
            ts_raw=row["ZDATE"],
            source_table="ZCALLRECORD",
            source_rowid=int(row["Z_PK"]),
        )
