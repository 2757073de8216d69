"""Photo/video parser: dispatch by detected type, generated EXIF fixtures, hostile EXIF, corpus."""

from __future__ import annotations

import io
import sqlite3
import struct
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from casehelpers import scan_with
from PIL import Image

from parsers import exif_media
from parsers.exif_media import MAX_READS, ExifMedia
from triage_app.core.dispatch import candidates
from triage_app.core.export import records
from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, ParseContext, Parser
from triage_app.core.progress import CancelToken

EXIF_PY = "exif-py/tests/resources"


# --- generated fixtures -------------------------------------------------------------------


def exif_block() -> Image.Exif:
    """EXIF as a phone writes it: local time + offset, GPS in the southern/western hemispheres."""
    exif = Image.Exif()
    exif[0x010F] = "Qarina Test"  # Make
    exif[0x0110] = "Cam S/W"  # Model
    exif[0x0112] = 6  # Orientation
    exif[0x0131] = "fixture 1.0"  # Software
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:03:01 22:15:30"  # DateTimeOriginal (local wall clock)
    sub[0x9011] = "-03:00"  # OffsetTimeOriginal
    sub[0xA434] = "Lens 4mm f/1.8"  # LensModel
    sub[0xA431] = "SN-0042"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (34.0, 37.0, 30.0)  # 34°37'30" S = -34.625
    gps[3], gps[4] = "W", (58.0, 22.0, 30.0)  # 58°22'30" W = -58.375
    gps[5], gps[6] = b"\x01", 12.5  # 12.5 m below sea level
    gps[7], gps[29] = (1.0, 15.0, 29.5), "2024:03:02"  # fix time, UTC
    return exif


def make_jpeg(path: Path, exif: Image.Exif | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 8), "red").save(path, "JPEG", exif=exif or exif_block())
    return path


def _box(kind: bytes, payload: bytes, version: int | None = None) -> bytes:
    if version is not None:  # ISO-BMFF "full box": version + 24-bit flags
        payload = struct.pack(">I", version << 24) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def make_heic(exif_tiff: bytes) -> bytes:
    """A minimal HEIF: ftyp, meta (iinf with one `Exif` item, iloc), mdat holding the item."""
    ftyp = _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    infe = _box(b"infe", struct.pack(">HH4s", 1, 0, b"Exif") + b"\x00", version=2)
    iinf = _box(b"iinf", struct.pack(">H", 1) + infe, version=0)
    item = struct.pack(">I", 6) + exif_tiff  # offset to the TIFF header, then "Exif\0\0"

    def iloc(offset: int) -> bytes:
        body = bytes([0x44, 0x00]) + struct.pack(">HHHHII", 1, 1, 0, 1, offset, len(item))
        return _box(b"iloc", body, version=0)

    meta_len = len(_box(b"meta", iinf + iloc(0), version=0))
    start = len(ftyp) + meta_len + 8
    return ftyp + _box(b"meta", iinf + iloc(start), version=0) + _box(b"mdat", item)


def make_iloc_bomb(items: int = 100) -> bytes:
    """exifread allocates 65,535 extents per item without reading a byte (≈ 4 MB per 6 bytes)."""
    ftyp = _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    infe = _box(b"infe", struct.pack(">HH4s", 1, 0, b"Exif") + b"\x00", version=2)
    iinf = _box(b"iinf", struct.pack(">H", 1) + infe, version=0)
    table = b"".join(struct.pack(">HHH", i + 1, 0, 0xFFFF) for i in range(items))
    iloc = _box(b"iloc", bytes([0x00, 0x00]) + struct.pack(">H", items) + table, version=0)
    return ftyp + _box(b"meta", iinf + iloc, version=0)


def _tiff_entry(tag: int, kind: int, count: int, value: int) -> bytes:
    return struct.pack(">HHII", tag, kind, count, value)


def jpeg_with_tiff(tiff: bytes) -> bytes:
    app1 = b"Exif\x00\x00" + tiff
    return b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"


