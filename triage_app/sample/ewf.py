"""A pure-Python EWF-E01 writer (EnCase 6 layout) for the workshop sample's laptop disk.

Follows Joachim Metz's "Expert Witness Compression Format (EWF)" specification (libewf
documentation) and the layout libewf's `ewfacquire -f encase6` writes, section by section:

- first segment: file header, `header2` twice, `header`, `volume`, then groups of
  `sectors` + `table` + `table2`;
- later segments: file header, `data` (a copy of the volume section), then groups;
- the last segment ends with `data` (only when it is also the first), `digest`, `hash` and
  `done`; every other segment ends with `next`.

No clock, no randomness, no locale: the acquisition date comes from `AcquisitionInfo` and the
segment file set identifier is a name-based GUID derived from it, so the same raw image and
info give the same segment files on every machine with the same zlib (zlib's deflate output
for a given level is what EnCase and libewf store too; the media bytes and hashes never depend
on it). The raw image is read one chunk at a time, never whole.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

# EWF spec §2.1 "File header": signature, start of fields, segment number, end of fields.
_SIGNATURE = b"EVF\x09\x0d\x0a\xff\x00"
_DESCRIPTOR = 76  # EWF spec §3.1 "Section descriptor"
_SECTOR = 512
_VOLUME_SIZE = 1052  # EWF spec "Volume section", EWF-E01 variant
_MEDIA_FIXED_DISK = 0x01
_MEDIA_FLAGS = 0x01 | 0x02  # an image file, of a physical device (the disk has a partition table)
_COMPRESSED = 0x8000_0000  # MSB of a table entry: the chunk is zlib-compressed
_MAX_OFFSET = 0x7FFF_FFFF  # entries hold 31-bit offsets from the table's base offset
# A table of more entries is valid for EnCase 6 (up to 65534), but 16375 is the limit of the
# ASR specification that FTK 1 and every other reader honours (EWF spec "Table section").
_MAX_TABLE_ENTRIES = 16375
_MIN_SEGMENT_SIZE = 1024 * 1024  # ewfacquire's minimum
# The largest end of a segment: `data` + `digest` + `hash` + `done` (a `next` is smaller).
_TAIL = (_DESCRIPTOR + _VOLUME_SIZE) + (_DESCRIPTOR + 80) + (_DESCRIPTOR + 36) + _DESCRIPTOR
_SET_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qarina:sample:ewf-set-identifier")


@dataclass(frozen=True)
class AcquisitionInfo:
    """What the examiner typed into the imaging tool, stored in the header sections."""

    case_number: str
    evidence_number: str
    examiner: str
    description: str
    notes: str
    acquired: datetime  # UTC; written into the header's acquisition and system dates
    acquiry_software: str = "Qarina sample generator"
    acquiry_os: str = "Qarina"


@dataclass(frozen=True)
class EwfResult:
    segments: list[Path]
    md5: str
    sha1: str
    media_size: int


@dataclass(frozen=True)
class _Geometry:
    media_size: int
    sectors_per_chunk: int
    compression_level: int

    @property
    def chunk_size(self) -> int:
        return self.sectors_per_chunk * _SECTOR

    @property
    def chunk_count(self) -> int:
        return -(-self.media_size // self.chunk_size)


def write_e01(
    raw: Path,
    out: Path,
    info: AcquisitionInfo,
    *,
    sectors_per_chunk: int = 64,
    compression_level: int = 6,
    segment_size: int = 1_500_000_000,
) -> EwfResult:
    """Write the raw disk image `raw` as an EWF-E01 set whose first segment is `out`
    ("laptop.E01"); further segments (.E02 …) only when the data exceeds `segment_size`.

    Each segment holds at least one chunk, and is at most `segment_size` bytes otherwise.
    Later segments of an earlier, longer set with the same name are removed, so a reader
    globbing `out` never mixes two sets.
    """
    media_size = Path(raw).stat().st_size
    _validate(out, info, media_size, sectors_per_chunk, compression_level, segment_size)
    geometry = _Geometry(media_size, sectors_per_chunk, compression_level)
    volume = _volume_payload(geometry, _set_identifier(info, media_size))
    writer = _SetWriter(Path(out), volume, segment_size)
    md5, sha1 = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False)
    done = 0
    try:
        writer.start(_header2_payload(info), _header_payload(info))
        with Path(raw).open("rb") as src:
            while done < media_size and (chunk := src.read(geometry.chunk_size)):
                md5.update(chunk)
                sha1.update(chunk)
                writer.add_chunk(*_stored_chunk(chunk, compression_level))
                done += len(chunk)
        if done != media_size:
            raise OSError(f"{raw}: read {done} of {media_size} bytes (file changed while read)")
        writer.finish(md5.digest(), sha1.digest())
    finally:
        writer.close()
    _remove_stale(Path(out), len(writer.paths))
    return EwfResult(writer.paths, md5.hexdigest(), sha1.hexdigest(), media_size)


def segment_path(first: Path, number: int) -> Path:
    """The path of segment `number` (1-based) of the set whose first segment is `first`:
    .E01 … .E99, then .EAA … .EZZ, .FAA … .ZZZ (EWF spec §2.2 "Segment file extensions");
    the letters keep the case of `first`'s extension."""
    if number < 1:
        raise ValueError(f"segment numbers start at 1, not {number}")
    if number < 100:
        ext = f"E{number:02d}"
    else:
        k = number - 100
        lead = ord("E") + k // (26 * 26)
        if lead > ord("Z"):
            raise ValueError(f"segment {number} is past .ZZZ, the last EWF-E01 extension")
        ext = chr(lead) + chr(ord("A") + k // 26 % 26) + chr(ord("A") + k % 26)
    return first.with_suffix("." + (ext.lower() if first.suffix[1:2].islower() else ext))


def _validate(
    out: Path,
    info: AcquisitionInfo,
    media_size: int,
    sectors_per_chunk: int,
    compression_level: int,
    segment_size: int,
) -> None:
    if Path(out).suffix.upper() != ".E01":
        raise ValueError(f"{out}: the first EWF-E01 segment must end in .E01")
    if media_size == 0 or media_size % _SECTOR:
        raise ValueError(f"media size {media_size} is not a positive multiple of {_SECTOR}")
    if sectors_per_chunk not in {2**n for n in range(4, 16)}:
        raise ValueError(f"sectors per chunk {sectors_per_chunk}: a power of 2, 16 … 32768")
    if not 0 <= compression_level <= 9:
        raise ValueError(f"compression level {compression_level}: zlib levels are 0 … 9")
    if segment_size < _MIN_SEGMENT_SIZE:
        raise ValueError(f"segment size {segment_size} is below {_MIN_SEGMENT_SIZE} bytes")
    if info.acquired.tzinfo is None:
        raise ValueError("AcquisitionInfo.acquired must be timezone-aware (UTC)")
    for name in ("case_number", "evidence_number", "examiner", "description", "notes"):
        if any(c in getattr(info, name) for c in "\t\r\n"):
            # Header values are tab-separated lines; EWF has no escape for these characters.
            raise ValueError(f"AcquisitionInfo.{name} must not contain tabs or line breaks")


# --- section payloads -----------------------------------------------------------------------


def _descriptor(kind: str, offset: int, size: int) -> bytes:
    """EWF spec §3.1: type, next section offset (itself for `next`/`done`, whose size is 0
    in EnCase files), section size, 40 bytes of padding and the Adler-32 of the above."""
    following = offset + size if size else offset
    head = struct.pack("<16sQQ40x", kind.encode("ascii"), following, size)
    return head + struct.pack("<I", zlib.adler32(head))


def _with_checksum(data: bytes) -> bytes:
    return data + struct.pack("<I", zlib.adler32(data))


def _header_values(info: AcquisitionInfo) -> dict[str, str]:
    acquired = info.acquired.astimezone(UTC)
    stamp = str(int(acquired.timestamp()))
    return {"a": info.description, "c": info.case_number, "n": info.evidence_number,
            "e": info.examiner, "t": info.notes, "md": "", "sn": "",
            "av": info.acquiry_software, "ov": info.acquiry_os, "m": stamp, "u": stamp,
            "p": "0", "dc": ""}  # fmt: skip


def _header2_payload(info: AcquisitionInfo) -> bytes:
    """EWF spec "Header2 section", EnCase 5 to 7: three categories (main, srce, sub), lines
    ending in LF, dates as POSIX seconds, UTF-16LE with its byte order mark, zlib-compressed.
    The srce/sub rows are the empty ones EnCase 6 (and ewfacquire) write."""
    values = _header_values(info)
    lines = [
        "3", "main", "\t".join(values), "\t".join(values.values()), "",
        "srce", "0\t1", "p\tn\tid\tev\ttb\tlo\tpo\tah\tgu\taq", "0\t0",
        "\t\t\t\t\t-1\t-1\t\t\t", "",
        "sub", "0\t1", "p\tn\tid\tnu\tco\tgu", "0\t0", "\t\t\t\t1\t", "", "",
    ]  # fmt: skip
    return zlib.compress("\n".join(lines).encode("utf-16"), 9)


def _header_payload(info: AcquisitionInfo) -> bytes:
    """EWF spec "Header section", EnCase 4 to 7: one category, lines ending in CR LF, dates
    as "2023 11 14 22 13 19" (year month day hour minute second, UTC here), ASCII with
    anything else replaced by "?", zlib-compressed. Readers that know header2 prefer it."""
    values = _header_values(info)
    acquired = info.acquired.astimezone(UTC)
    date = " ".join(str(v) for v in acquired.timetuple()[:6])
    values.update(m=date, u=date)
    names = ("c", "n", "a", "e", "t", "av", "ov", "m", "u", "p")
    lines = ["1", "main", "\t".join(names), "\t".join(values[k] for k in names), "", ""]
    return zlib.compress("\r\n".join(lines).encode("ascii", errors="replace"), 9)


def _set_identifier(info: AcquisitionInfo, media_size: int) -> uuid.UUID:
    """A name-based (RFC 4122 version 5) GUID of the info and media size: EnCase writes a
    random one, which would make every build of the sample differ."""
    fields = (info.case_number, info.evidence_number, info.examiner, info.description,
              info.notes, info.acquired.astimezone(UTC).isoformat(), info.acquiry_software,
              info.acquiry_os, str(media_size))  # fmt: skip
    return uuid.uuid5(_SET_ID_NAMESPACE, "\x00".join(fields))


def _volume_payload(geometry: _Geometry, set_id: uuid.UUID) -> bytes:
    """EWF spec "Volume section", EWF-E01 (1052 bytes): media type, chunk count, sectors per
    chunk, bytes per sector, sector count (64-bit), CHS left 0, media flags, PALM and SMART
    sectors 0, compression level (0 none, 1 good, 2 best), error granularity, set identifier
    (stored little-endian like any Windows GUID) and the Adler-32 of everything before."""
    level = 0 if geometry.compression_level == 0 else 2 if geometry.compression_level == 9 else 1
    head = struct.pack(
        "<B3xIIIQ12xB3x12xB3xI4x16s",
        _MEDIA_FIXED_DISK,
        geometry.chunk_count,
        geometry.sectors_per_chunk,
        _SECTOR,
        geometry.media_size // _SECTOR,
        _MEDIA_FLAGS,
        level,
        geometry.sectors_per_chunk,
        set_id.bytes_le,
    )
    return _with_checksum(head.ljust(_VOLUME_SIZE - 4, b"\x00"))


def _table_payload(base: int, entries: list[int]) -> bytes:
    """EWF spec "Table section", EnCase 6 to 7: entry count, table base offset, header
    Adler-32, the 32-bit entries (offset from the base, MSB = compressed) and their Adler-32."""
    header = _with_checksum(struct.pack("<I4xQ4x", len(entries), base))
    return header + _with_checksum(struct.pack(f"<{len(entries)}I", *entries))


def _stored_chunk(data: bytes, level: int) -> tuple[bytes, bool]:
    """EWF spec "Sectors section": a chunk is stored zlib-compressed unless the compressed
    form (with its Adler-32) is larger than the chunk, then raw followed by its Adler-32."""
    if level:
        packed = zlib.compress(data, level)
        if len(packed) <= len(data):
            return packed, True
    return _with_checksum(data), False


# --- segment files --------------------------------------------------------------------------


class _Segment:
    """One segment file: sections back to back; a `sectors` section's descriptor is written
    as a placeholder and patched when its chunks are all in, so chunks stream to disk."""

    def __init__(self, path: Path, number: int) -> None:
        self.path = path
        self.fh: BinaryIO = path.open("w+b")
        self.fh.write(_SIGNATURE + struct.pack("<BHH", 1, number, 0))
        self.pos = self.fh.tell()
        self.group_start: int | None = None
        self.entries: list[int] = []
        self.chunks = 0

    def section(self, kind: str, payload: bytes = b"") -> None:
        size = 0 if kind in ("next", "done") else _DESCRIPTOR + len(payload)
        self.fh.write(_descriptor(kind, self.pos, size) + payload)
        self.pos += _DESCRIPTOR + len(payload)

    def fits(self, stored: int, limit: int) -> bool:
        """Whether the chunk, its group's tables and the largest ending stay within limit."""
        opening = _DESCRIPTOR if self.group_start is None else 0
        tables = 2 * (_DESCRIPTOR + 24 + 4 * (len(self.entries) + 1) + 4)
        return self.chunks == 0 or self.pos + opening + stored + tables + _TAIL <= limit

    def add_chunk(self, stored: bytes, compressed: bool) -> None:
        if self.group_start is None:
            self.group_start = self.pos
            self.fh.write(bytes(_DESCRIPTOR))
            self.pos += _DESCRIPTOR
        relative = self.pos - self.group_start
        self.entries.append(relative | (_COMPRESSED if compressed else 0))
        self.fh.write(stored)
        self.pos += len(stored)
        self.chunks += 1

    def group_full(self, stored: int) -> bool:
        if self.group_start is None:
            return False
        return len(self.entries) >= _MAX_TABLE_ENTRIES or (
            self.pos + stored - self.group_start > _MAX_OFFSET
        )

    def close_group(self) -> None:
        """Patch the `sectors` descriptor, then write `table` and its mirror `table2`."""
        if self.group_start is None:
            return
        self.fh.seek(self.group_start)
        self.fh.write(_descriptor("sectors", self.group_start, self.pos - self.group_start))
        self.fh.seek(self.pos)
        table = _table_payload(self.group_start, self.entries)
        self.section("table", table)
        self.section("table2", table)
        self.group_start, self.entries = None, []


class _SetWriter:
    """Distributes chunks over segment files, opening the next one when a chunk would push
    the current one (with its tables and the largest possible ending) past the limit."""

    def __init__(self, first: Path, volume: bytes, segment_size: int) -> None:
        self.first = first
        self.volume = volume
        self.limit = segment_size
        self.paths: list[Path] = []
        self.current: _Segment | None = None

    def _open(self) -> _Segment:
        number = len(self.paths) + 1
        segment = _Segment(segment_path(self.first, number), number)
        self.paths.append(segment.path)
        self.current = segment
        return segment

    def start(self, header2: bytes, header: bytes) -> None:
        segment = self._open()
        segment.section("header2", header2)  # EnCase writes header2 twice
        segment.section("header2", header2)
        segment.section("header", header)
        segment.section("volume", self.volume)

    def add_chunk(self, stored: bytes, compressed: bool) -> None:
        segment = self.current
        assert segment is not None, "start() opens the first segment"
        if segment.group_full(len(stored)):
            segment.close_group()
        if not segment.fits(len(stored), self.limit):
            segment.close_group()
            segment.section("next")
            segment.fh.close()
            segment = self._open()
            segment.section("data", self.volume)
        segment.add_chunk(stored, compressed)

    def finish(self, md5: bytes, sha1: bytes) -> None:
        """EWF spec "Digest", "Hash" and "Done" sections; a single segment also repeats the
        volume section as `data` after its last table2, as EnCase does."""
        segment = self.current
        assert segment is not None, "start() opens the first segment"
        segment.close_group()
        if len(self.paths) == 1:
            segment.section("data", self.volume)
        segment.section("digest", _with_checksum(md5 + sha1 + bytes(40)))
        segment.section("hash", _with_checksum(md5 + bytes(16)))
        segment.section("done")

    def close(self) -> None:
        if self.current is not None:
            self.current.fh.close()


def _remove_stale(first: Path, count: int) -> None:
    number = count + 1
    while (stale := segment_path(first, number)).exists():
        stale.unlink()
        number += 1
