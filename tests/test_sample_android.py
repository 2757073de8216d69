"""The workshop sample's Android phone: the same bytes on every build, and a scan by the real
pipeline that finds every fact of the story (`scenario.ANDROID`) where the story puts it.

Expected values all come from the scenario, never typed here."""

from __future__ import annotations

import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from triage_app.core import apps
from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records
from triage_app.core.timeconv import iso
from triage_app.sample.android import CAMERA_DIR, UNPARSED_APP, build_android
from triage_app.sample.android_telegram import user_id
from triage_app.sample.android_whatsapp import MEDIA_DIR, group_jid, jid, media_paths
from triage_app.sample.scenario import ANDROID, WALLET, Chat, Message, person
from triage_app.search.identifiers import normalise_phone

OWNER = person(ANDROID.owner)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """The zip and the case database of one scan of it."""
    root = tmp_path_factory.mktemp("android")
    evidence = build_android(ANDROID, root / "android-karim.zip")
    summary = scan(root / "case", [evidence])
    assert summary.status == "ok" and not summary.errors, summary
    conn = connect(root / "case" / "case.sqlite", readonly=True)
    yield evidence, conn
    conn.close()


def _records(built: tuple[Path, sqlite3.Connection], kind: str) -> list[dict[str, Any]]:
    return list(records(built[1], kind))


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build_android(ANDROID, tmp_path / "one.zip").read_bytes()
    second = build_android(ANDROID, tmp_path / "two.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and archive.testzip() is None
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    assert not list(tmp_path.glob("*.partial"))


def test_every_file_is_read_and_parsed_without_error(
    built: tuple[Path, sqlite3.Connection],
) -> None:
    evidence, conn = built
    with zipfile.ZipFile(evidence) as archive:
        members = {"/" + name for name in archive.namelist()}
    files = {r["path"]: r for r in conn.execute("SELECT path, error FROM files WHERE kind='file'")}
    assert set(files) == members and all(r["error"] is None for r in files.values())
    runs = conn.execute(
        "SELECT f.path, r.parser, r.status, r.records, r.warnings FROM parser_runs r"
        " JOIN files f ON f.id = r.file_id"
    ).fetchall()
    assert [tuple(r) for r in runs if r["status"] not in ("ok", "skipped") or r["warnings"]] == []
    parsed = {r["path"] for r in runs if r["status"] == "ok" and r["records"]}
    plain = {p for p in members if p.endswith((".list", ".prop", "_preferences.xml"))}
    assert members - plain == parsed


def test_messages_per_app(built: tuple[Path, sqlite3.Connection]) -> None:
    found = Counter(r["app"] for r in _records(built, "message"))
    assert found == Counter(c.app for c in ANDROID.chats for _ in c.messages)


def _sender_ok(chat: Chat, message: Message, record: dict[str, Any]) -> bool:
    if message.sender == ANDROID.owner:
        return bool(record["direction"] == "outgoing")
    if chat.app == "whatsapp":
        return bool(record["sender"] == jid(message.sender))
    if chat.app == "telegram":
        return bool(record["sender"] == str(user_id(message.sender)))
    return normalise_phone(str(record["sender"])) == person(message.sender).phone


def test_each_message_with_its_sender_and_time(built: tuple[Path, sqlite3.Connection]) -> None:
    by_text = {(r["app"], r["body"]): r for r in _records(built, "message")}
    for chat in ANDROID.chats:
        for message in chat.messages:
            record = by_text[(chat.app, message.text)]
            assert record["ts"] == iso(message.when), message
            assert _sender_ok(chat, message, record), (message, record)
            incoming = message.sender != ANDROID.owner
            assert record["direction"] == ("incoming" if incoming else "outgoing")
    telegram = [r for r in _records(built, "message") if r["app"] == "telegram"]
    handles = {person(c.members[0]).name for c in ANDROID.chats if c.app == "telegram"}
    assert {r["thread_name"] for r in telegram} == handles


def test_whatsapp_group_title_and_attachments(built: tuple[Path, sqlite3.Connection]) -> None:
    evidence, _ = built
    messages = [r for r in _records(built, "message") if r["app"] == "whatsapp"]
    for chat in (c for c in ANDROID.chats if c.title):
        texts = {m.text for m in chat.messages}
        group = [r for r in messages if r["body"] in texts]
        assert {(r["thread"], r["thread_name"]) for r in group} == {(group_jid(chat), chat.title)}
    paths = media_paths(ANDROID)
    sent = [m for c in ANDROID.chats if c.app == "whatsapp" for m in c.messages if m.attachment]
    assert list(paths) == sorted(sent, key=lambda m: m.when)
    with zipfile.ZipFile(evidence) as archive:
        names = set(archive.namelist())
    media = {r["path"]: r for r in _records(built, "media")}
    for message, path in paths.items():
        record = next(r for r in messages if r["body"] == message.text)
        assert record["attachments"] == [path] and record["message_type"] == "image"
        assert f"{MEDIA_DIR}/{path}".lstrip("/") in names
        assert media[f"{MEDIA_DIR}/{path}"]["lat"] is None  # WhatsApp drops the EXIF


def test_contacts(built: tuple[Path, sqlite3.Connection]) -> None:
    contacts = _records(built, "contact")
    book = {
        r["name"]: ([normalise_phone(p) for p in r["phones"]], r["emails"])
        for r in contacts
        if r["parser"] == "android_contacts"
    }
    people = [person(k) for k in ANDROID.contacts]
    assert book == {p.name: ([p.phone], [p.email] if p.email else []) for p in people}
    whatsapp = {r["name"]: r["phones"][0] for r in contacts if r["parser"].startswith("whatsapp")}
    members = {k for c in ANDROID.chats if c.app == "whatsapp" for k in c.members}
    assert whatsapp == {p.name: p.phone for p in people if p.key in members}
    owner = [r for r in contacts if r.get("account_owner")]
    assert [(r["name"], r["phones"], r["user_id"]) for r in owner] == [
        (OWNER.name, [OWNER.phone], user_id(OWNER.key))
    ]
    telegram_users = {r["user_id"] for r in contacts if r["parser"] == "telegram_android"}
    peers = {user_id(c.members[0]) for c in ANDROID.chats if c.app == "telegram"}
    assert telegram_users == peers | {user_id(OWNER.key)}


def test_calls(built: tuple[Path, sqlite3.Connection]) -> None:
    found = {
        (r["app"], r["ts"], normalise_phone(r["number"]), r["direction"], r["duration_s"])
        for r in _records(built, "call")
    }
    expected = {
        (c.app, iso(c.when), person(c.peer).phone, c.direction, c.seconds) for c in ANDROID.calls
    }
    assert found == expected and len(_records(built, "call")) == len(ANDROID.calls)


def test_web_visits(built: tuple[Path, sqlite3.Connection]) -> None:
    found = sorted((r["ts"], r["url"], r["title"]) for r in _records(built, "web_visit"))
    assert found == sorted((iso(v.when), v.url, v.title) for v in ANDROID.visits)


def test_camera_photos_with_their_gps(built: tuple[Path, sqlite3.Connection]) -> None:
    media = {r["path"]: r for r in _records(built, "media")}
    for photo in ANDROID.photos:
        record = media[f"{CAMERA_DIR}/{photo.name}"]
        assert record["ts"] == iso(photo.when) and record["model"] == "SM-A515F"
        if photo.lat is None or photo.lon is None:
            assert record["lat"] is None
            continue
        # EXIF keeps 1/100 of an arc second: the position comes back within 3e-6 degrees.
        assert record["lat"] == pytest.approx(photo.lat, abs=3e-6)
        assert record["lon"] == pytest.approx(photo.lon, abs=3e-6)
    located = [r for r in media.values() if r["lat"] is not None]
    assert len(located) == sum(p.lat is not None for p in ANDROID.photos)


def test_identifiers_link_the_phone_numbers_and_the_wallet(
    built: tuple[Path, sqlite3.Connection],
) -> None:
    conn = built[1]
    found = {
        (row["type"], row["value"])
        for row in conn.execute(
            "SELECT DISTINCT e.type, e.value FROM entities e JOIN entity_refs r"
            " ON r.entity_id = e.id"
        )
    }
    phones = {person(k).phone for k in (*ANDROID.contacts, ANDROID.owner)}
    assert {("wallet", WALLET)} | {("phone", p) for p in phones} <= found
    for who in (person(k) for k in ANDROID.contacts):
        if who.email:
            assert ("email", who.email) in found


def test_unparsed_app_is_listed_as_installed_but_not_parsed(
    built: tuple[Path, sqlite3.Connection],
) -> None:
    coverage = {a["app_id"]: a["parsed"] for a in apps.coverage(built[1])}
    assert coverage.pop(UNPARSED_APP) is False
    assert coverage and all(coverage.values()), coverage