def cyclic_ifd_tiff() -> bytes:
    """IFD0 → IFD1 → IFD0 (a loop); IFD0's EXIF and GPS pointers lead back to IFD0; IFD1's
    next-IFD offset would point to itself were the loop broken."""
    ifd0, ifd1, make = 8, 64, 120
    entries0 = [
        _tiff_entry(0x010F, 2, 6, make),  # Make → "Loopy\0"
        _tiff_entry(0x8769, 4, 1, ifd0),  # ExifOffset → IFD0 itself
        _tiff_entry(0x8825, 4, 1, ifd0),  # GPSInfo → IFD0 itself
    ]
    body = struct.pack(">H", 3) + b"".join(entries0) + struct.pack(">I", ifd1)
    tiff = b"MM\x00*" + struct.pack(">I", ifd0) + body
    tiff = tiff.ljust(ifd1, b"\x00") + struct.pack(">H", 0) + struct.pack(">I", ifd0)
    return tiff.ljust(make, b"\x00") + b"Loopy\x00"


def huge_ifd_tiff() -> bytes:
    """One IFD with 65,535 entries (the format's maximum) whose next-IFD offset points to
    itself; every entry is an out-of-line ASCII string."""
    entry = _tiff_entry(0x010F, 2, 4000, 8)
    return b"MM\x00*" + struct.pack(">IH", 8, 0xFFFF) + entry * 0xFFFF + struct.pack(">I", 8)


# --- helpers -------------------------------------------------------------------------------


RUNS = (
    "SELECT f.path, f.mime, r.parser, r.status, r.message, r.records, r.warnings"
    " FROM parser_runs r JOIN files f ON f.id = r.file_id"
)


def _scan(tmp_path: Path, evidence: Path) -> tuple[sqlite3.Connection, dict[str, dict[str, Any]]]:
    conn, rows = scan_with(tmp_path / "case", [ExifMedia()], evidence, RUNS, require_ok=True)
    return conn, {r["path"]: r for r in rows}


