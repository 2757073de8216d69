"""Instagram direct messages on iOS: the per-account database `<user pk>.db`.

App: Instagram for iOS (com.burbn.instagram). The database lives in the app's data container,
`Library/Application Support/DirectSQLiteDatabase/<pk>.db`, named after the numeric id (pk) of
the logged-in account. Checked against plaso's `ios/9368974384.db` (Instagram 2020-2023, tables
`threads`, `messages`, `inbox_metadata`, `mutations`, `thread_client_state`, `quick_reply`) and
a generated database with those `threads`/`messages` definitions.

Each `messages.archive` is an NSKeyedArchiver binary plist (class IGDirectPublishedMessage):
`metadata` (`senderPk`, `serverTimestamp`, `serverId`) and `content` (`codedSubtype`
SUBTYPE_TEXT, SUBTYPE_MEDIA or SUBTYPE_THREAD_ACTIVITY; `string` = the text; `media` → photo
`imageVersions`; `threadActivity` → call notices `voipTitle`/`videoCallId`), plus `reactions`.
`threads.metadata` is another archive (IGDirectThreadMetadata) naming the participants
(`users`, `inviter`; older versions `inviter_DEPRECATED` with a `userDict`) by pk, user name
and full name; `threads.viewer_id` is the account's pk.

Decoding (`triage_app.core.keyed_archive.KeyedArchive`): only plistlib's binary reader is
used (an XML plist is refused, so no entity expansion), archives are capped in size and read
lazily: only the key paths named here are followed and every `$objects` reference is
bounds-checked, so a cyclic or deep object graph costs nothing. A message whose archive is
not a readable keyed archive is warned and skipped.

Records: one `message` per row. `thread` = thread id; `sender` = senderPk; `direction`
outgoing when the sender is the account (`threads.viewer_id`, else the file name when it is a
number), incoming otherwise; `recipients` = the thread's other participants. `body` = the
text; call and other thread-activity rows keep `body` null and carry the notice the app shows
in extra `activity` (e.g. "Video chat ended") and `call_id`. `attachments` = URL of the first
image version, as the app stored it (CDN URLs expire), extra `media_id`; a video is read the
same way from `IGVideo*video` → `videoVersions` (by analogy: the corpus holds photos only).
Extras: `message_id` (serverId), `message_type` (content codedSubtype), `sender_name` (full
name, else user name, from the thread metadata), `sender_username`, `thread_name` (a group
title, read from a `…threadTitle` key when present: the corpus has no group thread),
`reactions` ([{emoji, user}]).

Timestamps: `serverTimestamp` is an NSDate, Cocoa seconds since 2001-01-01 UTC (double with
µs precision): the corpus's 606597122.808 is 2020-03-22 19:12:02 UTC, as plaso reads it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from triage_app.core.keyed_archive import ArchiveError, KeyedArchive
from triage_app.core.models import Artifact
from triage_app.core.parsing import ParseContext, SQLiteParser, each_row
from triage_app.core.sqlite_reader import table_columns
from triage_app.core.timeconv import from_cocoa_s
from triage_app.core.values import MESSAGE_KEYS, compact

_CONTENT = "IGDirectPublishedMessageContent*content"
_METADATA = "IGDirectPublishedMessageMetadata*metadata"
_ACTIVITY = "IGDirectThreadActivityAnnouncement*threadActivity"
_MEDIA = "IGDirectPublishedMessageMedia*media"
_PERMANENT = "IGDirectPublishedMessagePermanentMedia*permanentMedia"
_REACTIONS = "NSArray<IGDirectMessageReaction *>*reactions"
_USER_DICT = "NSDictionary<NSString *, id>*userDict"


@dataclass
class Thread:
    viewer: str | None = None
    participants: list[str] = field(default_factory=list)
    title: str | None = None


@dataclass
class Directory:
    threads: dict[str, Thread] = field(default_factory=dict)
    names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


class InstagramIos(SQLiteParser):
    name = "instagram_ios"
    version = "1.0"
    kinds = ("message",)
    # A loose copy is still named `<pk>.db`: the name must be all digits. `*/[0-9]*.db` would
    # also match every database below a folder starting with a digit (iOS container UUIDs,
    # Android's /data/user/0), each then copied and opened only to be skipped.
    path_globs = (
        "*/DirectSQLiteDatabase/*.db",
        *(f"*/{'[0-9]' * n}.db" for n in range(1, 21)),
    )
    identify: ClassVar[frozenset[str]] = frozenset({"messages", "threads"})
    required: ClassVar[dict[str, frozenset[str]]] = {
        "messages": frozenset({"row_id", "message_id", "thread_id", "archive"}),
        "threads": frozenset({"thread_id", "metadata"}),
    }

    def records(self, conn: sqlite3.Connection, ctx: ParseContext) -> Iterator[Artifact]:
        stem = ctx.file.name.rsplit(".", 1)[0]
        account = stem if stem.isdigit() else None
        directory = _directory(conn, ctx, account)
        sql = "SELECT row_id, message_id, thread_id, archive FROM messages ORDER BY row_id"
        yield from each_row(
            ctx,
            conn.execute(sql),
            "messages",
            "row_id",
            lambda row: _message(row, KeyedArchive(row["archive"]), directory, account),
        )


def _directory(conn: sqlite3.Connection, ctx: ParseContext, account: str | None) -> Directory:
    """Participants, names and titles of every thread, from `threads.metadata` archives."""
    directory = Directory()
    has_viewer = "viewer_id" in table_columns(conn).get("threads", set())
    viewer_col = "viewer_id" if has_viewer else "NULL AS viewer_id"
    for row in conn.execute(f"SELECT thread_id, {viewer_col}, metadata FROM threads"):
        ctx.cancel.check()
        viewer = str(row["viewer_id"]) if row["viewer_id"] is not None else account
        thread = Thread(viewer=viewer, participants=[viewer] if viewer else [])
        directory.threads[str(row["thread_id"])] = thread
        if row["metadata"] is None:
            continue
        try:
            archive = KeyedArchive(row["metadata"])
        except ArchiveError as exc:
            ctx.warn(f"threads {row['thread_id']!r}: participants not read: {exc}")
            continue
        root = archive.root
        inviter = archive.get(root, "IGUser*inviter_DEPRECATED") or archive.get(
            root, "IGUser*inviter"
        )
        for user in [inviter, *archive.items(archive.get(root, "NSArray<IGUser *>*users"))]:
            pk = _add_user(archive, user, directory.names)
            if pk and pk not in thread.participants:
                thread.participants.append(pk)
        thread.title = _title(archive)
    return directory


def _add_user(
    archive: KeyedArchive, user: Any, names: dict[str, tuple[str | None, str | None]]
) -> str | None:
    if user is None:
        return None
    data = archive.get(user, _USER_DICT)
    pk = archive.text(archive.get(data, "pk")) or archive.text(archive.get(user, "pk"))
    if not pk:
        return None
    username = archive.text(archive.get(user, "userName")) or archive.text(
        archive.get(data, "username")
    )
    full = archive.text(archive.get(user, "fullName")) or archive.text(
        archive.get(data, "full_name")
    )
    known = names.get(pk, (None, None))
    names[pk] = (username or known[0], full or known[1])
    return pk


def _title(archive: KeyedArchive) -> str | None:
    group_key = "id<IGDirectThreadGroupMetadataProviding>groupMetadata"
    for obj in (archive.root, archive.get(archive.root, group_key)):
        for key in archive.keys(obj):
            if key.lower().endswith("threadtitle"):
                title = archive.text(archive.get(obj, key))
                if title:
                    return title
    return None


def _message(
    row: sqlite3.Row, archive: KeyedArchive, directory: Directory, account: str | None
) -> Artifact:
    root = archive.root
    content = archive.get(root, _CONTENT)
    metadata = archive.get(root, _METADATA)
    if not isinstance(content, dict) or not isinstance(metadata, dict):
        raise ArchiveError("archive holds no message content/metadata")
    thread_id = str(row["thread_id"])
    thread = directory.threads.get(thread_id, Thread(viewer=account))
    sender = archive.text(archive.get(metadata, "NSString*senderPk"))
    direction = None
    if sender and thread.viewer:
        direction = "outgoing" if sender == thread.viewer else "incoming"
    participants = thread.participants or ([thread.viewer] if thread.viewer else [])
    username, full = directory.names.get(sender or "", (None, None))
    stamp = archive.date(archive.get(metadata, "NSDate*serverTimestamp"))
    fields: dict[str, Any] = {
        "app": "instagram",
        "thread": thread_id,
        "thread_name": thread.title,
        "sender": sender,
        "recipients": [p for p in participants if p != sender],
        "direction": direction,
        "body": archive.text(archive.get(content, "NSString*string")),
        "attachments": [],
        "message_id": archive.text(archive.get(metadata, "NSString*serverId"))
        or str(row["message_id"]),
        "message_type": archive.text(archive.get(content, "codedSubtype")),
        "sender_name": full or username,
        "sender_username": username,
    }
    _add_activity(archive, content, fields)
    _add_media(archive, content, fields)
    reactions = _reactions(archive)
    if reactions:
        fields["reactions"] = reactions
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_cocoa_s(stamp),
        ts_raw=stamp,
        source_table="messages",
        source_rowid=int(row["row_id"]),
    )


def _add_activity(archive: KeyedArchive, content: Any, fields: dict[str, Any]) -> None:
    activity = archive.get(content, _ACTIVITY)
    if activity is None:
        return
    fields["activity"] = archive.text(archive.get(activity, "NSString*voipTitle")) or (
        archive.text(archive.get(activity, "NSString*actionLogTitle"))
    )
    fields["call_id"] = archive.text(archive.get(activity, "NSString*videoCallId"))


def _add_media(archive: KeyedArchive, content: Any, fields: dict[str, Any]) -> None:
    media = archive.get(content, _MEDIA, _PERMANENT)
    if media is None:
        return
    for kind, versions in (("IGPhoto*photo", "imageVersions"), ("IGVideo*video", "videoVersions")):
        item = archive.get(media, kind)
        if item is None:
            continue
        first = next(iter(archive.items(archive.get(item, versions))), None)
        url = archive.url(archive.get(first, "url")) if first is not None else None
        if url:
            fields["attachments"] = [url]
        fields["media_id"] = archive.text(archive.get(item, "kIGPhotoMediaID"))
        return


def _reactions(archive: KeyedArchive) -> list[dict[str, str | None]]:
    result = []
    for reaction in archive.items(archive.get(archive.root, _REACTIONS)):
        emoji = archive.text(archive.get(reaction, "USER_BASED_REACTION_EMOJI_UNICODE"))
        user = archive.text(archive.get(reaction, "USER_BASED_REACTION_USER_ID"))
        result.append(
            {
                "emoji": emoji or archive.text(archive.get(reaction, "emojiUnicode")),
                "user": user or archive.text(archive.get(reaction, "userId")),
            }
        )
    return result
