"""Photos and videos: one `media` record per file the indexer typed as an image or a video.

Chosen by detected content type (`mime_types`), never by extension: a HEIC photo renamed to
`.jpg` is read as HEIC. EXIF is read with exifread 3.5.1 (JPEG, TIFF/DNG, HEIC/HEIF/AVIF; also
PNG `eXIf` and WebP, for which the corpus has no sample). Checked against the exif-py test
images (Nikon, Kodak, Canon, Olympus, Casio, Apple and HMD/Nokia JPEGs, Nokia HEIF, iPhone 13
HEIC, Olympus AVIF, TIFFs, the malformed samples) and plaso's DJI `testimage.jpg`. Videos
(MP4, QuickTime, 3GP) get a record with `mime` only: exifread does not read their atoms, so
their creation time and `©xyz` position are not extracted.

Timestamps: `DateTimeOriginal` is the camera's local wall clock as text ("YYYY:MM:DD
HH:MM:SS", no zone); `OffsetTimeOriginal` (EXIF 2.31, "+HH:MM") is its UTC offset when the
device wrote one. `taken_local` keeps the wall clock (ISO-8601, plus the offset when known);
`ts` is that moment in UTC only when the offset is known, else the GPS fix time
(`GPSDateStamp` + `GPSTimeStamp`, UTC by definition, but the time of the last fix, which can
be stale), else null: local time is never presented as UTC. `ts_raw` is the
`DateTimeOriginal` text as stored (null when absent, even when `ts` comes from GPS; the GPS
time is also in `gps_ts`). GPS: degrees/minutes/seconds rationals with N/S, E/W refs (south
and west negative, rounded to 1e-8°); `GPSAltitudeRef` 1 means below sea level.

Bounds: exifread sees only the first 64 MiB, through a forward-only buffer with a read budget,
so a crafted IFD chain or length cannot hang the scan or exhaust memory. EXIF that points past
the end of the file (a truncated copy) is dropped with a warning, since exifread then reads
values from the wrong place. HEIF item tables are pre-checked (see `_heif_problem`). Not
read: MakerNotes, XMP, HEIC brands other than `heic`/`mif1`/`avif` (e.g. `heix`).
"""

from __future__ import annotations

import logging
import re
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any, BinaryIO, ClassVar, cast

import exifread
from exifread.core.exceptions import ExifError

from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, ParseContext, Parser
from triage_app.core.progress import CancelToken
from triage_app.core.timeconv import from_unix_s, iso

PHOTO_TYPES = (
    "image/jpeg", "image/png", "image/tiff", "image/heic", "image/heif", "image/avif", "image/webp",
)  # fmt: skip
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/3gpp")
WINDOW = 64 * 1024 * 1024  # bytes of a file exifread may see
MAX_READS = 50_000  # the corpus photos need at most ~1,000; a crafted IFD chain millions
MAX_BYTES = 2 * WINDOW  # bytes handed to exifread in total
_CHUNK = 64 * 1024
_HEIF_FTYP = (b"ftypheic", b"ftypmif1", b"ftypavif")  # the brands exifread walks as HEIF
_MAX_BOXES = 1024

