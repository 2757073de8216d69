"""KML and GeoJSON of located records: photos scanned through the real pipeline, messages
with a position, hostile strings, invalid coordinates, determinism."""

from __future__ import annotations

import html
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from casehelpers import scan_with
from PIL import Image
from test_exif_media import make_jpeg

from parsers.exif_media import ExifMedia
from triage_app.core.case import Case
from triage_app.core.casedb import connect
from triage_app.report.geo import BODY_LIMIT, write_geo

KML = "{http://www.opengis.net/kml/2.2}"
HOSTILE_DIR = ("DCIM", "<", "name><script>alert(1)<", "script>]]>&amp;")
HOSTILE_NAME = "x\u202egpj.exe"
HOSTILE_PATH = "/" + "/".join((*HOSTILE_DIR, HOSTILE_NAME))
BODY = "<img src=x onerror=alert(1)> " + "موقعي الآن " * 40


def _tripoli_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "</name><script>", "]]>"
    exif.get_ifd(0x8825).update({1: "N", 2: (32.0, 54.0, 0.0), 3: "E", 4: (13.0, 12.0, 0.0)})
    return exif


def _messages(case_dir: Path, rows: list[dict[str, Any]]) -> None:
    case = Case.open(case_dir)
    try:
        with case.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO artifacts (kind, evidence_id, parser, ts, data)"
                " VALUES ('message', 1, 'telegram_android', '2024-03-02T09:00:00Z', ?)",
                [(json.dumps(r),) for r in rows],
            )
    finally:
        case.close()


def _located_case(tmp_path: Path) -> sqlite3.Connection:
    phone = tmp_path / "phone"
    make_jpeg(phone.joinpath(*HOSTILE_DIR, HOSTILE_NAME))  # Buenos Aires, south/west
    make_jpeg(phone / "DCIM/IMG_0002.jpg", _tripoli_exif())
    (phone / "DCIM/no_gps.jpg").parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), "blue").save(phone / "DCIM/no_gps.jpg", "JPEG")
    case_dir = tmp_path / "case"
    conn, _ = scan_with(case_dir, [ExifMedia()], phone, require_ok=True)
    conn.close()
    message = {"app": "telegram", "thread": "42", "sender": "=cmd|calc", "body": BODY}
    _messages(
        case_dir,
        [
            {**message, "lat": 32.8872, "lon": 13.1913},
            {**message, "lat": 91.0, "lon": 13.0},  # out of range: counted
            {**message, "lat": "32.9", "lon": 13.0},  # not a number: counted
            {**message, "lat": None, "lon": None},  # no position: skipped silently
            {**message},
        ],
    )
    return connect(case_dir / "case.sqlite", readonly=True)


def _data(placemark: ET.Element) -> dict[str, str | None]:
    return {str(d.get("name")): d.findtext(f"{KML}value") for d in placemark.iter(f"{KML}Data")}


def test_kml_and_geojson_of_photos_and_messages(tmp_path: Path) -> None:
    conn = _located_case(tmp_path)
    out = tmp_path / "report"
    geojson_path, kml_path = write_geo(conn, out)
    assert (geojson_path.name, kml_path.name) == ("locations.geojson", "locations.kml")

    collection = json.loads(geojson_path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["qarina"] == {"located": 3, "skipped_invalid_position": 2}
    features = collection["features"]
    assert [f["properties"]["kind"] for f in features] == ["media", "media", "message"]
    by_path = {f["properties"]["path"]: f for f in features}
    hostile = by_path[HOSTILE_PATH]  # exact evidence value in the data format
    assert hostile["geometry"] == {"type": "Point", "coordinates": [-58.375, -34.625]}  # lon, lat
    assert hostile["properties"]["make"] == "Qarina Test"
    assert hostile["properties"]["taken_local"] == "2024-03-01T22:15:30-03:00"
    tripoli = by_path["/DCIM/IMG_0002.jpg"]
    assert tripoli["geometry"]["coordinates"] == [13.2, 32.9]
    assert (tripoli["properties"]["make"], tripoli["properties"]["model"]) == (
        "</name><script>",
        "]]>",
    )
    message = features[2]
    assert message["geometry"]["coordinates"] == [13.1913, 32.8872]
    props = message["properties"]
    assert (props["app"], props["thread"], props["sender"]) == ("telegram", "42", "=cmd|calc")
    assert props["body"] == BODY[:BODY_LIMIT] and props["body_truncated"] is True
    assert props["path"] is None and props["id"] == message["id"]

    raw = kml_path.read_bytes()
    assert b"<script" not in raw and b"<img" not in raw and "\u202e".encode() not in raw
    root = ET.fromstring(raw)
    assert root.tag == f"{KML}kml"
    assert "2 skipped" in (root.findtext(f"{KML}Document/{KML}description") or "")
    marks = root.findall(f"{KML}Document/{KML}Placemark")
    assert len(marks) == 3
    assert not [e for e in root.iter() if e.tag.endswith(("script", "img"))]
    coords = [m.findtext(f"{KML}Point/{KML}coordinates") for m in marks]
    assert coords == ["-58.375,-34.625", "13.2,32.9", "13.1913,32.8872"]
    first = _data(marks[0])
    # HTML-escaped (inert in a balloon, which decodes it once), RLO made visible.
    shown = html.escape(HOSTILE_PATH).replace("\u202e", "\\u202e")
    assert first["path"] == shown
    assert marks[0].findtext(f"{KML}name") == "x\\u202egpj.exe"
    assert _data(marks[1])["make"] == "&lt;/name&gt;&lt;script&gt;"
    assert _data(marks[1])["model"] == "]]&gt;"
    assert _data(marks[2])["body"] == html.escape(BODY[:BODY_LIMIT])
    assert "path" not in _data(marks[2])  # null values are left out


def test_deterministic_and_empty_case(tmp_path: Path) -> None:
    conn = _located_case(tmp_path)
    first = [p.read_bytes() for p in write_geo(conn, tmp_path / "a")]
    second = [p.read_bytes() for p in write_geo(conn, tmp_path / "b")]
    again = [p.read_bytes() for p in write_geo(conn, tmp_path / "a")]
    assert first == second == again
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "locations.geojson",
        "locations.kml",
    ]  # no temporary or spool files left

    empty = tmp_path / "empty"
    Case.open(empty).close()
    geojson, kml = write_geo(connect(empty / "case.sqlite", readonly=True), tmp_path / "c")
    assert json.loads(geojson.read_text(encoding="utf-8"))["features"] == []
    assert ET.parse(kml).getroot().findall(f"{KML}Document/{KML}Placemark") == []
