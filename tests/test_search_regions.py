"""Photos and videos are searched outside their compressed picture and sound data
(`search/regions.py`) when every rule is a text rule, and whole when a user's YARA pack is
in use. Files are built with Pillow or box by box; a term planted inside the picture data
shows which bytes were skipped."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.search.content import ContentSpec, search_content
from triage_app.search.keywords import compile_source, read_keywords
from triage_app.search.regions import text_spans

TERM = "lampedusa"


def _rules(tmp_path: Path) -> str:
    import yara

    source = compile_source(read_keywords(f"{TERM}\n".encode(), "t.txt"), "t")
    path = tmp_path / "rules.yarc"
    yara.compile(source=source).save(str(path))
    return str(path)


def _spec(rules: str, text_rules_only: bool) -> ContentSpec:
    return ContentSpec(rules, 64 * 1024**2, 20, ("LY",), text_rules_only)


def _offsets(spec: ContentSpec, data: bytes, mime: str) -> list[int]:
    result = search_content(spec, data, mime)
    assert result.error is None
    return sorted(hit["offset"] for hit in result.hits)


def _jpeg(comment: bytes = b"") -> bytes:
    image = Image.effect_noise((256, 256), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, comment=comment)
    return out.getvalue()


def _entropy_start(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")


def test_jpeg_picture_data_is_skipped_but_metadata_and_trailer_are_searched(
    tmp_path: Path,
) -> None:
    photo = _jpeg(comment=f"meet at {TERM}".encode())
    start = _entropy_start(photo)
    end = photo.rindex(b"\xff\xd9")
    # A term inside the entropy-coded data (no 0xFF byte in it, so the data stays valid)
    # and one appended after the end of the picture.
    planted = photo[: start + 100] + TERM.encode() + photo[start + 100 + len(TERM) :]
    data = planted + f"hidden {TERM}".encode()
    spans = text_spans(data, "image/jpeg")
    assert spans == [(0, start), (end, len(data))]
    rules = _rules(tmp_path)
    comment_at = data.index(TERM.encode())
    inside_at = start + 100
    trailer_at = data.rindex(TERM.encode())
    assert _offsets(_spec(rules, True), data, "image/jpeg") == [comment_at, trailer_at]
    assert _offsets(_spec(rules, False), data, "image/jpeg") == [
        comment_at,
        inside_at,
        trailer_at,
    ]
    assert sum(e - s for s, e in spans) < len(data) // 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[: _entropy_start(d) - 3],  # cut inside the scan header
        lambda d: d[:20] + b"\x00\x00" + d[22:],  # a segment that is not a marker
        lambda d: d[:4] + b"\x00\x01" + d[6:],  # a segment length below 2
    ],
)
def test_broken_jpeg_structure_keeps_the_rest_of_the_file(damage: object) -> None:
    data = damage(_jpeg())  # type: ignore[operator]
    spans = text_spans(data, "image/jpeg")
    assert spans is not None and spans[-1][1] == len(data)
    assert sum(e - s for s, e in spans) >= len(data) - 20


def test_png_text_chunks_are_searched_and_idat_is_not(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("Comment", f"to {TERM}")
    out = io.BytesIO()
    Image.effect_noise((128, 128), 64).save(out, "PNG", pnginfo=info)
    data = out.getvalue()
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    # Replace the IDAT payload with a stored term (the CRC is not checked here).
    data = data[: idat + 4] + TERM.encode().ljust(length, b" ") + data[idat + 4 + length :]
    spans = text_spans(data, "image/png")
    assert spans is not None and (idat + 4, idat + 4 + length) not in spans
    assert all(not (s <= idat + 4 < e) for s, e in spans)
    rules = _rules(tmp_path)
    found = _offsets(_spec(rules, True), data, "image/png")
    assert found == [data.index(TERM.encode())]
    assert len(_offsets(_spec(rules, False), data, "image/png")) == 2


def _box(kind: bytes, payload: bytes, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


@pytest.mark.parametrize("large", [False, True])
def test_mp4_mdat_payload_is_skipped_and_moov_is_searched(tmp_path: Path, large: bool) -> None:
    media = zlib.compress(bytes(range(256)) * 64) + TERM.encode() + b"\x00" * 64
    data = (
        _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2")
        + _box(b"mdat", media, large)
        + _box(b"moov", _box(b"udta", _box(b"\xa9cmt", f"trip {TERM}".encode())))
    )
    spans = text_spans(data, "video/mp4")
    header = 16 if large else 8
    mdat = data.index(b"mdat") - 4
    assert spans == [(0, mdat + header), (mdat + header + len(media), len(data))]
    rules = _rules(tmp_path)
    assert _offsets(_spec(rules, True), data, "video/mp4") == [data.rindex(TERM.encode())]
    assert len(_offsets(_spec(rules, False), data, "video/mp4")) == 2


def test_a_box_running_past_the_end_keeps_the_rest() -> None:
    data = _box(b"ftyp", b"isom") + struct.pack(">I4s", 10**6, b"mdat") + b"x" * 100
    assert text_spans(data, "video/mp4") == [(0, len(data))]


def test_other_types_are_searched_whole() -> None:
    assert text_spans(b"%PDF-1.7 ...", "application/pdf") is None
    assert text_spans(b"GIF89a", None) is None


def _rule_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "mine.yar"
    pack.write_text('rule jpeg_any { strings: $a = "lampedusa" condition: $a }\n')
    return pack


@pytest.mark.parametrize("with_user_yara", [False, True])
def test_scan_skips_picture_data_only_without_user_yara_rules(
    tmp_path: Path, with_user_yara: bool
) -> None:
    folder = tmp_path / "phone" / "DCIM"
    folder.mkdir(parents=True)
    photo = _jpeg()
    start = _entropy_start(photo)
    (folder / "IMG_0001.jpg").write_bytes(
        photo[: start + 100] + TERM.encode() + photo[start + 100 + len(TERM) :]
    )
    keywords = tmp_path / "terms.txt"
    keywords.write_text(f"{TERM}\n", encoding="utf-8")
    rules = (_rule_pack(tmp_path),) if with_user_yara else ()
    case = tmp_path / "case"
    options = ScanOptions(bundled_rules=False, keywords=(keywords,), rules=rules)
    summary = scan(case, [tmp_path / "phone"], options)
    assert summary.status == "ok", summary
    conn = connect(case / "case.sqlite", readonly=True)
    try:
        hits = [h for h in records(conn, "keyword_hit") if h["target"] == "file"]
    finally:
        conn.close()
    # The keyword list and the user's rule each find the planted term, or neither does.
    assert len(hits) == (2 if with_user_yara else 0)
    entries = [json.loads(line) for line in (case / "audit.jsonl").open(encoding="utf-8")]
    (packs,) = [e["details"] for e in entries if e["action"] == "rule_packs"]
    assert packs["photo_video_data_searched"] is with_user_yara


def test_heic_is_searched_whole() -> None:
    """HEIC keeps its EXIF and XMP items inside `mdat`: skipping it would skip them."""
    data = _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + _box(b"mdat", b"Exif\x00\x00MM")
    assert text_spans(data, "image/heic") is None