# What exifread raised, even with strict=False, on ~25,000 truncated and byte-flipped copies
# of the corpus photos (its HEIF reader validates with `assert`; TypeError/ValueError also
# come from _Window for corrupt offsets). They mean "EXIF unreadable", not "file
# unreadable", so the photo is still recorded.
_EXIF_ERRORS = (
    ExifError, AssertionError, EOFError, IndexError, KeyError, NotImplementedError,
    TypeError, ValueError,
)  # fmt: skip
_DATETIME = re.compile(r"\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"\s*([+-])(\d{2}):(\d{2})\s*$")
_GPS_DATE = re.compile(r"\s*(\d{4})[:-](\d{2})[:-](\d{2})")


class _WorkLimit(Exception):
    """exifread needed more reads or bytes than any genuine photo does."""


class _Window:
    """Read-only view of a file's first `WINDOW` bytes for exifread, filled forward on demand.

    exifread seeks back and forth; the evidence stream (a zip member, a file in a disk image)
    is only read forward, once, and never past the window. Every read counts against the
    work budget; going over it raises `_WorkLimit`.
    """

    def __init__(self, inner: BinaryIO, cancel: CancelToken) -> None:
        self._inner, self._cancel = inner, cancel
        self._buf = bytearray()
        self._pos = 0
        self._eof = False
        self.reads = 0
        self.bytes_out = 0
        self.past_end = 0  # reads that found nothing: beyond the end of the file or window

    def _fill(self, end: int) -> None:
        while len(self._buf) < end and not self._eof:
            want = min(WINDOW - len(self._buf), max(_CHUNK, end - len(self._buf)))
            chunk = self._inner.read(want)
            self._eof = not chunk
            self._buf += chunk

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads % 1024 == 0:
            self._cancel.check()
        if self.reads > MAX_READS:
            raise _WorkLimit(f"more than {MAX_READS} reads")
        start = self._pos
        stop = WINDOW if size is None or size < 0 else min(start + size, WINDOW)
        self._fill(stop)
        data = bytes(self._buf[start:stop])
        self.past_end += size != 0 and not data
        self._pos += len(data)
        self.bytes_out += len(data)
        if self.bytes_out > MAX_BYTES:
            raise _WorkLimit(f"more than {MAX_BYTES} bytes read")
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if not isinstance(offset, int):  # exifread passes corrupt rational "offsets" through
            raise TypeError(f"seek offset {offset!r} is not an integer")
        if whence == 2:
            self._fill(WINDOW)
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos


class ExifMedia(Parser):
    name = "exif_media"
    version = "1.0"
    kinds = ("media",)
    mime_types: ClassVar[tuple[str, ...]] = PHOTO_TYPES + VIDEO_TYPES

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        ctx.cancel.check()
        tags: dict[str, Any] = {}
        if file.mime in PHOTO_TYPES:
            with ctx.open() as stream:
                tags = _read_exif(_Window(stream, ctx.cancel), file, ctx)
        yield _record(file.mime, tags, ctx)


def _read_exif(window: _Window, file: FileInfo, ctx: ParseContext) -> dict[str, Any]:
    if window.read(12)[4:12] in _HEIF_FTYP and (problem := _heif_problem(window)):
        ctx.warn(f"EXIF not read: {problem}")
        return {}
    window.past_end = 0
    try:
        with _exifread_warnings() as messages:
            tags = exifread.process_file(
                cast(BinaryIO, window), details=False, strict=False, extract_thumbnail=False
            )
    except _WorkLimit as exc:
        ctx.warn(f"EXIF not read: work limit reached ({exc}); malformed or hostile metadata")
        return {}
    except _EXIF_ERRORS as exc:
        ctx.warn(f"EXIF unreadable: {type(exc).__name__}: {exc}")
        return {}
    for message in messages:
        ctx.warn(f"exifread: {message}")
    if tags and window.past_end:
        # exifread reads an offset it cannot reach as 0 and takes that value from the start of
        # the EXIF block: a truncated photo would get a plausible but wrong model or position.
        where = f"the first {WINDOW >> 20} MiB (not read)" if file.size > WINDOW else "the end"
        ctx.warn(f"EXIF points past {where} of the file: EXIF values not used")
        return {}
    return dict(tags)


class _Collect(logging.Handler):
    """exifread reports recoverable damage (corrupt IFD, bad field) only through logging."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # process_file() (module __init__) also logs "no EXIF in this format": not damage.
        if record.thread != self.thread or record.module == "__init__":
            return
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


@contextmanager
def _exifread_warnings() -> Iterator[list[str]]:
    logger = logging.getLogger("exifread")
    handler, level = _Collect(), logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _heif_problem(window: _Window) -> str | None:
    """Why exifread must not walk this HEIF, or None.

    exifread keeps HEIF `meta` children in a class-level dict shared by every file, so a file
    without `iinf`/`iloc` would be read with the previous file's item table; and an `iloc`
    whose extents have no offset/length bytes makes it allocate 65535 entries per item
    without reading anything (a 400-byte file took 240 MB).
    """
    meta = next((b for b in _boxes(window, 0, WINDOW) if b[0] == b"meta"), None)
    if meta is None:
        return "HEIF file has no 'meta' box"
    children = {kind: (start, end) for kind, start, end in _boxes(window, meta[1] + 4, meta[2])}
    if b"iinf" not in children or b"iloc" not in children:
        return "HEIF 'meta' box lacks its item tables (iinf/iloc)"
    window.seek(children[b"iloc"][0])
    head = window.read(10)
    if len(head) < 10:
        return "HEIF 'iloc' box truncated"
    version = head[0]
    offset_size, length_size, index_size = head[4] >> 4, head[4] & 15, head[5] & 15
    items = struct.unpack(">H", head[6:8])[0] if version < 2 else struct.unpack(">I", head[6:])[0]
    per_extent = offset_size + length_size + (index_size if version in (1, 2) else 0)
    if per_extent == 0 and items > 1:
        return "HEIF 'iloc' extents hold no offset or length (malformed item table)"
    return None


def _boxes(window: _Window, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO-BMFF boxes in [start, end) as (type, payload start, box end); stops at damage."""
    pos = start
    for _ in range(_MAX_BOXES):
        window.seek(pos)
        head = window.read(16)
        if len(head) < 8 or pos + 8 > end:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1 and len(head) == 16:
            size, header = struct.unpack(">Q", head[8:])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _record(mime: str | None, tags: dict[str, Any], ctx: ParseContext) -> Artifact:
    raw_taken = _text(tags, "EXIF DateTimeOriginal")
    taken = _local_time(raw_taken, ctx)
    offset = _offset(_text(tags, "EXIF OffsetTimeOriginal"))
    gps_time = _gps_time(tags, ctx)
    ts, taken_local = gps_time, None if taken is None else taken.isoformat()
    if taken is not None and offset is not None:
        ts = from_unix_s(taken.replace(tzinfo=offset[1]).timestamp())
        taken_local = f"{taken_local}{offset[0]}"
    extra = {
        "width": _int(tags, "EXIF ExifImageWidth") or _int(tags, "Image ImageWidth"),
        "height": _int(tags, "EXIF ExifImageLength") or _int(tags, "Image ImageLength"),
        "orientation": _int(tags, "Image Orientation"),
        "software": _text(tags, "Image Software"),
        "gps_ts": iso(gps_time),
        "lens": _text(tags, "EXIF LensModel"),
        "serial": _text(tags, "EXIF BodySerialNumber"),
    }
    fields: dict[str, Any] = {
        "mime": mime,
        "make": _text(tags, "Image Make"),
        "model": _text(tags, "Image Model"),
        "taken_local": taken_local,
        "lat": _coordinate(tags, "Latitude", ("N", "S"), 90.0, ctx),
        "lon": _coordinate(tags, "Longitude", ("E", "W"), 180.0, ctx),
        "alt": _altitude(tags, ctx),
        **{k: v for k, v in extra.items() if v is not None},
    }
    return Artifact(kind="media", fields=fields, ts=ts, ts_raw=raw_taken)


def _values(tags: dict[str, Any], key: str) -> Any:
    tag = tags.get(key)
    return getattr(tag, "values", None)


def _text(tags: dict[str, Any], key: str) -> str | None:
    value = _values(tags, key)
    if isinstance(value, bytes):  # exifread leaves undecodable ASCII fields as bytes
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    return value.strip(" \x00") or None


def _int(tags: dict[str, Any], key: str) -> int | None:
    value = _values(tags, key)
    if isinstance(value, list) and value and isinstance(value[0], int):
        return int(value[0])
    return None


def _number(value: Any) -> float | None:
    """A rational/int/float tag value as float; None for 0-denominator or other types."""
    if isinstance(value, tuple) and len(value) == 1:  # exifread wraps FLOAT/DOUBLE values
        value = value[0]
    if isinstance(value, Fraction):
        return None if value.denominator == 0 else float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _local_time(raw: str | None, ctx: ParseContext) -> datetime | None:
    if raw is None or not raw.strip(" 0:\x00"):  # cameras with an unset clock write zeros
        return None
    if match := _DATETIME.match(raw):
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        try:
            return datetime(year, month, day, hour, minute, second)
        except ValueError:
            pass
    ctx.warn(f"DateTimeOriginal is not a date and time: {raw!r}")
    return None


def _offset(raw: str | None) -> tuple[str, timezone] | None:
    match = _OFFSET.match(raw or "")
    if match is None:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    return f"{sign}{hours:02d}:{minutes:02d}", timezone(delta)


def _gps_time(tags: dict[str, Any], ctx: ParseContext) -> datetime | None:
    date = _GPS_DATE.match(_text(tags, "GPS GPSDate") or "")
    clock = _values(tags, "GPS GPSTimeStamp")
    if date is None or not isinstance(clock, list) or len(clock) != 3:
        return None
    h, m, s = (_number(v) for v in clock)
    if h is None or m is None or s is None or not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 61):
        ctx.warn(f"GPSTimeStamp is not a time of day: {clock}")
        return None
    year, month, mday = (int(g) for g in date.groups())
    try:
        day = datetime(year, month, mday, tzinfo=UTC)
    except ValueError:
        ctx.warn(f"GPSDateStamp is not a date: {date.group(0)!r}")
        return None
    return from_unix_s((day + timedelta(hours=h, minutes=m, seconds=s)).timestamp())


