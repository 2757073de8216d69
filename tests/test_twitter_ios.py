"""Twitter/X iOS direct-message cache: generated NSKeyedArchiver archives with the app's
classes, bad input, and iLEAPP's josh_ios17_ffs test case against iLEAPP's expected rows."""

from __future__ import annotations

import json
import plistlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from casehelpers import OUTCOME_SQL, scan_with, truncated_copy

from parsers.twitter_ios import TwitterIos
from triage_app.core.export import records
from triage_app.core.keyed_archive import ArchiveError, unarchive

CACHE_DIR = (
    "private/var/mobile/Containers/Data/Application/491A1D31-3D27-4EC3-9B98-80FC51F3AE6D"
    "/Library/Caches/com.atebits.tweetie.direct-message.cache"
)
ME, FRIEND, STRANGER = 1068228364824178689, 1809677946439000064, 2978888609
T0 = 742057368.0  # 2024-07-07T15:02:48Z in Cocoa seconds


# --- a minimal NSKeyedArchiver writer (the format the app's cache is written in) ----------


@dataclass
class Obj:
    """An archived object of class `name` (inline ints/floats/bools, everything else by ref)."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Date:
    seconds: float


@dataclass(frozen=True)
class OrderedSet:
    """NSMutableOrderedSet as the app archives it: `NS.object.<n>` keys."""

    items: tuple[Any, ...]


class _Archiver:
    def __init__(self) -> None:
        self.objects: list[Any] = ["$null"]
        self._classes: dict[str, plistlib.UID] = {}
        self._seen: dict[int, plistlib.UID] = {}

    def cls(self, name: str, *supers: str) -> plistlib.UID:
        if name not in self._classes:
            self.objects.append({"$classname": name, "$classes": [name, *supers, "NSObject"]})
            self._classes[name] = plistlib.UID(len(self.objects) - 1)
        return self._classes[name]

    def ref(self, value: Any) -> plistlib.UID:
        if value is None:
            return plistlib.UID(0)
        if id(value) in self._seen and not isinstance(value, str | bytes):
            return self._seen[id(value)]  # shared objects are archived once, like the app's
        uid = plistlib.UID(len(self.objects))
        self.objects.append(None)
        self._seen[id(value)] = uid
        self.objects[uid.data] = self.encode(value)
        return uid

    def encode(self, value: Any) -> Any:
        if isinstance(value, str | bytes | int | float):
            return value
        if isinstance(value, Date):
            return {"NS.time": value.seconds, "$class": self.cls("NSDate")}
        if isinstance(value, list):
            return {"NS.objects": [self.ref(v) for v in value], "$class": self.cls("NSArray")}
        if isinstance(value, OrderedSet):
            out = {f"NS.object.{i}": self.ref(v) for i, v in enumerate(value.items)}
            return {**out, "$class": self.cls("NSMutableOrderedSet", "NSOrderedSet")}
        if isinstance(value, dict):
            keys, values = [self.ref(k) for k in value], [self.ref(v) for v in value.values()]
            return {"NS.keys": keys, "NS.objects": values, "$class": self.cls("NSDictionary")}
        assert isinstance(value, Obj)
        fields = {
            k: v if isinstance(v, bool | int | float) else self.ref(v)
            for k, v in value.fields.items()
        }
        return {**fields, "$class": self.cls(value.name)}


def keyed_archive(root: Any) -> bytes:
    archiver = _Archiver()
    top = archiver.ref(root)
    archive = {"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": {"root": top}}
    archive["$objects"] = archiver.objects
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY, sort_keys=False)


# --- the app's classes -------------------------------------------------------------------


def user(user_id: int, name: str, username: str) -> Obj:
    return Obj(
        "TFNDirectMessageUser",
        {"userID": user_id, "fullName": name, "username": username, "verified": False},
    )


def ident(value: Any) -> Obj:
    return Obj("TFNDirectMessageConversationEntryCanonicalIdentifier", {"canonicalID": value})


def entry(msg_id: int, t: float, sender: Obj, text: str | None, **extra: Any) -> Obj:
    fields = {
        "identifier": ident(msg_id),
        "time": Date(t),
        "sender": sender,
        "displayText": text,
        "originalText": text,
        "attachment": None,
        "inReplyToMessageEntry": None,
        "marked_as_spam": False,
        "marked_as_abuse": False,
        "encryptedText": None,
        **extra,
    }
    return Obj("TFNDirectMessageEntry", fields)


def conversation(conv_id: str, users: list[Obj], entries: list[Any], name: str | None) -> Obj:
    participants = [
        Obj("TFNDirectMessageConversationParticipant", {"participatingUser": u}) for u in users
    ]
    return Obj(
        "TFNDirectMessageConversation",
        {
            "identifier": Obj(
                "TFNDirectMessageConversationIdentifier", {"canonicalID": conv_id, "localID": None}
            ),
            "conversationName": name,
            "participants": OrderedSet(tuple(participants)),
            "entries": entries,
            "trusted": True,
        },
    )


def timeline(conversations: list[Obj]) -> Obj:
    return Obj(
        "TFNDirectMessageInboxTimeline", {"conversations": conversations, "timeline_type": 0}
    )


def state(timelines: dict[str, Obj], user_id: Any = ME) -> Obj:
    context = Obj(
        "TFNDirectMessageContext", {"userID": user_id, "accountID": "TDfir-725479270958694"}
    )
    inbox = Obj("TFNDirectMessageInbox", {"context": context, **timelines})
    return Obj(
        "TFNDirectMessageContextState",
        {"inbox": inbox, "directMessageModelVersion": 317, "cachedUserByUserID": {}},
    )


def make_cache(root: Path, entries_extra: list[Any] | None = None) -> Path:
    me, friend, stranger = (
        user(ME, "ThisIsDFIR", "TDfir"),
        user(FRIEND, "ldehner505", "ldehner505"),
        user(STRANGER, "مجهول", "anon_boat"),
    )
    photo = Obj(
        "TFNDirectMessageMediaAttachment",
        {
            "entityMedia": Obj(
                "TFSTwitterEntityMedia",
                {
                    "mediaURL": "https://ton.twitter.com/1.1/ton/data/dm/1/2/qMMqJqya.jpg",
                    "displayURL": "pic.twitter.com/Z8bV0bZIU7",
                    "mediaType": 1,
                },
            )
        },
    )
    first = entry(1809966299474252123, T0, friend, "القارب جاهز <b>غدا</b>")
    trusted = [
        first,
        entry(1809966613371727890, T0 + 74.5, me, " https://t.co/Z8bV0bZIU7", attachment=photo,
              inReplyToMessageEntry=first),
        Obj(
            "TFNDirectMessageReactionCreatedEntry",
            {"identifier": ident(1809968059341537280), "time": Date(T0 + 80), "sender": me,
             "emoji_reaction": "❤️", "message_id": ident(1809966299474252123)},
        ),
        Obj(
            "TFNDirectMessageEndAvBroadcastEntry",
            {"identifier": ident(1810011683982823424), "time": Date(T0 + 200.25),
             "started_at": Date(T0 + 94.5), "ended_at": Date(T0 + 200.0), "is_caller": True,
             "call_type": 1, "end_reason": 1},
        ),
        *(entries_extra or []),
    ]  # fmt: skip
    request = [entry(1086368884872175625, T0 + 3600, stranger, "wesh", marked_as_spam=True)]
    archive = state(
        {
            "trusted_conversations_timeline": timeline(
                [conversation(f"{ME}-{FRIEND}", [friend, me], trusted, None)]
            ),
            "untrusted_conversations_timeline": timeline(
                [conversation(f"{STRANGER}-{ME}", [stranger, me], request, "Boat trip")]
            ),
            "low_quality_conversations_timeline": timeline([]),
        }
    )
    path = root / CACHE_DIR / "TDfir-725479270958694"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(keyed_archive(archive))
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[Any, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [TwitterIos()], evidence, OUTCOME_SQL)


def test_direct_messages(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    make_cache(tmp_path / "iphone")
    unchanged(tmp_path / "iphone")
    conn, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs == [{"status": "ok", "records": 6, "warnings": 0, "message": ""}]
    messages = list(records(conn, "message"))
    assert len(messages) == 5
    first = messages[0]
    assert {k: v for k, v in first.items() if k not in ("id", "source_sha256")} == {
        "kind": "message", "evidence": 1, "path": f"/{CACHE_DIR}/TDfir-725479270958694",
        "volume": None, "parser": "twitter_ios", "ts": "2024-07-07T15:02:48Z", "ts_raw": T0,
        "deleted": False, "app": "twitter", "thread": f"{ME}-{FRIEND}",
        "thread_name": "ldehner505 (@ldehner505)", "sender": str(FRIEND),
        "recipients": [str(ME)], "direction": "incoming", "body": "القارب جاهز <b>غدا</b>",
        "attachments": [], "sender_name": "ldehner505", "sender_username": "ldehner505",
        "message_id": "1809966299474252123", "timeline": "trusted", "entry_type": "message",
        "source_table": "$objects", "source_rowid": first["source_rowid"],
    }  # fmt: skip
    reply, reaction, call_entry, request = messages[1:]
    assert reply["direction"] == "outgoing" and reply["recipients"] == [str(FRIEND)]
    assert reply["attachments"] == ["https://ton.twitter.com/1.1/ton/data/dm/1/2/qMMqJqya.jpg"]
    assert (
        reply["reply_to"] == "1809966299474252123" and reply["ts"] == "2024-07-07T15:04:02.500000Z"
    )
    assert reaction["entry_type"] == "reaction" and reaction["body"] is None
    assert (reaction["reaction"], reaction["reaction_to"]) == ("❤️", "1809966299474252123")
    assert call_entry["entry_type"] == "call_end" and call_entry["direction"] == "outgoing"
    assert request["timeline"] == "untrusted" and request["thread_name"] == "Boat trip"
    assert request["marked_as_spam"] is True and request["sender_username"] == "anon_boat"
    (call,) = records(conn, "call")
    assert {k: v for k, v in call.items() if k not in ("id", "source_sha256", "path")} == {
        "kind": "call", "evidence": 1, "volume": None, "parser": "twitter_ios",
        "ts": "2024-07-07T15:04:22.500000Z", "ts_raw": T0 + 94.5, "deleted": False,
        "app": "twitter", "number": str(FRIEND), "name": "ldehner505 (@ldehner505)",
        "direction": "outgoing", "duration_s": 106, "thread": f"{ME}-{FRIEND}",
        "message_id": "1810011683982823424", "call_type": 1, "end_reason": 1,
        "source_table": "$objects", "source_rowid": call_entry["source_rowid"],
    }  # fmt: skip


def test_truncated_cache_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_cache(tmp_path / "src"), tmp_path / "iphone" / CACHE_DIR / "TDfir-1", extra=0
    )
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_inbox_without_timelines_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "iphone" / CACHE_DIR / "TDfir-1"
    path.parent.mkdir(parents=True)
    path.write_bytes(keyed_archive(state({})))
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "error" and "no conversation timelines" in runs[0]["message"]


def test_garbage_entries_are_warned_and_skipped(tmp_path: Path) -> None:
    ghost = user(FRIEND, "ldehner505", "ldehner505")
    bad_time = entry(2, T0, ghost, "no date")
    bad_time.fields["time"] = "yesterday"
    make_cache(tmp_path / "iphone", ["not an entry", bad_time])
    conn, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 7 and runs[0]["warnings"] == 1
    assert "entry 4 skipped" in runs[0]["message"]
    undated = [m for m in records(conn, "message") if m["body"] == "no date"]
    assert undated[0]["ts"] is None and undated[0]["ts_raw"] == "yesterday"


def test_unknown_account_gives_null_directions_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "iphone" / CACHE_DIR / "TDfir-1"
    path.parent.mkdir(parents=True)
    friend = user(FRIEND, "ldehner505", "ldehner505")
    conv = conversation("c1", [friend], [entry(1, T0, friend, "hi")], None)
    path.write_bytes(
        keyed_archive(state({"trusted_conversations_timeline": timeline([conv])}, None))
    )
    conn, runs = _scan(tmp_path, tmp_path / "iphone")
    assert runs[0]["status"] == "ok" and runs[0]["warnings"] == 1
    assert [m["direction"] for m in records(conn, "message")] == [None]


def test_unrelated_plists_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "iphone" / CACHE_DIR
    folder.mkdir(parents=True)
    (folder / "settings").write_bytes(plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY))
    (folder / "other").write_bytes(keyed_archive(Obj("NSURL", {"NS.relative": "x"})))
    _, runs = _scan(tmp_path, tmp_path / "iphone")
    assert [r["status"] for r in runs] == ["skipped", "skipped"]


def test_hostile_archives_are_bounded() -> None:
    # A self-reference resolves to null instead of looping.
    loop = {"$class": plistlib.UID(2), "next": plistlib.UID(1)}
    objects = ["$null", loop, {"$classname": "Node", "$classes": ["Node"]}]
    archive = {
        "$archiver": "NSKeyedArchiver",
        "$top": {"root": plistlib.UID(1)},
        "$objects": objects,
    }
    root = unarchive(plistlib.dumps(archive, fmt=plistlib.FMT_BINARY))
    assert root["$class"] == "Node" and root["next"] is None
    # 60 levels of objects each referencing the next twice: shared, not re-expanded 2**60 times.
    chain: list[Any] = ["$null"]
    for i in range(1, 61):
        chain.append(
            {"$class": plistlib.UID(0), "a": plistlib.UID(i + 1), "b": plistlib.UID(i + 1)}
        )
    chain.append("leaf")
    archive["$objects"] = chain
    assert unarchive(plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)) is not None
    # Deeper than the bound: an error, not a RecursionError.
    deep: list[Any] = ["$null"] + [{"a": plistlib.UID(i + 1)} for i in range(1, 400)] + ["leaf"]
    archive["$objects"] = deep
    with pytest.raises(ArchiveError):
        unarchive(plistlib.dumps(archive, fmt=plistlib.FMT_BINARY))


ILEAPP = "iLEAPP/admin/test"
ZIP = f"{ILEAPP}/cases/data/twitterX/testdata.twitterX.twitterDirectMessages.josh_ios17_ffs.zip"
ORACLE = (
    f"{ILEAPP}/results/twitterX/twitterX.twitterDirectMessages.josh_ios17_ffs.20260725220335.json"
)
# iLEAPP's JSON writer turned the archive's naive UTC datetimes into epoch seconds as if they
# were the test machine's local time (US Central: +5 h in summer, +6 h in winter rows).
ORACLE_TZ = ZoneInfo("America/Chicago")


def _oracle_utc(value: int) -> str:
    wall = datetime.fromtimestamp(value, ORACLE_TZ).replace(tzinfo=None)
    return wall.isoformat() + "Z"


def test_corpus_ileapp_josh_ios17(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    archive = corpus(ZIP)
    oracle = json.loads(corpus(ORACLE).read_text(encoding="utf-8"))
    unchanged(archive)
    conn, runs = _scan(tmp_path, archive)
    assert runs == [{"status": "ok", "records": 76, "warnings": 0, "message": ""}]
    messages = list(records(conn, "message"))
    assert len(messages) == oracle["metadata"]["number_of_rows"] == len(oracle["data"]) == 72
    head = oracle["headers"]
    col = {name: head.index(name) for name in ("Timestamp", "Sender User ID", "Message")}
    col |= {name: head.index(name) for name in ("Conversation ID", "Message ID", "From Me")}
    col["media"] = head.index("Attachment Media URL")
    expected = sorted(
        (
            _oracle_utc(r[col["Timestamp"]]),
            r[col["Conversation ID"]],
            str(r[col["Message ID"]]),
            None if r[col["Sender User ID"]] is None else str(r[col["Sender User ID"]]),
            r[col["Message"]],
            [r[col["media"]]] if r[col["media"]] else [],
        )
        for r in oracle["data"]
    )
    mine = sorted(
        (
            m["ts"][:19] + "Z",
            m["thread"],
            m["message_id"],
            m["sender"],
            m["body"],
            m["attachments"],
        )
        for m in messages
    )
    assert mine == expected
    outgoing = {m["message_id"] for m in messages if m["direction"] == "outgoing" and m["sender"]}
    assert outgoing == {str(r[col["Message ID"]]) for r in oracle["data"] if r[col["From Me"]] == 1}
    assert sum(m["timeline"] == "trusted" for m in messages) == 72
    first = min(messages, key=lambda m: m["ts"])
    assert (first["ts"], first["body"]) == ("2019-01-18T21:02:38Z", "Got it!")
    assert first["sender_name"] == "Josh Hickman" and first["direction"] == "incoming"
    assert [m["body"] for m in messages if m["message_id"] == "1809966299474252123"] == [
        "How’s that new coffee I sent you?"
    ]
    calls = list(records(conn, "call"))
    assert len(calls) == 4 and {c["number"] for c in calls} == {"1809677946439000064"}
    assert sorted(c["direction"] for c in calls) == ["incoming", "incoming", "outgoing", "outgoing"]
    first_call = min(calls, key=lambda c: c["ts"])
    # started_at 742068082.514, ended_at 742068188.399 (Cocoa s): 105.9 s
    assert (first_call["ts"], first_call["duration_s"]) == ("2024-07-07T18:01:22.514000Z", 106)
