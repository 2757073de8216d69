"""Instagram iOS DirectSQLiteDatabase: generated `<pk>.db` with keyed archives; corpus file."""

from __future__ import annotations

import plistlib
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casehelpers import scan_with, truncated_copy

from parsers.instagram_ios import InstagramIos
from triage_app.core.export import records
from triage_app.core.keyed_archive import ArchiveError, KeyedArchive

# Table definitions as Instagram for iOS creates them (verbatim from plaso's 9368974384.db).
THREADS = (
    "CREATE TABLE threads (\nthread_id TEXT UNIQUE NOT NULL,\nthread_id_v2 TEXT,\n"
    "viewer_id TEXT NOT NULL,\nmetadata BLOB,\nthread_messages_range BLOB,\n"
    "visual_message_info BLOB,\nrow_id INTEGER PRIMARY KEY AUTOINCREMENT\n)"
)
MESSAGES = (
    "CREATE TABLE messages (\nmessage_id TEXT NOT NULL,\nthread_id TEXT NOT NULL,\n"
    "archive BLOB NOT NULL,\nclass_name TEXT NOT NULL,\n"
    "row_id INTEGER PRIMARY KEY AUTOINCREMENT\n)"
)
APP_DIR = (
    "private/var/mobile/Containers/Data/Application/0B6F3C2E-1D4A-4E8B-9C7D-5A6B7C8D9E0F"
    "/Library/Application Support/DirectSQLiteDatabase"
)
ME, ABU, DRIVER = "1234567", "7654321", "5550001"
DM_THREAD, GROUP_THREAD = "340282366841710300949128111111111111111", "340282366841710300949128222"
T0 = 721692000.25  # Cocoa seconds: 2023-11-14 22:00:00.25 UTC


@dataclass
class Obj:
    """An archived object of class `cls` with keyed fields."""

    cls: str
    fields: dict[str, Any]


@dataclass
class Date:
    time: float


@dataclass
class Url:
    relative: str


class Archiver:
    """A minimal NSKeyedArchiver writer: every value becomes an `$objects` entry."""

    def __init__(self) -> None:
        self.objects: list[Any] = ["$null"]
        self.classes: dict[str, plistlib.UID] = {}

    def _class(self, name: str) -> plistlib.UID:
        if name not in self.classes:
            self.objects.append({"$classname": name, "$classes": [name, "NSObject"]})
            self.classes[name] = plistlib.UID(len(self.objects) - 1)
        return self.classes[name]

    def _put(self, value: Any) -> plistlib.UID:
        self.objects.append(value)
        return plistlib.UID(len(self.objects) - 1)

    def add(self, value: Any) -> plistlib.UID:
        if value is None:
            return plistlib.UID(0)
        if isinstance(value, Obj):
            index = self._put(None)
            entry = {k: self.add(v) for k, v in value.fields.items()}
            entry["$class"] = self._class(value.cls)
            self.objects[index.data] = entry
            return index
        if isinstance(value, Date):
            return self._put({"NS.time": value.time, "$class": self._class("NSDate")})
        if isinstance(value, Url):
            url = {"NS.base": plistlib.UID(0), "NS.relative": self.add(value.relative)}
            return self._put({**url, "$class": self._class("NSURL")})
        if isinstance(value, list):
            members = [self.add(v) for v in value]
            return self._put({"NS.objects": members, "$class": self._class("NSArray")})
        if isinstance(value, dict):
            keys = [self.add(k) for k in value]
            members = [self.add(v) for v in value.values()]
            entry = {"NS.keys": keys, "NS.objects": members}
            return self._put({**entry, "$class": self._class("NSDictionary")})
        return self._put(value)

    @staticmethod
    def archive(root: Obj) -> bytes:
        archiver = Archiver()
        top = archiver.add(root)
        plist = {
            "$version": 100000,
            "$archiver": "NSKeyedArchiver",
            "$top": {"root": top},
            "$objects": archiver.objects,
        }
        return plistlib.dumps(plist, fmt=plistlib.FMT_BINARY)


def user(pk: str, username: str, full_name: str) -> Obj:
    return Obj("IGUser", {"pk": pk, "userName": username, "fullName": full_name})


def thread_metadata(inviter: Obj, users: list[Obj]) -> bytes:
    return Archiver.archive(
        Obj(
            "IGDirectThreadMetadata",
            {"IGUser*inviter": inviter, "NSArray<IGUser *>*users": users, "BOOLisGroup": False},
        )
    )


