"""Twitter / X for iOS: direct messages from the app's NSKeyedArchiver direct-message cache.

App: com.atebits.Tweetie2 (Twitter, now X). The app keeps its direct-message inbox as one
NSKeyedArchiver binary plist per signed-in account, named `<screen name>-<number>`, in
`Library/Caches/com.atebits.tweetie.direct-message.cache/` of its data container (not a
SQLite database). Checked against iLEAPP's `josh_ios17_ffs` test case (iOS 17.3, archive
`directMessageModelVersion` 317) and iLEAPP's expected output for it (72 entries in 4
conversations), and against archives generated in the tests with the same classes.

Layout: root `TFNDirectMessageContextState` → `inbox` (`TFNDirectMessageInbox`) with
`context` {`userID` = the account holder, `accountID`} and three `TFNDirectMessageInboxTimeline`s
(`trusted_…`, `untrusted_…` = message requests never accepted, `low_quality_…`), each with
`conversations` (`TFNDirectMessageConversation`: `identifier.canonicalID`, `conversationName`
for groups, `participants` → `participatingUser`, `entries`). Entries are
`TFNDirectMessageEntry` (text: `displayText`/`originalText`, `sender`, `attachment` →
`entityMedia.mediaURL`, `inReplyToMessageEntry`), `TFNDirectMessageReactionCreatedEntry`
(`emoji_reaction` on `message_id`) and `TFNDirectMessageEndAvBroadcastEntry` (an audio/video
call: `started_at`, `ended_at`, `is_caller`, raw `call_type`/`end_reason`). Every entry is one
`message` record (the conversation as the app shows it, as iLEAPP counts it); a call entry also
gives a `call` record.

Timestamps: every NSDate (`time`, `started_at`, `ended_at`) is Cocoa seconds since
2001-01-01 UTC (a float with millisecond precision).

The archive is decoded by `triage_app.core.keyed_archive.unarchive` (no code is run, only the
archive's object table is followed): cycles resolve to null, and depth and total work are
bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from triage_app.core.errors import ParserError
from triage_app.core.keyed_archive import ArchiveError, CocoaDate, NotAnArchive, unarchive
from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, NotApplicable, ParseContext, Parser
from triage_app.core.timeconv import from_cocoa_s
from triage_app.core.values import MESSAGE_KEYS, compact

# A DM cache is a few hundred KB; anything this large is not one the app wrote.
MAX_BYTES = 256 * 1024 * 1024
_TIMELINES = (
    ("trusted_conversations_timeline", "trusted"),
    ("untrusted_conversations_timeline", "untrusted"),
    ("low_quality_conversations_timeline", "low_quality"),
)
_ENTRY_TYPES = {
    "TFNDirectMessageEntry": "message",
    "TFNDirectMessageReactionCreatedEntry": "reaction",
    "TFNDirectMessageEndAvBroadcastEntry": "call_end",
}


@dataclass(frozen=True)
class _Conversation:
    id: str | None
    name: str | None
    timeline: str
    me: str | None
    users: dict[str, dict[str, Any]]  # participants by user id, in archive order


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _label(user: dict[str, Any]) -> str | None:
    name, username = user.get("fullName") or "", user.get("username") or ""
    if name and username:
        return f"{name} (@{username})"
    return f"@{username}" if username else (name or None)


def _time(value: Any) -> float | None:
    return value.seconds if isinstance(value, CocoaDate) else None


def _raw(value: Any) -> Any:
    """The stored time value for `ts_raw`: the NSDate's seconds, or what was there instead."""
    if isinstance(value, CocoaDate):
        return value.seconds
    return value if isinstance(value, str | int | float) else None


class TwitterIos(Parser):
    name = "twitter_ios"
    version = "1.0"
    kinds = ("message", "call")
    path_globs = ("*/Library/Caches/com.atebits.tweetie.direct-message.cache/*",)
    signature = b"bplist00"

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        data = ctx.read_capped(MAX_BYTES, "a direct-message cache")
        try:
            state = unarchive(data)
        except NotAnArchive as exc:
            raise NotApplicable(f"not a Twitter/X direct-message cache ({exc})") from exc
        except ArchiveError as exc:
            raise ParserError(str(exc)) from exc
        inbox = _dict(state).get("inbox")
        if not isinstance(inbox, dict) or inbox.get("$class") != "TFNDirectMessageInbox":
            raise NotApplicable("not a Twitter/X direct-message cache (no TFNDirectMessageInbox)")
        me = _id(_dict(inbox.get("context")).get("userID"))
        if me is None:
            ctx.warn("inbox context names no userID: message directions unknown")
        timelines = [(k, label) for k, label in _TIMELINES if k in inbox]
        timelines += sorted(
            (k, k.removesuffix("_conversations_timeline"))
            for k in inbox
            if k.endswith("_conversations_timeline") and k not in dict(_TIMELINES)
        )
        if not timelines:
            raise ParserError("schema not as expected: inbox has no conversation timelines")
        for key, label in timelines:
            for index, conv in enumerate(_list(_dict(inbox[key]).get("conversations"))):
                ctx.cancel.check()
                if not isinstance(conv, dict):
                    ctx.warn(f"{key} conversation {index} is not an object: skipped")
                    continue
                yield from self._conversation(_read_conversation(conv, label, me), conv, ctx)

    def _conversation(
        self, conv: _Conversation, raw: dict[str, Any], ctx: ParseContext
    ) -> Iterator[Artifact]:
        for index, entry in enumerate(_list(raw.get("entries"))):
            ctx.cancel.check()
            try:
                if not isinstance(entry, dict):
                    raise TypeError("entry is not an object")
                yield _message(entry, conv)
                if entry.get("$class") == "TFNDirectMessageEndAvBroadcastEntry":
                    yield _call(entry, conv)
            except (TypeError, ValueError, AttributeError) as exc:
                ctx.warn(f"conversation {conv.id!r} entry {index} skipped: {exc}")


