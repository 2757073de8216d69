"""Thumbnails read back from evidence scanned through the real pipeline: sizes, orientation,
transparency, blur, deduplication, hash mismatch, corrupt files, decompression bombs, HEIC
without pillow-heif, an evidence item that moved, limits, cancel and reproducible bytes."""

from __future__ import annotations

import importlib.util
import io
import shutil
import sqlite3
import struct
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import isolation_tasks
import pytest
from casehelpers import truncated_copy
from PIL import Image, ImageChops, ImageStat
from test_exif_media import make_heic

from triage_app.core.casedb import connect
from triage_app.core.engine import scan
from triage_app.core.errors import Cancelled
from triage_app.core.evidence import open_evidence
from triage_app.core.export import records
from triage_app.core.models import ScanOptions
from triage_app.core.progress import CancelToken
from triage_app.report import thumb_decode, thumbs
from triage_app.report.thumbs import Thumb, ThumbRequest, write_thumbnails

HAS_HEIF = importlib.util.find_spec("pillow_heif") is not None


def _checkerboard(size: tuple[int, int], square: int = 10) -> Image.Image:
    image = Image.new("RGB", size, "white")
    for x in range(0, size[0], square):
        for y in range(0, size[1], square):
            if (x // square + y // square) % 2:
                image.paste((20, 40, 200), (x, y, x + square, y + square))
    return image


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, with almost no data."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _photos(folder: Path) -> None:
    dcim = folder / "DCIM"
    dcim.mkdir(parents=True)
    _checkerboard((400, 200)).save(
        dcim / "plain.jpg", "JPEG", quality=95, comment=b"<script>secret</script>",
        icc_profile=b"ICC-PROFILE-FROM-EVIDENCE",
    )  # fmt: skip
    shutil.copyfile(dcim / "plain.jpg", dcim / "copy_of_plain.jpg")
    rotated = Image.new("RGB", (300, 100), (220, 0, 0))
    rotated.paste((0, 0, 220), (150, 0, 300, 100))  # left red, right blue as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Evidence Camera"
    rotated.save(dcim / "rotated.jpg", "JPEG", exif=exif)
    transparent = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    transparent.paste((0, 160, 0, 255), (0, 0, 32, 32))
    transparent.save(dcim / "alpha.png", "PNG")
    (dcim / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    truncated_copy(dcim / "plain.jpg", dcim / "truncated.jpg")
    (dcim / "bomb.png").write_bytes(_png_header_only(100_000, 100_000))
    (dcim / "big.png").write_bytes(_png_header_only(8_000, 8_000))  # 64 MP: under Pillow's own
    _checkerboard((120, 90), 6).save(dcim / "changed.jpg", "JPEG")
    (dcim / "photo.heic").write_bytes(make_heic(b"MM\x00\x2a\x00\x00\x00\x08\x00\x00"))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("thumbs")
    phone = root / "phone"
    _photos(phone)
    case_dir = root / "case"
    summary = scan(case_dir, [phone], ScanOptions(search=False))
    assert summary.status == "ok", summary
    (phone / "DCIM/changed.jpg").write_bytes(b"changed after the scan")
    yield case_dir, phone


@pytest.fixture
def conn(scanned: tuple[Path, Path]) -> Iterator[sqlite3.Connection]:
    c = connect(scanned[0] / "case.sqlite", readonly=True)
    yield c
    c.close()


def _requests(conn: sqlite3.Connection, blur: bool = False) -> dict[str, ThumbRequest]:
    """One request per file name, from the media record when there is one, else the file."""
    found: dict[str, dict[str, Any]] = {}
    for record in records(conn, "file"):
        if record["entry_type"] == "file":
            found[record["name"]] = record
    for record in records(conn, "media"):
        found[record["path"].rsplit("/", 1)[-1]] = record
    return {
        name: ThumbRequest(r["evidence"], r["path"], r["source_sha256"], blur)
        for name, r in found.items()
    }


def _made(result: Thumb, out: Path) -> Image.Image:
    assert result.problem is None and result.name is not None, result
    image = Image.open(out / result.name)
    image.load()
    return image


def test_media_records_give_bounded_clean_thumbnails(
    scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path
) -> None:
    media_paths = {r["path"] for r in records(conn, "media")}
    assert {"/DCIM/plain.jpg", "/DCIM/rotated.jpg", "/DCIM/alpha.png"} <= media_paths
    reqs = _requests(conn)
    out = tmp_path / "thumbs"
    results = write_thumbnails(scanned[0], conn, reqs.values(), out, max_side=128)
    plain = _made(results[reqs["plain.jpg"]], out)
    assert plain.size == (128, 64) and plain.format == "JPEG" and plain.mode == "RGB"
    assert results[reqs["plain.jpg"]].name == f"{reqs['plain.jpg'].sha256}.jpg"
    assert results[reqs["copy_of_plain.jpg"]] == results[reqs["plain.jpg"]]  # deduplicated
    raw = (out / str(results[reqs["plain.jpg"]].name)).read_bytes()
    assert b"script" not in raw and b"ICC" not in raw and b"Exif" not in raw
    assert not plain.getexif() and "icc_profile" not in plain.info and "comment" not in plain.info
    alpha = _made(results[reqs["alpha.png"]], out)
    assert alpha.size == (64, 32)  # never enlarged
    assert alpha.getpixel((50, 16)) == pytest.approx((255, 255, 255), abs=8)  # transparent
    assert alpha.getpixel((15, 16)) == pytest.approx((0, 160, 0), abs=12)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        {str(t.name) for t in results.values() if t.name}
    )  # no temporary files left, nothing else written


def test_exif_orientation_applied(
    scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path
) -> None:
    request = _requests(conn)["rotated.jpg"]
    result = write_thumbnails(scanned[0], conn, [request], tmp_path, max_side=90)[request]
    image = _made(result, tmp_path)
    assert image.size == (30, 90)  # stored 300 × 100, displayed portrait
    assert image.getpixel((15, 10)) == pytest.approx((220, 0, 0), abs=25)  # stored left → top
    assert image.getpixel((15, 80)) == pytest.approx((0, 0, 220), abs=25)


def _edges(image: Image.Image) -> float:
    shifted = ImageChops.offset(image, 1, 1)
    return float(sum(ImageStat.Stat(ImageChops.difference(image, shifted)).mean))


def test_blur_is_strong_and_plain_version_never_written(
    scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path
) -> None:
    plain_req = _requests(conn)["plain.jpg"]
    blur_req = _requests(conn, blur=True)["plain.jpg"]
    blur_out = tmp_path / "blur"
    result = write_thumbnails(scanned[0], conn, [blur_req], blur_out)[blur_req]
    assert result.name == f"{blur_req.sha256}-blur.jpg"
    assert [p.name for p in blur_out.iterdir()] == [result.name]  # no unblurred file at all
    blurred = _made(result, blur_out)
    plain_out = tmp_path / "plain"
    plain = _made(write_thumbnails(scanned[0], conn, [plain_req], plain_out)[plain_req], plain_out)
    assert blurred.size == plain.size == (256, 128)
    assert _edges(plain) > 50 and _edges(blurred) < _edges(plain) / 20
    plain_var = sum(ImageStat.Stat(plain).var)
    assert sum(ImageStat.Stat(blurred).var) < plain_var / 10


def test_problems_are_named(
    scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path
) -> None:
    reqs = _requests(conn)
    before = Image.MAX_IMAGE_PIXELS
    filters = list(warnings.filters)
    results = write_thumbnails(scanned[0], conn, reqs.values(), tmp_path)
    assert before == Image.MAX_IMAGE_PIXELS  # Pillow's global limit untouched
    assert filters == warnings.filters
    problems = {name: results[r].problem for name, r in reqs.items()}
    assert problems["changed.jpg"] == (
        "file content differs from the scan (SHA-256 mismatch); not shown"
    )
    assert problems["corrupt.jpg"] == "not a readable image"
    assert problems["truncated.jpg"] == "image data is damaged or truncated"
    assert problems["bomb.png"] == "image too large to decode safely"
    assert problems["big.png"] == "image too large to decode safely (8000 × 8000 pixels)"
    if not HAS_HEIF:
        assert problems["photo.heic"] == "HEIC thumbnails need pillow-heif"
    for name in ("changed.jpg", "corrupt.jpg", "truncated.jpg", "bomb.png", "big.png"):
        assert results[reqs[name]].name is None
    assert not list(tmp_path.glob(f"{reqs['changed.jpg'].sha256}*"))


def test_local_pixel_limit_holds_without_pillows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Called here, not in the decoder process, so that the patch is seen."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # other code switched Pillow's off
    result = thumb_decode.jpeg(_png_header_only(100_000, 100_000), 256, False)
    assert result == "image too large to decode safely (100000 × 100000 pixels)"


def test_decoder_crash_costs_one_photo(
    scanned: tuple[Path, Path],
    conn: sqlite3.Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A decoder that dies in native code (as a Pillow or libheif bug on a crafted file would)
    gives a problem for that photo; the caller and the next photos are unharmed."""
    reqs = _requests(conn)
    first, second = reqs["plain.jpg"], reqs["rotated.jpg"]
    monkeypatch.setattr(thumbs.thumb_decode, "jpeg", isolation_tasks.segfault_once)
    mark = isolation_tasks.segfault_mark((scanned[1] / "DCIM/plain.jpg").read_bytes())
    mark.unlink(missing_ok=True)
    try:
        results = write_thumbnails(scanned[0], conn, [first, second], tmp_path / "out")
    finally:
        mark.unlink(missing_ok=True)
    assert results[first] == Thumb(
        None, "image decoder crashed on this file (damaged or hostile file?)"
    )
    assert results[second].name is not None, results[second]


def test_bad_requests(scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path) -> None:
    good = _requests(conn)["plain.jpg"]
    no_hash = ThumbRequest(good.evidence, good.path, None)
    hostile = ThumbRequest(good.evidence, good.path, "../../../etc/passwd")
    wrong_path = ThumbRequest(good.evidence, "/DCIM/other.jpg", good.sha256)
    no_evidence = ThumbRequest(99, good.path, good.sha256)
    results = write_thumbnails(
        scanned[0], conn, [no_hash, hostile, wrong_path, no_evidence], tmp_path
    )
    assert (
        results[no_hash].problem
        == results[hostile].problem
        == ("no SHA-256 recorded for this file")
    )
    assert results[wrong_path].problem == "file with this SHA-256 not found in the case index"
    assert results[no_evidence].problem == "file with this SHA-256 not found in the case index"
    assert not list(tmp_path.iterdir())


def test_size_limit(
    scanned: tuple[Path, Path],
    conn: sqlite3.Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(thumbs, "MAX_FILE_BYTES", 1000)
    request = _requests(conn)["plain.jpg"]
    assert write_thumbnails(scanned[0], conn, [request], tmp_path)[request] == Thumb(
        None, "too large for a thumbnail"
    )


def test_reproducible_bytes(
    scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path
) -> None:
    reqs = [*_requests(conn).values(), *_requests(conn, blur=True).values()]
    first = write_thumbnails(scanned[0], conn, reqs, tmp_path / "a")
    second = write_thumbnails(scanned[0], conn, reversed(reqs), tmp_path / "b")
    assert first == second
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 6  # plain, alpha, rotated; each plain and blurred
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_moved_evidence_opened_once_and_named(
    scanned: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir, phone = scanned
    copy = tmp_path / "case"
    shutil.copytree(case_dir, copy)
    conn = connect(copy / "case.sqlite", readonly=True)
    try:
        reqs = list(_requests(conn).values())
        calls: list[Path] = []

        def counting_open(path: Path, *args: Any) -> Any:
            calls.append(path)
            return open_evidence(path, *args)

        monkeypatch.setattr(thumbs, "open_evidence", counting_open)
        moved = phone.with_name("phone-moved")
        phone.rename(moved)
        try:
            results = write_thumbnails(copy, conn, reqs, tmp_path / "out")
        finally:
            moved.rename(phone)
        assert calls == [phone.resolve()]
        expected = f"evidence could not be opened: {phone}: no such file or folder"
        assert {t.problem for t in results.values()} == {expected}
        assert not list((tmp_path / "out").iterdir())
        results = write_thumbnails(copy, conn, reqs, tmp_path / "out")
        assert len(calls) == 2  # opened once per call, all requests share it
        plain = next(r for r in reqs if r.path == "/DCIM/plain.jpg")
        assert results[plain] == Thumb(f"{plain.sha256}.jpg", None)
    finally:
        conn.close()


def test_cancel(scanned: tuple[Path, Path], conn: sqlite3.Connection, tmp_path: Path) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        write_thumbnails(scanned[0], conn, _requests(conn).values(), tmp_path, cancel=cancel)


def test_unit_encode_has_no_metadata() -> None:
    image = Image.new("RGB", (8, 8), "red")
    image.info["comment"] = b"from evidence"
    data = thumb_decode._encode(image)
    assert b"from evidence" not in data
    assert Image.open(io.BytesIO(data)).info.get("comment") is None


def test_unit_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    out = io.BytesIO()
    Image.new("I;16", (40, 20), 30000).save(out, "PNG")
    frame = thumb_decode._decode(out.getvalue(), 16, False)
    assert frame.size == (16, 8) and frame.mode == "RGB"
    assert frame.getpixel((4, 4)) == pytest.approx((117, 117, 117), abs=2)