def legacy_thread_metadata() -> bytes:
    """Older app versions: `inviter_DEPRECATED` and users keeping a `userDict`."""
    driver = {"pk": DRIVER, "username": "driver.tn", "full_name": "Sami Driver"}
    me = {"pk": ME, "username": "omar.zw", "full_name": "Omar Z"}
    return Archiver.archive(
        Obj(
            "IGDirectThreadMetadata",
            {
                "IGUser*inviter_DEPRECATED": Obj(
                    "IGUser", {"NSDictionary<NSString *, id>*userDict": me}
                ),
                "NSArray<IGUser *>*users": [
                    Obj("IGUser", {"NSDictionary<NSString *, id>*userDict": driver}),
                    user(ABU, "abu.salem", "Abu Salem"),
                ],
            },
        )
    )


def message(sender: str, thread: str, stamp: float, content: dict[str, Any], **extra: Any) -> bytes:
    metadata = {
        "NSString*senderPk": sender,
        "NSString*threadId": thread,
        "NSDate*serverTimestamp": Date(stamp),
        "NSString*serverId": f"2923{int(stamp)}",
        "NSString*clientContext": "6648393272678837248",
    }
    fields: dict[str, Any] = {
        "IGDirectPublishedMessageMetadata*metadata": Obj(
            "IGDirectPublishedMessageMetadata", metadata
        ),
        "IGDirectPublishedMessageContent*content": Obj("IGDirectPublishedMessageContent", content),
        "NSArray<IGDirectMessageReaction *>*reactions": extra.get("reactions", []),
        "BOOLisShhMode": False,
    }
    return Archiver.archive(Obj("IGDirectPublishedMessage", fields))


def text(body: str) -> dict[str, Any]:
    return {
        "codedSubtype": "SUBTYPE_TEXT",
        "NSString*string": body,
        "NSString*translatedString": None,
    }


def photo(media_id: str, url: str) -> dict[str, Any]:
    version = Obj("IGImageURL", {"url": Url(url), "width": 160.0, "height": 160.0})
    photo_obj = Obj("IGPhoto", {"kIGPhotoMediaID": media_id, "imageVersions": [version]})
    permanent = Obj(
        "IGDirectPublishedMessagePermanentMedia",
        {"codedSubtype": "SUBTYPE_PHOTO", "IGPhoto*photo": photo_obj},
    )
    media = Obj(
        "IGDirectPublishedMessageMedia",
        {
            "codedSubtype": "SUBTYPE_PERMANENT_MEDIA",
            "IGDirectPublishedMessagePermanentMedia*permanentMedia": permanent,
        },
    )
    return {"codedSubtype": "SUBTYPE_MEDIA", "IGDirectPublishedMessageMedia*media": media}


def call_notice(title: str, call_id: str) -> dict[str, Any]:
    activity = Obj(
        "IGDirectThreadActivityAnnouncement",
        {
            "codedSubtype": "SUBTYPE_VOIP",
            "NSString*voipTitle": title,
            "NSString*videoCallId": call_id,
            "IGDirectVideoCallEventTypevoipEventType": 4,
        },
    )
    return {
        "codedSubtype": "SUBTYPE_THREAD_ACTIVITY",
        "IGDirectThreadActivityAnnouncement*threadActivity": activity,
    }


HEART = Obj(
    "IGDirectMessageReaction",
    {
        "CODED_SUBTYPE": "SUBTYPE_USER_BASED_REACTION",
        "USER_BASED_REACTION_EMOJI_UNICODE": "❤️",
        "USER_BASED_REACTION_USER_ID": ABU,
        "USER_BASED_REACTION_SERVER_TIMESTAMP": Date(T0 + 200),
    },
)
PHOTO_URL = "https://scontent.cdninstagram.com/v/t51.2885-15/boat_n.jpg?stp=dst-jpg_s160x160"
MESSAGE_ROWS: list[tuple[str, str, bytes]] = [
    ("m1", DM_THREAD, message(ABU, DM_THREAD, T0, text("غدا صباحا، القارب جاهز"))),
    ("m2", DM_THREAD, message(ME, DM_THREAD, T0 + 60, text("ok <b>ready</b>"), reactions=[HEART])),
    ("m3", DM_THREAD, message(ME, DM_THREAD, T0 + 120, photo("251704772664178", PHOTO_URL))),
    (
        "m4",
        GROUP_THREAD,
        message(DRIVER, GROUP_THREAD, T0 + 180, call_notice("Video chat ended", "1813")),
    ),
    # A thread the threads table does not know: direction still comes from the file name.
    ("m5", "340282366841710300949128999", message(ME, "x", T0 + 240, text("hello?"))),
]


