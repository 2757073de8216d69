"""The answer key of the workshop sample, and the comparison of a scanned case with it.

The key is derived from the story (`scenario.py`), not from a scan: how many messages each
device holds per app, its contacts, calls, web visits and located photos, the identifiers
that link the devices, the GPS points, the deleted files on the laptop. The one section a
story cannot give by itself is the keyword hits per pack (they depend on the packs'
vocabulary, which investigators edit): it is taken from `KEYWORD_HITS`, counted once by
hand against the packs and the story and checked by the sample test, which fails when a pack
or the story changes — the signal to count again.

`compare` reads the same facts from a case and lists each beside the key: the sample test
asserts they all agree, `qarina demo --headless` prints them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.casedb import DB_NAME, connect
from ..search.query import shared_identifiers
from . import scenario
from .build import EVIDENCE, Sample
from .laptop import DELETED, laptop_files

# Keyword hits per bundled pack over the whole case (records and file contents), counted on
# 2026-11-30 and read hit by hit against the packs: e.g. places_central_med 65 = Sabratha
# (in Karim's contact name and the photo names), Zuwara/Zouara/زوارة, Lampedusa, Italia…;
# smuggling_en 14 = "hawala" (Tarek's contact name) and "binance" (the app's folder).
KEYWORD_HITS = {
    "patterns": 46, "places_central_med": 65, "smuggling_ar": 30, "smuggling_arabizi": 11,
    "smuggling_en": 14, "smuggling_fr": 9,
}  # fmt: skip
LINK_TYPES = ("phone", "wallet")
RECORD_KINDS = ("message", "contact", "call", "web_visit", "located_photo")
PHONES = ("android", "iphone")  # the owner's number is on the phone (Telegram account, Info.plist)


def _phones(device: scenario.Device) -> set[str]:
    """Phone numbers the device holds in structured fields (contacts, chats, calls, ledger)
    and, on a phone, its owner's own number."""
    keys = set(device.contacts) | {c.peer for c in device.calls}
    keys |= {device.owner} if device.key in PHONES else set()
    keys |= {m for chat in device.chats for m in chat.members}
    phones = {scenario.person(k).phone for k in keys} - {""}
    if device.key == "laptop":
        phones |= {row[2] for row in scenario.LEDGER_ROWS}
    return phones


def _wallet_devices() -> list[str]:
    """Devices whose texts, visits or files mention the wallet."""
    found = []
    for device in scenario.DEVICES:
        texts = [m.text for c in device.chats for m in c.messages]
        texts += [v.url for v in device.visits]
        texts += [f.data.decode("utf-8", "replace") for f in laptop_files()] * (
            device.key == "laptop"
        )
        if any(scenario.WALLET in t for t in texts):
            found.append(device.key)
    return found


def _links() -> list[list[Any]]:
    holders: dict[tuple[str, str], list[str]] = {}
    for device in scenario.DEVICES:
        for phone in _phones(device):
            holders.setdefault(("phone", phone), []).append(device.key)
    holders[("wallet", scenario.WALLET)] = _wallet_devices()
    return sorted([t, v, sorted(d)] for (t, v), d in holders.items() if len(d) >= 2)


def _contacts(device: scenario.Device) -> int:
    """The address book, and on Android the apps' own contact lists: WhatsApp's `wa.db` (the
    chat partners who are in the address book), Telegram's users (the chat partners and the
    owner) and its account."""
    count = len(device.contacts)
    if device.key == "android":
        chats = device.chats
        count += len(
            {m for c in chats if c.app == "whatsapp" for m in c.members} & set(device.contacts)
        )
        telegram = {m for c in chats if c.app == "telegram" for m in c.members}
        count += len(telegram | {device.owner}) + 1 if telegram else 0
    return count


def _records(device: scenario.Device) -> dict[str, int]:
    return {
        "message": sum(len(c.messages) for c in device.chats),
        "contact": _contacts(device),
        "call": len(device.calls),
        "web_visit": len(device.visits),
        "located_photo": sum(p.lat is not None for p in device.photos),
    }