def _media(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    return {m["path"]: m for m in records(conn, "media")}


class _CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def _parse_in_thread(
    data: bytes, mime: str, timeout: float = 20.0, stream: _CountingStream | None = None
) -> tuple[list[Artifact], list[str], float]:
    """Run the parser on `data` in a thread; fail if it has not finished after `timeout`."""
    info = FileInfo(1, 1, None, "/x", "x", len(data), None, mime, False)
    ctx = ParseContext(
        file=info,
        open=lambda: stream or _CountingStream(data),
        sqlite_copy=lambda: Path("/nonexistent"),
        cancel=CancelToken(),
    )
    out: list[Artifact] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: out.extend(ExifMedia().parse(info, ctx)), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"parser still running after {timeout} s"
    return out, ctx.warnings, time.monotonic() - started


# --- dispatch ------------------------------------------------------------------------------


class _Neither(Parser):
    name, version, kinds = "neither", "1.0", ("media",)

    def parse(self, file: FileInfo, ctx: ParseContext) -> Any:
        return iter(())


class _GlobAndType(_Neither):
    name = "glob_and_type"
    path_globs = ("*/DCIM/*",)
    mime_types = ("image/jpeg",)


def test_dispatch_by_detected_type_not_extension() -> None:
    def info(path: str, mime: str | None) -> FileInfo:
        return FileInfo(1, 1, None, path, path.rsplit("/", 1)[-1], 10, None, mime, False)

    parsers: list[Parser] = [ExifMedia(), _Neither(), _GlobAndType()]
    heic_named_jpg = info("/heic/heic_hdlr_box.jpg", "image/heic")
    assert [p.name for p in candidates(heic_named_jpg, b"", parsers)] == ["exif_media"]
    assert candidates(info("/DCIM/notes.jpg", "text/plain"), b"", parsers) == []
    assert candidates(info("/DCIM/unreadable.jpg", None), b"", parsers) == []
    both = candidates(info("/sdcard/DCIM/a.jpg", "image/jpeg"), b"", parsers)
    assert [p.name for p in both] == ["exif_media", "glob_and_type"]  # glob AND type
    assert [p.name for p in candidates(info("/a.jpg", "image/jpeg"), b"", parsers)] == [
        "exif_media"
    ]


# --- generated fixtures through the pipeline ----------------------------------------------


def test_generated_photos_full_record(tmp_path: Path, unchanged: Callable[..., None]) -> None:
    phone = tmp_path / "phone"
    make_jpeg(phone / "DCIM/Camera/IMG_0001.jpg")
    heic_tiff = Image.Exif()
    heic_tiff[0x010F], heic_tiff[0x0110] = "Apple", "iPhone"
    heic_tiff.get_ifd(0x8825).update({1: "N", 2: (35.0, 30.0, 0.0), 3: "E", 4: (12.0, 36.0, 0.0)})
    # HEIC content under a .jpg name: the detected type decides, not the extension.
    (phone / "DCIM/Camera/IMG_0002.jpg").write_bytes(make_heic(heic_tiff.tobytes()))
    (phone / "DCIM/Camera/VID_0003.mp4").write_bytes(
        struct.pack(">I4s4sI", 24, b"ftyp", b"isom", 512) + b"isomiso2" + b"\x00" * 64
    )
    (phone / "DCIM/Camera/not_a_photo.jpg").write_text("just text", encoding="utf-8")
    unchanged(phone)

    conn, runs = _scan(tmp_path, phone)
    media = _media(conn)
    assert sorted(runs) == [
        f"/DCIM/Camera/{n}" for n in ("IMG_0001.jpg", "IMG_0002.jpg", "VID_0003.mp4")
    ]
    assert all((r["status"], r["records"], r["warnings"]) == ("ok", 1, 0) for r in runs.values())
    assert len(media) == 3

    photo = media["/DCIM/Camera/IMG_0001.jpg"]
    assert photo == {
        "kind": "media",
        "id": photo["id"],
        "evidence": 1,
        "path": "/DCIM/Camera/IMG_0001.jpg",
        "volume": None,
        "source_sha256": conn.execute(
            "SELECT sha256 FROM files WHERE path = '/DCIM/Camera/IMG_0001.jpg'"
        ).fetchone()[0],
        "parser": "exif_media",
        "ts": "2024-03-02T01:15:30Z",  # 22:15:30 at UTC-3
        "ts_raw": "2024:03:01 22:15:30",
        "deleted": False,
        "mime": "image/jpeg",
        "make": "Qarina Test",
        "model": "Cam S/W",
        "taken_local": "2024-03-01T22:15:30-03:00",
        "lat": -34.625,
        "lon": -58.375,
        "alt": -12.5,
        "orientation": 6,
        "software": "fixture 1.0",
        "gps_ts": "2024-03-02T01:15:29.500000Z",
        "lens": "Lens 4mm f/1.8",
        "serial": "SN-0042",
        "source_table": None,
        "source_rowid": None,
    }
    heic = media["/DCIM/Camera/IMG_0002.jpg"]
    assert (heic["mime"], heic["make"], heic["lat"], heic["lon"]) == (
        "image/heic",
        "Apple",
        35.5,
        12.6,
    )
    video = media["/DCIM/Camera/VID_0003.mp4"]
    assert video["mime"] == "video/mp4" and video["ts"] is None
    assert all(video[k] is None for k in ("make", "model", "taken_local", "lat", "lon", "alt"))


def test_time_without_offset_is_not_utc(tmp_path: Path) -> None:
    exif = exif_block()
    del exif.get_ifd(0x8769)[0x9011]  # no OffsetTimeOriginal
    gps = exif.get_ifd(0x8825)
    del gps[7], gps[29]  # no GPS time either
    conn, _ = _scan(tmp_path, make_jpeg(tmp_path / "ev/a.jpg", exif))
    (photo,) = _media(conn).values()
    assert photo["taken_local"] == "2024-03-01T22:15:30"
    assert photo["ts"] is None and photo["ts_raw"] == "2024:03:01 22:15:30"
    assert "gps_ts" not in photo


def test_garbage_gps_and_dates_are_warned(tmp_path: Path) -> None:
    exif = exif_block()
    exif.get_ifd(0x8769)[0x9003] = "2024:13:45 99:99:99"  # impossible date
    gps = exif.get_ifd(0x8825)
    gps[1] = "Q"  # not a hemisphere
    gps[7] = (25.0, 0.0, 0.0)  # hour 25
    conn, runs = _scan(tmp_path, make_jpeg(tmp_path / "ev/a.jpg", exif))
    (run,) = runs.values()
    assert (run["status"], run["records"], run["warnings"]) == ("ok", 1, 3), run
    assert "GPSLatitude unusable" in run["message"]
    (photo,) = _media(conn).values()
    assert photo["lat"] is None and photo["lon"] == -58.375  # no guessed hemisphere
    assert photo["taken_local"] is None and photo["ts"] is None
    assert photo["ts_raw"] == "2024:13:45 99:99:99"


def test_truncated_photo_keeps_the_record(tmp_path: Path) -> None:
    data = make_jpeg(tmp_path / "src/a.jpg").read_bytes()
    evidence = tmp_path / "ev"
    evidence.mkdir()
    # Cut inside the GPS IFD: exifread would read the missing offsets as 0 and return the
    # start of the EXIF block as values (a longitude of 162111493°, a model of "MM").
    (evidence / "cut.jpg").write_bytes(data[:300])
    (evidence / "stub.jpg").write_bytes(data[:30])  # inside the JFIF header
    conn, runs = _scan(tmp_path, evidence)
    media = _media(conn)
    assert [(r["status"], r["records"], r["warnings"]) for r in runs.values()] == [("ok", 1, 1)] * 2
    assert "past the end of the file" in runs["/cut.jpg"]["message"]
    assert "EXIF unreadable: IndexError" in runs["/stub.jpg"]["message"]
    exif_fields = ("make", "model", "taken_local", "lat", "lon", "alt")
    assert all(m[k] is None for m in media.values() for k in exif_fields)


# --- hostile EXIF: bounded time and memory -------------------------------------------------


def test_cyclic_ifds_finish() -> None:
    out, warnings, seconds = _parse_in_thread(jpeg_with_tiff(cyclic_ifd_tiff()), "image/jpeg")
    assert len(out) == 1 and out[0].fields["make"] == "Loopy"
    assert any("IFD loop" in w for w in warnings), warnings
    assert seconds < 5


def test_huge_ifd_hits_the_work_limit() -> None:
    out, warnings, seconds = _parse_in_thread(huge_ifd_tiff(), "image/tiff")
    assert len(out) == 1 and out[0].fields["make"] is None
    assert warnings == [
        f"EXIF not read: work limit reached (more than {MAX_READS} reads);"
        " malformed or hostile metadata"
    ]
    assert seconds < 10


def test_only_the_first_window_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exif_media, "WINDOW", 2**20)
    far = 2**20 + 4096  # Make's value lies past the 1 MiB window
    tiff = b"MM\x00*" + struct.pack(">IH", 8, 1) + _tiff_entry(0x010F, 2, 8, far)
    data = (tiff + struct.pack(">I", 0)).ljust(far, b"\x00") + b"Faraway\x00" + bytes(2**20)
    stream = _CountingStream(data)
    out, warnings, _ = _parse_in_thread(data, "image/tiff", stream=stream)
    assert out[0].fields["make"] is None
    assert warnings == [
        "EXIF points past the first 1 MiB (not read) of the file: EXIF values not used"
    ]
    assert stream.bytes_read <= 2**20


