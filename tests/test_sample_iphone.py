"""The sample iPhone (an iTunes-style backup) read back by the real pipeline, against the story.

Every expected value comes from `scenario.py` (or the photo bytes `photos.py` makes), never
from numbers typed here: the backup is built once, scanned once with `engine.scan`, and each
test checks one part of the story in the case.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import sha256_tree

from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records
from triage_app.core.timeconv import iso
from triage_app.sample.iphone import build_iphone
from triage_app.sample.iphone_messages import CAMERA
from triage_app.sample.photos import make_photo
from triage_app.sample.scenario import IPHONE, WALLET, Chat, Message, person
from triage_app.search.identifiers import normalise_phone

OWNER = person(IPHONE.owner)
PARSERS = ("exif_media", "imessage", "ios_calls", "ios_contacts", "safari_history", "whatsapp_ios")


@dataclass(frozen=True)
class Scanned:
    folder: Path
    conn: sqlite3.Connection

    def of(self, kind: str) -> list[dict[str, Any]]:
        return list(records(self.conn, kind))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    root = tmp_path_factory.mktemp("sample-iphone")
    folder = build_iphone(IPHONE, root / "iphone-abuyasin")
    before = sha256_tree([folder])
    summary = scan(root / "case", [folder])
    assert summary.status == "ok" and not summary.failed_evidence, summary.evidence
    assert sha256_tree([folder]) == before  # the evidence is read, never written
    conn = connect(root / "case" / "case.sqlite", readonly=True)
    try:
        yield Scanned(folder, conn)
    finally:
        conn.close()


def _tree(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    return {
        str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = _tree(build_iphone(IPHONE, tmp_path / "a"))
    assert first == _tree(build_iphone(IPHONE, tmp_path / "b"))
    assert not [n for n in first if n.endswith(("-wal", "-shm", "-journal"))]
    databases = [data for data, _ in first.values() if data and data.startswith(b"SQLite")]
    assert len(databases) == 6  # Manifest.db and the five app databases
    assert {(db[18], db[19]) for db in databases} == {(1, 1)}  # rollback journal, not WAL
    with pytest.raises(FileExistsError):
        build_iphone(IPHONE, tmp_path / "a")


def test_group_chats_are_refused(tmp_path: Path) -> None:
    group = Chat("whatsapp", ("karim", "tarek"), IPHONE.chats[0].messages)
    with pytest.raises(ValueError, match="group chats"):
        build_iphone(replace(IPHONE, chats=(group,)), tmp_path / "out")


def test_every_file_parsed_without_error(scanned: Scanned) -> None:
    runs = scanned.conn.execute(
        "SELECT r.parser, r.status, f.path FROM parser_runs r JOIN files f ON f.id = r.file_id"
    ).fetchall()
    assert {(parser, status) for parser, status, _ in runs} == {(p, "ok") for p in PARSERS}
    assert not scanned.conn.execute("SELECT path FROM files WHERE error IS NOT NULL").fetchall()
    names = {f["name"] for f in scanned.of("file")}
    assert {"Manifest.db", "Info.plist", "Manifest.plist", "Status.plist"} <= names
    apps = scanned.conn.execute("SELECT app_id FROM apps").fetchall()
    assert [a[0] for a in apps] == ["group.net.whatsapp.WhatsApp.shared"]
    counts = scanned.conn.execute(
        "SELECT count(*) FROM parser_runs r JOIN files f ON f.id = r.file_id"
        " JOIN apps a ON f.path > a.container || '/' AND f.path < a.container || '0'"
        " WHERE r.status = 'ok' AND r.records > 0"
    ).fetchone()
    assert counts[0] == 1  # WhatsApp installed and parsed


def _messages() -> Iterator[tuple[Chat, Message]]:
    for chat in IPHONE.chats:
        for message in chat.messages:
            yield chat, message


def test_messages_per_app(scanned: Scanned) -> None:
    found = Counter(m["app"] for m in scanned.of("message"))
    assert found == Counter(chat.app for chat, _ in _messages())


def test_each_message_with_its_sender_direction_and_time(scanned: Scanned) -> None:
    found = scanned.of("message")
    for chat, message in _messages():
        (record,) = [
            r for r in found
            if (r["app"], r["ts"], r["body"]) == (chat.app, iso(message.when), message.text)
        ]  # fmt: skip
        peer = person(chat.members[0]).phone
        if message.sender == IPHONE.owner:
            assert record["direction"] == "outgoing" and record["sender"] is None
            assert [normalise_phone(r) for r in record["recipients"]] == [peer]
        else:
            assert record["direction"] == "incoming"
            assert normalise_phone(record["sender"]) == person(message.sender).phone == peer


def test_received_photo_is_attached_and_stored(scanned: Scanned) -> None:
    sent = [(c, m) for c, m in _messages() if m.attachment]
    assert sent
    files = {f["path"]: f for f in scanned.of("file")}
    for _, message in sent:
        (record,) = [r for r in scanned.of("message") if r["ts"] == iso(message.when)]
        (attachment,) = record["attachments"]
        assert attachment.startswith("~/Library/SMS/Attachments/")
        assert attachment.endswith("/" + message.attachment)
        stored = files["/private/var/mobile/" + attachment.removeprefix("~/")]
        (photo,) = [p for p in IPHONE.photos if p.name == message.attachment]
        assert stored["sha256"] == hashlib.sha256(make_photo(photo, **CAMERA)).hexdigest()


def test_contacts_typed_as_people_do_link_as_e164(scanned: Scanned) -> None:
    contacts = {c["name"]: c for c in scanned.of("contact")}
    assert sorted(contacts) == sorted(person(k).name for k in IPHONE.contacts)
    for key in IPHONE.contacts:
        who = person(key)
        (typed,) = contacts[who.name]["phones"]
        assert typed != who.phone and normalise_phone(typed) == who.phone
        assert contacts[who.name]["emails"] == ([who.email] if who.email else [])
    linked = scanned.conn.execute(
        "SELECT json_extract(a.data, '$.name'), e.value FROM entity_refs r"
        " JOIN entities e ON e.id = r.entity_id JOIN artifacts a ON a.id = r.artifact_id"
        " WHERE a.kind = 'contact' AND r.field = 'phones'"
    ).fetchall()
    assert sorted(tuple(r) for r in linked) == sorted(
        (person(k).name, person(k).phone) for k in IPHONE.contacts
    )


def test_calls(scanned: Scanned) -> None:
    found = sorted(
        (c["ts"], c["number"], c["direction"], c["duration_s"], c["app"])
        for c in scanned.of("call")
    )
    assert found == sorted(
        (iso(c.when), person(c.peer).phone, c.direction, c.seconds, c.app) for c in IPHONE.calls
    )


def test_safari_visits(scanned: Scanned) -> None:
    found = sorted((v["ts"], v["url"], v["title"]) for v in scanned.of("web_visit"))
    assert found == sorted((iso(v.when), v.url, v.title) for v in IPHONE.visits)
    assert all(v["browser"] == "safari" and not v["deleted"] for v in scanned.of("web_visit"))


def test_photos_with_their_gps(scanned: Scanned) -> None:
    media = {}
    for record in scanned.of("media"):
        media[record["path"].rsplit("/", 1)[1]] = record
    assert sorted(media) == sorted(p.name for p in IPHONE.photos)
    for photo in IPHONE.photos:
        record = media[photo.name]
        assert (record["make"], record["model"]) == (CAMERA["make"], CAMERA["model"])
        assert record["ts"] == iso(photo.when)
        if photo.lat is None or photo.lon is None:
            assert record.get("lat") is None
        else:
            assert (round(record["lat"], 4), round(record["lon"], 4)) == (photo.lat, photo.lon)


def _entities(scanned: Scanned, kind: str) -> set[str]:
    rows = scanned.conn.execute("SELECT value FROM entities WHERE type = ?", (kind,))
    return {str(r[0]) for r in rows}


def test_phone_numbers_and_urls_are_identifiers(scanned: Scanned) -> None:
    peers = set(IPHONE.contacts) | {c.peer for c in IPHONE.calls}
    peers |= {k for chat in IPHONE.chats for k in chat.members}
    # The owner's own number is in Info.plist ("Phone Number"), searched as a text file.
    assert _entities(scanned, "phone") == {person(k).phone for k in peers} | {OWNER.phone}
    assert {v.url for v in IPHONE.visits} <= _entities(scanned, "url")
    emails = {person(k).email for k in IPHONE.contacts} - {""}
    assert _entities(scanned, "email") == emails


def test_wallet_is_an_identifier(scanned: Scanned) -> None:
    assert any(WALLET in v.url for v in IPHONE.visits)
    assert WALLET in _entities(scanned, "wallet")