def _coordinate(
    tags: dict[str, Any], axis: str, refs: tuple[str, str], limit: float, ctx: ParseContext
) -> float | None:
    values = _values(tags, f"GPS GPS{axis}")
    if not isinstance(values, list) or not values:
        return None
    parts = [p for p in (_number(v) for v in values[:3]) if p is not None and p >= 0]
    ref = (_text(tags, f"GPS GPS{axis}Ref") or "").upper()[:1]
    if len(parts) != len(values[:3]) or ref not in refs:
        # No guess at the hemisphere: a wrong sign puts the photo on another continent.
        ctx.warn(f"GPS{axis} unusable: {values} ref {ref!r}")
        return None
    degrees = sum(p / unit for p, unit in zip(parts, (1.0, 60.0, 3600.0), strict=False))
    if degrees > limit:
        ctx.warn(f"GPS{axis} out of range: {degrees}")
        return None
    degrees = round(degrees, 8)  # 1e-8° ≈ 1 mm: drops float noise, not GPS precision
    return -degrees if ref == refs[1] else degrees


def _altitude(tags: dict[str, Any], ctx: ParseContext) -> float | None:
    values = _values(tags, "GPS GPSAltitude")
    if not isinstance(values, list) or not values:
        return None
    metres = _number(values[0])
    if metres is None:
        ctx.warn(f"GPSAltitude unusable: {values}")
        return None
    # GPSAltitudeRef 1 = below sea level; absent means above (EXIF 2.2 default 0).
    metres = round(metres, 3)
    return -metres if _int(tags, "GPS GPSAltitudeRef") == 1 else metres
