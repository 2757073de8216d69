"""Thumbnails of photo records for the HTML and PDF reports, read back from the evidence.

Each request names a record's evidence item, path and the SHA-256 the indexer recorded. The
file is found in the case's `files` table by those three, read through its evidence source
(each evidence item opened at most once, lazily, all closed at the end) and hashed again:
only bytes that hash to the recorded SHA-256 are shown, so a file changed since the scan
gives a problem, never a thumbnail. The SHA-256 (checked to be 64 hex digits before it is
used as a name) names the output, `<sha256>.jpg` or `<sha256>-blur.jpg`, so identical photos
are decoded and written once.

Decoding is bounded: at most `MAX_FILE_BYTES` are read; only the formats in `FORMATS` are
tried; a JPEG is decoded at reduced size (`Image.draft`); an image whose (reduced) size
exceeds `MAX_PIXELS` is refused before its pixels are decoded, whatever Pillow's global
`MAX_IMAGE_PIXELS` is, and Pillow's own decompression-bomb warning is turned into a refusal
for the duration of the call (Pillow's settings are not changed). HEIC/HEIF is decoded only
when `pillow_heif` imports. Orientation: the EXIF orientation is read from the source and
applied to the thumbnail (the transposition `ImageOps.exif_transpose` does, done after the
downscale so a large photo is never copied at full size). Transparent pixels are composed on
white.

Output: baseline JPEG, quality 80, 4:2:0, written from a fresh RGB image so no EXIF, ICC
profile, comment or other metadata of the evidence is carried over; the same input gives the
same bytes. With `blur` only the blurred image is written: the thumbnail is reduced to
`BLUR_SIDE` pixels on its long side, scaled back and Gaussian-blurred, so nothing is
recognisable. Every failure to read or decode becomes a short plain-English `problem`;
only `Cancelled` (and errors writing the output folder) propagate.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import re
import sqlite3
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter, UnidentifiedImageError

from ..core.errors import Cancelled, EvidenceError, PasswordNeeded
from ..core.evidence import open_evidence
from ..core.evidence.base import EvidenceSource
from ..core.models import Locator
from ..core.progress import CancelToken
from .tables import write_bytes_atomic

MAX_FILE_BYTES = 64 * 1024**2
MAX_PIXELS = 50_000_000
BLUR_SIDE = 8
JPEG_QUALITY = 80
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")
_CHUNK = 1024**2
_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_FILE_SQL = (
    "SELECT locator, size FROM files WHERE evidence_id = ? AND path = ? AND kind = 'file'"
    " AND lower(sha256) = ? ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class ThumbRequest:
    evidence: int  # record["evidence"]
    path: str  # record["path"]
    sha256: str | None  # record["source_sha256"]
    blur: bool = False


@dataclass(frozen=True)
class Thumb:
    name: str | None  # file name relative to out_dir, None if not made
    problem: str | None  # why not (plain English, short), None if made


class _Problem(Exception):
    """A request that gives no thumbnail; the message is its `problem`."""


class _ContentProblem(_Problem):
    """A problem of the (verified) file content itself, the same for every copy of it."""


class _Sources:
    """Evidence sources, each opened at most once; an item that fails keeps its reason."""

    def __init__(
        self,
        case_dir: Path,
        conn: sqlite3.Connection,
        passwords: Mapping[int, str],
        cancel: CancelToken,
    ) -> None:
        self._case_dir = case_dir
        self._conn = conn
        self._passwords = passwords
        self._cancel = cancel
        self._open: dict[int, EvidenceSource] = {}
        self._failed: dict[int, str] = {}

    def get(self, evidence_id: int) -> EvidenceSource:
        if evidence_id in self._open:
            return self._open[evidence_id]
        if evidence_id not in self._failed:
            try:
                self._open[evidence_id] = self._open_one(evidence_id)
                return self._open[evidence_id]
            except _Problem as exc:
                self._failed[evidence_id] = str(exc)
        raise _Problem(self._failed[evidence_id])

    def _open_one(self, evidence_id: int) -> EvidenceSource:
        row = self._conn.execute(
            "SELECT identity FROM evidence WHERE id = ?", (evidence_id,)
        ).fetchone()
        if row is None:
            raise _Problem("evidence item not in the case")
        password = self._passwords.get(evidence_id)
        try:
            return open_evidence(Path(row[0]), self._case_dir / "work", self._cancel, password)
        except Cancelled:
            raise
        except PasswordNeeded as exc:
            raise _Problem(f"encrypted backup: {exc}") from exc
        except EvidenceError as exc:
            raise _Problem(_short(f"evidence could not be opened: {exc}")) from exc
        except Exception as exc:
            raise _Problem(f"evidence could not be opened ({type(exc).__name__})") from exc

    def close(self) -> None:
        for source in self._open.values():
            with contextlib.suppress(EvidenceError, OSError):  # read-only: nothing to lose
                source.close()
        self._open.clear()


def write_thumbnails(
    case_dir: Path,
    conn: sqlite3.Connection,
    requests: Iterable[ThumbRequest],
    out_dir: Path,
    *,
    max_side: int = 256,
    passwords: Mapping[int, str] | None = None,
    cancel: CancelToken | None = None,
) -> dict[ThumbRequest, Thumb]:
    """Write a JPEG thumbnail for each request into `out_dir`; the outcome of each request."""
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    cancel = cancel or CancelToken()
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = _Sources(case_dir, conn, passwords or {}, cancel)
    made: dict[tuple[str, bool], Thumb] = {}  # by content: decoded once per photo
    results: dict[ThumbRequest, Thumb] = {}
    try:
        for request in requests:
            cancel.check()
            if request not in results:
                results[request] = _one(request, conn, sources, out_dir, max_side, made, cancel)
    finally:
        sources.close()
    return results


def _one(
    request: ThumbRequest,
    conn: sqlite3.Connection,
    sources: _Sources,
    out_dir: Path,
    max_side: int,
    made: dict[tuple[str, bool], Thumb],
    cancel: CancelToken,
) -> Thumb:
    sha256 = request.sha256.lower() if isinstance(request.sha256, str) else None
    if sha256 is None or not _SHA256.fullmatch(sha256):
        return Thumb(None, "no SHA-256 recorded for this file")
    key = (sha256, bool(request.blur))
    if key in made:
        return made[key]
    try:
        data = _read(request, sha256, conn, sources, cancel)
        jpeg = _encode(_decode(data, max_side, key[1]))
    except _ContentProblem as exc:  # depends on the content only: the same for every copy
        made[key] = Thumb(None, str(exc))
        return made[key]
    except _Problem as exc:
        return Thumb(None, str(exc))
    name = f"{sha256}-blur.jpg" if key[1] else f"{sha256}.jpg"
    write_bytes_atomic(out_dir / name, jpeg)
    made[key] = Thumb(name, None)
    return made[key]


def _read(
    request: ThumbRequest,
    sha256: str,
    conn: sqlite3.Connection,
    sources: _Sources,
    cancel: CancelToken,
) -> bytes:
    """The file's bytes, checked against the recorded SHA-256."""
    if not isinstance(request.evidence, int) or not isinstance(request.path, str):
        raise _Problem("record does not name a file in the evidence")
    row = conn.execute(_FILE_SQL, (request.evidence, request.path, sha256)).fetchone()
    if row is None:
        raise _Problem("file with this SHA-256 not found in the case index")
    if not isinstance(row[1], int) or row[1] > MAX_FILE_BYTES:
        raise _Problem("too large for a thumbnail")
    source = sources.get(request.evidence)
    try:
        data = _read_bounded(source, Locator.parse(row[0]), cancel)
    except (Cancelled, _Problem):
        raise
    except EvidenceError as exc:
        raise _Problem(_short(f"file could not be read from the evidence: {exc}")) from exc
    except Exception as exc:
        raise _Problem(f"file could not be read from the evidence ({type(exc).__name__})") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _Problem("file content differs from the scan (SHA-256 mismatch); not shown")
    return data


