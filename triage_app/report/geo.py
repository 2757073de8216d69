"""Located records as `locations.kml` (KML 2.2) and `locations.geojson` (RFC 7946).

Every artifact record with a `lat` and a `lon` (photos and videos, messages that share a
location such as Telegram or WhatsApp locations, ...) becomes one point, kinds in name order
and, within a kind, records in id order. Records without a position are skipped; a position
that is not a pair of finite numbers within ±90° latitude and ±180° longitude is skipped and
counted, and the count is stated in both files (the KML document's description, the GeoJSON
foreign member `qarina`). Properties: record id, kind, evidence, path, ts; for media also
make, model, taken_local, alt; for messages app, thread, sender and the body cut to
`BODY_LIMIT` characters (`body_truncated` says when it was cut).

GeoJSON is data: values are exact (JSON escapes control characters; a lone surrogate is
written as its `\\udNNN` escape), coordinates are `[lon, lat]`, and the altitude stays a
property so positions have exactly two numbers.

KML is for viewing, and Google Earth renders a placemark's balloon (name, description,
ExtendedData values) as HTML. So no evidence value goes into a description; every evidence
string is HTML-escaped, then control and bidi-override characters are made visible (as in the
CSV tables), then ElementTree serializes it, which XML-escapes it again. XML readers therefore
see the HTML-escaped text (`&lt;script&gt;` for `<script>`), a balloon shows the original
characters as inert text, and nothing from the evidence can become markup in either.

Streaming, one pass over the records: GeoJSON features are written as they come, KML
placemarks go to an anonymous spool file in the output folder and are copied after the
KML header once the counts are known. Output is byte-identical for the same case.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .tables import atomic_writer, escape_controls
from .view import ReportView

KML_NAME = "locations.kml"
GEOJSON_NAME = "locations.geojson"
BODY_LIMIT = 200
COMMON_PROPS = ("id", "kind", "evidence", "path", "ts")
KIND_PROPS: dict[str, tuple[str, ...]] = {
    "media": ("make", "model", "taken_local", "alt"),
    "message": ("app", "thread", "sender", "body"),
}
_XML_INVALID = re.compile("[\ufffe\uffff]")
KML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<kml xmlns="http://www.opengis.net/kml/2.2">\n'
    "<Document>\n"
)
KML_TAIL = "</Document>\n</kml>\n"


@dataclass
class GeoCounts:
    located: int = 0
    skipped: int = 0  # a position was given but is not a valid one

    def statement(self) -> str:
        return (
            f"{self.located} located record(s); {self.skipped} skipped with coordinates"
            " that are not numbers within ±90° latitude and ±180° longitude."
        )


class _BadPosition(ValueError):
    pass


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def position(record: dict[str, Any]) -> tuple[float, float] | None:
    """(lon, lat) of a record, None when it has none; `_BadPosition` when it is not valid."""
    lat: Any = record.get("lat")
    lon: Any = record.get("lon")
    if lat is None and lon is None:
        return None
    if not (_finite(lat) and _finite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise _BadPosition
    return float(lon), float(lat)


def properties(record: dict[str, Any]) -> dict[str, Any]:
    kind = str(record.get("kind"))
    props = {k: record.get(k) for k in (*COMMON_PROPS, *KIND_PROPS.get(kind, ()))}
    if kind == "message":
        body = props["body"]
        cut = isinstance(body, str) and len(body) > BODY_LIMIT
        props["body"] = str(body)[:BODY_LIMIT] if cut else body
        props["body_truncated"] = cut
    return props


def located(view: ReportView, counts: GeoCounts) -> Iterator[dict[str, Any]]:
    """Records with a valid position, as GeoJSON features; `counts` updated on the way."""
    for record in view.located():
        try:
            point = position(record)
        except _BadPosition:
            counts.skipped += 1
            continue
        if point is None:
            continue
        counts.located += 1
        yield {
            "type": "Feature",
            "id": record.get("id"),
            "geometry": {"type": "Point", "coordinates": list(point)},
            "properties": properties(record),
        }


def kml_text(value: Any) -> str:
    """An evidence value as KML text: inert when a viewer renders it as HTML, valid XML."""
    text = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )
    return _XML_INVALID.sub(
        lambda m: f"\\u{ord(m.group()):04x}", escape_controls(html.escape(text))
    )


def placemark(feature: dict[str, Any]) -> str:
    props: dict[str, Any] = feature["properties"]
    path = props.get("path")
    name = path.rsplit("/", 1)[-1] if isinstance(path, str) and path else props.get("id")
    mark = ET.Element("Placemark")
    ET.SubElement(mark, "name").text = kml_text(name)
    data = ET.SubElement(mark, "ExtendedData")
    for key, value in props.items():
        if value is None:
            continue
        item = ET.SubElement(data, "Data", name=key)
        ET.SubElement(item, "value").text = kml_text(value)
    lon, lat = feature["geometry"]["coordinates"]
    ET.SubElement(ET.SubElement(mark, "Point"), "coordinates").text = f"{lon!r},{lat!r}"
    return ET.tostring(mark, encoding="unicode") + "\n"


def _geojson_feature(feature: dict[str, Any]) -> str:
    return json.dumps(
        feature, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def _write_features(view: ReportView, geojson: IO[str], spool: IO[str]) -> GeoCounts:
    counts = GeoCounts()
    geojson.write('{"type":"FeatureCollection","features":[\n')
    for number, feature in enumerate(located(view, counts)):
        geojson.write(("" if number == 0 else ",\n") + _geojson_feature(feature))
        spool.write(placemark(feature))
    foreign = {"located": counts.located, "skipped_invalid_position": counts.skipped}
    geojson.write('\n],"qarina":' + json.dumps(foreign, sort_keys=True) + "}\n")
    return counts


def write_geo(source: sqlite3.Connection | ReportView, out_dir: Path) -> list[Path]:
    """`locations.geojson` and `locations.kml` in `out_dir` (both written, also when no record
    is located); their paths, in that order. A bare connection (rows as `sqlite3.Row`, from
    `casedb.connect`) stands for every record, unredacted."""
    view = source if isinstance(source, ReportView) else ReportView(source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kml_path, geojson_path = out_dir / KML_NAME, out_dir / GEOJSON_NAME
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=out_dir) as spool:
        with atomic_writer(geojson_path, errors="backslashreplace") as geojson:
            counts = _write_features(view, geojson, spool)
        spool.seek(0)
        with atomic_writer(kml_path) as kml:
            kml.write(KML_HEAD)
            head = ET.Element("name")
            head.text = "Qarina: located records"
            note = ET.Element("description")
            note.text = counts.statement()
            kml.write(ET.tostring(head, encoding="unicode") + "\n")
            kml.write(ET.tostring(note, encoding="unicode") + "\n")
            shutil.copyfileobj(spool, kml)
            kml.write(KML_TAIL)
    return [geojson_path, kml_path]