def test_heif_iloc_bomb_is_refused() -> None:
    tracemalloc.start()
    try:
        out, warnings, seconds = _parse_in_thread(make_iloc_bomb(), "image/heic")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(out) == 1 and out[0].fields["mime"] == "image/heic"
    assert warnings and "iloc" in warnings[0]
    assert peak < 20 * 2**20 and seconds < 5  # unguarded: ~490 MB for these 687 bytes


# --- corpus --------------------------------------------------------------------------------

# (path, lat, lon, alt or None) from EXPECTED.md D.23, to 1e-5 degrees.
GPS_FACTS = [
    ("/jpg/gps/DSCN0010.jpg", 43.467448, 11.885127, None),
    ("/jpg/Kodak_CX7530.jpg", -0.3713, 36.056417, None),
    ("/heic/mobile/HMD_Nokia_8.3_5G.heif", 40.788685, -4.005141, 1942.42),
    ("/jpg/hdr/iphone_hdr_NO.jpg", 40.446972, -3.724753, 639.59),
    ("/jpg/mobile/HMD_Nokia_8.3_5G.jpg", 60.146706, 24.906772, None),
]


def test_corpus_exif_py_folder(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    folder = corpus(EXIF_PY)
    unchanged(folder)
    conn, runs = _scan(tmp_path, folder)
    media = _media(conn)
    assert len(runs) == len(media) == 40  # every image file, one record each
    assert [r for r in runs.values() if r["status"] != "ok"] == []
    for path, lat, lon, alt in GPS_FACTS:
        assert media[path]["lat"] == pytest.approx(lat, abs=1e-5), path
        assert media[path]["lon"] == pytest.approx(lon, abs=1e-5), path
        assert media[path]["alt"] == (None if alt is None else pytest.approx(alt, abs=0.01))
    dscn = [m for p, m in media.items() if p.startswith("/jpg/gps/DSCN00")]
    assert len(dscn) == 9
    for m in dscn:
        assert (m["make"], m["model"]) == ("NIKON", "COOLPIX P6000")
        assert abs(m["lat"] - 43.46) < 0.01 and abs(m["lon"] - 11.88) < 0.01
        assert "2008-10-22T16:28:39" <= m["taken_local"] <= "2008-10-22T17:00:07"
    first = media["/jpg/gps/DSCN0010.jpg"]
    assert (
        first["ts_raw"] == "2008:10:22 16:28:39" and first["taken_local"] == "2008-10-22T16:28:39"
    )
    assert first["ts"] == first["gps_ts"] == "2008-10-23T14:27:07.240000Z"  # no offset: GPS
    kodak = media["/jpg/Kodak_CX7530.jpg"]
    assert (kodak["make"], kodak["taken_local"]) == ("EASTMAN KODAK COMPANY", "2005-08-13T09:47:23")
    iphone = media["/jpg/hdr/iphone_hdr_NO.jpg"]
    assert (iphone["make"], iphone["model"]) == ("Apple", "iPhone 6")
    nokia = media["/jpg/mobile/HMD_Nokia_8.3_5G.jpg"]
    assert nokia["taken_local"] == "2022-08-14T14:12:31+03:00"
    assert nokia["ts"] == "2022-08-14T11:12:31Z"  # OffsetTimeOriginal wins over GPS time
    heif = media["/heic/mobile/HMD_Nokia_8.3_5G.heif"]
    assert (heif["mime"], heif["ts"]) == ("image/heic", "2022-02-03T14:44:09Z")
    iphone13 = media["/heic/mobile/iphone_13_pro_max.heic"]
    assert iphone13["taken_local"] == "2022-02-16T12:55:41+01:00"
    _malformed_facts(runs, media)


def _malformed_facts(runs: dict[str, dict[str, Any]], media: dict[str, dict[str, Any]]) -> None:
    """EXPECTED.md D.24: damaged EXIF gives warnings and a record, never an error."""
    hdlr = media["/heic/heic_hdlr_box.jpg"]  # HEIC content, .jpg name, no EXIF item
    assert (runs["/heic/heic_hdlr_box.jpg"]["mime"], hdlr["mime"]) == ("image/heic", "image/heic")
    assert media["/jpg/corrupted.jpg"]["make"] == "OLYMPUS IMAGING CORP."  # lenient parse
    invalid = [p for p in media if p.startswith("/jpg/invalid/")]
    assert len(invalid) == 7
    assert all(media[p]["make"] is None and runs[p]["warnings"] == 0 for p in invalid)
    assert "corrupted IFD: EXIF" in runs["/jpg/tests/30-type_error.jpg"]["message"]
    assert "No values found for GPS SubIFD" in runs["/jpg/tests/45-gps_ifd.jpg"]["message"]
    # 35-empty's "corrupted field RecordingMode" is in its Casio MakerNote, which is not read.
    assert media["/jpg/tests/35-empty.jpg"]["model"] == "EX-Z750"
    warned = {p for p, r in runs.items() if r["warnings"]}
    assert warned == {"/jpg/tests/30-type_error.jpg", "/jpg/tests/45-gps_ifd.jpg"}


def test_corpus_plaso_dji(
    tmp_path: Path, corpus: Callable[[str], Path], unchanged: Callable[..., None]
) -> None:
    image = corpus("plaso/test_data/testimage.jpg")
    unchanged(image)
    conn, _ = _scan(tmp_path, image)
    (photo,) = _media(conn).values()
    assert (photo["make"], photo["model"]) == ("DJI", "FC3582")
    assert photo["taken_local"] == "2023-08-01T23:19:48" and photo["ts"] is None
    assert photo["lat"] == pytest.approx(68.875712, abs=1e-5)
    assert photo["lon"] == pytest.approx(27.764925, abs=1e-5)
    assert photo["alt"] == pytest.approx(266.60, abs=0.01)
    assert photo["serial"] == "53HQK520M10K6U"