def _read_bounded(source: EvidenceSource, locator: Locator, cancel: CancelToken) -> bytes:
    buffer = bytearray()
    with source.open(locator) as stream:
        while True:
            cancel.check()
            chunk = stream.read(min(_CHUNK, MAX_FILE_BYTES + 1 - len(buffer)))
            if not chunk:
                return bytes(buffer)
            buffer += chunk
            if len(buffer) > MAX_FILE_BYTES:
                raise _Problem("too large for a thumbnail")


def _decode(data: bytes, max_side: int, blur: bool) -> Image.Image:
    try:
        return _thumbnail(data, max_side, blur)
    except (_ContentProblem, Cancelled):
        raise
    except Exception as exc:
        raise _ContentProblem(_decode_problem(exc)) from exc


def _decode_problem(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return "image too large to decode safely"
    if isinstance(exc, UnidentifiedImageError):
        return "not a readable image"
    if isinstance(exc, OSError | SyntaxError | EOFError):
        return "image data is damaged or truncated"
    if isinstance(exc, MemoryError):
        return "image too large to decode"
    return f"image could not be decoded ({type(exc).__name__})"


def _thumbnail(data: bytes, max_side: int, blur: bool) -> Image.Image:
    formats = _formats(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (2 * max_side, 2 * max_side))
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise _ContentProblem(
                    f"image too large to decode safely ({width} × {height} pixels)"
                )
            orientation = _orientation(image)
            image.load()
            frame = _rgb(image)
    frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if orientation in _TRANSPOSE:
        frame = frame.transpose(_TRANSPOSE[orientation])
    return _blurred(frame) if blur else frame


def _formats(data: bytes) -> list[str]:
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        if not _heif_available():
            raise _ContentProblem("HEIC thumbnails need pillow-heif")
        return ["HEIF"]
    Image.init()  # loads the plugins once; a name Pillow does not know would raise KeyError
    return [name for name in FORMATS if name in Image.OPEN]


_heif_state: list[bool] = []


def _heif_available() -> bool:
    if not _heif_state:
        try:
            module = importlib.import_module("pillow_heif")
            module.register_heif_opener()
            _heif_state.append(True)
        except Exception:  # noqa: BLE001 - a broken optional plugin means "not available"
            _heif_state.append(False)
    return _heif_state[0]


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG)
    except Exception:  # noqa: BLE001 - unreadable EXIF: the image is shown as stored
        return 1
    return value if isinstance(value, int) else 1


def _rgb(image: Image.Image) -> Image.Image:
    transparent = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    if image.mode.startswith("I;16"):  # 16-bit grey: scaled to 8 bits, not clipped
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("RGB")
    if not transparent:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _blurred(frame: Image.Image) -> Image.Image:
    width, height = frame.size
    scale = BLUR_SIDE / max(width, height)
    tiny_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    tiny = frame.resize(tiny_size, Image.Resampling.BOX)
    coarse = tiny.resize((width, height), Image.Resampling.BICUBIC)
    radius = max(2.0, max(width, height) / 32)
    return coarse.filter(ImageFilter.GaussianBlur(radius))


def _encode(frame: Image.Image) -> bytes:
    clean = Image.new("RGB", frame.size)  # no info: no EXIF, ICC, comment or DPI carried over
    clean.paste(frame)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=2, optimize=False, progressive=False)
    return out.getvalue()


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