def _read_conversation(conv: dict[str, Any], timeline: str, me: str | None) -> _Conversation:
    identifier = _dict(conv.get("identifier"))
    conv_id = _id(identifier.get("canonicalID")) or _id(identifier.get("localID"))
    users: dict[str, dict[str, Any]] = {}
    for participant in _list(conv.get("participants")):
        user = _dict(_dict(participant).get("participatingUser"))
        user_id = _id(user.get("userID"))
        if user_id is not None:
            users[user_id] = user
    others = [label for uid, u in users.items() if uid != me and (label := _label(u))]
    name = conv.get("conversationName") or ", ".join(others) or None
    return _Conversation(conv_id, _id(name), timeline, me, users)


def _direction(entry: dict[str, Any], sender: str | None, me: str | None) -> str | None:
    if sender is not None and me is not None:
        return "outgoing" if sender == me else "incoming"
    if isinstance(entry.get("is_caller"), bool):
        return "outgoing" if entry["is_caller"] else "incoming"
    return None


def _message(entry: dict[str, Any], conv: _Conversation) -> Artifact:
    cls = entry.get("$class")
    user = _dict(entry.get("sender"))
    sender = _id(user.get("userID"))
    media = _dict(_dict(entry.get("attachment")).get("entityMedia"))
    reply = _dict(_dict(entry.get("inReplyToMessageEntry")).get("identifier"))
    body = entry.get("displayText") or entry.get("originalText")
    fields: dict[str, Any] = {
        "app": "twitter",
        "thread": conv.id,
        "sender": sender,
        "recipients": [u for u in conv.users if u != sender] if sender else [],
        "direction": _direction(entry, sender, conv.me),
        "body": str(body) if body is not None else None,
        "attachments": [str(media["mediaURL"])] if media.get("mediaURL") else [],
        "thread_name": conv.name,
        "sender_name": _id(user.get("fullName")),
        "sender_username": _id(user.get("username")),
        "message_id": _id(_dict(entry.get("identifier")).get("canonicalID")),
        "timeline": conv.timeline,
        "entry_type": _ENTRY_TYPES.get(str(cls), str(cls)),
        "reply_to": _id(reply.get("canonicalID")),
        "reaction": _id(entry.get("emoji_reaction")),
        "reaction_to": _id(_dict(entry.get("message_id")).get("canonicalID")),
        "call_type": entry.get("call_type"),
    }
    for flag in ("marked_as_spam", "marked_as_abuse"):
        if entry.get(flag) is True:
            fields[flag] = True
    if entry.get("encryptedText") and body is None:
        fields["encrypted"] = True
    return Artifact(
        kind="message",
        fields=compact(fields, MESSAGE_KEYS),
        ts=from_cocoa_s(_time(entry.get("time"))),
        ts_raw=_raw(entry.get("time")),
        source_table="$objects",
        source_rowid=entry.get("$uid"),
    )


def _call(entry: dict[str, Any], conv: _Conversation) -> Artifact:
    others = [(uid, u) for uid, u in conv.users.items() if uid != conv.me]
    started, ended = _time(entry.get("started_at")), _time(entry.get("ended_at"))
    duration = round(ended - started) if started is not None and ended is not None else None
    fields: dict[str, Any] = {
        "app": "twitter",
        "number": others[0][0] if others else None,
        "name": _label(others[0][1]) if others else None,
        # Which code means a missed or declined call is not documented: only the
        # caller flag is interpreted, `end_reason` is kept raw.
        "direction": _direction(entry, None, None),
        "duration_s": duration if duration is None or duration >= 0 else None,
        "thread": conv.id,
        "message_id": _id(_dict(entry.get("identifier")).get("canonicalID")),
        "call_type": entry.get("call_type"),
        "end_reason": entry.get("end_reason"),
    }
    if len(others) > 1:
        fields["participants"] = [uid for uid, _ in others]
    seconds = started if started is not None else _time(entry.get("time"))
    return Artifact(
        kind="call",
        fields=fields,
        ts=from_cocoa_s(seconds),
        ts_raw=seconds,
        source_table="$objects",
        source_rowid=entry.get("$uid"),
    )
