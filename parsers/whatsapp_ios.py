"""WhatsApp for iOS: messages of `ChatStorage.sqlite` (Core Data store).

App: net.whatsapp.WhatsApp (and WhatsApp Business, net.whatsapp.WhatsAppSMB); the database
lives in the shared app group container `group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite`.
Written against the Core Data entities of WhatsApp 2.2x for iOS: ZWAMESSAGE (one row per
message), ZWACHATSESSION (one per chat: ZCONTACTJID, ZPARTNERNAME = contact or group name,
ZSESSIONTYPE 1 = group), ZWAGROUPMEMBER (group participants: ZMEMBERJID, ZCONTACTNAME) and
ZWAMEDIAITEM (attachments: ZMEDIALOCALPATH, ZTITLE = caption, ZFILESIZE, ZLATITUDE/ZLONGITUDE
for shared locations). No public test copy exists in the corpus; tests use a generated
database with these columns.

Timestamps: ZMESSAGEDATE and ZSENTDATE are Cocoa seconds since 2001-01-01 UTC (REAL).
Direction: ZISFROMME = 1 outgoing. In a group the sender of an incoming message is the
member (ZGROUPMEMBER → ZMEMBERJID), else ZFROMJID.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row
from triage_app.core.timeconv import from_cocoa_s

_MESSAGES = """
SELECT m.Z_PK AS pk, m.ZISFROMME AS from_me, m.ZMESSAGEDATE AS date, m.ZTEXT AS text,
       m.ZFROMJID AS from_jid, m.ZTOJID AS to_jid, m.ZMESSAGETYPE AS type,
       s.ZCONTACTJID AS chat_jid, s.ZPARTNERNAME AS chat_name, s.ZSESSIONTYPE AS session_type,
       g.ZMEMBERJID AS member_jid, g.ZCONTACTNAME AS member_name,
       i.ZMEDIALOCALPATH AS media_path, i.ZTITLE AS media_title, i.ZFILESIZE AS media_size,
       i.ZLATITUDE AS lat, i.ZLONGITUDE AS lon
FROM ZWAMESSAGE m
LEFT JOIN ZWACHATSESSION s ON s.Z_PK = m.ZCHATSESSION
LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER
LEFT JOIN ZWAMEDIAITEM i ON i.Z_PK = m.ZMEDIAITEM
ORDER BY m.Z_PK
"""


class WhatsappIos(SQLiteParser):
    name = "whatsapp_ios"
    version = "1.0"
    kinds = ("message",)
    path_globs = (
        "*/group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite",
        "*/group.net.whatsapp.WhatsAppSMB.shared/ChatStorage.sqlite",
        "*/ChatStorage.sqlite",
    )
    identify: ClassVar[frozenset[str]] = frozenset({"ZWAMESSAGE", "ZWACHATSESSION"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "ZWAMESSAGE": frozenset(
            {
                "Z_PK",
                "ZISFROMME",
                "ZMESSAGEDATE",
                "ZTEXT",
                "ZFROMJID",
                "ZTOJID",
                "ZMESSAGETYPE",
                "ZCHATSESSION",
                "ZGROUPMEMBER",
                "ZMEDIAITEM",
            }
        ),
        "ZWACHATSESSION": frozenset({"Z_PK", "ZCONTACTJID", "ZPARTNERNAME", "ZSESSIONTYPE"}),
        "ZWAGROUPMEMBER": frozenset({"Z_PK", "ZMEMBERJID", "ZCONTACTNAME"}),
        "ZWAMEDIAITEM": frozenset(
            {"Z_PK", "ZMEDIALOCALPATH", "ZTITLE", "ZFILESIZE", "ZLATITUDE", "ZLONGITUDE"}
        ),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        yield from each_row(ctx, conn.execute(_MESSAGES), "ZWAMESSAGE", "pk", self._record)

    @staticmethod
    def _record(row: sqlite3.Row) -> Artifact:
        outgoing = bool(int(row["from_me"] or 0))
        chat = row["chat_jid"] or (row["to_jid"] if outgoing else row["from_jid"])
        group = row["session_type"] == 1
        sender = None if outgoing else (row["member_jid"] if group else None) or row["from_jid"]
        fields: dict[str, Any] = {
            "app": "whatsapp",
            "thread": chat,
            "thread_name": row["chat_name"],
            "sender": sender,
            "recipients": [chat] if outgoing and chat else [],
            "direction": "outgoing" if outgoing else "incoming",
            "body": row["text"] if row["text"] is not None else row["media_title"],
            "attachments": _attachments(row),
            "message_type": row["type"],
        }
        if row["media_size"] is not None:
            fields["media_size"] = row["media_size"]
        if not outgoing and group and row["member_name"]:
            fields["sender_name"] = row["member_name"]
        if row["lat"] or row["lon"]:
            fields["lat"], fields["lon"] = float(row["lat"]), float(row["lon"])
        return Artifact(
            kind="message",
            fields=fields,
            ts=from_cocoa_s(row["date"]),
            ts_raw=row["date"],
            source_table="ZWAMESSAGE",
            source_rowid=int(row["pk"]),
        )


def _attachments(row: sqlite3.Row) -> list[str]:
    # Attachments are listed as the app stored them (path relative to the app's Media
    # folder), like every message parser does; the caption is the body, the size an extra.
    return [str(row["media_path"])] if row["media_path"] else []