def make_db(path: Path, rows: list[tuple[str, str, Any]] = MESSAGE_ROWS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(THREADS)
    conn.execute(MESSAGES)
    conn.executemany(
        "INSERT INTO threads (thread_id, thread_id_v2, viewer_id, metadata) VALUES (?,?,?,?)",
        [
            (
                DM_THREAD,
                "18005838964062170",
                ME,
                thread_metadata(
                    user(ME, "omar.zw", "Omar Z"), [user(ABU, "abu.salem", "Abu Salem")]
                ),
            ),
            (GROUP_THREAD, "17938359154691564", ME, legacy_thread_metadata()),
        ],
    )
    conn.executemany(
        "INSERT INTO messages (message_id, thread_id, archive, class_name) VALUES (?,?,?,?)",
        [(mid, tid, blob, "IGDirectPublishedMessage") for mid, tid, blob in rows],
    )
    conn.commit()
    conn.close()
    return path


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return scan_with(tmp_path / "case", [InstagramIos()], evidence)


def test_extraction(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    root = tmp_path / "phone"
    make_db(root / APP_DIR / f"{ME}.db")
    unchanged(root)
    conn, runs = _scan(tmp_path, root)
    assert runs == [
        {"parser": "instagram_ios", "status": "ok", "message": "", "records": 5, "warnings": 0}
    ]
    messages = list(records(conn, "message"))
    assert len(messages) == 5
    sha = conn.execute("SELECT sha256 FROM files WHERE name = ?", (f"{ME}.db",)).fetchone()[0]
    first = messages[0]
    assert first == {
        "kind": "message",
        "id": first["id"],
        "evidence": 1,
        "path": f"/{APP_DIR}/{ME}.db",
        "volume": None,
        "source_sha256": sha,
        "parser": "instagram_ios",
        "ts": "2023-11-14T22:00:00.250000Z",
        "ts_raw": T0,
        "deleted": False,
        "app": "instagram",
        "thread": DM_THREAD,
        "sender": ABU,
        "recipients": [ME],
        "direction": "incoming",
        "body": "غدا صباحا، القارب جاهز",
        "attachments": [],
        "message_id": f"2923{int(T0)}",
        "message_type": "SUBTYPE_TEXT",
        "sender_name": "Abu Salem",
        "sender_username": "abu.salem",
        "source_table": "messages",
        "source_rowid": 1,
    }
    reply = messages[1]
    assert (reply["direction"], reply["recipients"], reply["body"]) == (
        "outgoing",
        [ABU],
        "ok <b>ready</b>",
    )
    assert reply["reactions"] == [{"emoji": "❤️", "user": ABU}]
    media = messages[2]
    assert media["attachments"] == [PHOTO_URL] and media["media_id"] == "251704772664178"
    assert media["body"] is None and media["message_type"] == "SUBTYPE_MEDIA"


def test_call_notice_and_legacy_participants(tmp_path: Path) -> None:
    conn, _ = _scan(tmp_path, make_db(tmp_path / "loose" / f"{ME}.db"))
    call = list(records(conn, "message"))[3]
    assert (call["activity"], call["call_id"], call["body"]) == ("Video chat ended", "1813", None)
    assert (call["sender"], call["sender_name"], call["sender_username"]) == (
        DRIVER,
        "Sami Driver",
        "driver.tn",
    )
    assert call["direction"] == "incoming" and call["recipients"] == [ME, ABU]
    orphan = list(records(conn, "message"))[4]
    assert orphan["direction"] == "outgoing" and orphan["recipients"] == []


def test_truncated_database_is_an_error(tmp_path: Path) -> None:
    truncated_copy(
        make_db(tmp_path / "src" / f"{ME}.db"), tmp_path / "phone" / APP_DIR / f"{ME}.db"
    )
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert len(runs) == 1 and runs[0]["status"] == "error" and runs[0]["message"], runs


def test_missing_column_is_an_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "phone" / APP_DIR / f"{ME}.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(THREADS)
    conn.execute("CREATE TABLE messages (message_id TEXT, thread_id TEXT, row_id INTEGER)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs[0]["status"] == "error" and "messages.archive" in runs[0]["message"], runs


def _deep_bplist(depth: int) -> bytes:
    """A binary plist of `depth` nested arrays: a recursion bomb for a naive reader."""
    body = b"".join(
        bytes([0xA1]) + struct.pack(">I", i + 1) if i < depth - 1 else b"\xa0" for i in range(depth)
    )
    offsets = [8 + 5 * i for i in range(depth)]
    table = b"".join(struct.pack(">I", o) for o in offsets)
    trailer = b"\0" * 6 + bytes([4, 4]) + struct.pack(">QQQ", depth, 0, 8 + len(body))
    return b"bplist00" + body + table + trailer


def _cyclic_archive() -> bytes:
    """`content` points at itself and `metadata` at a dangling reference."""
    root = {
        "IGDirectPublishedMessageContent*content": plistlib.UID(1),
        "IGDirectPublishedMessageMetadata*metadata": plistlib.UID(99),
    }
    plist = {"$archiver": "NSKeyedArchiver", "$top": {"root": plistlib.UID(1)}}
    plist["$objects"] = ["$null", root]
    return plistlib.dumps(plist, fmt=plistlib.FMT_BINARY)


def test_garbage_rows_are_warned_and_skipped(tmp_path: Path) -> None:
    good = MESSAGE_ROWS[0]
    rows = [
        good,
        ("g1", DM_THREAD, b"not a plist at all"),
        ("g2", DM_THREAD, plistlib.dumps({"a": 1}, fmt=plistlib.FMT_XML)),
        ("g3", DM_THREAD, _deep_bplist(50_000)),
        ("g4", DM_THREAD, _cyclic_archive()),
        ("g5", DM_THREAD, good[2][: len(good[2]) // 2]),
    ]
    _, runs = _scan(tmp_path, make_db(tmp_path / "phone" / f"{ME}.db", rows))
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 1 and runs[0]["warnings"] == 5
    for row_id in (2, 3, 4, 5, 6):
        assert f"messages row {row_id} skipped" in runs[0]["message"]
    assert "RecursionError" in runs[0]["message"]


def test_keyed_archive_reader_is_bounded() -> None:
    archive = KeyedArchive(_cyclic_archive())
    assert archive.get(archive.root, "IGDirectPublishedMessageMetadata*metadata") is None
    looped = archive.get(archive.root, *["IGDirectPublishedMessageContent*content"] * 1000)
    assert looped == archive.root  # follows the cycle only as far as asked
    for blob in (None, "text", b"bplist00" + b"\0" * 40):
        try:
            KeyedArchive(blob)
        except ArchiveError:
            continue
        raise AssertionError(f"accepted {blob!r}")


def test_unrelated_numbered_database_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "phone" / "Documents" / "2024.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    _, runs = _scan(tmp_path, tmp_path / "phone")
    assert runs[0]["status"] == "skipped" and "threads" in runs[0]["message"], runs


def test_corpus_plaso_instagram(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    db = corpus("plaso/test_data/ios/9368974384.db")
    unchanged(db)
    conn, runs = _scan(tmp_path, db)
    assert runs[0]["status"] == "ok" and runs[0]["records"] == 75 and runs[0]["warnings"] == 0
    messages = list(records(conn, "message"))
    assert len(messages) == 75
    assert len({m["thread"] for m in messages}) == 3
    stamps = sorted(m["ts"] for m in messages)
    assert (stamps[0], stamps[-1]) == ("2020-03-22T19:12:02.808457Z", "2023-04-27T17:57:03.296831Z")
    kinds = [m["message_type"] for m in messages]
    assert (kinds.count("SUBTYPE_TEXT"), kinds.count("SUBTYPE_MEDIA")) == (41, 8)
    assert kinds.count("SUBTYPE_THREAD_ACTIVITY") == 26
    directions = [m["direction"] for m in messages]
    assert (directions.count("outgoing"), directions.count("incoming")) == (36, 39)
    # plaso's events 0, 1 and 5 (tests/parsers/sqlite_plugins/ios_instagram.py).
    call, reply, shared = messages[0], messages[1], messages[5]
    assert (call["sender"], call["sender_name"], call["direction"]) == (
        "9368974384",
        "ThisIsDFIR",
        "outgoing",
    )
    assert (call["activity"], call["call_id"], call["body"]) == (
        "Video chat ended",
        "18135614113062170",
        None,
    )
    assert reply["body"] == (
        "Clicked over to Threads. I still do not understand why this app exists."
    )
    assert (reply["sender"], reply["ts"]) == ("22824420", "2020-03-25T01:41:17.164116Z")
    assert shared["media_id"] == "251704772664178"
    assert shared["attachments"][0].startswith(
        "https://scontent.cdninstagram.com/v/t51.2885-15/90697930_220393875685423_"
    )
    full = next(m for m in messages if m["source_rowid"] == 1616)
    assert {k: v for k, v in full.items() if k not in ("id", "source_sha256")} == {
        "kind": "message",
        "evidence": 1,
        "path": "/9368974384.db",
        "volume": None,
        "parser": "instagram_ios",
        "ts": "2022-11-20T16:37:35.665469Z",
        "ts_raw": 690655055.6654689,
        "deleted": False,
        "app": "instagram",
        "thread": "340282366841710300949128208197378952684",
        "sender": "49849116416",
        "recipients": ["9368974384"],
        "direction": "incoming",
        "body": "I'll send a picture.",
        "attachments": [],
        "message_id": "30786919598941915812065675684347904",
        "message_type": "SUBTYPE_TEXT",
        "sender_name": "This Is DFIRTwo",
        "sender_username": "dfirtwo",
        "reactions": [{"emoji": "❤️", "user": "9368974384"}],
        "source_table": "messages",
        "source_rowid": 1616,
    }