def answer_key() -> dict[str, Any]:
    return {
        "devices": {
            d.key: {
                "label": d.label,
                "evidence": EVIDENCE[d.key],
                "owner": scenario.person(d.owner).name,
            }
            for d in scenario.DEVICES
        },
        "records": {d.key: _records(d) for d in scenario.DEVICES},
        "messages_by_app": {
            d.key: dict(sorted(Counter(c.app for c in d.chats for _ in c.messages).items()))
            for d in scenario.DEVICES
        },
        "links": _links(),
        "gps": sorted(
            [d.key, p.name, round(p.lat, 4), round(p.lon, 4)]
            for d in scenario.DEVICES
            for p in d.photos
            if p.lat is not None and p.lon is not None
        ),
        "deleted_files": sorted(DELETED),
        "keyword_hits": KEYWORD_HITS,
    }


@dataclass(frozen=True)
class Row:
    what: str
    expected: str
    found: str

    @property
    def ok(self) -> bool:
        return self.expected == self.found


def observed(conn: sqlite3.Connection, evidence: dict[str, Path]) -> dict[str, Any]:
    """The same facts as `answer_key`, read from a scanned case."""
    ids = {
        key: row[0]
        for key, path in evidence.items()
        for row in conn.execute(
            "SELECT id FROM evidence WHERE identity = ?", (str(path.resolve()),)
        )
    }
    device_of = {v: k for k, v in ids.items()}
    records = {k: dict.fromkeys(RECORD_KINDS, 0) for k in ids}
    by_app: dict[str, Counter[str]] = {k: Counter() for k in ids}
    for eid, kind, app, located, n in conn.execute(
        "SELECT evidence_id, kind, json_extract(data, '$.app'),"
        " json_extract(data, '$.lat') IS NOT NULL, count(*) FROM artifacts"
        " GROUP BY 1, 2, 3, 4"
    ):
        device = device_of.get(eid)
        name = "located_photo" if kind == "media" and located else kind
        if device is None or name not in RECORD_KINDS:
            continue
        records[device][name] = records[device].get(name, 0) + n
        if kind == "message":
            by_app[device][str(app)] += n
    links = sorted(
        [i["type"], i["value"], sorted(device_of[e] for e in i["evidence_ids"] if e in device_of)]
        for i in shared_identifiers(conn)
        if i["type"] in LINK_TYPES
    )
    return {"records": records, "messages_by_app": {k: dict(v) for k, v in by_app.items()},
            "links": links, "gps": _gps(conn, device_of),
            "deleted_files": _deleted(conn, ids.get("laptop")),
            "keyword_hits": _hits(conn)}  # fmt: skip


def _gps(conn: sqlite3.Connection, device_of: dict[int, str]) -> list[list[Any]]:
    rows = conn.execute(
        "SELECT a.evidence_id, f.name, json_extract(a.data, '$.lat'), json_extract(a.data, '$.lon')"
        " FROM artifacts a JOIN files f ON f.id = a.file_id"
        " WHERE a.kind = 'media' AND json_extract(a.data, '$.lat') IS NOT NULL"
    )
    return sorted(
        [device_of[e], name, round(lat, 4), round(lon, 4)]
        for e, name, lat, lon in rows
        if e in device_of
    )


def _deleted(conn: sqlite3.Connection, laptop: int | None) -> list[list[Any]]:
    rows = conn.execute(
        "SELECT path, sha256 IS NOT NULL AND size > 0 FROM files"
        " WHERE evidence_id = ? AND deleted = 1 AND kind = 'file'",
        (laptop,),
    )
    return sorted([path, bool(recovered)] for path, recovered in rows)


def _hits(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT json_extract(data, '$.pack'), count(*) FROM artifacts"
        " WHERE kind = 'keyword_hit' GROUP BY 1 ORDER BY 1"
    )
    return {str(pack): n for pack, n in rows}


def compare(case_dir: Path, sample: Sample) -> list[Row]:
    """Each fact of the answer key beside what the case holds."""
    import json

    key = json.loads(sample.expected.read_text(encoding="utf-8"))
    conn = connect(case_dir / DB_NAME, readonly=True)
    try:
        found = observed(conn, sample.evidence)
    finally:
        conn.close()
    rows = []
    for device, counts in key["records"].items():
        for kind, n in counts.items():
            got = found["records"].get(device, {}).get(kind, 0)
            rows.append(Row(f"{device}: {kind}", str(n), str(got)))
    for section in ("messages_by_app", "links", "gps", "deleted_files", "keyword_hits"):
        same = key[section] == found[section]
        size = len(key[section])
        rows.append(Row(section, str(size), str(size) if same else f"{len(found[section])}≠"))
    return rows
